# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""Reading the CSV files of a migration: the encoding (UTF-8 or cp1251),
the delimiter (';' or ','), the header (English names or Russian aliases)
and the values (dates, numbers, shares, periods, choices).

No Tryton here: a value that does not parse raises :class:`BadValue` with
the id of the message that says why, the caller adds file, line and
column."""
import csv
import datetime as dt
import io
import re
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import NamedTuple


class BadValue(Exception):
    "A value that does not parse: the message id and its parameters"

    def __init__(self, message, **params):
        super().__init__(message)
        self.message = message
        self.params = params


class Column(NamedTuple):
    name: str
    kind: str
    required: bool = False
    aliases: tuple = ()
    choices: dict | None = None
    default: object = None


class Row(NamedTuple):
    "The raw text of a data row by column name, with its line number"
    line: int
    values: dict


def decode(data):
    """The text of the file: UTF-8 (a byte order mark is dropped), else
    Windows-1251, as exported by most billing systems."""
    try:
        return data.decode('utf-8-sig'), 'utf-8'
    except UnicodeDecodeError:
        pass
    try:
        return data.decode('cp1251'), 'cp1251'
    except UnicodeDecodeError:
        raise BadValue('msg_migration_encoding')


def delimiter(header_line):
    "';' unless the header has more commas than semicolons."
    return ',' if header_line.count(',') > header_line.count(';') else ';'


def normalize(name):
    """A column name as compared: lower case, ё as е, single spaces.

    >>> normalize('  Лицевой  Счёт ')
    'лицевой счет'
    """
    name = name.strip().lower().replace('ё', 'е').replace('_', ' ')
    return re.sub(r'\s+', ' ', name)


def header_map(layout, header):
    """({position: column name}, [unknown header names]) for the header
    row of a file of the layout."""
    names = {}
    for column in layout:
        for alias in (column.name,) + column.aliases:
            names[normalize(alias)] = column.name
    positions, unknown = {}, []
    for position, title in enumerate(header):
        name = names.get(normalize(title))
        if name:
            positions[position] = name
        elif title.strip():
            unknown.append(title)
    return positions, unknown


def read_rows(text):
    "(header, [(line number, fields)]) of the text; blank lines skipped."
    lines = text.splitlines()
    first = next((line for line in lines if line.strip()), '')
    reader = csv.reader(io.StringIO(text), delimiter=delimiter(first))
    header, rows = None, []
    for fields in reader:
        if not any(f.strip() for f in fields):
            continue
        if header is None:
            header = fields
        else:
            rows.append((reader.line_num, fields))
    return header, rows


DATE_FORMATS = ['%d.%m.%Y', '%Y-%m-%d']


def parse_date(text):
    """A date as DD.MM.YYYY or YYYY-MM-DD.

    >>> parse_date('29.02.2024')
    datetime.date(2024, 2, 29)
    """
    for format_ in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, format_).date()
        except ValueError:
            continue
    raise BadValue('msg_migration_bad_date')


def parse_period(text):
    """The first day of a billing month: MM.YYYY, YYYY-MM or a date of the
    month.

    >>> parse_period('03.2024')
    datetime.date(2024, 3, 1)
    >>> parse_period('2024-03')
    datetime.date(2024, 3, 1)
    """
    for pattern, year, month in [
            (r'(\d{1,2})\.(\d{4})', 2, 1), (r'(\d{4})-(\d{1,2})', 1, 2)]:
        match = re.fullmatch(pattern, text)
        if match:
            try:
                return dt.date(
                    int(match.group(year)), int(match.group(month)), 1)
            except ValueError:
                raise BadValue('msg_migration_bad_period')
    try:
        return parse_date(text).replace(day=1)
    except BadValue:
        raise BadValue('msg_migration_bad_period')


def parse_decimal(text):
    """A number with a dot or a comma, spaces between thousands.

    >>> parse_decimal('1 234,50')
    Decimal('1234.50')
    """
    cleaned = text.replace('\u00a0', '').replace(' ', '').replace(',', '.')
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise BadValue('msg_migration_bad_number')
    if not value.is_finite():
        raise BadValue('msg_migration_bad_number')
    return value


def parse_money(text):
    "An amount in roubles with at most two decimals (kopecks)."
    value = parse_decimal(text)
    if value != value.quantize(Decimal('0.01')):
        raise BadValue('msg_migration_bad_money')
    return value.quantize(Decimal('0.01'))


def parse_integer(text):
    if not re.fullmatch(r'[+-]?\d+', text):
        raise BadValue('msg_migration_bad_integer')
    return int(text)


def parse_share(text):
    """A share of a premises: 1/2, 1 or 0.5, more than 0 and at most 1.

    >>> parse_share('1/3')
    Fraction(1, 3)
    """
    match = re.fullmatch(r'(\d+)\s*/\s*(\d+)', text)
    try:
        if match:
            share = Fraction(int(match.group(1)), int(match.group(2)))
        else:
            share = Fraction(parse_decimal(text))
    except (BadValue, ZeroDivisionError):
        raise BadValue('msg_migration_bad_share')
    if not 0 < share <= 1:
        raise BadValue('msg_migration_bad_share')
    return share


def parse_choice(text, choices):
    "The key of a choice given by its key or its Russian name."
    key = choices.get(normalize(text))
    if key is None:
        raise BadValue('msg_migration_bad_choice', choices=', '.join(
                sorted({k for k in choices})))
    return key


PARSERS = {
    'text': lambda text: text,
    'date': parse_date,
    'period': parse_period,
    'decimal': parse_decimal,
    'money': parse_money,
    'integer': parse_integer,
    'share': parse_share,
    }


def parse(column, text):
    "The value of the column's text; the default when it is empty."
    text = (text or '').strip()
    if not text:
        if column.required:
            raise BadValue('msg_migration_required')
        return column.default
    if column.kind == 'choice':
        return parse_choice(text, column.choices)
    return PARSERS[column.kind](text)
