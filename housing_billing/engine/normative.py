"""Charge by normative without a meter: ПП354 Appendix 2 formula 4, and K.

Formula 4 (domain spec §1.5)::

    P_i = n_i × N_j × T_кр × K

* ``n_i`` — persons permanently and temporarily residing (a temporary
  resident counts when staying more than 5 days, п. 56(1)); changes inside
  the month are weighted by person-days (§2.3): n_eff = Σ days / D_month;
* if nobody is registered, ``n_i`` is the number of owners (п. 56(2)); this
  is applied day by day, so a month with registered persons for part of it
  counts the owners on the other days [P];
* ``K`` is the dated increasing coefficient of the service (ХВС 1.5 until
  05.12.2025, 3.0 from 06.12.2025, ПП РФ № 1871; ГВС 1.5; never for
  водоотведение and gas); it changes the money, not the volume, and its
  surcharge P(K) − P(1) is printed separately.

G-N2: 2 × 3.72 m³ × 221.45 ₽ × 1.5 → volume 7.44 m³, 2 471.38 ₽ (base
1 647.59, surcharge 823.79):

>>> money(formula_4(2, Decimal('3.72'), Decimal('221.45'), Decimal('1.5')))
Decimal('2471.38')
>>> money(formula_4(2, Decimal('3.72'), Decimal('221.45')))
Decimal('1647.59')

G-P3: 2 residents all April + one from 12.04 → n_eff = 2 + 19/30:

>>> from housing_billing.engine.snapshot import Resident
>>> span = DaySpan(date(2026, 4, 1), date(2026, 4, 30))
>>> pd = person_days([Resident('a'), Resident('b'),
...                   Resident('c', date(2026, 4, 12))], 0, span)
>>> pd, money(Decimal(pd) / 30 * Decimal('4.85') * Decimal('49.87'))
(79, Decimal('636.92'))
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal

from .periods import DaySpan, days_inclusive
from .rounding import money, to_decimal  # noqa: F401 (doctests)
from .snapshot import Resident

__all__ = ['formula_4', 'person_days', 'counts_as_resident',
           'residents_on']


def formula_4(persons, normative, tariff, coefficient=1) -> Decimal:
    """Exact amount n × N × T × K."""
    return (to_decimal(persons) * to_decimal(normative) * to_decimal(tariff)
            * to_decimal(coefficient))


def counts_as_resident(resident: Resident, min_days: int = 6) -> bool:
    """A temporary resident counts when staying more than 5 days
    (ПП354 п. 56(1)); a stay without an end date counts."""
    if not resident.temporary or resident.date_to is None:
        return True
    start = resident.date_from or date.min
    return days_inclusive(start, resident.date_to) >= min_days


def residents_on(residents: Iterable[Resident], day: date,
                 min_days: int = 6) -> list[Resident]:
    return [r for r in residents
            if (r.date_from is None or r.date_from <= day)
            and (r.date_to is None or day <= r.date_to)
            and counts_as_resident(r, min_days)]


def person_days(residents: Iterable[Resident], owners_count: int,
                span: DaySpan, min_days: int = 6,
                owners_when_nobody: bool = True) -> int:
    """Σ over the days of ``span`` of the persons counted that day; on a
    day with nobody registered, the owners (п. 56(2)).

    Summed over the runs of days on which nobody arrives or leaves."""
    if span.end < span.start:
        return 0
    counted = [r for r in residents if counts_as_resident(r, min_days)]
    after = span.end + timedelta(days=1)
    cuts = {span.start, after}
    for resident in counted:
        if resident.date_from is not None and (
                span.start < resident.date_from <= span.end):
            cuts.add(resident.date_from)
        if resident.date_to is not None and (
                span.start <= resident.date_to < span.end):
            cuts.add(resident.date_to + timedelta(days=1))
    cuts = sorted(cuts)
    total = 0
    for first, following in zip(cuts, cuts[1:]):
        # residents_on(counted, first): counted count already.
        present = sum(1 for r in counted
                      if (r.date_from is None or r.date_from <= first)
                      and (r.date_to is None or first <= r.date_to))
        if present == 0 and owners_when_nobody:
            present = owners_count
        total += present * (following - first).days
    return total
