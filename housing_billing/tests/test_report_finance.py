# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""Reports of finance (G1, G2) and the annual report per building (H2) on
known data (report_data_debt with a supplier): figures and «Check»."""
from decimal import Decimal
from io import BytesIO

from pypdf import PdfReader
from trytond.modules.company.tests import create_company, set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from .penalty_tools import D, LedgerTestCase, ledger_account
from .report_data_debt import ledger_balance, post_move, setup_debts
from .test_report_debt import rows

M = Decimal


class ReportFinanceTestCase(LedgerTestCase):
    "Test the reports of finance and the annual report"

    @with_transaction()
    def test_finance(self):
        "G1 differences 0 (then a line without account), G2, H2"
        pool = Pool()
        company = create_company()
        with set_company(company):
            a, b, supplier = setup_debts(company, supplier=True)
            context = dict(company=company.id, period_from=D(2026, 2, 1),
                period_to=D(2026, 3, 1))

            # G2: the supplier's settlement
            fields = ['supplier', 'opening', 'accrued', 'recalculated',
                'collected', 'transferred', 'closing', 'uncollected']
            g2 = rows('housing.report.supplier_settlement', fields,
                **context)
            self.assertEqual(g2, [(supplier.id, 0, M('1000.00'), 0,
                        M('500.00'), M('400.00'), M('600.00'),
                        M('500.00'))])
            row = g2[0]
            self.assertEqual(row[6], row[1] + row[2] + row[3] - row[5])
            # collected = B2 paid for the supplier's services
            water, = pool.get('housing.service').search(
                [('code', '=', 'HVS')])
            b2 = rows('housing.report.turnover.building_service',
                ['service', 'paid'], services=[water.id], **context)
            self.assertEqual(b2, [(water.id, M('500.00'))])

            # H2: per building, closing = opening + accrued − received
            fields = ['building', 'opening', 'accrued_maintenance',
                'accrued_utilities', 'accrued_capital_repair',
                'accrued_other', 'penalty', 'received', 'closing']
            h2 = rows('housing.report.building_annual', fields, **context)
            self.assertEqual(h2, [
                    (a.building.id, M('13879.26'), M('5000.00'),
                        M('1000.00'), 0, 0, M('47.07'), M('9000.00'),
                        M('10926.33')),
                    (b.building.id, M('4825.00'), M('2500.00'), 0, 0, 0,
                        M('6.63'), M('8000.00'), M('-668.37')),
                    ])
            self.assertEqual(h2[0][-1], ledger_balance([a], D(2026, 3, 31)))
            self.assertEqual(h2[1][-1], ledger_balance([b], D(2026, 3, 31)))

            # G1: billing = ledger on every line
            fields = ['kind', 'ledger_account', 'billing', 'ledger',
                'difference']
            g1 = rows('housing.report.ledger_reconciliation', fields,
                **context)
            code = {r: ledger_account(r).id
                for r in ['62.02', '90.01', '76.01', '91.01']}
            self.assertEqual({r[:2]: r[2:] for r in g1}, {
                    ('credit', code['90.01']): (
                        M('7500.00'), M('7500.00'), 0),
                    ('credit', code['91.01']): (M('53.70'), M('53.70'), 0),
                    ('credit', code['76.01']): (
                        M('1000.00'), M('1000.00'), 0),
                    ('penalty', code['62.02']): (M('82.96'), M('82.96'), 0),
                    ('receivable', None): (
                        M('10175.00'), M('10175.00'), 0),
                    })
            # A receivable line without personal account shows
            post_move(D(2026, 3, 20), [
                    ('62.01', '10.00', 0, a.payer),
                    ('91.01', 0, '10.00', None)])
            g1 = rows('housing.report.ledger_reconciliation', fields,
                **context)
            self.assertEqual(
                [r[2:] for r in g1 if r[0] == 'receivable'],
                [(M('10175.00'), M('10185.00'), M('-10.00'))])

            # printed
            PrintedTable = pool.get(
                'housing.report.printed_table', type='report')
            Annual = pool.get('housing.report.building_annual')
            with Transaction().set_context(**context):
                content = PrintedTable.render_table(
                    Annual, Annual.search([]), "Годовой отчёт")
        text = PdfReader(BytesIO(content)).pages[0].extract_text()
        text = text.replace('\xa0', ' ')
        self.assertIn("Годовой отчёт", text)
        self.assertIn("ул. Лесная, д. 2", text)
        self.assertIn("10 926,33", text)
