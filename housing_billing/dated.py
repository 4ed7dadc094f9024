# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"Facts with validity dates: the value in force on a date, and overlap checks."
import datetime as dt

from trytond.i18n import gettext
from trytond.pool import Pool
from trytond.transaction import Transaction

from .exceptions import DatedOverlapError


def context_date():
    "The date the user looks at: the context's 'date', else today."
    date = Transaction().context.get('date')
    if isinstance(date, dt.datetime):
        date = date.date()
    return date or Pool().get('ir.date').today()


class AreasMixin:
    "Areas each in force from its date (the 'areas' field), read on a date."
    __slots__ = ()

    @classmethod
    def get_area(cls, records, names):
        date = context_date()
        result = {name: {} for name in names}
        for record in records:
            area = record.area_at(date)
            for name in names:
                result[name][record.id] = getattr(area, name, None)
        return result

    def area_at(self, date):
        "The area record in force on date."
        return effective(self.areas, date)


def in_force(record, date, start='date_from', end='date_to'):
    "Whether an interval record (inclusive dates, open ends) covers date."
    date_from = getattr(record, start, None)
    date_to = getattr(record, end, None)
    return ((date_from is None or date_from <= date)
        and (date_to is None or date <= date_to))


def most_specific(records, date, rank):
    "The record in force on date that ranks first, or None."
    candidates = [r for r in records if in_force(r, date)]
    if candidates:
        return min(candidates, key=rank)


def effective(records, date, start='date_from'):
    """The record in force on date among records that each apply from their
    start until the next one starts ("from this date on" history)."""
    candidates = [r for r in records if getattr(r, start) <= date]
    if candidates:
        return max(candidates, key=lambda r: getattr(r, start))


def overlaps(first, second, start='date_from', end='date_to'):
    def bounds(record):
        return (getattr(record, start) or dt.date.min,
            getattr(record, end) or dt.date.max)
    (first_from, first_to), (second_from, second_to) = (
        bounds(first), bounds(second))
    return max(first_from, second_from) <= min(first_to, second_to)


def check_no_overlap(records, key, message, start='date_from', end='date_to'):
    """Raise when two records sharing the same key have overlapping validity.

    key(record) gives the tuple that must not overlap in time; message is the
    id of the message, called with the record names and both periods."""
    for record in records:
        siblings = record.search(
            [('id', '!=', record.id)] + [
                (name, '=', value) for name, value in key(record)])
        for other in siblings:
            if overlaps(record, other, start, end):
                raise DatedOverlapError(gettext(
                        message,
                        record=record.rec_name,
                        other=other.rec_name,
                        period=format_period(record, start, end),
                        other_period=format_period(other, start, end)))


def format_period(record, start='date_from', end='date_to'):
    date_from = getattr(record, start)
    date_to = getattr(record, end)
    return '%s – %s' % (
        date_from.isoformat() if date_from else '…',
        date_to.isoformat() if date_to else '…')


def check_dates(record, message, start='date_from', end='date_to'):
    "Raise when the end comes before the start."
    date_from = getattr(record, start)
    date_to = getattr(record, end)
    if date_from and date_to and date_to < date_from:
        raise DatedOverlapError(gettext(
                message, record=record.rec_name,
                date_from=date_from.isoformat(), date_to=date_to.isoformat()))


def selected(key, operator, value):
    "Whether a selection clause (=, !=, in, not in) keeps the key."
    if operator in {'=', '!='}:
        return (value == key) == (operator == '=')
    return (key in (value or [])) == (operator == 'in')
