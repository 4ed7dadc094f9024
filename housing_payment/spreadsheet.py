# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""Exchange spreadsheets (exchange-formats.md §D): XLSX with typed cells,
CSV as Excel in a Russian locale opens it.

XLSX: money as numeric cells shown ``#,##0.00``, dates as date cells shown
``DD.MM.YYYY``, identifiers (ЛС, ИНН, 20-digit accounts, ИЖКУ…) as text
so that Excel keeps their leading zeros and every digit; totals are values,
never formulas. CSV: UTF-8 with BOM, ``;``, decimal comma, no thousands
separator, ``DD.MM.YYYY``, CRLF."""
import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

MONEY_FORMAT = '#,##0.00'
DATE_FORMAT = 'DD.MM.YYYY'


@dataclass
class Sheet:
    """A sheet: its title, the header row, the rows and the row (1-based)
    of the header; data starts on the row after it. ``text`` are the
    indexes of the columns written as text."""
    title: str
    header: list
    rows: list
    header_row: int = 1
    text: set = field(default_factory=set)

    @property
    def first_row(self):
        return self.header_row + 1


def cell_value(value, as_text=False):
    if value is None:
        return None
    if as_text:
        return str(value)
    return value


class TemplateError(Exception):
    "The template is not an XLSX file openpyxl can read."


def write_rows(worksheet, sheet, columns=None):
    """Write the rows of sheet from its first data row; columns maps the
    index of a value to its column (default: in order from A)."""
    for offset, row in enumerate(sheet.rows):
        for index, value in enumerate(row):
            as_text = index in sheet.text
            column = columns[index] if columns else index + 1
            cell = worksheet.cell(
                row=sheet.first_row + offset, column=column,
                value=cell_value(value, as_text))
            if as_text:
                cell.number_format = '@'
            elif isinstance(value, Decimal):
                cell.number_format = MONEY_FORMAT
            elif isinstance(value, dt.date):
                cell.number_format = DATE_FORMAT


def normal(title):
    return ' '.join(str(title).split()).casefold()


def template_columns(worksheet, sheet):
    """{normalised title: column} of the template's header cells (the rows
    down to the sheet's header row; the last occurrence wins)."""
    columns = {}
    for row in worksheet.iter_rows(
            min_row=1, max_row=sheet.header_row):
        for cell in row:
            if cell.value is not None:
                columns[normal(cell.value)] = cell.column
    return columns


def to_xlsx(sheets):
    "The XLSX file (bytes) of sheets, each with its header frozen."
    workbook = Workbook()
    workbook.remove(workbook.active)
    for sheet in sheets:
        worksheet = workbook.create_sheet(sheet.title)
        for column, title in enumerate(sheet.header, 1):
            cell = worksheet.cell(
                row=sheet.header_row, column=column, value=title)
            cell.font = Font(bold=True)
        worksheet.freeze_panes = worksheet.cell(
            row=sheet.first_row, column=1)
        write_rows(worksheet, sheet)
    return save(workbook)


def fill_template(template, sheets):
    """The template (bytes of an XLSX file) with the rows of sheets written
    into its sheets of the same title, each value under the header cell of
    the same title, from the sheet's first data row; the rest of the
    template (hidden sheets, lists, version cells) is kept. Returns (bytes,
    ["sheet: column" the template lacks]): nothing is written when one
    lacks."""
    try:
        workbook = load_workbook(io.BytesIO(template))
    except Exception as exception:
        raise TemplateError(str(exception)) from exception
    missing, placed = [], []
    for sheet in sheets:
        if sheet.title not in workbook.sheetnames:
            missing.append(sheet.title)
            continue
        worksheet = workbook[sheet.title]
        found = template_columns(worksheet, sheet)
        columns = []
        for title in sheet.header:
            if normal(title) in found:
                columns.append(found[normal(title)])
            else:
                missing.append('%s: %s' % (sheet.title, title))
        placed.append((worksheet, sheet, columns))
    if missing:
        return None, missing
    for worksheet, sheet, columns in placed:
        write_rows(worksheet, sheet, columns)
    return save(workbook), []


def save(workbook):
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_value(value):
    if value is None:
        return ''
    if isinstance(value, bool):
        return 'Да' if value else 'Нет'
    if isinstance(value, Decimal):
        return str(value).replace('.', ',')
    if isinstance(value, dt.date):
        return value.strftime('%d.%m.%Y')
    return str(value)


def to_csv(header, rows):
    "The CSV file (bytes): UTF-8 with BOM, ';', decimal comma, CRLF."
    buffer = io.StringIO(newline='')
    writer = csv.writer(buffer, delimiter=';', lineterminator='\r\n')
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_value(v) for v in row])
    return buffer.getvalue().encode('utf-8-sig')
