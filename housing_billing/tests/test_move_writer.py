# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"Moves written in bulk are posted moves for Tryton."
import dataclasses
import datetime as dt
from decimal import Decimal

from sql import Table
from trytond.modules.company.tests import create_company, set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from ..exceptions import MoveWriterError
from ..move_writer import MoveWriter
from . import test_accrual
from .tools import HousingTestCase, compute, post

D = dt.date
# What differs between two moves whatever writes them.
OWN = {'id', 'number', 'move', 'create_date', 'write_date'}


def rows(table, column, ids):
    "The rows of table whose column is in ids, as dicts without OWN"
    sql_table = Table(table)
    cursor = Transaction().connection.cursor()
    cursor.execute(*sql_table.select(where=getattr(sql_table, column).in_(
                list(ids))))
    names = [d[0] for d in cursor.description]
    return [{k: v for k, v in zip(names, row) if k not in OWN}
        for row in cursor]


def freeze(row):
    return tuple(sorted(row.items(), key=lambda i: i[0]))


class MoveWriterTestCase(HousingTestCase):
    "Test the bulk move writer"

    setup_building = test_accrual.HousingAccrualTestCase.setup_building
    setup_ledger = test_accrual.HousingAccrualTestCase.setup_ledger

    def computed_run(self, company):
        Run = Pool().get('housing.accrual.run')
        building, accounts = self.setup_building()
        revenue = self.setup_ledger(company)
        run, = Run.create([{'period': D(2026, 3, 1)}])
        compute([run])
        return run, accounts, revenue

    def orm_post(self, specs):
        "Create and post specs through the ORM, as Run.post used to"
        pool = Pool()
        Move = pool.get('account.move')
        Line = pool.get('account.move.line')
        moves = [Move(
                company=s.company, journal=s.journal, period=s.period,
                date=s.date, origin=s.origin, description=s.description,
                lines=[Line(**dataclasses.asdict(line))
                    for line in s.lines])
            for s in specs]
        Move.save(moves)
        Move.post(moves)
        return [m.id for m in moves]

    @with_transaction()
    def test_rows_as_the_orm_writes_them(self):
        "The writer's rows are those account.move's create and post write"
        pool = Pool()
        Move = pool.get('account.move')
        company = create_company()
        with set_company(company):
            run, _, _ = self.computed_run(company)
            # Written twice: the lines made once (a run makes them while
            # the COPY writes them).
            specs = [dataclasses.replace(s, lines=tuple(s.lines))
                for s in run.get_moves()]
            by_orm = self.orm_post(specs)
            by_writer = MoveWriter().write(specs)

            self.assertEqual(
                rows('account_move', 'id', by_writer),
                rows('account_move', 'id', by_orm))
            self.assertEqual(
                sorted(map(freeze, rows(
                            'account_move_line', 'move', by_writer))),
                sorted(map(freeze, rows(
                            'account_move_line', 'move', by_orm))))
            orm_number, = [m.number for m in Move.browse(by_orm)]
            writer_number, = [m.number for m in Move.browse(by_writer)]
            self.assertEqual(int(writer_number), int(orm_number) + 1)

    @with_transaction()
    def test_posted_run_for_tryton(self):
        "Tryton validates the moves and its ledger shows the run's totals"
        pool = Pool()
        Move = pool.get('account.move')
        Line = pool.get('account.move.line')
        Period = pool.get('account.period')
        GeneralLedger = pool.get('account.general_ledger.account')
        company = create_company()
        with set_company(company):
            run, accounts, revenue = self.computed_run(company)
            post([run])
            moves = Move.search([('origin', '=', str(run))])
            lines = [line for move in moves for line in move.lines]
            Move._validate(moves)
            Line._validate(lines)
            Move.validate_move(moves)
            self.assertEqual({m.state for m in moves}, {'posted'})
            self.assertEqual({line.state for line in lines}, {'valid'})
            self.assertTrue(all(m.number and m.post_date for m in moves))

            period = Period.find(company, date=D(2026, 3, 31))
            receivable = accounts[0].payer_at(D(2026, 3, 31)).party \
                .account_receivable_used
            with Transaction().set_context(
                    fiscalyear=period.fiscalyear.id,
                    start_period=period.id, end_period=period.id):
                ledger = {r.account: r for r in GeneralLedger.search([])}
            self.assertEqual(
                (ledger[receivable].debit, ledger[receivable].credit),
                (run.total, Decimal(0)))
            self.assertEqual(
                (ledger[revenue].debit, ledger[revenue].credit),
                (Decimal(0), run.total))
            for account in accounts:
                party = account.payer_at(D(2026, 3, 31)).party
                self.assertEqual(party.receivable, sum(
                        c.amount for c in run.charges if c.account == account))

    @with_transaction()
    def test_unbalanced_move_refused(self):
        "An unbalanced move is named and refused"
        company = create_company()
        with set_company(company):
            run, _, _ = self.computed_run(company)
            spec, = run.get_moves()
            first, *others = spec.lines
            spec = dataclasses.replace(spec, lines=(dataclasses.replace(
                        first, debit=first.debit + Decimal('0.01')),
                    *others))
            with self.assertRaises(MoveWriterError) as context:
                MoveWriter().write([spec])
            debit = sum(line.debit for line in spec.lines)
            self.assertIn(str(debit), str(context.exception))
            self.assertIn(str(debit - Decimal('0.01')), str(context.exception))

    @with_transaction()
    def test_receivable_without_personal_account_refused(self):
        "A receivable line must carry its personal account"
        company = create_company()
        with set_company(company):
            run, _, _ = self.computed_run(company)
            spec, = run.get_moves()
            first, *others = spec.lines
            self.assertTrue(first.housing_account)
            spec = dataclasses.replace(spec, lines=(dataclasses.replace(
                        first, housing_account=None), *others))
            with self.assertRaises(MoveWriterError):
                MoveWriter().write([spec])

    @with_transaction()
    def test_bad_amounts_and_period_refused(self):
        "Amounts in kopecks on one side, in an open period that has the date"
        company = create_company()
        with set_company(company):
            run, _, _ = self.computed_run(company)
            spec, = run.get_moves()
            first, *others = spec.lines
            for line in [
                    dataclasses.replace(first, debit=Decimal('1.001')),
                    dataclasses.replace(first, credit=first.debit),
                    dataclasses.replace(first, debit=Decimal(-1)),
                    ]:
                with self.assertRaises(MoveWriterError):
                    MoveWriter().write([dataclasses.replace(
                                spec, lines=(line, *others))])
            with self.assertRaises(MoveWriterError):
                MoveWriter().write([dataclasses.replace(
                            spec, date=D(2026, 4, 1))])
            with self.assertRaises(MoveWriterError):
                MoveWriter().write([dataclasses.replace(spec, lines=())])
            # Refused lines are found while the COPY runs: nothing is kept.
            Move = Pool().get('account.move')
            Line = Pool().get('account.move.line')
            self.assertEqual(Move.search([], count=True), 0)
            self.assertEqual(Line.search([], count=True), 0)
