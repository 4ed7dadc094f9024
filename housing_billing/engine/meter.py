"""Individual meters: ПП354 Appendix 2 formula 1, zones, roll-over.

Formula 1 (ПП354 Appendix 2; domain spec §1.2)::

    P_i = V_i × T_кр,    V_i = R_curr − R_prev

Multi-zone electricity (ПП354 п. 38, §1.7): each zone is its own row,
``(R_zone,curr − R_zone,prev) × T_zone``.

Roll-over [P] (§1.2): a register with ``d`` integer digits wraps from
10^d − 1 to 0. A lower reading on a meter that was not replaced is a wrap if
``R_curr + 10^d − R_prev`` is plausible (not above the meter's implausible
volume, by default a tenth of the register range); otherwise it is rejected.
A roll-over is never a negative volume.

A meter counts from the 1st day of the month after commissioning (ПП354
п. 81); the first metered volume runs from the reading in the commissioning
act (§2.4, [P]).

G-M1: 123.456 → 130.789 at 49.87 ₽/m³:

>>> from housing_billing.engine.rounding import money
>>> v = consumption(Decimal('123.456'), Decimal('130.789'))
>>> v, money(formula_1(v, Decimal('49.87')))
(Decimal('7.333'), Decimal('365.70'))

Roll-over of a five-digit register (§1.2):

>>> consumption(Decimal('99994.871'), Decimal('3.206'), digits=5)
Decimal('8.335')
>>> try:
...     consumption(Decimal('500'), Decimal('400'), digits=5)
... except ReadingRejected as error:
...     print(type(error).__name__)
ReadingRejected
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache

from .periods import Period
from .rounding import to_decimal
from .snapshot import Meter, Reading

__all__ = ['ReadingRejected', 'consumption', 'formula_1', 'reading_period',
           'ZoneVolume', 'previous_reading', 'current_reading',
           'counts_in_period', 'zone_volume']


class ReadingRejected(ValueError):
    """A reading lower than the previous one that is not a roll-over."""


def consumption(previous, current, digits: int = 5,
                max_plausible=None) -> Decimal:
    """Volume between two readings of one register, with roll-over."""
    previous, current = to_decimal(previous), to_decimal(current)
    if current >= previous:
        return current - previous
    register = Decimal(10) ** digits
    wrapped = current + register - previous
    limit = (register / 10 if max_plausible is None
             else to_decimal(max_plausible))
    if wrapped <= limit:
        return wrapped
    raise ReadingRejected(
        f'reading {current} is lower than the previous {previous} and not '
        'a plausible roll-over')


def formula_1(volume, tariff) -> Decimal:
    """Exact amount V × T (formula 1); round with :func:`money` per row."""
    return to_decimal(volume) * to_decimal(tariff)


def reading_period(reading: Reading, cutoff_day: int = 25) -> Period:
    """The billing period a reading is used for.

    Readings are taken in a window ending on the cut-off day (ПП354 п. 31
    «е(1)», `reading_cutoff_day`, default 25); a later reading is used for
    the next month.

    >>> reading_period(Reading(Decimal(1), date(2026, 3, 25)))
    Period(year=2026, month=3)
    >>> reading_period(Reading(Decimal(1), date(2026, 3, 26)))
    Period(year=2026, month=4)
    """
    if reading.period is not None:
        return reading.period
    return _accepted_period(reading.taken_on, cutoff_day)


@lru_cache(maxsize=4096)
def _accepted_period(taken_on: date, cutoff_day: int) -> Period:
    period = Period.of(taken_on)
    if taken_on.day > cutoff_day:
        return period.next()
    return period


def counts_in_period(meter: Meter, period: Period) -> bool:
    """Whether the meter's readings bill ``period`` (ПП354 п. 81: from the
    1st day of the month after commissioning)."""
    if meter.installed_on is None:
        return True
    # Period.of(meter.installed_on) < period, without making the Period.
    return meter.installed_on < period.start


def _regular_readings(meter: Meter, zone: str, cutoff_day: int):
    """(period, reading) of the zone's readings."""
    return [(reading_period(r, cutoff_day), r) for r in meter.readings
            if r.zone == zone]


def previous_reading(meter: Meter, zone: str, period: Period,
                     cutoff_day: int = 25,
                     use_commissioning_month: bool = False
                     ) -> tuple[Period, Reading] | None:
    """The last accepted reading for a period before ``period``, or the
    reading of the commissioning act.

    The commissioning month is billed by normative (п. 81), so by default
    the first metered volume runs from the act reading (§2.4 [P]) and
    readings of that month are skipped; with the ``split_by_days`` policy
    they were billed and are the starting point.
    """
    return _previous_reading(
        meter, zone, _regular_readings(meter, zone, cutoff_day), period,
        use_commissioning_month)


def _previous_reading(meter, zone, regular, period,
                      use_commissioning_month):
    commissioned = None
    if meter.installed_on is not None and not use_commissioning_month:
        commissioned = Period.of(meter.installed_on)
    candidates = [(p, r) for p, r in regular
                  if p < period and (commissioned is None or p > commissioned)]
    if candidates:
        return max(candidates, key=lambda item: (item[0], item[1].taken_on))
    act = [r for r in meter.initial_readings if r.zone == zone]
    if act:
        return Period.of(act[-1].taken_on), act[-1]
    return None


def current_reading(meter: Meter, zone: str, period: Period,
                    cutoff_day: int = 25) -> Reading | None:
    """The last reading accepted for ``period``."""
    return _current_reading(_regular_readings(meter, zone, cutoff_day),
                            period)


def _current_reading(regular, period):
    found = [r for p, r in regular if p == period]
    if not found:
        return None
    return max(found, key=lambda r: r.taken_on)


@dataclass(frozen=True)
class ZoneVolume:
    zone: str
    previous: Reading
    previous_period: Period
    current: Reading
    volume: Decimal


def zone_volume(meter: Meter, zone: str, period: Period,
                cutoff_day: int = 25,
                use_commissioning_month: bool = False) -> ZoneVolume | None:
    """Volume of one zone for ``period`` from its readings, or None when
    there is no current reading (п. 59 «б») or no previous one."""
    # A meter is immutable: its volumes are computed once, though asked
    # for by the loader (whether it needs its history) and the kernel.
    key = (zone, period, cutoff_day, use_commissioning_month)
    known = meter.__dict__.get('_zone_volumes')
    if known is None:
        known = {}
        object.__setattr__(meter, '_zone_volumes', known)
    elif key in known:
        return known[key]
    known[key] = volume = _zone_volume(
        meter, zone, period, cutoff_day, use_commissioning_month)
    return volume


def _zone_volume(meter, zone, period, cutoff_day, use_commissioning_month):
    regular = _regular_readings(meter, zone, cutoff_day)
    current = _current_reading(regular, period)
    if current is None:
        return None
    previous = _previous_reading(
        meter, zone, regular, period, use_commissioning_month)
    if previous is None:
        return None
    previous_period, previous_value = previous
    volume = consumption(previous_value.value, current.value, meter.digits,
                         meter.max_plausible_volume)
    return ZoneVolume(zone, previous_value, previous_period, current, volume)


def volume_until(meter: Meter, zone: str, event: date, period: Period,
                 cutoff_day: int = 25) -> Decimal | None:
    """Metered volume from the previous reading to the reading taken at an
    out-of-service event (removal act), or None without such a reading."""
    finals = [r for r in meter.final_readings if r.zone == zone]
    previous = previous_reading(meter, zone, period, cutoff_day)
    if not finals or previous is None:
        return None
    return consumption(previous[1].value, finals[-1].value, meter.digits,
                       meter.max_plausible_volume)

