# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""Reports of penalties (C1, C2) on known data (report_data_debt): the
court statement reproduces G-F2 (134.39) and adds up to the penalty
register and the account statement."""
from decimal import ROUND_HALF_UP, Decimal
from io import BytesIO

from pypdf import PdfReader
from trytond.modules.company.tests import create_company, set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from ..report_penalty import court_statement, formula
from .penalty_tools import D, LedgerTestCase
from .report_data_debt import ledger_balance, setup_debts
from .test_report_debt import rows

M = Decimal


class ReportPenaltyTestCase(LedgerTestCase):
    "Test the reports of penalties"

    @with_transaction()
    def test_penalties(self):
        "C1 register and C2 statement: rows, formula, totals, PDF and CSV"
        pool = Pool()
        company = create_company()
        with set_company(company):
            a, b = setup_debts(company)
            context = dict(company=company.id, period_from=D(2025, 11, 1),
                period_to=D(2026, 2, 1))
            c1 = rows('housing.report.penalty.register',
                ['account', 'month', 'calculation_date', 'amount',
                    'cumulative'], **context)
            self.assertEqual(c1, [
                    (a.id, D(2026, 1, 1), D(2026, 1, 31), M('29.26'),
                        M('29.26')),
                    (a.id, D(2026, 2, 1), D(2026, 2, 28), M('47.07'),
                        M('76.33')),
                    (b.id, D(2026, 2, 1), D(2026, 2, 28), M('6.63'),
                        M('6.63')),
                    ])
            # the cumulative of February from February alone
            self.assertEqual(rows('housing.report.penalty.register',
                    ['cumulative'], company=company.id,
                    period_from=D(2026, 2, 1), period_to=D(2026, 2, 1),
                    accounts=[a.id]), [(M('76.33'),)])

            # C2 on the day of the last run = C1 cumulative
            statement = court_statement(a, D(2026, 2, 28))
            self.assertEqual(statement['penalty'], M('76.33'))
            # G-F2 on 31.03.2026: 134.39
            statement = court_statement(a, D(2026, 3, 31))
            penalty_rows = [r for m in statement['months']
                for r in m['rows']]
            self.assertEqual(
                [(r.period.start, r.date_from, r.date_to, r.days, r.base,
                        r.amount) for r in penalty_rows], [
                    (D(2025, 11, 1), D(2026, 1, 10), D(2026, 2, 20), 42,
                        M('4200.00'), M('55.86')),
                    (D(2025, 12, 1), D(2026, 2, 12), D(2026, 2, 20), 9,
                        M('4650.00'), M('13.25')),
                    (D(2025, 12, 1), D(2026, 2, 21), D(2026, 3, 31), 39,
                        M('2850.00'), M('35.20')),
                    (D(2026, 1, 1), D(2026, 3, 13), D(2026, 3, 31), 19,
                        M('5000.00'), M('30.08')),
                    ])
            for row in penalty_rows:
                self.assertEqual(
                    row.days, (row.date_to - row.date_from).days + 1)
                self.assertEqual(row.amount, (row.base * row.days
                        * row.fraction.numerator / row.fraction.denominator
                        * row.rate / 100).quantize(
                        M('0.01'), rounding=ROUND_HALF_UP))
            self.assertEqual(
                formula(penalty_rows[0]), "4\xa0200,00 × 42 × 1/300 × 9,5 %")
            self.assertEqual(statement['penalty'], M('134.39'))
            self.assertEqual(
                [(m['period'], m['charged'], m['paid'], m['debt'],
                        m['cumulative']) for m in statement['months']], [
                    (D(2025, 11, 1), M('4200.00'), M('4200.00'), 0,
                        0),
                    (D(2025, 12, 1), M('4650.00'), M('1800.00'),
                        M('2850.00'), M('2850.00')),
                    (D(2026, 1, 1), M('5000.00'), 0, M('5000.00'),
                        M('7850.00')),
                    (D(2026, 2, 1), M('5000.00'), 0, M('5000.00'),
                        M('12850.00')),
                    ])
            # the debt at the end = B8 balance less the penalties charged
            self.assertEqual(statement['principal'],
                ledger_balance([a], D(2026, 3, 31)) - M('76.33'))
            self.assertEqual(statement['total'], M('12984.39'))
            # claimed months only
            claimed = court_statement(
                a, D(2026, 3, 31), D(2025, 12, 1), D(2025, 12, 1))
            self.assertEqual(claimed['penalty'], M('48.45'))
            self.assertEqual(claimed['principal'], M('2850.00'))

            Statement = pool.get(
                'housing.report.court_statement', type='report')
            StatementCSV = pool.get(
                'housing.report.court_statement_csv', type='report')
            with Transaction().set_context(company=company.id):
                pdf = Statement.execute([a.id], {
                        'model': 'housing.account', 'date': D(2026, 3, 31)})
                csv = StatementCSV.execute([a.id], {
                        'model': 'housing.account', 'date': D(2026, 3, 31)})
        self.assertEqual(pdf[0], 'pdf')
        text = '\n'.join(p.extract_text()
            for p in PdfReader(BytesIO(pdf[1])).pages).replace('\xa0', ' ')
        self.assertIn("Расчёт задолженности и пеней", text)
        self.assertIn("4 200,00 × 42 × 1/300 × 9,5 %", text)
        self.assertIn("Оплата 20.02.2026 — 1 800,00 ₽", text)
        self.assertIn("134,39", text)
        self.assertIn("12 984,39", text)
        self.assertEqual(csv[0], 'csv')
        lines = csv[1].decode('utf-8-sig').splitlines()
        self.assertIn('Пени;134,39', lines)
        self.assertIn('11.2025;4\xa0200,00;4\xa0200,00;0,00;0,00', lines)
