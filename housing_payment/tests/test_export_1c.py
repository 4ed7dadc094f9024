# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""The month's ledger exported for 1C:Бухгалтерия 3.0, read back: the
EnterpriseData envelope and objects, and every amount against Tryton's
ledger read through the ORM."""
import csv
import datetime as dt
import io
from collections import defaultdict
from decimal import Decimal

from lxml import etree
from openpyxl import load_workbook
from trytond.exceptions import UserError
from trytond.modules.company.tests import create_company, set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction

from housing_billing.tests.penalty_tools import pay

from ..export_1c import (
    MESSAGE_NS,
    POSTINGS_HEADER,
    LedgerExport,
    bp_account,
)
from .export_tools import PAYEE, ExportTestCase, setup_month

D = dt.date
JANUARY = D(2026, 1, 1)
ED = 'http://v8.1c.ru/edi/edi_stnd/EnterpriseData/1.6'
CREATED = dt.datetime(2026, 2, 5, 10, 0)


def q(tag, ns=ED):
    return '{%s}%s' % (ns, tag)


def path(*tags):
    "An ElementPath of ED tags."
    return '/'.join(q(t) for t in tags)


def tryton_ledger(company, start, end):
    """{BP account: [Σ debit, Σ credit]} of the posted lines of the month,
    read through the ORM and mapped by the documented table."""
    Line = Pool().get('account.move.line')
    totals = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for line in Line.search([
                ('move.company', '=', company.id),
                ('move.state', '=', 'posted'),
                ('move.date', '>=', start),
                ('move.date', '<=', end),
                ]):
        account, _ = bp_account(line.account.code)
        totals[account][0] += line.debit
        totals[account][1] += line.credit
    return {k: tuple(v) for k, v in totals.items()}


def read_postings_xlsx(data):
    sheet = load_workbook(io.BytesIO(data))['Проводки']
    rows = list(sheet.iter_rows(values_only=True))
    return rows[0], [dict(zip(rows[0], r)) for r in rows[1:]]


def totals_of(rows, only_manual=False):
    totals = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for row in rows:
        if only_manual and row['Документ 1С']:
            continue
        amount = Decimal(str(row['Сумма'])).quantize(Decimal('0.01'))
        totals[row['Счет Дт']][0] += amount
        totals[row['Счет Кт']][1] += amount
    return totals


class Export1CTestCase(ExportTestCase):
    "Test the export to 1C"

    @with_transaction()
    def test_enterprise_data_structure_and_ledger(self):
        "EnterpriseData: envelope, objects, amounts equal to the ledger"
        company = create_company()
        with set_company(company):
            setup_month(company)
            export = LedgerExport(company, JANUARY, payments=True)
            data = export.enterprise_data('1.6', CREATED)
            ledger = tryton_ledger(company, JANUARY, D(2026, 1, 31))

        self.assertTrue(data.startswith(b'\xef\xbb\xbf<?xml'))
        root = etree.fromstring(data[3:])
        self.assertEqual(root.tag, 'Message')
        header = root.find(q('Header', MESSAGE_NS))
        self.assertEqual(
            [(etree.QName(e).localname, e.text) for e in header], [
                ('Format', ED),
                ('CreationDate', '2026-02-05T10:00:00'),
                ('AvailableVersion', '1.6'),
                ])
        body = root.find(q('Body'))
        self.assertIsNotNone(body)
        kinds = [etree.QName(e).localname for e in body]
        self.assertEqual(kinds, [
                'Справочник.Контрагенты',
                'Справочник.Договоры', 'Справочник.Договоры',
                'Справочник.Номенклатура',
                'Документ.РеализацияТоваровУслуг',
                'Документ.РеализацияТоваровУслуг',
                'Документ.ПБДСРасчетыСКонтрагентами',
                ])

        contracts = {e.findtext(path('КлючевыеСвойства', 'Ссылка')):
            e.findtext(path('КлючевыеСвойства', 'Наименование'))
            for e in body.iter(q('Справочник.Договоры'))}
        self.assertEqual(sorted(contracts.values()), [
                'Дом ул. Лесная, д. 7', 'Дом ул. Садовая, д. 1'])
        product, = body.iter(q('Справочник.Номенклатура'))
        self.assertEqual(
            product.findtext(path('КлючевыеСвойства', 'КодВПрограмме')),
            'SOD')

        sales = list(body.iter(q('Документ.РеализацияТоваровУслуг')))
        for sale in sales:
            for required in [
                    ('КлючевыеСвойства', 'Ссылка'),
                    ('КлючевыеСвойства', 'Дата'),
                    ('КлючевыеСвойства', 'Номер'),
                    ('КлючевыеСвойства', 'Организация', 'ИНН'),
                    ('ВидОперации',), ('Валюта', 'Код'), ('Сумма',),
                    ('Контрагент', 'Наименование'),
                    ('ДанныеВзаиморасчетов', 'Договор', 'Ссылка'),
                    ('Услуги', 'Строка', 'Номенклатура', 'Ссылка'),
                    ]:
                self.assertTrue(sale.findtext(path(*required)), required)
            self.assertEqual(sale.findtext(path(
                        'КлючевыеСвойства', 'Организация', 'ИНН')),
                PAYEE['payee_inn'])
            self.assertEqual(sale.findtext(path('КлючевыеСвойства', 'Дата')),
                '2026-01-31T00:00:00')
            self.assertIn(sale.findtext(path(
                        'ДанныеВзаиморасчетов', 'Договор', 'Ссылка')),
                contracts)
            rows = [Decimal(r.findtext(q('Сумма')))
                for r in sale.iter(q('Строка'))]
            self.assertEqual(sum(rows), Decimal(sale.findtext(q('Сумма'))))
        self.assertEqual(
            sorted(Decimal(s.findtext(q('Сумма'))) for s in sales),
            [Decimal('2500.00'), Decimal('5000.00')])
        # The sales are the revenue of the ledger, to the kopeck.
        self.assertEqual(
            sum(Decimal(s.findtext(q('Сумма'))) for s in sales),
            ledger['90.01.1'][1] - ledger['90.01.1'][0])

        receipt, = body.iter(q('Документ.ПБДСРасчетыСКонтрагентами'))
        self.assertEqual(receipt.findtext(q('Сумма')), '3000.00')
        self.assertEqual(receipt.findtext(path('КлючевыеСвойства', 'Номер')),
            'ОПЛ-260120')
        row, = receipt.iter(q('Строка'))
        self.assertEqual(row.findtext(path(
                    'ДанныеВзаиморасчетов', 'СчетУчетаРасчетовСКонтрагентом')),
            '62.01')
        self.assertEqual(ledger['51'], (Decimal('3000.00'), Decimal(0)))

        # What the XML posts in BP plus the manual operations of the
        # postings file: Σ debit and Σ credit of every account of the
        # ledger.
        rows = [dict(zip(POSTINGS_HEADER, p.row)) for p in export.postings]
        totals = totals_of(rows, only_manual=True)
        for sale in sales:
            amount = Decimal(sale.findtext(q('Сумма')))
            totals['62.01'][0] += amount
            totals['90.01.1'][1] += amount
        amount = Decimal(receipt.findtext(q('Сумма')))
        totals['51'][0] += amount
        totals['62.01'][1] += amount
        self.assertEqual({k: tuple(v) for k, v in totals.items()}, ledger)

    @with_transaction()
    def test_payment_of_penalties_not_in_bank_receipt(self):
        "Penalties paid apart: an operation of the postings, not in ПБДС"
        company = create_company()
        with set_company(company):
            first, _ = setup_month(company)
            pay(first, D(2026, 1, 20), '29.26', purpose='penalties')
            export = LedgerExport(company, JANUARY, payments=True)
            data = export.enterprise_data('1.6', CREATED)
            ledger = tryton_ledger(company, JANUARY, D(2026, 1, 31))
        body = etree.fromstring(data[3:]).find(q('Body'))
        receipt, = body.iter(q('Документ.ПБДСРасчетыСКонтрагентами'))
        self.assertEqual(receipt.findtext(q('Сумма')), '3000.00')
        self.assertEqual(ledger['51'], (Decimal('3029.26'), Decimal(0)))
        rows = [dict(zip(POSTINGS_HEADER, p.row)) for p in export.postings]
        totals = totals_of(rows, only_manual=True)
        for sale in body.iter(q('Документ.РеализацияТоваровУслуг')):
            amount = Decimal(sale.findtext(q('Сумма')))
            totals['62.01'][0] += amount
            totals['90.01.1'][1] += amount
        totals['51'][0] += Decimal('3000.00')
        totals['62.01'][1] += Decimal('3000.00')
        self.assertEqual({k: tuple(v) for k, v in totals.items()}, ledger)
        self.assertEqual(ledger['76.02'][1], Decimal('29.26'))

    @with_transaction()
    def test_export_again_same_file(self):
        "A month exported twice gives the same GUIDs and numbers"
        company = create_company()
        with set_company(company):
            setup_month(company)
            first = LedgerExport(company, JANUARY, True).enterprise_data(
                '1.6', CREATED)
            second = LedgerExport(company, JANUARY, True).enterprise_data(
                '1.6', CREATED)
            other = LedgerExport(company, JANUARY, True).enterprise_data(
                '1.8', CREATED)
        self.assertEqual(first, second)
        root = etree.fromstring(other[3:])
        self.assertEqual(root.findtext(q('Header', MESSAGE_NS) + '/'
                + q('Format', MESSAGE_NS)),
            'http://v8.1c.ru/edi/edi_stnd/EnterpriseData/1.8')
        self.assertIsNotNone(root.find(
                q('Body', 'http://v8.1c.ru/edi/edi_stnd/EnterpriseData/1.8')))

    @with_transaction()
    def test_postings_xlsx_equal_ledger(self):
        "Postings XLSX: Σ debit and Σ credit per account are Tryton's"
        company = create_company()
        with set_company(company):
            setup_month(company)
            export = LedgerExport(company, JANUARY)
            data = export.postings_xlsx()
            ledger = tryton_ledger(company, JANUARY, D(2026, 1, 31))
            sales = {s.number for s in export.sales}
        header, rows = read_postings_xlsx(data)
        self.assertEqual(list(header), POSTINGS_HEADER)
        self.assertEqual(
            {k: tuple(v) for k, v in totals_of(rows).items()}, ledger)
        # Penalties: receivable on 76.02, income 91.01 «Пени полученные».
        penalty, = [r for r in rows if r['Счет Кт'] == '91.01']
        self.assertEqual(
            (penalty['Счет Дт'], penalty['Сумма'], penalty['Субконто Кт1']),
            ('76.02', 29.26, 'Пени полученные'))
        # Capital repair: a manual operation to 86, not in a sale.
        repair = [r for r in rows if r['Счет Кт'] == '86']
        self.assertEqual(sorted(r['Сумма'] for r in repair), [625, 1250])
        self.assertEqual({r['Документ 1С'] for r in repair}, {None})
        # The revenue postings are the sales of the XML.
        revenue = [r for r in rows if r['Счет Кт'] == '90.01.1']
        self.assertEqual({r['Документ 1С'] for r in revenue}, sales)
        self.assertEqual({(r['Субконто Дт1'], r['Субконто Кт1'])
                for r in revenue},
            {('Население', 'Жилищно-коммунальные услуги')})
        # Without the payments option the bank payment is a manual posting.
        bank, = [r for r in rows if r['Счет Дт'] == '51']
        self.assertEqual((bank['Счет Кт'], bank['Сумма'],
                bank['Субконто Дт1'], bank['Документ 1С']),
            ('62.01', 3000, PAYEE['payee_bank_account'], None))
        cash, = [r for r in rows if r['Счет Дт'] == '50.01']
        self.assertEqual((cash['Счет Кт'], cash['Субконто Кт2']),
            ('62.01', 'Дом ул. Лесная, д. 7'))

    @with_transaction()
    def test_postings_csv(self):
        "Postings CSV: UTF-8 with BOM, ';', decimal comma, CRLF"
        company = create_company()
        with set_company(company):
            setup_month(company)
            data = LedgerExport(company, JANUARY).postings_csv()
            ledger = tryton_ledger(company, JANUARY, D(2026, 1, 31))
        self.assertTrue(data.startswith(b'\xef\xbb\xbf'))
        text = data.decode('utf-8-sig')
        self.assertIn('\r\n', text)
        reader = csv.reader(io.StringIO(text, newline=''), delimiter=';')
        header, *lines = list(reader)
        self.assertEqual(header, POSTINGS_HEADER)
        rows = [dict(zip(header, line)) for line in lines]
        self.assertIn('29,26', [r['Сумма'] for r in rows])
        self.assertEqual({r['Дата'] for r in rows},
            {'20.01.2026', '25.01.2026', '31.01.2026'})
        for row in rows:
            row['Сумма'] = Decimal(row['Сумма'].replace(',', '.'))
        self.assertEqual(
            {k: tuple(v) for k, v in totals_of(rows).items()}, ledger)

    @with_transaction()
    def test_wizard(self):
        "The wizard returns the file, refuses an unposted month"
        pool = Pool()
        Wizard = pool.get('housing.export.1c', type='wizard')
        company = create_company()
        with set_company(company):
            setup_month(company)
            session_id, _, _ = Wizard.create()
            wizard = Wizard(session_id)
            wizard.start.company = company
            wizard.start.period = JANUARY
            wizard.start.format = 'postings_xlsx'
            wizard.start.version = '1.6'
            wizard.start.payments = False
            self.assertEqual(wizard.transition_export(), 'result')
            result = wizard.default_result(['file', 'filename'])
            self.assertEqual(result['filename'], 'postings-2026-01.xlsx')
            _, rows = read_postings_xlsx(result['file'])
            self.assertTrue(rows)

            wizard.start.format = 'enterprise_data'
            wizard.transition_export()
            result = wizard.default_result(['file', 'filename'])
            self.assertEqual(
                result['filename'], 'enterprise-data-2026-01.xml')
            self.assertEqual(
                etree.fromstring(result['file'][3:]).tag, 'Message')

            wizard.start.period = D(2026, 2, 1)
            with self.assertRaisesRegex(UserError, '02.2026'):
                wizard.transition_export()
            wizard.start.period = D(2026, 1, 15)
            with self.assertRaisesRegex(UserError, '2026-01-15'):
                wizard.transition_export()

    @with_transaction()
    def test_no_inn(self):
        "EnterpriseData needs the organisation's INN"
        Configuration = Pool().get('housing.configuration')
        company = create_company()
        with set_company(company):
            setup_month(company)
            Configuration.write([Configuration(1)], {'payee_inn': None})
            with self.assertRaisesRegex(UserError, 'INN'):
                LedgerExport(company, JANUARY).enterprise_data()

    def test_mapping(self):
        "Our chart maps to BP 3.0 by the longest prefix"
        self.assertEqual(bp_account('62.01')[0], '62.01')
        self.assertEqual(bp_account('62.02')[0], '76.02')
        self.assertEqual(bp_account('90.01')[0], '90.01.1')
        self.assertEqual(bp_account('90.02')[0], '90.02.1')
        self.assertEqual(bp_account('76.01')[0], '76.09')
        self.assertEqual(bp_account('86.01')[0], '86')

    @with_transaction()
    def test_access(self):
        "Administrator, accountant and auditor may run both exports"
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        Action = pool.get('ir.action.wizard')
        groups = {ModelData.get_id('housing_billing', 'group_housing_%s' % g)
            for g in ['admin', 'accountant', 'auditor']}
        for name in ['wizard_export_1c', 'wizard_export_gis']:
            action = Action(ModelData.get_id('housing_payment', name))
            self.assertEqual({g.id for g in action.groups}, groups)

    @with_transaction()
    def test_legal_entity_invoice(self):
        "A legal entity's invoice: not in the sale, posted to its party"
        from housing_billing.tests.report_data_stock import build_house
        Configuration = Pool().get('housing.configuration')
        company = create_company()
        with set_company(company):
            build_house(company, pay_december=False)
            Configuration.write(
                [Configuration(1)], {'payee_inn': '7701234567'})
            november = D(2025, 11, 1)
            export = LedgerExport(company, november)
            data = export.enterprise_data('1.6', CREATED)
            ledger = tryton_ledger(company, november, D(2025, 11, 30))
        sale, = etree.fromstring(data[3:]).iter(
            q('Документ.РеализацияТоваровУслуг'))
        # The flats (4 200.00 + 2 100.00); the office's 2 100.00 is its
        # invoice.
        self.assertEqual(sale.findtext(q('Сумма')), '6300.00')
        rows = [dict(zip(POSTINGS_HEADER, p.row)) for p in export.postings]
        self.assertEqual(
            {k: tuple(v) for k, v in totals_of(rows).items()}, ledger)
        invoice, = [r for r in rows if r['Субконто Дт1'] == "ООО «Ромашка»"]
        self.assertEqual(
            (invoice['Счет Дт'], invoice['Счет Кт'], invoice['Сумма'],
                invoice['Субконто Дт2'], invoice['Документ 1С']),
            ('62.01', '90.01.1', Decimal('2100.00'), 'Основной договор', ''))
