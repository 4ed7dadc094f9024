"""Pricing a quantity over the days of a billing period.

Domain spec §2.5 [P]: when a tariff (or a normative, or the increasing
coefficient K with ``k_change_split = by_days``) changes inside the month,
the month is split by days, ``P = V × (d1/D × T1 + d2/D × T2)``, and each
part is its own row, rounded HALF_UP (§0.2). K changes the money, not the
volume (§1.5): each row also carries its amount without K.

G-R3: 9.300 m³ in a 31-day month, 49.87 ₽ for days 1–14, 55.81 ₽ from day
15 → 209.45 + 284.63:

>>> from housing_billing.engine.periods import Period
>>> t = Timeline.of([('2026-01-01', '49.87'), ('2026-01-15', '55.81')])
>>> parts = price_by_days(Period(2026, 1), t,
...     lambda span, values: Decimal('9.300') * span.days / 31)
>>> [(str(p.quantity), str(p.amount)) for p in parts]
[('4.200', '209.45'), ('5.100', '284.63')]
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from .params import Timeline, split_by_changes
from .periods import DaySpan, Period
from .rounding import money

__all__ = ['PricedPart', 'price_by_days']

ONE = Decimal(1)


@dataclass(frozen=True)
class PricedPart:
    span: DaySpan
    quantity: Decimal
    tariff: Decimal
    coefficient: Decimal
    exact: Decimal
    amount: Decimal
    amount_without_coefficient: Decimal | None
    values: dict
    whole_period: bool

    @classmethod
    def of(cls, span: DaySpan, quantity: Decimal, tariff: Decimal,
           coefficient: Decimal, exact: Decimal, amount: Decimal,
           amount_without_coefficient: Decimal | None, values: dict,
           whole_period: bool) -> PricedPart:
        """The same part as ``PricedPart(...)``, built in one step instead
        of field by field through the frozen ``__init__`` (a part per row
        of every account)."""
        part = object.__new__(cls)
        part.__dict__.update(
            span=span, quantity=quantity, tariff=tariff,
            coefficient=coefficient, exact=exact, amount=amount,
            amount_without_coefficient=amount_without_coefficient,
            values=values, whole_period=whole_period)
        return part


def price_by_days(period: Period, tariff: Timeline,
                  quantity: Callable[[DaySpan, dict], Decimal],
                  coefficient: Timeline | None = None,
                  k_change_split: str = 'by_days',
                  extra: Mapping[str, Timeline] | None = None,
                  span: DaySpan | None = None) -> list[PricedPart]:
    """Split ``span`` (default: the whole period) where the tariff, K or an
    extra parameter changes; price each part as its own row.

    ``quantity(span, values)`` returns the exact quantity of a part; the
    values dict holds the extra parameters in force on that part.
    """
    if span:
        start, end = span.start, span.end
    else:
        start, end = period.start, period.end
    names = list(extra) if extra else []
    timelines = [tariff]
    if names:
        timelines += [extra[name] for name in names]
    if coefficient is not None and k_change_split == 'by_days':
        timelines.append(coefficient)
        fixed_k = None
    elif coefficient is not None:
        # from_next_period: the K in force on the first day of the month.
        fixed_k = Decimal(coefficient.at(period.start))
    else:
        fixed_k = ONE
    parts = []
    segments = split_by_changes(start, end, timelines)
    alone = len(segments) == 1
    for segment in segments:
        values = (dict(zip(names, segment.values[1:1 + len(names)]))
                  if names else {})
        k = fixed_k if fixed_k is not None else Decimal(segment.values[-1])
        price = Decimal(segment.values[0])
        amount_quantity = quantity(segment.span, values)
        exact = amount_quantity * price * k
        without = money(amount_quantity * price) if k != ONE else None
        parts.append(PricedPart.of(
            segment.span, amount_quantity, price, k, exact, money(exact),
            without, values, alone and segment.span.days == period.days))
    return parts
