# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""A registry's matched lines posted in bulk.

Each line becomes what posting a manual payment writes (housing_billing
payment.py): a posted housing.payment (channel 'registry') with its payer,
a line crediting the payer's receivable on the personal account, and its
allocation rows (the period named, else the oldest debt; the rest an
advance), then the split of the allocations over services. The receivable
lines of a building's payments of one day are one move, whose origin is
the building's chunk and which debits the bank account with their total,
as a bank statement credits a registry's money (and as an accrual run
writes a move per building): a move per payment would double the ledger's
lines and leave 100,000 moves to number. The rows are written with COPY
(MoveWriter, bulk.insert): posting 100,000 payments one by one through the
ORM would take hours. The money of the unmatched lines came to the bank all the
same: one move debits the bank account and credits the format's
unidentified receipts account (76.09) a line per registry line, and the
lines become 'suspense', which a later file cannot book again. The bank's
commission on all these lines is one move for the registry: the
commission account debited, the bank account credited.

The registry-wide moves (unidentified receipts, commission) are written by
the Post button (book_registry); the matched lines are posted building by
building (post_matched), each set of buildings a task of Tryton's queue,
so that several workers share a large file."""
from collections import defaultdict
from decimal import Decimal

from sql.aggregate import Count, Sum
from sql.conditionals import Coalesce
from trytond.i18n import gettext
from trytond.pool import Pool
from trytond.transaction import Transaction

from housing_billing.bulk import (
    allocate_ids,
    as_date,
    as_money,
    in_slices,
    insert,
    update_by_id,
    where_in,
)
from housing_billing.move_writer import LineSpec, MoveSpec, MoveWriter
from housing_billing.payment import (
    CHARGES,
    PENALTY_BASE,
    allocation_rows,
    open_penalties_of,
)
from housing_billing.penalty import penalty_receivable_by_base
from housing_billing.receivable import payers_at

from .exceptions import RegistryError
from .split import (
    Splitter,
    consume_advances,
    open_debts_of,
    write_allocations,
)

ZERO = Decimal('0.00')
PAYMENT_COLUMNS = [
    'id', 'company', 'account', 'party', 'date', 'amount', 'channel',
    'purpose', 'period', 'reference', 'state', 'move']


class RegistryPoster:

    def __init__(self, registry):
        self.registry = registry
        self.company = registry.company
        self.suspense_move = None

    def book_registry(self):
        """Book what concerns the registry as a whole: the unmatched lines'
        money as unidentified receipts (that move's id in suspense_move) and
        the bank's commission on every line it paid; return the id of the
        commission move (None without commission). The ledger set-up and
        the open periods of the matched lines are checked here, so that a
        file that cannot be posted is refused before anything is queued."""
        unmatched = self.unmatched_lines()
        dates, commission = self.matched_summary()
        if dates:
            self.configuration()
            self.periods(dates)
            self.penalty_receivables(self.matched_purposes())
        self.suspense_move = self.book_unmatched(unmatched)
        return self.commission_move(commission + sum(
                (line['commission'] for line in unmatched), ZERO))

    def post_matched(self, chunks):
        """Post the matched lines of the accounts in the buildings of
        chunks ({building id: chunk id}) as payments with their moves,
        allocations and split."""
        lines = self.matched_lines(list(chunks))
        if not lines:
            return
        accounts = sorted({line['account'] for line in lines})
        consume_advances(self.company, accounts)
        payers = self.payers(lines)
        payment_ids = allocate_ids(
            Pool().get('housing.payment')._table, len(lines))
        reference = self.registry.payment_order or self.registry.file_name
        penalty_receivables = self.penalty_receivables(lines)
        for line, payment_id in zip(lines, payment_ids):
            line['payment'] = payment_id
            line['reference'] = self.reference(line, reference)
            line['party'], line['receivable'] = payers[
                line['account'], line['date']]
            if line['purpose'] in PENALTY_BASE:
                line['receivable'] = penalty_receivables[
                    PENALTY_BASE[line['purpose']]]
        # Drafts: the registry posts them all once every building is done
        # (post_moves), so that the buildings' transactions need not wait
        # for one another on the period's move sequence.
        groups = self.by_building_and_date(lines)
        move_ids = MoveWriter().write(
            self.move_specs(groups, chunks), post=False)
        for group, move_id in zip(groups.values(), move_ids):
            for line in group:
                line['move'] = move_id
        self.write_payments(lines)
        charges = [line for line in lines if line['purpose'] == CHARGES]
        penalties = [line for line in lines if line['purpose'] != CHARGES]
        splitter = Splitter(self.company)
        splitter.write(self.allocate(charges))
        splitter.write(self.allocate_penalties(penalties), penalties=True)
        self.link_lines(lines)

    def unmatched_lines(self):
        "The unmatched lines: their money came to the bank all the same."
        line = Pool().get('housing.payment.registry.line').__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*line.select(
                line.id, line.number, line.reason, line.account_number,
                line.payer_name, line.date, line.amount, line.commission,
                where=(line.registry == self.registry.id)
                & (line.status == 'unmatched'),
                order_by=[line.number]))
        return [{
                'line': id_, 'line_number': number, 'reason': reason,
                'number': account_number or '', 'payer': payer or '',
                'date': as_date(date), 'amount': as_money(amount),
                'commission': as_money(commission) or ZERO,
                } for (id_, number, reason, account_number, payer, date,
                amount, commission) in cursor]

    def book_unmatched(self, lines):
        """One move of the registry's date: the bank account debited with
        the money of the unmatched lines, the unidentified receipts account
        credited line by line (each resolved on its own later); the lines
        marked as booked. Returns the move id (None without such lines)."""
        if not lines:
            return None
        pool = Pool()
        Line = pool.get('housing.payment.registry.line')
        suspense = self.registry.format.suspense_account
        if not suspense:
            raise RegistryError(gettext(
                    'housing_payment.msg_registry_no_suspense_account',
                    registry=self.registry.rec_name,
                    format=self.registry.format.rec_name,
                    count=len(lines)))
        reasons = dict(Line.fields_get(['reason'])['reason']['selection'])
        journal, bank = self.configuration()
        date = self.registry.date
        total = sum((line['amount'] for line in lines), ZERO)
        move_id, = MoveWriter().write([MoveSpec(
                    company=self.company.id, journal=journal,
                    period=self.periods([date])[date], date=date,
                    origin=str(self.registry),
                    description=gettext(
                        'housing_payment.msg_registry_suspense_move',
                        registry=self.registry.rec_name),
                    lines=(LineSpec(account=bank, debit=total),) + tuple(
                        LineSpec(account=suspense.id, credit=line['amount'],
                            description=gettext(
                                'housing_payment.msg_registry_suspense_line',
                                line=line['line_number'],
                                date=line['date'].strftime('%d.%m.%Y'),
                                account=line['number'],
                                payer=line['payer'],
                                reason=reasons.get(line['reason'], ''))
                            [:255])
                        for line in lines))])
        table = Line.__table__()
        cursor = Transaction().connection.cursor()
        for sub_ids in in_slices([line['line'] for line in lines]):
            cursor.execute(*table.update(
                    [table.status], ['suspense'],
                    where=where_in(table.id, sub_ids)))
        return move_id

    def matched_lines(self, buildings):
        pool = Pool()
        line = pool.get('housing.payment.registry.line').__table__()
        account = pool.get('housing.account').__table__()
        premises = pool.get('housing.premises').__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*line.join(
                account, condition=line.account == account.id).join(
                premises, condition=account.premises == premises.id).select(
                line.id, line.account, account.number, line.date,
                line.amount, line.period, line.operation, line.commission,
                line.number, premises.building, line.payment_purpose,
                where=(line.registry == self.registry.id)
                & (line.status == 'matched')
                & where_in(premises.building, buildings),
                order_by=[line.date, line.number]))
        return [{
                'line': id_, 'account': account_id, 'number': number,
                'date': as_date(date), 'amount': as_money(amount),
                'period': as_date(period), 'operation': operation,
                'commission': as_money(commission) or ZERO,
                'line_number': line_number, 'building': building,
                'purpose': purpose or CHARGES,
                } for (id_, account_id, number, date, amount, period,
                operation, commission, line_number, building, purpose)
            in cursor]

    def matched_summary(self):
        """The payment dates of the matched lines and the sum of their
        commission, read by the Post button (the lines themselves are read
        by building in the queue's tasks)."""
        line = Pool().get('housing.payment.registry.line').__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*line.select(
                line.date, Sum(Coalesce(line.commission, 0)),
                where=(line.registry == self.registry.id)
                & (line.status == 'matched'),
                group_by=[line.date]))
        dates, commission = set(), ZERO
        for date, amount in cursor:
            dates.add(as_date(date))
            commission += as_money(amount) or ZERO
        return dates, commission

    def matched_purposes(self):
        "The payment purposes of the matched lines, as the lines' dicts"
        line = Pool().get('housing.payment.registry.line').__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*line.select(
                line.payment_purpose,
                where=(line.registry == self.registry.id)
                & (line.status == 'matched'),
                group_by=[line.payment_purpose]))
        return [{'purpose': purpose} for purpose, in cursor]

    def matched_buildings(self):
        "[(building id, number of matched lines)] of the registry."
        pool = Pool()
        line = pool.get('housing.payment.registry.line').__table__()
        account = pool.get('housing.account').__table__()
        premises = pool.get('housing.premises').__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*line.join(
                account, condition=line.account == account.id).join(
                premises, condition=account.premises == premises.id).select(
                premises.building, Count(line.id),
                where=(line.registry == self.registry.id)
                & (line.status == 'matched'),
                group_by=[premises.building],
                order_by=[premises.building]))
        return list(cursor)

    def payers(self, lines):
        "{(account, date): (party, receivable account)}"
        by_date = defaultdict(set)
        for line in lines:
            by_date[line['date']].add(line['account'])
        result = {}
        for date, account_ids in by_date.items():
            for account, payer in payers_at(
                    account_ids, date, self.company.id).items():
                result[account, date] = payer
        return result

    def configuration(self):
        pool = Pool()
        Configuration = pool.get('housing.configuration')
        configuration = Configuration(1)
        journal = configuration.payment_journal
        bank = configuration.get_multivalue(
            'payment_bank_account', company=self.company.id)
        if not journal or not bank:
            raise RegistryError(gettext(
                    'housing_payment.msg_registry_no_ledger',
                    registry=self.registry.rec_name))
        return journal.id, bank.id

    def periods(self, dates):
        Period_ = Pool().get('account.period')
        return {date: Period_.find(self.company, date=date).id
            for date in dates}

    @staticmethod
    def by_building_and_date(lines):
        "{(building, date): [line]} in the order of the lines"
        groups = defaultdict(list)
        for line in lines:
            groups[line['building'], line['date']].append(line)
        return groups

    def move_specs(self, groups, chunks):
        """A move per building and date: the bank debited with the total,
        a receivable line per payment."""
        Building = Pool().get('housing.building')
        journal, bank = self.configuration()
        periods = self.periods({date for _, date in groups})
        buildings = {b.id: b.rec_name
            for b in Building.browse(sorted({b for b, _ in groups}))}
        # The messages read once (gettext without variables gives its
        # text), filled as gettext fills them.
        payment_text = gettext(
            'housing_billing.msg_payment_move_description')
        move_text = gettext('housing_payment.msg_registry_move_description')
        for (building, date), lines in groups.items():
            description = move_text % {
                'registry': self.registry.rec_name,
                'building': buildings[building]}
            yield MoveSpec(
                company=self.company.id, journal=journal,
                period=periods[date], date=date,
                origin='housing.payment.registry.chunk,%s' % chunks[building],
                description=description,
                lines=(LineSpec(account=bank,
                        debit=sum((line['amount'] for line in lines), ZERO),
                        description=description),) + tuple(
                    LineSpec(account=line['receivable'],
                        credit=line['amount'], party=line['party'],
                        housing_account=line['account'],
                        description=payment_text % {
                            'account': line['number'],
                            'reference': line['reference']})
                    for line in lines))

    @staticmethod
    def reference(line, registry_reference):
        return '%s/%s' % (registry_reference or '',
            line['operation'] or line['line_number'])

    def penalty_receivables(self, lines):
        "{penalty base: receivable account id} the lines need"
        bases = {PENALTY_BASE[line['purpose']] for line in lines
            if line['purpose'] in PENALTY_BASE}
        if not bases:
            return {}
        receivables = penalty_receivable_by_base(self.company.id)
        for base in bases:
            if not receivables[base]:
                raise RegistryError(gettext(
                        'housing_billing.msg_penalty_no_receivable',
                        company=self.company.rec_name))
        return receivables

    def write_payments(self, lines):
        Payment = Pool().get('housing.payment')
        insert(Payment._table, PAYMENT_COLUMNS, (
                (line['payment'], self.company.id, line['account'],
                    line['party'], line['date'], line['amount'],
                    'registry', line['purpose'], line['period'],
                    line['reference'][:255], 'posted', line['move'])
                for line in lines))

    def allocate_penalties(self, lines):
        """Allocation rows of the payments of penalties, as
        payment.allocation_rows writes them: the penalties of their base
        by period, the rest without period. Returns the rows."""
        rows = []
        by_base = defaultdict(lambda: defaultdict(list))
        for line in lines:
            by_base[PENALTY_BASE[line['purpose']]][line['account']].append(
                line)
        for base, by_account in sorted(by_base.items()):
            debts = open_penalties_of(self.company, sorted(by_account), base)
            for account, payments in sorted(by_account.items()):
                rows.extend(allocation_rows(
                        account, payments, debts.get(account, {})))
        write_allocations(rows, 'penalty')
        return rows

    def allocate(self, lines):
        """Allocation rows of the payments, as payment.allocation_rows
        writes them: debts by period, the rest an advance. Returns the
        debt rows."""
        by_account = defaultdict(list)
        for line in lines:
            by_account[line['account']].append(line)
        debts = open_debts_of(self.company, sorted(by_account))
        rows = []
        for account, payments in sorted(by_account.items()):
            rows.extend(allocation_rows(
                    account, payments, debts.get(account, {})))
        debt_rows = [row for row in rows if row['period']]
        write_allocations(debt_rows, 'debt')
        write_allocations([row for row in rows if not row['period']],
            'advance')
        return debt_rows

    def link_lines(self, lines):
        "The lines posted, each with its payment."
        table = Pool().get('housing.payment.registry.line')._table
        update_by_id(table, ['payment', 'status'], (
                (line['line'], line['payment'], 'posted') for line in lines))

    def post_moves(self):
        "Post the moves of the registry's payments, written as drafts."
        pool = Pool()
        line = pool.get('housing.payment.registry.line').__table__()
        payment = pool.get('housing.payment').__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*line.join(
                payment, condition=line.payment == payment.id).select(
                payment.move, where=line.registry == self.registry.id))
        MoveWriter().post(sorted({move for move, in cursor if move}))

    def commission_move(self, commission):
        """One move for the bank's commission (on the lines posted and
        those booked as unidentified receipts)."""
        if not commission:
            return None
        expense = self.registry.format.commission_account
        if not expense:
            raise RegistryError(gettext(
                    'housing_payment.msg_registry_no_commission_account',
                    registry=self.registry.rec_name,
                    format=self.registry.format.rec_name))
        journal, bank = self.configuration()
        date = self.registry.date
        move_id, = MoveWriter().write([MoveSpec(
                    company=self.company.id, journal=journal,
                    period=self.periods([date])[date], date=date,
                    origin=str(self.registry),
                    description=gettext(
                        'housing_payment.msg_registry_commission_move',
                        registry=self.registry.rec_name),
                    lines=(
                        LineSpec(account=expense.id, debit=commission),
                        LineSpec(account=bank, credit=commission),
                        ))])
        return move_id
