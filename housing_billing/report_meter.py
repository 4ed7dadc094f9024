# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""Group D of the reports (docs: reports.md, «D. Meters and consumption»):
readings, missing readings, verification, common-house meters and the
consumption trend."""
import datetime as dt
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from sql import Null
from sql.aggregate import Max, Min, Sum
from sql.conditionals import Coalesce
from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.transaction import Transaction

from .common_house import meter_volume
from .reading import READING_DIGITS, SOURCES
from .report_accrual import (
    ChargeReportMixin,
    DecimalReadMixin,
    supplier_in_company,
)
from .report_context import ReportContext, ReportFilterMixin

BILLING_METHODS = [
    (None, ""),
    ('meter', "Readings"),
    ('average', "Average"),
    ('normative', "Normative"),
    ]
METER_KINDS = [
    ('individual', "Individual"),
    ('common_house', "Common-House"),
    ('group', "Group"),
    ]


def billing_method(basis, method):
    "The method of a charge line as the meter reports name it"
    if basis and basis.startswith('average') or method == 'average':
        return 'average'
    if basis == 'meter' or method == 'meter':
        return 'meter'
    if basis == 'normative' or method == 'normative':
        return 'normative'
    return None


class VerificationContext(ReportContext):
    "Meter Verification Context"
    __name__ = 'housing.report.meter.verification.context'

    days = fields.Integer(
        "Due Within (Days)", required=True,
        help="The meters whose verification is due at most this many days "
        "after the end of the report's period (or already passed).")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        supplier_in_company(cls)

    @classmethod
    def default_days(cls):
        return 60


class MeterReportMixin(ReportFilterMixin):
    "The meters of the context"
    __slots__ = ()

    @classmethod
    def meter_tables(cls):
        pool = Pool()
        meter = pool.get('housing.meter').__table__()
        building = pool.get('housing.building').__table__()
        service = pool.get('housing.service').__table__()
        from_ = (meter
            .join(building, condition=meter.building == building.id)
            .join(service, condition=meter.service == service.id))
        return meter, building, service, from_

    @classmethod
    def meter_where(cls, meter, building, service, kind='individual'):
        date_from, date_to = cls.report_dates()
        where = ((building.company == (cls.report_company() or -1))
            & (meter.installation_date <= date_to)
            & ((meter.removal_date == Null)
                | (meter.removal_date >= date_from)))
        if kind:
            where &= meter.kind == kind
        buildings = cls.report_ids('buildings')
        if buildings:
            where &= meter.building.in_(buildings)
        services = cls.report_ids('services')
        if services:
            where &= meter.service.in_(services)
        supplier = cls.report_supplier()
        if supplier:
            where &= service.supplier == supplier
        accounts = cls.report_ids('accounts')
        if accounts:
            Account = Pool().get('housing.account')
            premises = [a.premises.id for a in Account.browse(accounts)]
            where &= meter.premises.in_(premises)
        return where

    @classmethod
    def account_of(cls, meter, date):
        "The account of the meter's premises open at date"
        for account in (meter.premises.accounts if meter.premises else []):
            if account.is_open(date):
                return account
        return None

    @classmethod
    def billed(cls, accounts_services, period):
        """{(account id, service id): (method, quantity)} of what the runs
        of period charged"""
        Charge = Pool().get('housing.charge')
        result = {}
        if not accounts_services:
            return result
        lines = Charge.search([
                ('run.state', 'in', ChargeReportMixin.run_states()),
                ('period', '=', period),
                ('kind', '=', 'charge'),
                ('account', 'in', list({a for a, _ in accounts_services})),
                ])
        for line in lines:
            key = (line.account.id, line.service.id)
            if key not in accounts_services or line.correction:
                continue
            method, quantity = result.get(key, (None, Decimal(0)))
            method = method or billing_method(line.basis, line.method)
            result[key] = (method, quantity + (line.quantity or 0))
        return result


class ReadingStatement(
        DecimalReadMixin, MeterReportMixin, ModelSQL, ModelView):
    "Individual Meter Readings Statement"
    __name__ = 'housing.report.meter.reading'

    meter = fields.Many2One('housing.meter', "Meter", readonly=True)
    serial_number = fields.Char("Meter No.", readonly=True)
    building = fields.Many2One('housing.building', "Building", readonly=True)
    premises = fields.Many2One('housing.premises', "Premises", readonly=True)
    account = fields.Function(
        fields.Many2One('housing.account', "Account"), 'get_values')
    service = fields.Many2One('housing.service', "Service", readonly=True)
    previous_date = fields.Function(
        fields.Date("Previous Date"), 'get_values')
    previous_value = fields.Function(
        fields.Numeric("Previous Reading", digits=READING_DIGITS),
        'get_values')
    current_date = fields.Date("Current Date", readonly=True)
    current_value = fields.Numeric(
        "Current Reading", digits=(16, 3), readonly=True)
    source = fields.Selection(
        [(None, "")] + SOURCES, "Source", readonly=True)
    consumption = fields.Function(
        fields.Numeric("Consumption", digits=READING_DIGITS), 'get_values')
    method = fields.Function(
        fields.Selection(BILLING_METHODS, "Method"), 'get_values')
    billed_quantity = fields.Function(
        fields.Numeric("Billed Volume", digits=(16, 4)), 'get_values')
    negative = fields.Function(
        fields.Boolean("Negative"), 'get_values')
    to_review = fields.Function(
        fields.Boolean("To Review",
            help="The reading was flagged: a jump over the average, "
            "a roll-over or an expired verification."),
        'get_values')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('building', 'ASC'), ('premises', 'ASC'),
            ('serial_number', 'ASC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        pool = Pool()
        Reading = pool.get('housing.meter.reading')
        meter, building, service, from_ = cls.meter_tables()
        date_from, date_to = cls.report_dates()
        last = Reading.__table__()
        current = Reading.__table__()
        last_date = last.select(Max(last.date),
            where=(last.meter == meter.id) & (last.date >= date_from)
            & (last.date <= date_to))
        from_ = from_.join(current, 'LEFT',
            condition=(current.meter == meter.id)
            & (current.date == last_date))
        return from_.select(
            meter.id, meter.id.as_('meter'), meter.serial_number,
            meter.building, meter.premises, meter.service,
            current.date.as_('current_date'),
            current.value1.as_('current_value'),
            current.source,
            where=cls.meter_where(meter, building, service))

    @classmethod
    def _printed_columns(cls):
        return ['account', 'premises', 'serial_number', 'service',
            'previous_date', 'previous_value', 'current_date',
            'current_value', 'source', 'consumption', 'method']

    @classmethod
    def get_values(cls, records, names):
        Reading = Pool().get('housing.meter.reading')
        date_from, date_to = cls.report_dates()
        _, period_to = cls.report_periods()
        values = {}
        for record in records:
            readings = Reading.search([
                    ('meter', '=', record.meter.id),
                    ('date', '<=', date_to),
                    ], order=[('date', 'ASC')])
            current = [r for r in readings if r.date >= date_from]
            before = [r for r in readings if r.date < date_from]
            row = dict.fromkeys(names)
            account = cls.account_of(record.meter, date_to)
            row['account'] = account.id if account else None
            if before:
                row['previous_date'] = before[-1].date
                row['previous_value'] = before[-1].value1
            else:
                row['previous_date'] = record.meter.installation_date
                row['previous_value'] = record.meter.installation_value1
            if current:
                row['consumption'] = sum(
                    (r.consumption for r in current), Decimal(0))
                row['negative'] = row['consumption'] < 0
                row['to_review'] = any(
                    r.review == 'pending' or r.verification_overdue
                    for r in current)
            else:
                row['negative'] = row['to_review'] = False
            values[record.id] = row
        keys = {(v['account'], r.service.id)
            for r in records for v in [values[r.id]] if v['account']}
        billed = cls.billed(keys, period_to)
        for record in records:
            row = values[record.id]
            method, quantity = billed.get(
                (row['account'], record.service.id), (None, None))
            row['method'] = method
            row['billed_quantity'] = quantity
        return {n: {i: v[n] for i, v in values.items()} for n in names}


class MissingReadings(MeterReportMixin, ModelSQL, ModelView):
    "Missing Readings"
    __name__ = 'housing.report.meter.missing'

    meter = fields.Many2One('housing.meter', "Meter", readonly=True)
    building = fields.Many2One('housing.building', "Building", readonly=True)
    premises = fields.Many2One('housing.premises', "Premises", readonly=True)
    account = fields.Function(
        fields.Many2One('housing.account', "Account"), 'get_values')
    service = fields.Many2One('housing.service', "Service", readonly=True)
    last_date = fields.Date("Last Reading Date", readonly=True)
    last_value = fields.Function(
        fields.Numeric("Last Reading", digits=READING_DIGITS), 'get_values')
    months = fields.Function(
        fields.Integer("Months without Readings"), 'get_values')
    method = fields.Function(
        fields.Selection(BILLING_METHODS, "Current Method"), 'get_values')
    billed_quantity = fields.Function(
        fields.Numeric("Volume to Charge", digits=(16, 4)), 'get_values')
    needs_check = fields.Function(
        fields.Boolean("Needs a Check",
            help="No readings for three months or more: the meter must be "
            "checked (Decree 354, p. 82–85)."),
        'get_values')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('building', 'ASC'), ('premises', 'ASC'),
            ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        pool = Pool()
        reading = pool.get('housing.meter.reading').__table__()
        meter, building, service, from_ = cls.meter_tables()
        _, period_to = cls.report_periods()
        month_end = period_to + relativedelta(months=1)
        in_month = reading.select(reading.meter,
            where=(reading.date >= period_to) & (reading.date < month_end))
        last = reading.select(Max(reading.date),
            where=(reading.meter == meter.id) & (reading.date < month_end))
        where = (cls.meter_where(meter, building, service)
            & (meter.installation_date < period_to)
            & ~meter.id.in_(in_month))
        return from_.select(
            meter.id, meter.id.as_('meter'), meter.building,
            meter.premises, meter.service, last.as_('last_date'),
            where=where)

    @classmethod
    def get_values(cls, records, names):
        Reading = Pool().get('housing.meter.reading')
        _, period_to = cls.report_periods()
        _, date_to = cls.report_dates()
        values = {}
        for record in records:
            row = dict.fromkeys(names)
            account = cls.account_of(record.meter, date_to)
            row['account'] = account.id if account else None
            readings = Reading.search([
                    ('meter', '=', record.meter.id),
                    ('date', '<', period_to),
                    ], order=[('date', 'DESC')], limit=1)
            if readings:
                last = readings[0].date
                row['last_value'] = readings[0].value1
            else:
                last = record.meter.installation_date
                row['last_value'] = record.meter.installation_value1
            delta = relativedelta(period_to, last.replace(day=1))
            row['months'] = delta.years * 12 + delta.months
            row['needs_check'] = row['months'] >= 3
            values[record.id] = row
        keys = {(v['account'], r.service.id)
            for r in records for v in [values[r.id]] if v['account']}
        billed = cls.billed(keys, period_to)
        for record in records:
            row = values[record.id]
            method, quantity = billed.get(
                (row['account'], record.service.id), (None, None))
            row['method'] = method
            row['billed_quantity'] = quantity
        return {n: {i: v[n] for i, v in values.items()} for n in names}


class Verification(MeterReportMixin, ModelSQL, ModelView):
    "Meter Verification and Status"
    __name__ = 'housing.report.meter.verification'

    meter = fields.Many2One('housing.meter', "Meter", readonly=True)
    kind = fields.Selection(METER_KINDS, "Kind", readonly=True)
    building = fields.Many2One('housing.building', "Building", readonly=True)
    premises = fields.Many2One('housing.premises', "Premises", readonly=True)
    service = fields.Many2One('housing.service', "Service", readonly=True)
    model = fields.Char("Model", readonly=True)
    installation_date = fields.Date("Installation Date", readonly=True)
    verification_due = fields.Date("Next Verification", readonly=True)
    days_left = fields.Function(
        fields.Integer("Days Left",
            help="From the last day of the report's period."),
        'get_status')
    status = fields.Function(fields.Selection([
                ('valid', "In order"),
                ('due', "Due soon"),
                ('expired', "Verification expired"),
                ], "Status"), 'get_status')
    consequence = fields.Function(
        fields.Selection([
                (None, ""),
                ('warn', "Warn the owner"),
                ('average', "Readings not used: average, then normative"),
                ], "Consequence"), 'get_status')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('verification_due', 'ASC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        meter, building, service, from_ = cls.meter_tables()
        _, date_to = cls.report_dates()
        days = Transaction().context.get('days')
        if days is None:
            days = VerificationContext.default_days()
        where = (cls.meter_where(meter, building, service, kind=None)
            & (meter.verification_due != Null)
            & (meter.verification_due <= date_to + dt.timedelta(days=days)))
        return from_.select(
            meter.id, meter.id.as_('meter'), meter.kind, meter.building,
            meter.premises, meter.service, meter.model,
            meter.installation_date, meter.verification_due,
            where=where)

    @classmethod
    def get_status(cls, records, names):
        _, date_to = cls.report_dates()
        result = {n: {} for n in names}
        for record in records:
            days = (record.verification_due - date_to).days
            if days < 0:
                status, consequence = 'expired', 'average'
            else:
                status, consequence = 'due', 'warn'
            values = {
                'days_left': days, 'status': status,
                'consequence': consequence}
            for name in names:
                result[name][record.id] = values[name]
        return result


class BuildingMeterLog(MeterReportMixin, ModelSQL, ModelView):
    "Common-House Meter Log"
    __name__ = 'housing.report.meter.building'

    building = fields.Many2One('housing.building', "Building", readonly=True)
    meter = fields.Many2One('housing.meter', "Meter", readonly=True)
    service = fields.Many2One('housing.service', "Service", readonly=True)
    executor_use = fields.Boolean("Executor's Own Use", readonly=True)
    date = fields.Date("Date", readonly=True)
    value1 = fields.Numeric(
        "Reading", digits=READING_DIGITS, readonly=True)
    consumption = fields.Function(
        fields.Numeric("Consumption", digits=READING_DIGITS),
        'get_consumption')
    source = fields.Selection(SOURCES, "Source", readonly=True)
    comment = fields.Text("Act / Comment", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('building', 'ASC'), ('meter', 'ASC'),
            ('date', 'ASC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        reading = Pool().get('housing.meter.reading').__table__()
        meter, building, service, from_ = cls.meter_tables()
        date_from, date_to = cls.report_dates()
        from_ = from_.join(reading, condition=reading.meter == meter.id)
        where = (cls.meter_where(meter, building, service, 'common_house')
            & (reading.date >= date_from) & (reading.date <= date_to))
        return from_.select(
            reading.id, meter.building, reading.meter, meter.service,
            meter.executor_use, reading.date, reading.value1,
            reading.source, reading.comment,
            where=where)

    @classmethod
    def get_consumption(cls, records, name):
        Reading = Pool().get('housing.meter.reading')
        readings = Reading.browse([r.id for r in records])
        return {r.id: r.consumption for r in readings}


class ConsumptionTrend(
        DecimalReadMixin, ChargeReportMixin, ModelSQL, ModelView):
    """Consumption Trend

    The volumes billed to the premises per building, resource service and
    month, beside the common-house meter's volume where there is one."""
    __name__ = 'housing.report.meter.trend'

    period = fields.Date("Period", readonly=True)
    building = fields.Many2One('housing.building', "Building", readonly=True)
    service = fields.Many2One('housing.service', "Service", readonly=True)
    quantity = fields.Numeric(
        "Individual Volume", digits=(16, 3), readonly=True)
    building_volume = fields.Function(
        fields.Numeric("Common-House Meter", digits=(16, 3)), 'get_volume')
    volume = fields.Function(
        fields.Numeric("Volume", digits=(16, 3),
            help="The common-house meter's volume where the building has "
            "one, else the individual volumes."),
        'get_volume')
    area = fields.Function(
        fields.Numeric("Area", digits=(16, 2)), 'get_volume')
    per_area = fields.Function(
        fields.Numeric("Volume per m²", digits=(16, 4)), 'get_volume')
    previous_year = fields.Function(
        fields.Numeric("Same Month Last Year", digits=(16, 3),
            help="The individual volume of the same month a year before."),
        'get_volume')
    year_percent = fields.Function(
        fields.Numeric("To Last Year %", digits=(16, 1)), 'get_volume')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('period', 'ASC'), ('building', 'ASC'),
            ('service', 'ASC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        t = cls.charge_tables()
        charge, service = t['charge'], t['service']
        where = (cls.charge_where(t)
            & (service.resource != Null)
            & (service.method != 'common_property')
            & (Coalesce(charge.component, '') != 'heat')
            & (charge.kind != 'reduction')
            & ((charge.corrected_period == Null)
                | (charge.corrected_period == charge.period)))
        return t['from'].select(
            Min(charge.id).as_('id'),
            charge.period, charge.building, charge.service,
            Sum(Coalesce(charge.quantity, 0)).as_('quantity'),
            where=where,
            group_by=[charge.period, charge.building, charge.service])

    @classmethod
    def previous_year_volumes(cls, records):
        "{(building, service, period): Σ individual volume a year before}"
        Charge = Pool().get('housing.charge')
        periods = {r.period - relativedelta(years=1) for r in records}
        result = {}
        if not periods:
            return result
        for line in Charge.search([
                    ('run.company', '=', cls.report_company()),
                    ('run.state', 'in', cls.run_states()),
                    ('period', 'in', list(periods)),
                    ('building', 'in', list({r.building.id for r in records})),
                    ('service', 'in', list({r.service.id for r in records})),
                    ('kind', '!=', 'reduction'),
                    ]):
            if (line.component == 'heat' or line.corrected_period not in (
                        None, line.period)):
                continue
            key = (line.building.id, line.service.id,
                line.period + relativedelta(years=1))
            result[key] = result.get(key, Decimal(0)) + (line.quantity or 0)
        return result

    @classmethod
    def get_volume(cls, records, names):
        result = {n: {} for n in names}
        previous = cls.previous_year_volumes(records)
        for record in records:
            start = record.period
            end = start + relativedelta(months=1) - dt.timedelta(days=1)
            volumes = [meter_volume(m, start, end)
                for m in record.building.meters
                if m.kind == 'common_house' and not m.executor_use
                and m.service.resource == record.service.resource]
            volumes = [v for v in volumes if v is not None]
            building_volume = sum(volumes) if volumes else None
            volume = (building_volume if building_volume is not None
                else record.quantity)
            area = record.building.area_at(start)
            area = area.total_area if area else None
            values = {
                'building_volume': building_volume,
                'volume': volume,
                'area': area,
                'per_area': (volume / area).quantize(Decimal('0.0001'))
                if area and volume is not None else None,
                }
            last_year = previous.get(
                (record.building.id, record.service.id, record.period))
            values['previous_year'] = last_year
            values['year_percent'] = (
                (record.quantity * 100 / last_year).quantize(Decimal('0.1'))
                if last_year else None)
            for name in names:
                result[name][record.id] = values[name]
        return result

