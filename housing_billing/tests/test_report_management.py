# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""Group H reports: the chairman's monthly summary (H3) and the manual
adjustments log (H5) on the small house of report_data_stock."""
from decimal import Decimal
from io import BytesIO

from pypdf import PdfReader
from trytond.modules.company.tests import create_company, set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from .penalty_tools import LedgerTestCase, setup_penalty_service
from .report_data_stock import DECEMBER, NOVEMBER, D, build_house
from .tools import create_service


class ReportManagementTestCase(LedgerTestCase):
    "Test the chairman's summary and the manual adjustments log"

    @with_transaction()
    def test_chairman_and_adjustments(self):
        "H3 figures = the run, the payments and the ledger; H5 lists all"
        pool = Pool()
        Summary = pool.get('housing.report.chairman')
        Log = pool.get('housing.report.manual_adjustment')
        Case = pool.get('housing.court_case')
        OneOff = pool.get('housing.one_off_charge')
        Request = pool.get('housing.recalculation')
        Payment = pool.get('housing.payment')
        Line = pool.get('account.move.line')
        company = create_company()
        with set_company(company):
            house = build_house(company)
            flat1, flat2, office = house.accounts
            Case.create([{
                        'account': flat2.id,
                        'debtor': house.parties.petrov.id,
                        'period_from': NOVEMBER, 'period_to': NOVEMBER,
                        'principal': Decimal('1100.00'),
                        'filed': D(2025, 12, 20), 'state': 'filed',
                        }])
            penalty_service = setup_penalty_service()
            pool.get('housing.account.service').create([{
                        'account': a.id, 'service': penalty_service.id,
                        'date_from': DECEMBER} for a in [flat1, flat2]])
            one_offs = OneOff.create([{
                        'account': flat2.id, 'service': penalty_service.id,
                        'period': DECEMBER, 'quantity': Decimal(1),
                        'amount': Decimal('150.00'),
                        'note': "Замена пломбы",
                        }, {
                        'account': flat1.id, 'service': penalty_service.id,
                        'period': DECEMBER, 'quantity': Decimal(2),
                        'tariff': Decimal('12.345'),
                        }])
            request, = Request.create([{
                        'building': house.building.id,
                        'account': flat1.id, 'period': DECEMBER,
                        'reason': 'manual',
                        'description': "Жалоба от 01.12.2025",
                        }])

            # Two water meters, one read in December (D1/D2: 50 %)
            Meter = pool.get('housing.meter')
            water = create_service('HVS')
            meters = Meter.create([{
                        'service': water.id, 'building': house.building.id,
                        'premises': flat.id, 'serial_number': number,
                        'installation_date': D(2024, 1, 10),
                        'installation_value1': Decimal('100'),
                        } for flat, number in zip(
                        house.flats, ['M-1', 'M-2'])])
            pool.get('housing.meter.reading').create([{
                        'meter': meters[0].id, 'date': D(2025, 12, 20),
                        'value1': Decimal('104.5')}])
            with Transaction().set_context(
                    company=company.id, period_from=NOVEMBER,
                    period_to=DECEMBER):
                november, december = Summary.search([])
                self.assertEqual(
                    [(r.period, r.accrued, r.collected, r.collection_rate,
                            r.debt_opening, r.debt, r.debt_change, r.cash,
                            r.open_cases, r.meters, r.meters_read,
                            r.readings_rate) for r in [november, december]],
                    [(NOVEMBER, Decimal('8400.00'), Decimal('0'), Decimal(
                                '0.00'), Decimal('0'), Decimal('8400.00'),
                            Decimal('8400.00'), Decimal('0'), 0, 2, 0,
                            Decimal('0.00')),
                        (DECEMBER, Decimal('0'), Decimal('5200.00'), None,
                            Decimal('8400.00'), Decimal('3200.00'),
                            Decimal('-5200.00'), Decimal('5200.00'), 1, 2, 1,
                            Decimal('50.00'))])
                # Check: each figure = its source.
                self.assertEqual(november.accrued, house.run.total)
                self.assertEqual(december.collected, sum(
                        p.amount for p in Payment.search([
                                ('date', '>=', DECEMBER),
                                ('state', '=', 'posted')])))
                self.assertEqual(december.debt, sum(
                        (ml.debit - ml.credit for ml in Line.search([
                                    ('housing_account', '!=', None)])),
                        Decimal(0)))
                self.assertEqual(
                    december.debt_opening, november.debt)
                self.assertEqual(
                    [(a.number, d) for a, d in Summary.top_debtors(
                            D(2025, 12, 31))],
                    [('100003', Decimal('2100.00')),
                        ('100002', Decimal('1100.00'))])
                with Transaction().set_context(
                        buildings=[house.building.id]):
                    self.assertEqual(
                        Summary.search([])[1].debt, Decimal('3200.00'))

                Print = pool.get(
                    'housing.report.chairman_print', type='report')
                content = Print.render(
                    Summary, [november, december], "Сводка председателя")
                text = '\n'.join(p.extract_text()
                    for p in PdfReader(BytesIO(content)).pages)
                self.assertIn("Сводка председателя", text)
                self.assertIn("10 крупнейших должников", text)
                self.assertIn("ООО «Ромашка»", text)
                self.assertIn("8 400,00", text.replace('\xa0', ' '))

            with Transaction().set_context(
                    company=company.id, period_from=DECEMBER,
                    period_to=DECEMBER):
                rows = Log.search([])
                self.assertEqual(
                    sorted((r.kind, r.account.number, r.amount, r.reason,
                            r.without_reason) for r in rows),
                    [('one_off', '100001', Decimal('24.69'), None, True),
                        ('one_off', '100002', Decimal('150.00'),
                            "Замена пломбы", False),
                        ('payment', '100001', Decimal('-4200.00'),
                            'ПП-2025-12-05', False),
                        ('payment', '100002', Decimal('-1000.00'),
                            'ПП-2025-12-08', False),
                        ('recalculation', '100001', None,
                            "Жалоба от 01.12.2025", False)])
                self.assertEqual(
                    {r.document for r in rows},
                    set(house.payments) | set(one_offs) | {request})
                self.assertTrue(all(r.user for r in rows))
                # Check: every move on a personal account that the engine
                # did not write appears.
                moves = {ml.move for ml in Line.search([
                            ('housing_account', '!=', None),
                            ('move.date', '>=', DECEMBER)])}
                self.assertEqual(moves, {
                        r.document.move for r in rows
                        if r.kind == 'payment'})
                with Transaction().set_context(
                        services=[penalty_service.id]):
                    self.assertEqual(
                        {r.kind for r in Log.search([])}, {'one_off'})
            with Transaction().set_context(
                    company=company.id, period_from=NOVEMBER,
                    period_to=NOVEMBER):
                self.assertEqual(Log.search([]), [])
