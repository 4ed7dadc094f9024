# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""The Russian production calendar (domain spec §4.2, §10) as data.

A year is its Government decree «О переносе выходных дней» and the dated
exceptions to the five-day week: the weekdays that are not worked (ТК РФ
ст. 112 holidays and the days moved) and the weekend days that are. The
due dates of penalties move to the next working day by it (ГК 193). A
year that is not here uses the provisional rule of the kernel (weekends
and the ТК 112 holidays) and the due dates computed from it are marked
provisional."""
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Unique, fields

from .engine.workdays import ProductionCalendar, YearCalendar
from .exceptions import PenaltyError


class Calendar(ModelSQL, ModelView):
    __name__ = 'housing.production_calendar'
    __string__ = "Production Calendar"

    year = fields.Integer(
        "Year", required=True,
        domain=[('year', '>=', 1900), ('year', '<=', 2999)])
    decree = fields.Char(
        "Transfer Decree",
        help="The Government's decree «О переносе выходных дней» of the "
        "year, e.g. ПП от 24.09.2025 № 1466.")
    days = fields.One2Many(
        'housing.production_calendar.day', 'calendar', "Days",
        help="The weekdays not worked and the weekend days worked; the "
        "other days follow the five-day week.")
    working_days = fields.Function(
        fields.Integer("Working Days"), 'get_working_days')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('year_unique', Unique(t, t.year),
                'housing_billing.msg_production_calendar_year_unique'),
            ]
        cls._order.insert(0, ('year', 'DESC'))

    def get_rec_name(self, name):
        return str(self.year)

    def as_engine(self):
        return YearCalendar(
            frozenset(d.date for d in self.days if d.kind == 'non_working'),
            frozenset(d.date for d in self.days if d.kind == 'working'),
            self.decree or '')

    def get_working_days(self, name):
        calendar = ProductionCalendar.of_years({self.year: self.as_engine()})
        return calendar.working_days_in_year(self.year)

    @classmethod
    def engine_calendar(cls):
        "The kernel's calendar: the years kept here, provisional otherwise."
        return ProductionCalendar.of_years(
            {c.year: c.as_engine() for c in cls.search([])})


class CalendarDay(ModelSQL, ModelView):
    __name__ = 'housing.production_calendar.day'
    __string__ = "Production Calendar Day"

    calendar = fields.Many2One(
        'housing.production_calendar', "Calendar", required=True,
        ondelete='CASCADE')
    date = fields.Date("Date", required=True)
    kind = fields.Selection([
            ('non_working', "Non-Working Weekday"),
            ('working', "Working Weekend Day"),
            ], "Kind", required=True,
        help="A weekday that is a holiday or a day off moved by the "
        "decree, or a Saturday or Sunday made a working day.")
    kind_string = kind.translated('kind')
    note = fields.Char("Note")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('date_unique', Unique(t, t.date),
                'housing_billing.msg_production_calendar_day_unique'),
            ]
        cls._order.insert(0, ('date', 'ASC'))

    @staticmethod
    def default_kind():
        return 'non_working'

    @classmethod
    def validate(cls, days):
        super().validate(days)
        for day in days:
            if day.date.year != day.calendar.year:
                raise PenaltyError(gettext(
                        'housing_billing.msg_production_calendar_day_year',
                        date=day.date.isoformat(),
                        year=day.calendar.year))
            weekend = day.date.weekday() >= 5
            if weekend != (day.kind == 'working'):
                raise PenaltyError(gettext(
                        'housing_billing.msg_production_calendar_day_kind',
                        date=day.date.isoformat(),
                        kind=day.kind_string))
