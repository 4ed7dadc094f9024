# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""The printed form (P) of any housing report list.

One Tryton report, ``housing.report.printed_table``, prints the rows of a
list as a PDF table drawn with reportlab: the columns of the model's list
view (or of its ``_printed_columns()``), the organisation, the report's
period, when it was built, page N of M, a total row for the columns the
list view sums, and the signatures block (docs: reports.md, Conventions). A
report model only needs an ``ir.action.report`` with this report_name and
its model, in the ``form_print`` keyword. Printed with no row selected, it
prints every row of the report in the current context.
"""
import datetime
from decimal import Decimal
from io import BytesIO

from lxml import etree
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as pdf_canvas
from reportlab.platypus import (
    LongTable,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    TableStyle,
)
from trytond.i18n import gettext
from trytond.pool import Pool
from trytond.report import Report
from trytond.transaction import Transaction

from .pdf import FONT, FONT_BOLD, format_date, format_number, register_fonts

NUMERIC_TYPES = {'numeric', 'float'}


class _NumberedCanvas(pdf_canvas.Canvas):
    "Draws 'page N of M' once the number of pages is known"

    def __init__(self, *args, page_label=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._saved_pages = []
        self._page_label = page_label

    def showPage(self):
        self._saved_pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        count = len(self._saved_pages)
        for state in self._saved_pages:
            self.__dict__.update(state)
            self.setFont(FONT, 7)
            self.drawRightString(
                self._pagesize[0] - 12 * mm, 8 * mm,
                self._page_label(self._pageNumber, count))
            super().showPage()
        super().save()


class PrintedTable(Report):
    "Housing Report Printed Table"
    __name__ = 'housing.report.printed_table'

    @classmethod
    def _execute(cls, records, header, data, action):
        model = action.model or data.get('model')
        Model = Pool().get(model)
        if not records:
            records = Model.search([])
        return 'pdf', cls.render_table(Model, records, action.name)

    @classmethod
    def columns(cls, Model):
        "The field names printed: the model's list view, in its order"
        names = getattr(Model, '_printed_columns', None)
        if names:
            return list(names())
        return [f.get('name') for f in cls.view_fields(Model)]

    @classmethod
    def totalled(cls, Model):
        "The field names totalled: those the list view sums"
        return {f.get('name') for f in cls.view_fields(Model)
            if f.get('sum') not in {None, '', '0', 'False'}}

    @staticmethod
    def view_fields(Model):
        view = Model.fields_view_get(view_type='tree')
        arch = etree.fromstring(view['arch'].encode('utf-8'))
        return [
            f for f in arch.iter('field')
            if f.get('name') in view['fields']
            and f.get('tree_invisible') not in {'1', 'True'}]

    @classmethod
    def render_table(cls, Model, records, title):
        register_fonts()
        names = cls.columns(Model)
        definitions = Model.fields_get(names)
        styles = cls.styles()
        header = [
            Paragraph(definitions[n]['string'], styles['head'])
            for n in names]
        rows = [header]
        totalled = cls.totalled(Model)
        totals = {n: Decimal(0) for n in names
            if n in totalled and definitions[n]['type'] in NUMERIC_TYPES}
        for record in records:
            row = []
            for name in names:
                value = getattr(record, name, None)
                if name in totals and value is not None:
                    totals[name] += Decimal(str(value))
                numeric = definitions[name]['type'] in NUMERIC_TYPES
                row.append(Paragraph(
                    cls.format_value(value, definitions[name]),
                    styles['number'] if numeric else styles['cell']))
            rows.append(row)
        if totals and records:
            total_row = [
                Paragraph(format_number(totals[n]), styles['total'])
                if n in totals else Paragraph('', styles['cell'])
                for n in names]
            total_row[0] = Paragraph(
                gettext('housing_billing.msg_report_total'), styles['total'])
            rows.append(total_row)

        pagesize = landscape(A4) if len(names) > 6 else A4
        content = BytesIO()
        document = SimpleDocTemplate(
            content, pagesize=pagesize, title=title,
            leftMargin=12 * mm, rightMargin=12 * mm,
            topMargin=12 * mm, bottomMargin=15 * mm)
        table = LongTable(rows, repeatRows=1)
        table.setStyle(TableStyle([
                    ('GRID', (0, 0), (-1, -1), 0.3, colors.grey),
                    ('BACKGROUND', (0, 0), (-1, 0), colors.whitesmoke),
                    ('VALIGN', (0, 0), (-1, -1), 'TOP'),
                    ('LEFTPADDING', (0, 0), (-1, -1), 2),
                    ('RIGHTPADDING', (0, 0), (-1, -1), 2),
                    ]))
        story = cls.heading(title, styles) + [table, Spacer(1, 8 * mm)]
        story += cls.signatures(styles)

        def page_label(page, pages):
            return gettext(
                'housing_billing.msg_report_page', page=page, pages=pages)

        document.build(story, canvasmaker=lambda *a, **k: _NumberedCanvas(
                *a, page_label=page_label, **k))
        return content.getvalue()

    @classmethod
    def styles(cls):
        return {
            'title': ParagraphStyle(
                'title', fontName=FONT_BOLD, fontSize=12, leading=15),
            'info': ParagraphStyle(
                'info', fontName=FONT, fontSize=8, leading=10),
            'head': ParagraphStyle(
                'head', fontName=FONT_BOLD, fontSize=7, leading=8.5),
            'cell': ParagraphStyle(
                'cell', fontName=FONT, fontSize=7, leading=8.5),
            'number': ParagraphStyle(
                'number', fontName=FONT, fontSize=7, leading=8.5,
                alignment=2),
            'total': ParagraphStyle(
                'total', fontName=FONT_BOLD, fontSize=7, leading=8.5,
                alignment=2),
            }

    @classmethod
    def heading(cls, title, styles):
        pool = Pool()
        Company = pool.get('company.company')
        Date = pool.get('ir.date')
        context = Transaction().context
        lines = [Paragraph(escape(title), styles['title'])]
        if context.get('company'):
            lines.append(Paragraph(
                    escape(Company(context['company']).rec_name),
                    styles['info']))
        period_from = context.get('period_from')
        period_to = context.get('period_to') or period_from
        if period_from:
            lines.append(Paragraph(escape(gettext(
                            'housing_billing.msg_report_period',
                            start=period_from.strftime('%m.%Y'),
                            end=period_to.strftime('%m.%Y'))),
                    styles['info']))
        built = datetime.datetime.now()
        lines.append(Paragraph(escape(gettext(
                        'housing_billing.msg_report_built',
                        date=format_date(Date.today()),
                        time=built.strftime('%H:%M'))), styles['info']))
        lines.append(Spacer(1, 4 * mm))
        return lines

    @classmethod
    def signatures(cls, styles):
        line = '_' * 24 + ' / ' + '_' * 24
        return [
            Paragraph(escape(gettext(
                            'housing_billing.msg_report_signature_head'))
                + ' ' + line, styles['info']),
            Spacer(1, 5 * mm),
            Paragraph(escape(gettext(
                            'housing_billing.msg_report_signature_accountant'))
                + ' ' + line, styles['info']),
            ]

    @classmethod
    def format_value(cls, value, definition):
        kind = definition['type']
        if value is None or value is False and kind != 'boolean':
            return ''
        if kind in NUMERIC_TYPES:
            digits = definition.get('digits')
            scale = digits[1] if isinstance(digits, (list, tuple)) and \
                isinstance(digits[1], int) else 2
            return format_number(value, scale)
        if kind == 'boolean':
            return '✓' if value else ''
        if kind == 'date':
            return format_date(value)
        if kind == 'datetime':
            return value.strftime('%d.%m.%Y %H:%M')
        if kind == 'many2one' or kind == 'reference':
            return escape(value.rec_name)
        if kind == 'selection':
            selection = definition.get('selection')
            if isinstance(selection, (list, tuple)):
                value = dict(selection).get(value, value)
            return escape(value)
        if kind in {'one2many', 'many2many'}:
            return escape(', '.join(r.rec_name for r in value))
        return escape(str(value))


def escape(text):
    return (str(text).replace('&', '&amp;').replace('<', '&lt;')
        .replace('>', '&gt;'))
