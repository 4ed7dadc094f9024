# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""Reports of group H for the chairman and the auditor (docs: reports.md
H3, H5).

H3 reads the ledger and the charges month by month: accrued (the charges
of posted runs), collected (the credits of the personal accounts'
receivable lines), the debt at the month's end, the cash on the cash and
bank accounts, the open court cases; its printed form adds the ten
largest debtors. H5 lists what people entered by hand and that moves
money: payments, one-off charges, recalculation requests."""
import datetime as dt
from decimal import Decimal
from io import BytesIO

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from sql import Cast, Literal, Null, Union
from sql.aggregate import Count, Sum
from sql.conditionals import Case, Coalesce
from sql.functions import Round
from sql.operators import Concat
from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.report import Report
from trytond.transaction import Transaction

from .bulk import as_money
from .payment import payment_origin_where
from .pdf import FONT, FONT_BOLD, format_date, format_number, register_fonts
from .report_context import ReportFilterMixin

MONEY = (16, 2)
DAY1 = dt.timedelta(days=1)
DAY4 = dt.timedelta(days=4)


def next_month(date):
    return (date.replace(day=28) + DAY4).replace(day=1)


def report_months(period_from, period_to):
    months = []
    month = period_from
    while month <= period_to:
        months.append(month)
        month = next_month(month)
    return months


def personal_lines(company, buildings, date_from=None, date_to=None):
    """(line, move, where): the posted receivable lines of the personal
    accounts of company (and buildings) dated date_from to date_to."""
    pool = Pool()
    line = pool.get('account.move.line').__table__()
    move = pool.get('account.move').__table__()
    account = pool.get('housing.account').__table__()
    premises = pool.get('housing.premises').__table__()
    query = (line
        .join(move, condition=line.move == move.id)
        .join(account, condition=line.housing_account == account.id)
        .join(premises, condition=account.premises == premises.id))
    where = ((move.company == company) & (move.state == 'posted'))
    if buildings:
        where &= premises.building.in_(buildings)
    if date_from:
        where &= move.date >= date_from
    if date_to:
        where &= move.date <= date_to
    return query, line, move, account, where


class ChairmanSummary(ReportFilterMixin, ModelSQL, ModelView):
    "Chairman's Monthly Summary"
    __name__ = 'housing.report.chairman'

    period = fields.Date("Period", readonly=True)
    accrued = fields.Numeric("Accrued", digits=MONEY, readonly=True)
    collected = fields.Numeric("Collected", digits=MONEY, readonly=True)
    collection_rate = fields.Function(
        fields.Numeric("Collection Rate, %", digits=(16, 2)),
        'get_collection_rate')
    debt_opening = fields.Numeric(
        "Debt at Start", digits=MONEY, readonly=True)
    debt = fields.Numeric("Debt at End", digits=MONEY, readonly=True)
    debt_change = fields.Numeric(
        "Debt Change", digits=MONEY, readonly=True)
    cash = fields.Numeric(
        "Cash on Accounts", digits=MONEY, readonly=True,
        help="The balance of the cash desk and bank accounts of the "
        "housing configuration at the end of the month.")
    open_cases = fields.Integer("Open Court Cases", readonly=True)
    meters = fields.Integer(
        "Individual Meters", readonly=True,
        help="The individual meters in service during the month.")
    meters_read = fields.Integer(
        "Meters Read", readonly=True,
        help="The individual meters with a reading dated in the month.")
    readings_rate = fields.Function(
        fields.Numeric("Readings Received, %", digits=(16, 2)),
        'get_readings_rate')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('period', 'ASC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        pool = Pool()
        Company = pool.get('company.company')
        company_table = Company.__table__()
        company = cls.report_company() or -1
        buildings = cls.report_ids('buildings')
        queries = []
        for index, month in enumerate(report_months(*cls.report_periods())):
            end = next_month(month) - DAY1
            queries.append(cls.month_query(
                    company_table, company, buildings, index + 1, month, end))
        if len(queries) == 1:
            return queries[0]
        return Union(*queries, all_=True)

    @classmethod
    def month_query(cls, company_table, company, buildings, index, month,
            end):
        pool = Pool()
        charge = pool.get('housing.charge').__table__()
        run = pool.get('housing.accrual.run').__table__()
        case = pool.get('housing.court_case').__table__()
        account = pool.get('housing.account').__table__()
        premises = pool.get('housing.premises').__table__()
        where = (run.company == company) & (run.state == 'posted') & (
            charge.period == month)
        if buildings:
            where &= charge.building.in_(buildings)
        accrued = charge.join(run, condition=charge.run == run.id).select(
            Sum(charge.amount).as_('amount'), where=where)

        query, line, move, _, where = personal_lines(
            company, buildings, month, end)
        collected = query.select(Sum(line.credit).as_('amount'),
            where=where & (line.credit > 0)
            & payment_origin_where(move))
        query, line, move, _, where = personal_lines(
            company, buildings, None, end)
        debt = query.select(
            Sum(line.debit - line.credit).as_('amount'),
            Sum(Case((move.date < month, line.debit - line.credit),
                    else_=0)).as_('opening'),
            where=where)
        cash = cls.cash_query(company, end)
        case_where = ((case.company == company) & (case.filed != Null)
            & (case.filed <= end) & (case.state != 'closed'))
        if buildings:
            case_where &= premises.building.in_(buildings)
        cases = (case
            .join(account, condition=case.account == account.id)
            .join(premises, condition=account.premises == premises.id)
            .select(Count(case.id).as_('count'), where=case_where))
        meters, read = cls.meters_query(company, buildings, month, end)
        true = Literal(True)
        return (company_table
            .join(accrued, condition=true)
            .join(collected, condition=true)
            .join(debt, condition=true)
            .join(cash, condition=true)
            .join(cases, condition=true)
            .join(meters, condition=true)
            .join(read, condition=true)
            .select(
                Literal(index).as_('id'),
                Literal(month).as_('period'),
                Coalesce(accrued.amount, 0).as_('accrued'),
                Coalesce(collected.amount, 0).as_('collected'),
                Coalesce(debt.opening, 0).as_('debt_opening'),
                Coalesce(debt.amount, 0).as_('debt'),
                (Coalesce(debt.amount, 0) - Coalesce(debt.opening, 0)
                    ).as_('debt_change'),
                Coalesce(cash.amount, 0).as_('cash'),
                Coalesce(cases.count, 0).as_('open_cases'),
                Coalesce(meters.count, 0).as_('meters'),
                Coalesce(read.count, 0).as_('meters_read'),
                where=company_table.id == company))

    @classmethod
    def meters_query(cls, company, buildings, month, end):
        """The individual meters in service in the month, and those of
        them read in the month (D1/D2)."""
        pool = Pool()
        meter = pool.get('housing.meter').__table__()
        reading = pool.get('housing.meter.reading').__table__()
        premises = pool.get('housing.premises').__table__()
        building = pool.get('housing.building').__table__()
        where = ((meter.kind == 'individual')
            & (meter.installation_date <= end)
            & ((meter.removal_date == Null) | (meter.removal_date >= month))
            & (building.company == company))
        if buildings:
            where &= building.id.in_(buildings)
        query = (meter
            .join(premises, condition=meter.premises == premises.id)
            .join(building, condition=premises.building == building.id))
        read = reading.select(reading.meter,
            where=(reading.date >= month) & (reading.date <= end))
        return (query.select(Count(meter.id).as_('count'), where=where),
            query.select(Count(meter.id).as_('count'),
                where=where & meter.id.in_(read)))

    @classmethod
    def cash_query(cls, company, end):
        pool = Pool()
        Configuration = pool.get('housing.configuration')
        line = pool.get('account.move.line').__table__()
        move = pool.get('account.move').__table__()
        with Transaction().set_context(company=company):
            configuration = Configuration(1)
            accounts = [a.id for a in [
                    configuration.payment_cash_account,
                    configuration.payment_bank_account] if a]
        return line.join(move, condition=line.move == move.id).select(
            Sum(line.debit - line.credit).as_('amount'),
            where=line.account.in_(accounts or [-1])
            & (move.company == company) & (move.state == 'posted')
            & (move.date <= end))

    def get_collection_rate(self, name):
        if not self.accrued:
            return None
        return (self.collected * 100 / self.accrued).quantize(
            Decimal('0.01'))

    def get_readings_rate(self, name):
        if not self.meters:
            return None
        return (Decimal(self.meters_read) * 100 / self.meters).quantize(
            Decimal('0.01'))

    @classmethod
    def top_debtors(cls, date, limit=10):
        """[(account, debt)] of the largest debts at date (B6's principal
        and penalties together), largest first."""
        pool = Pool()
        Account = pool.get('housing.account')
        query, line, move, account, where = personal_lines(
            cls.report_company() or -1, cls.report_ids('buildings'),
            None, date)
        balance = Sum(line.debit - line.credit)
        cursor = Transaction().connection.cursor()
        cursor.execute(*query.select(
                account.id, balance, where=where,
                group_by=[account.id], having=balance > 0,
                order_by=[balance.desc, account.id], limit=limit))
        return [(Account(a), as_money(d)) for a, d in cursor]


class ChairmanSummaryPrint(Report):
    """The chairman's summary of a month: the figures of the list and the
    ten largest debtors."""
    __name__ = 'housing.report.chairman_print'

    @classmethod
    def _execute(cls, records, header, data, action):
        pool = Pool()
        Summary = pool.get('housing.report.chairman')
        if not records:
            records = Summary.search([])
        return 'pdf', cls.render(Summary, records, action.name)

    @classmethod
    def render(cls, Summary, records, title):
        pool = Pool()
        Company = pool.get('company.company')
        Date = pool.get('ir.date')
        register_fonts()
        styles = {
            'title': ParagraphStyle(
                'title', fontName=FONT_BOLD, fontSize=12, leading=15),
            'head': ParagraphStyle(
                'head', fontName=FONT_BOLD, fontSize=9, leading=12,
                spaceBefore=6),
            'text': ParagraphStyle(
                'text', fontName=FONT, fontSize=8, leading=10),
            }
        company = Transaction().context.get('company')
        story = [Paragraph(escape(title), styles['title'])]
        if company:
            story.append(Paragraph(
                    escape(Company(company).rec_name), styles['text']))
        story.append(Paragraph(escape(format_date(Date.today())),
                styles['text']))
        fields_ = ['accrued', 'collected', 'collection_rate',
            'debt_opening', 'debt', 'debt_change', 'cash', 'open_cases',
            'readings_rate']
        strings = Summary.fields_get(fields_)
        for record in records:
            story.append(Paragraph(
                    escape(record.period.strftime('%m.%Y')), styles['head']))
            rows = []
            for name in fields_:
                value = getattr(record, name)
                rows.append([strings[name]['string'],
                        format_number(value, 0 if name == 'open_cases'
                            else 2) if value is not None else '—'])
            story.append(cls.table(rows, [80, 40]))
            debtors = Summary.top_debtors(next_month(record.period) - DAY1)
            if debtors:
                story.append(Paragraph(
                        escape(DEBTORS_TITLE), styles['head']))
                story.append(cls.table([[
                                a.number, a.premises.rec_name,
                                a.payer.rec_name if a.payer else '',
                                format_number(d)] for a, d in debtors],
                        [25, 70, 55, 25]))
        content = BytesIO()
        document = SimpleDocTemplate(content, pagesize=A4, title=title,
            leftMargin=12 * mm, rightMargin=12 * mm,
            topMargin=12 * mm, bottomMargin=12 * mm)
        story.append(Spacer(1, 8 * mm))
        document.build(story)
        return content.getvalue()

    @classmethod
    def table(cls, rows, widths):
        table = Table(rows, colWidths=[w * mm for w in widths])
        table.setStyle(TableStyle([
                    ('FONTNAME', (0, 0), (-1, -1), FONT),
                    ('FONTSIZE', (0, 0), (-1, -1), 8),
                    ('GRID', (0, 0), (-1, -1), 0.3, colors.grey),
                    ('ALIGN', (-1, 0), (-1, -1), 'RIGHT'),
                    ]))
        return table


DEBTORS_TITLE = "10 крупнейших должников"


class ManualAdjustment(ReportFilterMixin, ModelSQL, ModelView):
    "Manual Adjustments Log"
    __name__ = 'housing.report.manual_adjustment'

    kind = fields.Selection([
            ('payment', "Manual Payment"),
            ('one_off', "One-Off Charge"),
            ('recalculation', "Recalculation Request"),
            ], "Kind", readonly=True)
    date = fields.Date("Date", readonly=True)
    entered = fields.DateTime("Entered", readonly=True)
    user = fields.Many2One('res.user', "User", readonly=True)
    building = fields.Many2One('housing.building', "Building", readonly=True)
    account = fields.Many2One(
        'housing.account', "Personal Account", readonly=True)
    service = fields.Many2One('housing.service', "Service", readonly=True)
    period = fields.Date("Period", readonly=True)
    amount = fields.Numeric(
        "Amount", digits=MONEY, readonly=True,
        help="Debt positive: a payment is negative.")
    reason = fields.Char("Reason", readonly=True)
    without_reason = fields.Boolean("Without Reason", readonly=True)
    document = fields.Reference("Document", selection=[
            ('housing.payment', "Housing Payment"),
            ('housing.one_off_charge', "One-Off Charge"),
            ('housing.recalculation', "Recalculation Request"),
            ], readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('date', 'ASC'), ('entered', 'ASC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        pool = Pool()
        payment = pool.get('housing.payment').__table__()
        one_off = pool.get('housing.one_off_charge').__table__()
        request = pool.get('housing.recalculation').__table__()
        company = cls.report_company() or -1
        start, end = cls.report_dates()
        buildings = cls.report_ids('buildings')
        accounts = cls.report_ids('accounts')
        services = cls.report_ids('services')

        def scope(table, building_column, date_column, service_column=None):
            account = pool.get('housing.account').__table__()
            premises = pool.get('housing.premises').__table__()
            query = table.join(account, 'LEFT',
                condition=table.account == account.id
                ).join(premises, 'LEFT',
                condition=account.premises == premises.id)
            where = ((table.company == company)
                & (date_column >= start) & (date_column <= end))
            building = (building_column if building_column is not None
                else premises.building)
            if buildings:
                where &= building.in_(buildings)
            if accounts:
                where &= table.account.in_(accounts)
            if services:
                where &= (service_column.in_(services)
                    if service_column is not None else Literal(False))
            return query, where, building

        def reference(model, table):
            return Concat(model + ',', Cast(table.id, 'VARCHAR'))

        def text(column):
            return Case((column == Null, Literal(True)),
                (column == '', Literal(True)), else_=Literal(False))

        query, where, building = scope(payment, None, payment.date)
        payments = query.select(
            (payment.id * 3).as_('id'),
            Literal('payment').as_('kind'),
            payment.date.as_('date'),
            payment.create_date.as_('entered'),
            payment.create_uid.as_('user'),
            building.as_('building'),
            payment.account.as_('account'),
            Cast(Null, 'INTEGER').as_('service'),
            payment.period.as_('period'),
            (-payment.amount).as_('amount'),
            payment.reference.as_('reason'),
            text(payment.reference).as_('without_reason'),
            reference('housing.payment', payment).as_('document'),
            where=where & (payment.state == 'posted'))
        query, where, building = scope(
            one_off, None, one_off.period, one_off.service)
        one_offs = query.select(
            (one_off.id * 3 + 1).as_('id'),
            Literal('one_off').as_('kind'),
            one_off.period.as_('date'),
            one_off.create_date.as_('entered'),
            one_off.create_uid.as_('user'),
            building.as_('building'),
            one_off.account.as_('account'),
            one_off.service.as_('service'),
            one_off.period.as_('period'),
            Coalesce(one_off.amount,
                Round(one_off.quantity * one_off.tariff, 2)).as_('amount'),
            one_off.note.as_('reason'),
            text(one_off.note).as_('without_reason'),
            reference('housing.one_off_charge', one_off).as_('document'),
            where=where)
        query, where, building = scope(
            request, request.building, request.period)
        requests = query.select(
            (request.id * 3 + 2).as_('id'),
            Literal('recalculation').as_('kind'),
            request.period.as_('date'),
            request.create_date.as_('entered'),
            request.create_uid.as_('user'),
            building.as_('building'),
            request.account.as_('account'),
            Cast(Null, 'INTEGER').as_('service'),
            request.period.as_('period'),
            Cast(Null, 'NUMERIC').as_('amount'),
            request.description.as_('reason'),
            text(request.description).as_('without_reason'),
            reference('housing.recalculation', request).as_('document'),
            where=where & (request.origin == Null))
        return Union(payments, one_offs, requests, all_=True)


def escape(text):
    return (str(text).replace('&', '&amp;').replace('<', '&lt;')
        .replace('>', '&gt;'))
