# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""Reports of group I for the inspectorate and the disclosure of
information (docs: reports.md I6, I7).

I6 prints, for an account and the months of the context, what an
inspector asks to see: the tariffs applied, every charge with the kernel's
explanation, the recalculations, the meter readings, the payments and the
month-by-month statement from the ledger. I7 gives per building the
figures disclosed in ГИС ЖКХ, each read from the source its entry names."""
import datetime as dt
from collections import defaultdict
from decimal import Decimal
from io import BytesIO

from dateutil.relativedelta import relativedelta
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from sql import Cast, Literal, Null, Union, Window
from sql.aggregate import Count, Max, Sum
from sql.functions import RowNumber
from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.report import Report
from trytond.transaction import Transaction

from .bulk import as_money
from .payment import payment_origin_where
from .pdf import FONT, FONT_BOLD, format_date, format_number, register_fonts
from .report_context import ReportFilterMixin, month_start
from .report_stock import area_on

MONEY = (16, 2)
DAY1 = dt.timedelta(days=1)


class InspectionPack(ReportFilterMixin, Report):
    """The pack answering an inspectorate's request on an account (I6):
    printed from the account for the months of the context (else the
    twelve months before the current one)."""
    __name__ = 'housing.report.inspection'

    @classmethod
    def _execute(cls, records, header, data, action):
        return 'pdf', cls.render(records)

    @classmethod
    def pack_periods(cls):
        context = Transaction().context
        if context.get('period_from') or context.get('period_to'):
            return cls.report_periods()
        today = Pool().get('ir.date').today()
        period_to = month_start(today) - relativedelta(months=1)
        return period_to - relativedelta(months=11), period_to

    @classmethod
    def render(cls, accounts):
        register_fonts()
        styles = {
            'title': ParagraphStyle(
                'title', fontName=FONT_BOLD, fontSize=12, leading=15),
            'head': ParagraphStyle(
                'head', fontName=FONT_BOLD, fontSize=9, leading=12,
                spaceBefore=8, spaceAfter=3),
            'text': ParagraphStyle(
                'text', fontName=FONT, fontSize=8, leading=10),
            'cell': ParagraphStyle(
                'cell', fontName=FONT, fontSize=7, leading=8.5),
            }
        period_from, period_to = cls.pack_periods()
        content = BytesIO()
        document = SimpleDocTemplate(
            content, pagesize=landscape(A4), title=PACK_TITLE,
            leftMargin=12 * mm, rightMargin=12 * mm,
            topMargin=12 * mm, bottomMargin=12 * mm)
        story = []
        for account in accounts:
            if story:
                story.append(PageBreak())
            story.extend(cls.pack(account, period_from, period_to, styles))
        document.build(story)
        return content.getvalue()

    @classmethod
    def table(cls, header, rows, widths, styles, total=None):
        def cell(value):
            return Paragraph(escape(value), styles['cell'])
        body = [[cell(h) for h in header]] + [
            [cell(v) for v in row] for row in rows]
        if total:
            body.append([cell(v) for v in total])
        if not rows:
            body.append([cell(NOTHING)] + [''] * (len(header) - 1))
        table = Table(body, colWidths=[w * mm for w in widths], repeatRows=1)
        table.setStyle(TableStyle([
                    ('GRID', (0, 0), (-1, -1), 0.3, colors.grey),
                    ('BACKGROUND', (0, 0), (-1, 0), colors.whitesmoke),
                    ('VALIGN', (0, 0), (-1, -1), 'TOP'),
                    ]))
        return table

    @classmethod
    def pack(cls, account, period_from, period_to, styles):
        pool = Pool()
        Charge = pool.get('housing.charge')
        Reading = pool.get('housing.meter.reading')
        Payment = pool.get('housing.payment')
        Company = pool.get('company.company')
        Date = pool.get('ir.date')
        date_from = period_from
        date_to = period_to + relativedelta(months=1) - DAY1
        company = account.company
        story = [
            Paragraph(escape(PACK_TITLE), styles['title']),
            Paragraph(escape(company.rec_name if isinstance(
                        company, Company) else ''), styles['text']),
            Paragraph(escape("Лицевой счёт %s, %s; плательщик: %s" % (
                        account.number, account.premises.rec_name,
                        account.payer.rec_name if account.payer else '—')),
                styles['text']),
            Paragraph(escape("Период: %s – %s. Сформирован %s." % (
                        period_from.strftime('%m.%Y'),
                        period_to.strftime('%m.%Y'),
                        format_date(Date.today()))), styles['text']),
            ]
        charges = Charge.search([
                ('account', '=', account.id),
                ('run.state', '=', 'posted'),
                ('period', '>=', period_from),
                ('period', '<=', period_to),
                ], order=[('period', 'ASC'), ('service', 'ASC'),
                ('id', 'ASC')])
        own = [c for c in charges if c.kind != 'recalculation']
        recalculations = [c for c in charges if c.kind == 'recalculation']

        story.append(Paragraph(escape("1. Применённые тарифы (A7)"),
                styles['head']))
        tariffs = defaultdict(set)
        for charge in own:
            if charge.tariff is not None:
                tariffs[charge.service.rec_name, charge.unit or ''].add(
                    (charge.period, charge.tariff))
        rows = []
        for (service, unit), values in sorted(tariffs.items()):
            for period, tariff in sorted(values):
                rows.append([service, unit, period.strftime('%m.%Y'),
                        format_number(tariff, 4)])
        story.append(cls.table(["Услуга", "Ед.", "Период", "Тариф, ₽"],
                rows, [90, 20, 25, 30], styles))

        story.append(Paragraph(escape(
                    "2. Начисления и расшифровка расчёта (A5)"),
                styles['head']))
        rows = [[c.period.strftime('%m.%Y'), c.service.rec_name,
                format_number(c.quantity, 3) if c.quantity is not None
                else '', c.unit or '',
                format_number(c.tariff, 4) if c.tariff is not None else '',
                format_number(c.amount), c.explanation_ru or '']
            for c in own]
        total = sum((c.amount for c in own), Decimal(0))
        story.append(cls.table(
                ["Период", "Услуга", "Объём", "Ед.", "Тариф", "Сумма, ₽",
                    "Расчёт"], rows, [16, 40, 18, 10, 18, 20, 150], styles,
                total=["Итого", '', '', '', '', format_number(total), '']))

        story.append(Paragraph(escape("3. Перерасчёты (A3)"),
                styles['head']))
        rows = [[c.period.strftime('%m.%Y'),
                c.corrected_period.strftime('%m.%Y')
                if c.corrected_period else '', c.service.rec_name,
                c.reason or '', format_number(c.amount),
                c.explanation_ru or '']
            for c in recalculations]
        recalculated = sum((c.amount for c in recalculations), Decimal(0))
        story.append(cls.table(
                ["Период", "За период", "Услуга", "Основание", "Сумма, ₽",
                    "Расчёт"], rows, [16, 18, 40, 30, 20, 148], styles,
                total=["Итого", '', '', '', format_number(recalculated),
                    '']))

        story.append(Paragraph(escape("4. Показания приборов учёта (D1)"),
                styles['head']))
        meters = [m for m in account.premises.meters]
        readings = Reading.search([
                ('meter', 'in', [m.id for m in meters]),
                ('date', '>=', date_from - relativedelta(months=1)),
                ('date', '<=', date_to),
                ], order=[('meter', 'ASC'), ('date', 'ASC')])
        rows = [[r.meter.serial_number, r.meter.service.rec_name,
                format_date(r.date), format_number(r.value1, 3),
                dict(r._fields['source'].selection).get(r.source, r.source)
                if isinstance(r._fields['source'].selection, list)
                else r.source]
            for r in readings]
        story.append(cls.table(
                ["№ прибора", "Услуга", "Дата", "Показание", "Источник"],
                rows, [35, 60, 25, 30, 40], styles))

        story.append(Paragraph(escape("5. Оплаты (B3)"), styles['head']))
        payments = Payment.search([
                ('account', '=', account.id),
                ('state', '=', 'posted'),
                ('date', '>=', date_from), ('date', '<=', date_to),
                ], order=[('date', 'ASC'), ('id', 'ASC')])
        paid = sum((p.amount for p in payments), Decimal(0))
        story.append(cls.table(
                ["Дата", "Сумма, ₽", "За период", "Документ"],
                [[format_date(p.date), format_number(p.amount),
                        p.period.strftime('%m.%Y') if p.period else '',
                        p.reference or ''] for p in payments],
                [25, 30, 25, 60], styles,
                total=["Итого", format_number(paid), '', '']))

        story.append(Paragraph(escape(
                    "6. Выписка по лицевому счёту по данным учёта (B8)"),
                styles['head']))
        rows = []
        for month, opening, debit, credit, closing in cls.statement(
                account, period_from, period_to):
            rows.append([month.strftime('%m.%Y'), format_number(opening),
                    format_number(debit), format_number(credit),
                    format_number(closing)])
        story.append(cls.table(
                ["Месяц", "Сальдо на начало", "Начислено", "Оплачено",
                    "Сальдо на конец"], rows, [25, 35, 35, 35, 35], styles))
        story.append(Spacer(1, 8 * mm))
        story.append(Paragraph(escape(
                    "Руководитель " + '_' * 24 + ' / ' + '_' * 24),
                styles['text']))
        return story

    @classmethod
    def statement(cls, account, period_from, period_to):
        """[(month, opening, debit, credit, closing)] of the account's
        posted receivable lines: debt positive."""
        pool = Pool()
        line = pool.get('account.move.line').__table__()
        move = pool.get('account.move').__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*line.join(move, condition=line.move == move.id
                ).select(move.date, Sum(line.debit), Sum(line.credit),
                where=(line.housing_account == account.id)
                & (move.state == 'posted'),
                group_by=[move.date]))
        by_date = [(d if isinstance(d, dt.date)
                else dt.date.fromisoformat(str(d)[:10]),
                as_money(debit) or Decimal(0),
                as_money(credit) or Decimal(0))
            for d, debit, credit in cursor]
        result = []
        month = period_from
        while month <= period_to:
            end = month + relativedelta(months=1) - DAY1
            opening = sum((d - c for day, d, c in by_date if day < month),
                Decimal(0))
            debit = sum((d for day, d, _ in by_date
                    if month <= day <= end), Decimal(0))
            credit = sum((c for day, _, c in by_date
                    if month <= day <= end), Decimal(0))
            result.append((month, opening, debit, credit,
                    opening + debit - credit))
            month += relativedelta(months=1)
        return result


PACK_TITLE = "Ответ на запрос ГЖИ: начисления по лицевому счёту"
NOTHING = "нет"

ITEMS = [
    ('total_area', "Total Area, m²"),
    ('residential_area', "Residential Area, m²"),
    ('non_residential_area', "Non-Residential Area, m²"),
    ('common_area', "Common Property Area, m²"),
    ('premises', "Premises"),
    ('accounts', "Open Personal Accounts"),
    ('residents', "Registered Persons"),
    ('tariff', "Tariff Applied, ₽"),
    ('accrued', "Accrued, ₽"),
    ('collected', "Collected, ₽"),
    ('debt', "Consumers' Debt at End, ₽"),
    ('court_cases', "Court Cases Filed"),
    ('claimed', "Claimed in Court, ₽"),
    ]


class Disclosure(ReportFilterMixin, ModelSQL, ModelView):
    "Disclosure Data Set"
    __name__ = 'housing.report.disclosure'

    building = fields.Many2One('housing.building', "Building", readonly=True)
    sequence = fields.Integer("Sequence", readonly=True)
    item = fields.Selection(ITEMS, "Item", readonly=True)
    service = fields.Many2One('housing.service', "Service", readonly=True)
    value = fields.Numeric("Value", digits=(16, 4), readonly=True)
    source = fields.Char("Source Report", readonly=True)
    placed = fields.Boolean(
        "Placed", readonly=True,
        help="Placed in ГИС ЖКХ: the exchange is not tracked yet.")
    value_text = fields.Function(fields.Char("Value"), 'get_value_text')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [
            ('building', 'ASC'), ('sequence', 'ASC'), ('service', 'ASC'),
            ('id', 'ASC')]

    @classmethod
    def _printed_columns(cls):
        "The values have different units: printed as text, not summed."
        return ['building', 'item', 'service', 'value_text', 'source',
            'placed']

    def get_value_text(self, name):
        if self.value is None:
            return ''
        if self.item in {'tariff', 'accrued', 'collected', 'debt',
                'claimed'}:
            digits = 2 if self.value == round(self.value, 2) else 4
        else:
            digits = 0 if self.value == self.value.to_integral_value() else 2
        return format_number(self.value, digits)

    @classmethod
    def table_query(cls):
        pool = Pool()
        building = pool.get('housing.building').__table__()
        premises = pool.get('housing.premises').__table__()
        account = pool.get('housing.account').__table__()
        resident = pool.get('housing.resident').__table__()
        charge = pool.get('housing.charge').__table__()
        run = pool.get('housing.accrual.run').__table__()
        line = pool.get('account.move.line').__table__()
        move = pool.get('account.move').__table__()
        case = pool.get('housing.court_case').__table__()
        company = cls.report_company() or -1
        period_from, period_to = cls.report_periods()
        start, end = cls.report_dates()
        buildings = cls.report_ids('buildings')
        codes = [code for code, _ in ITEMS]

        def item(code, query, value, building_column, where=Literal(True),
                service=None, group_by=None):
            return query.select(
                building_column.as_('building'),
                Literal(codes.index(code) + 1).as_('sequence'),
                Literal(code).as_('item'),
                (service if service is not None
                    else Cast(Null, 'INTEGER')).as_('service'),
                value.as_('value'),
                Literal(SOURCES[code]).as_('source'),
                where=where & ((building_column.in_(buildings))
                    if buildings else Literal(True)),
                group_by=group_by or [building_column])

        barea = area_on(pool.get('housing.building.area'), 'building', end,
            ['total_area', 'residential_area', 'non_residential_area',
                'common_area'])
        queries = [item(code, barea, Max(getattr(barea, code)), barea.key)
            for code in ['total_area', 'residential_area',
                'non_residential_area', 'common_area']]
        queries.append(item('premises', premises, Count(premises.id),
                premises.building))
        with_premises = account.join(
            premises, condition=account.premises == premises.id)
        queries.append(item('accounts', with_premises, Count(account.id),
                premises.building, where=(account.opened <= end)
                & ((account.closed == Null) | (account.closed >= end))))
        queries.append(item('residents', resident.join(
                    account, condition=resident.account == account.id
                    ).join(premises,
                    condition=account.premises == premises.id),
                Count(resident.id), premises.building,
                where=(resident.registered_from <= end)
                & ((resident.registered_to == Null)
                    | (resident.registered_to >= end))))
        posted = charge.join(run, condition=charge.run == run.id)
        in_period = ((run.state == 'posted') & (run.company == company)
            & (charge.period >= period_from) & (charge.period <= period_to))
        queries.append(item('tariff', posted, Max(charge.tariff),
                charge.building, where=in_period
                & (charge.kind == 'charge') & (charge.tariff != Null),
                service=charge.service,
                group_by=[charge.building, charge.service]))
        queries.append(item('accrued', posted, Sum(charge.amount),
                charge.building, where=in_period))
        ledger = (line.join(move, condition=line.move == move.id)
            .join(account, condition=line.housing_account == account.id)
            .join(premises, condition=account.premises == premises.id))
        in_ledger = (move.company == company) & (move.state == 'posted')
        queries.append(item('collected', ledger, Sum(line.credit),
                premises.building, where=in_ledger
                & (move.date >= start) & (move.date <= end)
                & payment_origin_where(move)))
        queries.append(item('debt', ledger, Sum(line.debit - line.credit),
                premises.building, where=in_ledger & (move.date <= end)))
        cases = case.join(account, condition=case.account == account.id
            ).join(premises, condition=account.premises == premises.id)
        filed = ((case.company == company) & (case.filed >= start)
            & (case.filed <= end))
        queries.append(item('court_cases', cases, Count(case.id),
                premises.building, where=filed))
        queries.append(item('claimed', cases,
                Sum(case.principal + case.penalty), premises.building,
                where=filed))
        union = Union(*queries, all_=True)
        return union.join(building,
            condition=union.building == building.id).select(
                RowNumber(window=Window([], order_by=[
                            union.building, union.sequence,
                            union.service])).as_('id'),
                union.building.as_('building'),
                union.sequence.as_('sequence'),
                union.item.as_('item'),
                union.service.as_('service'),
                union.value.as_('value'),
                union.source.as_('source'),
                Literal(False).as_('placed'),
                where=building.company == company)


SOURCES = {
    'total_area': 'F4', 'residential_area': 'F4',
    'non_residential_area': 'F4', 'common_area': 'F4',
    'premises': 'F1', 'accounts': 'F1', 'residents': 'F3',
    'tariff': 'A7', 'accrued': 'A2', 'collected': 'B3', 'debt': 'B1',
    'court_cases': 'C5', 'claimed': 'C5',
    }


def escape(text):
    return (str(text).replace('&', '&amp;').replace('<', '&lt;')
        .replace('>', '&gt;'))
