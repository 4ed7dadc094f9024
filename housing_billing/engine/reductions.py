"""Reduction for poor quality or interruptions: ПП354 п. 98–101, Appendix 1.

Domain spec §3 (Appendix 1: «размер платы … снижается на 0,15 процента
размера платы … за каждый час превышения»)::

    ΔP = P_base × Σ_k (p_k × units_k)        capped at P_base (п. 98)

* interruptions: 0.15 % per excess hour over the monthly and single-event
  limits (ХВС/ГВС/ВО 8 h a month, 4 h at once; limits are data);
* room temperature (heating): 0.15 % per hour per °C of deviation;
* hot-water temperature: 0.1 % per hour for each full 3 °C step beyond the
  allowed deviation (day 3 °C, night 5 °C); below 40 °C the water is paid at
  the cold-water tariff for those hours.

Excess hours [P][?] — ``union`` (default): walk the hours in time order; an
hour is excess when the month's cumulative hours exceed the monthly limit
or the event's hours exceed the single-event limit; ``total_only`` =
max(0, Σt − monthly); ``max_of_both`` = max(total_only, Σ max(0, t − event)).

G-Q1 … G-Q3 (ГВС 707.05 ₽):

>>> [excess_hours([20], 8, 4, m) for m in METHODS]
[Decimal('16'), Decimal('12'), Decimal('16')]
>>> [excess_hours([6, 6], 8, 4, m) for m in METHODS]
[Decimal('6'), Decimal('4'), Decimal('4')]
>>> money(reduction(Decimal('707.05'), Decimal('0.15') * 16))
Decimal('16.97')
>>> money(reduction(Decimal('707.05'), Decimal('0.15') * 700))
Decimal('707.05')
"""
from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from .rounding import ZERO, money, to_decimal  # noqa: F401 (doctests)

__all__ = ['METHODS', 'excess_hours', 'reduction', 'temperature_steps',
           'water_temperature_percent', 'room_temperature_percent',
           'cold_tariff_reduction']

METHODS = ('union', 'total_only', 'max_of_both')
HUNDRED = Decimal(100)


def _union(events: Sequence[Decimal], monthly: Decimal,
           single: Decimal) -> Decimal:
    """Hour-by-hour walk; fractional hours are walked in pieces that end
    exactly on the limits, so the result is exact for any durations."""
    excess = ZERO
    cumulative = ZERO
    for duration in events:
        done = ZERO
        while done < duration:
            # Next breakpoint: where either limit is crossed, or the end.
            marks = [duration]
            if done < single:
                marks.append(single)
            if cumulative < monthly:
                marks.append(done + (monthly - cumulative))
            step_end = min(m for m in marks if m > done)
            piece = step_end - done
            if done >= single or cumulative >= monthly:
                excess += piece
            done = step_end
            cumulative += piece
    return excess


def excess_hours(events: Sequence, monthly_limit, event_limit,
                 method: str = 'union') -> Decimal:
    """Hours beyond the permitted interruptions, by the chosen method."""
    events = [to_decimal(e) for e in events]
    monthly, single = to_decimal(monthly_limit), to_decimal(event_limit)
    total_only = max(ZERO, sum(events, ZERO) - monthly)
    if method == 'union':
        return _union(events, monthly, single)
    if method == 'total_only':
        return total_only
    if method == 'max_of_both':
        per_event = sum((max(ZERO, e - single) for e in events), ZERO)
        return max(total_only, per_event)
    raise ValueError(f'unknown excess-hours method {method!r}')


def reduction(base, percent) -> Decimal:
    """P_base × percent / 100, capped at P_base (full release, п. 98)."""
    base = to_decimal(base)
    amount = base * to_decimal(percent) / HUNDRED
    return min(amount, base) if base >= 0 else ZERO


def temperature_steps(beyond_degrees, step=Decimal(3),
                      rounding: str = 'floor') -> int:
    """Full 3 °C steps beyond the allowed deviation ([P]: floor; ceil as
    the alternative). 5 °C → 1 step (floor) or 2 (ceil).

    >>> temperature_steps(Decimal(5)), temperature_steps(Decimal(5), 3, 'ceil')
    (1, 2)
    """
    beyond = to_decimal(beyond_degrees)
    if beyond <= 0:
        return 0
    mode = ROUND_FLOOR if rounding == 'floor' else ROUND_CEILING
    return int((beyond / to_decimal(step)).to_integral_value(rounding=mode))


def water_temperature_percent(hours, shortfall_degrees, *, night=False,
                              allowed_day=Decimal(3), allowed_night=Decimal(5),
                              step=Decimal(3), percent_per_step_hour=Decimal(
                                  '0.1'), rounding='floor') -> Decimal:
    """Percent for a hot-water temperature deviation (either direction).

    G-Q5: 52 °C by day (8 °C below 60; 5 beyond the allowed 3) for 72 h →
    1 step × 0.1 % × 72 = 7.2 % → 50.91 ₽ of 707.05:

    >>> p = water_temperature_percent(72, 8)
    >>> p, money(reduction(Decimal('707.05'), p))
    (Decimal('7.2'), Decimal('50.91'))
    """
    allowed = to_decimal(allowed_night if night else allowed_day)
    beyond = to_decimal(shortfall_degrees) - allowed
    steps = temperature_steps(beyond, step, rounding)
    return to_decimal(percent_per_step_hour) * steps * to_decimal(hours)


def room_temperature_percent(
        hours, degrees, percent_per_degree_hour=Decimal('0.15')) -> Decimal:
    """0.15 % per hour per °C below the allowed room temperature.

    G-Q4: 2 °C × 48 h → 14.4 % of 3 244.34 → 467.18 ₽:

    >>> p = room_temperature_percent(48, 2)
    >>> p, money(reduction(Decimal('3244.34'), p))
    (Decimal('14.40'), Decimal('467.18'))
    """
    return (to_decimal(percent_per_degree_hour) * to_decimal(degrees)
            * to_decimal(hours))


def cold_tariff_reduction(base, hours, days_in_month: int, hot_tariff,
                          cold_tariff) -> Decimal:
    """Hot water below 40 °C is paid at the cold-water tariff for those
    hours [P]: the hours' share of the month's charge loses
    (T_гв − T_хв) / T_гв of its price.

    >>> money(cold_tariff_reduction(Decimal('707.05'), 24, 30,
    ...       Decimal('221.45'), Decimal('49.87')))
    Decimal('18.26')
    """
    if days_in_month <= 0:
        return ZERO
    share = to_decimal(hours) / (Decimal(24) * days_in_month)
    price_loss = (to_decimal(hot_tariff) - to_decimal(cold_tariff)) / \
        to_decimal(hot_tariff)
    return to_decimal(base) * share * max(price_loss, ZERO)
