"""Housing rows and simple tariffs: ЖК 154, 156, 158; ПП354 п. 38.

Domain spec §1.11: «Содержание и ремонт жилого помещения» ``S_i × rate``
(₽/m²/month); «Взнос на капитальный ремонт» ``S_i × contribution`` (separate
payee, penalties under ЖК 155 ч. 14.1); per-premises services (intercom) at
a fixed amount per flat. Volume bands (social norm, the three household
electricity bands from 01.01.2025) split a monthly volume into bands, each
priced as its own row (§1.7). A two-part tariff's fixed component is a
monthly amount, pro-rated by the days the service was provided.

G-L1:

>>> money(by_area(Decimal('54.3'), Decimal('32.40')))
Decimal('1759.32')
>>> money(by_area(Decimal('54.3'), Decimal('11.27')))
Decimal('611.96')
>>> [(str(q), str(t)) for q, t in split_bands(Decimal('4500'),
...     [Decimal('3900'), Decimal('6000')],
...     [Decimal('5.00'), Decimal('7.00'), Decimal('9.00')])]
[('3900', '5.00'), ('600', '7.00')]
"""
from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from .rounding import ZERO, money, to_decimal  # noqa: F401 (doctests)

__all__ = ['by_area', 'per_premises', 'split_bands', 'fixed_component']


def by_area(area, rate) -> Decimal:
    """S_i × rate (₽/m²/month)."""
    return to_decimal(area) * to_decimal(rate)


def per_premises(rate, count=1) -> Decimal:
    """A fixed amount per flat."""
    return to_decimal(rate) * to_decimal(count)


def split_bands(volume, limits: Sequence, tariffs: Sequence) -> list[tuple]:
    """Split a monthly volume into bands [0, L1], (L1, L2], … ; returns
    (band volume, band tariff) for the non-empty bands."""
    if len(tariffs) != len(limits) + 1:
        raise ValueError('one tariff per band: len(limits) + 1 tariffs')
    volume = to_decimal(volume)
    result = []
    lower = ZERO
    for limit, tariff in zip(list(limits) + [None], tariffs):
        upper = volume if limit is None else min(volume, to_decimal(limit))
        if upper > lower:
            result.append((upper - lower, to_decimal(tariff)))
        if limit is not None:
            lower = max(lower, to_decimal(limit))
        if volume <= lower:
            break
    return result


def fixed_component(monthly_amount, days_provided: int,
                    days_in_month: int) -> Decimal:
    """The fixed part of a two-part tariff for the days provided.

    >>> money(fixed_component(Decimal('310.00'), 15, 31))
    Decimal('150.00')
    """
    return to_decimal(monthly_amount) * Decimal(days_provided) / Decimal(
        days_in_month)
