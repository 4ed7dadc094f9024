# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""The ЕПД read back from its PDF: the QR decoded by zxing-cpp field by
field, the text's totals against the ledger; versions, batches per
building, e-mail to an SMTP server on loopback, the register (A8)."""
import hashlib
import io
import re
import socket
from decimal import Decimal

import pypdfium2
import zxingcpp
from pypdf import PdfReader
from trytond import config
from trytond.modules.company.tests import create_company, set_company
from trytond.pool import Pool
from trytond.sendmail import SMTPDataManager
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from ..engine import qr
from .penalty_tools import (
    GF2_PRICES,
    D,
    LedgerTestCase,
    pay,
    run_month,
    setup_account,
    setup_ledger,
    setup_penalty_service,
)
from .tools import create_account, create_party, create_premises, run_queue

JANUARY = D(2026, 1, 1)
# G-QR1's payee
PAYEE = {
    'payee_name': 'ООО «УК Пример»',
    'payee_inn': '7701234567',
    'payee_kpp': '770101001',
    'payee_bank_account': '40702810200000012345',
    'payee_bank_name': 'ПАО Сбербанк',
    'payee_bic': '044525225',
    'payee_correspondent_account': '30101810400000000225',
    'portal_url': 'https://lk.example.ru',
    }
QR1 = ('ST00012|Name=ООО «УК Пример»|PersonalAcc=40702810200000012345|'
    'BankName=ПАО Сбербанк|BIC=044525225|'
    'CorrespAcc=30101810400000000225|PayeeINN=7701234567|KPP=770101001|'
    'Sum=1218351|Purpose=Оплата ЖКУ за 01.2026, ЛС 1000234567|'
    'PersAcc=1000234567|PaymPeriod=012026|LastName=Иванов|TechCode=02')


def decode_qr(pdf, page=0):
    "The texts of the QR codes of a PDF page, rendered at 216 dpi."
    document = pypdfium2.PdfDocument(pdf)
    image = document[page].render(scale=3).to_pil()
    return [b.text for b in zxingcpp.read_barcodes(image)]


def pdf_text(pdf):
    "The pages' text, no-break spaces as spaces."
    reader = PdfReader(io.BytesIO(pdf))
    return [page.extract_text().replace('\xa0', ' ') for page in reader.pages]


def amount_after(text, label):
    "The amount printed right after label, as a Decimal."
    match = re.search(re.escape(label) + r'\s*([−-]?\d[\d ]*,\d\d)', text)
    if not match:
        raise AssertionError('%r not in %r' % (label, text))
    return Decimal(match.group(1).replace(' ', '').replace(',', '.')
        .replace('−', '-'))


def ledger_balance(account, date):
    "The sum of the account's posted receivable lines up to date."
    Line = Pool().get('account.move.line')
    return sum((line.debit - line.credit for line in Line.search([
                    ('housing_account', '=', account.id),
                    ('move.date', '<=', date),
                    ('move.state', '=', 'posted'),
                    ])), Decimal(0))


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


class HousingReceiptTestCase(LedgerTestCase):
    "Test the ЕПД"

    def setup_january(self, company):
        """G-F2's months with penalties: November and December unpaid,
        January posted (5 000.00 and a penalty of 29.26), 3 000.00 paid on
        20 January."""
        Configuration = Pool().get('housing.configuration')
        setup_ledger(company, [2025, 2026])
        setup_penalty_service()
        account = setup_account(GF2_PRICES)
        configuration = Configuration(1)
        for name, value in PAYEE.items():
            setattr(configuration, name, value)
        configuration.save()
        for period in [D(2025, 11, 1), D(2025, 12, 1), JANUARY]:
            run_month(period)
        pay(account, D(2026, 1, 20), '3000.00')
        return account

    @with_transaction()
    def test_qr_golden_round_trip(self):
        "G-QR1 drawn as vectors and decoded by zxing-cpp gives it back"
        from reportlab.pdfgen.canvas import Canvas

        from l10n_ru_housing import epd
        buffer = io.BytesIO()
        canvas = Canvas(buffer)
        epd.draw_qr(canvas, QR1, 100, 400, 96)
        canvas.showPage()
        canvas.save()
        text, = decode_qr(buffer.getvalue())
        self.assertEqual(text, QR1)
        self.assertEqual(hashlib.sha256(text.encode('utf-8')).hexdigest(),
            'bad503a2f3dd660d90856d16d967ae5f25fb755a463a92b1cdb558eb007f6bd9')

    @with_transaction()
    def test_receipt_figures_qr_and_text(self):
        "One ЕПД: the QR field by field, the printed totals equal the ledger"
        pool = Pool()
        Receipt = pool.get('housing.receipt')
        Configuration = pool.get('housing.configuration')
        Building = pool.get('housing.building')
        Account = pool.get('housing.account')
        company = create_company()
        with set_company(company):
            account = self.setup_january(company)
            configuration = Configuration(1)
            configuration.receipt_announcement = "Собрание 1 февраля"
            configuration.save()
            Building.write([account.premises.building],
                {'receipt_announcement': "Отключение воды 3 февраля"})
            Account.write([account],
                {'receipt_announcement': "Проверьте показания"})
            receipts, _ = Receipt.generate(company, JANUARY, [account.id])
            receipt, = receipts

            self.assertEqual(
                [receipt.opening_balance, receipt.accrued, receipt.penalties,
                    receipt.payments, receipt.total_due, receipt.amount],
                [Decimal('8850.00'), Decimal('5000.00'), Decimal('29.26'),
                    Decimal('3000.00'), Decimal('10879.26'),
                    Decimal('10850.00')])
            self.assertEqual(receipt.total_due,
                ledger_balance(account, D(2026, 1, 31)))
            self.assertEqual((receipt.version, receipt.state), (1, 'current'))

            text, = decode_qr(receipt.pdf)
            self.assertEqual(text, receipt.qr_payload)
            parsed = qr.parse(text)
            self.assertEqual((parsed.version, parsed.encoding,
                    parsed.separator), ('0001', 'utf-8', '|'))
            self.assertEqual(parsed.fields, {
                    'Name': 'ООО «УК Пример»',
                    'PersonalAcc': '40702810200000012345',
                    'BankName': 'ПАО Сбербанк',
                    'BIC': '044525225',
                    'CorrespAcc': '30101810400000000225',
                    'PayeeINN': '7701234567',
                    'KPP': '770101001',
                    'Sum': '1085000',
                    'Purpose': 'Оплата ЖКУ за 01.2026, ЛС 1000234567',
                    'PersAcc': '1000234567',
                    'PaymPeriod': '012026',
                    'LastName': 'Иванов',
                    'FirstName': 'Иван',
                    'MiddleName': 'Иванович',
                    'PayerAddress': 'ул. Садовая, д. 1, кв. 5',
                    'TechCode': '02',
                    })
            self.assertTrue(parsed.is_strictly_valid)

            page, = pdf_text(receipt.pdf)
            self.assertIn('ЕДИНЫЙ ПЛАТЁЖНЫЙ ДОКУМЕНТ за январь 2026', page)
            self.assertIn('1000234567', page)
            self.assertIn('Иванов Иван Иванович', page)
            printed = {label: amount_after(page, label) for label in [
                    'Начислено за период:',
                    'Долг (+) / аванс (−) на начало периода:',
                    'Оплачено в периоде:', 'Итого к оплате:',
                    'Пени к оплате (отдельно):',
                    'Пени за просрочку оплаты, начислено в периоде:']}
            self.assertEqual(list(printed.values()), [
                    Decimal('5000.00'), Decimal('8850.00'),
                    Decimal('3000.00'), Decimal('10850.00'),
                    Decimal('29.26'), Decimal('29.26')])
            self.assertEqual(
                printed['Долг (+) / аванс (−) на начало периода:']
                + printed['Начислено за период:']
                + printed['Пени за просрочку оплаты, начислено в периоде:']
                - printed['Оплачено в периоде:'],
                ledger_balance(account, D(2026, 1, 31)))
            self.assertIn('последняя оплата 20.01.2026', page)
            self.assertIn('Уведомление о задолженности', page)
            for note in ["Собрание 1 февраля", "Отключение воды 3 февраля",
                    "Проверьте показания"]:
                self.assertIn(note, page)
            self.assertIn('https://lk.example.ru', page)

    @with_transaction()
    def test_versions(self):
        "A payment after the receipt makes version 2; version 1 is kept"
        Receipt = Pool().get('housing.receipt')
        company = create_company()
        with set_company(company):
            account = self.setup_january(company)
            first, = Receipt.generate(company, JANUARY, [account.id])[0]
            # Unchanged figures: no new version.
            self.assertEqual(
                Receipt.generate(company, JANUARY, [account.id])[0], [])
            pay(account, D(2026, 1, 25), '850.00')
            second, = Receipt.generate(company, JANUARY, [account.id])[0]
            first = Receipt(first.id)
            self.assertEqual(
                [(r.version, r.state, r.amount) for r in [first, second]],
                [(1, 'superseded', Decimal('10850.00')),
                    (2, 'current', Decimal('10000.00'))])
            self.assertEqual(qr.parse(decode_qr(first.pdf)[0]).amount,
                Decimal('10850.00'))
            self.assertEqual(qr.parse(decode_qr(second.pdf)[0]).amount,
                Decimal('10000.00'))

    def add_flat(self, account):
        "A second flat of the building, on entrance 1: printed first."
        Premises = Pool().get('housing.premises')
        flat = create_premises(account.premises.building, '12',
            [(D(2019, 1, 1), Decimal('50'))])
        Premises.write([flat], {'entrance': 1, 'floor': 3})
        Premises.write([account.premises], {'entrance': 2, 'floor': 1})
        return create_account(flat, '1000234568',
            [(D(2019, 1, 1), create_party("Петров Пётр"))])

    @with_transaction()
    def test_batch_per_building(self):
        "A batch: a receipt per account, the building's PDF in print order"
        pool = Pool()
        Batch = pool.get('housing.receipt.batch')
        Chunk = pool.get('housing.receipt.batch.building')
        Register = pool.get('housing.report.receipt_register')
        company = create_company()
        with set_company(company):
            account = self.setup_january(company)
            other = self.add_flat(account)
            batch, = Batch.create([{'period': JANUARY}])
            Batch.generate([batch])
            self.assertEqual(batch.progress, 0)
            run_queue()
            batch = Batch(batch.id)
            self.assertEqual([c.error for c in batch.chunks], [None])
            self.assertEqual((batch.state, batch.progress), ('done', 1))
            chunk, = batch.chunks
            self.assertEqual((chunk.state, chunk.accounts), ('done', 2))
            self.assertEqual(
                sorted((r.account, r.amount) for r in batch.receipts),
                sorted([(account, Decimal('10850.00')),
                        (other, Decimal('0.00'))]))
            # The printing PDF is made when asked for, from the receipts
            self.assertIsNone(chunk.pdf)
            Chunk.make_pdf([chunk])
            chunk = Chunk(chunk.id)
            self.assertIsNotNone(chunk.pdf_made_at)
            pages = pdf_text(chunk.pdf)
            self.assertEqual(len(pages), 2)
            self.assertIn('1000234568', pages[0])
            self.assertIn('1000234567', pages[1])
            self.assertEqual(
                [qr.parse(decode_qr(chunk.pdf, i)[0]).fields['PersAcc']
                    for i in range(2)], ['1000234568', '1000234567'])

            with Transaction().set_context(
                    period_from=JANUARY, period_to=JANUARY):
                rows = Register.search([])
                self.assertEqual(len(rows), 2)
                self.assertEqual(sum(r.amount for r in rows),
                    Decimal('10850.00'))
                self.assertEqual(sum(r.total_due for r in rows),
                    ledger_balance(account, D(2026, 1, 31)))
            with Transaction().set_context(
                    period_from=D(2026, 2, 1), period_to=D(2026, 2, 1)):
                self.assertEqual(Register.search([]), [])

    @with_transaction()
    def test_email(self):
        "E-receipts reach an SMTP server on loopback, each version once"
        from aiosmtpd.controller import Controller
        from aiosmtpd.handlers import Message

        class Inbox(Message):
            def __init__(self):
                super().__init__()
                self.messages = []

            def handle_message(self, message):
                self.messages.append(message)

        pool = Pool()
        Batch = pool.get('housing.receipt.batch')
        Account = pool.get('housing.account')
        inbox = Inbox()
        port = free_port()
        controller = Controller(inbox, hostname='127.0.0.1', port=port)
        controller.start()
        uri = 'smtp://127.0.0.1:%s' % port
        section = config.has_section('email') or config.add_section('email')
        old = {k: config.get('email', k) for k in ['uri', 'from']}
        config.set('email', 'uri', uri)
        config.set('email', 'from', 'tsj@example.ru')
        try:
            company = create_company()
            with set_company(company):
                account = self.setup_january(company)
                self.add_flat(account)
                Account.write([account], {
                        'email': 'ivanov@example.ru', 'e_receipt': True})
                batch, = Batch.create([{'period': JANUARY}])
                Batch.generate([batch])
                run_queue()

                manager = SMTPDataManager()
                logs = Batch.email([batch], datamanager=manager)
                manager.tpc_vote(None)
                manager.tpc_finish(None)
                self.assertEqual(
                    [(m.email, m.version) for m in logs],
                    [('ivanov@example.ru', 1)])
                message, = inbox.messages
                self.assertEqual(message['To'], 'ivanov@example.ru')
                self.assertEqual(message['From'], 'tsj@example.ru')
                parts = [p for p in message.walk()
                    if p.get_content_type() == 'application/pdf']
                part, = parts
                pdf = part.get_payload(decode=True)
                receipt, = [r for r in batch.receipts
                    if r.account == account]
                self.assertEqual(pdf, receipt.pdf)
                self.assertEqual(decode_qr(pdf), [receipt.qr_payload])

                # Sent once: a second press sends nothing.
                manager = SMTPDataManager()
                self.assertEqual(
                    Batch.email([batch], datamanager=manager), [])
                self.assertEqual(manager.queue, [])
        finally:
            controller.stop()
            for key, value in old.items():
                if value is None:
                    config.remove_option('email', key)
                else:
                    config.set('email', key, value)
            del section
