# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""Group A of the reports (docs: reports.md, «A. Accruals»): the charge
lines of the accrual runs, summed by SQL."""
import datetime as dt
import json
from decimal import Decimal

from sql import Cast, Literal, Null
from sql.aggregate import Count, Max, Min, Sum
from sql.conditionals import Case, Coalesce
from sql.functions import Abs
from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .accrual import KINDS
from .bulk import as_date
from .recalculation import REASONS
from .report_context import ReportContext, ReportFilterMixin

MONEY = (16, 2)
QUANTITY = (16, 3)
METHODS = [
    (None, ""),
    ('meter', "Individual meter"),
    ('average', "Average"),
    ('normative', "Normative"),
    ('area', "By area"),
    ('per_premises', "Per premises"),
    ('fixed', "Fixed"),
    ('common_property', "Common property"),
    ('manual', "Manual"),
    ('agent', "Agent"),
    ('one_off', "One-off"),
    ('heating', "Heating"),
    ('waste', "Waste"),
    ('sewage', "Sewage"),
    ('tiered', "Tiered"),
    ('reconciliation', "Reconciliation"),
    ('penalty', "Penalty"),
    ]
CHARGE_REASONS = [(None, "")] + REASONS + [
    ('past_period_correction', "Past period correction"),
    ('soi_negative_carry', "Negative common property volume"),
    ('soi_annual_recalculation', "Annual common property recalculation"),
    ('heating_annual_correction', "Annual heating correction"),
    ]


def decimal(value, digits=None):
    "A number read back from SQL (SQLite gives floats) as a Decimal."
    if value is None:
        return None
    value = Decimal(str(value))
    if digits:
        value = value.quantize(Decimal(1).scaleb(-digits[1]))
    return value


class DecimalReadMixin:
    """The Numeric columns of a report's SQL as Decimals rounded to their
    digits, whatever the backend."""
    __slots__ = ()

    @classmethod
    def read(cls, ids, fields_names):
        rows = super().read(ids, fields_names)
        numeric = {
            n: getattr(f, 'digits', None) for n, f in cls._fields.items()
            if f._type == 'numeric' and not hasattr(f, 'getter')}
        dates = {n for n, f in cls._fields.items()
            if f._type == 'date' and not hasattr(f, 'getter')}
        for row in rows:
            for name in row.keys() & numeric.keys():
                digits = numeric[name]
                row[name] = decimal(row[name],
                    digits if isinstance(digits, tuple) else None)
            for name in row.keys() & dates:
                row[name] = as_date(row[name])
        return rows


def supplier_in_company(cls):
    """The supplier's company-dependent values read in the report's company
    (what the company module's test asks of a Many2One to a party)"""
    cls.supplier.context = {'company': Eval('company', -1)}
    cls.supplier.depends = {'company'}


class AccrualContext(ReportContext):
    "Accrual Report Context"
    __name__ = 'housing.report.accrual.context'

    method = fields.Selection(METHODS, "Calculation Method")
    include_computed = fields.Boolean(
        "Include Computed Runs",
        help="Also the runs computed but not posted yet "
        "(to check them before printing the payment documents).")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        supplier_in_company(cls)


class VarianceContext(ReportContext):
    "Accrual Variance Context"
    __name__ = 'housing.report.accrual.variance.context'

    threshold_amount = fields.Numeric(
        "Threshold (₽)", digits=MONEY, required=True,
        help="A row shows when the change is at least this amount.")
    threshold_percent = fields.Numeric(
        "Threshold (%)", digits=(16, 2), required=True,
        help="A row shows when the change is at least this share "
        "of the previous month.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        supplier_in_company(cls)

    @classmethod
    def default_threshold_amount(cls):
        return Decimal('100')

    @classmethod
    def default_threshold_percent(cls):
        return Decimal('20')


class ChargeReportMixin(ReportFilterMixin):
    "The charge lines the context selects, joined to what filters them"
    __slots__ = ()

    @classmethod
    def charge_tables(cls):
        pool = Pool()
        tables = {
            'charge': pool.get('housing.charge').__table__(),
            'run': pool.get('housing.accrual.run').__table__(),
            'service': pool.get('housing.service').__table__(),
            'account': pool.get('housing.account').__table__(),
            'premises': pool.get('housing.premises').__table__(),
            }
        t = tables
        tables['from'] = (t['charge']
            .join(t['run'], condition=t['charge'].run == t['run'].id)
            .join(t['service'],
                condition=t['charge'].service == t['service'].id)
            .join(t['account'],
                condition=t['charge'].account == t['account'].id)
            .join(t['premises'],
                condition=t['account'].premises == t['premises'].id))
        return tables

    @classmethod
    def run_states(cls):
        if Transaction().context.get('include_computed'):
            return ['posted', 'posting', 'computed']
        return ['posted']

    @classmethod
    def charge_where(cls, tables, periods=None):
        "The condition of the context on the charge lines"
        charge, run = tables['charge'], tables['run']
        service = tables['service']
        period_from, period_to = periods or cls.report_periods()
        where = ((run.company == (cls.report_company() or -1))
            & run.state.in_(cls.run_states())
            & (charge.period >= period_from)
            & (charge.period <= period_to))
        buildings = cls.report_ids('buildings')
        if buildings:
            where &= charge.building.in_(buildings)
        accounts = cls.report_ids('accounts')
        if accounts:
            where &= charge.account.in_(accounts)
        services = cls.report_ids('services')
        if services:
            where &= charge.service.in_(services)
        supplier = cls.report_supplier()
        if supplier:
            where &= service.supplier == supplier
        method = Transaction().context.get('method')
        if method:
            where &= charge.method == method
        return where

    @staticmethod
    def is_own(charge):
        "A line of the period's own computation (not a recalculation)"
        return charge.kind.in_(['charge', 'penalty']) & (
            Coalesce(charge.correction, Literal(False)) == Literal(False))

    @staticmethod
    def sum_if(condition, column):
        return Sum(Case((condition, column), else_=0))


class AccrualRegister(
        DecimalReadMixin, ChargeReportMixin, ModelSQL, ModelView):
    "Accrual Register by Account and Service"
    __name__ = 'housing.report.accrual.register'

    account = fields.Many2One('housing.account', "Account", readonly=True)
    building = fields.Many2One('housing.building', "Building", readonly=True)
    premises = fields.Many2One('housing.premises', "Premises", readonly=True)
    payer = fields.Function(
        fields.Many2One('party.party', "Payer"), 'get_payer')
    area = fields.Function(
        fields.Numeric("Area", digits=(16, 2),
            help="The total area of the premises at the end of the "
            "report's period."),
        'get_payer')
    service = fields.Many2One('housing.service', "Service", readonly=True)
    quantity = fields.Numeric("Volume", digits=(16, 4), readonly=True)
    unit = fields.Char("Unit", readonly=True)
    tariff = fields.Numeric("Tariff", digits=(16, 4), readonly=True)
    method = fields.Selection(METHODS, "Method", readonly=True)
    charged = fields.Numeric("Charged", digits=MONEY, readonly=True)
    recalculation = fields.Numeric(
        "Recalculation", digits=MONEY, readonly=True)
    reduction = fields.Numeric("Reduction", digits=MONEY, readonly=True)
    total = fields.Numeric("Total", digits=MONEY, readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('account', 'ASC'), ('service', 'ASC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        t = cls.charge_tables()
        charge = t['charge']
        own = cls.is_own(charge)
        # A line of the own computation with a method, as the run billed it
        billed = own & (charge.kind == 'charge')
        return t['from'].select(
            Min(charge.id).as_('id'),
            charge.account, charge.building,
            Max(t['account'].premises).as_('premises'),
            charge.service,
            cls.sum_if(billed, charge.quantity).as_('quantity'),
            Max(Case((billed, charge.unit), else_=Null)).as_('unit'),
            Max(Case((billed, charge.tariff), else_=Null)).as_('tariff'),
            Max(Case((own, charge.method), else_=Null)).as_('method'),
            cls.sum_if(own, charge.amount).as_('charged'),
            cls.sum_if(~own & (charge.kind != 'reduction'),
                charge.amount).as_('recalculation'),
            cls.sum_if(charge.kind == 'reduction',
                charge.amount).as_('reduction'),
            Sum(charge.amount).as_('total'),
            where=cls.charge_where(t),
            group_by=[charge.account, charge.building, charge.service])

    @classmethod
    def _printed_columns(cls):
        return ['account', 'payer', 'area', 'service', 'method', 'quantity',
            'unit', 'tariff', 'charged', 'recalculation', 'reduction',
            'total']

    @classmethod
    def get_payer(cls, records, names):
        _, date = cls.report_dates()
        result = {n: {} for n in names}
        for record in records:
            payer = record.account.payer_at(date)
            area = (record.premises.area_at(date)
                if record.premises else None)
            values = {
                'payer': payer.party.id if payer else None,
                'area': area.total_area if area else None,
                }
            for name in names:
                result[name][record.id] = values[name]
        return result


class AccrualSummary(
        DecimalReadMixin, ChargeReportMixin, ModelSQL, ModelView):
    "Accrual Summary by Building and Service"
    __name__ = 'housing.report.accrual.summary'

    building = fields.Many2One('housing.building', "Building", readonly=True)
    service = fields.Many2One('housing.service', "Service", readonly=True)
    supplier = fields.Many2One('party.party', "Supplier", readonly=True)
    quantity = fields.Numeric("Volume", digits=(16, 4), readonly=True)
    residential = fields.Numeric(
        "Charged (Residential)", digits=MONEY, readonly=True)
    non_residential = fields.Numeric(
        "Charged (Non-Residential)", digits=MONEY, readonly=True)
    recalculation_plus = fields.Numeric(
        "Recalculation +", digits=MONEY, readonly=True)
    recalculation_minus = fields.Numeric(
        "Recalculation −", digits=MONEY, readonly=True)
    reduction = fields.Numeric("Reduction", digits=MONEY, readonly=True)
    total = fields.Numeric("Total", digits=MONEY, readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('building', 'ASC'), ('service', 'ASC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        t = cls.charge_tables()
        charge, premises = t['charge'], t['premises']
        own = cls.is_own(charge)
        recalculation = ~own & (charge.kind != 'reduction')
        non_residential = premises.kind.in_(['non_residential', 'parking'])
        return t['from'].select(
            Min(charge.id).as_('id'),
            charge.building, charge.service,
            Max(t['service'].supplier).as_('supplier'),
            cls.sum_if(own & (charge.kind == 'charge'),
                charge.quantity).as_('quantity'),
            cls.sum_if(own & ~non_residential,
                charge.amount).as_('residential'),
            cls.sum_if(own & non_residential,
                charge.amount).as_('non_residential'),
            cls.sum_if(recalculation & (charge.amount > 0),
                charge.amount).as_('recalculation_plus'),
            cls.sum_if(recalculation & (charge.amount < 0),
                charge.amount).as_('recalculation_minus'),
            cls.sum_if(charge.kind == 'reduction',
                charge.amount).as_('reduction'),
            Sum(charge.amount).as_('total'),
            where=cls.charge_where(t),
            group_by=[charge.building, charge.service])


class AccrualTrend(
        DecimalReadMixin, ChargeReportMixin, ModelSQL, ModelView):
    "Accrual Trend by Month and Service"
    __name__ = 'housing.report.accrual.trend'

    period = fields.Date("Period", readonly=True)
    service = fields.Many2One('housing.service', "Service", readonly=True)
    charged = fields.Numeric("Charged", digits=MONEY, readonly=True)
    recalculation = fields.Numeric(
        "Recalculation", digits=MONEY, readonly=True)
    reduction = fields.Numeric("Reduction", digits=MONEY, readonly=True)
    total = fields.Numeric("Total", digits=MONEY, readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('period', 'ASC'), ('service', 'ASC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        t = cls.charge_tables()
        charge = t['charge']
        own = cls.is_own(charge)
        return t['from'].select(
            Min(charge.id).as_('id'),
            charge.period, charge.service,
            cls.sum_if(own, charge.amount).as_('charged'),
            cls.sum_if(~own & (charge.kind != 'reduction'),
                charge.amount).as_('recalculation'),
            cls.sum_if(charge.kind == 'reduction',
                charge.amount).as_('reduction'),
            Sum(charge.amount).as_('total'),
            where=cls.charge_where(t),
            group_by=[charge.period, charge.service])


class Recalculations(
        DecimalReadMixin, ChargeReportMixin, ModelSQL, ModelView):
    "Recalculation Register"
    __name__ = 'housing.report.accrual.recalculation'

    period = fields.Date("Period", readonly=True)
    account = fields.Many2One('housing.account', "Account", readonly=True)
    building = fields.Many2One('housing.building', "Building", readonly=True)
    service = fields.Many2One('housing.service', "Service", readonly=True)
    corrected_period = fields.Date("Corrected Period", readonly=True)
    kind = fields.Selection(KINDS, "Kind", readonly=True)
    reason = fields.Selection(CHARGE_REASONS, "Reason", readonly=True)
    was = fields.Function(fields.Numeric("Was", digits=MONEY), 'get_inputs')
    now = fields.Function(fields.Numeric("Now", digits=MONEY), 'get_inputs')
    amount = fields.Numeric("Difference", digits=MONEY, readonly=True)
    run = fields.Many2One('housing.accrual.run', "Document", readonly=True)
    explanation_ru = fields.Text("Explanation (Russian)", readonly=True)
    inputs = fields.Text("Inputs", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [
            ('period', 'ASC'), ('account', 'ASC'), ('service', 'ASC'),
            ('corrected_period', 'ASC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        t = cls.charge_tables()
        charge = t['charge']
        return t['from'].select(
            charge.id, charge.period, charge.account, charge.building,
            charge.service, charge.corrected_period, charge.kind,
            charge.reason, charge.amount, charge.run,
            charge.explanation_ru, charge.inputs,
            where=cls.charge_where(t)
            & (charge.kind != 'penalty')
            & (charge.corrected_period != Null)
            & (charge.corrected_period < charge.period))

    @classmethod
    def _printed_columns(cls):
        return ['period', 'account', 'service', 'corrected_period',
            'reason', 'was', 'now', 'amount', 'run']

    @classmethod
    def get_inputs(cls, records, names):
        result = {n: {} for n in names}
        for record in records:
            inputs = json.loads(record.inputs or '{}')
            for name in names:
                value = inputs.get(name)
                result[name][record.id] = (
                    Decimal(value).quantize(Decimal('0.01'))
                    if value not in (None, '') else None)
        return result


class Reductions(DecimalReadMixin, ReportFilterMixin, ModelSQL, ModelView):
    """Reductions for Poor Quality

    One row per act of violation (housing.shortfall); the reduction lines
    of its service and months in its buildings or premises are its amount.
    When several acts cover the same account, service and month the
    reduction goes to the first act (the lowest id), so the total is the
    reductions charged."""
    __name__ = 'housing.report.accrual.reduction'

    shortfall = fields.Many2One(
        'housing.shortfall', "Act", readonly=True)
    service = fields.Many2One('housing.service', "Service", readonly=True)
    start = fields.DateTime("Start", readonly=True)
    end = fields.DateTime("End", readonly=True)
    hours = fields.Function(
        fields.Numeric("Hours", digits=(16, 2)), 'get_amounts')
    degrees = fields.Numeric("Deviation (°C)", digits=(16, 1), readonly=True)
    reason = fields.Char("Reason", readonly=True)
    buildings = fields.Function(
        fields.Char("Buildings"), 'get_amounts')
    accounts = fields.Function(
        fields.Integer("Accounts"), 'get_amounts')
    amount = fields.Function(
        fields.Numeric("Reduction", digits=MONEY), 'get_amounts')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('start', 'ASC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        shortfall = Pool().get('housing.shortfall').__table__()
        date_from, date_to = cls.report_dates()
        where = ((shortfall.company == (cls.report_company() or -1))
            & (shortfall.start < dt.datetime.combine(
                    date_to + dt.timedelta(days=1), dt.time()))
            & (shortfall.end > dt.datetime.combine(date_from, dt.time())))
        services = cls.report_ids('services')
        if services:
            where &= shortfall.service.in_(services)
        return shortfall.select(
            shortfall.id, shortfall.id.as_('shortfall'),
            shortfall.service, shortfall.start, shortfall.end,
            shortfall.degrees, shortfall.reason,
            where=where)

    @classmethod
    def get_amounts(cls, records, names):
        pool = Pool()
        Charge = pool.get('housing.charge')
        Shortfall = pool.get('housing.shortfall')
        periods = cls.report_periods()
        result = {n: {} for n in names}
        claimed = {}
        amounts = {}
        buildings = cls.report_ids('buildings')
        for record in sorted(records, key=lambda r: r.id):
            shortfall = Shortfall(record.id)
            first = shortfall.start.date().replace(day=1)
            last = shortfall.end.date().replace(day=1)
            domain = [
                ('run.company', '=', cls.report_company()),
                ('run.state', 'in', ChargeReportMixin.run_states()),
                ('kind', '=', 'reduction'),
                ('service', '=', shortfall.service.id),
                ('corrected_period', '>=', max(first, periods[0])),
                ('corrected_period', '<=', min(last, periods[1])),
                ]
            if shortfall.scope == 'premises':
                domain.append(('account.premises', 'in',
                        [p.id for p in shortfall.premises]))
            elif shortfall.scope == 'buildings':
                domain.append(('building', 'in',
                        [b.id for b in shortfall.buildings]))
            if buildings:
                domain.append(('building', 'in', buildings))
            lines = []
            for line in Charge.search(domain):
                key = (line.account.id, line.service.id,
                    line.corrected_period, line.id)
                if key not in claimed:
                    claimed[key] = record.id
                    lines.append(line)
            amounts[record.id] = lines
            values = {
                'hours': shortfall.hours,
                'buildings': ', '.join(sorted(
                        {c.building.rec_name for c in lines})),
                'accounts': len({c.account.id for c in lines}),
                'amount': sum((c.amount for c in lines), Decimal(0)),
                }
            for name in names:
                result[name][record.id] = values[name]
        return result


class ChargeExplanation(
        DecimalReadMixin, ChargeReportMixin, ModelSQL, ModelView):
    "Charge Explanation"
    __name__ = 'housing.report.accrual.explanation'

    period = fields.Date("Period", readonly=True)
    account = fields.Many2One('housing.account', "Account", readonly=True)
    service = fields.Many2One('housing.service', "Service", readonly=True)
    kind = fields.Selection(KINDS, "Kind", readonly=True)
    method = fields.Selection(METHODS, "Method", readonly=True)
    quantity = fields.Numeric("Volume", digits=(16, 6), readonly=True)
    unit = fields.Char("Unit", readonly=True)
    tariff = fields.Numeric("Tariff", digits=(16, 4), readonly=True)
    corrected_period = fields.Date("Corrected Period", readonly=True)
    inputs = fields.Text("Inputs", readonly=True)
    explanation = fields.Function(
        fields.Text("Explanation"), 'get_explanation')
    explanation_ru = fields.Text("Explanation (Russian)", readonly=True)
    explanation_en = fields.Text("Explanation (English)", readonly=True)
    amount = fields.Numeric("Amount", digits=MONEY, readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [
            ('account', 'ASC'), ('period', 'ASC'), ('service', 'ASC'),
            ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        t = cls.charge_tables()
        charge = t['charge']
        return t['from'].select(
            charge.id, charge.period, charge.account, charge.service,
            charge.kind, charge.method, charge.quantity, charge.unit,
            charge.tariff, charge.corrected_period, charge.inputs,
            charge.explanation_ru, charge.explanation_en, charge.amount,
            where=cls.charge_where(t))

    def get_explanation(self, name):
        language = Transaction().language or 'en'
        if language.startswith('ru'):
            return self.explanation_ru
        return self.explanation_en

    @classmethod
    def _printed_columns(cls):
        return ['account', 'service', 'method', 'quantity', 'unit',
            'tariff', 'explanation', 'amount']


class Variance(DecimalReadMixin, ChargeReportMixin, ModelSQL, ModelView):
    """Month-over-Month Variance

    The last month of the context against the month before, per account and
    service, where the change reaches both thresholds."""
    __name__ = 'housing.report.accrual.variance'

    account = fields.Many2One('housing.account', "Account", readonly=True)
    building = fields.Many2One('housing.building', "Building", readonly=True)
    service = fields.Many2One('housing.service', "Service", readonly=True)
    previous = fields.Numeric("Previous Month", digits=MONEY, readonly=True)
    current = fields.Numeric("Current Month", digits=MONEY, readonly=True)
    difference = fields.Numeric("Δ", digits=MONEY, readonly=True)
    percent = fields.Function(
        fields.Numeric("Δ %", digits=(16, 1)), 'get_percent')
    previous_tariff = fields.Numeric(
        "Previous Tariff", digits=(16, 4), readonly=True)
    current_tariff = fields.Numeric(
        "Current Tariff", digits=(16, 4), readonly=True)
    previous_quantity = fields.Numeric(
        "Previous Volume", digits=(16, 4), readonly=True)
    current_quantity = fields.Numeric(
        "Current Volume", digits=(16, 4), readonly=True)
    current_recalculation = fields.Numeric(
        "Recalculation", digits=MONEY, readonly=True)
    current_reduction = fields.Numeric(
        "Reduction", digits=MONEY, readonly=True)
    cause = fields.Function(fields.Selection([
                (None, ""),
                ('new', "New charge"),
                ('gone', "Charge stopped"),
                ('tariff', "Tariff"),
                ('volume', "Volume or persons"),
                ('recalculation', "Recalculation"),
                ('reduction', "Reduction"),
                ], "Likely Cause"), 'get_cause')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('account', 'ASC'), ('service', 'ASC'), ('id', 'ASC')]

    @classmethod
    def months(cls):
        _, current = cls.report_periods()
        month = current.month - 1 or 12
        year = current.year - (1 if current.month == 1 else 0)
        return current.replace(year=year, month=month), current

    @classmethod
    def table_query(cls):
        context = Transaction().context
        # Cast: SQLite stores a Decimal parameter as bytes
        threshold_amount = Cast(Literal(
                Decimal(context.get('threshold_amount') or 0)), 'NUMERIC')
        threshold_percent = Cast(Literal(
                Decimal(context.get('threshold_percent') or 0)), 'NUMERIC')
        previous_month, current_month = cls.months()
        t = cls.charge_tables()
        charge = t['charge']
        own = cls.is_own(charge)
        billed = own & (charge.kind == 'charge')
        in_current = charge.period == current_month
        in_previous = charge.period == previous_month
        current = cls.sum_if(in_current, charge.amount)
        previous = cls.sum_if(in_previous, charge.amount)
        difference = current - previous
        having = ((Abs(difference) > 0)
            & (Abs(difference) >= threshold_amount)
            & (Abs(difference) * 100
                >= Abs(previous) * threshold_percent))
        return t['from'].select(
            Min(charge.id).as_('id'),
            charge.account, charge.building, charge.service,
            previous.as_('previous'),
            current.as_('current'),
            difference.as_('difference'),
            Max(Case((in_previous & billed, charge.tariff),
                    else_=Null)).as_('previous_tariff'),
            Max(Case((in_current & billed, charge.tariff),
                    else_=Null)).as_('current_tariff'),
            cls.sum_if(in_previous & billed,
                charge.quantity).as_('previous_quantity'),
            cls.sum_if(in_current & billed,
                charge.quantity).as_('current_quantity'),
            cls.sum_if(in_current & ~own & (charge.kind != 'reduction'),
                charge.amount).as_('current_recalculation'),
            cls.sum_if(in_current & (charge.kind == 'reduction'),
                charge.amount).as_('current_reduction'),
            where=cls.charge_where(t, (previous_month, current_month)),
            group_by=[charge.account, charge.building, charge.service],
            having=having)

    def get_percent(self, name):
        if not self.previous:
            return None
        return (self.difference * 100 / abs(self.previous)).quantize(
            Decimal('0.1'))

    def get_cause(self, name):
        if not self.previous:
            return 'new'
        if not self.current:
            return 'gone'
        if (self.previous_tariff is not None
                and self.current_tariff is not None
                and self.previous_tariff != self.current_tariff):
            return 'tariff'
        if self.current_recalculation:
            return 'recalculation'
        if self.previous_quantity != self.current_quantity:
            return 'volume'
        if self.current_reduction:
            return 'reduction'
        return None


class AppliedTariffs(
        DecimalReadMixin, ChargeReportMixin, ModelSQL, ModelView):
    """Tariffs and Normatives Applied

    The prices the charge lines were billed at, per service, building and
    price, with the tariff version in force that has that price."""
    __name__ = 'housing.report.accrual.tariff'

    service = fields.Many2One('housing.service', "Service", readonly=True)
    building = fields.Many2One('housing.building', "Building", readonly=True)
    tariff = fields.Numeric("Tariff", digits=(16, 4), readonly=True)
    unit = fields.Char("Unit", readonly=True)
    first_period = fields.Date("First Period", readonly=True)
    last_period = fields.Date("Last Period", readonly=True)
    version = fields.Function(
        fields.Many2One('housing.tariff', "Tariff Version"), 'get_version')
    date_from = fields.Function(fields.Date("Valid From"), 'get_version')
    date_to = fields.Function(fields.Date("Valid To"), 'get_version')
    document = fields.Function(fields.Char("Basis"), 'get_version')
    accounts = fields.Integer("Accounts", readonly=True)
    quantity = fields.Numeric("Volume", digits=(16, 4), readonly=True)
    amount = fields.Numeric("Charged", digits=MONEY, readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [
            ('service', 'ASC'), ('building', 'ASC'), ('tariff', 'ASC'),
            ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        t = cls.charge_tables()
        charge = t['charge']
        where = (cls.charge_where(t) & cls.is_own(charge)
            & (charge.kind == 'charge') & (charge.tariff != Null))
        return t['from'].select(
            Min(charge.id).as_('id'),
            charge.service, charge.building, charge.tariff,
            Max(charge.unit).as_('unit'),
            Min(charge.period).as_('first_period'),
            Max(charge.period).as_('last_period'),
            Count(charge.account, distinct=True).as_('accounts'),
            Sum(charge.quantity).as_('quantity'),
            Sum(charge.amount).as_('amount'),
            where=where,
            group_by=[charge.service, charge.building, charge.tariff])

    @classmethod
    def get_version(cls, records, names):
        Tariff = Pool().get('housing.tariff')
        result = {n: {} for n in names}
        for record in records:
            found = None
            for tariff in Tariff.search([
                        ('service', '=', record.service.id),
                        ('date_from', '<=', record.last_period),
                        ['OR', ('date_to', '=', None),
                            ('date_to', '>=', record.first_period)],
                        ['OR', ('building', '=', None),
                            ('building', '=', record.building.id)],
                        ], order=[('date_from', 'DESC')]):
                if any(r.price == record.tariff for r in tariff.rates):
                    found = tariff
                    break
            values = {
                'version': found.id if found else None,
                'date_from': found.date_from if found else None,
                'date_to': found.date_to if found else None,
                'document': found.document if found else None,
                }
            for name in names:
                result[name][record.id] = values[name]
        return result


