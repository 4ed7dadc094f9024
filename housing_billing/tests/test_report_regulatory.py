# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""Group I reports: the inspectorate pack of an account (I6) and the
disclosure data set (I7) on the small house of report_data_stock."""
from decimal import Decimal
from io import BytesIO

from pypdf import PdfReader
from trytond.modules.company.tests import create_company, set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from .penalty_tools import LedgerTestCase
from .report_data_stock import DECEMBER, NOVEMBER, D, build_house
from .test_report_stock import pdf_text


class ReportRegulatoryTestCase(LedgerTestCase):
    "Test the inspectorate pack and the disclosure data set"

    @with_transaction()
    def test_inspection_and_disclosure(self):
        "I6 prints the account's figures; I7 = F1, F4, A7, B1, B3, C5"
        pool = Pool()
        Disclosure = pool.get('housing.report.disclosure')
        Passport = pool.get('housing.report.house_passport')
        Summary = pool.get('housing.report.chairman')
        Case = pool.get('housing.court_case')
        Pack = pool.get('housing.report.inspection', type='report')
        company = create_company()
        with set_company(company):
            house = build_house(company)
            flat1, flat2, office = house.accounts
            Case.create([{
                        'account': flat2.id,
                        'debtor': house.parties.petrov.id,
                        'period_from': NOVEMBER, 'period_to': NOVEMBER,
                        'principal': Decimal('1100.00'),
                        'penalty': Decimal('10.50'),
                        'filed': D(2025, 12, 20), 'state': 'filed',
                        }])
            context = dict(company=company.id, period_from=NOVEMBER,
                period_to=DECEMBER)
            with Transaction().set_context(**context):
                rows = Disclosure.search([])
                values = {(r.item, r.service): r.value for r in rows}
                self.assertEqual(values, {
                        ('total_area', None): Decimal('200'),
                        ('residential_area', None): Decimal('150'),
                        ('non_residential_area', None): Decimal('50'),
                        ('common_area', None): Decimal('30'),
                        ('premises', None): Decimal('3'),
                        ('accounts', None): Decimal('3'),
                        ('residents', None): Decimal('4'),
                        ('tariff', house.service): Decimal('42.00'),
                        ('accrued', None): Decimal('8400.00'),
                        ('collected', None): Decimal('5200.00'),
                        ('debt', None): Decimal('3200.00'),
                        ('court_cases', None): Decimal('1'),
                        ('claimed', None): Decimal('1110.50'),
                        })
                self.assertEqual(len({r.id for r in rows}), len(rows))
                self.assertEqual(
                    [r.source for r in rows[:4]], ['F4'] * 4)
                # Check: the values equal their source reports.
                passport, = Passport.search([])
                self.assertEqual(values['residential_area', None],
                    passport.residential_area)
                months = Summary.search([])
                self.assertEqual(values['accrued', None],
                    sum(m.accrued for m in months))
                self.assertEqual(values['collected', None],
                    sum(m.collected for m in months))
                self.assertEqual(values['debt', None], months[-1].debt)
                read = Disclosure.read([rows[0].id], ['item', 'value'])
                self.assertEqual(read[0]['item'], 'total_area')
                PrintedTable = pool.get(
                    'housing.report.printed_table', type='report')
                text = pdf_text(PrintedTable.render_table(
                        Disclosure, rows, "Раскрытие информации"))
                self.assertIn("Раскрытие информации", text)
                self.assertIn("Total Area, m²", text)
                self.assertIn("8 400,00", text.replace('\xa0', ' '))
                self.assertNotIn(" Total\n", text)  # no sum of units
            with Transaction().set_context(
                    company=company.id, period_from=NOVEMBER,
                    period_to=NOVEMBER, buildings=[-1]):
                self.assertEqual(Disclosure.search([]), [])

            with Transaction().set_context(**context):
                content = Pack.render([flat2])
            text = '\n'.join(p.extract_text()
                for p in PdfReader(BytesIO(content)).pages)
            text = text.replace('\xa0', ' ')
            self.assertIn("Ответ на запрос ГЖИ", text)
            self.assertIn("100002", text)
            self.assertIn("Содержание жилого помещения", text)
            self.assertIn("42,0000", text)
            self.assertIn("2 100,00", text)
            # the statement: opened 0, charged 2 100.00, paid 1 000.00
            self.assertIn("11.2025", text)
            self.assertIn("1 100,00", text)
            self.assertIn("ПП-2025-12-08", text)
            statement = Pack.statement(flat2, NOVEMBER, DECEMBER)
            self.assertEqual(statement, [
                    (NOVEMBER, Decimal(0), Decimal('2100.00'), Decimal(0),
                        Decimal('2100.00')),
                    (DECEMBER, Decimal('2100.00'), Decimal(0),
                        Decimal('1000.00'), Decimal('1100.00'))])
