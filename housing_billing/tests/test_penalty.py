# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""Penalties through the Tryton layer: the settings come from the tables
l10n_ru_housing fills, each accrual run charges the month's increment, and
the golden cases G-F2, G-F3, G-B1 and G-F6 come out to the kopeck."""
from decimal import Decimal

from trytond.model.exceptions import ValidationError
from trytond.modules.company.tests import create_company, set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction

from ..engine.penalties import PenaltySettings, PeriodDebt, penalty_rows
from ..engine.periods import Period
from ..penalty import penalty_settings
from .penalty_tools import (
    GF2_PRICES,
    D,
    LedgerTestCase,
    ledger_account,
    pay,
    penalty_lines,
    run_month,
    setup_account,
    setup_ledger,
    setup_penalty_service,
)
from .tools import compute


class HousingPenaltyTestCase(LedgerTestCase):
    "Test penalties"

    def setup_gf2(self, company):
        setup_ledger(company, [2025, 2026])
        setup_penalty_service()
        account = setup_account(GF2_PRICES)
        runs = [run_month(D(y, m, 1))
            for y, m in [(2025, 11), (2025, 12), (2026, 1)]]
        self.assertEqual(
            [r.total for r in runs],
            [Decimal('4200.00'), Decimal('4650.00'), Decimal('5029.26')])
        return account

    def months_to_march(self):
        "Runs of February (posted) and March 2026 (computed)"
        return [run_month(D(2026, 2, 1)),
            run_month(D(2026, 3, 1), post=False)]

    @with_transaction()
    def test_settings_from_tables(self):
        "The settings built from the tables are the kernel's shipped data"
        company = create_company()
        with set_company(company):
            settings = penalty_settings(company)
        shipped = PenaltySettings.default()
        self.assertEqual(settings.key_rates.rows, shipped.key_rates.rows)
        self.assertEqual(settings.rate_rules.rows, shipped.rate_rules.rows)
        self.assertEqual(settings.moratoria, shipped.moratoria)
        self.assertEqual(
            [(r.from_period, r.day) for r in settings.due_day_rules],
            [(r.from_period, r.day) for r in shipped.due_day_rules])
        self.assertTrue(settings.shift_due_date_to_workday)
        # G-F1 with the database settings
        rows = penalty_rows(
            PeriodDebt(Period(2026, 1), Decimal('5000.00')), [],
            D(2026, 6, 30), settings)
        self.assertEqual(
            [(r.days, r.amount) for r in rows],
            [(60, Decimal('95.00')), (50, Decimal('182.69'))])

    @with_transaction()
    def test_settings_changed_by_administrator(self):
        "A new key rate and the workday switch reach the settings"
        pool = Pool()
        KeyRate = pool.get('housing.key_rate')
        Configuration = pool.get('housing.configuration')
        company = create_company()
        with set_company(company):
            KeyRate.create([{'date_from': D(2026, 3, 23), 'rate': 15}])
            configuration = Configuration(1)
            configuration.shift_due_date_to_workday = False
            configuration.save()
            settings = penalty_settings(company)
            self.assertEqual(
                settings.key_rates.at(D(2026, 3, 23)), Decimal(15))
            self.assertFalse(settings.shift_due_date_to_workday)
            with self.assertRaises(ValidationError):
                KeyRate.create([{'date_from': D(2026, 3, 23), 'rate': 14}])

    @with_transaction()
    def test_due_day_period_first_day(self):
        "A due-day rule starts on the first day of a month"
        DueDay = Pool().get('housing.penalty.due_day')
        company = create_company()
        with set_company(company):
            with self.assertRaises(ValidationError) as context:
                DueDay.create([{'period_from': D(2027, 1, 5), 'day': 20}])
            self.assertIn('2027-01-05', context.exception.message)

    @with_transaction()
    def test_gf2_fifo(self):
        "G-F2: 6 000.00 without a period, penalties month by month 134.39"
        company = create_company()
        with set_company(company):
            account = self.setup_gf2(company)
            payment = pay(account, D(2026, 2, 20), '6000.00')
            self.assertEqual(
                [(a.period, a.amount) for a in payment.allocations],
                [(D(2025, 11, 1), Decimal('4200.00')),
                    (D(2025, 12, 1), Decimal('1800.00'))])
            february, march = self.months_to_march()
            runs = Pool().get('housing.accrual.run').search(
                [], order=[('period', 'ASC')])
            amounts = [[c.amount for c in penalty_lines(r)] for r in runs]
            # Nov-25 from 10.01 (day 31): 22 days × 1.33 = 29.26 in
            # January; February to 76.33, March to 134.39 (G-F2).
            self.assertEqual(amounts, [
                    [], [], [Decimal('29.26')], [Decimal('47.07')],
                    [Decimal('58.06')]])
            self.assertEqual(
                sum(sum(a) for a in amounts), Decimal('134.39'))
            line, = penalty_lines(march)
            self.assertEqual(line.service.code, 'PENI')
            self.assertIn(
                '12.2025: 2850.00 ₽ × 9.5 % × 1/300 × 39 дн. '
                '(21.02.2026–31.03.2026) = 35.20 ₽', line.explanation_ru)
            self.assertIn('начислено ранее 76.33 ₽', line.explanation_ru)
            self.assertIn('charged now 58.06 ₽', line.explanation_en)

    @with_transaction()
    def test_gf3_named_period(self):
        "G-F3: 5 000.00 for January 2026 leaves Nov and Dec: 214.93"
        company = create_company()
        with set_company(company):
            account = self.setup_gf2(company)
            payment = pay(
                account, D(2026, 2, 20), '5000.00', period=D(2026, 1, 1))
            self.assertEqual(
                [(a.period, a.amount) for a in payment.allocations],
                [(D(2026, 1, 1), Decimal('5000.00'))])
            self.months_to_march()
            Charge = Pool().get('housing.charge')
            self.assertEqual(
                sum(c.amount for c in Charge.search(
                        [('kind', '=', 'penalty')])),
                Decimal('214.93'))

    @with_transaction()
    def test_gb1_named_period_surplus(self):
        "G-B1: 6 000.00 for January, the surplus to November: 193.89"
        company = create_company()
        with set_company(company):
            account = self.setup_gf2(company)
            payment = pay(
                account, D(2026, 2, 20), '6000.00', period=D(2026, 1, 1))
            self.assertEqual(
                [(a.period, a.amount) for a in payment.allocations],
                [(D(2026, 1, 1), Decimal('5000.00')),
                    (D(2025, 11, 1), Decimal('1000.00'))])
            self.months_to_march()
            Charge = Pool().get('housing.charge')
            self.assertEqual(
                sum(c.amount for c in Charge.search(
                        [('kind', '=', 'penalty')])),
                Decimal('193.89'))

    @with_transaction()
    def test_penalty_posting(self):
        "Penalties land on their own receivable and on the penalty revenue"
        pool = Pool()
        Line = pool.get('account.move.line')
        company = create_company()
        with set_company(company):
            account = self.setup_gf2(company)
            january, = pool.get('housing.accrual.run').search(
                [('period', '=', D(2026, 1, 1))])
            move, = january.moves
            lines = {(line.account.code, line.debit, line.credit,
                    line.party, line.housing_account)
                for line in move.lines}
            payer = account.payer_at(D(2026, 1, 31)).party
            self.assertEqual(lines, {
                    ('62.01', Decimal('5000.00'), 0, payer, account),
                    ('62.02', Decimal('29.26'), 0, payer, account),
                    ('90.01', 0, Decimal('5000.00'), None, None),
                    ('91.01', 0, Decimal('29.26'), None, None),
                    })
            penalties = Line.search([
                    ('account', '=', ledger_account('62.02').id)])
            self.assertEqual(
                sum(line.debit - line.credit for line in penalties),
                Decimal('29.26'))

    @with_transaction()
    def test_recompute_same_increment(self):
        "Computing a month twice charges its increment once"
        company = create_company()
        with set_company(company):
            self.setup_gf2(company)
            run = run_month(D(2026, 2, 1), post=False)
            Run = Pool().get('housing.accrual.run')
            compute([run])
            run = Run(run.id)
            self.assertEqual(
                [c.amount for c in penalty_lines(run)],
                # 50 days of Nov (66.50) + 17 of Dec (25.03) − 29.26
                [Decimal('62.27')])

    @with_transaction()
    def test_gf6_moratorium(self):
        "G-F6: no penalty from 06.04 to 31.12.2020 (ПП424): 25.34"
        pool = Pool()
        Moratorium = pool.get('housing.penalty.moratorium')
        Run = pool.get('housing.accrual.run')
        company = create_company()
        with set_company(company):
            setup_ledger(company, [2020, 2021])
            setup_penalty_service()
            account = setup_account([(D(2020, 1, 1), None, '30.00')])
            run_month(D(2020, 1, 1))
            pay(account, D(2021, 1, 15), '3000.00')
            run = run_month(D(2021, 1, 1), post=False)
            line, = penalty_lines(run)
            self.assertEqual(line.amount, Decimal('25.34'))
            self.assertIn('(12.03.2020–05.04.2020)', line.explanation_ru)
            self.assertIn('(01.01.2021–15.01.2021)', line.explanation_ru)

            # Without the moratorium every day accrues: 25.50 + 245.19.
            Moratorium.write(Moratorium.search(
                    [('code', '=', 'pp424_2020')]), {'active': False})
            compute([run])
            line, = penalty_lines(Run(run.id))
            self.assertEqual(line.amount, Decimal('270.69'))

    @with_transaction()
    def test_no_penalty_service_no_penalty(self):
        "Without a penalty service a run charges no penalty"
        company = create_company()
        with set_company(company):
            setup_ledger(company, [2025, 2026])
            setup_account(GF2_PRICES)
            for period in [D(2025, 11, 1), D(2025, 12, 1), D(2026, 1, 1)]:
                run = run_month(period)
                self.assertEqual(penalty_lines(run), [])
