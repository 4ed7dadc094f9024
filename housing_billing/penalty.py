# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""Penalties (пени) for late payment, ЖК РФ ст. 155 ч. 14.

The dated settings (key rates, rate rules, moratoria, due days) are national
tables kept in the database; :func:`penalty_settings` turns them into the
kernel's :class:`PenaltySettings`, and :func:`penalty_charge_rows` gives an
accrual run the penalty line of each account: the penalties accrued up to
the end of the run's period less those charged by earlier posted runs."""
import json
from collections import defaultdict
from decimal import Decimal

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

from .bulk import as_date, as_money
from .engine.allocation import Debt, Payment, allocate
from .engine.params import Timeline
from .engine.penalties import (
    DueDayRule,
    Moratorium,
    PenaltySettings,
    PeriodDebt,
    RateRule,
    due_date,
    penalty_rows,
)
from .engine.periods import Period
from .engine.workdays import ProductionCalendar
from .exceptions import PenaltyError

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
    act = fields.Char("Act")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('period_from_unique', Unique(t, t.period_from),
                'housing_billing.msg_due_day_period_unique'),
            ]
        cls._order.insert(0, ('period_from', 'DESC'))

    @classmethod
    def validate(cls, records):
        super().validate(records)
        for record in records:
            if record.period_from.day != 1:
                raise PenaltyError(gettext(
                        'housing_billing.msg_due_day_period_first_day',
                        period=record.period_from.isoformat()))

    def as_engine(self):
        return DueDayRule(
            Period.of(self.period_from), self.day,
            bool(self.contract_may_override))


def penalty_settings(company):
    """The kernel's penalty settings from the database tables, with the
    company's housing configuration (the workday shift of due dates)."""
    pool = Pool()
    KeyRate = pool.get('housing.key_rate')
    RateRule = pool.get('housing.penalty.rate_rule')
    Moratorium = pool.get('housing.penalty.moratorium')
    DueDay = pool.get('housing.penalty.due_day')
    Configuration = pool.get('housing.configuration')
    key_rates = KeyRate.search([], order=[('date_from', 'ASC')])
    rules = RateRule.search([], order=[('date_from', 'ASC')])
    due_days = DueDay.search([], order=[('period_from', 'ASC')])
    for records, name in [
            (key_rates, 'housing.key_rate'),
            (rules, 'housing.penalty.rate_rule'),
            (due_days, 'housing.penalty.due_day')]:
        if not records:
            raise PenaltyError(gettext(
                    'housing_billing.msg_penalty_no_settings',
                    table=pool.get(name).__string__))
    moratoria = Moratorium.search([], order=[('date_from', 'ASC')])
    config = Configuration(1)
    return PenaltySettings(
        key_rates=Timeline.of(
            [(r.date_from, percent(r.rate)) for r in key_rates],
            name='key rate'),
        rate_rules=Timeline.of(
            [(r.date_from, r.as_engine()) for r in rules],
            name='penalty rate rule'),
        moratoria=tuple(m.as_engine() for m in moratoria),
        due_day_rules=tuple(d.as_engine() for d in due_days),
        calendar=ProductionCalendar.default(),
        shift_due_date_to_workday=bool(config.get_multivalue(
                'shift_due_date_to_workday', company=company.id)))



def posted_debts(company, account_ids, until):
    """{account id: {period start: principal}} of the posted charges of
    the periods up to ``until``, penalties left out (no penalty on
    penalties)."""
    pool = Pool()
    charge = pool.get('housing.charge').__table__()
    run = pool.get('housing.accrual.run').__table__()
    cursor = Transaction().connection.cursor()
    debts = defaultdict(dict)
    for sub_ids in grouped_slice(account_ids, 1000):
        cursor.execute(*charge.join(run, condition=charge.run == run.id
                ).select(
                charge.account, charge.period, Sum(charge.amount),
                where=(run.state == 'posted')
                & (run.company == company.id)
                & charge.account.in_(list(sub_ids))
                & (charge.kind != 'penalty')
                & (charge.period <= until),
                group_by=[charge.account, charge.period]))
        for account, period, amount in cursor:
            debts[account][as_date(period)] = as_money(amount)
    return debts


def charged_penalties(company, account_ids, before):
    "{account id: penalties charged by the posted runs before a period}"
    pool = Pool()
    charge = pool.get('housing.charge').__table__()
    run = pool.get('housing.accrual.run').__table__()
    cursor = Transaction().connection.cursor()
    charged = {}
    for sub_ids in grouped_slice(account_ids, 1000):
        cursor.execute(*charge.join(run, condition=charge.run == run.id
                ).select(
                charge.account, Sum(charge.amount),
                where=(run.state == 'posted')
                & (run.company == company.id)
                & charge.account.in_(list(sub_ids))
                & (charge.kind == 'penalty')
                & (run.period < before),
                group_by=[charge.account]))
        for account, amount in cursor:
            charged[account] = as_money(amount)
    return charged


def posted_allocations(company, account_ids, until):
    """{account id: [(payment date, period start or None, named period,
    amount)]} of the posted payments made up to ``until``; a period of None
    is an advance."""
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
                payment.period, allocation.amount,
                where=(payment.state == 'posted')
                & (payment.company == company.id)
                & allocation.account.in_(list(sub_ids))
                & (payment.date <= until),
                order_by=[payment.date, allocation.id]))
        for account, date, period, named, amount in cursor:
            result[account].append((
                    as_date(date), as_date(period), as_date(named),
                    as_money(amount)))
    return result


def paid_tranches(debts, allocations, settings):
    """{period start: [(payment day, amount)]}: the allocations of each
    period, then the advances applied to what is still open (the named
    period first, else the earliest due date)."""
    tranches = defaultdict(list)
    advances = []
    for paid_on, period, named, amount in allocations:
        if period is None:
            advances.append(Payment(
                    paid_on, amount, Period.of(named) if named else None))
        else:
            tranches[period].append((paid_on, amount))
    if advances:
        open_debts = []
        for period, principal in debts.items():
            left = principal - sum((a for _, a in tranches[period]), ZERO)
            if left > 0:
                billing = Period.of(period)
                open_debts.append(Debt(
                        billing, left, due_date(billing, settings)[0]))
        for application in allocate(advances, open_debts).applications:
            tranches[application.period.start].append(
                (application.paid_on, application.amount))
    return tranches


def account_penalty_rows(debts, allocations, calculation_date, settings):
    "The kernel's penalty rows of one account on a date."
    tranches = paid_tranches(debts, allocations, settings)
    rows = []
    for period, principal in sorted(debts.items()):
        if principal <= 0:
            continue
        debt = PeriodDebt(Period.of(period), principal)
        rows.extend(penalty_rows(
                debt, tranches[period], calculation_date, settings))
    return rows


def explain(rows, total, charged, increment, date, language):
    "The penalty line's explanation: every row, the total and the change."
    if language == 'ru':
        lines = ['Пени на %s (ЖК РФ ст. 155 ч. 14):' % date.strftime(
                '%d.%m.%Y')]
        lines += ['%s: %s' % (r.period.start.strftime('%m.%Y'),
                r.explanation_ru) for r in rows]
        lines.append('Всего %s ₽, начислено ранее %s ₽, к начислению %s ₽'
            % (total, charged, increment))
    else:
        lines = ['Penalties on %s (Housing Code art. 155 p. 14):'
            % date.strftime('%d.%m.%Y')]
        lines += ['%s: %s' % (r.period.start.strftime('%m.%Y'),
                r.explanation_en) for r in rows]
        lines.append('Total %s ₽, charged before %s ₽, charged now %s ₽'
            % (total, charged, increment))
    return '\n'.join(lines)


def penalty_service(company):
    "The company's penalty service, None when penalties are not charged."
    Configuration = Pool().get('housing.configuration')
    return Configuration(1).get_multivalue(
        'penalty_service', company=company.id)


def penalty_charge_rows(run, accounts):
    """Charge rows (the shape of ``Run.charge_row``) of kind 'penalty': for
    each account, the penalties accrued up to the end of the run's period
    less those charged by the posted runs of earlier periods."""
    service = penalty_service(run.company)
    if not service:
        return []
    settings = penalty_settings(run.company)
    date = Period.of(run.period).end
    ids = [a.id for a in accounts]
    debts = posted_debts(run.company, ids, run.period)
    charged = charged_penalties(run.company, ids, run.period)
    allocations = posted_allocations(run.company, ids, date)
    result = []
    for account in accounts:
        rows = account_penalty_rows(
            debts.get(account.id, {}), allocations.get(account.id, []),
            date, settings)
        total = sum((r.amount for r in rows), ZERO)
        before = charged.get(account.id, ZERO)
        if total != before:
            result.append(penalty_charge_row(
                    run, account, service, rows, total, before, date))
    return result


def penalty_charge_row(run, account, service, rows, total, before, date):
    increment = total - before
    return {
        'run': run.id,
        'account': account.id,
        'building': account.premises.building.id,
        'service': service.code,
        'period': run.period,
        'kind': 'penalty',
        'method': 'penalty',
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
            rows, total, before, increment, date, 'ru'),
        'explanation_en': explain(
            rows, total, before, increment, date, 'en'),
        'inputs': json.dumps({
                'calculation_date': date.isoformat(),
                'total': str(total),
                'charged_before': str(before),
                'rows': [{
                        'period': r.period.start.isoformat(),
                        'from': r.date_from.isoformat(),
                        'to': r.date_to.isoformat(),
                        'days': r.days,
                        'base': str(r.base),
                        'rate': str(r.rate),
                        'fraction': str(r.fraction),
                        'amount': str(r.amount),
                        } for r in rows],
                }, ensure_ascii=False, sort_keys=True),
        }


def penalty_receivable(company):
    "The ledger account the penalties are receivable on, apart from services."
    Configuration = Pool().get('housing.configuration')
    account = Configuration(1).get_multivalue(
        'penalty_receivable_account', company=company.id)
    if not account:
        raise PenaltyError(gettext(
                'housing_billing.msg_penalty_no_receivable',
                company=company.rec_name))
    return account
