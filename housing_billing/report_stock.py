# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""Reports of group F, housing stock and residents (docs: reports.md F1-F4).

Each is read on the last day of the report's period (the end of «To
Period»): the areas, accounts, owners and meters in force that day."""
import datetime as dt
from decimal import Decimal
from fractions import Fraction
from io import BytesIO

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Table,
    TableStyle,
)
from sql import Literal, Null, Union
from sql.aggregate import Count, Max, Min, Sum
from sql.conditionals import Case, Coalesce
from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.report import Report
from trytond.transaction import Transaction

from .building import AREA_DIGITS
from .engine.normative import person_days
from .engine.periods import DaySpan
from .loader import SnapshotLoader, billing_period
from .pdf import FONT, FONT_BOLD, format_date, format_number, register_fonts
from .premises import PREMISES_KINDS
from .report_context import ReportFilterMixin

RESIDENTIAL = ('apartment', 'room')
PERSONS_DIGITS = (16, 4)
DAY1 = dt.timedelta(days=1)
DAY4 = dt.timedelta(days=4)


def where_in(column, ids):
    return column.in_(ids) if ids else Literal(True)


def area_on(Area, key, date, columns):
    """The columns of Area (a dated area table) in force on date, and key:
    one row per key, the latest from date_from on or before date."""
    area = Area.__table__()
    latest = Area.__table__()
    last = latest.select(
        getattr(latest, key).as_('key'), Max(latest.date_from).as_('date_'),
        where=latest.date_from <= date,
        group_by=[getattr(latest, key)])
    return area.join(last, condition=(getattr(area, key) == last.key)
        & (area.date_from == last.date_)).select(
            last.key.as_('key'),
            *[getattr(area, c).as_(c) for c in columns])


class StockReportMixin(ReportFilterMixin):
    __slots__ = ()

    @classmethod
    def report_date(cls):
        "The day the stock is read: the last day of the report"
        return cls.report_dates()[1]

    @classmethod
    def building_where(cls, building):
        company = cls.report_company()
        return ((building.company == (company or -1))
            & where_in(building.id, cls.report_ids('buildings')))


class PremisesRegister(StockReportMixin, ModelSQL, ModelView):
    "Premises and Accounts Register"
    __name__ = 'housing.report.premises_register'

    building = fields.Many2One('housing.building', "Building", readonly=True)
    premises = fields.Many2One('housing.premises', "Premises", readonly=True)
    number = fields.Char("Number", readonly=True)
    entrance = fields.Integer("Entrance", readonly=True)
    kind = fields.Selection(PREMISES_KINDS, "Kind", readonly=True)
    total_area = fields.Numeric(
        "Total Area", digits=AREA_DIGITS, readonly=True)
    living_area = fields.Numeric(
        "Living Area", digits=AREA_DIGITS, readonly=True)
    rooms = fields.Integer("Rooms", readonly=True)
    account = fields.Many2One(
        'housing.account', "Personal Account", readonly=True,
        help="The first open account of the premises.")
    open_accounts = fields.Integer("Open Accounts", readonly=True)
    status = fields.Selection([
            ('billed', "Billed"),
            ('no_account', "No Open Account"),
            ('several', "Several Accounts"),
            ], "Status", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('building', 'ASC'), ('number', 'ASC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        pool = Pool()
        premises = pool.get('housing.premises').__table__()
        building = pool.get('housing.building').__table__()
        account = pool.get('housing.account').__table__()
        date = cls.report_date()
        area = area_on(pool.get('housing.premises.area'), 'premises', date,
            ['total_area', 'living_area'])
        accounts = account.select(
            account.premises.as_('premises'),
            Count(account.id).as_('count'), Min(account.id).as_('first'),
            where=(account.opened <= date)
            & ((account.closed == Null) | (account.closed >= date)),
            group_by=[account.premises])
        count = Coalesce(accounts.count, 0)
        return (premises
            .join(building, condition=premises.building == building.id)
            .join(area, 'LEFT', condition=area.key == premises.id)
            .join(accounts, 'LEFT',
                condition=accounts.premises == premises.id)
            .select(
                premises.id.as_('id'),
                premises.building.as_('building'),
                premises.id.as_('premises'),
                premises.number.as_('number'),
                premises.entrance.as_('entrance'),
                premises.kind.as_('kind'),
                area.total_area.as_('total_area'),
                area.living_area.as_('living_area'),
                premises.rooms.as_('rooms'),
                accounts.first.as_('account'),
                count.as_('open_accounts'),
                Case((count == 0, 'no_account'), (count == 1, 'billed'),
                    else_='several').as_('status'),
                where=cls.building_where(building)))


class OwnersRegister(StockReportMixin, ModelSQL, ModelView):
    "Owners Register"
    __name__ = 'housing.report.owners_register'

    owner = fields.Many2One('party.party', "Owner", readonly=True)
    building = fields.Many2One('housing.building', "Building", readonly=True)
    premises = fields.Many2One('housing.premises', "Premises", readonly=True)
    area = fields.Numeric("Area", digits=AREA_DIGITS, readonly=True)
    share_numerator = fields.Integer("Share Numerator", readonly=True)
    share_denominator = fields.Integer("Share Denominator", readonly=True)
    share = fields.Function(fields.Char("Share"), 'get_share')
    votes = fields.Function(
        fields.Numeric("Votes", digits=(16, 4),
            help="The area times the share (Housing Code art. 48 p. 3)."),
        'get_share')
    document_kind = fields.Selection([
            (None, ""),
            ('egrn', "ЕГРН Extract"),
            ('certificate', "Ownership Certificate"),
            ('contract', "Contract"),
            ('inheritance', "Inheritance Certificate"),
            ('court', "Court Decision"),
            ('other', "Other"),
            ], "Document Kind", readonly=True)
    document_number = fields.Char("Document Number", readonly=True)
    document_date = fields.Date("Document Date", readonly=True)
    date_from = fields.Date("Owner From", readonly=True)
    contacts = fields.Function(fields.Char("Contacts"), 'get_contacts')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [
            ('building', 'ASC'), ('premises', 'ASC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        pool = Pool()
        owner = pool.get('housing.owner').__table__()
        premises = pool.get('housing.premises').__table__()
        building = pool.get('housing.building').__table__()
        date = cls.report_date()
        area = area_on(pool.get('housing.premises.area'), 'premises', date,
            ['total_area', 'living_area'])
        return (owner
            .join(premises, condition=owner.premises == premises.id)
            .join(building, condition=premises.building == building.id)
            .join(area, 'LEFT', condition=area.key == premises.id)
            .select(
                owner.id.as_('id'),
                owner.party.as_('owner'),
                premises.building.as_('building'),
                owner.premises.as_('premises'),
                area.total_area.as_('area'),
                owner.share_numerator.as_('share_numerator'),
                owner.share_denominator.as_('share_denominator'),
                owner.document_kind.as_('document_kind'),
                owner.document_number.as_('document_number'),
                owner.document_date.as_('document_date'),
                owner.date_from.as_('date_from'),
                where=cls.building_where(building)
                & (owner.date_from <= date)
                & ((owner.date_to == Null) | (owner.date_to >= date))))

    @classmethod
    def get_share(cls, records, names):
        result = {n: {} for n in names}
        for record in records:
            share = Fraction(
                record.share_numerator, record.share_denominator)
            if 'share' in names:
                result['share'][record.id] = '%s/%s' % (
                    share.numerator, share.denominator)
            if 'votes' in names:
                votes = None
                if record.area is not None:
                    votes = (record.area * share.numerator
                        / share.denominator).quantize(Decimal('0.0001'))
                result['votes'][record.id] = votes
        return result

    def get_contacts(self, name):
        return ', '.join(c.value for c in self.owner.contact_mechanisms
            if c.value and c.type in {'phone', 'mobile', 'email'})

    @classmethod
    def _printed_columns(cls):
        return ['owner', 'premises', 'area', 'share', 'votes',
            'document_number', 'document_date', 'contacts']


class ResidentsReport(StockReportMixin, ModelSQL, ModelView):
    "Registered and Resident Persons"
    __name__ = 'housing.report.residents'

    account = fields.Many2One(
        'housing.account', "Personal Account", readonly=True)
    building = fields.Many2One('housing.building', "Building", readonly=True)
    premises = fields.Many2One('housing.premises', "Premises", readonly=True)
    period = fields.Date("Period", readonly=True)
    permanent = fields.Integer("Registered Permanently", readonly=True)
    temporary = fields.Integer("Registered Temporarily", readonly=True)
    absent = fields.Integer("Temporarily Absent", readonly=True)
    absences = fields.Function(
        fields.Char("Absences"), 'get_absences')
    persons_used = fields.Function(
        fields.Numeric("Persons Used in Calculation",
            digits=PERSONS_DIGITS,
            help="The persons the calculation counts for the month: "
            "person-days over the days of the month (Decree 354 p. 56), "
            "the owners on days without anybody registered."),
        'get_persons_used')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [
            ('period', 'ASC'), ('building', 'ASC'), ('account', 'ASC'),
            ('id', 'ASC')]

    @classmethod
    def months(cls):
        period_from, period_to = cls.report_periods()
        months = []
        month = period_from
        while month <= period_to:
            months.append(month)
            month = (month.replace(day=28) + DAY4).replace(day=1)
        return months

    @classmethod
    def table_query(cls):
        pool = Pool()
        account = pool.get('housing.account').__table__()
        premises = pool.get('housing.premises').__table__()
        building = pool.get('housing.building').__table__()
        resident = pool.get('housing.resident').__table__()
        absence = pool.get('housing.absence').__table__()
        queries = []
        account_ids = cls.report_ids('accounts')
        for month in cls.months():
            end = (month.replace(day=28) + DAY4).replace(day=1) - DAY1
            registered = ((resident.registered_from <= end)
                & ((resident.registered_to == Null)
                    | (resident.registered_to >= month)))
            counts = resident.select(
                resident.account.as_('account'),
                Sum(Case((registered & (resident.kind == 'permanent'), 1),
                        else_=0)).as_('permanent'),
                Sum(Case((registered & (resident.kind == 'temporary'), 1),
                        else_=0)).as_('temporary'),
                group_by=[resident.account])
            absents = absence.join(
                resident, condition=absence.resident == resident.id
                ).select(
                    resident.account.as_('account'),
                    Count(absence.id).as_('absent'),
                    where=(absence.date_from < end)
                    & (absence.date_to > month),
                    group_by=[resident.account])
            index = (month.year - 2000) * 12 + month.month
            queries.append(account
                .join(premises, condition=account.premises == premises.id)
                .join(building, condition=premises.building == building.id)
                .join(counts, 'LEFT', condition=counts.account == account.id)
                .join(absents, 'LEFT',
                    condition=absents.account == account.id)
                .select(
                    (account.id * 1000 + index).as_('id'),
                    account.id.as_('account'),
                    premises.building.as_('building'),
                    account.premises.as_('premises'),
                    Literal(month).as_('period'),
                    Coalesce(counts.permanent, 0).as_('permanent'),
                    Coalesce(counts.temporary, 0).as_('temporary'),
                    Coalesce(absents.absent, 0).as_('absent'),
                    where=cls.building_where(building)
                    & where_in(account.id, account_ids)
                    & (account.opened <= end)
                    & ((account.closed == Null)
                        | (account.closed >= month))))
        if not queries:
            return account.select(
                *[Literal(None).as_(n) for n in [
                        'id', 'account', 'building', 'premises', 'period',
                        'permanent', 'temporary', 'absent']],
                where=Literal(False))
        if len(queries) == 1:
            return queries[0]
        return Union(*queries, all_=True)

    def get_absences(self, name):
        end = (self.period.replace(day=28) + DAY4).replace(day=1) - DAY1
        return '; '.join('%s %s–%s' % (
                a.resident.party.rec_name,
                a.date_from.strftime('%d.%m.%Y'),
                a.date_to.strftime('%d.%m.%Y'))
            for r in self.account.residents for a in r.absences
            if a.date_from < end and a.date_to > self.period)

    @classmethod
    def get_persons_used(cls, records, name):
        """The kernel's own count (engine.normative.person_days) over the
        snapshot the accrual loads for the account and month."""
        pool = Pool()
        Company = pool.get('company.company')
        result = {}
        by_period = {}
        for record in records:
            by_period.setdefault(record.period, []).append(record)
        company = Company(Transaction().context.get('company'))
        for period, period_records in by_period.items():
            month = billing_period(period)
            loader = SnapshotLoader(company, month)
            snapshots = loader.load([r.account for r in period_records])
            span = DaySpan(month.start, month.end)
            for record in period_records:
                snapshot = snapshots[record.account.id]
                policy = snapshot.policy
                days = person_days(
                    snapshot.residents, snapshot.owners_count, span,
                    policy.temporary_resident_min_days,
                    policy.owners_when_nobody_registered)
                result[record.id] = (Decimal(days) / month.days).quantize(
                    Decimal('0.0001'))
        return result


class HousePassport(StockReportMixin, ModelSQL, ModelView):
    "House Passport Summary"
    __name__ = 'housing.report.house_passport'

    building = fields.Many2One('housing.building', "Building", readonly=True)
    year_built = fields.Integer("Year Built", readonly=True)
    floors = fields.Integer("Floors", readonly=True)
    entrances = fields.Integer("Entrances", readonly=True)
    residential_count = fields.Integer(
        "Residential Premises", readonly=True)
    non_residential_count = fields.Integer(
        "Non-Residential Premises", readonly=True)
    residential_area = fields.Numeric(
        "Residential Area", digits=AREA_DIGITS, readonly=True)
    non_residential_area = fields.Numeric(
        "Non-Residential Area", digits=AREA_DIGITS, readonly=True)
    common_area = fields.Numeric(
        "Common Property Area", digits=AREA_DIGITS, readonly=True)
    premises_residential_area = fields.Numeric(
        "Residential Area of Premises", digits=AREA_DIGITS, readonly=True,
        help="The sum of the areas of the residential premises (F1).")
    premises_non_residential_area = fields.Numeric(
        "Non-Residential Area of Premises", digits=AREA_DIGITS,
        readonly=True,
        help="The sum of the areas of the other premises (F1).")
    area_difference = fields.Numeric(
        "Area Difference", digits=AREA_DIGITS, readonly=True,
        help="The building's total area less the premises' areas: "
        "not zero is a mismatch to resolve.")
    common_meters = fields.Integer("Common-House Meters", readonly=True)
    gis_code = fields.Char("GIS Housing Code", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('building', 'ASC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        pool = Pool()
        building = pool.get('housing.building').__table__()
        premises = pool.get('housing.premises').__table__()
        meter = pool.get('housing.meter').__table__()
        date = cls.report_date()
        barea = area_on(pool.get('housing.building.area'), 'building', date,
            ['total_area', 'residential_area', 'non_residential_area',
                'common_area'])
        parea = area_on(pool.get('housing.premises.area'), 'premises', date,
            ['total_area', 'living_area'])
        residential = premises.kind.in_(list(RESIDENTIAL))
        area = Coalesce(parea.total_area, 0)
        stock = premises.join(parea, 'LEFT',
            condition=parea.key == premises.id
            ).select(
                premises.building.as_('building'),
                Sum(Case((residential, 1), else_=0)).as_('res_count'),
                Sum(Case((residential, 0), else_=1)).as_('other_count'),
                Sum(Case((residential, area), else_=0)).as_('res_area'),
                Sum(Case((residential, 0), else_=area)).as_('other_area'),
                group_by=[premises.building])
        meters = meter.select(
            meter.building.as_('building'), Count(meter.id).as_('count'),
            where=(meter.kind == 'common_house')
            & (meter.installation_date <= date)
            & ((meter.removal_date == Null) | (meter.removal_date > date)),
            group_by=[meter.building])
        res_area = Coalesce(stock.res_area, 0)
        other_area = Coalesce(stock.other_area, 0)
        return (building
            .join(barea, 'LEFT', condition=barea.key == building.id)
            .join(stock, 'LEFT', condition=stock.building == building.id)
            .join(meters, 'LEFT', condition=meters.building == building.id)
            .select(
                building.id.as_('id'),
                building.id.as_('building'),
                building.year_built.as_('year_built'),
                building.floors.as_('floors'),
                building.entrances.as_('entrances'),
                Coalesce(stock.res_count, 0).as_('residential_count'),
                Coalesce(stock.other_count, 0).as_('non_residential_count'),
                barea.residential_area.as_('residential_area'),
                barea.non_residential_area.as_('non_residential_area'),
                barea.common_area.as_('common_area'),
                res_area.as_('premises_residential_area'),
                other_area.as_('premises_non_residential_area'),
                (Coalesce(barea.total_area, 0) - res_area - other_area
                    ).as_('area_difference'),
                Coalesce(meters.count, 0).as_('common_meters'),
                building.gis_code.as_('gis_code'),
                where=cls.building_where(building)))


class ResidentsCard(Report):
    """The residents card of a premises (поквартирная карточка): owners,
    accounts and payers, the persons registered and their absences. Not
    the abolished official certificate (form 9): an internal record."""
    __name__ = 'housing.report.residents_card'

    @classmethod
    def _execute(cls, records, header, data, action):
        return 'pdf', cls.render(records)

    @classmethod
    def render(cls, premises_list):
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
        Date = Pool().get('ir.date')
        today = Date.today()
        content = BytesIO()
        document = SimpleDocTemplate(
            content, pagesize=A4, title=CARD_TITLE,
            leftMargin=12 * mm, rightMargin=12 * mm,
            topMargin=12 * mm, bottomMargin=12 * mm)
        story = []
        for premises in premises_list:
            if story:
                story.append(PageBreak())
            story.extend(cls.card(premises, today, styles))
        document.build(story)
        return content.getvalue()

    @classmethod
    def card(cls, premises, today, styles):
        def p(text, style='text'):
            return Paragraph(escape(text), styles[style])

        def table(header, rows, widths):
            body = [[p(h) for h in header]] + [
                [p(c) for c in row] for row in rows]
            result = Table(body, colWidths=[w * mm for w in widths],
                repeatRows=1)
            result.setStyle(TableStyle([
                        ('GRID', (0, 0), (-1, -1), 0.3, colors.grey),
                        ('BACKGROUND', (0, 0), (-1, 0), colors.whitesmoke),
                        ('VALIGN', (0, 0), (-1, -1), 'TOP'),
                        ]))
            return result

        story = [p('%s: %s' % (CARD_TITLE, premises.rec_name), 'title'),
            p("Сформирована %s. Внутренний документ, не справка о составе "
                "семьи." % format_date(today)),
            p("Вид: %s; комнат: %s; общая площадь: %s м², жилая: %s м²" % (
                    dict(PREMISES_KINDS_RU).get(premises.kind, premises.kind),
                    premises.rooms if premises.rooms is not None else '—',
                    format_number(premises.total_area)
                    if premises.total_area is not None else '—',
                    format_number(premises.living_area)
                    if premises.living_area is not None else '—'))]
        story.append(p("Собственники", 'head'))
        story.append(table(
                ["ФИО / наименование", "Доля", "С", "По", "Документ"],
                [[o.party.rec_name,
                        '%s/%s' % (o.share_numerator, o.share_denominator),
                        format_date(o.date_from), format_date(o.date_to),
                        ' '.join(filter(None, [o.document_number,
                                    format_date(o.document_date)]))]
                    for o in sorted(premises.owners,
                        key=lambda o: (o.date_from, o.id))],
                [64, 16, 22, 22, 62]))
        story.append(p("Лицевые счета", 'head'))
        story.append(table(
                ["Лицевой счёт", "Открыт", "Закрыт", "Плательщик"],
                [[a.number, format_date(a.opened), format_date(a.closed),
                        ', '.join('%s (с %s)' % (
                                y.party.rec_name, format_date(y.date_from))
                            for y in sorted(a.payers,
                                key=lambda y: y.date_from))]
                    for a in premises.accounts],
                [30, 22, 22, 112]))
        story.append(p("Зарегистрированные", 'head'))
        rows = []
        for account in premises.accounts:
            for resident in sorted(account.residents,
                    key=lambda r: (r.registered_from, r.id)):
                rows.append([
                        resident.party.rec_name, account.number,
                        "постоянно" if resident.kind == 'permanent'
                        else "временно",
                        format_date(resident.registered_from),
                        format_date(resident.registered_to),
                        '; '.join('%s–%s' % (format_date(a.date_from),
                                format_date(a.date_to))
                            for a in resident.absences)])
        story.append(table(
                ["ФИО", "Лицевой счёт", "Регистрация", "С", "По",
                    "Временное отсутствие"],
                rows, [52, 24, 22, 20, 20, 48]))
        return story


CARD_TITLE = "Поквартирная карточка"
PREMISES_KINDS_RU = [
    ('apartment', "квартира"),
    ('room', "комната"),
    ('non_residential', "нежилое помещение"),
    ('parking', "машино-место"),
    ]


def escape(text):
    return (str(text).replace('&', '&amp;').replace('<', '&lt;')
        .replace('>', '&gt;'))
