# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""Penalties through the Tryton layer: the settings come from the tables
l10n_ru_housing fills (the production calendar among them), each accrual
run charges the month's increment, the golden cases G-F2, G-F3, G-B1 and
G-F6 come out to the kopeck, and capital repair contributions are a base
of their own (ЖК 155 ч. 14.1) with their own line and receivable."""
import json
from decimal import Decimal

from trytond.model.exceptions import ValidationError
from trytond.modules.company.tests import create_company, set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction

from ..engine.penalties import (
    CAPITAL_REPAIR,
    HOUSING,
    PenaltySettings,
    PeriodDebt,
    due_date,
    penalty_rows,
)
from ..engine.periods import Period
from ..engine.workdays import ProductionCalendar
from ..payment import open_debts
from ..penalty import (
    charged_penalties,
    penalty_settings,
    posted_service_debts,
)
from ..receipt_data import gather
from .penalty_tools import (
    GF2_PRICES,
    D,
    LedgerTestCase,
    add_capital_repair,
    ledger_account,
    pay,
    penalty_lines,
    run_month,
    setup_account,
    setup_capital_repair_penalties,
    setup_ledger,
    setup_penalty_service,
    setup_two_bases,
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
    def test_only_posted_runs_owe(self):
        """The debts and the penalties charged before are those of the
        company's posted runs: a computed run counts for neither"""
        company = create_company()
        with set_company(company):
            account = self.setup_gf2(company)
            february = run_month(D(2026, 2, 1), post=False)
            self.assertEqual(
                [c.amount for c in penalty_lines(february)],
                [Decimal('62.27')])
            debts, _ = posted_service_debts(
                company, [account.id], D(2026, 2, 1))
            self.assertEqual(
                {period: sum(by_service.values())
                    for period, by_service in debts[account.id].items()},
                {D(2025, 11, 1): Decimal('4200.00'),
                    D(2025, 12, 1): Decimal('4650.00'),
                    D(2026, 1, 1): Decimal('5000.00')})
            self.assertEqual(
                charged_penalties(company, [account.id], D(2026, 3, 1)),
                {account.id: {HOUSING: Decimal('29.26')}})
            self.assertEqual(
                charged_penalties(company, [account.id], D(2026, 1, 1)),
                {})

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


def receivable_balance(account, code):
    "The balance of the account's receivable lines on the ledger account."
    Line = Pool().get('account.move.line')
    return sum((line.debit - line.credit for line in Line.search([
                    ('housing_account', '=', account.id),
                    ('account.code', '=', code),
                    ])), Decimal('0.00'))


def penalty_amounts(run):
    return sorted((c.service.code, c.method, c.amount)
        for c in penalty_lines(run))


class CapitalRepairPenaltyTestCase(LedgerTestCase):
    "Test the penalties on capital repair contributions (ЖК 155 ч. 14.1)"

    def setup_months(self, company):
        """January and February 2026 posted: maintenance 5 000.00 (100 m² ×
        50.00) and the capital repair contribution 1 250.00 (100 m² ×
        12.50) a month."""
        account, _, runs = setup_two_bases(company, [1, 2])
        self.assertEqual(
            [r.total for r in runs],
            [Decimal('6250.00'), Decimal('6257.13')])
        return account, runs

    @with_transaction()
    def test_unpaid_two_bases(self):
        "Unpaid: housing from day 31, capital repair from day 1, apart"
        company = create_company()
        with set_company(company):
            _, (january, february) = self.setup_months(company)
            march = run_month(D(2026, 3, 1))
            # By hand, at 9.5 % (the lower of 9.5 % and the key rate of
            # 15.5 %, ПП329):
            # Housing (ч. 14): January 5 000.00, due Tuesday 10.02.2026,
            # reaches day 31 on 13.03.2026: 13.03–31.03, 19 days,
            # 5 000.00 × 9.5 % / 300 × 19 = 30.083333 → 30.08. February,
            # due 10.03.2026, reaches day 31 on 10.04.2026: nothing.
            # Capital repair (ч. 14.1): from the day after the due date,
            # 1/300 throughout. At 28.02: January 1 250.00, 11.02–28.02,
            # 18 days, 1 250.00 × 9.5 % / 300 × 18 = 7.125 → 7.13. At
            # 31.03: January 11.02–31.03, 49 days = 19.395833 → 19.40;
            # February 1 250.00 due 10.03.2026, 11.03–31.03, 21 days
            # = 8.3125 → 8.31; 27.71 in all, 27.71 − 7.13 = 20.58 now.
            # (One base under ч. 14 would give 6 250.00 × 19 days = 37.60.)
            self.assertEqual(penalty_amounts(january), [])
            self.assertEqual(penalty_amounts(february), [
                    ('PENI_KR', 'penalty_capital_repair', Decimal('7.13'))])
            self.assertEqual(penalty_amounts(march), [
                    ('PENI', 'penalty', Decimal('30.08')),
                    ('PENI_KR', 'penalty_capital_repair', Decimal('20.58')),
                    ])
            housing, capital_repair = sorted(
                penalty_lines(march), key=lambda c: c.service.code)
            self.assertIn('ч. 14.1', capital_repair.explanation_ru)
            self.assertIn(
                '01.2026: 1250.00 ₽ × 9.5 % × 1/300 × 49 дн. '
                '(11.02.2026–31.03.2026) = 19.40 ₽',
                capital_repair.explanation_ru)
            self.assertIn(
                '02.2026: 1250.00 ₽ × 9.5 % × 1/300 × 21 дн. '
                '(11.03.2026–31.03.2026) = 8.31 ₽',
                capital_repair.explanation_ru)
            self.assertIn(
                'начислено ранее 7.13 ₽', capital_repair.explanation_ru)
            self.assertNotIn('14.1', housing.explanation_ru)
            self.assertIn(
                '01.2026: 5000.00 ₽ × 9.5 % × 1/300 × 19 дн. '
                '(13.03.2026–31.03.2026) = 30.08 ₽', housing.explanation_ru)
            self.assertEqual(
                json.loads(capital_repair.inputs)['base'], CAPITAL_REPAIR)

    @with_transaction()
    def test_posting_two_receivables(self):
        "Each base's penalty has its own receivable and credit account"
        company = create_company()
        with set_company(company):
            account, _ = self.setup_months(company)
            march = run_month(D(2026, 3, 1))
            move, = march.moves
            payer = account.payer_at(D(2026, 3, 31)).party
            self.assertEqual({(line.account.code, line.debit, line.credit,
                        line.party, line.housing_account)
                    for line in move.lines}, {
                    ('62.01', Decimal('6250.00'), 0, payer, account),
                    ('62.02', Decimal('30.08'), 0, payer, account),
                    ('76.03', Decimal('20.58'), 0, payer, account),
                    ('90.01', 0, Decimal('5000.00'), None, None),
                    ('86.01', 0, Decimal('1250.00'), None, None),
                    ('91.01', 0, Decimal('30.08'), None, None),
                    ('86.02', 0, Decimal('20.58'), None, None),
                    })
            # The receipt: both penalties, capital repair's apart; due,
            # the two penalty accounts (30.08 + 7.13 + 20.58)
            data = gather(company.id, D(2026, 3, 1), [account.id])[
                account.id]
            self.assertEqual(data.penalties, Decimal('50.66'))
            self.assertEqual(data.penalties_capital_repair, Decimal('20.58'))
            self.assertEqual(data.penalty_due, Decimal('57.79'))

    @with_transaction()
    def test_payment_split_between_bases(self):
        "A payment pays each base in proportion to what it owes"
        company = create_company()
        with set_company(company):
            account, _ = self.setup_months(company)
            payment = pay(account, D(2026, 2, 20), '3125.00')
            self.assertEqual(
                [(a.period, a.amount) for a in payment.allocations],
                [(D(2026, 1, 1), Decimal('3125.00'))])
            march = run_month(D(2026, 3, 1), post=False)
            # January owes 5 000.00 + 1 250.00: the 3 125.00 pays 2 500.00
            # of housing and 625.00 of capital repair (domain spec §4.5
            # point 4). Housing: 2 500.00 from day 31, 13.03–31.03, 19
            # days = 15.041667 → 15.04. Capital repair: January 1 250.00
            # 11.02–20.02 (10 days, the payment day accrues) = 3.958333 →
            # 3.96, 625.00 21.02–31.03 (39 days) = 7.71875 → 7.72;
            # February 8.31 as unpaid: 19.99, less the 7.13 February's run
            # charged before the payment was made: 12.86.
            self.assertEqual(penalty_amounts(march), [
                    ('PENI', 'penalty', Decimal('15.04')),
                    ('PENI_KR', 'penalty_capital_repair', Decimal('12.86')),
                    ])

    @with_transaction()
    def test_payments_of_penalties(self):
        "Money designated for penalties pays penalties only, by base"
        pool = Pool()
        Run = pool.get('housing.accrual.run')
        company = create_company()
        with set_company(company):
            account, _ = self.setup_months(company)
            run_month(D(2026, 3, 1))
            april = run_month(D(2026, 4, 1), post=False)
            april_penalties = penalty_amounts(april)
            principal = open_debts(account)
            payer = account.payer_at(D(2026, 4, 5)).party

            # Housing penalties charged: 30.08 (March)
            housing = pay(
                account, D(2026, 4, 5), '20.00', purpose='penalties')
            self.assertEqual({(line.account.code, line.debit, line.credit,
                        line.party, line.housing_account)
                    for line in housing.move.lines}, {
                    ('51', Decimal('20.00'), 0, None, None),
                    ('62.02', 0, Decimal('20.00'), payer, account),
                    })
            self.assertEqual(
                [(a.kind, a.period, a.amount) for a in housing.allocations],
                [('penalty', D(2026, 3, 1), Decimal('20.00'))])
            self.assertEqual(housing.advance, Decimal('0.00'))

            # Capital repair penalties charged: 7.13 (February), 20.58
            # (March): the oldest first, the rest without period.
            capital_repair = pay(
                account, D(2026, 4, 6), '30.00',
                purpose='capital_repair_penalties')
            self.assertEqual(
                {line.account.code for line in capital_repair.move.lines},
                {'51', '76.03'})
            self.assertEqual(
                [(a.kind, a.period, a.amount)
                    for a in capital_repair.allocations],
                [('penalty', D(2026, 2, 1), Decimal('7.13')),
                    ('penalty', D(2026, 3, 1), Decimal('20.58')),
                    ('penalty', None, Decimal('2.29'))])
            # A second housing payment sees what the first one paid.
            second = pay(
                account, D(2026, 4, 7), '10.08', period=D(2026, 3, 1),
                purpose='penalties')
            self.assertEqual(
                [(a.kind, a.period, a.amount) for a in second.allocations],
                [('penalty', D(2026, 3, 1), Decimal('10.08'))])

            self.assertEqual(
                receivable_balance(account, '62.02'), Decimal('0.00'))
            self.assertEqual(
                receivable_balance(account, '76.03'), Decimal('-2.29'))
            self.assertEqual(
                receivable_balance(account, '62.01'), Decimal('18750.00'))
            # No principal is paid, so the penalties do not change.
            self.assertEqual(open_debts(account), principal)
            Run.cancel([april])
            april = run_month(D(2026, 4, 1), post=False)
            self.assertEqual(penalty_amounts(april), april_penalties)

    @with_transaction()
    def test_capital_repair_due_day(self):
        "A regional due day of the contributions is a dated rule of its own"
        pool = Pool()
        DueDay = pool.get('housing.penalty.due_day')
        company = create_company()
        with set_company(company):
            DueDay.create([{
                        'kind': 'capital_repair',
                        'period_from': D(2000, 1, 1), 'day': 25,
                        'act': 'закон субъекта РФ (ЖК 171 ч. 1)'}])
            settings = penalty_settings(company)
            self.assertEqual(
                due_date(Period(2026, 1), settings, CAPITAL_REPAIR),
                (D(2026, 2, 25), False))
            self.assertEqual(
                due_date(Period(2026, 1), settings), (D(2026, 2, 10), False))
            # 25.04.2026 is a Saturday
            self.assertEqual(
                due_date(Period(2026, 3), settings, CAPITAL_REPAIR),
                (D(2026, 4, 27), False))
            with self.assertRaises(ValidationError):
                DueDay.create([{
                            'kind': 'capital_repair',
                            'period_from': D(2000, 1, 1), 'day': 20}])


    def regional_rules(self):
        """Penza's law: the 25th, the 15th from March 2026; the owners of
        a special account decided the 20th; Samara's law from March 2026
        only: the 28th. Returns Penza, Samara, the regional operator and
        the special account's owner."""
        pool = Pool()
        DueDay = pool.get('housing.penalty.due_day')
        Country = pool.get('country.country')
        Subdivision = pool.get('country.subdivision')
        Party = pool.get('party.party')
        russia, = Country.create([{'name': "Россия", 'code': 'RU'}])
        penza, samara = Subdivision.create([{
                    'country': russia.id, 'name': name, 'code': code,
                    'type': 'oblast'} for name, code in [
                    ("Пензенская область", 'RU-PNZ'),
                    ("Самарская область", 'RU-SAM')]])
        operator, owner = Party.create([
                {'name': "Региональный оператор"},
                {'name': "ТСЖ «Садовая, 1» (спецсчёт)"}])
        DueDay.create([{
                    'kind': 'capital_repair', 'region': region,
                    'payee': payee, 'period_from': period_from,
                    'day': day, 'act': act}
                for region, payee, period_from, day, act in [
                    (penza.id, None, D(2000, 1, 1), 25,
                        'закон Пензенской области'),
                    (penza.id, None, D(2026, 3, 1), 15,
                        'закон Пензенской области с 01.03.2026'),
                    (None, owner.id, D(2000, 1, 1), 20,
                        'решение общего собрания'),
                    (samara.id, None, D(2026, 3, 1), 28,
                        'закон Самарской области'),
                    ]])
        return penza, samara, operator, owner

    @with_transaction()
    def test_capital_repair_due_day_by_region_and_payee(self):
        """The due day of the contributions: the rule of the building's
        region and payee, the most specific first, else the housing one"""
        pool = Pool()
        Building = pool.get('housing.building')
        DueDay = pool.get('housing.penalty.due_day')
        company = create_company()
        with set_company(company):
            penza, samara, operator, owner = self.regional_rules()

            def due(building, period):
                settings = penalty_settings(company, building)
                return due_date(period, settings, CAPITAL_REPAIR)[0]
            january, march = Period(2026, 1), Period(2026, 3)
            # Penza's regional operator: its law, both days
            building = Building(region=penza, capital_repair_payee=operator)
            self.assertEqual(due(building, january), D(2026, 2, 25))
            self.assertEqual(due(building, march), D(2026, 4, 15))
            # Penza, a special account: the owners' day, more specific
            building = Building(region=penza, capital_repair_payee=owner)
            self.assertEqual(due(building, january), D(2026, 2, 20))
            self.assertEqual(due(building, march), D(2026, 4, 20))
            # Samara before its law, and a building without a region: the
            # housing due day (10th, then 15th from March 2026)
            building = Building(region=samara, capital_repair_payee=None)
            self.assertEqual(due(building, january), D(2026, 2, 10))
            self.assertEqual(due(building, march), D(2026, 4, 28))
            for building in [
                    Building(region=None, capital_repair_payee=None), None]:
                self.assertEqual(due(building, january), D(2026, 2, 10))
                self.assertEqual(due(building, march), D(2026, 4, 15))
            # One rule per kind, region, payee and period
            with self.assertRaises(ValidationError):
                DueDay.create([{
                            'kind': 'capital_repair', 'region': penza.id,
                            'period_from': D(2026, 3, 1), 'day': 10}])

    @with_transaction()
    def test_regional_due_day_penalty(self):
        "The penalty of the contributions runs from the region's due day"
        company = create_company()
        with set_company(company):
            setup_ledger(company, [2026])
            setup_penalty_service()
            setup_capital_repair_penalties()
            penza, _, operator, _ = self.regional_rules()
            account = setup_account([(D(2026, 1, 1), None, '50.00')])
            account.premises.building.region = penza
            account.premises.building.capital_repair_payee = operator
            account.premises.building.save()
            add_capital_repair(account, '12.50', D(2026, 1, 1))
            january = run_month(D(2026, 1, 1))
            february = run_month(D(2026, 2, 1))
            march = run_month(D(2026, 3, 1))
            # At 9.5 %, 1/300 from the day after Penza's 25th: at 28.02,
            # January 1 250.00 26.02–28.02, 3 days = 1.1875 → 1.19. At
            # 31.03: January 26.02–31.03, 34 days = 13.458333 → 13.46;
            # February due Wednesday 25.03.2026, 26.03–31.03, 6 days
            # = 2.375 → 2.38; 15.84 − 1.19 = 14.65. Housing unchanged.
            self.assertEqual(penalty_amounts(january), [])
            self.assertEqual(penalty_amounts(february), [
                    ('PENI_KR', 'penalty_capital_repair', Decimal('1.19'))])
            self.assertEqual(penalty_amounts(march), [
                    ('PENI', 'penalty', Decimal('30.08')),
                    ('PENI_KR', 'penalty_capital_repair', Decimal('14.65')),
                    ])


class ProductionCalendarTestCase(LedgerTestCase):
    "Test the production calendar kept as data"

    @with_transaction()
    def test_calendar_from_tables(self):
        "The years l10n_ru_housing loads are the kernel's shipped calendar"
        Calendar = Pool().get('housing.production_calendar')
        company = create_company()
        with set_company(company):
            settings = penalty_settings(company)
            self.assertEqual(
                settings.calendar.years, ProductionCalendar.default().years)
            self.assertEqual(
                {c.year: c.working_days for c in Calendar.search([])},
                {2019: 247, 2020: 248, 2021: 247, 2022: 247, 2023: 247,
                    2024: 248, 2025: 247, 2026: 247})

    @with_transaction()
    def test_year_entered_by_administrator(self):
        "A year without its decree is provisional until it is entered"
        Calendar = Pool().get('housing.production_calendar')
        company = create_company()
        with set_company(company):
            # The April 2027 bill is due Saturday 15.05.2027: the
            # provisional rule moves it to Monday 17.05.2027.
            settings = penalty_settings(company)
            self.assertEqual(
                due_date(Period(2027, 4), settings), (D(2027, 5, 17), True))
            # A decree (made up for the test) moving a day off to 17.05
            Calendar.create([{
                        'year': 2027, 'decree': 'ПП (проверка)',
                        'days': [('create', [{'date': D(2027, month, day)}
                                    for month, day in [
                                        (1, 1), (1, 4), (1, 5), (1, 6),
                                        (1, 7), (1, 8), (5, 17)]])],
                        }])
            settings = penalty_settings(company)
            self.assertEqual(
                due_date(Period(2027, 4), settings), (D(2027, 5, 18), False))

    @with_transaction()
    def test_day_checks(self):
        "A calendar day belongs to its year; the kind matches the weekday"
        pool = Pool()
        Calendar = pool.get('housing.production_calendar')
        Day = pool.get('housing.production_calendar.day')
        company = create_company()
        with set_company(company):
            calendar, = Calendar.create([{'year': 2027}])
            with self.assertRaises(ValidationError) as context:
                Day.create([{'calendar': calendar.id,
                            'date': D(2028, 1, 3)}])
            self.assertIn('2028-01-03', context.exception.message)
            # 09.01.2027 is a Saturday: it can only be made a working day
            with self.assertRaises(ValidationError) as context:
                Day.create([{'calendar': calendar.id,
                            'date': D(2027, 1, 9), 'kind': 'non_working'}])
            self.assertIn('2027-01-09', context.exception.message)
            Day.create([{'calendar': calendar.id, 'date': D(2027, 1, 16),
                        'kind': 'working'}])
            with self.assertRaises(ValidationError):
                Calendar.create([{'year': 2027}])

    @with_transaction()
    def test_provisional_due_dates_marked(self):
        "G-F2 without the 2026 calendar: 134.39, due dates in 2026 marked"
        Calendar = Pool().get('housing.production_calendar')
        company = create_company()
        with set_company(company):
            Calendar.delete(Calendar.search([('year', '=', 2026)]))
            setup_ledger(company, [2025, 2026])
            setup_penalty_service()
            account = setup_account(GF2_PRICES)
            runs = [run_month(D(y, m, 1))
                for y, m in [(2025, 11), (2025, 12), (2026, 1)]]
            pay(account, D(2026, 2, 20), '6000.00')
            runs += [run_month(D(2026, 2, 1)),
                run_month(D(2026, 3, 1), post=False)]
            # The provisional rule also moves Saturday 10.01.2026 to
            # Monday 12.01.2026: the amounts are G-F2's.
            self.assertEqual(
                sum(c.amount for r in runs for c in penalty_lines(r)),
                Decimal('134.39'))
            line, = penalty_lines(runs[-1])
            inputs = json.loads(line.inputs)
            self.assertTrue(inputs['provisional_due'])
            self.assertEqual(
                {r['period']: r['provisional_due'] for r in inputs['rows']},
                {'2025-11-01': False, '2025-12-01': True,
                    '2026-01-01': True})
            self.assertIn('предварительному производственному календарю',
                line.explanation_ru)
            self.assertIn('12.2025, 01.2026', line.explanation_ru)
