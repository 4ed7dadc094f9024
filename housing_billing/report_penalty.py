# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""Reports of penalties and collection (reports.md, group C): the penalty
register (C1) and the court debt and penalty statement (C2).

C2 is computed by the penalty kernel with the settings and the posted
charges and allocations the accrual runs use (penalty.py), so that its
rows add up to what the runs charged for the same day. It is a Russian
court document: its headings are printed in Russian whatever the user's
language."""
import csv
from collections import defaultdict
from decimal import Decimal
from io import BytesIO, StringIO

from dateutil.relativedelta import relativedelta
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    LongTable,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    TableStyle,
)
from sql import Window
from sql.aggregate import Max, Min, Sum
from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.report import Report
from trytond.transaction import Transaction
from trytond.wizard import Button, StateReport, StateView, Wizard

from .engine.penalties import due_date
from .engine.periods import Period
from .pdf import FONT, FONT_BOLD, format_date, format_number, register_fonts
from .penalty import (
    account_penalty_rows,
    paid_tranches,
    penalty_settings,
    percent,
    posted_allocation_rows,
    posted_service_debts,
    recorded_parts,
)
from .report_context import month_start
from .report_debt import ReportReadMixin, _money
from .report_table import escape

ZERO = Decimal('0.00')


class PenaltyRegister(ReportReadMixin, ModelSQL, ModelView):
    """C1 Penalty Register

    The penalties the posted runs charged, by account and month, with the
    running total since the first month (the runs charge the increment of
    each account's penalties up to the end of their month)."""
    __name__ = 'housing.report.penalty.register'
    __string__ = "Penalty Register"

    account = fields.Many2One(
        'housing.account', "Personal Account", readonly=True)
    building = fields.Many2One('housing.building', "Building", readonly=True)
    month = fields.Date("Month", readonly=True)
    calculation_date = fields.Date("Calculated To", readonly=True)
    amount = _money("Penalty of the Month")
    cumulative = _money("Penalty Cumulative")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('account', 'ASC'), ('month', 'ASC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        pool = Pool()
        charge = pool.get('housing.charge').__table__()
        run = pool.get('housing.accrual.run').__table__()
        account = pool.get('housing.account').__table__()
        premises = pool.get('housing.premises').__table__()
        company = cls.report_company()
        period_from, period_to = cls.report_periods()
        monthly = charge.join(run, condition=charge.run == run.id).select(
            Min(charge.id).as_('id'), charge.account, charge.period,
            Sum(charge.amount).as_('amount'),
            Max(charge.date_to).as_('date_to'),
            where=(run.company == company) & (run.state == 'posted')
            & (charge.kind == 'penalty') & (charge.period <= period_to),
            group_by=[charge.account, charge.period])
        cumulated = monthly.select(
            monthly.id, monthly.account, monthly.period, monthly.amount,
            monthly.date_to,
            Sum(monthly.amount, window=Window([monthly.account],
                    order_by=[monthly.period.asc])).as_('cumulative'))
        return cumulated.join(account,
            condition=cumulated.account == account.id
            ).join(premises, condition=account.premises == premises.id
            ).select(
                cumulated.id,
                cumulated.account, premises.building,
                cumulated.period.as_('month'),
                cumulated.date_to.as_('calculation_date'),
                cumulated.amount, cumulated.cumulative,
                where=cls.account_filter(account, premises)
                & (cumulated.period >= period_from))


def court_statement(account, date, period_from=None, period_to=None):
    """The debt and penalty statement of account on date for the billing
    months between period_from and period_to (all when None): a dict of
    months (charged, payments, debt, cumulative), penalty rows by month
    and the totals."""
    company = account.company
    settings = penalty_settings(company, account.premises.building)
    by_service, bases = posted_service_debts(
        company, [account.id], month_start(date))
    by_service = by_service.get(account.id, {})
    debts = {period: sum(amounts.values(), ZERO)
        for period, amounts in by_service.items()}
    allocations = posted_allocation_rows(company, [account.id], date)
    recorded = recorded_parts(allocations)
    allocations = allocations.get(account.id, [])
    tranches = paid_tranches(
        by_service, bases, allocations, settings, recorded)
    rows = account_penalty_rows(
        by_service, bases, allocations, date, settings, recorded)
    by_period = defaultdict(list)
    for row in rows:
        by_period[row.period.start].append(row)

    def claimed(period):
        return ((not period_from or period >= period_from)
            and (not period_to or period <= period_to))
    months = []
    cumulative = ZERO
    for period, charged in sorted(debts.items()):
        if not claimed(period):
            continue
        payments = sorted((d, a) for d, a in tranches[period] if d <= date)
        paid = sum((a for _, a in payments), ZERO)
        debt = charged - paid
        cumulative += debt
        months.append({
                'period': period,
                'due': due_date(Period.of(period), settings)[0],
                'charged': charged,
                'payments': payments,
                'paid': paid,
                'debt': debt,
                'cumulative': cumulative,
                'rows': by_period.get(period, []),
                'penalty': sum(
                    (r.amount for r in by_period.get(period, [])), ZERO),
                })
    penalty = sum((m['penalty'] for m in months), ZERO)
    limitation = date - relativedelta(years=3)
    for month in months:
        month['limitation'] = month['due'] < limitation
    return {
        'account': account,
        'date': date,
        'months': months,
        'principal': cumulative,
        'penalty': penalty,
        'total': cumulative + penalty,
        }


def formula(row):
    "«4 200,00 × 42 × 1/300 × 9,5 %»: what a judge re-checks"
    rate = str(percent(row.rate)).replace('.', ',')
    return '%s × %s × %s × %s %%' % (
        format_number(row.base), row.days, row.fraction, rate)


def rate_text(row):
    return str(percent(row.rate)).replace('.', ',')


class CourtStatement(Report):
    "C2 Court Debt and Penalty Statement"
    __name__ = 'housing.report.court_statement'
    output = 'pdf'

    @classmethod
    def _execute(cls, records, header, data, action):
        Date = Pool().get('ir.date')
        date = data.get('date') or Date.today()
        statements = [court_statement(
                    a, date, data.get('period_from'), data.get('period_to'))
            for a in records]
        if cls.output == 'csv':
            return 'csv', cls.render_csv(statements)
        return 'pdf', cls.render_pdf(statements)

    @classmethod
    def csv_rows(cls, statement):
        account = statement['account']
        yield ['Лицевой счёт', account.number, 'Адрес',
            account.premises.rec_name, 'Дата расчёта',
            format_date(statement['date'])]
        yield ['Месяц', 'Начислено', 'Оплачено', 'Долг за месяц',
            'Долг нарастающим итогом']
        for month in statement['months']:
            yield [month['period'].strftime('%m.%Y'),
                format_number(month['charged']),
                format_number(month['paid']), format_number(month['debt']),
                format_number(month['cumulative'])]
        yield ['Период долга', 'Начислено', 'Срок оплаты', 'Задолженность',
            'С', 'По', 'Дней', 'Доля ставки', 'Ставка ЦБ, %', 'Формула',
            'Пени, ₽']
        for month in statement['months']:
            for row in month['rows']:
                yield [month['period'].strftime('%m.%Y'),
                    format_number(month['charged']),
                    format_date(month['due']), format_number(row.base),
                    format_date(row.date_from), format_date(row.date_to),
                    str(row.days), str(row.fraction), rate_text(row),
                    formula(row), format_number(row.amount)]
        yield ['Основной долг', format_number(statement['principal'])]
        yield ['Пени', format_number(statement['penalty'])]
        yield ['Всего', format_number(statement['total'])]

    @classmethod
    def render_csv(cls, statements):
        "UTF-8, «;», decimal comma: as Russian accountants open it in Excel"
        content = StringIO()
        writer = csv.writer(content, delimiter=';', lineterminator='\r\n')
        for statement in statements:
            writer.writerows(cls.csv_rows(statement))
            writer.writerow([])
        return content.getvalue().encode('utf-8-sig')

    @classmethod
    def render_pdf(cls, statements):
        register_fonts()
        styles = {
            'title': ParagraphStyle(
                'title', fontName=FONT_BOLD, fontSize=12, leading=15),
            'head': ParagraphStyle(
                'head', fontName=FONT_BOLD, fontSize=9, leading=12),
            'cell': ParagraphStyle(
                'cell', fontName=FONT, fontSize=7, leading=8.5),
            'bold': ParagraphStyle(
                'bold', fontName=FONT_BOLD, fontSize=7, leading=8.5),
            }
        company = Transaction().context.get('company')
        story = []
        for statement in statements:
            story += cls.statement_story(statement, styles, company)
        content = BytesIO()
        SimpleDocTemplate(
            content, pagesize=landscape(A4),
            leftMargin=12 * mm, rightMargin=12 * mm, topMargin=12 * mm,
            bottomMargin=12 * mm).build(story)
        return content.getvalue()

    @classmethod
    def table(cls, rows, styles, bold_rows=(), spans=(), widths=None):
        "spans: the rows whose first cell spans all but the last column"
        cells = [[Paragraph(escape(c), styles[
                        'bold' if i == 0 or i in bold_rows else 'cell'])
                for c in row] for i, row in enumerate(rows)]
        table = LongTable(cells, repeatRows=1, colWidths=widths)
        table.setStyle(TableStyle([
                    ('GRID', (0, 0), (-1, -1), 0.3, colors.grey),
                    ('VALIGN', (0, 0), (-1, -1), 'TOP'),
                    ] + [('SPAN', (0, r), (-2, r)) for r in spans]))
        return table

    @classmethod
    def statement_story(cls, statement, styles, company):
        Company = Pool().get('company.company')
        account = statement['account']
        payer = account.payer_at(statement['date'])
        story = [
            Paragraph(escape("Расчёт задолженности и пеней"),
                styles['title']),
            Paragraph(escape("Взыскатель: %s" % (
                        Company(company).rec_name if company else '')),
                styles['cell']),
            Paragraph(escape("Лицевой счёт № %s, %s" % (
                        account.number, account.premises.rec_name)),
                styles['cell']),
            Paragraph(escape("Должник: %s" % (
                        payer.party.rec_name if payer else '')),
                styles['cell']),
            Paragraph(escape("Дата расчёта: %s" % format_date(
                        statement['date'])), styles['cell']),
            Spacer(1, 4 * mm),
            Paragraph(escape("1. Расчёт задолженности (помесячно)"),
                styles['head']),
            ]
        rows = [['Месяц', 'Начислено', 'Оплачено (дата, сумма)',
                'Зачтено в счёт месяца', 'Долг за месяц',
                'Долг нарастающим итогом']]
        for month in statement['months']:
            rows.append([
                    month['period'].strftime('%m.%Y')
                    + (' (срок давности)' if month['limitation'] else ''),
                    format_number(month['charged']),
                    ', '.join('%s — %s' % (format_date(d), format_number(a))
                        for d, a in month['payments']),
                    format_number(month['paid']),
                    format_number(month['debt']),
                    format_number(month['cumulative'])])
        story += [cls.table(rows, styles), Spacer(1, 4 * mm),
            Paragraph(escape("2. Расчёт пеней"), styles['head'])]
        rows = [['Период долга', 'Начислено', 'Срок оплаты',
                'Задолженность', 'С', 'По', 'Дней', 'Доля ставки',
                'Ставка ЦБ, %', 'Формула', 'Пени, ₽']]
        bold, spans = [], []
        for month in statement['months']:
            if not month['rows']:
                continue
            payments = list(month['payments'])
            for row in month['rows']:
                while payments and payments[0][0] < row.date_from:
                    day, amount = payments.pop(0)
                    rows.append(['Оплата %s — %s ₽' % (
                                format_date(day), format_number(amount))]
                        + [''] * 10)
                    spans.append(len(rows) - 1)
                rows.append([
                        month['period'].strftime('%m.%Y'),
                        format_number(month['charged']),
                        format_date(month['due']), format_number(row.base),
                        format_date(row.date_from), format_date(row.date_to),
                        str(row.days), str(row.fraction), rate_text(row),
                        formula(row), format_number(row.amount)])
            rows.append(['Итого за %s' % month['period'].strftime('%m.%Y')]
                + [''] * 9 + [format_number(month['penalty'])])
            bold.append(len(rows) - 1)
            spans.append(len(rows) - 1)
        rows.append(['Итого пени'] + [''] * 9
            + [format_number(statement['penalty'])])
        bold.append(len(rows) - 1)
        spans.append(len(rows) - 1)
        widths = [w * mm for w in (
                18, 20, 20, 22, 20, 20, 12, 16, 16, 85, 22)]
        story += [cls.table(rows, styles, bold, spans, widths),
            Spacer(1, 2 * mm),
            Paragraph(escape(
                    "Ставка на день оплаты; для неоплаченного долга — на "
                    "дату расчёта (ЖК РФ ст. 155 ч. 14); не выше 9,5 % "
                    "(ПП РФ № 474, № 329)."), styles['cell']),
            Spacer(1, 4 * mm),
            Paragraph(escape("3. Итог требования"), styles['head']),
            cls.table([
                    ['Основной долг', 'Пени', 'Всего'],
                    [format_number(statement['principal']),
                        format_number(statement['penalty']),
                        format_number(statement['total'])]], styles),
            Spacer(1, 8 * mm),
            Paragraph(escape(
                    "Руководитель " + '_' * 24 + "   Главный бухгалтер "
                    + '_' * 24), styles['cell']),
            Spacer(1, 12 * mm)]
        return story


class CourtStatementCSV(CourtStatement):
    "C2 Court Debt and Penalty Statement (CSV)"
    __name__ = 'housing.report.court_statement_csv'
    output = 'csv'


class CourtStatementStart(ModelView):
    "Court Statement"
    __name__ = 'housing.report.court_statement.start'
    __string__ = "Court Debt and Penalty Statement"

    date = fields.Date(
        "Calculation Date", required=True,
        help="The day the penalties are calculated to.")
    period_from = fields.Date(
        "From Period",
        help="The first billing month claimed (its first day).")
    period_to = fields.Date(
        "To Period",
        help="The last billing month claimed (its first day).")

    @classmethod
    def default_date(cls):
        return Pool().get('ir.date').today()


class PrintCourtStatement(Wizard):
    "Print Court Statement"
    __name__ = 'housing.report.court_statement.print'

    start = StateView('housing.report.court_statement.start',
        'housing_billing.report_court_statement_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("CSV", 'csv', 'tryton-save'),
            Button("Print", 'pdf', 'tryton-print', default=True),
            ])
    pdf = StateReport('housing.report.court_statement')
    csv = StateReport('housing.report.court_statement_csv')

    def data(self):
        return {
            'model': 'housing.account',
            'ids': [r.id for r in self.records],
            'id': self.record.id if self.record else None,
            'date': self.start.date,
            'period_from': month_start(self.start.period_from),
            'period_to': month_start(self.start.period_to),
            }

    def do_pdf(self, action):
        return action, self.data()

    def do_csv(self, action):
        return action, self.data()
