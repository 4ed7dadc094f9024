"""Billing periods, day counts and splitting a month into day segments.

ПП354 п. 37: the billing period is the calendar month. Pro-rata shares use the
actual length of the month (28–31 days, domain spec §0.2); a change of a
dated parameter inside the month splits it into day segments (§2.5), each
priced as its own row.

>>> p = Period(2024, 2)
>>> p.days, p.start, p.end
(29, datetime.date(2024, 2, 1), datetime.date(2024, 2, 29))
>>> str(p.next()), str(p.previous()), p.mmyyyy
('2024-03', '2024-01', '022024')
>>> overlap_days(date(2026, 4, 12), None, Period(2026, 4))
19
"""
from __future__ import annotations

import calendar as _calendar
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property

__all__ = ['Period', 'overlap_days', 'days_inclusive', 'iter_days',
           'months_between', 'DaySpan']


@dataclass(frozen=True, order=True)
class Period:
    """A billing month."""

    year: int
    month: int

    def __post_init__(self):
        if not 1 <= self.month <= 12:
            raise ValueError(f'month {self.month} out of range')

    @classmethod
    def of(cls, day: date) -> Period:
        """The billing period that contains ``day``."""
        return cls(day.year, day.month)

    @classmethod
    def parse(cls, text: str) -> Period:
        """Parse 'YYYY-MM', 'MMYYYY', 'MM.YYYY' or 'MMYY'.

        >>> [str(Period.parse(x)) for x in ('0521', '012026', '03.2026')]
        ['2021-05', '2026-01', '2026-03']
        """
        text = text.strip()
        if '-' in text:
            year, month = text.split('-')
            return cls(int(year), int(month))
        if '.' in text:
            month, year = text.split('.')
            return cls(int(year), int(month))
        if len(text) == 6 and text.isdigit():
            return cls(int(text[2:]), int(text[:2]))
        if len(text) == 4 and text.isdigit():
            return cls(2000 + int(text[2:]), int(text[:2]))
        raise ValueError(f'unrecognised period {text!r}')

    @cached_property
    def start(self) -> date:
        return date(self.year, self.month, 1)

    @cached_property
    def end(self) -> date:
        return date(self.year, self.month, self.days)

    @cached_property
    def days(self) -> int:
        return _calendar.monthrange(self.year, self.month)[1]

    @property
    def mmyyyy(self) -> str:
        return f'{self.month:02d}{self.year:04d}'

    def next(self) -> Period:
        return self.shift(1)

    def previous(self) -> Period:
        return self.shift(-1)

    def shift(self, months: int) -> Period:
        index = self.year * 12 + (self.month - 1) + months
        return Period(index // 12, index % 12 + 1)

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def __str__(self) -> str:
        return f'{self.year:04d}-{self.month:02d}'


def months_between(first: Period, last: Period) -> int:
    """Number of months from ``first`` to ``last`` (0 when equal).

    >>> months_between(Period(2025, 11), Period(2026, 2))
    3
    """
    return (last.year - first.year) * 12 + last.month - first.month


def days_inclusive(start: date, end: date) -> int:
    """Days from ``start`` to ``end``, both included (0 if end < start)."""
    return max(0, (end - start).days + 1)


def iter_days(start: date, end: date):
    """Yield every day from ``start`` to ``end`` inclusive."""
    day = start
    while day <= end:
        yield day
        day += timedelta(days=1)


def overlap_days(start: date | None, end: date | None, period: Period) -> int:
    """Days of ``[start, end]`` (inclusive; None = open) in ``period``."""
    lower = max(start or period.start, period.start)
    upper = min(end or period.end, period.end)
    return days_inclusive(lower, upper)


@dataclass(frozen=True)
class DaySpan:
    """An inclusive run of days inside one billing period."""

    start: date
    end: date

    @cached_property
    def days(self) -> int:
        return days_inclusive(self.start, self.end)

    def overlap(self, start: date | None, end: date | None) -> int:
        lower = max(start or self.start, self.start)
        upper = min(end or self.end, self.end)
        return days_inclusive(lower, upper)

    def __str__(self) -> str:
        return f'{self.start:%d.%m.%Y}–{self.end:%d.%m.%Y}'
