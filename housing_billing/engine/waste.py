"""Solid municipal waste (ТКО): ПП354 разд. XV(1), п. 148(30), 148(36), 86(1).

Domain spec §1.10::

    per person: P_i = n_i × (N_ТКО,year / 12) × T_ТКО  (n_i: owners if none)
    per area:   P_i = S_i × (N_ТКО,year,m² / 12) × T_ТКО

ТКО is recalculated for temporary absence even without a meter, also when
billed by area (п. 86(1), ПП РФ № 2076, from 01.03.2023)::

    ΔP_area = P_area × (absent persons / n) × (d / D)

which, with person-days, is P_area × absent person-days / person-days [L][?].

G-T1 (HALF_UP 429.17; HALF_EVEN would give 429.16) and G-T2:

>>> money(per_person(3, Decimal('2.2'), Decimal('780.30')))
Decimal('429.17')
>>> money(per_area(Decimal('54.3'), Decimal('0.12'), Decimal('780.30')))
Decimal('423.70')
"""
from __future__ import annotations

from decimal import Decimal

from .rounding import money, to_decimal  # noqa: F401 (doctests)

__all__ = ['monthly_normative', 'per_person', 'per_area',
           'area_absence_share']


def monthly_normative(yearly_normative) -> Decimal:
    """N_year / 12 (for display; amounts divide last)."""
    return to_decimal(yearly_normative) / Decimal(12)


def per_person(persons, yearly_normative, tariff) -> Decimal:
    """n × N_year × T / 12 (one division, last)."""
    return (to_decimal(persons) * to_decimal(yearly_normative)
            * to_decimal(tariff) / Decimal(12))


def per_area(area, yearly_normative_per_m2, tariff) -> Decimal:
    """S × N_year,m² × T / 12 (one division, last)."""
    return (to_decimal(area) * to_decimal(yearly_normative_per_m2)
            * to_decimal(tariff) / Decimal(12))


def area_absence_share(area_amount, absent_person_days: int,
                       person_days: int) -> Decimal:
    """ΔP for area-based ТКO: P_area × absent person-days / person-days.

    >>> money(area_absence_share(Decimal('423.7029'), 16, 62))
    Decimal('109.34')
    """
    if person_days == 0:
        return Decimal(0)
    return to_decimal(area_amount) * Decimal(absent_person_days) / Decimal(
        person_days)
