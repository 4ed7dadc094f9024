"""Heating: ПП354 Appendix 2 formulas 2, 2(1), 3 and the annual correction.

Domain spec §1.8. The mode is a dated building setting (п. 42(1)):
``season`` — pay in heating-season months only; ``even`` — equal parts over
12 months.

* no ОДПУ, season — formula 2: P = S_i × N_Т × T_Т;
* no ОДПУ, even — formula 2(1): P = S_i × N_Т × (season months / 12) × T_Т;
* ОДПУ, season — formula 3: P = V_Д × S_i / S_об × T_Т;
* ОДПУ, even: P = V_prev_year / 12 / S_об × S_i × T_Т, and the annual
  correction ΔP = P_к.пр × S_i / S_об − P_н.i in Q1 of the next year.

The coefficient months/12 is never rounded. Heating is never recalculated for
temporary absence (п. 86). Formulas 3(1)–3(4) (houses with heat ИПУ) need
the official text (§12 q. 2) and are not implemented.

G-H1 … G-H4:

>>> from housing_billing.engine.rounding import money
>>> S, N, T = Decimal('54.3'), Decimal('0.0205'), Decimal('2914.56')
>>> money(formula_2(S, N, T)), money(formula_2_1(S, N, 7, T))
(Decimal('3244.34'), Decimal('1892.53'))
>>> money(formula_3(Decimal('182.45'), S, Decimal('5120.4'), T))
Decimal('5639.14')
>>> money(even_with_meter(Decimal('1010.0'), S, Decimal('5120.4'), T))
Decimal('2601.41')
"""
from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from .rounding import ZERO, distribute_exact, to_decimal

__all__ = ['formula_2', 'formula_2_1', 'formula_3', 'even_with_meter',
           'even_coefficient', 'annual_correction', 'building_heat_cost',
           'building_corrections']


def formula_2(area, normative, tariff) -> Decimal:
    """S_i × N_Т × T_Т (no ОДПУ, season mode)."""
    return to_decimal(area) * to_decimal(normative) * to_decimal(tariff)


def even_coefficient(season_months: int) -> Decimal:
    """K_пер = months in the heating season / 12, exact (never rounded)."""
    return Decimal(season_months) / Decimal(12)


def formula_2_1(area, normative, season_months: int, tariff) -> Decimal:
    """S_i × N_Т × K_пер × T_Т (no ОДПУ, even mode)."""
    return (to_decimal(area) * to_decimal(normative) * to_decimal(tariff)
            * Decimal(season_months) / Decimal(12))


def formula_3(building_volume, area, total_area, tariff) -> Decimal:
    """V_Д × S_i / S_об × T_Т (ОДПУ, no heat ИПУ)."""
    return (to_decimal(building_volume) * to_decimal(area)
            * to_decimal(tariff) / to_decimal(total_area))


def even_with_meter(previous_year_volume, area, total_area, tariff) -> Decimal:
    """V_Т × S_i × T_Т with V_Т = V_prev_year / 12 / S_об (ОДПУ, even)."""
    return (to_decimal(previous_year_volume) * to_decimal(area)
            * to_decimal(tariff) / (Decimal(12) * to_decimal(total_area)))


def building_heat_cost(months: Iterable[tuple]) -> Decimal:
    """P_к.пр = Σ V_Д,m × T_Т,m (each month at its own tariff)."""
    return sum((to_decimal(v) * to_decimal(t) for v, t in months), ZERO)


def annual_correction(months: Iterable[tuple], area, total_area,
                      billed: Iterable) -> Decimal:
    """ΔP_i = P_к.пр × S_i / S_об − P_н.i (exact; negative = credit).

    ``months`` are (V_Д, T_Т) of the past year, ``billed`` the rounded
    heating rows charged to the premises during that year.

    G-H4 (−2 144.89):

    >>> t1, t2 = Decimal('2914.56'), Decimal('3261.39')
    >>> vols = ['182.45', '165.30', '140.10', '80.25', '10.40', '0', '0',
    ...         '0', '0', '70.80', '130.60', '175.90']
    >>> months = [(Decimal(v), t1 if i < 6 else t2)
    ...           for i, v in enumerate(vols)]
    >>> billed = [Decimal('2601.41')] * 6 + [Decimal('2910.98')] * 6
    >>> from housing_billing.engine.rounding import money
    >>> money(annual_correction(months, Decimal('54.3'), Decimal('5120.4'),
    ...                         billed))
    Decimal('-2144.89')
    """
    cost = building_heat_cost(months)
    billed_total = sum((to_decimal(b) for b in billed), ZERO)
    return cost * to_decimal(area) / to_decimal(total_area) - billed_total


def building_corrections(costs, areas, total_area, billed) -> dict:
    """The annual corrections of the premises of one building, balanced.

    ``costs``: {key: P_к.пр} (each premises priced at its own tariffs),
    ``areas``: {key: S_i}, ``billed``: {key: P_н.i}. Each row is
    ΔP_i = P_к.пр × S_i / S_об − P_н.i; the rows are rounded together by
    the largest remainder (§0.2) so that they add up to the rounded sum of
    the exact differences.

    >>> cost = Decimal('2916595.4070')
    >>> rows = building_corrections({'1': cost}, {'1': Decimal('54.3')},
    ...     Decimal('5120.4'), {'1': Decimal('33074.34')})
    >>> rows['1']
    Decimal('-2144.89')
    """
    total_area = to_decimal(total_area)
    return distribute_exact({
        key: to_decimal(costs[key]) * to_decimal(area) / total_area
        - to_decimal(billed.get(key, ZERO))
        for key, area in areas.items()})
