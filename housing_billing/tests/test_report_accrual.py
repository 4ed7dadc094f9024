# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"The reports of group A (accruals) on known data."
from decimal import Decimal

from trytond.modules.company.tests import create_company, set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction

from .report_data_accrual import (
    FEBRUARY,
    JANUARY,
    ReportData,
    charge_sums,
    credit,
    pdf_text,
    report_context,
)
from .tools import HousingTestCase

ZERO = Decimal(0)


def by(records, *names):
    return {tuple(getattr(getattr(r, n), 'id', getattr(r, n))
            for n in names): r for r in records}


class ReportAccrualTestCase(ReportData, HousingTestCase):
    "Test the accrual reports"

    @with_transaction()
    def test_accrual_reports(self):
        "A1…A7 and the trend on two posted months; A1 printed"
        pool = Pool()
        Register = pool.get('housing.report.accrual.register')
        Summary = pool.get('housing.report.accrual.summary')
        Trend = pool.get('housing.report.accrual.trend')
        Recalculations = pool.get('housing.report.accrual.recalculation')
        Reductions = pool.get('housing.report.accrual.reduction')
        Explanation = pool.get('housing.report.accrual.explanation')
        Variance = pool.get('housing.report.accrual.variance')
        Tariffs = pool.get('housing.report.accrual.tariff')
        company = create_company()
        with set_company(company):
            data = self.build(company)
        runs = data['runs']
        january, february = runs[JANUARY], runs[FEBRUARY]
        accounts, cold, soi = data['accounts'], data['cold'], data['soi']

        # A1: exact figures of account 101 in January
        with report_context(company, JANUARY):
            register = Register.search([])
            rows = by(register, 'account', 'service')
            row = rows[(accounts['101'].id, cold.id)]
            self.assertEqual(row.quantity, Decimal('7.3330'))
            self.assertEqual(row.tariff, Decimal('49.87'))
            self.assertEqual(row.method, 'meter')
            self.assertEqual(row.unit, 'm3')
            self.assertEqual(row.charged, Decimal('365.70'))
            self.assertEqual(row.total, Decimal('365.70'))
            self.assertEqual(row.payer.name, "Плательщик 101")
            self.assertEqual(row.area, Decimal('54.3'))
            self.assertEqual(
                rows[(accounts['101'].id, soi.id)].total, Decimal('10.68'))
            # Check: Σ «Итого» = run total = credit of the posted moves;
            # every account has a line.
            total = sum(r.total for r in register)
            self.assertEqual(total, january.total)
            self.assertEqual(total, credit(january))
            self.assertEqual(
                {r.account for r in register}, set(accounts.values()))
        # February: recalculation and reduction columns
        with report_context(company, FEBRUARY):
            register = Register.search([])
            row = by(register, 'account', 'service')[
                (accounts['101'].id, cold.id)]
            self.assertEqual(
                (row.charged, row.recalculation, row.reduction, row.total),
                (Decimal('498.70'), Decimal('49.87'), Decimal('-11.97'),
                    Decimal('536.60')))
            self.assertEqual(sum(r.total for r in register), february.total)
            self.assertEqual(sum(r.total for r in register),
                credit(february))
        # Both months, filtered by the method
        with report_context(company, JANUARY, FEBRUARY, method='meter'):
            self.assertEqual(
                {r.service for r in Register.search([])}, {cold})
        with report_context(company, JANUARY, FEBRUARY,
                supplier=data['supplier'].id):
            self.assertEqual(
                {r.service for r in Register.search([])}, {cold})
        with report_context(company, JANUARY, FEBRUARY,
                accounts=[accounts['103'].id]):
            self.assertEqual(
                {r.account for r in Register.search([])},
                {accounts['103']})
        # A run computed but not posted counts only when asked
        with set_company(company):
            draft = self.accrue(FEBRUARY.replace(month=3))
        with report_context(company, draft.period):
            self.assertEqual(Register.search([]), [])
        with report_context(company, draft.period, include_computed=True):
            self.assertEqual(
                sum(r.total for r in Register.search([])), draft.total)
            # Check (A3): nothing changed since February: no recalculation
            self.assertEqual(Recalculations.search([]), [])

        # A2 equals A1 aggregated; the trend has the same totals per month
        with report_context(company, JANUARY, FEBRUARY):
            register = Register.search([])
            summary = Summary.search([])
            expected = charge_sums(
                [january, february], lambda c: (c.building.id, c.service.id))
            self.assertEqual(
                {k: r.total for k, r in by(
                        summary, 'building', 'service').items()},
                expected)
            for name in ['total', 'reduction']:
                self.assertEqual(
                    sum(getattr(r, name) for r in summary),
                    sum(getattr(r, name) for r in register))
            row = by(summary, 'building', 'service')[
                (data['building'].id, cold.id)]
            self.assertEqual(row.recalculation_plus, Decimal('49.87'))
            self.assertEqual(row.recalculation_minus, ZERO)
            self.assertEqual(row.reduction, Decimal('-23.57'))
            self.assertEqual(row.residential, Decimal('62312.57'))
            self.assertEqual(row.non_residential, ZERO)
            self.assertEqual(
                sum(r.recalculation for r in register),
                sum(r.recalculation_plus + r.recalculation_minus
                    for r in summary))
            # Check: per supplier, «Всего» = credit to its payable account
            supplier = data['supplier']
            payable = supplier.account_payable_used
            ledger = sum((line.credit - line.debit
                    for run in (january, february) for move in run.moves
                    for line in move.lines
                    if line.account == payable and line.party == supplier),
                ZERO)
            self.assertEqual(ledger, expected[(data['building'].id, cold.id)])
            self.assertEqual(
                sum(r.total for r in summary if r.supplier == supplier),
                ledger)
            trend = Trend.search([])
            self.assertEqual(
                {(r.period, r.service.id): r.total for r in trend},
                charge_sums([january, february],
                    lambda c: (c.period, c.service.id)))

            # A3: one row per corrected line, was → now
            recalculations = Recalculations.search([])
            self.assertEqual(len(recalculations), 4)
            row, = [r for r in recalculations
                if r.service == cold and r.account == accounts['101']]
            self.assertEqual(row.corrected_period, JANUARY)
            self.assertEqual(row.reason, 'late_readings')
            self.assertEqual((row.was, row.now, row.amount), (
                    Decimal('365.70'), Decimal('415.57'), Decimal('49.87')))
            self.assertEqual(row.run, february)
            # Check: Σ «Разница» = the recalculation lines of February
            self.assertEqual(
                sum(r.amount for r in recalculations),
                sum(c.amount for c in february.charges
                    if c.corrected_period and c.corrected_period < c.period))
            for row in recalculations:
                self.assertEqual(row.now - row.was, row.amount)

            # A4: one act, its reduction = «Снижение» of A2
            reduction, = Reductions.search([])
            self.assertEqual(reduction.shortfall, data['shortfall'])
            self.assertEqual(reduction.hours, Decimal(20))
            self.assertEqual(reduction.accounts, 3)
            self.assertEqual(reduction.amount, Decimal('-23.57'))
            self.assertEqual(
                reduction.amount, sum(r.reduction for r in summary))

            # A5: Σ per account and service = A1; the kernel's text
            explanation = Explanation.search([
                    ('account', '=', accounts['101'].id)])
            self.assertEqual(
                {s: sum(e.amount for e in explanation if e.service.id == s)
                    for s in {e.service.id for e in explanation}},
                {s: r.total for (a, s), r in by(
                        register, 'account', 'service').items()
                    if a == accounts['101'].id})
            line, = [e for e in explanation
                if e.period == JANUARY and e.service == cold]
            charge, = [c for c in january.charges
                if c.account == accounts['101'] and c.service == cold]
            self.assertEqual(line.explanation_ru, charge.explanation_ru)
            self.assertIn('123.456 → 130.789', line.explanation)

            # A7: every charge line's price is there, with its version
            tariffs = Tariffs.search([])
            prices = {(r.service.id, r.building.id, r.tariff)
                for r in tariffs}
            for run in (january, february):
                for charge in run.charges:
                    if charge.kind == 'charge' and not charge.correction:
                        self.assertIn((charge.service.id,
                                charge.building.id, charge.tariff), prices)
            row = by(tariffs, 'service')[(cold.id,)]
            self.assertEqual(row.version.service, cold)
            self.assertEqual(row.date_from, JANUARY.replace(year=2025))
            self.assertEqual(row.accounts, 3)
            self.assertEqual(row.quantity, Decimal('1249.5000'))
            self.assertEqual(row.amount, Decimal('62312.57'))

        # A6: February against January, rows exactly over the thresholds
        def over(threshold_amount, threshold_percent):
            amounts = charge_sums([january, february],
                lambda c: (c.account.id, c.service.id, c.period))
            keys = {k[:2] for k in amounts}
            result = set()
            for key in keys:
                previous = amounts.get(key + (JANUARY,), ZERO)
                current = amounts.get(key + (FEBRUARY,), ZERO)
                delta = abs(current - previous)
                if (delta and delta >= threshold_amount
                        and delta * 100 >= abs(previous) * threshold_percent):
                    result.add(key)
            return result
        for amount, percent in [(0, 0), (100, 10), (1, 20), (10 ** 6, 0)]:
            with report_context(company, FEBRUARY,
                    threshold_amount=Decimal(amount),
                    threshold_percent=Decimal(percent)):
                variance = Variance.search([])
                self.assertEqual(
                    set(by(variance, 'account', 'service')),
                    over(amount, percent), (amount, percent))
        self.assertEqual(over(10 ** 6, 0), set())
        with report_context(company, FEBRUARY, threshold_amount=ZERO,
                threshold_percent=ZERO):
            row = by(Variance.search([]), 'account', 'service')[
                (accounts['101'].id, cold.id)]
            self.assertEqual(
                (row.previous, row.current, row.difference, row.percent),
                (Decimal('365.70'), Decimal('536.60'), Decimal('170.90'),
                    Decimal('46.7')))
            self.assertEqual(row.cause, 'recalculation')
            row = by(Variance.search([]), 'account', 'service')[
                (accounts['103'].id, cold.id)]
            self.assertEqual(
                (row.previous, row.current), (Decimal('722.02'),
                    Decimal('236.07')))
            self.assertEqual(row.cause, 'volume')

        # The printed form: the register of January with its total
        PrintedTable = pool.get(
            'housing.report.printed_table', type='report')
        with report_context(company, JANUARY):
            content = PrintedTable.render_table(
                Register, Register.search([]), "Ведомость начислений")
        text = ' '.join(pdf_text(content).split())
        self.assertIn("Ведомость начислений", text)
        self.assertIn("365,70", text)
        self.assertIn("Плательщик 101", text)
        self.assertIn(
            '{:,.2f}'.format(january.total).replace(',', ' ').replace(
                '.', ','), text)
