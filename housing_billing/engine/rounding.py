"""Money rounding and the distribution of a total with exact conservation.

Domain spec §0.2 (engine-wide numeric conventions, [P]):

* money is rounded ROUND_HALF_UP to 0.01 ₽ **per printed row**; a total is the
  sum of rounded rows and is never rounded again;
* where one building amount is shared over premises, the rows must add up
  exactly to the building amount rounded HALF_UP: every premises gets its
  exact share rounded **down** to the kopeck, and the kopecks still missing go
  one each to the premises with the largest dropped fractions (ties: the lower
  personal account number first).

Golden case G-T1 is the rounding-mode discriminator (429.165 → 429.17), G-R4
shows that totals are sums of rounded rows:

>>> money(Decimal('429.165'))
Decimal('429.17')
>>> money(Decimal('-104.727'))
Decimal('-104.73')
>>> sum_rows([Decimal('0.335')] * 3)
Decimal('1.02')
>>> shares = distribute(Decimal('10.00'), {'3': 1, '1': 1, '2': 1})
>>> [(k, str(v)) for k, v in sorted(shares.items())]
[('1', '3.34'), ('2', '3.33'), ('3', '3.33')]
"""
from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from decimal import ROUND_FLOOR, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

__all__ = [
    'KOPECK', 'ZERO', 'money', 'quantize', 'sum_rows', 'account_order',
    'distribute', 'distribute_exact', 'equal_instalments', 'to_decimal',
    'snap',
]

KOPECK = Decimal('0.01')
ZERO = Decimal('0')


def to_decimal(value) -> Decimal:
    """Convert an int, str or Decimal to Decimal; floats are refused.

    >>> to_decimal('1.5') + to_decimal(2)
    Decimal('3.5')
    >>> to_decimal(0.1)
    Traceback (most recent call last):
    ...
    TypeError: binary float 0.1 is not allowed in money arithmetic
    """
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise TypeError('bool is not a number here')
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, str):
        return Decimal(value.replace('\u00a0', '').replace(' ', ''))
    raise TypeError(
        f'binary float {value!r} is not allowed in money arithmetic')


# Exact products of our inputs are terminating decimals or rationals with
# small denominators (days, 12, areas). A quotient such as 5 149.98 / 12 is
# computed to 28 significant digits; snapping to 12 decimals first makes a
# true tie (429.165) round as a tie instead of 429.16499…, while no genuine
# non-tie value of these inputs lies within 1e-12 of a tie.
SNAP = Decimal('1e-12')


# The rounding mode is passed by position below: as a keyword it costs as
# much again as the quantize itself, and money and quantize run for every
# row and every number shown.
def snap(value) -> Decimal:
    """Remove the last-digit noise of a division before rounding."""
    if type(value) is not Decimal:
        value = to_decimal(value)
    return value.quantize(SNAP, ROUND_HALF_EVEN)


def money(value) -> Decimal:
    """Round an exact amount to the kopeck, ROUND_HALF_UP (§0.2)."""
    return snap(value).quantize(KOPECK, ROUND_HALF_UP)


_EXPONENTS = {places: Decimal(1).scaleb(-places) for places in range(13)}


def quantize(value, places: int) -> Decimal:
    """Round a quantity to ``places`` decimals HALF_UP (display only)."""
    exponent = _EXPONENTS.get(places) or Decimal(1).scaleb(-places)
    return snap(value).quantize(exponent, ROUND_HALF_UP)


def sum_rows(rows: Iterable) -> Decimal:
    """Total of printed rows: each row rounded first, then added (§0.2)."""
    return sum((money(row) for row in rows), ZERO.quantize(KOPECK))


def account_order(key: Hashable):
    """Sort key putting lower personal account numbers first.

    Account numbers made of digits compare as numbers, others as text.

    >>> sorted(['10', '9', 'A-1'], key=account_order)
    ['9', '10', 'A-1']
    """
    text = str(key)
    if text.isdigit():
        return (0, int(text), text)
    return (1, 0, text)


def distribute_exact(
        exact_shares: Mapping[Hashable, Decimal],
        tie_order: Callable = account_order) -> dict:
    """Round exact shares so that they add up to HALF_UP(Σ exact shares).

    Largest-remainder method of §0.2. Every row ends within one kopeck of its
    exact share. Works for negative totals by symmetry (the magnitude is
    distributed, then the sign restored).

    >>> r = distribute_exact({'1': Decimal('0.333'), '2': Decimal('0.333'),
    ...                       '3': Decimal('0.334')})
    >>> [str(r[k]) for k in ('1', '2', '3')], str(sum(r.values()))
    (['0.33', '0.33', '0.34'], '1.00')
    """
    exact = {key: snap(value) for key, value in exact_shares.items()}
    total = money(sum(exact.values(), ZERO))
    if total < 0:
        flipped = distribute_exact(
            {key: -value for key, value in exact.items()}, tie_order)
        return {key: -value for key, value in flipped.items()}
    # Floor (not truncation) keeps every dropped fraction non-negative even
    # when a few shares are negative, so the missing kopecks are 0..n.
    floors = {key: value.quantize(KOPECK, rounding=ROUND_FLOOR)
              for key, value in exact.items()}
    missing = int((total - sum(floors.values(), ZERO)) / KOPECK)
    order = sorted(
        exact, key=lambda key: (-(exact[key] - floors[key]), tie_order(key)))
    result = dict(floors)
    for key in order[:missing]:
        result[key] += KOPECK
    return result


def distribute(
        total, weights: Mapping[Hashable, object],
        tie_order: Callable = account_order) -> dict:
    """Share ``total`` (rounded HALF_UP) in proportion to ``weights``.

    The rows add up to ``money(total)`` exactly (§0.2).

    >>> r = distribute(Decimal('100.00'), {'7': Decimal('54.3'),
    ...                                     '8': Decimal('45.7')})
    >>> str(r['7']), str(r['8'])
    ('54.30', '45.70')
    """
    total = money(total)
    weight = {key: to_decimal(value) for key, value in weights.items()}
    base = sum(weight.values(), ZERO)
    if base == 0:
        if total != 0:
            raise ValueError('cannot distribute a non-zero total over zero '
                             'weights')
        return {key: total for key in weight}
    exact = {key: total * value / base for key, value in weight.items()}
    return distribute_exact(exact, tie_order)


def equal_instalments(amount, count: int) -> list[Decimal]:
    """Split an amount into ``count`` equal monthly parts that add up exactly.

    Used for the annual КР на СОИ recalculation charged over the next year
    (ПП РФ 27.03.2023 № 480). Earlier parts take the extra kopecks.

    >>> [str(x) for x in equal_instalments(Decimal('100.00'), 3)]
    ['33.34', '33.33', '33.33']
    """
    if count <= 0:
        raise ValueError('count must be positive')
    shares = distribute(amount, {index: 1 for index in range(count)},
                        tie_order=lambda index: index)
    return [shares[index] for index in range(count)]
