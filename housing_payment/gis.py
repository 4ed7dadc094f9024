# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""Payment documents and payments of a month in the fields of ГИС ЖКХ's
import templates (exchange-formats.md §C.4), for an upload by hand in the
organisation's cabinet.

Payment documents are the stored ЕПД (housing.receipt, current version)
with the figures they print (housing_billing.receipt_data.gather); an
export refuses a receipt whose figures the ledger no longer gives
(regenerate it first). Payments are the ledger's: the moves of posted
payments dated in the month, one row per personal account.

XLSX: sheets named as the template's, data from the template's first data
row; given the official template file, the rows are written into it, each
value under the column of the same title, keeping the rest of the file.
CSV: the one-row-per-account sheet."""
from decimal import Decimal

from sql import Null
from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.tools import grouped_slice
from trytond.transaction import Transaction
from trytond.wizard import Button, StateTransition, StateView, Wizard

from housing_billing.payment import payment_origin_where
from housing_billing.receipt_data import gather, month_end

from . import spreadsheet
from .exceptions import GisExportError, GisIdentifierError
from .export_1c import check_period
from .gis_accounts import (
    ACCOUNT_TYPES,
    DEFAULT_ACCOUNT_TYPE,
    SERVICE_ID,
    AccountsTemplate,
)

ZERO = Decimal('0.00')
FIGURES = ['opening_balance', 'accrued', 'recalculation', 'reduction',
    'penalties', 'payments', 'total_due']
DOCUMENT_NUMBER = 'Номер платежного документа'
DOCUMENTS_HEADER = [
    'Идентификатор ЖКУ',
    'Тип ПД',
    DOCUMENT_NUMBER,
    'Расчетный период (ММ.ГГГГ)',
    'Общая площадь для ЛС',
    'Количество проживающих',
    'Сумма к оплате за расчетный период, руб. (по всему ПД)',
    'Задолженность за предыдущие периоды',
    'Аванс на начало расчетного периода',
    'Оплачено денежных средств, руб.',
    'Учтены платежи, поступившие до указанного числа расчетного периода '
    'включительно',
    'Дата последней поступившей оплаты',
    'Итого к оплате за расчетный период c учетом задолженности/переплаты, '
    'руб.',
    'БИК банка',
    'Расчетный счет',
    'Итого к оплате по неустойкам и судебным издержкам',
    ]
SERVICES_HEADER = [
    DOCUMENT_NUMBER,
    'Услуга',
    'Единица измерения',
    'Способ определения объема (индивидуальное потребление)',
    'Объем (индивидуальное потребление)',
    'Объем (общедомовые нужды)',
    'Тариф',
    'Всего начислено за расчетный период, руб.',
    'Перерасчеты всего, руб.',
    'Итого к оплате за расчетный период, руб.',
    ]
REQUISITES_HEADER = [
    DOCUMENT_NUMBER,
    'Номер платежного реквизита',
    'БИК',
    'Расчетный счет',
    'Сумма к оплате в рамках реквизита',
    ]
PAYMENTS_HEADER = [
    'Идентификатор ЖКУ',
    'Номер ЛС',
    'Расчетный период (ММ.ГГГГ)',
    'Оплачено денежных средств, руб.',
    'Дата последней поступившей оплаты',
    ]
# Sheet titles and the rows of their headers in the official templates.
DOCUMENTS_SHEET = ('Разделы 1-2', 3)
SERVICES_SHEET = ('Разделы 3-6', 4)
REQUISITES_SHEET = ('Платежные реквизиты', 1)
PAYMENTS_SHEET = ('Оплаты', 1)


class Account(metaclass=PoolMeta):
    __name__ = 'housing.account'

    gis_service_id = fields.Char(
        "GIS Service ID", size=13,
        help="The identifier of housing and communal services (ИЖКУ) "
        "ГИС ЖКХ assigned to the account.")
    gis_els = fields.Char(
        "GIS Single Account", size=10,
        help="The single personal account number (ЕЛС) ГИС ЖКХ assigned.")

    @classmethod
    def validate_fields(cls, accounts, field_names):
        super().validate_fields(accounts, field_names)
        if 'gis_service_id' in field_names:
            for account in accounts:
                value = account.gis_service_id
                if value and not SERVICE_ID.match(value):
                    raise GisIdentifierError(gettext(
                            'housing_payment.msg_gis_service_id_invalid',
                            account=account.rec_name, value=value))


def document_number(receipt):
    "Our number of the ПД: it links the rows of the template's sheets."
    number = '%s-%s' % (receipt.account.number,
        receipt.period.strftime('%Y%m'))
    if receipt.version > 1:
        number += '-%s' % receipt.version
    return number


def period_text(period):
    return period.strftime('%m.%Y')


def volume_method(row, metered):
    if row.quantity is None:
        return None
    return 'Прибор учета' if row.service in metered else 'Норматив'


class GisExport:
    "A month of a company in the rows of ГИС ЖКХ's templates."

    def __init__(self, company, period):
        self.company = company
        self.period = period
        self.end = month_end(period)

    def receipts(self):
        Receipt = Pool().get('housing.receipt')
        receipts = Receipt.search([
                ('company', '=', self.company.id),
                ('period', '=', self.period),
                ('state', '=', 'current'),
                ], order=[('account.number', 'ASC')])
        if not receipts:
            raise GisExportError(gettext(
                    'housing_payment.msg_gis_no_receipts',
                    period=period_text(self.period),
                    company=self.company.rec_name))
        return receipts

    def check_service_ids(self, accounts):
        missing = [a.number for a in accounts if not a.gis_service_id]
        if missing:
            raise GisExportError(gettext(
                    'housing_payment.msg_gis_no_service_id',
                    account=missing[0], count=len(missing)))

    def datas(self, receipts):
        "{account id: ReceiptData}, each as its receipt printed it."
        datas = gather(self.company.id, self.period,
            [r.account.id for r in receipts])
        for receipt in receipts:
            data = datas[receipt.account.id]
            stored = [getattr(receipt, n) for n in FIGURES]
            now = [getattr(data, n) for n in FIGURES]
            if stored != now:
                raise GisExportError(gettext(
                        'housing_payment.msg_gis_receipt_outdated',
                        receipt=receipt.rec_name))
        return datas

    def payee(self):
        Configuration = Pool().get('housing.configuration')
        configuration = Configuration(1)
        return (configuration.payee_bic or '',
            configuration.payee_bank_account or '')

    def document_sheets(self):
        receipts = self.receipts()
        self.check_service_ids([r.account for r in receipts])
        datas = self.datas(receipts)
        bic, bank_account = self.payee()
        documents, services, requisites = [], [], []
        for receipt in receipts:
            data = datas[receipt.account.id]
            number = document_number(receipt)
            documents.append([
                    receipt.account.gis_service_id, 'Текущий', number,
                    period_text(self.period), data.area, data.residents,
                    data.period_total, max(ZERO, data.opening_balance),
                    max(ZERO, -data.opening_balance), data.payments,
                    self.end.day, data.last_payment_date, receipt.amount,
                    bic, bank_account, data.penalty_due,
                    ])
            metered = {r.service for r in data.readings}
            for row in data.rows:
                services.append([
                        number, row.service, row.unit,
                        volume_method(row, metered), row.quantity,
                        row.quantity_common, row.tariff, row.accrued,
                        row.recalculation + row.reduction, row.total,
                        ])
            requisites.append(
                [number, 1, bic, bank_account, receipt.amount])
        return [
            spreadsheet.Sheet(DOCUMENTS_SHEET[0], DOCUMENTS_HEADER,
                documents, DOCUMENTS_SHEET[1], text={0, 2, 3, 13, 14}),
            spreadsheet.Sheet(SERVICES_SHEET[0], SERVICES_HEADER,
                services, SERVICES_SHEET[1], text={0}),
            spreadsheet.Sheet(REQUISITES_SHEET[0], REQUISITES_HEADER,
                requisites, REQUISITES_SHEET[1], text={0, 2, 3}),
            ]

    def paid_accounts(self):
        "The personal accounts the ledger has payments of in the month."
        pool = Pool()
        line = pool.get('account.move.line').__table__()
        move = pool.get('account.move').__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*line.join(move, condition=line.move == move.id
                ).select(line.housing_account,
                where=(move.company == self.company.id)
                & (move.state == 'posted')
                & (move.date >= self.period) & (move.date <= self.end)
                & (line.housing_account != Null)
                & payment_origin_where(move),
                group_by=[line.housing_account]))
        return [account for account, in cursor]

    def payment_sheets(self):
        Account = Pool().get('housing.account')
        ids = self.paid_accounts()
        accounts = []
        for sub_ids in grouped_slice(ids, 1000):
            accounts.extend(Account.browse(list(sub_ids)))
        accounts.sort(key=lambda a: a.number)
        self.check_service_ids(accounts)
        datas = gather(self.company.id, self.period, ids)
        rows = []
        for account in accounts:
            data = datas[account.id]
            rows.append([
                    account.gis_service_id, account.number,
                    period_text(self.period), data.payments,
                    data.last_payment_date])
        return [spreadsheet.Sheet(PAYMENTS_SHEET[0], PAYMENTS_HEADER,
                rows, PAYMENTS_SHEET[1], text={0, 1, 2})]

    def sheets(self, kind, account_type=DEFAULT_ACCOUNT_TYPE):
        if kind == 'accounts':
            return AccountsTemplate(self.company, self.period, self.end,
                account_type).sheets()
        return (self.document_sheets() if kind == 'documents'
            else self.payment_sheets())

    def to_xlsx(self, kind, template=None, account_type=DEFAULT_ACCOUNT_TYPE):
        sheets = self.sheets(kind, account_type)
        if not template:
            return spreadsheet.to_xlsx(sheets)
        try:
            data, missing = spreadsheet.fill_template(template, sheets)
        except spreadsheet.TemplateError as exception:
            raise GisExportError(gettext(
                    'housing_payment.msg_gis_template_invalid',
                    error=str(exception))) from exception
        if missing:
            raise GisExportError(gettext(
                    'housing_payment.msg_gis_template_missing',
                    columns=', '.join(missing)))
        return data

    def to_csv(self, kind, account_type=DEFAULT_ACCOUNT_TYPE):
        sheet = self.sheets(kind, account_type)[0]
        return spreadsheet.to_csv(sheet.header, sheet.rows)


class GisExportStart(ModelView):
    __name__ = 'housing.export.gis.start'
    __string__ = "Export to GIS Housing"

    company = fields.Many2One('company.company', "Company", required=True)
    period = fields.Date(
        "Month", required=True, help="The first day of the month.")
    kind = fields.Selection([
            ('documents', "Payment Documents"),
            ('payments', "Payments"),
            ('accounts', "Personal Accounts"),
            ], "Data", required=True)
    account_type = fields.Selection(ACCOUNT_TYPES, "Account Type",
        states={
            'invisible': Eval('kind') != 'accounts',
            'required': Eval('kind') == 'accounts',
            },
        help="The type of the personal accounts in ГИС ЖКХ: that of the "
        "organisation the accounts are loaded for.")
    format = fields.Selection([
            ('xlsx', "XLSX"),
            ('csv', "CSV"),
            ], "Format", required=True)
    template = fields.Binary(
        "Template", filename='template_name',
        states={'invisible': Eval('format') != 'xlsx'},
        help="The import template downloaded from ГИС ЖКХ, to fill; "
        "leave empty for a file with the template's sheets and columns.")
    template_name = fields.Char("Template Name")

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_kind():
        return 'documents'

    @staticmethod
    def default_account_type():
        return DEFAULT_ACCOUNT_TYPE

    @staticmethod
    def default_format():
        return 'xlsx'


class GisExportWizard(Wizard):
    __name__ = 'housing.export.gis'
    __string__ = "Export to GIS Housing"

    start = StateView('housing.export.gis.start',
        'housing_payment.export_gis_start_view_form', [
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
        export = GisExport(start.company, start.period)
        name = 'gis-%s-%s' % (
            {'documents': 'pd', 'payments': 'payments',
                'accounts': 'accounts'}[start.kind],
            start.period.strftime('%Y-%m'))
        if start.format == 'xlsx':
            data = export.to_xlsx(
                start.kind, start.template, start.account_type)
            name += '.xlsx'
        else:
            data = export.to_csv(start.kind, start.account_type)
            name += '.csv'
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

