"""Dated parameters: tariffs, normatives, coefficients, rates as data.

Domain spec §1.1 and §10: the engine never assumes a date. Every tariff,
normative, increasing coefficient, key rate, moratorium, due-day rule and the
production calendar are dated rows loaded as data; a change inside a month
splits the month by days (§2.5).

A :class:`Timeline` is a step function of the day. Example: the increasing
coefficient for cold water, 1.5 until 05.12.2025 and 3.0 from 06.12.2025
(ПП РФ 25.11.2025 № 1871), splits December 2025 into 5 + 26 days (G-N7):

>>> k = Timeline.of([('2017-01-01', '1.5'), ('2025-12-06', '3.0')])
>>> k.at(date(2026, 1, 1))
Decimal('3.0')
>>> [(s.days, v) for s, v in k.segments(date(2025, 12, 1), date(2025, 12, 31))]
[(5, Decimal('1.5')), (26, Decimal('3.0'))]
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from importlib import resources

from .periods import DaySpan, Period

__all__ = ['DatedValue', 'Timeline', 'MissingParameter', 'split_by_changes',
           'Segment', 'load_data', 'parse_date']


class MissingParameter(LookupError):
    """No dated value is in force on the requested day."""


def parse_date(value) -> date:
    """Accept a date or an ISO 'YYYY-MM-DD' / 'DD.MM.YYYY' string."""
    if isinstance(value, date):
        return value
    text = str(value)
    if '.' in text:
        day, month, year = text.split('.')
        return date(int(year), int(month), int(day))
    return date.fromisoformat(text)


def _as_value(value):
    if isinstance(value, str):
        try:
            return Decimal(value)
        except ArithmeticError:
            return value
    if isinstance(value, float):
        raise TypeError('binary floats are not allowed in parameters')
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    return value


@dataclass(frozen=True, order=True)
class DatedValue:
    """A value in force from ``valid_from`` (inclusive) until the next row,
    or until ``valid_to`` (inclusive) when given."""

    valid_from: date
    value: object = field(compare=False)
    valid_to: date | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Timeline:
    """A step function of the day built from :class:`DatedValue` rows."""

    rows: tuple[DatedValue, ...] = ()
    name: str = ''

    def __post_init__(self):
        object.__setattr__(self, 'rows', tuple(sorted(self.rows)))
        # The answers of find and change_days, which a month's snapshots
        # ask of the same shared timelines again and again.
        object.__setattr__(self, '_found', {})
        object.__setattr__(self, '_changes', {})

    @classmethod
    def of(cls, rows: Iterable | Mapping, name: str = '') -> Timeline:
        """Build from ``[(valid_from, value), ...]`` or a mapping.

        String numbers become Decimal; a third item is ``valid_to``.
        """
        if isinstance(rows, Mapping):
            rows = rows.items()
        built = []
        for row in rows:
            if isinstance(row, DatedValue):
                built.append(row)
                continue
            valid_to = parse_date(row[2]) if len(row) > 2 and row[2] else None
            built.append(DatedValue(parse_date(row[0]), _as_value(row[1]),
                                    valid_to))
        return cls(tuple(built), name)

    @classmethod
    def constant(cls, value, name: str = '') -> Timeline:
        """A value in force on every day."""
        return cls((DatedValue(date.min, _as_value(value)),), name)

    def find(self, day: date):
        """The value in force on ``day``, or None."""
        try:
            return self._found[day]
        except KeyError:
            pass
        value = self._found[day] = self._find(day)
        return value

    def _find(self, day: date):
        found = None
        for row in self.rows:
            if row.valid_from > day:
                break
            if row.valid_to is None or day <= row.valid_to:
                found = row
            else:
                found = None
        return None if found is None else found.value

    def at(self, day: date):
        """The value in force on ``day``; :class:`MissingParameter` if none."""
        value = self.find(day)
        if value is None:
            raise MissingParameter(
                f'{self.name or "parameter"}: no value in force on {day}')
        return value

    def change_days(self, start: date, end: date) -> list[date]:
        """Days in ``(start, end]`` on which the value differs from the
        previous day."""
        key = (start, end)
        if key not in self._changes:
            self._changes[key] = tuple(self._change_days(start, end))
        return list(self._changes[key])

    def _change_days(self, start: date, end: date) -> list[date]:
        candidates = set()
        for row in self.rows:
            candidates.add(row.valid_from)
            if row.valid_to is not None and row.valid_to < date.max:
                candidates.add(row.valid_to + timedelta(days=1))
        changes = []
        for day in sorted(candidates):
            if start < day <= end:
                if self.find(day) != self.find(day - timedelta(days=1)):
                    changes.append(day)
        return changes

    def split(self, start: date, end: date) -> tuple[Segment, ...]:
        """The segments of ``split_by_changes(start, end, [self])``."""
        key = ('split', start, end)
        if key not in self._changes:
            bounds = [start] + self.change_days(start, end)
            segments = []
            for index, lower in enumerate(bounds):
                upper = (bounds[index + 1] - timedelta(days=1)
                         if index + 1 < len(bounds) else end)
                segments.append(Segment(DaySpan(lower, upper),
                                        (self.at(lower),)))
            self._changes[key] = tuple(segments)
        return self._changes[key]

    def segments(self, start: date, end: date) -> list[tuple[DaySpan, object]]:
        """Split ``[start, end]`` into runs of days with one value each."""
        return [(segment.span, segment.values[0])
                for segment in split_by_changes(start, end, [self])]


@dataclass(frozen=True)
class Segment:
    """A run of days on which every parameter has one value."""

    span: DaySpan
    values: tuple

    @property
    def days(self) -> int:
        return self.span.days


def split_by_changes(start: date, end: date,
                     timelines: Iterable[Timeline]) -> list[Segment]:
    """Split ``[start, end]`` wherever any of ``timelines`` changes.

    Values are looked up with :meth:`Timeline.at`, so a missing value raises.

    >>> t = Timeline.of([('2026-01-01', '49.87'), ('2026-01-15', '55.81')])
    >>> k = Timeline.constant('1')
    >>> for s in split_by_changes(date(2026, 1, 1), date(2026, 1, 31),
    ...                           [t, k]):
    ...     print(s.days, *s.values)
    14 49.87 1
    17 55.81 1
    """
    timelines = list(timelines)
    if len(timelines) == 1:
        # The common case (a tariff alone), the same for every premises
        # that shares the timeline.
        return list(timelines[0].split(start, end))
    cuts = sorted({day for timeline in timelines
                   for day in timeline.change_days(start, end)})
    bounds = [start] + cuts
    segments = []
    for index, lower in enumerate(bounds):
        upper = (bounds[index + 1] - timedelta(days=1)
                 if index + 1 < len(bounds) else end)
        values = tuple(timeline.at(lower) for timeline in timelines)
        segments.append(Segment(DaySpan(lower, upper), values))
    return segments


def period_segments(period: Period, timelines: Iterable[Timeline]):
    """:func:`split_by_changes` over a whole billing period."""
    return split_by_changes(period.start, period.end, timelines)


def load_data(name: str):
    """Load a JSON data file shipped in ``housing_billing/engine/data``.

    The files hold public dated data (production calendar, key-rate history,
    penalty-rate rules, moratoria, due-day rules); the Tryton layer may load
    its own copy instead.
    """
    text = resources.files(__package__).joinpath('data', name).read_text(
        encoding='utf-8')
    return json.loads(text)
