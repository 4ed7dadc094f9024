"""The Russian production calendar and the workday shift of a deadline.

ГК РФ ст. 193: a deadline that falls on a non-working day moves to the next
working day (domain spec §4.2, `shift_due_date_to_workday`, default true).
Non-working days: Saturdays and Sundays, the holidays of ТК РФ ст. 112 and the
days moved by the Government's annual decree «О переносе выходных дней»,
minus the working Saturdays that decree creates. Each year is **data**
(``data/production_calendar_ru.json``). A year whose decree is not loaded
uses the provisional rule (weekends + ТК 112 holidays, a holiday on a weekend
moving to the next working day except the January ones) and every date
computed from it is marked provisional.

G-F2: the December-2025 bill is due 10.01.2026, a Saturday inside the
January holidays, so it moves to Monday 12.01.2026:

>>> cal = ProductionCalendar.default()
>>> cal.next_working_day(date(2026, 1, 10))
(datetime.date(2026, 1, 12), False)
>>> cal.next_working_day(date(2026, 5, 10))
(datetime.date(2026, 5, 12), False)
>>> cal.working_days_in_year(2026)
247
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from .params import load_data
from .periods import iter_days

__all__ = ['ProductionCalendar', 'YearCalendar']


def _day(text: str, year: int) -> date:
    day, month = text.split('.')
    return date(year, int(month), int(day))


@dataclass(frozen=True)
class YearCalendar:
    non_working_weekdays: frozenset
    working_weekends: frozenset
    decree: str = ''


@dataclass(frozen=True)
class ProductionCalendar:
    """Loaded years plus the provisional rule for the others."""

    years: dict = field(default_factory=dict)
    provisional_holidays: tuple = ()
    no_weekend_transfer_months: tuple = (1,)

    @classmethod
    def from_data(cls, data: dict) -> ProductionCalendar:
        years = {}
        for year_text, entry in data.get('years', {}).items():
            year = int(year_text)
            years[year] = YearCalendar(
                frozenset(_day(d, year)
                          for d in entry.get('non_working_weekdays', [])),
                frozenset(_day(d, year)
                          for d in entry.get('working_weekends', [])),
                entry.get('decree', ''))
        holidays = tuple(tuple(int(x) for x in d.split('.'))[::-1]
                         for d in data.get('provisional_holidays', []))
        return cls(years, holidays, tuple(
            data.get('provisional_no_weekend_transfer_months', [1])))

    @classmethod
    def default(cls) -> ProductionCalendar:
        """The calendar shipped in ``data/production_calendar_ru.json``."""
        return cls.from_data(load_data('production_calendar_ru.json'))

    @classmethod
    def of_years(cls, years: dict) -> ProductionCalendar:
        """The years given (year → YearCalendar, e.g. kept in a database)
        with the shipped provisional rule for the others."""
        shipped = cls.default()
        return cls(dict(years), shipped.provisional_holidays,
                   shipped.no_weekend_transfer_months)

    def is_loaded(self, year: int) -> bool:
        return year in self.years

    def _provisional_non_working(self, year: int) -> set:
        holidays = {date(year, month, day)
                    for month, day in self.provisional_holidays}
        moved = set()
        for holiday in sorted(holidays):
            if holiday.weekday() < 5:
                continue
            if holiday.month in self.no_weekend_transfer_months:
                continue
            day = holiday + timedelta(days=1)
            while day.weekday() >= 5 or day in holidays or day in moved:
                day += timedelta(days=1)
            moved.add(day)
        return {d for d in holidays | moved if d.weekday() < 5}

    def is_working_day(self, day: date) -> bool:
        entry = self.years.get(day.year)
        if entry is None:
            if day.weekday() >= 5:
                return False
            return day not in self._provisional_non_working(day.year)
        if day in entry.working_weekends:
            return True
        if day.weekday() >= 5:
            return False
        return day not in entry.non_working_weekdays

    def next_working_day(self, day: date) -> tuple[date, bool]:
        """``day`` itself if it is a working day, else the next one.

        Returns the day and whether a provisional year was used.
        """
        provisional = not self.is_loaded(day.year)
        while not self.is_working_day(day):
            day += timedelta(days=1)
            provisional = provisional or not self.is_loaded(day.year)
        return day, provisional

    def working_days_in_year(self, year: int) -> int:
        return sum(1 for day in iter_days(date(year, 1, 1), date(year, 12, 31))
                   if self.is_working_day(day))
