# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""Personal accounts to and from ГИС ЖКХ (exchange-formats.md §C.3).

Out: the accounts open in a month in the sheets «Основные сведения» and
«Помещение» of ГИС ЖКХ's accounts import template, linked by «№ записи».
The sheet «Основания» (the management contract's identifier in ГИС ЖКХ)
is left to the cabinet: the suite does not hold that identifier.

Back: the processed file ГИС ЖКХ returns carries, per row, the identifier
of housing and communal services (ИЖКУ) it assigned; the import stores it
and the single account number (ЕЛС, its first 10 characters) on the
personal account of «Номер ЛС». A file naming an unknown account or an
identifier of the wrong form is refused whole, nothing stored."""
import io
import re
import zipfile
from decimal import Decimal

from openpyxl import load_workbook
from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.pool import Pool
from trytond.transaction import Transaction
from trytond.wizard import Button, StateTransition, StateView, Wizard

from . import spreadsheet
from .exceptions import GisIdentifierError

# ИЖКУ: 10 characters, a dash, 2 digits (domain spec §5.4); its first 10
# characters are the ЕЛС.
SERVICE_ID = re.compile(r'^[0-9A-ZА-Я]{10}-\d{2}$')

RECORD = '№ записи'
RECORD_OF_ACCOUNT = '№ записи лицевого счета'
ACCOUNT_NUMBER = 'Номер ЛС (иной идентификатор потребителя)'
SERVICE_ID_TITLE = 'Идентификатор ЖКУ'
STATUS_TITLE = 'Статус обработки'
ACCOUNTS_HEADER = [
    RECORD,
    ACCOUNT_NUMBER,
    SERVICE_ID_TITLE,
    'Тип лицевого счета',
    'Является нанимателем?',
    'Лицевые счета на помещение(я) разделены?',
    'Фамилия',
    'Имя потребителя',
    'Отчество (при наличии)',
    'Общая площадь, кв. м',
    'Жилая площадь, кв. м',
    'Количество проживающих, чел.',
    ]
PREMISES_HEADER = [
    RECORD_OF_ACCOUNT,
    'Адрес помещения',
    'Глобальный уникальный идентификатор дома по ФИАС / '
    'Идентификационный код дома в ГИС ЖКХ',
    'Тип помещения/блок',
    'Номер помещения/блока',
    'Доля внесения платы, размер доли в %',
    ]
ACCOUNTS_SHEET = ('Основные сведения', 2)
PREMISES_SHEET = ('Помещение', 2)
DEFAULT_ACCOUNT_TYPE = 'ЛС УО'
ACCOUNT_TYPES = [
    ('ЛС УО', "Management Organisation (ЛС УО)"),
    ('ЛС РЦ', "Settlement Centre (ЛС РЦ)"),
    ('ЛС РСО', "Resource Supplier (ЛС РСО)"),
    ('ЛС КР', "Capital Repair (ЛС КР)"),
    ]
PREMISES_TYPES = {
    'apartment': 'Жилое помещение',
    'room': 'Жилое помещение',
    'non_residential': 'Нежилое помещение',
    'parking': 'Нежилое помещение',
    }
# Under a social lease the payer rents from the municipality or the state.
TENANT_OWNERSHIP = {'municipal', 'state'}


def yes_no(value):
    return 'Да' if value else 'Нет'


def name_parts(name):
    "(surname, name, patronymic) of a person's full name"
    words = (name or '').split()
    return (words[0] if words else '', words[1] if len(words) > 1 else '',
        ' '.join(words[2:]))


def share_percent(account):
    numerator = account.share_numerator or 1
    denominator = account.share_denominator or 1
    return (Decimal(100) * numerator / denominator).quantize(Decimal('0.01'))


class AccountsTemplate:
    "The accounts of a company open in a month, as the template's rows"

    def __init__(self, company, period, end,
            account_type=DEFAULT_ACCOUNT_TYPE):
        self.company = company
        self.period = period
        self.end = end
        self.account_type = account_type

    def accounts(self):
        Account = Pool().get('housing.account')
        return Account.search([
                ('company', '=', self.company.id),
                Account.open_during_domain(self.period, self.end),
                ], order=[('number', 'ASC')])

    def is_split(self, account):
        "Whether the premises has other accounts open in the month"
        others = [a for a in account.premises.accounts
            if a.id != account.id
            and a.is_open_during(self.period, self.end)]
        return bool(others) or share_percent(account) != 100

    def sheets(self):
        accounts_rows, premises_rows = [], []
        with Transaction().set_context(date=self.end):
            for record, account in enumerate(self.accounts(), 1):
                accounts_rows.append(self.account_row(record, account))
                premises_rows.append(self.premises_row(record, account))
        return [
            spreadsheet.Sheet(ACCOUNTS_SHEET[0], ACCOUNTS_HEADER,
                accounts_rows, ACCOUNTS_SHEET[1], text={1, 2}),
            spreadsheet.Sheet(PREMISES_SHEET[0], PREMISES_HEADER,
                premises_rows, PREMISES_SHEET[1], text={2, 4}),
            ]

    def account_row(self, record, account):
        premises = account.premises
        payer = account.payer_at(self.end)
        person = payer and not account.legal_entity
        surname, name, patronymic = (
            name_parts(payer.party.name) if person else ('', '', ''))
        return [
            record, account.number, account.gis_service_id or None,
            self.account_type,
            yes_no(premises.ownership_form in TENANT_OWNERSHIP),
            yes_no(self.is_split(account)),
            surname, name, patronymic,
            premises.total_area, premises.living_area,
            len(account.residents_at(self.end)),
            ]

    def premises_row(self, record, account):
        premises = account.premises
        building = premises.building
        return [
            record,
            '%s, %s' % (building.address, premises.number),
            building.fias_code or building.gis_code or None,
            PREMISES_TYPES.get(premises.kind, 'Жилое помещение'),
            premises.number,
            share_percent(account),
            ]


def read_identifiers(data):
    """[(row number, account number, ИЖКУ or '', status)] of the sheet
    «Основные сведения» of a processed accounts file (XLSX)."""
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True,
            data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exception:
        raise GisIdentifierError(gettext(
                'housing_payment.msg_gis_accounts_file',
                error=str(exception) or type(exception).__name__)
            ) from exception
    if ACCOUNTS_SHEET[0] not in workbook.sheetnames:
        raise GisIdentifierError(gettext(
                'housing_payment.msg_gis_accounts_columns',
                columns=ACCOUNTS_SHEET[0]))
    rows = workbook[ACCOUNTS_SHEET[0]].iter_rows(values_only=True)
    columns, number = None, 0
    for number, row in enumerate(rows, 1):
        titles = [spreadsheet.normal(str(v)) if v is not None else ''
            for v in row]
        if spreadsheet.normal(ACCOUNT_NUMBER) in titles:
            columns = {title: titles.index(spreadsheet.normal(title))
                for title in [ACCOUNT_NUMBER, SERVICE_ID_TITLE, STATUS_TITLE]
                if spreadsheet.normal(title) in titles}
            break
        if number >= 5:
            break
    if not columns or SERVICE_ID_TITLE not in columns:
        raise GisIdentifierError(gettext(
                'housing_payment.msg_gis_accounts_columns',
                columns=', '.join([ACCOUNT_NUMBER, SERVICE_ID_TITLE])))
    result = []
    for number, row in enumerate(rows, number + 1):
        def value(title):
            index = columns.get(title)
            if index is None or index >= len(row) or row[index] is None:
                return ''
            return str(row[index]).strip()
        if value(ACCOUNT_NUMBER):
            result.append((number, value(ACCOUNT_NUMBER),
                    value(SERVICE_ID_TITLE), value(STATUS_TITLE)))
    return result


def store_identifiers(company, rows):
    """Set the ИЖКУ and ЕЛС of the accounts of rows; return (stored,
    [(row, account number, status)] of the rows without an identifier)."""
    pool = Pool()
    Account = pool.get('housing.account')
    accounts = {a.number: a for a in Account.search([
                ('company', '=', company.id),
                ('number', 'in', sorted({r[1] for r in rows})),
                ])}
    to_write, skipped = [], []
    for number, account_number, service_id, status in rows:
        account = accounts.get(account_number)
        if account is None:
            raise GisIdentifierError(gettext(
                    'housing_payment.msg_gis_accounts_unknown',
                    row=number, account=account_number))
        if not service_id:
            skipped.append((number, account_number, status))
            continue
        if not SERVICE_ID.match(service_id):
            raise GisIdentifierError(gettext(
                    'housing_payment.msg_gis_accounts_service_id',
                    row=number, account=account_number, value=service_id))
        to_write.extend([[account], {
                    'gis_service_id': service_id,
                    'gis_els': service_id[:10],
                    }])
    if to_write:
        Account.write(*to_write)
    return len(to_write) // 2, skipped


class GisIdentifiersStart(ModelView):
    __name__ = 'housing.import.gis_identifiers.start'
    __string__ = "Import GIS Identifiers"

    company = fields.Many2One('company.company', "Company", required=True)
    file = fields.Binary("Processed File", filename='file_name',
        required=True,
        help="The accounts import template ГИС ЖКХ returned after "
        "processing, with the identifiers it assigned.")
    file_name = fields.Char("File Name")

    @staticmethod
    def default_company():
        return Transaction().context.get('company')


class GisIdentifiersResult(ModelView):
    __name__ = 'housing.import.gis_identifiers.result'
    __string__ = "Import GIS Identifiers"

    stored = fields.Integer("Accounts Updated", readonly=True)
    skipped = fields.Text("Rows Without Identifier", readonly=True)


class GisIdentifiers(Wizard):
    __name__ = 'housing.import.gis_identifiers'
    __string__ = "Import GIS Identifiers"

    start = StateView('housing.import.gis_identifiers.start',
        'housing_payment.import_gis_identifiers_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Import", 'import_', 'tryton-ok', default=True),
            ])
    import_ = StateTransition()
    result = StateView('housing.import.gis_identifiers.result',
        'housing_payment.import_gis_identifiers_result_view_form', [
            Button("Close", 'end', 'tryton-close', default=True),
            ])

    def transition_import_(self):
        rows = read_identifiers(self.start.file or b'')
        stored, skipped = store_identifiers(self.start.company, rows)
        self.result.stored = stored
        self.result.skipped = '\n'.join(
            '%s: %s %s' % (row, number, status)
            for row, number, status in skipped)
        return 'result'

    def default_result(self, fields):
        return {
            'stored': self.result.stored,
            'skipped': self.result.skipped,
            }
