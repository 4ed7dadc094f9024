# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""Reports of payments and debts (group B) on known data
(report_data_debt): exact figures and each report's «Check»."""
from decimal import Decimal
from io import BytesIO

from pypdf import PdfReader
from trytond.model.exceptions import AccessError
from trytond.modules.company.tests import create_company, set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from .penalty_tools import D, LedgerTestCase, pay
from .report_data_debt import ledger_balance, setup_debts

M = Decimal


def rows(name, fields, **context):
    "The rows of report ``name`` read in context, as tuples of fields"
    Model = Pool().get(name)
    with Transaction().set_context(**context):
        records = Model.search([])
        values = Model.read([r.id for r in records], fields)
    return [tuple(v[f] for f in fields) for v in values]


class ReportDebtTestCase(LedgerTestCase):
    "Test the reports of payments and debts"

    def context(self, company, period_from=D(2026, 1, 1),
            period_to=D(2026, 2, 1), **extra):
        return dict(company=company.id, period_from=period_from,
            period_to=period_to, **extra)

    @with_transaction()
    def test_turnover_and_statement(self):
        "B1, B2, B8, B3: figures, closing = ledger, closing(m) = opening(m+1)"
        company = create_company()
        with set_company(company):
            a, b = setup_debts(company)
            context = self.context(company)
            fields = ['account', 'opening_debit', 'opening_credit', 'accrued',
                'recalculated', 'penalty', 'paid', 'closing_debit',
                'closing_credit']
            b1 = rows('housing.report.turnover.account', fields, **context)
            self.assertEqual(b1, [
                    (a.id, M('8850.00'), 0, M('10000.00'), 0, M('76.33'),
                        M('6000.00'), M('12926.33'), 0),
                    (b.id, M('2325.00'), 0, M('5000.00'), 0, M('6.63'),
                        M('8000.00'), 0, M('668.37')),
                    ])
            for row in b1:
                opening = row[1] - row[2]
                closing = row[7] - row[8]
                self.assertEqual(
                    closing, opening + row[3] + row[4] + row[5] - row[6])
            self.assertEqual(
                sum(r[7] - r[8] for r in b1),
                ledger_balance(until=D(2026, 2, 28)))
            self.assertEqual(sum(r[7] - r[8] for r in b1), M('12257.96'))
            # The month before closes on the opening
            december = rows('housing.report.turnover.account', fields,
                **self.context(company, D(2025, 12, 1), D(2025, 12, 1)))
            self.assertEqual([r[7] - r[8] for r in december],
                [r[1] - r[2] for r in b1])
            self.assertEqual(rows('housing.report.turnover.account',
                    ['account'], balance='advance', **context), [(b.id,)])
            self.assertEqual(rows('housing.report.turnover.account',
                    ['account'], balance='debt', **context), [(a.id,)])
            self.assertEqual(rows('housing.report.turnover.account',
                    ['account'], accounts=[b.id], **context), [(b.id,)])

            # B8: one row a month, closing = next opening = B1
            fields = ['account', 'month', 'opening', 'accrued', 'penalty',
                'paid', 'closing']
            b8 = rows('housing.report.account_statement', fields,
                **context)
            self.assertEqual(b8, [
                    (a.id, D(2026, 1, 1), M('8850.00'), M('5000.00'),
                        M('29.26'), 0, M('13879.26')),
                    (a.id, D(2026, 2, 1), M('13879.26'), M('5000.00'),
                        M('47.07'), M('6000.00'), M('12926.33')),
                    (b.id, D(2026, 1, 1), M('2325.00'), M('2500.00'),
                        0, 0, M('4825.00')),
                    (b.id, D(2026, 2, 1), M('4825.00'), M('2500.00'),
                        M('6.63'), M('8000.00'), M('-668.37')),
                    ])
            self.assertEqual(b8[0][-1], b8[1][2])
            self.assertEqual(b8[1][-1], ledger_balance([a], D(2026, 2, 28)))
            self.assertEqual(b8[0][-1], ledger_balance([a], D(2026, 1, 31)))

            # B9: running balance ends on B8's closing
            b9 = rows('housing.report.reconciliation_act',
                ['date', 'kind', 'debit', 'credit', 'balance'],
                accounts=[a.id], **context)
            self.assertEqual(b9, [
                    (D(2025, 12, 31), 'opening', M('8850.00'), 0,
                        M('8850.00')),
                    (D(2026, 1, 31), 'accrual', M('5000.00'), 0,
                        M('13850.00')),
                    (D(2026, 1, 31), 'penalty', M('29.26'), 0,
                        M('13879.26')),
                    (D(2026, 2, 20), 'payment', 0, M('6000.00'),
                        M('7879.26')),
                    (D(2026, 2, 28), 'accrual', M('5000.00'), 0,
                        M('12879.26')),
                    (D(2026, 2, 28), 'penalty', M('47.07'), 0,
                        M('12926.33')),
                    ])
            self.assertEqual(b9[-1][-1], b8[1][-1])
            self.assertEqual(
                rows('housing.report.reconciliation_act', ['balance'],
                    accounts=[b.id], **context)[-1], (M('-668.37'),))

            # B2: Σ closing = B1, payments split by service
            fields = ['building', 'service', 'opening', 'accrued',
                'penalty', 'paid', 'closing']
            b2 = rows('housing.report.turnover.building_service', fields,
                **context)
            sod = a.services[0].service.id
            peni, = Pool().get('housing.service').search(
                [('code', '=', 'PENI')])
            self.assertEqual(
                {r[:2]: r[2:] for r in b2}, {
                    (a.building.id, sod): (M('8850.00'), M('10000.00'), 0,
                        M('6000.00'), M('12850.00')),
                    (a.building.id, peni.id): (
                        0, 0, M('76.33'), 0, M('76.33')),
                    (b.building.id, sod): (M('2325.00'), M('5000.00'), 0,
                        M('4825.00'), M('2500.00')),
                    (b.building.id, None): (0, 0, 0, M('3175.00'),
                        M('-3175.00')),
                    (b.building.id, peni.id): (
                        0, 0, M('6.63'), 0, M('6.63')),
                    })
            self.assertEqual(sum(r[-1] for r in b2), M('12257.96'))

            # B3
            register = rows('housing.report.payment.register',
                ['date', 'channel', 'account', 'amount', 'allocated',
                    'advance'], **context)
            self.assertEqual(sorted(register, key=lambda r: r[2]), [
                    (D(2026, 2, 20), 'bank', a.id, M('6000.00'),
                        M('6000.00'), 0),
                    (D(2026, 2, 20), 'cash', b.id, M('8000.00'),
                        M('4825.00'), M('3175.00')),
                    ])
            for row in register:
                self.assertEqual(row[4] + row[5], row[3])
            channels = rows('housing.report.payment.channel',
                ['month', 'channel', 'count', 'amount'],
                **self.context(company, D(2025, 12, 1)))
            self.assertEqual(channels, [
                    (D(2025, 12, 1), 'cash', 1, M('2100.00')),
                    (D(2026, 2, 1), 'bank', 1, M('6000.00')),
                    (D(2026, 2, 1), 'cash', 1, M('8000.00')),
                    ])
            Channel = Pool().get('housing.report.payment.channel')
            self.assertEqual(
                [c[0] for c in Channel.get_channels()], ['cash', 'bank'])

    @with_transaction()
    def test_payment_of_penalties(self):
        "Penalties paid apart: B3's own column, B5 principal unchanged"
        company = create_company()
        with set_company(company):
            a, b = setup_debts(company)
            pay(a, D(2026, 2, 25), '50.00', purpose='penalties')
            context = self.context(company)
            register = rows('housing.report.payment.register',
                ['date', 'account', 'amount', 'allocated', 'advance',
                    'penalty', 'purpose'], **context)
            self.assertIn((D(2026, 2, 25), a.id, M('50.00'), 0, 0,
                    M('50.00'), 'penalties'), register)
            for row in register:
                self.assertEqual(row[3] + row[4] + row[5], row[2])
            b5 = rows('housing.report.debt.ageing',
                ['account', 'total', 'months', 'penalty'], **context)
            # The principal as before the payment; 76.33 − 50.00 penalties
            self.assertEqual(b5[0], (a.id, M('12850.00'), 3, M('26.33')))
            self.assertEqual(b5[0][1] + b5[0][-1],
                ledger_balance([a], D(2026, 2, 28)))
            statement = rows('housing.report.account_statement',
                ['account', 'month', 'paid', 'penalty_paid', 'closing'],
                **context)
            # Paid counts all the money, of which penalties 50.00
            self.assertIn((a.id, D(2026, 2, 1), M('6050.00'), M('50.00'),
                    M('12876.33')), statement)

    @with_transaction()
    def test_ageing_and_debtors(self):
        "B5 buckets = B1 closing less penalties; B6 a subset of B5; B7"
        pool = Pool()
        company = create_company()
        with set_company(company):
            a, b = setup_debts(company)
            context = self.context(company)
            fields = ['account', 'total', 'not_due', 'month_1', 'months_3',
                'months_6', 'months_12', 'months_36', 'months_over',
                'months', 'penalty']
            b5 = rows('housing.report.debt.ageing', fields, **context)
            self.assertEqual(b5, [
                    (a.id, M('12850.00'), M('5000.00'), M('5000.00'),
                        M('2850.00'), 0, 0, 0, 0, 3, M('76.33')),
                    (b.id, 0, 0, 0, 0, 0, 0, 0, 0, 0, M('6.63')),
                    ])
            for row in b5:
                self.assertEqual(sum(row[2:9]), row[1])
            # Check: = B1 closing for an account without advance
            self.assertEqual(b5[0][1] + b5[0][-1],
                ledger_balance([a], D(2026, 2, 28)))
            # As of 20.01.2026 the payments of February are not made yet
            early = rows('housing.report.debt.ageing', fields,
                date=D(2026, 1, 20), **context)
            self.assertEqual(early[0][:5], (a.id, M('8850.00'),
                    0, M('4650.00'), M('4200.00')))
            self.assertEqual(early[1][:4], (b.id, M('2325.00'), 0,
                    M('2325.00')))

            fields = ['account', 'total', 'months', 'penalty',
                'last_payment_date', 'last_payment_amount']
            debtors = rows('housing.report.debtor', fields, **context)
            self.assertEqual(debtors, [
                    (a.id, M('12850.00'), 3, M('76.33'), D(2026, 2, 20),
                        M('6000.00'))])
            self.assertEqual(rows('housing.report.debtor', ['account'],
                    min_months=4, **context), [])
            self.assertEqual(rows('housing.report.debtor', ['account'],
                    min_amount=M('12850.00'), **context), [(a.id,)])
            self.assertEqual(rows('housing.report.debtor', ['account'],
                    min_months=2, min_amount=M('99999'), **context),
                [(a.id,)])

            # B7
            fields = ['building', 'month', 'accrued', 'paid', 'rate',
                'paid_current', 'paid_past']
            b7 = rows('housing.report.collection', fields,
                **self.context(company, D(2025, 12, 1)))
            self.assertEqual(b7, [
                    (a.building.id, D(2025, 12, 1), M('4650.00'), 0,
                        M('0.0'), 0, 0),
                    (a.building.id, D(2026, 1, 1), M('5000.00'), 0,
                        M('0.0'), 0, 0),
                    (a.building.id, D(2026, 2, 1), M('5000.00'),
                        M('6000.00'), M('120.0'), 0, M('6000.00')),
                    (b.building.id, D(2025, 12, 1), M('2325.00'),
                        M('2100.00'), M('90.3'), M('2100.00'), 0),
                    (b.building.id, D(2026, 1, 1), M('2500.00'), 0,
                        M('0.0'), 0, 0),
                    (b.building.id, D(2026, 2, 1), M('2500.00'),
                        M('8000.00'), M('320.0'), M('5675.00'),
                        M('2325.00')),
                    ])

            # Read only by the housing groups
            User = pool.get('res.user')
            ModelData = pool.get('ir.model.data')
            Ageing = pool.get('housing.report.debt.ageing')
            auditor, stranger = User.create([{
                        'name': login, 'login': login,
                        'groups': [('add', groups)],
                        'companies': [('add', [company.id])],
                        'company': company.id,
                        } for login, groups in [
                        ('auditor', [ModelData.get_id(
                                    'housing_billing',
                                    'group_housing_auditor')]),
                        ('stranger', [])]])
            for user in [auditor, stranger]:
                with Transaction().set_user(user.id), \
                        Transaction().set_context(
                            _check_access=True, **context):
                    if user == auditor:
                        self.assertEqual(len(Ageing.search([])), 2)
                    else:
                        with self.assertRaises(AccessError):
                            Ageing.search([])

            # B1 printed: heading, rows and totals read back from the PDF
            PrintedTable = pool.get(
                'housing.report.printed_table', type='report')
            Turnover = pool.get('housing.report.turnover.account')
            with Transaction().set_context(**self.context(company)):
                content = PrintedTable.render_table(
                    Turnover, Turnover.search([]), "ОСВ")
        text = PdfReader(BytesIO(content)).pages[0].extract_text()
        text = text.replace('\xa0', ' ')
        self.assertIn("ОСВ", text)
        self.assertIn("1000234567", text)
        self.assertIn("12 926,33", text)
        self.assertIn("14 000,00", text)

