"""Average fall-back when readings are missing: ПП354 п. 59–61.

Domain spec §1.6. The average monthly volume is the mean of the last
``window`` (6) metered monthly volumes, or of the actual months if the meter
worked fewer, but not fewer than ``min_months`` (3); below that the
normative is used::

    V_avg = Σ(volumes of the last 6 months by the meter) / 6

* «а» meter broken, removed or verification expired: average for at most
  3 periods (2 non-residential), then normative × K;
* «б» readings not submitted: average for at most 6 periods (3
  non-residential), then normative (K only by policy, §12 q. 3);
* «в» access refused for a check: average for at most 3 periods, then
  normative × K.

The limits are data (:class:`~housing_billing.engine.snapshot.AverageLimits`).

Reconciliation when readings finally arrive ([P], п. 59 «б» + п. 61)::

    V = (R_new − R_last_accepted) − Σ V_avg already billed since then

G-A1 (six volumes, average 5.050 m³ → 251.84 ₽) and G-A2 (200.000 → 213.400
after two averages of 5.050 → +3.300 m³):

>>> from housing_billing.engine.rounding import money
>>> v = average_volume([Decimal(x) for x in
...     ('5.100', '4.800', '5.300', '4.900', '5.000', '5.200')])
>>> v, money(v * Decimal('49.87'))
(Decimal('5.050'), Decimal('251.84'))
>>> reconciled_volume(Decimal('200.000'), Decimal('213.400'),
...                   [Decimal('5.050'), Decimal('5.050')])
Decimal('3.300')
>>> fallback('b', 7, AverageLimits())
FallBack(use_average=False, apply_coefficient=False)
>>> fallback('a', 4, AverageLimits())
FallBack(use_average=False, apply_coefficient=True)
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from .lines import Basis
from .meter import consumption
from .periods import Period
from .rounding import ZERO, to_decimal
from .snapshot import AverageLimits, Meter

__all__ = ['average_volume', 'metered_history', 'FallBack', 'fallback',
           'limit_for', 'reconciled_volume', 'CASE_BASIS']

CASE_BASIS = {'a': Basis.AVERAGE_A, 'b': Basis.AVERAGE_B,
              'v': Basis.AVERAGE_V}


def average_volume(volumes: Sequence, window: int = 6,
                   minimum: int = 3) -> Decimal | None:
    """Mean of the last ``window`` monthly volumes (oldest first), or None
    when fewer than ``minimum`` months are known (then: normative)."""
    recent = [to_decimal(v) for v in volumes][-window:] if window else []
    if len(recent) < minimum or not recent:
        return None
    return sum(recent, ZERO) / len(recent)


def metered_history(meter: Meter, zone: str, before: Period,
                    heating_months: frozenset | None = None) -> list[Decimal]:
    """Volumes billed by the meter itself for periods before ``before``,
    oldest first. For heating only heating-season months count (п. 59)."""
    rows = sorted(
        (h for h in meter.history
         if h.zone == zone and h.basis == Basis.METER and h.period < before
         and (heating_months is None or h.period.month in heating_months)),
        key=lambda h: h.period)
    return [h.volume for h in rows]


@dataclass(frozen=True)
class FallBack:
    use_average: bool
    apply_coefficient: bool


def limit_for(case: str, limits: AverageLimits,
              residential: bool = True) -> int:
    if case == 'a':
        return (limits.limit_a_residential if residential
                else limits.limit_a_nonresidential)
    if case == 'b':
        return (limits.limit_b_residential if residential
                else limits.limit_b_nonresidential)
    if case == 'v':
        return limits.limit_v
    raise ValueError(f'unknown п. 59 case {case!r}')


def fallback(case: str, period_number: int, limits: AverageLimits,
             residential: bool = True, k_after_b: bool = False) -> FallBack:
    """What to bill in the ``period_number``-th period (1-based) of a п. 59
    case: the average while within the limit, then the normative; K after
    «а» and «в» (п. 60), after «б» only if the policy says so [?]."""
    if period_number <= limit_for(case, limits, residential):
        return FallBack(True, False)
    return FallBack(False, case in ('a', 'v') or k_after_b)


def reconciled_volume(last_accepted, new_reading, billed_averages: Sequence,
                      digits: int = 5, max_plausible=None) -> Decimal:
    """Volume billed in the month the readings arrive; negative = credit.

    G-A3: 200.000 → 208.000 after 2 × 5.050 → −2.100 m³ (−104.73 ₽):

    >>> from housing_billing.engine.rounding import money
    >>> v = reconciled_volume(Decimal('200.000'), Decimal('208.000'),
    ...                       [Decimal('5.050')] * 2)
    >>> v, money(v * Decimal('49.87'))
    (Decimal('-2.100'), Decimal('-104.73'))
    """
    actual = consumption(last_accepted, new_reading, digits, max_plausible)
    return actual - sum((to_decimal(v) for v in billed_averages), ZERO)
