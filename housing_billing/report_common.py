# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""Group E of the reports (docs: reports.md, «E. Common property»): the
balance of a resource per building (небаланс) and the КР на СОИ shared to
the premises."""
import datetime as dt
import json
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from sql import Null
from sql.aggregate import Max, Min, Sum
from sql.conditionals import Case, Coalesce
from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool

from .common_house import meter_volume
from .report_accrual import ChargeReportMixin, DecimalReadMixin
from .service import RESOURCES

VOLUME = (16, 4)
MONEY = (16, 2)


class ResourceBalance(
        DecimalReadMixin, ChargeReportMixin, ModelSQL, ModelView):
    """Resource Balance per Building

    The common-house meters' volume of a resource against the volumes
    billed to the premises (as the КР на СОИ balance counts them: the
    month's own volumes, without heat components, reductions or the common
    property services themselves) and the КР на СОИ charged."""
    __name__ = 'housing.report.common.balance'

    period = fields.Date("Period", readonly=True)
    building = fields.Many2One('housing.building', "Building", readonly=True)
    resource = fields.Selection(RESOURCES, "Resource", readonly=True)
    building_volume = fields.Function(
        fields.Numeric("Common-House Meter", digits=VOLUME), 'get_balance')
    meter = fields.Numeric("Individual Meters", digits=VOLUME, readonly=True)
    average = fields.Numeric("Average", digits=VOLUME, readonly=True)
    normative = fields.Numeric("Normative", digits=VOLUME, readonly=True)
    other = fields.Numeric("Other", digits=VOLUME, readonly=True)
    non_residential = fields.Numeric(
        "Non-Residential", digits=VOLUME, readonly=True,
        help="Part of the volumes above billed to non-residential "
        "premises.")
    individual = fields.Numeric(
        "Σ Individual", digits=VOLUME, readonly=True)
    executor_volume = fields.Function(
        fields.Numeric("Executor's Own Use", digits=VOLUME), 'get_balance')
    fact = fields.Function(
        fields.Numeric("Common Property (Actual)", digits=VOLUME),
        'get_balance')
    cap = fields.Function(
        fields.Numeric("Common Property Limit by Normative", digits=VOLUME),
        'get_balance')
    charged = fields.Function(
        fields.Numeric("Common Property Charged", digits=VOLUME),
        'get_balance')
    over_normative = fields.Function(
        fields.Numeric("Over Normative (Executor)", digits=VOLUME),
        'get_balance')
    negative = fields.Function(
        fields.Numeric("Negative Imbalance", digits=VOLUME),
        'get_balance')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('period', 'ASC'), ('building', 'ASC'),
            ('resource', 'ASC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        t = cls.charge_tables()
        charge, service = t['charge'], t['service']
        premises = t['premises']
        where = (cls.charge_where(t)
            & (service.resource != Null)
            & (service.method != 'common_property')
            & (Coalesce(charge.component, '') != 'heat')
            & charge.kind.in_(['charge', 'recalculation'])
            & ((charge.corrected_period == Null)
                | (charge.corrected_period == charge.period)))
        quantity = Coalesce(charge.quantity, 0)
        basis = Coalesce(charge.basis, '')
        is_meter = basis == 'meter'
        is_average = basis.like('average%')
        is_normative = basis == 'normative'

        def sum_if(condition):
            return Sum(Case((condition, quantity), else_=0))
        return t['from'].select(
            Min(charge.id).as_('id'),
            charge.period, charge.building, service.resource,
            sum_if(is_meter).as_('meter'),
            sum_if(is_average).as_('average'),
            sum_if(is_normative).as_('normative'),
            sum_if(~is_meter & ~is_average & ~is_normative).as_('other'),
            sum_if(premises.kind.in_(['non_residential', 'parking'])
                ).as_('non_residential'),
            Sum(quantity).as_('individual'),
            where=where,
            group_by=[charge.period, charge.building, service.resource])

    @classmethod
    def soi_lines(cls, building, resource, period):
        "The КР на СОИ lines of a building's resource in period"
        Charge = Pool().get('housing.charge')
        return Charge.search([
                ('run.company', '=', cls.report_company()),
                ('run.state', 'in', cls.run_states()),
                ('building', '=', building.id),
                ('period', '=', period),
                ('service.method', '=', 'common_property'),
                ('service.soi_resource', '=', resource),
                ('kind', 'in', ['charge', 'recalculation']),
                ['OR', ('corrected_period', '=', None),
                    ('corrected_period', '=', period)],
                ])

    @classmethod
    def get_balance(cls, records, names):
        result = {n: {} for n in names}
        for record in records:
            start = record.period
            end = start + relativedelta(months=1) - dt.timedelta(days=1)
            volumes, executor = [], []
            for meter in record.building.meters:
                if (meter.kind != 'common_house'
                        or meter.service.resource != record.resource):
                    continue
                volume = meter_volume(meter, start, end)
                if volume is not None:
                    (executor if meter.executor_use else volumes).append(
                        volume)
            building_volume = sum(volumes) if volumes else None
            executor_volume = sum(executor, Decimal(0))
            lines = cls.soi_lines(record.building, record.resource, start)
            charged = sum((c.quantity or 0 for c in lines), Decimal(0))
            cap = None
            for line in lines:
                inputs = json.loads(line.inputs or '{}')
                if inputs.get('cap') not in (None, '', 'None'):
                    cap = Decimal(inputs['cap'])
                    break
            values = dict.fromkeys(names)
            values['charged'] = charged.quantize(Decimal('0.0001'))
            values['cap'] = cap
            values['executor_volume'] = executor_volume
            if building_volume is not None:
                fact = building_volume - record.individual - executor_volume
                values.update({
                        'building_volume': building_volume,
                        'fact': fact,
                        'negative': min(fact, Decimal(0)),
                        'over_normative': max(
                            fact - charged, Decimal(0)) if fact > 0
                        else Decimal(0),
                        })
            for name in names:
                value = values.get(name)
                if isinstance(value, Decimal):
                    value = value.quantize(Decimal('0.0001'))
                result[name][record.id] = value
        return result


class SoiAllocation(
        DecimalReadMixin, ChargeReportMixin, ModelSQL, ModelView):
    """Common Property Allocation to Premises

    The КР на СОИ lines of a month per account: the building's volume
    shared by area (the kopecks rounded together, largest remainder first,
    domain spec §0.2)."""
    __name__ = 'housing.report.common.allocation'

    period = fields.Date("Period", readonly=True)
    building = fields.Many2One('housing.building', "Building", readonly=True)
    account = fields.Many2One('housing.account', "Account", readonly=True)
    premises = fields.Many2One('housing.premises', "Premises", readonly=True)
    service = fields.Many2One('housing.service', "Service", readonly=True)
    area = fields.Function(
        fields.Numeric("Area", digits=(16, 2)), 'get_share')
    share = fields.Function(
        fields.Numeric("Share", digits=(16, 6)), 'get_share')
    quantity = fields.Numeric("Volume", digits=VOLUME, readonly=True)
    tariff = fields.Numeric("Tariff", digits=(16, 4), readonly=True)
    amount = fields.Numeric("Amount", digits=MONEY, readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('period', 'ASC'), ('building', 'ASC'),
            ('service', 'ASC'), ('account', 'ASC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        t = cls.charge_tables()
        charge, service = t['charge'], t['service']
        where = (cls.charge_where(t)
            & (service.method == 'common_property')
            & charge.kind.in_(['charge', 'recalculation'])
            & ((charge.corrected_period == Null)
                | (charge.corrected_period == charge.period)))
        return t['from'].select(
            Min(charge.id).as_('id'),
            charge.period, charge.building, charge.account,
            Max(t['account'].premises).as_('premises'), charge.service,
            Sum(Coalesce(charge.quantity, 0)).as_('quantity'),
            Max(charge.tariff).as_('tariff'),
            Sum(charge.amount).as_('amount'),
            where=where,
            group_by=[charge.period, charge.building, charge.account,
                charge.service])

    @classmethod
    def get_share(cls, records, names):
        result = {n: {} for n in names}
        for record in records:
            area = record.premises.area_at(record.period)
            area = area.total_area if area else None
            total = record.building.area_at(record.period)
            total = total.total_area if total else None
            values = {
                'area': area,
                'share': (area / total).quantize(Decimal('0.000001'))
                if area and total else None,
                }
            for name in names:
                result[name][record.id] = values[name]
        return result
