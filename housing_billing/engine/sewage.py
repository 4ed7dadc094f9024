"""Water disposal (водоотведение): ПП354 п. 42, Appendix 2.

Domain spec §1.3: without a sewage meter the volume of water disposal is the
cold-water volume plus the hot-water volume, each **as billed** (meter,
average or normative)::

    V_ВО = V_ХВС + V_ГВС ;   P_ВО = V_ВО × T_ВО

The increasing coefficient is never applied to водоотведение. On common
property, V_ВО,СОИ = V_ХВС,СОИ + V_ГВС,СОИ [L][?].

G-M3: 7.333 + 3.200 = 10.533 m³ × 38.55 = 406.05 ₽:

>>> v = sewage_volume([Decimal('7.333'), Decimal('3.200')])
>>> v, money(v * Decimal('38.55'))
(Decimal('10.533'), Decimal('406.05'))
"""
from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from .rounding import ZERO, money, to_decimal  # noqa: F401 (doctests)

__all__ = ['sewage_volume']


def sewage_volume(water_volumes: Iterable) -> Decimal:
    """Σ of the cold and hot water volumes as billed."""
    return sum((to_decimal(v) for v in water_volumes), ZERO)
