# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""A month's ledger for 1C:Бухгалтерия предприятия 3.0
(exchange-formats.md §B).

The source is Tryton's ledger: the posted account.move.line of the
company dated in the month (the accrual runs' moves of
housing_billing/move_writer.py, the payments' moves, anything else). Each
move is split into postings Дт/Кт (the pairs a 1C operation needs; the sums
per account are the move's own) on BP 3.0 accounts with their субконто
(ACCOUNT_MAP, the mapping of README.md «Export to 1C and ГИС ЖКХ»).

Two files:

- **EnterpriseData XML** (the universal exchange format, version a setting):
  the organisation's references (Контрагенты «Население», Договоры one per
  building, Номенклатура one per service), one
  ``Документ.РеализацияТоваровУслуг`` per accrual move (building × month:
  the services credited to revenue, Дт 62.01 Кт 90.01.1) and, on request,
  one ``Документ.ПБДСРасчетыСКонтрагентами`` per day of bank payments
  (Дт 51 Кт 62.01, one row per building contract).
- **Postings** (XLSX or CSV): every posting of the month, with the 1C
  document that carries it, or none when the accountant enters it as a
  manual operation (capital repair to 86, agent services to 76, penalties
  to 91.01, cash, corrections: §B.6).

Both say the same money as the ledger: Σ debit and Σ credit per account of
the postings are Tryton's; the XML's documents are the postings they name.
"""
import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from lxml import etree
from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction
from trytond.wizard import Button, StateTransition, StateView, Wizard

from housing_billing.bulk import as_date, as_money
from housing_billing.payment import is_payment_origin
from housing_billing.receipt_data import month_end

from . import spreadsheet
from .exceptions import Export1CError

ZERO = Decimal('0.00')
MESSAGE_NS = 'http://www.1c.ru/SSL/Exchange/Message'
XS_NS = 'http://www.w3.org/2001/XMLSchema'
XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance'
FORMAT_NS = 'http://v8.1c.ru/edi/edi_stnd/EnterpriseData/%s'
DEFAULT_VERSION = '1.6'
RUB = '643'

# Our chart (l10n_ru_housing) → BP 3.0: (prefix of our account code, BP
# account, kinds of its субконто). The longest prefix wins.
ACCOUNT_MAP = [
    ('50', '50.01', ('cash_flow',)),
    ('51', '51', ('bank_account', 'cash_flow')),
    ('55', '55.04', ('purpose',)),
    ('57', '57.03', ()),
    ('60', '60.01', ('counterparty', 'contract', 'document')),
    ('62', '62.01', ('counterparty', 'contract', 'document')),
    ('62.02', '76.02', ('counterparty', 'contract', 'document')),
    ('68', '68.02', ()),
    ('76', '76.09', ('counterparty', 'contract', 'document')),
    ('84', '84.01', ()),
    ('86', '86', ('purpose',)),
    ('90', '90.01.1', ('product_group', 'vat_rate')),
    ('90.02', '90.02.1', ('product_group',)),
    ('91.01', '91.01', ('other_income',)),
    ('91.02', '91.02', ('other_income',)),
    ('99', '99.01.1', ()),
    ]
# The субконто values that do not come from the line itself.
POPULATION = 'Население'
POPULATION_FULL = 'Население (собственники и наниматели помещений)'
PRODUCT_GROUP = 'Жилищно-коммунальные услуги'
VAT_RATE = 'Без НДС'
CASH_FLOW = 'Поступления от покупателей'
TARGET_PURPOSE = 'Взносы на капитальный ремонт'
OTHER_INCOME = {
    '91.01': 'Пени полученные',
    '91.02': 'Банковская комиссия',
    }
MAIN_CONTRACT = 'Основной договор'
# Which credits a debit pairs with first, by prefix of our code: penalties
# with their income (capital repair's with the fund), receivables with
# revenue, money with receivables.
PARTNERS = {
    '62.02': ('91',),
    '76.03': ('86.02', '86'),
    '62': ('90', '86', '76', '91', '62'),
    '50': ('62', '76', '86'),
    '51': ('62', '76', '86'),
    '55': ('62', '76', '86'),
    }
POSTINGS_HEADER = [
    'Дата', 'Номер операции', 'Содержание',
    'Счет Дт', 'Субконто Дт1', 'Субконто Дт2', 'Субконто Дт3',
    'Счет Кт', 'Субконто Кт1', 'Субконто Кт2', 'Субконто Кт3',
    'Сумма', 'Документ 1С', 'Комментарий']


def bp_account(code):
    "(BP account, субконто kinds) of our account code."
    best = None
    for prefix, account, kinds in ACCOUNT_MAP:
        if (code == prefix or code.startswith(prefix + '.')) and (
                best is None or len(prefix) > len(best[0])):
            best = (prefix, account, kinds)
    if best is None:
        raise Export1CError(gettext(
                'housing_payment.msg_export_1c_no_mapping', account=code))
    return best[1], best[2]


@dataclass(frozen=True)
class LedgerLine:
    move: int
    number: str
    date: dt.date
    origin: str
    description: str
    code: str
    debit: Decimal
    credit: Decimal
    party: str
    building: int | None
    resident: bool  # a resident's line: 62 of «Население», not a party's


@dataclass(frozen=True)
class Side:
    "One side of a posting: our account, the BP account and its субконто"
    code: str
    account: str
    subconto: tuple


@dataclass
class Posting:
    date: dt.date
    number: str
    description: str
    debit: Side
    credit: Side
    amount: Decimal
    origin: str
    document: str = ''

    @property
    def row(self):
        return ([self.date, self.number, self.description,
                self.debit.account, *self.debit.subconto,
                self.credit.account, *self.credit.subconto,
                self.amount, self.document,
                '%s: %s/%s' % (self.origin, self.debit.code,
                    self.credit.code)])


@dataclass
class SaleRow:
    service: int
    code: str
    name: str
    amount: Decimal


@dataclass
class Sale:
    "A Реализация: the revenue of one accrual move (building × month)"
    move: int
    building: int
    number: str
    date: dt.date
    rows: list

    @property
    def amount(self):
        return sum((r.amount for r in self.rows), ZERO)


@dataclass
class BankReceipt:
    "A ПБДС: the bank payments of one day, by building"
    date: dt.date
    number: str
    moves: set
    by_building: dict

    @property
    def amount(self):
        return sum(self.by_building.values(), ZERO)


def ledger_lines(company, start, end):
    "The posted move lines of company dated from start to end."
    pool = Pool()
    line = pool.get('account.move.line').__table__()
    move = pool.get('account.move').__table__()
    account = pool.get('account.account').__table__()
    housing_account = pool.get('housing.account').__table__()
    premises = pool.get('housing.premises').__table__()
    party = pool.get('party.party').__table__()
    cursor = Transaction().connection.cursor()
    cursor.execute(*line.join(move, condition=line.move == move.id
            ).join(account, condition=line.account == account.id
            ).join(housing_account, 'LEFT',
                condition=line.housing_account == housing_account.id
            ).join(premises, 'LEFT',
                condition=housing_account.premises == premises.id
            ).join(party, 'LEFT', condition=line.party == party.id
            ).select(
                move.id, move.number, move.date, move.origin,
                move.description, account.code, line.debit, line.credit,
                party.name, premises.building, line.housing_account,
                where=(move.company == company) & (move.state == 'posted')
                & (move.date >= start) & (move.date <= end),
                order_by=[move.date, move.id, line.id]))
    return [LedgerLine(
            move_id, number or '', as_date(date), origin or '',
            description or '', code or '', as_money(debit) or ZERO,
            as_money(credit) or ZERO, name or '', building,
            housing_account_id is not None
            and origin_model(origin) != 'account.invoice')
        for (move_id, number, date, origin, description, code, debit,
            credit, name, building, housing_account_id) in cursor]


def origin_model(origin):
    return origin.split(',', 1)[0] if origin else ''


def origin_id(origin):
    return int(origin.split(',', 1)[1])


class LedgerExport:
    """A month's ledger of a company made into 1C documents and postings.

    period is the first day of the month."""

    def __init__(self, company, period, payments=False):
        self.company = company
        self.period = period
        self.end = month_end(period)
        self.payments = payments
        self.lines = ledger_lines(company.id, period, self.end)
        self.buildings = self.read_buildings()
        self.credit_sums = {}
        self.sales = self.build_sales()
        self.receipts = self.build_receipts() if payments else []
        self.postings = self.build_postings()

    def read_buildings(self):
        Building = Pool().get('housing.building')
        ids = {line.building for line in self.lines if line.building}
        return {b.id: b for b in Building.browse(sorted(ids))}

    def moves(self):
        "{move id: [LedgerLine]} in the order of the ledger."
        result = defaultdict(list)
        for line in self.lines:
            result[line.move].append(line)
        return result

    # Documents

    def build_sales(self):
        """One Sale per accrual move whose services credited to revenue
        are all positive; the others stay manual operations."""
        Run = Pool().get('housing.accrual.run')
        sales = []
        for move_id, lines in self.moves().items():
            first = lines[0]
            if origin_model(first.origin) != 'housing.accrual.run':
                continue
            buildings = {line.building for line in lines if line.building}
            revenue = sum((line.credit - line.debit for line in lines
                    if bp_account(line.code)[0] == '90.01.1'), ZERO)
            if len(buildings) != 1 or revenue <= 0:
                continue
            building, = buildings
            run = Run(origin_id(first.origin))
            rows = self.sale_rows(run, building)
            if not rows or any(r.amount <= 0 for r in rows):
                continue
            total = sum((r.amount for r in rows), ZERO)
            if total != revenue:
                raise Export1CError(gettext(
                        'housing_payment.msg_export_1c_sale_mismatch',
                        move=first.number,
                        building=self.buildings[building].rec_name,
                        revenue=revenue, charges=total))
            sales.append(Sale(
                    move_id, building,
                    'ЖКУ-%s-%04d' % (self.period.strftime('%y%m'), building),
                    first.date, rows))
        return sales

    def sale_rows(self, run, building):
        """The sums by service the run's move of building credits to
        revenue (90), penalties apart: run.charge_sums, what the move was
        written from (without what legal entities' invoices post)."""
        if run.id not in self.credit_sums:
            self.credit_sums[run.id] = run.charge_sums()[1]
        amounts, services = defaultdict(Decimal), {}
        for credit in self.credit_sums[run.id].get(building, []):
            if credit.kind == 'penalty':
                continue
            account, _ = run.credit_key(credit)
            if bp_account(account.code or '')[0] != '90.01.1':
                continue
            amounts[credit.service.id] += credit.amount
            services[credit.service.id] = credit.service
        return sorted((SaleRow(
                    service.id, service.code or str(service.id),
                    service.name, amounts[service.id])
                for service in services.values() if amounts[service.id]),
            key=lambda r: r.code)

    def build_receipts(self):
        "One BankReceipt per day of payments to the bank account (51)."
        by_date = {}
        for move_id, lines in self.moves().items():
            first = lines[0]
            if not is_payment_origin(first.origin):
                continue
            if not any(bp_account(line.code)[0] == '51'
                    and line.debit for line in lines):
                continue
            receipt = by_date.get(first.date)
            if receipt is None:
                receipt = by_date[first.date] = BankReceipt(
                    first.date, 'ОПЛ-%s' % first.date.strftime('%y%m%d'),
                    set(), defaultdict(Decimal))
            receipt.moves.add(move_id)
            # Only what settles the payers' charges (62.01): a payment of
            # penalties (62.02, capital repair's 76.03) stays an operation
            # of the postings file.
            for line in lines:
                if (line.building and line.credit
                        and bp_account(line.code)[0] == '62.01'):
                    receipt.by_building[line.building] += line.credit
        return [by_date[d] for d in sorted(by_date)]

    # Postings

    def subconto(self, line, kinds, document):
        values = []
        for kind in kinds:
            if kind == 'counterparty':
                values.append(POPULATION if line.resident else line.party)
            elif kind == 'contract':
                values.append(
                    self.contract_name(line.building) if line.resident
                    else MAIN_CONTRACT)
            elif kind == 'document':
                values.append(document)
            elif kind == 'bank_account':
                values.append(self.bank_account)
            elif kind == 'cash_flow':
                values.append(CASH_FLOW)
            elif kind == 'purpose':
                values.append(TARGET_PURPOSE)
            elif kind == 'product_group':
                values.append(PRODUCT_GROUP)
            elif kind == 'vat_rate':
                values.append(VAT_RATE)
            elif kind == 'other_income':
                values.append(OTHER_INCOME.get(line.code[:5], ''))
        return tuple((values + ['', '', ''])[:3])

    def contract_name(self, building):
        if not building:
            return MAIN_CONTRACT
        return 'Дом %s' % self.buildings[building].address

    @property
    def bank_account(self):
        Configuration = Pool().get('housing.configuration')
        return Configuration(1).payee_bank_account or ''

    def documents_of_moves(self):
        result = {}
        for sale in self.sales:
            result[sale.move] = sale.number
        for receipt in self.receipts:
            for move_id in receipt.moves:
                result[move_id] = receipt.number
        return result

    def build_postings(self):
        documents = self.documents_of_moves()
        postings = []
        for move_id, lines in self.moves().items():
            document = documents.get(move_id, '')
            debits, credits = defaultdict(Decimal), defaultdict(Decimal)
            for line in lines:
                account, kinds = bp_account(line.code)
                side = Side(line.code, account, self.subconto(
                        line, kinds, document or line.number))
                if line.debit:
                    debits[side] += line.debit
                if line.credit:
                    credits[side] += line.credit
            first = lines[0]
            for debit, credit, amount in pair(debits, credits):
                postings.append(Posting(
                        first.date, first.number, first.description,
                        debit, credit, amount, first.origin,
                        document if carried(debit, credit, document)
                        else ''))
        return postings

    # Files

    def postings_sheet(self):
        return spreadsheet.Sheet(
            'Проводки', POSTINGS_HEADER, [p.row for p in self.postings],
            text={1, 3, 7, 12})

    def postings_xlsx(self):
        return spreadsheet.to_xlsx([self.postings_sheet()])

    def postings_csv(self):
        return spreadsheet.to_csv(
            POSTINGS_HEADER, [p.row for p in self.postings])

    def enterprise_data(self, version=DEFAULT_VERSION, created=None):
        return EnterpriseData(self, version, created).to_bytes()


def carried(debit, credit, document):
    "Whether the posting is what a document of the XML posts in BP."
    if not document:
        return False
    return (debit.account, credit.account) in {
        ('62.01', '90.01.1'), ('51', '62.01')}


def partner_rank(debit_code, credit_code):
    for prefix, partners in sorted(
            PARTNERS.items(), key=lambda i: -len(i[0])):
        if debit_code == prefix or debit_code.startswith(prefix + '.'):
            for rank, partner in enumerate(partners):
                if (credit_code == partner
                        or credit_code.startswith(partner + '.')):
                    return rank
            break
    return len(PARTNERS)


def pair(debits, credits):
    """[(debit Side, credit Side, amount)] of a balanced move: each debit
    takes the credits it is the natural partner of first. The sums per
    side are the move's own."""
    left = dict(credits)
    order = list(credits)
    result = []
    for debit in sorted(debits, key=lambda s: s.code, reverse=True):
        amount = debits[debit]
        for credit in sorted(order, key=lambda c: (
                    partner_rank(debit.code, c.code), order.index(c))):
            if not amount:
                break
            take = min(amount, left[credit])
            if take:
                result.append((debit, credit, take))
                left[credit] -= take
                amount -= take
    return result


def guid(*key):
    "A GUID that stays the same when the same thing is exported again."
    return str(uuid.uuid5(uuid.NAMESPACE_URL,
            'housing-billing:1c:' + ':'.join(str(k) for k in key)))


def money(amount):
    return str(amount.quantize(Decimal('0.01')))


class EnterpriseData:
    "The EnterpriseData message of a LedgerExport."

    def __init__(self, export, version, created=None):
        self.export = export
        self.version = version
        self.created = created or dt.datetime.now().replace(microsecond=0)
        self.ns = FORMAT_NS % version
        company = export.company
        Configuration = Pool().get('housing.configuration')
        configuration = Configuration(1)
        self.inn = configuration.payee_inn or ''
        self.kpp = configuration.payee_kpp or ''
        if not self.inn:
            raise Export1CError(gettext(
                    'housing_payment.msg_export_1c_no_inn',
                    company=company.rec_name))
        self.name = configuration.payee_name or company.party.name
        self.configuration = configuration

    def el(self, parent, name, text=None):
        element = etree.SubElement(parent, '{%s}%s' % (self.ns, name))
        if text is not None:
            element.text = text
        return element

    def to_bytes(self):
        root = etree.Element('Message', nsmap={
                'msg': MESSAGE_NS, 'xs': XS_NS, 'xsi': XSI_NS})
        header = etree.SubElement(root, '{%s}Header' % MESSAGE_NS)
        etree.SubElement(header, '{%s}Format' % MESSAGE_NS).text = self.ns
        etree.SubElement(header, '{%s}CreationDate' % MESSAGE_NS).text = (
            self.created.isoformat())
        etree.SubElement(
            header, '{%s}AvailableVersion' % MESSAGE_NS).text = self.version
        body = etree.SubElement(
            root, '{%s}Body' % self.ns, nsmap={None: self.ns})
        self.add_counterparty(body)
        for building in self.contract_buildings():
            self.add_contract(body, building)
        for row in self.products():
            self.add_product(body, row)
        for sale in self.export.sales:
            self.add_sale(body, sale)
        for receipt in self.export.receipts:
            self.add_bank_receipt(body, receipt)
        # The BOM: 1C reads Cyrillic right only with it (§B.2).
        return b'\xef\xbb\xbf' + etree.tostring(
            root, xml_declaration=True, encoding='UTF-8', pretty_print=True)

    def contract_buildings(self):
        ids = {s.building for s in self.export.sales}
        for receipt in self.export.receipts:
            ids.update(receipt.by_building)
        return [self.export.buildings[i] for i in sorted(ids)]

    def products(self):
        rows = {}
        for sale in self.export.sales:
            for row in sale.rows:
                rows.setdefault(row.service, row)
        return [rows[k] for k in sorted(rows)]

    def company_key(self):
        return (self.inn, self.kpp)

    def add_organisation(self, parent, name='Организация'):
        organisation = self.el(parent, name)
        self.el(organisation, 'Наименование', self.name)
        self.el(organisation, 'НаименованиеСокращенное', self.name)
        self.el(organisation, 'НаименованиеПолное', self.name)
        self.el(organisation, 'ИНН', self.inn)
        if self.kpp:
            self.el(organisation, 'КПП', self.kpp)
        self.el(organisation, 'ЮридическоеФизическоеЛицо', 'ЮридическоеЛицо')
        return organisation

    def counterparty_ref(self, parent, name='Контрагент'):
        counterparty = self.el(parent, name)
        self.el(counterparty, 'Ссылка',
            guid(*self.company_key(), 'counterparty', 'population'))
        self.el(counterparty, 'Наименование', POPULATION)
        self.el(counterparty, 'НаименованиеПолное', POPULATION_FULL)
        self.el(counterparty, 'ЮридическоеФизическоеЛицо', 'ФизическоеЛицо')
        return counterparty

    def currency(self, parent, name):
        currency = self.el(parent, name)
        self.el(currency, 'Код', RUB)
        self.el(currency, 'Наименование', 'руб.')

    def add_counterparty(self, body):
        obj = self.el(body, 'Справочник.Контрагенты')
        self.counterparty_ref(obj, 'КлючевыеСвойства')

    def contract_ref(self, parent, building):
        contract = self.el(parent, 'Договор')
        self.el(contract, 'Ссылка',
            guid(*self.company_key(), 'contract', building.id))
        self.el(contract, 'ВидДоговора', 'СПокупателем')
        self.add_organisation(contract)
        self.counterparty_ref(contract)
        self.currency(contract, 'ВалютаВзаиморасчетов')
        self.el(contract, 'РасчетыВУсловныхЕдиницах', 'false')
        self.el(contract, 'Наименование',
            self.export.contract_name(building.id))
        self.el(contract, 'Номер', 'ЖКУ-%s' % building.id)
        self.el(contract, 'Дата', '%sT00:00:00'
            % building.management_start.isoformat())
        return contract

    def add_contract(self, body, building):
        obj = self.el(body, 'Справочник.Договоры')
        keys = self.contract_ref(obj, building)
        keys.tag = '{%s}КлючевыеСвойства' % self.ns

    def product_ref(self, parent, row, name='Номенклатура'):
        product = self.el(parent, name)
        self.el(product, 'Ссылка',
            guid(*self.company_key(), 'product', row.code))
        self.el(product, 'НаименованиеПолное', row.name)
        self.el(product, 'КодВПрограмме', row.code)
        self.el(product, 'Наименование', row.name)
        return product

    def add_product(self, body, row):
        obj = self.el(body, 'Справочник.Номенклатура')
        self.product_ref(obj, row, 'КлючевыеСвойства')
        self.el(obj, 'ВидНоменклатуры', 'Услуга')

    def key_properties(self, parent, kind, number, date):
        keys = self.el(parent, 'КлючевыеСвойства')
        self.el(keys, 'Ссылка', guid(*self.company_key(), kind, number))
        self.el(keys, 'Дата', '%sT00:00:00' % date.isoformat())
        self.el(keys, 'Номер', number)
        self.add_organisation(keys)

    def settlement(self, parent, building, accounts=False):
        data = self.el(parent, 'ДанныеВзаиморасчетов')
        self.contract_ref(data, self.export.buildings[building])
        self.currency(data, 'ВалютаВзаиморасчетов')
        self.el(data, 'КурсВзаиморасчетов', '1')
        self.el(data, 'КратностьВзаиморасчетов', '1')
        if accounts:
            self.el(data, 'СчетУчетаРасчетовСКонтрагентом', '62.01')
            self.el(data, 'СчетУчетаРасчетовПоАвансам', '62.02')

    def add_sale(self, body, sale):
        document = self.el(body, 'Документ.РеализацияТоваровУслуг')
        self.key_properties(document, 'sale', sale.number, sale.date)
        self.el(document, 'ВидОперации', 'РеализацияКлиенту')
        self.currency(document, 'Валюта')
        self.el(document, 'Сумма', money(sale.amount))
        self.el(document, 'СуммаВключаетНДС', 'true')
        self.counterparty_ref(document)
        self.settlement(document, sale.building)
        self.el(document, 'Налогообложение', 'ПродажаНеОблагаетсяНДС')
        services = self.el(document, 'Услуги')
        month = self.export.period.strftime('%m.%Y')
        for row in sale.rows:
            line = self.el(services, 'Строка')
            self.product_ref(line, row)
            self.el(line, 'Количество', '1')
            self.el(line, 'Цена', money(row.amount))
            self.el(line, 'Сумма', money(row.amount))
            self.el(line, 'СтавкаНДС', 'БезНДС')
            self.el(line, 'СуммаНДС', '0')
            self.el(line, 'Содержание', '%s, %s' % (row.name, month))
        self.el(document, 'СпособПогашенияЗадолженности', 'Автоматически')

    def add_bank_receipt(self, body, receipt):
        document = self.el(body, 'Документ.ПБДСРасчетыСКонтрагентами')
        self.key_properties(document, 'payment', receipt.number, receipt.date)
        self.counterparty_ref(document)
        self.el(document, 'ВидРасчетов', 'СПокупателем')
        self.el(document, 'Сумма', money(receipt.amount))
        self.el(document, 'НазначениеПлатежа', 'Оплата ЖКУ за %s'
            % receipt.date.strftime('%d.%m.%Y'))
        if self.configuration.payee_bank_account:
            account = self.el(document, 'БанковскийСчетОрганизации')
            self.el(account, 'НомерСчета',
                self.configuration.payee_bank_account)
            bank = self.el(account, 'Банк')
            self.el(bank, 'БИК', self.configuration.payee_bic or '')
        rows = self.el(document, 'РасшифровкаПлатежа')
        for building, amount in sorted(receipt.by_building.items()):
            line = self.el(rows, 'Строка')
            self.el(line, 'Сумма', money(amount))
            self.el(line, 'СуммаНДС', '0')
            self.el(line, 'СуммаВзаиморасчетов', money(amount))
            self.settlement(line, building, accounts=True)
            flow = self.el(line, 'СтатьяДДС')
            self.el(flow, 'Наименование', CASH_FLOW)
            self.el(line, 'СпособПогашенияЗадолженности', 'Автоматически')


def check_period(period):
    if period.day != 1:
        raise Export1CError(gettext(
                'housing_payment.msg_export_period_first_day',
                period=period.isoformat()))


def check_posted(company, period):
    "A month is exported once its accrual is posted (§B.8)."
    Run = Pool().get('housing.accrual.run')
    if not Run.search([
                ('company', '=', company.id),
                ('period', '=', period),
                ('state', '=', 'posted'),
                ], limit=1):
        raise Export1CError(gettext(
                'housing_payment.msg_export_1c_not_posted',
                period=period.strftime('%m.%Y'), company=company.rec_name))


class Export1CStart(ModelView):
    __name__ = 'housing.export.1c.start'
    __string__ = "Export to 1C"

    company = fields.Many2One('company.company', "Company", required=True)
    period = fields.Date(
        "Month", required=True, help="The first day of the month.")
    format = fields.Selection([
            ('enterprise_data', "EnterpriseData XML"),
            ('postings_xlsx', "Postings (XLSX)"),
            ('postings_csv', "Postings (CSV)"),
            ], "Format", required=True)
    version = fields.Char(
        "Format Version", required=True,
        states={'invisible': Eval('format') != 'enterprise_data'},
        help="The EnterpriseData version the accounting base accepts.")
    payments = fields.Boolean(
        "Bank Payments",
        help="Also send the day's bank payments as documents; leave it off "
        "when the accountant loads the bank's statement into 1C.")

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_format():
        return 'enterprise_data'

    @staticmethod
    def default_version():
        return DEFAULT_VERSION

    @staticmethod
    def default_period():
        Date = Pool().get('ir.date')
        today = Date.today()
        return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


class ExportResult(ModelView):
    __name__ = 'housing.export.result'
    __string__ = "Export Result"

    file = fields.Binary("File", readonly=True, filename='filename')
    filename = fields.Char("File Name", readonly=True)


class Export1C(Wizard):
    __name__ = 'housing.export.1c'
    __string__ = "Export to 1C"

    start = StateView('housing.export.1c.start',
        'housing_payment.export_1c_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Export", 'export', 'tryton-ok', default=True),
            ])
    export = StateTransition()
    result = StateView('housing.export.result',
        'housing_payment.export_result_view_form', [
            Button("Close", 'end', 'tryton-close', default=True),
            ])

    def transition_export(self):
        start = self.start
        check_period(start.period)
        check_posted(start.company, start.period)
        ledger = LedgerExport(start.company, start.period, start.payments)
        month = start.period.strftime('%Y-%m')
        if start.format == 'enterprise_data':
            data = ledger.enterprise_data(start.version)
            name = 'enterprise-data-%s.xml' % month
        elif start.format == 'postings_xlsx':
            data = ledger.postings_xlsx()
            name = 'postings-%s.xlsx' % month
        else:
            data = ledger.postings_csv()
            name = 'postings-%s.csv' % month
        self.result.file = data
        self.result.filename = name
        return 'result'

    def default_result(self, fields):
        file_ = self.result.file
        cast = self.result.__class__.file.cast
        self.result.file = False  # not kept in the session
        return {
            'file': cast(file_) if file_ else None,
            'filename': self.result.filename,
            }


def posting_totals(postings):
    """{BP account: (Σ debit, Σ credit)} of postings, and the same by our
    account code."""
    bp, ours = defaultdict(lambda: [ZERO, ZERO]), defaultdict(
        lambda: [ZERO, ZERO])
    for posting in postings:
        bp[posting.debit.account][0] += posting.amount
        bp[posting.credit.account][1] += posting.amount
        ours[posting.debit.code][0] += posting.amount
        ours[posting.credit.code][1] += posting.amount
    return ({k: tuple(v) for k, v in bp.items()},
        {k: tuple(v) for k, v in ours.items()})

