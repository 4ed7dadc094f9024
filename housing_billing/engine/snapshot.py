"""Snapshot types: everything the kernel needs about one premises and period.

Plain frozen dataclasses so that the Tryton layer can fill them from SQL
(ARCHITECTURE.md, "The calculation kernel"). Dated parameters are
:class:`~housing_billing.engine.params.Timeline` objects keyed by service
code (``'cold_water'``) or by ``'service:component'``
(``'electricity:day'``, ``'hot_water:heat'``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from .lines import Basis
from .params import MissingParameter, Timeline
from .periods import Period

__all__ = [
    'Resident', 'Absence', 'Reading', 'PeriodVolume', 'Meter', 'Service',
    'SoiBalance', 'Building', 'Policy', 'AverageLimits', 'ManualCharge',
    'CarriedAmount', 'QualityEvent', 'QualityNorm', 'PremisesSnapshot',
    'Resource',
]


class Resource:
    COLD_WATER = 'cold_water'
    HOT_WATER = 'hot_water'
    SEWAGE = 'sewage'
    ELECTRICITY = 'electricity'
    GAS = 'gas'
    HEATING = 'heating'
    WASTE = 'waste'
    HOUSING = 'housing'
    CAPITAL_REPAIR = 'capital_repair'
    OTHER = 'other'
    # ПП354 п. 86: services recalculated for temporary absence (not heating,
    # not КР на СОИ); ТКО since 01.03.2023 (п. 86(1)).
    ABSENCE_RECALCULATED = frozenset({COLD_WATER, HOT_WATER, SEWAGE,
                                      ELECTRICITY, GAS, WASTE})
    WATER = frozenset({COLD_WATER, HOT_WATER})


@dataclass(frozen=True)
class Resident:
    """A person registered (permanently or temporarily) in the premises."""

    person: str
    date_from: date | None = None
    date_to: date | None = None
    temporary: bool = False


@dataclass(frozen=True)
class Absence:
    """Temporary absence (ПП354 разд. VIII): departure and arrival days."""

    person: str
    departure: date
    arrival: date
    documented: bool = True


@dataclass(frozen=True)
class Reading:
    """A meter reading; ``period`` is the billing period it is accepted for
    (derived from the date and the reading cut-off day when omitted)."""

    value: Decimal
    taken_on: date
    zone: str = ''
    period: Period | None = None


@dataclass(frozen=True)
class PeriodVolume:
    """A volume billed for a past period and how it was found."""

    period: Period
    volume: Decimal
    basis: str = Basis.METER
    zone: str = ''


@dataclass(frozen=True)
class Meter:
    """An individual meter (ИПУ) of one service.

    * ``zones``: register names ('' for a single-rate meter; 'day', 'night',
      'peak', 'half_peak' …); tariffs are looked up as ``service:zone``;
    * ``digits``: integer digits of the register (roll-over at 10^digits);
    * ``installed_on`` / ``initial_readings``: commissioning date and the
      readings in the commissioning act (the meter bills from the next
      month, ПП354 п. 81);
    * ``out_of_service_on``: failure, removal for verification or loss
      (п. 59 «а»), with ``final_readings`` taken on that day if any;
    * ``verification_due``: first day on which the verification interval
      has expired (also п. 59 «а»);
    * ``access_refused_on`` / ``access_checked_on``: п. 59 «в»;
    * ``history``: volumes billed in past periods and how (for the п. 59
      average and for the reconciliation of averages).
    """

    number: str
    service: str
    zones: tuple[str, ...] = ('',)
    digits: int = 5
    installed_on: date | None = None
    initial_readings: tuple[Reading, ...] = ()
    out_of_service_on: date | None = None
    final_readings: tuple[Reading, ...] = ()
    verification_due: date | None = None
    access_refused_on: date | None = None
    access_checked_on: date | None = None
    readings: tuple[Reading, ...] = ()
    history: tuple[PeriodVolume, ...] = ()
    max_plausible_volume: Decimal | None = None
    intelligent: bool = False


@dataclass(frozen=True)
class Service:
    """A service row of the receipt and how it is calculated."""

    code: str
    method: str
    resource: str = Resource.OTHER
    unit: str = 'm3'
    name_ru: str = ''
    name_en: str = ''
    two_component: bool = False
    per_area: bool = False          # ТКО billed by area
    soi_resource: str = ''          # КР на СОИ: the resource of the ОДПУ
    supplier: str = ''
    bands: tuple[Decimal, ...] = ()  # tiered: upper limits of bands 1..n-1

    @property
    def label_ru(self) -> str:
        return self.name_ru or self.code

    @property
    def label_en(self) -> str:
        return self.name_en or self.code


@dataclass(frozen=True)
class SoiBalance:
    """Building balance of one resource for КР на СОИ (ПП354 п. 44)."""

    building_volume: Decimal | None = None   # V_Д; None: no ОДПУ
    premises_volume: Decimal = Decimal(0)    # Σ V as billed
    executor_volume: Decimal = Decimal(0)    # V_кр
    previous_year_monthly_average: Decimal | None = None


@dataclass(frozen=True)
class Building:
    total_area: Decimal                                  # S_об
    common_areas: dict = field(default_factory=dict)     # S_ои per resource
    heating_mode: str | Timeline = 'season'              # season | even
    heating_season_months: frozenset = frozenset({1, 2, 3, 4, 5, 10, 11, 12})
    heat_meter_volume: Decimal | None = None             # V_Д of the period
    heat_previous_year_volume: Decimal | None = None
    soi_balances: dict = field(default_factory=dict)     # resource → balance
    soi_method: str | Timeline = 'normative_annual_recalc'   # dated
    hot_water_heat_source: str = 'normative'             # or 'metered'
    hot_water_metered_heat: Decimal | None = None        # Q_ОДПУ ГВС, Gcal
    hot_water_metered_volume: Decimal | None = None      # V_ОДПУ ГВС, m³


@dataclass(frozen=True)
class AverageLimits:
    """п. 59–60 limits (domain spec §1.6), data with these defaults."""

    window_months: int = 6
    min_months: int = 3
    limit_a_residential: int = 3
    limit_a_nonresidential: int = 2
    limit_b_residential: int = 6
    limit_b_nonresidential: int = 3
    limit_v: int = 3


@dataclass(frozen=True)
class Policy:
    """Configurable readings where the law is silent ([P]/[?] in the spec)."""

    k_change_split: str = 'by_days'            # or 'from_next_period'
    k_after_limit_b: bool = False              # п. 60 after «б» [?]
    soi_cap_by_normative: bool = True
    soi_negative: str = 'carry_forward'        # or 'zero', 'distribute'
    reading_cutoff_day: int = 25
    excess_hours_method: str = 'union'         # total_only, max_of_both
    temperature_steps: str = 'floor'           # or 'ceil'
    temporary_resident_min_days: int = 6       # counts if staying > 5 days
    owners_when_nobody_registered: bool = True  # п. 56(2)
    commissioning_month: str = 'normative'     # or 'split_by_days' [?]


@dataclass(frozen=True)
class ManualCharge:
    """Manual, agent or one-off amount entered for a service."""

    service: str
    quantity: Decimal = Decimal(1)
    tariff: Decimal | None = None
    amount: Decimal | None = None
    note: str = ''


@dataclass(frozen=True)
class CarriedAmount:
    """An amount decided in an earlier period and billed in this one
    (negative КР на СОИ carried forward, annual instalments, corrections)."""

    service: str
    amount: Decimal
    from_period: Period
    reason: str
    quantity: Decimal = Decimal(0)
    unit: str = 'm3'


@dataclass(frozen=True)
class QualityEvent:
    """A shortfall of a service (ПП354 Appendix 1)."""

    service: str
    # interruption | water_temperature | water_below_40 | room_temperature
    kind: str
    hours: Decimal
    degrees: Decimal = Decimal(0)   # measured shortfall / excess in °C
    night: bool = False


@dataclass(frozen=True)
class QualityNorm:
    """Appendix 1 limits of one service, as data."""

    monthly_limit_hours: Decimal = Decimal(8)
    event_limit_hours: Decimal = Decimal(4)
    percent_per_hour: Decimal = Decimal('0.15')
    percent_per_degree_hour: Decimal = Decimal('0.15')
    temperature_step: Decimal = Decimal(3)
    percent_per_step_hour: Decimal = Decimal('0.1')
    allowed_deviation_day: Decimal = Decimal(3)
    allowed_deviation_night: Decimal = Decimal(5)


@dataclass(frozen=True)
class PremisesSnapshot:
    """One premises (personal account) for one billing period."""

    account: str
    period: Period
    area: Decimal
    services: tuple[Service, ...] = ()
    residential: bool = True
    residents: tuple[Resident, ...] = ()
    owners_count: int = 0
    absences: tuple[Absence, ...] = ()
    meters: tuple[Meter, ...] = ()
    technically_impossible: frozenset = frozenset()
    electricity_access_refused_twice: bool = False
    tariffs: dict = field(default_factory=dict)
    normatives: dict = field(default_factory=dict)
    coefficients: dict = field(default_factory=dict)
    building: Building | None = None
    manual_charges: tuple[ManualCharge, ...] = ()
    carried: tuple[CarriedAmount, ...] = ()
    quality_events: tuple[QualityEvent, ...] = ()
    quality_norms: dict = field(default_factory=dict)
    limits: AverageLimits | Timeline = AverageLimits()   # may be dated
    policy: Policy = Policy()

    def service(self, code: str) -> Service:
        for service in self.services:
            if service.code == code:
                return service
        raise KeyError(code)

    def services_of(self, resource: str) -> list[Service]:
        return [s for s in self.services if s.resource == resource]

    def meter_for(self, service: str) -> Meter | None:
        """The meter of a service that is relevant to this period: the latest
        one installed on or before the period end."""
        found = None
        for meter in self.meters:
            if meter.service != service:
                continue
            if meter.installed_on and meter.installed_on > self.period.end:
                continue
            if found is None or (meter.installed_on or date.min) >= (
                    found.installed_on or date.min):
                found = meter
        return found

    def tariff(self, service: str, component: str = '') -> Timeline:
        return _lookup(self.tariffs, service, component, 'tariff')

    def normative(self, service: str, component: str = '') -> Timeline:
        return _lookup(self.normatives, service, component, 'normative')

    def coefficient(self, service: str, situation: str = '') -> Timeline:
        """Increasing coefficient K(service, date); 1 where none is set."""
        keys = [f'{service}:{situation}'] if situation else []
        keys.append(service)
        for key in keys:
            if key in self.coefficients:
                return self.coefficients[key]
        return Timeline.constant(1, name=f'K {service}')


def _lookup(table: dict, service: str, component: str, what: str) -> Timeline:
    key = f'{service}:{component}' if component else service
    try:
        return table[key]
    except KeyError:
        raise MissingParameter(f'no {what} for {key}') from None
