# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""Legal entities: the month of a company's office is a posted customer
invoice, not a bare receivable line; the ledger keeps the run's total; the
act prints the amount in words."""
from decimal import Decimal
from io import BytesIO

from pypdf import PdfReader
from trytond.modules.company.tests import create_company, set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction

from ..amount_words import amount_in_words
from .penalty_tools import LedgerTestCase
from .report_data_stock import build_house


def receivable_lines(account):
    Line = Pool().get('account.move.line')
    return Line.search([('housing_account', '=', account.id)])


class LegalEntityTestCase(LedgerTestCase):
    "Test the invoices and acts of legal entities"

    @with_transaction()
    def test_invoice_posted_with_the_run(self):
        "The office's month is a posted invoice and an act; ledger = run"
        company = create_company()
        with set_company(company):
            house = build_house(company, pay_december=False)
            run = house.run
            flat1, flat2, office = house.accounts
            self.assertEqual(run.state, 'posted')
            self.assertEqual(run.total, Decimal('8400.00'))

            invoice, = run.invoices
            self.assertEqual(invoice.state, 'posted')
            self.assertEqual(invoice.type, 'out')
            # Numbered in Cyrillic: no ISO 11649 reference, and Tryton's
            # invoice report (cached when it is posted) prints.
            self.assertTrue(invoice.number.startswith('А-'))
            self.assertIsNone(invoice.customer_payment_reference)
            self.assertTrue(invoice.invoice_report_cache)
            self.assertEqual(invoice.party, house.parties.romashka)
            self.assertEqual(invoice.housing_account, office)
            self.assertEqual(invoice.total_amount, Decimal('2100.00'))
            self.assertEqual(invoice.account.code, '62.01')
            line, = invoice.lines
            self.assertEqual(
                (line.quantity, line.unit_price, line.amount,
                    line.account.code, line.unit, line.housing_service),
                (50.0, Decimal('42.00'), Decimal('2100.00'), '90.01',
                    house.service.unit, house.service))
            self.assertEqual(list(office.invoices), [invoice])

            # The office's receivable is the invoice's line only.
            lines = receivable_lines(office)
            self.assertEqual([ml.move for ml in lines], [invoice.move])
            self.assertEqual(
                [(ml.debit, ml.credit, ml.party) for ml in lines],
                [(Decimal('2100.00'), 0, house.parties.romashka)])
            for account, amount in [(flat1, '4200.00'), (flat2, '2100.00')]:
                line, = receivable_lines(account)
                self.assertEqual(line.move.origin, run)
                self.assertEqual(line.debit, Decimal(amount))

            # Not counted twice: the bulk move credits 90.01 for the
            # flats only, the invoice for the office.
            bulk, = run.moves
            revenue = sum(ml.credit - ml.debit for ml in bulk.lines
                if ml.account.code == '90.01')
            self.assertEqual(revenue, Decimal('6300.00'))
            Line = Pool().get('account.move.line')
            receivable = sum((ml.debit - ml.credit for ml in Line.search([
                            ('housing_account', '!=', None)])), Decimal(0))
            self.assertEqual(receivable, run.total)
            revenue = sum((ml.credit - ml.debit for ml in Line.search([
                            ('account.code', '=', '90.01')])), Decimal(0))
            self.assertEqual(revenue, run.total)
            self.assertEqual(run.ledger_origins(), [str(run), str(invoice)])

            # The act names the parties, the service and the amount in words
            Act = Pool().get('housing.legal_entity.act', type='report')
            _, content, _, _ = Act.execute([invoice.id], {
                    'model': 'account.invoice', 'id': invoice.id,
                    'ids': [invoice.id]})
        text = '\n'.join(p.extract_text()
            for p in PdfReader(BytesIO(content)).pages)
        self.assertIn("Акт оказанных услуг № %s" % invoice.number, text)
        self.assertIn("ООО «Ромашка», ИНН 7707083893", text)
        self.assertIn("Содержание жилого помещения, 11.2025", text)
        self.assertIn("Две тысячи сто рублей 00 копеек", text)
        self.assertIn("100003", text)

    def test_amount_in_words(self):
        "Plural forms of rubles and kopecks"
        for amount, words in [
                ('1', "Один рубль 00 копеек"),
                ('2', "Два рубля 00 копеек"),
                ('5', "Пять рублей 00 копеек"),
                ('21', "Двадцать один рубль 00 копеек"),
                ('1000', "Одна тысяча рублей 00 копеек"),
                ('1234.56',
                    "Одна тысяча двести тридцать четыре рубля 56 копеек"),
                ('11.11', "Одиннадцать рублей 11 копеек"),
                ('102.22', "Сто два рубля 22 копейки"),
                ('1000000.01', "Один миллион рублей 01 копейка"),
                ]:
            with self.subTest(amount=amount):
                self.assertEqual(amount_in_words(Decimal(amount)), words)
