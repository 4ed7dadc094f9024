# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""Bank payment registry files read into lines (domain spec §7.1).

Pure Python, no Tryton: a layout is data (a :class:`Layout`), so a bank's
contract layout is configured, not coded. A file that cannot be read
whole (bad encoding, a short line, an unknown column, control totals that
do not add up) raises :class:`FormatError` naming the line and the reason,
and nothing of it is imported. Three readers:

- :func:`read_delimited`: one payment a line, fields in the layout's
  column order, optional header lines, an optional total line;
- Sberbank's layout (:data:`SBERBANK`): ``;``-separated cp1251, total line
  ``=count;sum;transferred;commission;order no.;order date``;
- :func:`read_client_bank`: a 1CClientBankExchange statement
  (exchange-formats §A), its incoming documents as lines, the personal
  account and period found in the purpose text (§A.7).

>>> text = ('20.02.2026;14:35:12;8626;0123;456789;1000234567;ИВАНОВ И И;'
...         'УЛ. ЛЕНИНА, 1-5;012026;6000.00;5928.00;72.00\\r\\n'
...         '=1;6000.00;5928.00;72.00;1234;21.02.2026\\r\\n')
>>> registry = read_registry(text.encode('cp1251'), SBERBANK)
>>> [line] = registry.lines
>>> line.number, line.account, str(line.period), line.amount
(1, '1000234567', '2026-01', Decimal('6000.00'))
>>> registry.order_number, registry.order_date
('1234', datetime.date(2026, 2, 21))
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from housing_billing.engine.periods import Period

ZERO = Decimal('0.00')
CENT = Decimal('0.01')

# The columns a layout may name; '-' is a column to skip.
COLUMNS = (
    'date', 'time', 'branch', 'sub_branch', 'operation', 'account',
    'payer', 'address', 'period', 'amount', 'transferred', 'commission',
    'service', 'purpose', 'document', '-')
TOTALS = (
    'count', 'amount', 'transferred', 'commission', 'order_number',
    'order_date', '-')
REQUIRED = ('date', 'amount')


class FormatError(ValueError):
    """A registry file rejected whole: ``code`` names the reason (a message
    of the module), ``line`` the line of the file (1-based, 0 for the
    whole file), ``values`` the details."""

    def __init__(self, code, line=0, **values):
        super().__init__(code, line, values)
        self.code = code
        self.line = line
        self.values = values

    def __str__(self):
        return '%s at line %s: %s' % (self.code, self.line, self.values)


@dataclass(frozen=True)
class Layout:
    columns: tuple[str, ...]
    delimiter: str = ';'
    encoding: str = 'cp1251'
    date_format: str = '%d.%m.%Y'
    header_lines: int = 0
    total_marker: str = '='
    total_columns: tuple[str, ...] = ()
    bank: str = ''

    def check(self):
        "Unknown or missing column names: FormatError."
        for name in self.columns:
            if name not in COLUMNS:
                raise FormatError('unknown_column', column=name)
        for name in self.total_columns:
            if name not in TOTALS:
                raise FormatError('unknown_column', column=name)
        for name in REQUIRED:
            if name not in self.columns:
                raise FormatError('missing_column', column=name)
        if 'account' not in self.columns and 'purpose' not in self.columns:
            raise FormatError('missing_column', column='account')
        if not self.delimiter:
            raise FormatError('missing_column', column='delimiter')


SBERBANK = Layout(
    columns=('date', 'time', 'branch', 'sub_branch', 'operation', 'account',
        'payer', 'address', 'period', 'amount', 'transferred',
        'commission'),
    total_columns=('count', 'amount', 'transferred', 'commission',
        'order_number', 'order_date'),
    bank='sberbank')


@dataclass(frozen=True)
class Line:
    "One payment of a registry, as the bank wrote it."
    number: int
    paid_on: date
    amount: Decimal
    account: str = ''
    period: Period | None = None
    commission: Decimal = ZERO
    transferred: Decimal | None = None
    time: str = ''
    branch: str = ''
    sub_branch: str = ''
    operation: str = ''
    payer: str = ''
    address: str = ''
    purpose: str = ''
    document: str = ''
    bank: str = ''
    # The bank's code of what was paid: the format tells which codes are
    # payments of penalties (domain spec §4.5 p. 3).
    service: str = ''

    @property
    def key(self) -> str:
        """What identifies the payment in any file (§7.1 step 3): bank,
        branch, sub-branch, operation, date, time, amount; with the
        personal account, the document number and the service code when
        the bank gives no operation number."""
        parts = [self.bank, self.branch, self.sub_branch, self.operation,
            self.paid_on.isoformat(), self.time, str(self.amount)]
        if not self.operation:
            parts += [self.document, self.account, self.payer]
            if self.service:
                parts.append(self.service)
        return '|'.join(parts)


@dataclass
class Registry:
    lines: list[Line] = field(default_factory=list)
    order_number: str = ''
    order_date: date | None = None

    @property
    def amount(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)

    @property
    def commission(self) -> Decimal:
        return sum((line.commission for line in self.lines), ZERO)


def decode(data: bytes, encoding: str) -> str:
    """The text of data in encoding (a UTF-8 BOM wins); a byte the
    encoding cannot read is a FormatError on its line."""
    if data.startswith(b'\xef\xbb\xbf'):
        data, encoding = data[3:], 'utf-8'
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        raise FormatError(
            'encoding', data[:error.start].count(b'\n') + 1,
            encoding=encoding,
            byte='0x%02x' % data[error.start]) from error
    except LookupError as error:
        raise FormatError('encoding', encoding=encoding, byte='') from error


def money(text: str, line: int, column: str) -> Decimal:
    "An amount with a dot or a comma, spaces allowed, at most kopecks."
    cleaned = text.strip().replace('\xa0', '').replace(' ', '').replace(
        ',', '.')
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise FormatError('amount', line, column=column, value=text)
    if not value.is_finite() or value != value.quantize(CENT):
        raise FormatError('amount', line, column=column, value=text)
    return value.quantize(CENT)


# A registry's 100,000 lines have a few dates and periods: each text is
# read once (a text that cannot be read raises, and is not remembered).
@functools.lru_cache(maxsize=4096)
def _date(text: str, date_format: str) -> date:
    return datetime.strptime(text, date_format).date()


@functools.lru_cache(maxsize=4096)
def _period(text: str) -> Period:
    return Period.parse(text)


def parse_date(text: str, date_format: str, line: int, column: str):
    try:
        return _date(text.strip(), date_format)
    except ValueError:
        raise FormatError('date', line, column=column, value=text)


def parse_period(text: str, line: int) -> Period | None:
    text = text.strip()
    if not text:
        return None
    try:
        return _period(text)
    except ValueError:
        raise FormatError('period', line, value=text)


def read_registry(data: bytes, layout: Layout) -> Registry:
    "A delimited registry (Sberbank's or a configured layout)."
    layout.check()
    text = decode(data, layout.encoding)
    return read_delimited(text, layout)


def read_delimited(text: str, layout: Layout) -> Registry:
    registry = Registry()
    totals = None
    for number, raw in enumerate(text.splitlines(), 1):
        if number <= layout.header_lines:
            continue
        content = raw.strip()
        if not content:
            continue
        if totals is not None:
            raise FormatError('after_total', number)
        if layout.total_marker and content.startswith(layout.total_marker):
            totals = (number,
                content[len(layout.total_marker):].split(layout.delimiter))
            continue
        registry.lines.append(read_line(content, number, layout))
    if layout.total_columns:
        if totals is None:
            raise FormatError('no_total', len(text.splitlines()))
        check_totals(registry, *totals, layout)
    if not registry.lines:
        raise FormatError('empty')
    return registry


def read_line(content: str, number: int, layout: Layout) -> Line:
    values = content.split(layout.delimiter)
    if len(values) != len(layout.columns):
        raise FormatError('columns', number, expected=len(layout.columns),
            found=len(values))
    row = {name: value.strip()
        for name, value in zip(layout.columns, values) if name != '-'}
    amount = money(row['amount'], number, 'amount')
    if amount <= 0:
        raise FormatError('amount', number, column='amount',
            value=row['amount'])
    commission = money(row.get('commission') or '0', number, 'commission')
    transferred = None
    if row.get('transferred'):
        transferred = money(row['transferred'], number, 'transferred')
        if amount - commission != transferred:
            raise FormatError('net', number, amount=amount,
                commission=commission, transferred=transferred)
    account, period = row.get('account', ''), parse_period(
        row.get('period', ''), number)
    if row.get('purpose'):
        found = find_in_purpose(row['purpose'])
        account = account or found.account
        period = period or found.period
    return Line(
        number=number,
        paid_on=parse_date(row['date'], layout.date_format, number, 'date'),
        amount=amount, account=account, period=period,
        commission=commission, transferred=transferred,
        time=row.get('time', ''), branch=row.get('branch', ''),
        sub_branch=row.get('sub_branch', ''),
        operation=row.get('operation', ''), payer=row.get('payer', ''),
        address=row.get('address', ''), purpose=row.get('purpose', ''),
        document=row.get('document', ''), bank=layout.bank,
        service=row.get('service', ''))


def check_totals(registry, number, values, layout):
    "The total line against the lines: count, sums (§7.1 step 2)."
    if len(values) < len(layout.total_columns):
        raise FormatError('columns', number,
            expected=len(layout.total_columns), found=len(values))
    stated = dict(zip(layout.total_columns, (v.strip() for v in values)))
    lines = registry.lines
    actual = {
        'amount': registry.amount,
        'commission': registry.commission,
        'transferred': sum((line.transferred if line.transferred is not None
                else line.amount - line.commission for line in lines),
            ZERO),
        }
    if 'count' in stated:
        if not stated['count'].isdigit():
            raise FormatError('total_value', number, column='count',
                value=stated['count'])
        if int(stated['count']) != len(lines):
            raise FormatError('total', number, column='count',
                stated=stated['count'], actual=len(lines))
    for name in ('amount', 'transferred', 'commission'):
        if name in stated:
            value = money(stated[name], number, name)
            if value != actual[name]:
                raise FormatError('total', number, column=name,
                    stated=value, actual=actual[name])
    registry.order_number = stated.get('order_number', '')
    if stated.get('order_date'):
        registry.order_date = parse_date(
            stated['order_date'], layout.date_format, number, 'order_date')


# The purpose text of a payment (exchange-formats §A.7)
ACCOUNT_RE = re.compile(
    r'(?:л\s*/\s*с|л\.\s*с\.?|лиц\.?\s*сч\.?|лицево(?:й|му)\s+сч[её]ту?'
    r'|\bлс|persacc\s*=)\s*(?:№|N|:|\s)*\s*(\d{4,20})', re.IGNORECASE)
PERIOD_RE = re.compile(
    r'(?:\bза|период|paymperiod\s*=)\s*:?\s*'
    r'(\d{2})[./]?(\d{4}|\d{2})(?!\d)', re.IGNORECASE)
MONTHS = ('январ', 'феврал', 'март', 'апрел', 'ма[йя]', 'июн', 'июл',
    'август', 'сентябр', 'октябр', 'ноябр', 'декабр')
MONTH_RE = re.compile(
    r'(%s)\w*\s+(\d{4})' % '|'.join(MONTHS), re.IGNORECASE)


@dataclass(frozen=True)
class Purpose:
    account: str = ''
    period: Period | None = None
    rule: str = ''


def find_in_purpose(text: str) -> Purpose:
    """The personal account and the period a payer wrote in a purpose.

    >>> p = find_in_purpose('Оплата ЖКУ за 01.2026, ЛС 1000234567')
    >>> p.account, str(p.period)
    ('1000234567', '2026-01')
    >>> p = find_in_purpose('квартплата за январь 2026 л/с №77')
    >>> p.account, str(p.period)
    ('', '2026-01')
    >>> str(find_in_purpose('PersAcc=1000234567|PaymPeriod=122025').period)
    '2025-12'
    """
    account = ''
    match = ACCOUNT_RE.search(text)
    if match:
        account = match.group(1)
    period = None
    match = PERIOD_RE.search(text)
    if match and 1 <= int(match.group(1)) <= 12:
        month, year = int(match.group(1)), match.group(2)
        period = Period(int(year) + (2000 if len(year) == 2 else 0), month)
    else:
        match = MONTH_RE.search(text)
        if match:
            stem = match.group(1).lower()
            month = next(i for i, s in enumerate(MONTHS, 1)
                if re.fullmatch(s, stem))
            period = Period(int(match.group(2)), month)
    return Purpose(account, period, 'purpose' if account or period else '')


# 1CClientBankExchange (exchange-formats §A)
CLIENT_BANK_ENCODINGS = {
    'windows': 'cp1251', 'dos': 'cp866', 'utf-8': 'utf-8', 'utf8': 'utf-8'}


def client_bank_encoding(data: bytes) -> str:
    """§A.6: a BOM means UTF-8; else the declared Кодировка (its value is
    ASCII), checked by a strict UTF-8 decode; cp1251 by default."""
    if data.startswith(b'\xef\xbb\xbf'):
        return 'utf-8'
    match = re.search(rb'=(Windows|DOS|UTF-?8)\s', data, re.IGNORECASE)
    declared = CLIENT_BANK_ENCODINGS.get(
        match.group(1).decode().lower() if match else 'windows', 'cp1251')
    if declared != 'utf-8':
        try:
            text = data.decode('utf-8')
        except UnicodeDecodeError:
            return declared
        if re.search('[а-яА-Я]', text):
            return 'utf-8'
    return declared


def read_client_bank(data: bytes, our_accounts=(), bank='1c') -> Registry:
    """The incoming documents of a statement: ``ПолучательСчет`` among
    our_accounts (any when empty) and ``ДатаПоступило`` set."""
    text = decode(data, client_bank_encoding(data))
    lines = [(n, raw.strip()) for n, raw in enumerate(text.splitlines(), 1)
        if raw.strip()]
    if not lines or lines[0][1].lstrip('\ufeff') != '1CClientBankExchange':
        raise FormatError('client_bank_marker', lines[0][0] if lines else 0)
    if lines[-1][1] != 'КонецФайла':
        raise FormatError('client_bank_end', lines[-1][0])
    registry = Registry()
    document = None
    for number, content in lines[1:-1]:
        key, _, value = content.partition('=')
        if key == 'СекцияДокумент':
            if document is not None:
                raise FormatError('client_bank_section', number)
            document = {'': number}
        elif key == 'КонецДокумента':
            if document is None:
                raise FormatError('client_bank_section', number)
            line = client_bank_line(document, our_accounts, bank)
            if line:
                registry.lines.append(line)
            document = None
        elif document is not None:
            document[key] = value.strip()
    if document is not None:
        raise FormatError('client_bank_section', document[''])
    if not registry.lines:
        raise FormatError('empty')
    return registry


def client_bank_line(document, our_accounts, bank):
    number = document['']
    if not document.get('ДатаПоступило'):
        return None
    if our_accounts and document.get('ПолучательСчет') not in our_accounts:
        return None
    purpose = document.get('НазначениеПлатежа') or ' '.join(
        document.get('НазначениеПлатежа%s' % i, '') for i in range(1, 7)
        ).strip()
    amount = money(document.get('Сумма', ''), number, 'Сумма')
    if amount <= 0:
        raise FormatError('amount', number, column='Сумма',
            value=document.get('Сумма', ''))
    found = find_in_purpose(purpose)
    return Line(
        number=number,
        paid_on=parse_date(document['ДатаПоступило'], '%d.%m.%Y', number,
            'ДатаПоступило'),
        amount=amount, account=found.account, period=found.period,
        payer=document.get('Плательщик', ''), purpose=purpose,
        document='%s/%s/%s' % (document.get('Номер', ''),
            document.get('Дата', ''), document.get('ПлательщикСчет', '')),
        bank=bank)
