"""Hot water: one-part and two-component tariffs (ПП354 п. 38, Appendix 2).

Domain spec §1.4. One-part (₽/m³): formula 1 or 4 as for cold water.
Two-component tariff::

    P = V × T_хв  +  Q × T_тэ,     Q = V × q

``q`` is the normative of heat for heating water (Gcal/m³) or, where the
building meters the heat for hot water, Q_ОДПУ / V_ОДПУ [?] — a per-building
setting (``hot_water_heat_source``). The two rows («теплоноситель»,
«тепловая энергия») are rounded separately [P].

G-M2 (3.200 m³: 159.58 + 547.47 = 707.05) and G-N5 (7.44 m³: 371.03 +
1 272.87):

>>> water, heat, q = two_component(Decimal('3.200'), Decimal('49.87'),
...                                Decimal('0.0587'), Decimal('2914.56'))
>>> money(water), q, money(heat)
(Decimal('159.58'), Decimal('0.1878400'), Decimal('547.47'))
>>> [money(x) for x in two_component(Decimal('7.44'), Decimal('49.87'),
...     Decimal('0.0587'), Decimal('2914.56'))[:2]]
[Decimal('371.03'), Decimal('1272.87')]
"""
from __future__ import annotations

from decimal import Decimal

from .rounding import money, to_decimal  # noqa: F401 (doctests)

__all__ = ['heat_per_m3', 'two_component']


def heat_per_m3(source: str, normative=None, metered_heat=None,
                metered_volume=None) -> Decimal:
    """q from the normative or from the building's hot-water heat meter.

    >>> heat_per_m3('metered', metered_heat=Decimal('20.5'),
    ...             metered_volume=Decimal('350'))
    Decimal('0.05857142857142857142857142857')
    """
    if source == 'metered':
        if not metered_heat or not metered_volume:
            raise ValueError('metered q needs Q_ОДПУ and V_ОДПУ')
        return to_decimal(metered_heat) / to_decimal(metered_volume)
    if normative is None:
        raise ValueError('q: no normative')
    return to_decimal(normative)


def two_component(volume, cold_tariff, q, heat_tariff):
    """(water amount, heat amount, heat Q in Gcal), all exact."""
    volume = to_decimal(volume)
    heat = volume * to_decimal(q)
    return (volume * to_decimal(cold_tariff),
            heat * to_decimal(heat_tariff), heat)
