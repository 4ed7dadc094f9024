"""Utility resources for common property (КР на СОИ): ПП354 п. 44, ЖК 156
ч. 9.2, Правила 491 п. 29(2)–29(3) (ПП РФ № 92), ПП РФ № 480.

Domain spec §1.9::

    V_СОИ,fact = V_Д − Σ V_u(non-res.) − Σ V_v(res.) − V_кр   (as billed)
    V_СОИ,norm = N_СОИ × S_ои
    V_СОИ      = min(max(V_СОИ,fact, 0), V_СОИ,norm)  (soi_cap_by_normative)
    V_i,СОИ    = V_СОИ × S_i / S_об ;   P_i,СОИ = V_i,СОИ × T
    no ОДПУ:   V_i,СОИ = N_СОИ × S_ои × S_i / S_об

Method per building (dated): ``normative_annual_recalc`` (default: monthly
by the normative, then the annual recalculation), ``average_annual_recalc``
(monthly by the previous year's average), ``monthly_actual`` (monthly by the
ОДПУ). The excess over the cap is borne by the executor. A negative fact
volume follows ``soi_negative``: ``carry_forward`` (default: 0 now, the
negative amount reduces the next period), ``zero`` or ``distribute``.
The building rows are shared with the largest-remainder rule (§0.2).

G-S1 / G-S2 / G-S4 (S_i 54.3, S_об 5 120.4, S_ои 820.0, N 0.0300, T 49.87):

>>> s = soi_volume(Decimal('1250.000'), Decimal('1229.800'),
...                normative=Decimal('0.0300'), common_area=Decimal('820.0'))
>>> s.distributed, quantize(premises_share(s.distributed, Decimal('54.3'),
...                                        Decimal('5120.4')), 4)
(Decimal('20.200'), Decimal('0.2142'))
>>> s = soi_volume(Decimal('1250.000'), Decimal('1210.500'),
...                normative=Decimal('0.0300'), common_area=Decimal('820.0'))
>>> s.distributed, s.borne_by_executor
(Decimal('24.60000'), Decimal('14.90000'))
>>> v = no_meter_volume(Decimal('0.96'), Decimal('1130.0'), Decimal('54.3'),
...                     Decimal('5120.4'))
>>> quantize(v, 4), money(v * Decimal('7.02'))
(Decimal('11.5039'), Decimal('80.76'))
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from .rounding import (
    ZERO,
    distribute_exact,
    equal_instalments,
    money,
    quantize,
    to_decimal,
)

__all__ = ['SoiVolume', 'soi_volume', 'premises_share', 'no_meter_volume',
           'monthly_building_volume', 'distribute_building', 'area_shares',
           'annual_recalculation', 'instalments']

NEGATIVE_POLICIES = ('carry_forward', 'zero', 'distribute')
METHODS = ('normative_annual_recalc', 'average_annual_recalc',
           'monthly_actual')


@dataclass(frozen=True)
class SoiVolume:
    fact: Decimal               # V_СОИ,fact (may be negative)
    cap: Decimal | None         # V_СОИ,norm (None: no cap)
    distributed: Decimal        # billed to the premises this month
    borne_by_executor: Decimal  # excess over the cap
    carried: Decimal            # negative volume carried to the next period


def soi_volume(building_volume, premises_volume, executor_volume=ZERO, *,
               normative=None, common_area=None, cap_by_normative=True,
               negative='carry_forward') -> SoiVolume:
    """Building volume for КР на СОИ from the ОДПУ balance (п. 44)."""
    if negative not in NEGATIVE_POLICIES:
        raise ValueError(f'unknown soi_negative policy {negative!r}')
    fact = (to_decimal(building_volume) - to_decimal(premises_volume)
            - to_decimal(executor_volume))
    cap = None
    if cap_by_normative and normative is not None and common_area is not None:
        cap = to_decimal(normative) * to_decimal(common_area)
    if fact < 0:
        distributed = fact if negative == 'distribute' else ZERO
        carried = fact if negative == 'carry_forward' else ZERO
        return SoiVolume(fact, cap, distributed, ZERO, carried)
    distributed = fact if cap is None else min(fact, cap)
    return SoiVolume(fact, cap, distributed, fact - distributed, ZERO)


def premises_share(building_volume, area, total_area) -> Decimal:
    """V_i = V × S_i / S_об (exact)."""
    return to_decimal(building_volume) * to_decimal(area) / to_decimal(
        total_area)


def no_meter_volume(normative, common_area, area, total_area) -> Decimal:
    """V_i = N_СОИ × S_ои × S_i / S_об (no ОДПУ, or the normative method)."""
    return premises_share(to_decimal(normative) * to_decimal(common_area),
                          area, total_area)


def monthly_building_volume(method: str, *, normative=None, common_area=None,
                            previous_year_average=None,
                            cap_by_normative=True) -> Decimal:
    """Monthly building volume of the two annual-recalculation methods."""
    cap = (to_decimal(normative) * to_decimal(common_area)
           if normative is not None and common_area is not None else None)
    if method == 'normative_annual_recalc':
        if cap is None:
            raise ValueError('the normative method needs N_СОИ and S_ои')
        return cap
    if method == 'average_annual_recalc':
        if previous_year_average is None:
            if cap is None:
                raise ValueError('no previous-year average and no normative')
            return cap
        volume = max(to_decimal(previous_year_average), ZERO)
        if cap_by_normative and cap is not None:
            volume = min(volume, cap)
        return volume
    raise ValueError(f'{method!r} is not an annual-recalculation method')


def distribute_building(exact_by_account: Mapping[str, Decimal]) -> dict:
    """Balanced premises rows that add up to HALF_UP(Σ exact) (§0.2).

    >>> r = distribute_building({'1': Decimal('0.335'), '2': Decimal('0.335'),
    ...                          '3': Decimal('0.335')})
    >>> [str(r[k]) for k in '123'], str(sum(r.values()))
    (['0.34', '0.34', '0.33'], '1.01')
    """
    return distribute_exact(exact_by_account)


def area_shares(building_amount, areas: Mapping[str, Decimal],
                total_area=None) -> dict:
    """Balanced premises rows of a building amount shared by area (§0.2).

    ``building_amount`` is exact (e.g. V_СОИ × T, or a negative carried
    amount); each premises' exact share is amount × S_i / S_об (S_об
    defaults to Σ S_i) and the rows add up to HALF_UP(Σ exact shares).

    >>> rows = area_shares(Decimal('100'), {'1': Decimal('1'),
    ...                    '2': Decimal('1'), '3': Decimal('1')})
    >>> [str(rows[k]) for k in '123']
    ['33.34', '33.33', '33.33']
    """
    areas = {key: to_decimal(area) for key, area in areas.items()}
    total_area = (sum(areas.values(), ZERO) if total_area is None
                  else to_decimal(total_area))
    amount = to_decimal(building_amount)
    return distribute_exact({key: amount * area / total_area
                             for key, area in areas.items()})


def annual_recalculation(months, areas: Mapping[str, Decimal], total_area,
                         billed: Mapping[str, Decimal]) -> dict:
    """Building difference of a year, shared by area (§1.9, ПП РФ № 480).

    ``months`` are (volume distributed for the month after cap, tariff);
    ``billed`` the rounded КР на СОИ rows charged to each premises during
    the year. Returns each premises' difference (positive: extra charge),
    balanced so that the rows add up to the building difference.

    >>> d = annual_recalculation([(Decimal('24.6'), Decimal('49.87'))],
    ...     {'1': Decimal('50'), '2': Decimal('50')}, Decimal('100'),
    ...     {'1': Decimal('600.00'), '2': Decimal('600.00')})
    >>> str(d['1']), str(d['2'])
    ('13.40', '13.40')
    """
    cost = sum((to_decimal(v) * to_decimal(t) for v, t in months), ZERO)
    total_area = to_decimal(total_area)
    exact = {account: cost * to_decimal(area) / total_area
             - to_decimal(billed.get(account, ZERO))
             for account, area in areas.items()}
    return distribute_exact(exact)


def instalments(amount, months: int = 12) -> list[Decimal]:
    """Equal monthly parts over the following year (ПП РФ № 480)."""
    return equal_instalments(money(amount), months)


def shown_volume(volume) -> Decimal:
    """СОИ volumes are shown with 4 decimals (§0.2)."""
    return quantize(volume, 4)
