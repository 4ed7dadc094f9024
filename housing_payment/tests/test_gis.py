# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""Payment documents and payments in the fields of ГИС ЖКХ's templates,
read back from XLSX and CSV and checked against the stored receipts and
the ledger."""
import csv
import datetime as dt
import io
from decimal import Decimal

from openpyxl import Workbook, load_workbook
from trytond.exceptions import UserError
from trytond.model.exceptions import ValidationError
from trytond.modules.company.tests import create_company, set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from housing_billing.tests.penalty_tools import pay

from ..gis import (
    DOCUMENTS_HEADER,
    PAYMENTS_HEADER,
    SERVICES_HEADER,
    GisExport,
)
from ..gis_accounts import ACCOUNT_NUMBER, ACCOUNTS_HEADER
from .export_tools import (
    JANUARY,
    PAYEE,
    ExportTestCase,
    generate_receipts,
    setup_month,
)

D = dt.date
IDS = {'1000234567': '1AB2C3D4E5-01', '2000000012': '9ZZ8Y7X6W5-01'}


def set_service_ids(accounts):
    Account = Pool().get('housing.account')
    for account in accounts:
        Account.write([account], {'gis_service_id': IDS[account.number]})


def money(value):
    return Decimal(str(value)).quantize(Decimal('0.01'))


def sheet_rows(sheet, header_row):
    "[{title: value}] of the data rows under the header row."
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[header_row - 1]
    return [dict(zip(header, r)) for r in rows[header_row:]]


def ledger_payments(company):
    """{personal account number: Σ paid} from the payment moves of January
    in the ledger, through the ORM."""
    Line = Pool().get('account.move.line')
    result = {}
    for line in Line.search([
                ('move.company', '=', company.id),
                ('move.state', '=', 'posted'),
                ('move.date', '>=', JANUARY),
                ('move.date', '<=', D(2026, 1, 31)),
                ('move.origin', 'like', 'housing.payment,%'),
                ('housing_account', '!=', None),
                ]):
        number = line.housing_account.number
        result[number] = (result.get(number, Decimal(0))
            + line.credit - line.debit)
    return result


class GisTestCase(ExportTestCase):
    "Test the ГИС ЖКХ exports"

    def month(self, company):
        accounts = setup_month(company)
        set_service_ids(accounts)
        receipts = generate_receipts(company, accounts)
        return accounts, {r.account.number: r for r in receipts}

    @with_transaction()
    def test_documents_xlsx(self):
        "ПД: one row per account, the figures of the receipts"
        company = create_company()
        with set_company(company):
            _, receipts = self.month(company)
            data = GisExport(company, JANUARY).to_xlsx('documents')
            paid = ledger_payments(company)
        workbook = load_workbook(io.BytesIO(data))
        self.assertEqual(workbook.sheetnames,
            ['Разделы 1-2', 'Разделы 3-6', 'Платежные реквизиты'])
        sheet = workbook['Разделы 1-2']
        self.assertEqual([c.value for c in sheet[3]], DOCUMENTS_HEADER)
        documents = sheet_rows(sheet, 3)
        self.assertEqual(
            [r['Номер платежного документа'] for r in documents],
            ['1000234567-202601', '2000000012-202601'])
        first, second = documents
        receipt = receipts['1000234567']
        self.assertEqual(first['Идентификатор ЖКУ'], '1AB2C3D4E5-01')
        self.assertEqual(sheet['A4'].data_type, 's')
        self.assertEqual(first['Тип ПД'], 'Текущий')
        self.assertEqual(first['Расчетный период (ММ.ГГГГ)'], '01.2026')
        self.assertEqual(
            money(first['Сумма к оплате за расчетный период, руб. '
                    '(по всему ПД)']),
            receipt.accrued + receipt.recalculation + receipt.reduction)
        self.assertEqual(money(first['Сумма к оплате за расчетный период, '
                    'руб. (по всему ПД)']), Decimal('6250.00'))
        self.assertEqual(
            money(first['Задолженность за предыдущие периоды']),
            receipt.opening_balance)
        self.assertEqual(money(first['Оплачено денежных средств, руб.']),
            paid['1000234567'])
        self.assertEqual(first['Дата последней поступившей оплаты'],
            dt.datetime(2026, 1, 20))
        self.assertEqual(money(first[
                    'Итого к оплате за расчетный период c учетом '
                    'задолженности/переплаты, руб.']), receipt.amount)
        self.assertEqual(
            money(first['Итого к оплате по неустойкам и судебным '
                    'издержкам']), Decimal('29.26'))
        self.assertEqual(first['Расчетный счет'],
            PAYEE['payee_bank_account'])
        self.assertEqual(money(second['Оплачено денежных средств, руб.']),
            paid['2000000012'])
        self.assertEqual(second['Количество проживающих'], 0)

        services = workbook['Разделы 3-6']
        self.assertEqual([c.value for c in services[4]], SERVICES_HEADER)
        rows = sheet_rows(services, 4)
        for document in documents:
            number = document['Номер платежного документа']
            mine = [r for r in rows
                if r['Номер платежного документа'] == number]
            self.assertEqual(len(mine), 2)
            self.assertEqual(
                sum(money(r['Итого к оплате за расчетный период, руб.'])
                    for r in mine),
                money(document['Сумма к оплате за расчетный период, руб. '
                        '(по всему ПД)']))
        area, = [r for r in rows if r['Услуга'] == 'SOD'
            and r['Номер платежного документа'] == '1000234567-202601']
        self.assertEqual((money(area['Тариф']),
                money(area['Всего начислено за расчетный период, руб.'])),
            (Decimal('50.00'), Decimal('5000.00')))
        requisites = sheet_rows(workbook['Платежные реквизиты'], 1)
        self.assertEqual([money(r['Сумма к оплате в рамках реквизита'])
                for r in requisites],
            [receipts[n].amount for n in ['1000234567', '2000000012']])

    @with_transaction()
    def test_documents_in_template(self):
        "Given the official template, values go under their columns"
        company = create_company()
        with set_company(company):
            self.month(company)
            export = GisExport(company, JANUARY)
            template = Workbook()
            template.active.title = 'Разделы 1-2'
            sheet = template.active
            sheet['A1'] = 'Версия шаблона 99.1.0.1'
            # The template's own order: the last columns first.
            for column, title in enumerate(reversed(DOCUMENTS_HEADER), 1):
                sheet.cell(row=3, column=column, value=title)
            services = template.create_sheet('Разделы 3-6')
            for column, title in enumerate(SERVICES_HEADER, 1):
                services.cell(row=4, column=column, value=' %s ' % title)
            lists = template.create_sheet('Справочники')
            lists.sheet_state = 'hidden'
            lists['A1'] = 'Текущий'
            requisites = template.create_sheet('Платежные реквизиты')
            for column, title in enumerate(
                    ['Номер платежного документа',
                        'Номер платежного реквизита', 'БИК',
                        'Расчетный счет',
                        'Сумма к оплате в рамках реквизита'], 1):
                requisites.cell(row=1, column=column, value=title)
            buffer = io.BytesIO()
            template.save(buffer)
            data = export.to_xlsx('documents', buffer.getvalue())

            del requisites['E1']
            buffer = io.BytesIO()
            template.save(buffer)
            with self.assertRaisesRegex(UserError,
                    'Платежные реквизиты: Сумма к оплате'):
                export.to_xlsx('documents', buffer.getvalue())
            with self.assertRaisesRegex(UserError, 'XLSX'):
                export.to_xlsx('documents', b'not a spreadsheet')

        workbook = load_workbook(io.BytesIO(data))
        self.assertEqual(workbook['Справочники'].sheet_state, 'hidden')
        sheet = workbook['Разделы 1-2']
        self.assertEqual(sheet['A1'].value, 'Версия шаблона 99.1.0.1')
        last = len(DOCUMENTS_HEADER)
        # Идентификатор ЖКУ is the template's last column here.
        self.assertEqual(sheet.cell(row=4, column=last).value,
            '1AB2C3D4E5-01')
        self.assertEqual(sheet.cell(row=5, column=last - 2).value,
            '2000000012-202601')

    @with_transaction()
    def test_documents_csv(self):
        "ПД as CSV: Разделы 1-2, UTF-8 with BOM, ';', decimal comma"
        company = create_company()
        with set_company(company):
            _, receipts = self.month(company)
            data = GisExport(company, JANUARY).to_csv('documents')
        self.assertTrue(data.startswith(b'\xef\xbb\xbf'))
        reader = csv.reader(io.StringIO(
                data.decode('utf-8-sig'), newline=''), delimiter=';')
        header, first, second = list(reader)
        self.assertEqual(header, DOCUMENTS_HEADER)
        row = dict(zip(header, first))
        self.assertEqual(row['Идентификатор ЖКУ'], '1AB2C3D4E5-01')
        self.assertEqual(row['Дата последней поступившей оплаты'],
            '20.01.2026')
        self.assertEqual(Decimal(row[
                    'Итого к оплате за расчетный период c учетом '
                    'задолженности/переплаты, руб.'].replace(',', '.')),
            receipts['1000234567'].amount)

    @with_transaction()
    def test_payments(self):
        "Payments: one row per account paid in the month, the ledger's sums"
        company = create_company()
        with set_company(company):
            self.month(company)
            export = GisExport(company, JANUARY)
            xlsx = export.to_xlsx('payments')
            data = export.to_csv('payments')
            paid = ledger_payments(company)
        sheet = load_workbook(io.BytesIO(xlsx))['Оплаты']
        rows = sheet_rows(sheet, 1)
        self.assertEqual(
            {r['Номер ЛС']: money(r['Оплачено денежных средств, руб.'])
                for r in rows},
            paid)
        self.assertEqual(paid, {
                '1000234567': Decimal('3000.00'),
                '2000000012': Decimal('1000.00')})
        reader = csv.reader(io.StringIO(
                data.decode('utf-8-sig'), newline=''), delimiter=';')
        header, *lines = list(reader)
        self.assertEqual(header, PAYMENTS_HEADER)
        self.assertEqual([line[3] for line in lines], ['3000,00', '1000,00'])

    @with_transaction()
    def test_refusals(self):
        "No ИЖКУ, an outdated receipt, no receipts: clear refusals"
        Account = Pool().get('housing.account')
        company = create_company()
        with set_company(company):
            first, second = setup_month(company)
            export = GisExport(company, JANUARY)
            with self.assertRaisesRegex(UserError, 'no receipt.*01.2026'):
                export.to_xlsx('documents')
            set_service_ids([first])
            generate_receipts(company, [first, second])
            with self.assertRaisesRegex(UserError, 'ИЖКУ.*2000000012|'
                    '2000000012.*ИЖКУ'):
                export.to_xlsx('documents')
            set_service_ids([second])
            export.to_xlsx('documents')
            pay(first, D(2026, 1, 28), '100.00')
            with self.assertRaisesRegex(UserError, '1000234567 01.2026'):
                export.to_xlsx('documents')
            with self.assertRaises(ValidationError):
                Account.write([first], {'gis_service_id': '12345'})

    @with_transaction()
    def test_accounts_template(self):
        "Accounts: a row each in «Основные сведения» and «Помещение»"
        company = create_company()
        with set_company(company):
            first, second = setup_month(company)
            set_service_ids([first])
            data = GisExport(company, JANUARY).to_xlsx(
                'accounts', account_type='ЛС РЦ')
            expected = []
            for account in [first, second]:
                payer = account.payer_at(D(2026, 1, 31)).party.name
                with Transaction().set_context(date=D(2026, 1, 31)):
                    premises = account.premises
                    expected.append((account.number, payer.split()[0],
                            money(premises.total_area),
                            '%s, %s' % (premises.building.address,
                                premises.number)))
        workbook = load_workbook(io.BytesIO(data))
        self.assertEqual(
            workbook.sheetnames, ['Основные сведения', 'Помещение'])
        sheet = workbook['Основные сведения']
        self.assertEqual([c.value for c in sheet[2]], ACCOUNTS_HEADER)
        rows = sheet_rows(sheet, 2)
        self.assertEqual(
            [(r['№ записи'], r[ACCOUNT_NUMBER], r['Идентификатор ЖКУ'],
                    r['Тип лицевого счета'], r['Фамилия'],
                    money(r['Общая площадь, кв. м'])) for r in rows],
            [(1, expected[0][0], IDS[expected[0][0]], 'ЛС РЦ',
                    expected[0][1], expected[0][2]),
                (2, expected[1][0], None, 'ЛС РЦ', expected[1][1],
                    expected[1][2])])
        self.assertEqual(sheet['B3'].data_type, 's')
        premises = sheet_rows(workbook['Помещение'], 2)
        self.assertEqual(
            [(r['№ записи лицевого счета'], r['Адрес помещения'],
                    r['Тип помещения/блок'])
                for r in premises],
            [(1, expected[0][3], 'Жилое помещение'),
                (2, expected[1][3], 'Жилое помещение')])

    @with_transaction()
    def test_identifiers_import(self):
        "The processed accounts file: ИЖКУ and ЕЛС stored, or nothing"
        pool = Pool()
        Account = pool.get('housing.account')
        Wizard = pool.get('housing.import.gis_identifiers', type='wizard')
        company = create_company()
        with set_company(company):
            first, second = setup_month(company)

            def processed(rows):
                workbook = Workbook()
                sheet = workbook.active
                sheet.title = 'Основные сведения'
                sheet.append(['Основные сведения о лицевых счетах'])
                sheet.append(ACCOUNTS_HEADER + ['Статус обработки'])
                for number, service_id, status in rows:
                    sheet.append([1, number, service_id]
                        + [None] * (len(ACCOUNTS_HEADER) - 3) + [status])
                output = io.BytesIO()
                workbook.save(output)
                return output.getvalue()

            def run(data):
                session_id, _, _ = Wizard.create()
                wizard = Wizard(session_id)
                wizard.start.company = company
                wizard.start.file = data
                self.assertEqual(wizard.transition_import_(), 'result')
                return wizard.default_result(['stored', 'skipped'])

            def stored():
                return [(a.gis_service_id, a.gis_els)
                    for a in Account.browse([first.id, second.id])]

            for rows, message in [
                    ([('1000234567', '1AB2C3D4E5-01', 'Обработано'),
                            ('9999999999', '9ZZ8Y7X6W5-01', 'Обработано')],
                        'Row 4 .*9999999999'),
                    ([('1000234567', '1AB2C3D4E5-01', 'Обработано'),
                            ('2000000012', '12345', 'Обработано')],
                        'Row 4 .*2000000012.*12345'),
                    ]:
                with self.assertRaisesRegex(UserError, message):
                    run(processed(rows))
                self.assertEqual(stored(), [(None, None), (None, None)])
            with self.assertRaisesRegex(UserError, 'XLSX'):
                run(b'not a workbook')

            result = run(processed([
                        ('1000234567', '1AB2C3D4E5-01', 'Обработано'),
                        ('2000000012', None, 'Ошибка: нет дома в ГИС ЖКХ'),
                        ]))
            self.assertEqual(result['stored'], 1)
            self.assertEqual(result['skipped'],
                '4: 2000000012 Ошибка: нет дома в ГИС ЖКХ')
            self.assertEqual(stored(),
                [('1AB2C3D4E5-01', '1AB2C3D4E5'), (None, None)])
