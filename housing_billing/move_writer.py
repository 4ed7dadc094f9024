# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""Posted moves written in bulk.

account.move's create and post cost a few queries per move and line: a
month of a city (100,000 receivable lines) would take hours. MoveWriter
writes the rows Tryton's create and post would write (state posted, number
from the period's sequence, post date, lines valid) with COPY or multi-row
INSERT, then checks Tryton's invariants with SQL in the same transaction:
a failure raises and the transaction is rolled back.

The moves can also be written as drafts and posted later in bulk (post),
so that the transactions that write them in parallel do not wait for one
another on the period's strict sequence: only the posting draws numbers."""
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from sql import Literal, Null
from sql.aggregate import Count, Sum
from sql.conditionals import Coalesce
from trytond.i18n import gettext
from trytond.model import fields
from trytond.pool import Pool
from trytond.transaction import Transaction

from . import bulk
from .bulk import as_money
from .exceptions import MoveWriterError

CENT = Decimal('0.01')


@dataclass(frozen=True)
class LineSpec:
    "A move line: ids of its account, party and personal account"
    account: int
    debit: Decimal = Decimal(0)
    credit: Decimal = Decimal(0)
    party: int | None = None
    housing_account: int | None = None
    description: str | None = None


@dataclass(frozen=True)
class MoveSpec:
    """A move to post: ids of its company, journal and period; origin 'm,id'.

    lines are read once, while the COPY writes them: a generator may make
    them then, without a query."""
    company: int
    journal: int
    period: int
    date: dt.date
    lines: Iterable
    origin: str | None = None
    description: str | None = None


# Posting writes the move (state, number, post date): write_uid and
# write_date are set as well.
MOVE_COLUMNS = [
    'id', 'company', 'journal', 'period', 'date', 'post_date', 'number',
    'origin', 'description', 'state', 'write_uid', 'write_date']
LINE_COLUMNS = [
    'move', 'account', 'debit', 'credit', 'party', 'housing_account',
    'description', 'state']


class MoveWriter:
    """Writes posted moves in bulk in the current transaction.

    post_date is the date the moves are posted on, as account.move.post
    sets it (default: today for the company)."""

    def __init__(self, post_date=None):
        self.post_date = post_date

    def write(self, specs, post=True):
        """Write the MoveSpecs posted (else draft, without number); return
        the ids of their moves."""
        specs = list(specs)
        if not specs:
            return []
        self.check_periods(specs)
        pool = Pool()
        Move = pool.get('account.move')
        Line = pool.get('account.move.line')
        ids = bulk.allocate_ids(Move._table, len(specs))
        if post:
            numbers = self.numbers(specs)
            post_dates = {company: self.post_date_of(company)
                for company in {spec.company for spec in specs}}
        else:
            numbers = [None] * len(specs)
            post_dates = defaultdict(lambda: None)
        state = 'posted' if post else 'draft'
        written = (Transaction().user, bulk.now())
        # The rows are made from the specs alone: streamed into the COPY.
        bulk.insert(Move._table, MOVE_COLUMNS, (
                self.move_row(
                    move_id, spec, number, post_dates[spec.company], state)
                + written
                for move_id, spec, number in zip(ids, specs, numbers)),
            stream=True)
        errors = []
        bulk.insert(Line._table, LINE_COLUMNS,
            self.line_rows(ids, specs, errors), stream=True)
        if errors:
            # Nothing of the moves is kept, as if they had been refused
            # before the COPY (the lines go with their moves).
            self.delete(ids)
            message, values = errors[0]
            raise MoveWriterError(gettext(message, **values))
        self.clear_cache()
        self.check_moves(ids)
        return ids

    @staticmethod
    def delete(move_ids):
        "Delete the moves of move_ids and their lines."
        pool = Pool()
        move = pool.get('account.move').__table__()
        line = pool.get('account.move.line').__table__()
        cursor = Transaction().connection.cursor()
        for sub_ids in bulk.in_slices(move_ids):
            cursor.execute(*line.delete(
                    where=bulk.where_in(line.move, sub_ids)))
            cursor.execute(*move.delete(
                    where=bulk.where_in(move.id, sub_ids)))

    def line_rows(self, move_ids, specs, errors):
        """The rows of the specs' lines, checked as they come (no query
        while the COPY runs): the first error is put in errors and ends
        the rows."""
        for move_id, spec in zip(move_ids, specs):
            empty = True
            for line in spec.lines:
                error = self.line_error(spec, line)
                if error:
                    errors.append(error)
                    return
                empty = False
                yield self.line_row(move_id, line)
            if empty:
                errors.append(('housing_billing.msg_move_writer_empty', {
                            'move': spec.description or spec.origin or ''}))
                return

    def post(self, move_ids):
        """Post the draft moves of move_ids as account.move's post does:
        their periods open, numbers drawn in the order of move_ids, the
        post date."""
        Move = Pool().get('account.move')
        move = Move.__table__()
        cursor = Transaction().connection.cursor()
        order = {}
        for move_id in move_ids:
            order.setdefault(move_id, len(order))
        moves = []
        for sub_ids in bulk.in_slices(sorted(order)):
            cursor.execute(*move.select(
                    move.id, move.company, move.journal, move.period,
                    move.date,
                    where=bulk.where_in(move.id, sub_ids)
                    & (move.state == 'draft')))
            moves.extend(cursor)
        moves.sort(key=lambda m: order[m[0]])
        specs = [MoveSpec(company=company, journal=journal, period=period,
                date=bulk.as_date(date), lines=())
            for _, company, journal, period, date in moves]
        self.check_periods(specs)
        post_dates = {company: self.post_date_of(company)
            for company in {spec.company for spec in specs}}
        bulk.update_by_id(Move._table, ['state', 'number', 'post_date'], (
                (move_id, 'posted', number, post_dates[spec.company])
                for (move_id, *_), spec, number in zip(
                    moves, specs, self.numbers(specs))))
        self.clear_cache()

    @staticmethod
    def move_row(move_id, spec, number, post_date, state):
        return (
            move_id, spec.company, spec.journal, spec.period, spec.date,
            post_date, number, spec.origin, spec.description, state)

    @staticmethod
    def line_row(move_id, line):
        return (
            move_id, line.account, line.debit, line.credit, line.party,
            line.housing_account, line.description, 'valid')

    def post_date_of(self, company):
        if self.post_date:
            return self.post_date
        Date = Pool().get('ir.date')
        with Transaction().set_context(company=company):
            return Date.today()

    @staticmethod
    def line_error(spec, line):
        """(message id, values) when the line's amounts are not kopecks on
        one side, else None."""
        amounts = (line.debit, line.credit)
        if (any(a < 0 or a != a.quantize(CENT) for a in amounts)
                or (line.debit and line.credit)
                or not (line.debit or line.credit)):
            return ('housing_billing.msg_move_writer_line_amounts', {
                    'move': spec.description or spec.origin or '',
                    'debit': line.debit, 'credit': line.credit})

    @staticmethod
    def check_periods(specs):
        """As account.move.line's create does: the period open and the date
        inside it, the journal's period open (created when missing)."""
        pool = Pool()
        Period = pool.get('account.period')
        Journal = pool.get('account.journal')
        Line = pool.get('account.move.line')
        # Each period and journal once: the specs of a month share them.
        dates = defaultdict(set)
        journals = defaultdict(set)
        for spec in specs:
            dates[spec.period].add(spec.date)
            journals[spec.period].add(spec.journal)
        for period_id, period_dates in dates.items():
            period = Period(period_id)
            for date in (min(period_dates), max(period_dates)):
                if period.state != 'open' or not (
                        period.start_date <= date <= period.end_date):
                    raise MoveWriterError(gettext(
                            'housing_billing.msg_move_writer_period',
                            period=period.rec_name, date=date.isoformat()))
            for journal in sorted(journals[period_id]):
                Line.check_journal_period_modify(period, Journal(journal))

    @staticmethod
    def numbers(specs):
        "The post numbers, from the period's sequence as post draws them."
        Period = Pool().get('account.period')
        by_period = defaultdict(list)
        for i, spec in enumerate(specs):
            by_period[spec.period].append(i)
        by_sequence = defaultdict(list)
        for period, indexes in by_period.items():
            by_sequence[Period(period).move_sequence_used].extend(indexes)
        numbers = [None] * len(specs)
        for sequence, indexes in by_sequence.items():
            indexes.sort()
            for i, number in zip(
                    indexes, sequence.get_many(len(indexes))):
                numbers[i] = number
        return numbers

    @staticmethod
    def clear_cache():
        "The ORM must read the new rows, as after validate_move."
        transaction = Transaction()
        transaction.counter += 1
        for cache in transaction.cache.values():
            for name in ['account.move', 'account.move.line']:
                if name in cache:
                    cache[name].clear()

    def check_moves(self, move_ids):
        "Tryton's invariants over the new moves, with SQL."
        for sub_ids in bulk.in_slices(move_ids):
            self.check_balanced(sub_ids)
            self.check_accounts(sub_ids)
            self.check_receivables(sub_ids)

    def check_balanced(self, move_ids):
        pool = Pool()
        Move = pool.get('account.move')
        line = pool.get('account.move.line').__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*line.select(
                line.move, Sum(line.debit), Sum(line.credit),
                where=fields.SQL_OPERATORS['in'](line.move, move_ids),
                group_by=[line.move]))
        for move_id, debit, credit in cursor:
            if as_money(debit) != as_money(credit):
                raise MoveWriterError(gettext(
                        'housing_billing.msg_move_writer_unbalanced',
                        move=Move(move_id).rec_name, debit=as_money(debit),
                        credit=as_money(credit)))

    def check_accounts(self, move_ids):
        """As check_account of account.move.line: an account with a type,
        not closed, and a party exactly where the account requires one."""
        pool = Pool()
        Account = pool.get('account.account')
        Line = pool.get('account.move.line')
        line = Line.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*line.select(
                line.account,
                Count(line.id, filter_=line.party == Null),
                Count(line.id, filter_=line.party != Null),
                where=fields.SQL_OPERATORS['in'](line.move, move_ids),
                group_by=[line.account]))
        for account_id, without, with_party in cursor.fetchall():
            account = Account(account_id)
            if not account.type or account.closed:
                raise MoveWriterError(gettext(
                        'account.msg_line_closed_account',
                        account=account.rec_name))
            if (without if account.party_required else with_party):
                raise MoveWriterError(gettext(
                        'housing_billing.msg_move_writer_party',
                        account=account.rec_name,
                        count=without or with_party))

    def check_receivables(self, move_ids):
        "Every receivable line carries its payer and personal account."
        pool = Pool()
        line = pool.get('account.move.line').__table__()
        account = pool.get('account.account').__table__()
        type_ = pool.get('account.account.type').__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*line.join(
                account, condition=line.account == account.id
                ).join(type_, condition=account.type == type_.id
                ).select(
                    Count(line.id),
                    where=fields.SQL_OPERATORS['in'](line.move, move_ids)
                    & (Coalesce(type_.receivable, False) == Literal(True))
                    & ((line.party == Null)
                        | (line.housing_account == Null))))
        missing, = cursor.fetchone()
        if missing:
            raise MoveWriterError(gettext(
                    'housing_billing.msg_move_writer_receivable',
                    count=missing))
