# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""Splitting (расщепление) of payments over services and suppliers.

Domain spec §4.5 point 4: the part of a payment allocated to a billing
period is split over the services charged in that period in proportion to
what each service still has outstanding; the kopecks are rounded by the
largest remainder (ties by service id), so the parts add up exactly to the
allocation. Should the services owe less than the allocation (payments
made before splitting existed), the rest is shared in proportion to the
period's charges by the same rule. Each part belongs to the service's
supplier (agent services) or else to the company.

The same file consumes advances: what an earlier payment left as an
advance pays the debts charged later, oldest first."""
from collections import defaultdict
from decimal import Decimal

from sql import Null
from sql.aggregate import Sum
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.tools import grouped_slice
from trytond.transaction import Transaction, without_check_access

from housing_billing.bulk import (
    allocate_ids,
    as_date,
    as_money,
    in_slices,
    insert,
    missing_references,
    where_in,
)
from housing_billing.engine.allocation import Debt, allocate, split_by_services
from housing_billing.engine.allocation import Payment as EnginePayment
from housing_billing.engine.periods import Period
from housing_billing.engine.rounding import distribute
from housing_billing.payment import PENALTY_BASE, allocated_by_period
from housing_billing.penalty import penalty_services, posted_debts

from .exceptions import SplitError

MONEY = (16, 2)
ZERO = Decimal('0.00')


def split_amount(amount, owed, charged):
    """{service: part} of amount: proportional to owed (largest remainder),
    the rest (when amount exceeds what is owed) proportional to charged.
    The parts add up to amount exactly.

    >>> r = split_amount(Decimal('100.00'), {1: Decimal('200.00'),
    ...     2: Decimal('100.00')}, {})
    >>> r[1], r[2]
    (Decimal('66.67'), Decimal('33.33'))
    >>> r = split_amount(Decimal('10.00'), {1: Decimal('4.00')},
    ...     {1: Decimal('50.00'), 2: Decimal('50.00')})
    >>> r[1], r[2]
    (Decimal('7.00'), Decimal('3.00'))
    """
    parts = split_by_services(amount, owed)
    rest = parts.pop(None)
    parts = {k: v for k, v in parts.items() if v}
    if rest:
        weights = {k: v for k, v in charged.items() if v > 0}
        if not weights:
            parts[None] = parts.get(None, ZERO) + rest
        else:
            for key, value in distribute(rest, weights, tie_order=str
                    ).items():
                if value:
                    parts[key] = parts.get(key, ZERO) + value
    return parts


class Splitter:
    """Splits allocation rows of many accounts with a few queries: the
    charges by service of the periods concerned, and the parts split
    before, read in bulk."""

    def __init__(self, company):
        self.company = company
        self.suppliers = {}

    def rows(self, allocations):
        """The split rows of allocations: dicts with 'id' (the allocation),
        'payment', 'account', 'period', 'amount', 'date'.

        What the rows need is read here; the rows themselves are made by
        the iterator returned, without a query, as the COPY that takes
        them reads them."""
        allocations = sorted(
            (a for a in allocations if a['period']), key=lambda a: a['id'])
        keys = {(a['account'], a['period']) for a in allocations}
        charged = self.charged(keys)
        split = self.split_before(keys)
        owed = {key: {s: amount - split.get(key, {}).get(s, ZERO)
                for s, amount in by_service.items()}
            for key, by_service in charged.items()}
        self.read_suppliers({s for c in charged.values() for s in c})
        return self.make_rows(allocations, charged, owed)

    def make_rows(self, allocations, charged, owed):
        supplier = self.suppliers.__getitem__
        for allocation in allocations:
            key = allocation['account'], allocation['period']
            left = owed.setdefault(key, {})
            parts = split_amount(
                allocation['amount'], left, charged.get(key, {}))
            for service, part in sorted(
                    parts.items(), key=lambda i: str(i[0])):
                if service is not None:
                    left[service] = left.get(service, ZERO) - part
                yield (
                    allocation['payment'], allocation['id'],
                    allocation['account'], allocation['period'],
                    allocation['date'], service, supplier(service), part)

    def charged(self, keys):
        "{(account, period): {service: principal}} of posted runs."
        pool = Pool()
        charge = pool.get('housing.charge').__table__()
        run = pool.get('housing.accrual.run').__table__()
        return self.by_service(keys, lambda accounts, periods: charge.join(
                run, condition=charge.run == run.id).select(
                charge.account, charge.period, charge.service,
                Sum(charge.amount),
                where=(run.state == 'posted')
                & (run.company == self.company.id)
                & (charge.kind != 'penalty')
                & where_in(charge.account, accounts)
                & where_in(charge.period, periods),
                group_by=[charge.account, charge.period, charge.service]))

    def split_before(self, keys):
        "{(account, period): {service: amount}} split before."
        split = Pool().get('housing.payment.split').__table__()
        return self.by_service(keys, lambda accounts, periods: split.select(
                split.account, split.period, split.service,
                Sum(split.amount),
                where=where_in(split.account, accounts)
                & where_in(split.period, periods)
                & (split.service != Null),
                group_by=[split.account, split.period, split.service]))

    @staticmethod
    def by_service(keys, query):
        result = defaultdict(dict)
        cursor = Transaction().connection.cursor()
        by_periods = defaultdict(set)
        for account, period in keys:
            by_periods[account].add(period)
        accounts = sorted(by_periods)
        for sub_ids in in_slices(accounts):
            periods = sorted({p for a in sub_ids for p in by_periods[a]})
            cursor.execute(*query(sub_ids, periods))
            for account, period, service, amount in cursor:
                key = account, as_date(period)
                if key in keys:
                    result[key][service] = as_money(amount)
        return result

    def read_suppliers(self, services):
        """The party each service's money is due to: the supplier of an
        agent service, else the company (also for None, the rest)."""
        Service = Pool().get('housing.service')
        party = self.company.party.id
        self.suppliers.setdefault(None, party)
        for service in Service.browse(sorted(
                    s for s in services if s not in self.suppliers)):
            self.suppliers[service.id] = (
                service.supplier.id
                if service.kind == 'agent' and service.supplier else party)

    def penalty_rows(self, allocations):
        """The split rows of penalty allocations (dicts as rows takes, with
        the payment's 'purpose'): each whole to its base's penalty
        service; what paid no penalty charged belongs to the month of the
        payment."""
        services = {base: service.id if service else None
            for base, service in penalty_services(self.company).items()}
        self.read_suppliers(set(services.values()))
        supplier = self.suppliers.__getitem__
        for allocation in sorted(allocations, key=lambda a: a['id']):
            service = services.get(PENALTY_BASE[allocation['purpose']])
            yield (
                allocation['payment'], allocation['id'],
                allocation['account'],
                allocation['period'] or Period.of(allocation['date']).start,
                allocation['date'], service, supplier(service),
                allocation['amount'])

    def write(self, allocations, penalties=False):
        """Split allocations (of penalties if penalties) and insert the
        rows; return how many."""
        pool = Pool()
        Split = pool.get('housing.payment.split')
        if penalties:
            rows = list(self.penalty_rows(allocations))
        else:
            rows = self.rows(allocations)
        missing = missing_references(Split, {
                'payment': [a['payment'] for a in allocations],
                'allocation': [a['id'] for a in allocations],
                'account': [a['account'] for a in allocations],
                'service': list(self.suppliers),
                'supplier': list(self.suppliers.values()),
                })
        for model, ids in missing.items():
            raise SplitError(gettext(
                    'housing_payment.msg_split_missing_reference',
                    model=pool.get(model).__names__()['model'],
                    ids=', '.join(map(str, ids[:10]))))
        return insert(Split._table, SPLIT_COLUMNS, rows, stream=True)


SPLIT_COLUMNS = [
    'payment', 'allocation', 'account', 'period', 'date', 'service',
    'supplier', 'amount']


def posted_allocation_rows(payment_ids, kind='debt'):
    """The allocations of kind of payments, as Splitter.rows takes them,
    with the payment's purpose."""
    pool = Pool()
    allocation = pool.get('housing.payment.allocation').__table__()
    payment = pool.get('housing.payment').__table__()
    cursor = Transaction().connection.cursor()
    rows = []
    for sub_ids in in_slices(payment_ids):
        cursor.execute(*allocation.join(
                payment, condition=allocation.payment == payment.id).select(
                allocation.id, allocation.payment, allocation.account,
                allocation.period, allocation.amount, payment.date,
                payment.purpose,
                where=where_in(allocation.payment, sub_ids)
                & (allocation.kind == kind)))
        for (id_, payment_id, account, period, amount, date,
                purpose) in cursor:
            rows.append({
                    'id': id_, 'payment': payment_id, 'account': account,
                    'period': as_date(period), 'amount': as_money(amount),
                    'date': as_date(date), 'purpose': purpose})
    return rows


def consume_advances(company, account_ids):
    """Apply the advances of posted payments to the debts charged since,
    oldest debt first: the advance row of a payment shrinks and a debt row
    of the same payment takes its place (each payment's rows still add up
    to its amount); the new debt rows are split. Returns how many debt
    rows were written."""
    advances = advances_left(company, account_ids)
    if not advances:
        return 0
    debts = open_debts_of(company, sorted(advances))
    created, changed = [], {}
    for account, rows in sorted(advances.items()):
        open_ = [Debt(Period.of(p), a) for p, a in sorted(
                debts.get(account, {}).items()) if a > 0]
        if not open_:
            continue
        by_row = {str(row[0]): row for row in rows}
        result = allocate([EnginePayment(date, amount, None, str(row_id))
                for row_id, _, date, amount in rows], open_)
        for application in result.applications:
            row_id, payment_id, date, amount = by_row[
                application.payment.reference]
            changed[row_id] = changed.get(row_id, amount) - (
                application.amount)
            created.append({
                    'payment': payment_id, 'account': account,
                    'period': application.period.start,
                    'amount': application.amount, 'date': date})
    if not created:
        return 0
    shrink_advances(changed)
    write_allocations(created, 'debt')
    Splitter(company).write(created)
    return len(created)


def shrink_advances(amounts):
    "Set the advance rows to what is left of them; delete the spent ones."
    table = Pool().get('housing.payment.allocation').__table__()
    cursor = Transaction().connection.cursor()
    spent = [row_id for row_id, amount in amounts.items() if not amount]
    for row_id, amount in sorted(amounts.items()):
        if amount:
            cursor.execute(*table.update(
                    [table.amount], [amount], where=table.id == row_id))
    for sub_ids in grouped_slice(spent, 1000):
        cursor.execute(*table.delete(where=table.id.in_(list(sub_ids))))


def write_allocations(rows, kind):
    """Insert allocation rows (dicts with 'payment', 'account', 'period',
    'amount') of kind as Allocation.create would; their ids go into the
    dicts under 'id'."""
    Allocation = Pool().get('housing.payment.allocation')
    ids = allocate_ids(Allocation._table, len(rows))
    for row, id_ in zip(rows, ids):
        row['id'] = id_
    insert(Allocation._table,
        ['id', 'payment', 'account', 'kind', 'period', 'amount'],
        ((r['id'], r['payment'], r['account'], kind, r['period'],
                r['amount']) for r in rows))


def open_debts_of(company, account_ids):
    """{account: {period start: outstanding}}: as payment.open_debts, for
    many accounts with a few queries."""
    charged = posted_debts(company, account_ids, Period(9999, 12).start)
    paid = allocated_by_period(account_ids)
    return {account: {period: amount - paid.get(account, {}).get(
                    period, ZERO) for period, amount in debts.items()}
        for account, debts in charged.items()}


def advances_left(company, account_ids):
    """{account: [(allocation id, payment id, date, amount)]}: the advance
    rows of posted payments, oldest payment first."""
    pool = Pool()
    allocation = pool.get('housing.payment.allocation').__table__()
    payment = pool.get('housing.payment').__table__()
    cursor = Transaction().connection.cursor()
    result = defaultdict(list)
    for sub_ids in in_slices(account_ids):
        cursor.execute(*allocation.join(
                payment, condition=allocation.payment == payment.id).select(
                allocation.account, allocation.id, payment.id, payment.date,
                allocation.amount,
                where=(payment.state == 'posted')
                & (payment.company == company.id)
                & (allocation.kind == 'advance')
                & (allocation.amount > 0)
                & where_in(allocation.account, sub_ids),
                order_by=[payment.date, payment.id]))
        for account, row_id, payment_id, date, amount in cursor:
            result[account].append(
                (row_id, payment_id, as_date(date), as_money(amount)))
    return result


class Split(ModelSQL, ModelView):
    __name__ = 'housing.payment.split'
    __string__ = "Payment Split"
    _bulk_references = {
        'payment': 'housing.payment',
        'allocation': 'housing.payment.allocation',
        'account': 'housing.account',
        'service': 'housing.service',
        'supplier': 'party.party',
        }

    payment = fields.Many2One(
        'housing.payment', "Payment", required=True, readonly=True,
        ondelete='CASCADE')
    allocation = fields.Many2One(
        'housing.payment.allocation', "Allocation", readonly=True,
        ondelete='CASCADE')
    account = fields.Many2One(
        'housing.account', "Personal Account", required=True,
        readonly=True, ondelete='RESTRICT')
    period = fields.Date(
        "Period", required=True, readonly=True,
        help="The billing month the part paid.")
    date = fields.Date(
        "Payment Date", required=True, readonly=True,
        help="The day the payer paid.")
    service = fields.Many2One(
        'housing.service', "Service", readonly=True, ondelete='RESTRICT')
    supplier = fields.Many2One(
        'party.party', "Supplier", required=True, readonly=True,
        ondelete='RESTRICT',
        help="The party the part is due to: the supplier of an agent "
        "service, else the company.")
    amount = fields.Numeric(
        "Amount", digits=MONEY, required=True, readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.payment, Index.Equality())),
                Index(t, (t.allocation, Index.Equality())),
                Index(t, (t.account, Index.Equality()),
                    (t.period, Index.Range())),
                Index(t, (t.date, Index.Range())),
                })
        cls._order = [('date', 'DESC'), ('id', 'ASC')]

    @classmethod
    def __register__(cls, module):
        super().__register__(module)
        # A registry of 100,000 payments writes about 900,000 parts: the
        # foreign keys would check each (five lookups and locks a row, most
        # of the posting's time). Splitter.write checks and locks the rows
        # referenced once per table instead; Tryton's delete enforces the
        # ondelete rules whatever the database has.
        table_h = cls.__table_handler__(module)
        for column in cls._bulk_references:
            table_h.drop_fk(column)


class Payment(metaclass=PoolMeta):
    __name__ = 'housing.payment'

    splits = fields.One2Many(
        'housing.payment.split', 'payment', "Splits", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        selection = ('registry', "Bank Registry")
        if selection not in cls.channel.selection:
            cls.channel.selection.append(selection)

    @classmethod
    def copy(cls, payments, default=None):
        default = dict(default or {})
        default.setdefault('splits')
        return super().copy(payments, default=default)

    def debit_account(self):
        "A registry's money comes to the bank account."
        if self.channel == 'registry':
            channel = self.channel
            try:
                self.channel = 'bank'
                return super().debit_account()
            finally:
                self.channel = channel
        return super().debit_account()

    @classmethod
    def post(cls, payments):
        drafts = [p for p in payments if p.state == 'draft']
        by_company = defaultdict(set)
        for payment in drafts:
            by_company[payment.company].add(payment.account.id)
        with without_check_access():
            for company, account_ids in by_company.items():
                consume_advances(company, sorted(account_ids))
        super().post(payments)
        with without_check_access():
            for company in by_company:
                ids = [p.id for p in drafts if p.company == company]
                splitter = Splitter(company)
                splitter.write(posted_allocation_rows(ids))
                splitter.write(
                    posted_allocation_rows(ids, 'penalty'), penalties=True)


class Allocation(metaclass=PoolMeta):
    __name__ = 'housing.payment.allocation'

    @classmethod
    def service_parts(cls, ids):
        "The split rows of the allocations, by service."
        result = super().service_parts(ids)
        split = Pool().get('housing.payment.split').__table__()
        cursor = Transaction().connection.cursor()
        for sub_ids in in_slices(ids):
            cursor.execute(*split.select(
                    split.allocation, split.service, Sum(split.amount),
                    where=where_in(split.allocation, sub_ids),
                    group_by=[split.allocation, split.service]))
            for allocation, service, amount in cursor:
                parts = result.setdefault(allocation, {})
                parts[service] = parts.get(service, ZERO) + as_money(amount)
        return result


class Run(metaclass=PoolMeta):
    __name__ = 'housing.accrual.run'

    @classmethod
    def finish_posting(cls, runs):
        super().finish_posting(runs)
        with without_check_access():
            for run in runs:
                consume_advances(run.company, run.charged_account_ids())
