# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""Reports of payments and debts (reports.md, group B).

Every money column is summed with SQL from two sources only: the posted
ledger lines that carry a personal account (``housing_account``) and the
charges of the posted accrual runs that produced them (accrued, recalculated
and penalty columns: a run writes one receivable line per account and per
penalty, so the charges split what the ledger holds). What is not an
accrual run's line is a payment. :func:`events` puts both sources in one
relation: (account, date, src, service, amount)."""
import datetime as dt
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from sql import Cast, Literal, Null, Select, Union, Window
from sql.aggregate import Count, Max, Min, Sum
from sql.conditionals import Case, Coalesce
from sql.operators import Like
from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.transaction import Transaction

from .bulk import as_date, as_money
from .report_context import ReportContext, ReportFilterMixin, month_start

MONEY = (16, 2)
ZERO = Decimal('0.00')
# What an event is: ledger lines of accrual runs or of anything else (a
# payment), on the penalty receivable account or not, and charges by kind.
LEDGER = ('run', 'run_penalty', 'other', 'other_penalty')
PAID = ('other', 'other_penalty')
PENALTY_LEDGER = ('run_penalty', 'other_penalty')
RECALCULATION = ('recalculation', 'reduction')


def penalty_account_ids(company):
    """The penalty receivable accounts of company, housing and capital
    repair ([-1]: none configured)."""
    from .penalty import penalty_receivable_ids
    return penalty_receivable_ids(company) or [-1]


_DATE = fields.Date("Date")


def date_value(date):
    "A date literal both backends compare with their date columns."
    return _DATE.sql_cast(Literal(date))


def ledger_lines(company, until=None):
    """Posted ledger lines of company carrying a personal account:
    (account, date, src, service, amount = debit − credit)."""
    pool = Pool()
    line = pool.get('account.move.line').__table__()
    move = pool.get('account.move').__table__()
    is_run = Like(Coalesce(move.origin, ''), 'housing.accrual.run,%')
    is_penalty = line.account.in_(penalty_account_ids(company))
    where = ((move.company == company) & (move.state == 'posted')
        & (line.housing_account != Null))
    if until:
        where &= move.date <= until
    return line.join(move, condition=line.move == move.id).select(
        line.housing_account.as_('account'),
        move.date.as_('date'),
        Case((is_run & is_penalty, 'run_penalty'), (is_run, 'run'),
            (is_penalty, 'other_penalty'), else_='other').as_('src'),
        Literal(None).as_('service'),
        (line.debit - line.credit).as_('amount'),
        where=where)


def posted_charges(company, until=None):
    """Charges of the posted runs of company: (account, date = the billing
    period, src = the kind, service, amount)."""
    pool = Pool()
    charge = pool.get('housing.charge').__table__()
    run = pool.get('housing.accrual.run').__table__()
    where = (run.company == company) & (run.state == 'posted')
    if until:
        where &= charge.period <= until
    return charge.join(run, condition=charge.run == run.id).select(
        charge.account.as_('account'),
        charge.period.as_('date'),
        charge.kind.as_('src'),
        charge.service.as_('service'),
        charge.amount.as_('amount'),
        where=where)


def events(company, until=None):
    return Union(
        ledger_lines(company, until), posted_charges(company, until),
        all_=True)


def months_query(period_from, period_to):
    """One row per month: (idx, start, end, previous); idx counts months
    from year 0 so that it identifies a month in ids."""
    queries = []
    month = period_from
    while month <= period_to:
        end = month + relativedelta(months=1) - dt.timedelta(days=1)
        previous = month - relativedelta(months=1)
        queries.append(Select([
                    Literal(month.year * 12 + month.month - 1).as_('idx'),
                    date_value(month).as_('start'),
                    date_value(end).as_('end'),
                    date_value(previous).as_('previous')]))
        month += relativedelta(months=1)
    if len(queries) == 1:
        return queries[0]
    return Union(*queries, all_=True)


def wide_id(value, times, plus):
    "An id made of two: value × times + plus, in 64 bits on every backend."
    return Cast(value, 'BIGINT') * times + plus


class ReportReadMixin(ReportFilterMixin):
    """Sums read back the same on every backend: kopecks for money, dates
    for dates (SQLite returns floats and text for computed columns)."""
    __slots__ = ()

    @classmethod
    def read(cls, ids, fields_names):
        rows = super().read(ids, fields_names)
        converters = {}
        for name in fields_names:
            field = cls._fields.get(name)
            if field is None or isinstance(field, fields.Function):
                continue
            if field._type == 'numeric':
                converters[name] = as_money
            elif field._type == 'date':
                converters[name] = as_date
        for row in rows:
            for name, convert in converters.items():
                row[name] = convert(row.get(name))
        return rows

    @classmethod
    def account_filter(cls, account_table, premises_table):
        "The condition of the accounts and buildings of the context."
        where = account_table.company == cls.report_company()
        account_ids = cls.report_ids('accounts')
        if account_ids:
            where &= account_table.id.in_(account_ids)
        building_ids = cls.report_ids('buildings')
        if building_ids:
            where &= premises_table.building.in_(building_ids)
        return where


def _money(string, help=''):
    return fields.Numeric(string, digits=MONEY, readonly=True, help=help)


def number_value(value):
    "A number of the context compared with sums on every backend."
    return Cast(Literal(value), 'NUMERIC')


class DebtContext(ReportContext):
    "Housing Debt Report Context"
    __name__ = 'housing.report.debt.context'
    __string__ = "Debt Report Context"

    balance = fields.Selection([
            (None, "All"),
            ('debt', "Only Debtors"),
            ('advance', "Only Advances"),
            ], "Balance", sort=False)
    date = fields.Date(
        "As of",
        help="The day the debt is aged on (default: the last day of the "
        "report's last month).")
    min_amount = fields.Numeric(
        "Minimal Debt", digits=MONEY,
        help="Only the accounts owing at least this principal.")
    min_months = fields.Integer(
        "Minimal Months of Debt",
        help="Or owing for at least this number of billing months.")


def context_date(cls):
    "The 'as of' day of the context, else the last day of the report."
    date = Transaction().context.get('date')
    if date:
        return date
    return cls.report_dates()[1]


class TurnoverAccount(ReportReadMixin, ModelSQL, ModelView):
    "B1 Turnover Statement by Personal Account"
    __name__ = 'housing.report.turnover.account'
    __string__ = "Turnover Statement by Personal Account"

    account = fields.Many2One(
        'housing.account', "Personal Account", readonly=True)
    building = fields.Many2One('housing.building', "Building", readonly=True)
    payer = fields.Function(
        fields.Many2One('party.party', "Payer"), 'get_payer')
    opening_debit = _money("Opening Debit")
    opening_credit = _money("Opening Credit")
    accrued = _money("Accrued")
    recalculated = _money("Recalculated")
    penalty = _money("Penalty")
    paid = _money("Paid")
    closing_debit = _money("Closing Debit")
    closing_credit = _money("Closing Credit")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('account', 'ASC'), ('id', 'ASC')]

    def get_payer(self, name):
        payer = self.account.payer_at(self.report_dates()[1])
        return payer.party.id if payer else None

    @classmethod
    def turnover_query(cls, group):
        """The turnover columns of the report's months summed by the
        columns ``group`` returns (of the events, account, premises and
        service tables)."""
        pool = Pool()
        account = pool.get('housing.account').__table__()
        premises = pool.get('housing.premises').__table__()
        service = pool.get('housing.service').__table__()
        company = cls.report_company()
        date_from, date_to = cls.report_dates()
        period_from, period_to = cls.report_periods()
        ev = events(company, date_to)
        in_period = (ev.date >= date_from) & (ev.date <= date_to)
        zero = Literal(0)

        def total(condition, sign=1):
            return Sum(Case((condition, ev.amount * sign), else_=zero))
        columns = group(ev, account, premises, service)
        return ev.join(account, condition=ev.account == account.id
            ).join(premises, condition=account.premises == premises.id
            ).join(service, 'LEFT', condition=ev.service == service.id
            ).select(*columns,
                total(ev.src.in_(LEDGER) & (ev.date < date_from)
                    ).as_('opening'),
                total((ev.src == 'charge') & in_period).as_('accrued'),
                total(ev.src.in_(RECALCULATION) & in_period
                    ).as_('recalculated'),
                total((ev.src == 'penalty') & in_period).as_('penalty'),
                total(ev.src.in_(PAID) & in_period, -1).as_('paid'),
                where=cls.account_filter(account, premises),
                group_by=[c for c in columns])

    @classmethod
    def table_query(cls):
        def group(ev, account, premises, service):
            return [account.id.as_('account'),
                premises.building.as_('building')]
        sub = cls.turnover_query(group)
        closing = (sub.opening + sub.accrued + sub.recalculated
            + sub.penalty - sub.paid)
        zero = Literal(0)
        where = Literal(True)
        balance = Transaction().context.get('balance')
        if balance == 'debt':
            where &= closing > 0
        elif balance == 'advance':
            where &= closing < 0
        return sub.select(
            sub.account.as_('id'), sub.account, sub.building,
            Case((sub.opening > 0, sub.opening), else_=zero
                ).as_('opening_debit'),
            Case((sub.opening < 0, -sub.opening), else_=zero
                ).as_('opening_credit'),
            sub.accrued, sub.recalculated, sub.penalty, sub.paid,
            Case((closing > 0, closing), else_=zero).as_('closing_debit'),
            Case((closing < 0, -closing), else_=zero
                ).as_('closing_credit'),
            where=where)


class TurnoverBuildingService(ReportReadMixin, ModelSQL, ModelView):
    """B2 Turnover Summary by Building and Service

    «Оплачено» is the payments allocated to a billing period split between
    its services in proportion to their charges (domain spec §4.5 p. 4);
    advances stay on a row without service. Only the accrual columns follow
    the service filter."""
    __name__ = 'housing.report.turnover.building_service'
    __string__ = "Turnover Summary by Building and Service"

    building = fields.Many2One('housing.building', "Building", readonly=True)
    service = fields.Many2One('housing.service', "Service", readonly=True)
    opening = _money("Opening Balance")
    accrued = _money("Accrued")
    recalculated = _money("Recalculated")
    penalty = _money("Penalty")
    paid = _money("Paid")
    closing = _money("Closing Balance")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('building', 'ASC'), ('service', 'ASC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        pool = Pool()
        account = pool.get('housing.account').__table__()
        premises = pool.get('housing.premises').__table__()
        company = cls.report_company()
        date_from, date_to = cls.report_dates()
        ev = Union(posted_charges(company, date_to),
            split_payments(company, date_to), all_=True)
        in_period = ev.date >= date_from
        zero = Literal(0)

        def total(condition, sign=1):
            return Sum(Case((condition, ev.amount * sign), else_=zero))
        where = cls.account_filter(account, premises)
        service_ids = cls.report_ids('services')
        if service_ids:
            where &= ev.service.in_(service_ids)
        opening = total(ev.date < date_from)
        sub = ev.join(account, condition=ev.account == account.id
            ).join(premises, condition=account.premises == premises.id
            ).select(
                premises.building.as_('building'),
                ev.service.as_('service'),
                opening.as_('opening'),
                total((ev.src == 'charge') & in_period).as_('accrued'),
                total(ev.src.in_(RECALCULATION) & in_period
                    ).as_('recalculated'),
                total((ev.src == 'penalty') & in_period).as_('penalty'),
                total(ev.src.in_(['paid', 'advance']) & in_period, -1
                    ).as_('paid'),
                Sum(ev.amount).as_('closing'),
                where=where,
                group_by=[premises.building, ev.service])
        return sub.select(
            wide_id(sub.building, 100000, Coalesce(sub.service, 0)).as_('id'),
            sub.building, sub.service, sub.opening, sub.accrued,
            sub.recalculated, sub.penalty, sub.paid, sub.closing)


def split_payments(company, until, date_from=None):
    """Payments as events: allocations to a period split between the
    services charged in that period in proportion to their charges
    (src 'paid', negative), advances on no service (src 'advance')."""
    pool = Pool()
    charge = pool.get('housing.charge').__table__()
    run = pool.get('housing.accrual.run').__table__()
    allocation = pool.get('housing.payment.allocation').__table__()
    payment = pool.get('housing.payment').__table__()
    charged = (run.company == company) & (run.state == 'posted') & (
        charge.kind != 'penalty')
    by_service = charge.join(run, condition=charge.run == run.id).select(
        charge.account, charge.period, charge.service,
        Sum(charge.amount).as_('amount'),
        where=charged,
        group_by=[charge.account, charge.period, charge.service])
    by_period = charge.join(run, condition=charge.run == run.id).select(
        charge.account, charge.period, Sum(charge.amount).as_('amount'),
        where=charged,
        group_by=[charge.account, charge.period])
    paid_where = ((payment.state == 'posted')
        & (payment.company == company) & (payment.date <= until))
    if date_from:
        paid_where &= payment.date >= date_from
    paid = allocation.join(payment, condition=allocation.payment == payment.id
        ).select(
            allocation.account, allocation.period, allocation.kind,
            payment.date, allocation.amount,
            where=paid_where)
    debts = paid.join(by_period, condition=(paid.account == by_period.account)
        & (paid.period == by_period.period)
        ).join(by_service, condition=(paid.account == by_service.account)
        & (paid.period == by_service.period)
        ).select(
            paid.account.as_('account'), paid.date.as_('date'),
            Literal('paid').as_('src'), by_service.service.as_('service'),
            (-paid.amount * by_service.amount / by_period.amount
                ).as_('amount'),
            where=(paid.kind == 'debt') & (by_period.amount != 0))
    advances = paid.select(
        paid.account.as_('account'), paid.date.as_('date'),
        Literal('advance').as_('src'), Literal(None).as_('service'),
        (-paid.amount).as_('amount'),
        where=paid.kind == 'advance')
    return Union(debts, advances, all_=True)


class PaymentChannelMixin:
    __slots__ = ()

    @classmethod
    def get_channels(cls):
        "The channels of housing.payment, whatever modules add to them"
        Payment = Pool().get('housing.payment')
        return Payment.fields_get(['channel'])['channel']['selection']


class PaymentRegister(
        PaymentChannelMixin, ReportReadMixin, ModelSQL, ModelView):
    "B3 Payments Register"
    __name__ = 'housing.report.payment.register'
    __string__ = "Payments Register"

    date = fields.Date("Payment Date", readonly=True)
    channel = fields.Selection('get_channels', "Channel", readonly=True)
    account = fields.Many2One(
        'housing.account', "Personal Account", readonly=True)
    building = fields.Many2One('housing.building', "Building", readonly=True)
    party = fields.Many2One('party.party', "Payer", readonly=True)
    period = fields.Date("Period Named", readonly=True)
    reference = fields.Char("Reference", readonly=True)
    amount = _money("Amount")
    allocated = _money(
        "Allocated", help="The part of the payment applied to debts.")
    advance = _money("Advance")
    penalty = _money(
        "Penalties Paid",
        help="The part of a payment designated for penalties.")
    purpose = fields.Selection('get_purposes', "Purpose", readonly=True)
    move = fields.Many2One('account.move', "Move", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('date', 'ASC'), ('id', 'ASC')]

    @classmethod
    def get_purposes(cls):
        Payment = Pool().get('housing.payment')
        return Payment.fields_get(['purpose'])['purpose']['selection']

    @classmethod
    def table_query(cls):
        pool = Pool()
        payment = pool.get('housing.payment').__table__()
        allocation = pool.get('housing.payment.allocation').__table__()
        account = pool.get('housing.account').__table__()
        premises = pool.get('housing.premises').__table__()
        date_from, date_to = cls.report_dates()
        zero = Literal(0)
        split = allocation.select(
            allocation.payment,
            Sum(Case((allocation.kind == 'debt', allocation.amount),
                    else_=zero)).as_('allocated'),
            Sum(Case((allocation.kind == 'advance', allocation.amount),
                    else_=zero)).as_('advance'),
            Sum(Case((allocation.kind == 'penalty', allocation.amount),
                    else_=zero)).as_('penalty'),
            group_by=[allocation.payment])
        return payment.join(account, condition=payment.account == account.id
            ).join(premises, condition=account.premises == premises.id
            ).join(split, 'LEFT', condition=split.payment == payment.id
            ).select(
                payment.id, payment.date, payment.channel, payment.account,
                premises.building, payment.party, payment.period,
                payment.reference, payment.amount,
                Coalesce(split.allocated, zero).as_('allocated'),
                Coalesce(split.advance, zero).as_('advance'),
                Coalesce(split.penalty, zero).as_('penalty'),
                payment.purpose, payment.move,
                where=cls.account_filter(account, premises)
                & (payment.state == 'posted')
                & (payment.date >= date_from) & (payment.date <= date_to))


class PaymentChannel(
        PaymentChannelMixin, ReportReadMixin, ModelSQL, ModelView):
    "B3 Payments by Channel"
    __name__ = 'housing.report.payment.channel'
    __string__ = "Payments by Channel"

    month = fields.Date("Month", readonly=True)
    channel = fields.Selection('get_channels', "Channel", readonly=True)
    count = fields.Integer("Payments", readonly=True)
    amount = _money("Amount")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('month', 'ASC'), ('channel', 'ASC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        pool = Pool()
        payment = pool.get('housing.payment').__table__()
        account = pool.get('housing.account').__table__()
        premises = pool.get('housing.premises').__table__()
        months = months_query(*cls.report_periods())
        return payment.join(account, condition=payment.account == account.id
            ).join(premises, condition=account.premises == premises.id
            ).join(months, condition=(payment.date >= months.start)
                & (payment.date <= months.end)
            ).select(
                Min(payment.id).as_('id'), months.start.as_('month'),
                payment.channel, Count(payment.id).as_('count'),
                Sum(payment.amount).as_('amount'),
                where=cls.account_filter(account, premises)
                & (payment.state == 'posted'),
                group_by=[months.start, payment.channel])


def due_cutoffs(company, date):
    """{months: first billing period whose due date is on or after
    ``date`` − months}: a period is overdue by more than N months iff it
    is before cutoff N (the due date grows with the period)."""
    from .engine.penalties import PenaltySettings, due_date
    from .engine.periods import Period
    from .exceptions import PenaltyError
    from .penalty import penalty_settings
    try:
        settings = penalty_settings(Pool().get('company.company')(company))
    except PenaltyError:
        # The penalty tables are empty: the due days the kernel ships
        settings = PenaltySettings.default()
    result = {}
    for months in (0, 1, 3, 6, 12, 36):
        limit = date - relativedelta(months=months)
        period = Period.of(month_start(limit) - relativedelta(months=3))
        while due_date(period, settings)[0] < limit:
            period = period.next()
        result[months] = period.start
    return result


class DebtAgeing(ReportReadMixin, ModelSQL, ModelView):
    """B5 Debt Ageing

    The principal of each billing period on the context's day: its posted
    charges less the payments allocated to it, then the advances applied
    to the oldest periods first; aged from the period's due date (the
    penalty settings' due day). Penalties apart, from the ledger."""
    __name__ = 'housing.report.debt.ageing'
    __string__ = "Debt Ageing"

    account = fields.Many2One(
        'housing.account', "Personal Account", readonly=True)
    building = fields.Many2One('housing.building', "Building", readonly=True)
    total = _money("Debt Total")
    not_due = _money("Not Due")
    month_1 = _money("Up to 1 Month")
    months_3 = _money("1–3 Months")
    months_6 = _money("3–6 Months")
    months_12 = _money("6–12 Months")
    months_36 = _money("12–36 Months")
    months_over = _money("Over 36 Months")
    months = fields.Integer(
        "Months of Debt", readonly=True,
        help="The number of billing months with principal unpaid.")
    penalty = _money("Penalty")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('total', 'DESC'), ('account', 'ASC'), ('id', 'ASC')]

    @classmethod
    def open_periods(cls, company, date):
        """(account, period, open principal) on date."""
        pool = Pool()
        charge = pool.get('housing.charge').__table__()
        run = pool.get('housing.accrual.run').__table__()
        allocation = pool.get('housing.payment.allocation').__table__()
        payment = pool.get('housing.payment').__table__()
        # The runs whose moves (dated the last day of their month) are in.
        last_period = month_start(date + dt.timedelta(days=1)
            ) - relativedelta(months=1)
        charges = charge.join(run, condition=charge.run == run.id).select(
            charge.account, charge.period, charge.amount,
            Literal(0).as_('advance'),
            where=(run.company == company) & (run.state == 'posted')
            & (charge.kind != 'penalty') & (run.period <= last_period))
        paid = allocation.join(
            payment, condition=allocation.payment == payment.id).select(
            allocation.account, allocation.period,
            Case((allocation.kind == 'debt', -allocation.amount),
                else_=Literal(0)).as_('amount'),
            Case((allocation.kind == 'advance', allocation.amount),
                else_=Literal(0)).as_('advance'),
            where=(payment.company == company)
            & (payment.state == 'posted') & (payment.date <= date)
            & (allocation.kind != 'penalty'))
        ev = Union(charges, paid, all_=True)
        residual = ev.select(
            ev.account, ev.period,
            Sum(ev.amount).as_('residual'), Sum(ev.advance).as_('advance'),
            group_by=[ev.account, ev.period])
        window = Window([residual.account])
        cumulated = residual.select(
            residual.account, residual.period, residual.residual,
            Sum(residual.residual, window=Window([residual.account],
                    order_by=[Coalesce(
                            residual.period, date_value(date)).asc])
                ).as_('cumulated'),
            Sum(residual.advance, window=window).as_('advance'),
            )
        left = cumulated.cumulated - cumulated.advance
        return cumulated.select(
            cumulated.account, cumulated.period,
            Case((left <= 0, Literal(0)),
                (left >= cumulated.residual, cumulated.residual),
                else_=left).as_('amount'),
            where=cumulated.period != Null)

    @classmethod
    def ageing_query(cls):
        pool = Pool()
        account = pool.get('housing.account').__table__()
        premises = pool.get('housing.premises').__table__()
        company = cls.report_company()
        date = context_date(cls)
        cutoffs = due_cutoffs(company, date)
        debts = cls.open_periods(company, date)
        zero = Literal(0)

        def bucket(condition):
            return Case((condition, debts.amount), else_=zero)
        period = debts.period
        cut = {k: date_value(v) for k, v in cutoffs.items()}
        principal = debts.select(
            debts.account, debts.amount.as_('total'),
            bucket(period >= cut[0]).as_('not_due'),
            bucket((period < cut[0]) & (period >= cut[1])).as_('month_1'),
            bucket((period < cut[1]) & (period >= cut[3])).as_('months_3'),
            bucket((period < cut[3]) & (period >= cut[6])).as_('months_6'),
            bucket((period < cut[6]) & (period >= cut[12])
                ).as_('months_12'),
            bucket((period < cut[12]) & (period >= cut[36])
                ).as_('months_36'),
            bucket(period < cut[36]).as_('months_over'),
            Case((debts.amount > 0, 1), else_=zero).as_('months'),
            zero.as_('penalty'))
        lines = ledger_lines(company, date)
        penalties = lines.select(
            lines.account, *([zero] * 9),
            lines.amount.as_('penalty'),
            where=lines.src.in_(PENALTY_LEDGER))
        rows = Union(principal, penalties, all_=True)
        names = ['total', 'not_due', 'month_1', 'months_3', 'months_6',
            'months_12', 'months_36', 'months_over', 'months', 'penalty']
        return rows.join(account, condition=rows.account == account.id
            ).join(premises, condition=account.premises == premises.id
            ).select(
                account.id.as_('account'), premises.building.as_('building'),
                *[Sum(getattr(rows, n)).as_(n) for n in names],
                where=cls.account_filter(account, premises),
                group_by=[account.id, premises.building])

    @classmethod
    def table_query(cls):
        sub = cls.ageing_query()
        names = ['total', 'not_due', 'month_1', 'months_3', 'months_6',
            'months_12', 'months_36', 'months_over', 'months', 'penalty']
        where = (sub.total != 0) | (sub.penalty != 0)
        min_amount = Transaction().context.get('min_amount')
        if min_amount:
            where &= sub.total >= number_value(min_amount)
        return sub.select(
            sub.account.as_('id'), sub.account, sub.building,
            *[getattr(sub, n) for n in names], where=where)


class Debtor(DebtAgeing):
    """B6 Debtors List

    The accounts of B5 with principal owing, at least the minimal debt or
    for at least the minimal number of months (either when both are set)."""
    __name__ = 'housing.report.debtor'
    __string__ = "Debtors List"

    payer = fields.Function(
        fields.Many2One('party.party', "Payer"), 'get_payer')
    premises = fields.Function(
        fields.Many2One('housing.premises', "Premises"), 'get_premises')
    last_payment_date = fields.Function(
        fields.Date("Last Payment"), 'get_last_payment')
    last_payment_amount = fields.Function(
        fields.Numeric("Last Payment Amount", digits=MONEY),
        'get_last_payment')

    @classmethod
    def table_query(cls):
        sub = cls.ageing_query()
        names = ['total', 'not_due', 'month_1', 'months_3', 'months_6',
            'months_12', 'months_36', 'months_over', 'months', 'penalty']
        context = Transaction().context
        where = sub.total > 0
        criteria = []
        if context.get('min_amount'):
            criteria.append(
                sub.total >= number_value(context['min_amount']))
        if context.get('min_months'):
            criteria.append(sub.months >= context['min_months'])
        if criteria:
            condition = criteria[0]
            for other in criteria[1:]:
                condition |= other
            where &= condition
        return sub.select(
            sub.account.as_('id'), sub.account, sub.building,
            *[getattr(sub, n) for n in names], where=where)

    def get_payer(self, name):
        payer = self.account.payer_at(context_date(self))
        return payer.party.id if payer else None

    def get_premises(self, name):
        return self.account.premises.id

    @classmethod
    def get_last_payment(cls, debtors, names):
        pool = Pool()
        payment = pool.get('housing.payment').__table__()
        cursor = Transaction().connection.cursor()
        date = context_date(cls)
        ids = [d.account.id for d in debtors]
        last = payment.select(
            payment.account, Max(payment.date).as_('date'),
            where=(payment.state == 'posted') & (payment.date <= date)
            & payment.account.in_(ids or [-1]),
            group_by=[payment.account])
        cursor.execute(*payment.join(last,
                condition=(payment.account == last.account)
                & (payment.date == last.date)).select(
                payment.account, payment.date, Sum(payment.amount),
                where=payment.state == 'posted',
                group_by=[payment.account, payment.date]))
        found = {a: (as_date(d), as_money(s)) for a, d, s in cursor}
        result = {n: {} for n in names}
        for debtor in debtors:
            date, amount = found.get(debtor.account.id, (None, None))
            if 'last_payment_date' in result:
                result['last_payment_date'][debtor.id] = date
            if 'last_payment_amount' in result:
                result['last_payment_amount'][debtor.id] = amount
        return result


class CollectionRate(ReportReadMixin, ModelSQL, ModelView):
    """B7 Collection Rate

    Paid is what the payments credited to the building's accounts in the
    month; of it, the debts of earlier periods are what was allocated to
    billing periods older than the previous month (the bill of a month is
    paid in the next one)."""
    __name__ = 'housing.report.collection'
    __string__ = "Collection Rate"

    building = fields.Many2One('housing.building', "Building", readonly=True)
    month = fields.Date("Month", readonly=True)
    accrued = _money("Accrued")
    paid = _money("Paid")
    rate = fields.Function(
        fields.Numeric("Collection %", digits=(16, 1)), 'get_rate')
    paid_current = _money("Paid for the Month")
    paid_past = _money("Paid for Earlier Debts")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('building', 'ASC'), ('month', 'ASC'), ('id', 'ASC')]

    def get_rate(self, name):
        if not self.accrued:
            return None
        return (self.paid * 100 / self.accrued).quantize(Decimal('0.1'))

    @classmethod
    def table_query(cls):
        pool = Pool()
        account = pool.get('housing.account').__table__()
        premises = pool.get('housing.premises').__table__()
        allocation = pool.get('housing.payment.allocation').__table__()
        payment = pool.get('housing.payment').__table__()
        company = cls.report_company()
        period_from, period_to = cls.report_periods()
        date_to = cls.report_dates()[1]
        months = months_query(period_from, period_to)
        ev = events(company, date_to)
        base = ev.select(
            ev.account, ev.date,
            Case((ev.src.in_(('charge',) + RECALCULATION), ev.amount),
                else_=Literal(0)).as_('accrued'),
            Case((ev.src.in_(PAID), -ev.amount), else_=Literal(0)
                ).as_('paid'),
            Literal(None).as_('period'), Literal(0).as_('allocated'))
        allocated = allocation.join(payment,
            condition=allocation.payment == payment.id).select(
            allocation.account, payment.date.as_('date'),
            Literal(0).as_('accrued'), Literal(0).as_('paid'),
            allocation.period, allocation.amount.as_('allocated'),
            where=(payment.state == 'posted') & (payment.company == company)
            & (allocation.kind == 'debt'))
        rows = Union(base, allocated, all_=True)
        past = Case(
            (rows.period < months.previous, rows.allocated),
            else_=Literal(0))
        sub = rows.join(account, condition=rows.account == account.id
            ).join(premises, condition=account.premises == premises.id
            ).join(months, condition=(rows.date >= months.start)
                & (rows.date <= months.end)
            ).select(
                premises.building.as_('building'), months.idx,
                Min(months.start).as_('month'),
                Sum(rows.accrued).as_('accrued'), Sum(rows.paid).as_('paid'),
                Sum(past).as_('past'),
                where=cls.account_filter(account, premises),
                group_by=[premises.building, months.idx])
        return sub.select(
            wide_id(sub.building, 100000, sub.idx).as_('id'),
            sub.building, sub.month, sub.accrued, sub.paid,
            (sub.paid - sub.past).as_('paid_current'),
            sub.past.as_('paid_past'))


class AccountStatement(ReportReadMixin, ModelSQL, ModelView):
    """B8 Account Statement

    One row per personal account and month: the balance of its ledger
    lines before the month, the month's charges by kind and its payments."""
    __name__ = 'housing.report.account_statement'
    __string__ = "Account Statement"

    account = fields.Many2One(
        'housing.account', "Personal Account", readonly=True)
    month = fields.Date("Month", readonly=True)
    opening = _money("Opening Balance")
    accrued = _money("Accrued")
    recalculated = _money("Recalculated")
    penalty = _money("Penalty Charged")
    paid = _money("Paid")
    penalty_paid = _money("Penalty Paid")
    closing = _money("Closing Balance")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('account', 'ASC'), ('month', 'ASC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        pool = Pool()
        account = pool.get('housing.account').__table__()
        premises = pool.get('housing.premises').__table__()
        company = cls.report_company()
        period_from, period_to = cls.report_periods()
        date_to = cls.report_dates()[1]
        months = months_query(period_from, period_to)
        ev = events(company, date_to)
        this_month = ev.date >= months.start
        zero = Literal(0)

        def total(condition, sign=1):
            return Sum(Case((condition, ev.amount * sign), else_=zero))
        sub = ev.join(months, condition=ev.date <= months.end
            ).join(account, condition=ev.account == account.id
            ).join(premises, condition=account.premises == premises.id
            ).select(
                account.id.as_('account'), months.idx,
                Min(months.start).as_('month'),
                total(ev.src.in_(LEDGER) & (ev.date < months.start)
                    ).as_('opening'),
                total((ev.src == 'charge') & this_month).as_('accrued'),
                total(ev.src.in_(RECALCULATION) & this_month
                    ).as_('recalculated'),
                total((ev.src == 'penalty') & this_month).as_('penalty'),
                total(ev.src.in_(PAID) & this_month, -1).as_('paid'),
                total((ev.src == 'other_penalty') & this_month, -1
                    ).as_('penalty_paid'),
                where=cls.account_filter(account, premises),
                group_by=[account.id, months.idx])
        return sub.select(
            wide_id(sub.account, 100000, sub.idx).as_('id'),
            sub.account, sub.month, sub.opening, sub.accrued,
            sub.recalculated, sub.penalty, sub.paid, sub.penalty_paid,
            (sub.opening + sub.accrued + sub.recalculated + sub.penalty
                - sub.paid).as_('closing'))


__all__ = ['DebtContext', 'TurnoverAccount', 'TurnoverBuildingService',
    'PaymentRegister', 'PaymentChannel', 'DebtAgeing', 'Debtor',
    'CollectionRate', 'AccountStatement']


class ReconciliationAct(ReportReadMixin, ModelSQL, ModelView):
    """B9 Reconciliation Act with an Owner

    The balance before the period, then every posted ledger line of the
    personal account in date order with the running balance."""
    __name__ = 'housing.report.reconciliation_act'
    __string__ = "Reconciliation Act"

    account = fields.Many2One(
        'housing.account', "Personal Account", readonly=True)
    date = fields.Date("Date", readonly=True)
    kind = fields.Selection([
            ('opening', "Opening Balance"),
            ('accrual', "Accrual"),
            ('penalty', "Penalty"),
            ('payment', "Payment"),
            ], "Document", readonly=True)
    move = fields.Many2One('account.move', "Move", readonly=True)
    debit = _money("Debit")
    credit = _money("Credit")
    balance = _money("Balance")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('account', 'ASC'), ('date', 'ASC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        pool = Pool()
        line = pool.get('account.move.line').__table__()
        move = pool.get('account.move').__table__()
        account = pool.get('housing.account').__table__()
        premises = pool.get('housing.premises').__table__()
        company = cls.report_company()
        date_from, date_to = cls.report_dates()
        zero = Literal(0)
        is_run = Like(Coalesce(move.origin, ''), 'housing.accrual.run,%')
        is_penalty = line.account.in_(penalty_account_ids(company))
        posted = ((move.company == company) & (move.state == 'posted')
            & (line.housing_account != Null))
        lines = line.join(move, condition=line.move == move.id)
        opening = lines.select(
            wide_id(line.housing_account, 2, 1).as_('id'),
            line.housing_account.as_('account'),
            # the balance at the end of the day before the period
            date_value(date_from - dt.timedelta(days=1)).as_('date'),
            Literal('opening').as_('kind'),
            Cast(Literal(None), 'INTEGER').as_('move'),
            Case((Sum(line.debit - line.credit) > 0,
                    Sum(line.debit - line.credit)), else_=zero).as_('debit'),
            Case((Sum(line.debit - line.credit) < 0,
                    Sum(line.credit - line.debit)), else_=zero
                ).as_('credit'),
            where=posted & (move.date < date_from),
            group_by=[line.housing_account])
        movements = lines.select(
            wide_id(line.id, 2, 2).as_('id'),
            line.housing_account.as_('account'), move.date,
            Case((is_run & is_penalty, 'penalty'), (is_run, 'accrual'),
                else_='payment').as_('kind'),
            move.id.as_('move'), line.debit, line.credit,
            where=posted & (move.date >= date_from) & (move.date <= date_to))
        rows = Union(opening, movements, all_=True)
        window = Window([rows.account],
            order_by=[rows.date.asc, rows.id.asc])
        return rows.join(account, condition=rows.account == account.id
            ).join(premises, condition=account.premises == premises.id
            ).select(
                rows.id, rows.account, rows.date, rows.kind, rows.move,
                rows.debit, rows.credit,
                Sum(rows.debit - rows.credit, window=window).as_('balance'),
                where=cls.account_filter(account, premises))
