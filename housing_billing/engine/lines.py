"""Charge lines: what the kernel returns, with method, inputs and reasons.

ARCHITECTURE.md, "The calculation kernel": every line carries its method,
its inputs and a human-readable explanation, so that an accountant and a
resident can see why. Money on a line is already rounded ROUND_HALF_UP to the
kopeck (domain spec §0.2); quantities stay exact and are rounded for display
only (3 decimals for m³, 4 for СОИ volumes, 0 for kWh readings).

>>> line = ChargeLine(service='cold_water', method=Method.METER,
...     quantity=Decimal('7.333'), unit='m3', tariff=Decimal('49.87'),
...     amount=Decimal('365.70'))
>>> line.quantity_shown, line.coefficient_surcharge
(Decimal('7.333'), Decimal('0'))
>>> fmt(Decimal('1235.691'), 2), fmt_ru(Decimal('1235.691'), 2)
('1,235.69', '1\\xa0235,69')
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from .periods import Period
from .rounding import ZERO, money, quantize

__all__ = ['ChargeLine', 'Method', 'Kind', 'Reason', 'Basis', 'fmt',
           'fmt_ru', 'fmt_short', 'UNITS', 'unit_label', 'total']


class Method:
    """Calculation methods a service can be configured with (dispatch keys)."""

    METER = 'meter'                    # individual meter, formula 1
    NORMATIVE = 'normative'            # per person, formula 4
    AREA = 'area'                      # ₽/m² of the premises
    PER_PREMISES = 'per_premises'      # ₽ per flat
    FIXED = 'fixed'                    # fixed monthly amount
    COMMON_PROPERTY = 'common_property'  # КР на СОИ by area share
    MANUAL = 'manual'                  # amount entered by an accountant
    AGENT = 'agent'                    # collected for a supplier (agent)
    ONE_OFF = 'one_off'                # a single charge in one period
    HEATING = 'heating'                # formulas 2, 2(1), 3
    WASTE = 'waste'                    # ТКО per person or per m²
    SEWAGE = 'sewage'                  # ХВС + ГВС volumes
    TIERED = 'tiered'                  # volume bands (slab tariff)
    # Volume sources that a METER service may fall back to (recorded on the
    # line so that the receipt can say how the volume was found, п. 69 «г»).
    AVERAGE = 'average'
    RECONCILIATION = 'reconciliation'


# The methods whose charge needs nothing but the premises and the tariff
# (no residents, meters, history or building data, heating by area apart).
PREMISES_ONLY = frozenset({Method.AREA, Method.PER_PREMISES, Method.FIXED})


class Kind:
    CHARGE = 'charge'
    RECALCULATION = 'recalculation'
    REDUCTION = 'reduction'


class Reason:
    """Basis codes printed in «Сведения о перерасчетах» (§2.6)."""

    TEMPORARY_ABSENCE = 'temporary_absence'
    LATE_READINGS = 'late_readings'
    PAST_PERIOD = 'past_period_correction'
    SOI_NEGATIVE_CARRY = 'soi_negative_carry'
    SOI_ANNUAL = 'soi_annual_recalculation'
    HEATING_CORRECTION = 'heating_annual_correction'
    QUALITY = 'quality'
    RESIDENTS = 'residents_change'
    METER = 'meter_change'
    TARIFF = 'tariff_correction'
    SERVICE = 'service_validity'
    MANUAL = 'manual'

    LABELS_RU = {
        TEMPORARY_ABSENCE: 'временное отсутствие',
        LATE_READINGS: 'показания за предыдущие периоды',
        PAST_PERIOD: 'перерасчёт прошлого периода',
        SOI_NEGATIVE_CARRY: 'отрицательный объём КР на СОИ',
        SOI_ANNUAL: 'годовой перерасчёт КР на СОИ',
        HEATING_CORRECTION: 'корректировка платы за отопление',
        QUALITY: 'ненадлежащее качество / перерыв',
        RESIDENTS: 'изменение числа проживающих',
        METER: 'установка или снятие прибора учёта',
        TARIFF: 'исправление тарифа или норматива',
        SERVICE: 'исправление срока услуги',
        MANUAL: 'решение бухгалтера',
    }


class Basis:
    """How a volume was found (ПП354 п. 69 «г»)."""

    METER = 'meter'
    AVERAGE_A = 'average_a'    # п. 59 «а»: meter broken / removed / expired
    AVERAGE_B = 'average_b'    # п. 59 «б»: readings not submitted
    AVERAGE_V = 'average_v'    # п. 59 «в»: access refused
    NORMATIVE = 'normative'
    AVERAGES = (AVERAGE_A, AVERAGE_B, AVERAGE_V)


UNITS = {
    'm3': ('м³', 'm³', 3),
    'kwh': ('кВт·ч', 'kWh', 0),
    'gcal': ('Гкал', 'Gcal', 4),
    'm2': ('м²', 'm²', 2),
    'person': ('чел.', 'pers.', 4),
    'premises': ('кв.', 'flat', 0),
    'month': ('мес.', 'month', 0),
    'rub': ('₽', '₽', 2),
}


def unit_label(unit: str, lang: str = 'en') -> str:
    labels = UNITS.get(unit)
    if labels is None:
        return unit
    return labels[0] if lang == 'ru' else labels[1]


def fmt(value: Decimal, places: int) -> str:
    """English display: comma thousands, point decimals."""
    return f'{quantize(value, places):,.{places}f}'


def fmt_short(value: Decimal, lang: str = 'en') -> str:
    """A parameter as given, without trailing zeros (4.8500 → 4.85).

    >>> fmt_short(Decimal('4.8500')), fmt_short(Decimal('0.0300'), 'ru')
    ('4.85', '0,03')
    """
    text = format(value.normalize(), 'f') if value else '0'
    return text.replace('.', ',') if lang == 'ru' else text


def fmt_ru(value: Decimal, places: int) -> str:
    """Russian display: no-break-space thousands, comma decimals."""
    return to_ru(fmt(value, places))


def to_ru(text: str) -> str:
    "The Russian form of an English display of a number"
    return text.replace(',', '\u00a0').replace('.', ',')


@dataclass(frozen=True)
class ChargeLine:
    """One printed row: a charge, a recalculation or a reduction."""

    service: str
    method: str
    quantity: Decimal
    unit: str
    tariff: Decimal
    amount: Decimal
    kind: str = Kind.CHARGE
    period: Period | None = None
    component: str = ''
    basis: str = ''
    coefficient: Decimal = Decimal(1)
    amount_without_coefficient: Decimal | None = None
    date_from: date | None = None
    date_to: date | None = None
    corrected_period: Period | None = None
    reason: str = ''
    quantity_places: int | None = None
    inputs: dict = field(default_factory=dict)
    explanation_ru: str = ''
    explanation_en: str = ''

    def __post_init__(self):
        if self.amount != money(self.amount):
            raise ValueError(f'line amount {self.amount} is not in kopecks')

    @classmethod
    def of_rounded(cls, **fields) -> ChargeLine:
        """A line from every one of its fields, the amount already rounded
        by :func:`money`: the kernel's priced rows, built in one step
        instead of field by field through the frozen ``__init__``, and
        without its check of the kopecks."""
        line = object.__new__(cls)
        line.__dict__.update(fields)
        return line

    @property
    def coefficient_surcharge(self) -> Decimal:
        """The part of the amount due to the increasing coefficient
        (printed separately, §1.5): P(K) − P(1)."""
        if self.amount_without_coefficient is None:
            return ZERO
        return self.amount - self.amount_without_coefficient

    @property
    def quantity_shown(self) -> Decimal:
        places = self.quantity_places
        if places is None:
            places = UNITS.get(self.unit, ('', '', 3))[2]
        return quantize(self.quantity, places)

    @property
    def key(self) -> tuple:
        """Identity used to compare two calculations of one period."""
        return (self.service, self.component, self.kind, self.reason,
                self.corrected_period)


def total(lines) -> Decimal:
    """Sum of the rounded rows (§0.2)."""
    return sum((line.amount for line in lines), ZERO.quantize(Decimal('0.01')))
