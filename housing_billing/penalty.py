# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""Penalties (пени) for late payment, ЖК РФ ст. 155 ч. 14 and ч. 14.1.

The dated settings (key rates, rate rules, moratoria, due days) are national
tables kept in the database; :func:`penalty_settings` turns them into the
kernel's :class:`PenaltySettings`, and :func:`penalty_charge_rows` gives an
accrual run the penalty lines of each account: the penalties accrued up to
the end of the run's period less those charged by earlier posted runs.
Capital repair contributions are a base of their own (ч. 14.1: from the
day after their due date, 1/300 throughout), with their own line and
receivable account; the payments are split between the bases as the
allocation records or, if it does not, in proportion to what each
service owes (domain spec §4.5)."""
import json
from collections import defaultdict
from decimal import Decimal
from itertools import chain
from operator import attrgetter

from sql.aggregate import Sum
from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin,
    ModelSQL,
    ModelView,
    Unique,
    fields,
)
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.tools import grouped_slice
from trytond.transaction import Transaction

from .bulk import as_date, as_money, in_slices, where_in
from .engine.allocation import Debt, Payment, allocate, split_by_services
from .engine.params import Timeline
from .engine.penalties import (
    CAPITAL_REPAIR,
    HOUSING,
    DueDayRule,
    Moratorium,
    PenaltySettings,
    PeriodDebt,
    RateRule,
    due_date,
    penalty_rows,
)
from .engine.periods import Period
from .exceptions import PenaltyError
from .loader import account_buildings, posted_runs

PERCENT = (16, 2)
ZERO = Decimal('0.00')


def percent(value):
    """A rate as written in the acts (9.5, 16): without the trailing zeros
    the database adds, so explanations read the same on every backend."""
    if value is None:
        return None
    value = Decimal(value).normalize()
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value


class KeyRate(ModelSQL, ModelView):
    __name__ = 'housing.key_rate'
    __string__ = "Key Rate"

    date_from = fields.Date("From", required=True)
    rate = fields.Numeric(
        "Rate (%)", digits=PERCENT, required=True,
        domain=[('rate', '>=', 0)],
        help="The Bank of Russia key rate in percent a year.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('date_from_unique', Unique(t, t.date_from),
                'housing_billing.msg_key_rate_date_unique'),
            ]
        cls._order.insert(0, ('date_from', 'DESC'))


class RateRuleRecord(ModelSQL, ModelView):
    __name__ = 'housing.penalty.rate_rule'
    __string__ = "Penalty Rate Rule"

    date_from = fields.Date("From", required=True)
    rule = fields.Selection([
            ('key', "Key Rate"),
            ('fixed', "Fixed Rate"),
            ('min', "Lower of Fixed and Key Rate"),
            ], "Rule", required=True,
        help="The rate of the penalty on the day of payment.")
    rate = fields.Numeric(
        "Fixed Rate (%)", digits=PERCENT,
        domain=['OR', ('rate', '=', None), ('rate', '>=', 0)],
        states={
            'required': Eval('rule').in_(['fixed', 'min']),
            'invisible': Eval('rule') == 'key',
            })
    act = fields.Char("Act", help="The law or decree, e.g. ПП474.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('date_from_unique', Unique(t, t.date_from),
                'housing_billing.msg_penalty_rule_date_unique'),
            ]
        cls._order.insert(0, ('date_from', 'DESC'))

    def as_engine(self):
        rate = percent(self.rate) if self.rule != 'key' else None
        return RateRule(self.rule, rate, self.act or '')


class MoratoriumRecord(DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'housing.penalty.moratorium'
    __string__ = "Penalty Moratorium"

    code = fields.Char("Code", required=True)
    act = fields.Char("Act", help="The decree, e.g. ПП424.")
    date_from = fields.Date("From", required=True)
    date_to = fields.Date(
        "To", required=True,
        domain=[('date_to', '>=', Eval('date_from', None))],
        help="The last day without penalties.")
    debts_before = fields.Date(
        "Only Debts of Periods Ending Before",
        help="Leave empty when the moratorium covers every debt.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('code_unique', Unique(t, t.code),
                'housing_billing.msg_moratorium_code_unique'),
            ]
        cls._order.insert(0, ('date_from', 'DESC'))

    def as_engine(self):
        return Moratorium(
            self.code, self.date_from, self.date_to, self.debts_before,
            self.act or '')


class DueDay(ModelSQL, ModelView):
    __name__ = 'housing.penalty.due_day'
    __string__ = "Payment Due Day"

    kind = fields.Selection([
            ('housing', "Housing and Utilities"),
            ('capital_repair', "Capital Repair Contributions"),
            ], "Kind", required=True,
        help="Capital repair contributions may be due on another day "
        "set by a regional law (Housing Code art. 171 p. 1); without a "
        "rule of their own they are due with the housing and utilities.")
    period_from = fields.Date(
        "From Period", required=True,
        help="The first day of the first billing month the rule applies to.")
    day = fields.Integer(
        "Day", required=True,
        domain=[('day', '>=', 1), ('day', '<=', 31)],
        help="The day of the following month by which the bill is paid.")
    contract_may_override = fields.Boolean(
        "Contract May Override",
        help="Whether a management contract may set another day.")
    region = fields.Many2One(
        'country.subdivision', "Region",
        states={'invisible': Eval('kind') != 'capital_repair'},
        help="The region whose law sets the day: the rule applies to its "
        "buildings only (empty: to every building).")
    payee = fields.Many2One(
        'party.party', "Payee",
        states={'invisible': Eval('kind') != 'capital_repair'},
        help="The regional operator or special account owner the "
        "contributions are paid to: the rule applies to the buildings "
        "paying it only (empty: to every building).")
    act = fields.Char("Act")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('period_from', 'DESC'))
        cls._order.insert(0, ('kind', 'DESC'))

    @classmethod
    def __register__(cls, module):
        super().__register__(module)
        table_h = cls.__table_handler__(module)
        # Migration: a rule per kind and period since capital repair's,
        # then per region and payee too (checked by validate: SQL's unique
        # constraints let empty regions and payees repeat)
        table_h.drop_constraint('period_from_unique')
        table_h.drop_constraint('kind_period_from_unique')

    @staticmethod
    def default_kind():
        return 'housing'

    @classmethod
    def validate(cls, records):
        super().validate(records)
        for record in records:
            if record.period_from.day != 1:
                raise PenaltyError(gettext(
                        'housing_billing.msg_due_day_period_first_day',
                        period=record.period_from.isoformat()))
            if cls.search([
                        ('id', '!=', record.id),
                        ('kind', '=', record.kind),
                        ('region', '=', record.region),
                        ('payee', '=', record.payee),
                        ('period_from', '=', record.period_from),
                        ], limit=1):
                raise PenaltyError(gettext(
                        'housing_billing.msg_due_day_period_unique',
                        period=record.period_from.isoformat()))

    @property
    def key(self):
        "The buildings the rule applies to: (region id, payee id), None: all"
        return (self.region.id if self.region else None,
            self.payee.id if self.payee else None)

    def as_engine(self):
        return DueDayRule(
            Period.of(self.period_from), self.day,
            bool(self.contract_may_override))


def capital_repair_due_days(rules, region=None, payee=None):
    """The Timeline of the due day of capital repair contributions for a
    building of region and payee (ids or None), or None without a rule:
    on each day the latest rule of the most specific of (region, payee),
    (payee), (region) and (every building) that has one (domain spec
    §4.1). A day without any falls back on the housing due day."""
    keys = list(dict.fromkeys([
                (region, payee), (None, payee), (region, None),
                (None, None)]))
    by_key = defaultdict(list)
    for rule in rules:
        if rule.key in keys:
            by_key[rule.key].append(rule)
    starts = sorted({r.period_from for r in chain(*by_key.values())})

    def day_on(start):
        for key in keys:
            earlier = [r for r in by_key[key] if r.period_from <= start]
            if earlier:
                return max(earlier, key=attrgetter('period_from')).day
    if not starts:
        return None
    return Timeline.of([(s, day_on(s)) for s in starts],
        name='capital repair due day')


def penalty_settings(company, building=None):
    """The kernel's penalty settings from the database tables, with the
    company's housing configuration (the workday shift of due dates); the
    due day of capital repair contributions that of building's region and
    payee, else the rules for every building."""
    return SettingsOfBuildings(company)(building)


class SettingsOfBuildings:
    """penalty_settings of each building of a company: the tables and the
    calendar are read once, the settings made once for each region and
    payee (a queue task computes tens of buildings)."""

    def __init__(self, company):
        self.company = company
        self.common = None
        self.capital_repair_days = None
        self.by_key = {}
        self.by_building = {}

    def __call__(self, building=None):
        id_ = building.id if building else None
        if id_ not in self.by_building:
            key = building_key(building)
            if key not in self.by_key:
                if self.common is None:
                    self.read()
                self.by_key[key] = self.common.replace(
                    capital_repair_due_day=capital_repair_due_days(
                        self.capital_repair_days, *key))
            self.by_building[id_] = self.by_key[key]
        return self.by_building[id_]

    def read(self):
        pool = Pool()
        KeyRate = pool.get('housing.key_rate')
        RateRule = pool.get('housing.penalty.rate_rule')
        Moratorium = pool.get('housing.penalty.moratorium')
        DueDay = pool.get('housing.penalty.due_day')
        Calendar = pool.get('housing.production_calendar')
        Configuration = pool.get('housing.configuration')
        key_rates = KeyRate.search([], order=[('date_from', 'ASC')])
        rules = RateRule.search([], order=[('date_from', 'ASC')])
        due_days = DueDay.search(
            [('kind', '=', 'housing')], order=[('period_from', 'ASC')])
        for records, name in [
                (key_rates, 'housing.key_rate'),
                (rules, 'housing.penalty.rate_rule'),
                (due_days, 'housing.penalty.due_day')]:
            if not records:
                raise PenaltyError(gettext(
                        'housing_billing.msg_penalty_no_settings',
                        table=pool.get(name).__string__))
        self.capital_repair_days = DueDay.search(
            [('kind', '=', 'capital_repair')])
        moratoria = Moratorium.search([], order=[('date_from', 'ASC')])
        config = Configuration(1)
        self.common = PenaltySettings(
            key_rates=Timeline.of(
                [(r.date_from, percent(r.rate)) for r in key_rates],
                name='key rate'),
            rate_rules=Timeline.of(
                [(r.date_from, r.as_engine()) for r in rules],
                name='penalty rate rule'),
            moratoria=tuple(m.as_engine() for m in moratoria),
            due_day_rules=tuple(d.as_engine() for d in due_days),
            calendar=Calendar.engine_calendar(),
            shift_due_date_to_workday=bool(config.get_multivalue(
                    'shift_due_date_to_workday', company=self.company.id)))


def building_key(building):
    "(region id, capital repair payee id) of building"
    if building is None:
        return None, None
    return (building.region.id if building.region else None,
        building.capital_repair_payee.id
        if building.capital_repair_payee else None)


# The two penalty bases of an account (domain spec §4.1): housing and
# utilities under ЖК 155 ч. 14, capital repair contributions under ч. 14.1.
# The penalty charge of each base is its own line, told apart by its method.
BASES = (HOUSING, CAPITAL_REPAIR)
METHODS = {HOUSING: 'penalty', CAPITAL_REPAIR: 'penalty_capital_repair'}
# What migrated opening balances owe, by period, without a service
OPENING = 'opening'


def base_of(service_kind):
    "The penalty base of a service of kind"
    return CAPITAL_REPAIR if service_kind == 'capital_repair' else HOUSING


def posted_charges_by_period(company, account_ids, condition):
    """{account id: {period start: amount}} of the posted charges that
    meet condition(charge table)."""
    charge = Pool().get('housing.charge').__table__()
    cursor = Transaction().connection.cursor()
    result = defaultdict(dict)
    runs = sorted(posted_runs(company))
    if not runs:
        return result
    for sub_ids in in_slices(account_ids):
        cursor.execute(*charge.select(
                charge.account, charge.period, Sum(charge.amount),
                where=where_in(charge.run, runs)
                & where_in(charge.account, sub_ids)
                & condition(charge),
                group_by=[charge.account, charge.period]))
        for account, period, amount in cursor:
            result[account][as_date(period)] = as_money(amount)
    return result


def charged_penalties_by_period(company, account_ids, base):
    """{account id: {period start: penalty}} the posted runs charged on
    the penalty base."""
    return posted_charges_by_period(company, account_ids,
        lambda charge: (charge.kind == 'penalty')
        & (charge.method == METHODS[base]))


def posted_debts(company, account_ids, until):
    """{account id: {period start: principal}} of the posted charges of
    the periods up to ``until``, penalties left out (no penalty on
    penalties)."""
    debts = posted_charges_by_period(company, account_ids,
        lambda charge: (charge.kind != 'penalty')
        & (charge.period <= until))
    Account = Pool().get('housing.account')
    for account, periods in Account.opening_debts(
            company, account_ids, until).items():
        for period, amount in periods.items():
            debts[account][period] = (
                debts[account].get(period, ZERO) + amount)
    return debts


def posted_service_debts(company, account_ids, until):
    """({account id: {period start: {service id: principal}}}, {service
    id: penalty base}): posted_debts by service; the migrated opening
    debts are under OPENING, of the housing base."""
    pool = Pool()
    charge = pool.get('housing.charge').__table__()
    service = pool.get('housing.service').__table__()
    cursor = Transaction().connection.cursor()
    debts = defaultdict(lambda: defaultdict(dict))
    bases = {OPENING: HOUSING}
    runs = sorted(posted_runs(company))
    if runs:
        cursor.execute(*service.select(service.id, service.kind))
        kinds = dict(cursor)
    for sub_ids in in_slices(account_ids if runs else []):
        cursor.execute(*charge.select(
                charge.account, charge.period, charge.service,
                Sum(charge.amount),
                where=where_in(charge.run, runs)
                & where_in(charge.account, sub_ids)
                & (charge.kind != 'penalty')
                & (charge.period <= until),
                group_by=[charge.account, charge.period, charge.service]))
        for account, period, service_id, amount in cursor:
            debts[account][as_date(period)][service_id] = as_money(amount)
            bases[service_id] = base_of(kinds[service_id])
    Account = pool.get('housing.account')
    for account, periods in Account.opening_debts(
            company, account_ids, until).items():
        for period, amount in periods.items():
            by_service = debts[account][period]
            by_service[OPENING] = by_service.get(OPENING, ZERO) + amount
    return {account: dict(periods)
        for account, periods in debts.items()}, bases


def charged_penalties(company, account_ids, before):
    """{account id: {penalty base: penalties charged by the posted runs
    before a period}}"""
    charge = Pool().get('housing.charge').__table__()
    cursor = Transaction().connection.cursor()
    base_of_method = {method: base for base, method in METHODS.items()}
    charged = defaultdict(dict)
    runs = sorted(posted_runs(company, before=before))
    for sub_ids in grouped_slice(account_ids if runs else [], 1000):
        cursor.execute(*charge.select(
                charge.account, charge.method, Sum(charge.amount),
                where=where_in(charge.run, runs)
                & charge.account.in_(list(sub_ids))
                & (charge.kind == 'penalty'),
                group_by=[charge.account, charge.method]))
        for account, method, amount in cursor:
            base = base_of_method.get(method, HOUSING)
            charged[account][base] = (
                charged[account].get(base, ZERO) + as_money(amount))
    return charged


def posted_allocations(company, account_ids, until):
    """{account id: [(payment date, period start or None, named period,
    amount)]} of the posted payments made up to ``until``; a period of None
    is an advance."""
    return {account: [row[:4] for row in rows]
        for account, rows in posted_allocation_rows(
            company, account_ids, until).items()}


def posted_allocation_rows(company, account_ids, until):
    """posted_allocations with the allocation id as the fifth item (None
    for the opening advances); the payments of penalties left out, as they
    pay no principal."""
    pool = Pool()
    allocation = pool.get('housing.payment.allocation').__table__()
    payment = pool.get('housing.payment').__table__()
    cursor = Transaction().connection.cursor()
    result = defaultdict(list)
    for sub_ids in grouped_slice(account_ids, 1000):
        cursor.execute(*allocation.join(
                payment, condition=allocation.payment == payment.id
                ).select(
                allocation.account, payment.date, allocation.period,
                payment.period, allocation.amount, allocation.id,
                where=(payment.state == 'posted')
                & (payment.company == company.id)
                & allocation.account.in_(list(sub_ids))
                & (allocation.kind != 'penalty')
                & (payment.date <= until),
                order_by=[payment.date, allocation.id]))
        for account, date, period, named, amount, id_ in cursor:
            result[account].append((
                    as_date(date), as_date(period), as_date(named),
                    as_money(amount), id_))
    Account = pool.get('housing.account')
    for account, advances in Account.opening_advances(
            company, account_ids, until).items():
        result[account] = sorted(
            [tuple(a) + (None,) for a in advances] + result[account],
            key=lambda a: a[0])
    return result


def base_tranches(debts, bases, allocations, settings, recorded=None):
    """{(penalty base, period start): [(payment day, amount)]}: what each
    allocation paid of each base.

    ``debts`` are {period start: {service: principal}} and ``bases``
    {service: penalty base}; ``recorded`` gives {allocation id: {service:
    amount}} where the split by service is recorded (housing_payment).
    Else an allocation is split over the services of its period in
    proportion to what each still owes (domain spec §4.5 point 4; the
    rest, if it pays more than is owed, to the housing base). The advances
    are applied last to what is still open, as the allocation does (the
    named period first, else the earliest due date)."""
    recorded = recorded or {}
    owed = {period: dict(by_service)
        for period, by_service in debts.items()}
    tranches = defaultdict(list)
    advances = []

    def apply(paid_on, period, amount, parts=None):
        left = owed.setdefault(period, {})
        if parts is None:
            parts = split_by_services(amount, left)
        for service, part in parts.items():
            if not part:
                continue
            if service in left:
                left[service] -= part
            tranches[bases.get(service, HOUSING), period].append(
                (paid_on, part))

    for paid_on, period, named, amount, id_ in allocations:
        if period is None:
            advances.append(Payment(
                    paid_on, amount, Period.of(named) if named else None))
        else:
            apply(paid_on, period, amount, recorded.get(id_))
    if advances:
        open_debts = []
        for period, by_service in sorted(owed.items()):
            left = sum((a for a in by_service.values() if a > 0), ZERO)
            if left > 0:
                billing = Period.of(period)
                open_debts.append(Debt(
                        billing, left, due_date(billing, settings)[0]))
        for application in allocate(advances, open_debts).applications:
            apply(application.paid_on, application.period.start,
                application.amount)
    return tranches


def paid_tranches(debts, bases, allocations, settings, recorded=None):
    "{period start: [(payment day, amount)]}: base_tranches of all bases"
    tranches = defaultdict(list)
    for (_, period), paid in base_tranches(
            debts, bases, allocations, settings, recorded).items():
        tranches[period].extend(paid)
    return tranches


def account_penalty_rows(debts, bases, allocations, calculation_date,
        settings, recorded=None):
    """The kernel's penalty rows of one account on a date, of both bases
    (PenaltyRow.kind): the arguments as base_tranches takes them."""
    tranches = base_tranches(debts, bases, allocations, settings, recorded)
    principals = defaultdict(lambda: ZERO)
    for period, by_service in debts.items():
        for service, amount in by_service.items():
            principals[bases.get(service, HOUSING), period] += amount
    rows = []
    for (base, period), principal in sorted(principals.items()):
        if principal <= 0:
            continue
        debt = PeriodDebt(Period.of(period), principal, base)
        rows.extend(penalty_rows(
                debt, tranches[base, period], calculation_date, settings))
    return rows


def recorded_parts(allocations):
    """{allocation id: {service: amount}} of the allocations whose split by
    service is recorded."""
    Allocation = Pool().get('housing.payment.allocation')
    ids = sorted({a[4] for rows in allocations.values() for a in rows
            if a[4] is not None and a[1] is not None})
    return Allocation.service_parts(ids)


HEADINGS = {
    (HOUSING, 'ru'): 'Пени на %s (ЖК РФ ст. 155 ч. 14):',
    (HOUSING, 'en'): 'Penalties on %s (Housing Code art. 155 p. 14):',
    (CAPITAL_REPAIR, 'ru'): (
        'Пени по взносам на капитальный ремонт на %s '
        '(ЖК РФ ст. 155 ч. 14.1):'),
    (CAPITAL_REPAIR, 'en'): (
        'Penalties on capital repair contributions on %s '
        '(Housing Code art. 155 p. 14.1):'),
    }


def explain(rows, total, charged, increment, date, language, base=HOUSING):
    "The penalty line's explanation: every row, the total and the change."
    lines = [HEADINGS[base, language] % date.strftime('%d.%m.%Y')]
    if language == 'ru':
        lines += ['%02d.%d: %s' % (r.period.month, r.period.year,
                r.explanation_ru) for r in rows]
        lines.append('Всего %s ₽, начислено ранее %s ₽, к начислению %s ₽'
            % (total, charged, increment))
    else:
        lines += ['%02d.%d: %s' % (r.period.month, r.period.year,
                r.explanation_en) for r in rows]
        lines.append('Total %s ₽, charged before %s ₽, charged now %s ₽'
            % (total, charged, increment))
    provisional = [p.start.strftime('%m.%Y') for p in sorted(
            {r.period for r in rows if r.provisional_due})]
    if provisional:
        lines.append((
                'Срок оплаты за %s определён по предварительному '
                'производственному календарю (постановление о переносе '
                'выходных дней не загружено)' if language == 'ru' else
                'The due date of %s comes from the provisional production '
                'calendar (the decree moving the days off is not loaded)')
            % ', '.join(provisional))
    return '\n'.join(lines)


def penalty_service(company):
    "The company's penalty service, None when penalties are not charged."
    Configuration = Pool().get('housing.configuration')
    return Configuration(1).get_multivalue(
        'penalty_service', company=company.id)


def penalty_services(company):
    """{penalty base: service} of company, {} when penalties are not
    charged: capital repair's own service, else the penalty service."""
    Configuration = Pool().get('housing.configuration')
    service = penalty_service(company)
    if not service:
        return {}
    capital_repair = Configuration(1).get_multivalue(
        'capital_repair_penalty_service', company=company.id)
    return {HOUSING: service, CAPITAL_REPAIR: capital_repair or service}


def penalty_charge_rows(run, accounts, settings=None):
    """Charge rows (the shape of ``Run.charge_row``) of kind 'penalty': for
    each account and penalty base, the penalties accrued up to the end of
    the run's period less those charged by the posted runs of earlier
    periods. settings: the SettingsOfBuildings of the run's company, when
    the caller keeps them from one chunk to the next."""
    services = penalty_services(run.company)
    if not services:
        return []
    settings = settings or SettingsOfBuildings(run.company)
    date = Period.of(run.period).end
    ids = [a.id for a in accounts]
    building_of = account_buildings(ids)
    buildings = {b.id: b for b in Pool().get('housing.building').browse(
            set(building_of.values()))}
    debts, bases = posted_service_debts(run.company, ids, run.period)
    charged = charged_penalties(run.company, ids, run.period)
    allocations = posted_allocation_rows(run.company, ids, date)
    recorded = recorded_parts(allocations)
    result = []
    for account in accounts:
        building = building_of[account.id]
        rows = account_penalty_rows(
            debts.get(account.id, {}), bases,
            allocations.get(account.id, []), date,
            settings(buildings[building]), recorded)
        for base in BASES:
            base_rows = [r for r in rows if r.kind == base]
            total = sum((r.amount for r in base_rows), ZERO)
            before = charged.get(account.id, {}).get(base, ZERO)
            if total != before:
                result.append(penalty_charge_row(
                        run, account, services[base], base_rows, total,
                        before, date, base, building))
    return result


def penalty_charge_row(run, account, service, rows, total, before, date,
        base=HOUSING, building=None):
    "The row of a penalty (building: the account's building id)"
    increment = total - before
    return {
        'run': run.id,
        'account': account.id,
        'building': building or account.premises.building.id,
        'service': service.code,
        'period': run.period,
        'kind': 'penalty',
        'method': METHODS[base],
        'basis': None,
        'component': None,
        'quantity': None,
        'unit': None,
        'tariff': None,
        'coefficient': None,
        'amount': increment,
        'date_from': min((r.date_from for r in rows), default=None),
        'date_to': date,
        'corrected_period': None,
        'reason': None,
        'explanation_ru': explain(
            rows, total, before, increment, date, 'ru', base),
        'explanation_en': explain(
            rows, total, before, increment, date, 'en', base),
        'inputs': json.dumps({
                'base': base,
                'calculation_date': date.isoformat(),
                'total': str(total),
                'charged_before': str(before),
                'provisional_due': any(r.provisional_due for r in rows),
                'rows': [{
                        'period': r.period.start.isoformat(),
                        'from': r.date_from.isoformat(),
                        'to': r.date_to.isoformat(),
                        'days': r.days,
                        'base': str(r.base),
                        'rate': str(r.rate),
                        'fraction': str(r.fraction),
                        'amount': str(r.amount),
                        'provisional_due': r.provisional_due,
                        } for r in rows],
                }, ensure_ascii=False, sort_keys=True),
        }


def penalty_receivable(company, base=HOUSING):
    """The ledger account the penalties of a base are receivable on, apart
    from services: capital repair's own account, else the penalty
    receivable account."""
    Configuration = Pool().get('housing.configuration')
    configuration = Configuration(1)
    account = None
    if base == CAPITAL_REPAIR:
        account = configuration.get_multivalue(
            'capital_repair_penalty_receivable_account', company=company.id)
    account = account or configuration.get_multivalue(
        'penalty_receivable_account', company=company.id)
    if not account:
        raise PenaltyError(gettext(
                'housing_billing.msg_penalty_no_receivable',
                company=company.rec_name))
    return account


def penalty_receivable_ids(company_id):
    "The ids of the penalty receivable accounts of company (maybe none)."
    return sorted({a for a in penalty_receivable_by_base(
                company_id).values() if a})


def penalty_receivable_by_base(company_id):
    """{penalty base: receivable account id or None} of company, as
    penalty_receivable chooses them."""
    Configuration = Pool().get('housing.configuration')
    configuration = Configuration(1)
    housing = configuration.get_multivalue(
        'penalty_receivable_account', company=company_id)
    capital_repair = configuration.get_multivalue(
        'capital_repair_penalty_receivable_account', company=company_id)
    housing = housing.id if housing else None
    return {
        HOUSING: housing,
        CAPITAL_REPAIR: capital_repair.id if capital_repair else housing,
        }
