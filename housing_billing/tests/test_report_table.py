# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"The printed form of a report list: read back from the PDF it draws."
import datetime as dt
from decimal import Decimal
from io import BytesIO

from pypdf import PdfReader
from trytond.modules.company.tests import create_company, set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from .tools import HousingTestCase, create_building


def pdf_text(content):
    reader = PdfReader(BytesIO(content))
    return [page.extract_text() for page in reader.pages]


class PrintedTableTestCase(HousingTestCase):
    "Test the printed table of the reports"

    @with_transaction()
    def test_columns_of_the_list_view(self):
        "The printed columns are those of the model's list view"
        pool = Pool()
        PrintedTable = pool.get(
            'housing.report.printed_table', type='report')
        Building = pool.get('housing.building')
        columns = PrintedTable.columns(Building)
        self.assertIn('address', columns)
        self.assertEqual(columns[0], Building.fields_view_get(
                view_type='tree')['arch'].split('name="')[1].split('"')[0])

    @with_transaction()
    def test_rows_heading_totals_and_pages(self):
        "Every row, the heading, the total of money columns and page N of M"
        pool = Pool()
        PrintedTable = pool.get(
            'housing.report.printed_table', type='report')
        Building = pool.get('housing.building')
        company = create_company()
        with set_company(company):
            buildings = [
                create_building(
                    address="ул. Садовая, д. %s" % i,
                    areas=[(dt.date(2020, 1, 1), Decimal('1000.5') + i)])
                for i in range(1, 121)]
        with Transaction().set_context(
                company=company.id,
                period_from=dt.date(2026, 9, 1),
                period_to=dt.date(2026, 10, 1)):
            content = PrintedTable.render_table(
                Building, Building.browse(buildings), "Дома")
        pages = pdf_text(content)
        self.assertGreater(len(pages), 1)
        text = '\n'.join(pages)
        self.assertIn("Дома", pages[0])
        self.assertIn(company.rec_name, pages[0])
        self.assertIn("09.2026", pages[0])
        self.assertIn("10.2026", pages[0])
        for i in (1, 60, 120):
            self.assertIn("ул. Садовая, д. %s" % i, text)
        self.assertIn("Page 1 of %s" % len(pages), pages[0])
        self.assertIn(
            "Page %s of %s" % (len(pages), len(pages)), pages[-1])
        self.assertIn("Chief accountant", pages[-1])

    @with_transaction()
    def test_money_total(self):
        "A numeric column (the area here) gets its total on the last row"
        pool = Pool()
        PrintedTable = pool.get(
            'housing.report.printed_table', type='report')
        Building = pool.get('housing.building')

        company = create_company()
        with set_company(company):
            buildings = [
                create_building(
                    address="д. %s" % i,
                    areas=[(dt.date(2020, 1, 1), Decimal(area))])
                for i, area in enumerate(['1234.56', '0.45'])]
        with Transaction().set_context(company=company.id):
            content = PrintedTable.render_table(
                Building, Building.browse(buildings), "Дома")
        text = pdf_text(content)[0]
        self.assertIn("Total", text)
        self.assertIn("1\xa0235,01", text.replace(' ', '\xa0'))
