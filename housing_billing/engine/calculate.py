"""``calculate(snapshot)``: the charge lines of one premises for one period.

Dispatches every service of the snapshot by its calculation method
(domain spec §9, the recommended pipeline):

* ``meter`` — formula 1 by the individual meter (zones, roll-over), falling
  back to the п. 59 average or the normative (п. 59–60, п. 81), with the
  reconciliation of averages when readings arrive (§1.6);
* ``normative`` — formula 4 with person-days, owners when nobody is
  registered and the dated increasing coefficient K (§1.5);
* ``area``, ``per_premises``, ``fixed``, ``tiered`` — housing rows (§1.11);
* ``heating`` — formulas 2, 2(1), 3 (§1.8);
* ``waste`` — ТКО per person or per m² (§1.10);
* ``sewage`` — cold + hot water volumes as billed (§1.3);
* ``common_property`` — КР на СОИ by area share (§1.9);
* ``manual``, ``agent``, ``one_off`` — amounts entered for the period;

then the temporary-absence recalculation (ПП354 разд. VIII), amounts
carried from earlier periods, and quality reductions (Appendix 1).
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

from . import average, common_property, hot_water, meter, reductions
from .housing import split_bands
from .lines import (
    UNITS,
    Basis,
    ChargeLine,
    Kind,
    Method,
    Reason,
    fmt,
    fmt_ru,
    fmt_short,
    to_ru,
    unit_label,
)
from .normative import person_days
from .params import Timeline
from .periods import DaySpan, Period, days_inclusive, months_between
from .pricing import PricedPart, price_by_days
from .recalculation import absent_person_days
from .rounding import ZERO, money, to_decimal
from .snapshot import (
    CarriedAmount,
    Meter,
    PremisesSnapshot,
    QualityNorm,
    Resource,
    Service,
)

__all__ = ['calculate', 'carried_forward']

ONE = Decimal(1)
LIMIT_A, LIMIT_V = 'limit_a', 'limit_v'
NO_METER = 'no_meter'


def _span(period: Period) -> DaySpan:
    return DaySpan(period.start, period.end)


_TARIFF_TEXTS: dict = {}


def _tariff_texts(tariff) -> tuple[str, str]:
    """``fmt(tariff, 2)`` and ``fmt_ru(tariff, 2)``, remembered: a month
    prices its lines at a few dozen tariffs. (Equal non-zero Decimals
    format alike; a zero keeps its sign, so it is formatted each time.)"""
    if not isinstance(tariff, Decimal) or not tariff or not (
            tariff.is_finite()):
        text = fmt(tariff, 2)
        return text, to_ru(text)
    texts = _TARIFF_TEXTS.get(tariff)
    if texts is None:
        if len(_TARIFF_TEXTS) > 10000:
            _TARIFF_TEXTS.clear()
        text = fmt(tariff, 2)
        texts = _TARIFF_TEXTS[tariff] = text, to_ru(text)
    return texts


def _shown_places(unit: str, places: int | None) -> int:
    """Decimals of a row's quantity in its explanation: as asked, else
    the unit's; volumes of water and heat never fewer than 3."""
    places = places if places is not None else UNITS.get(
        unit, ('', '', 3))[2]
    return max(places, 3) if unit in ('m3', 'gcal') else places


# unit_label(unit, 'en'), unit_label(unit, 'ru') of the known units.
_UNIT_LABELS = {unit: (unit_label(unit), unit_label(unit, 'ru'))
                for unit in UNITS}


class _Calculation:
    """One run of the pipeline over a snapshot."""

    def __init__(self, snapshot: PremisesSnapshot):
        self.s = snapshot
        self.period = snapshot.period
        self.D = snapshot.period.days
        self.lines: list[ChargeLine] = []
        # snapshot.service(code) for every code: the first of the code.
        self.services: dict[str, Service] = {}
        for service in snapshot.services:
            self.services.setdefault(service.code, service)
        limits = snapshot.limits
        # п. 59 limits are data and may be dated (a Timeline of limits).
        self.limits = (limits.at(snapshot.period.start)
                       if isinstance(limits, Timeline) else limits)

    # -- line construction ----------------------------------------------------
    def emit(self, service: Service, parts: list[PricedPart], *,
             method: str, unit: str | None = None, component: str = '',
             basis: str = '', kind: str = Kind.CHARGE, reason: str = '',
             corrected_period: Period | None = None,
             quantity_places: int | None = None, inputs: dict | None = None,
             detail: Callable[[PricedPart], tuple[str, str]] | None = None):
        unit = unit or service.unit
        places = _shown_places(unit, quantity_places)
        for part in parts:
            if part.quantity == 0 and part.amount == 0:
                continue
            ru, en = self.explain(part, unit, places)
            if detail is not None:
                extra_ru, extra_en = detail(part)
                ru, en = f'{ru}; {extra_ru}', f'{en}; {extra_en}'
            data = dict(inputs) if inputs else {}
            data['days'] = part.span.days
            data['days_in_month'] = self.D
            for name, value in part.values.items():
                data[name] = str(value)
            self.lines.append(ChargeLine.of_rounded(
                service=service.code, method=method, quantity=part.quantity,
                unit=unit, tariff=part.tariff, amount=part.amount, kind=kind,
                period=self.period, component=component, basis=basis,
                coefficient=part.coefficient,
                amount_without_coefficient=part.amount_without_coefficient,
                date_from=part.span.start, date_to=part.span.end,
                corrected_period=corrected_period, reason=reason,
                quantity_places=quantity_places, inputs=data,
                explanation_ru=ru, explanation_en=en))

    def explain(self, part: PricedPart, unit: str,
                places: int) -> tuple[str, str]:
        """The row's formula in Russian and English, the quantity shown
        with ``places`` decimals."""
        q_en = fmt(part.quantity, places)
        t_en, t_ru = _tariff_texts(part.tariff)
        # fmt(part.amount, 2): the amount is in kopecks already (money).
        a_en = f'{part.amount:,.2f}'
        q_ru, a_ru = to_ru(q_en), to_ru(a_en)
        k_en = k_ru = ''
        if part.coefficient != ONE:
            k_en = f' × K {part.coefficient}'
            k_ru = f' × K {str(part.coefficient).replace(".", ",")}'
        label_en, label_ru = _UNIT_LABELS.get(unit) or (unit, unit)
        en = f'{q_en} {label_en} × {t_en} ₽{k_en} = {a_en} ₽'
        ru = f'{q_ru} {label_ru} × {t_ru} ₽{k_ru} = {a_ru} ₽'
        if part.amount_without_coefficient is not None:
            without = part.amount_without_coefficient
            extra = part.amount - without
            en += (f' (without K {fmt(without, 2)} ₽, coefficient surcharge '
                   f'{fmt(extra, 2)} ₽)')
            ru += (f' (без K {fmt_ru(without, 2)} ₽, надбавка за повышающий '
                   f'коэффициент {fmt_ru(extra, 2)} ₽)')
        if not part.whole_period:
            days = f'{part.span} ({part.span.days}/{self.D})'
            en, ru = f'{days}: {en}', f'{days}: {ru}'
        return ru, en

    def setting(self, value):
        """A building setting that may be dated (heating mode, СОИ method,
        §1.8–§1.9): the value in force on the first day of the period."""
        if isinstance(value, Timeline):
            return value.at(self.period.start)
        return value

    # -- parameters -----------------------------------------------------------
    def tariff(self, service: Service, component: str = '') -> Timeline:
        return self.s.tariff(service.code, component)

    def coefficient(self, service: Service, situation: str) -> Timeline | None:
        """K for normative billing, or None where it does not apply."""
        if service.resource in (Resource.SEWAGE, Resource.GAS,
                                Resource.WASTE, Resource.HEATING):
            return None
        if service.code in self.s.technically_impossible:
            return None
        if service.resource == Resource.ELECTRICITY:
            if not self.s.electricity_access_refused_twice:
                return None
            return self.s.coefficient(service.code, 'double_refusal')
        return self.s.coefficient(service.code, situation)

    def person_days(self, span: DaySpan) -> int:
        policy = self.s.policy
        return person_days(self.s.residents, self.s.owners_count, span,
                           policy.temporary_resident_min_days,
                           policy.owners_when_nobody_registered)

    def absent_days(self, span: DaySpan) -> int:
        return absent_person_days(self.s.absences, self.s.residents, span,
                                  self.s.policy.temporary_resident_min_days)

    # -- volume-priced services -----------------------------------------------
    def price_volume(self, service: Service, volume_of: Callable, *,
                     method: str, basis: str, coefficient=None,
                     kind=Kind.CHARGE, reason='', corrected_period=None,
                     component='', extra=None, inputs=None, detail=None,
                     span=None):
        """Emit rows for a volume: one row (or two for the two-component
        hot-water tariff) per day segment."""
        policy = self.s.policy
        if service.two_component:
            q_source = self.heat_per_m3(service)
            parts = price_by_days(
                self.period, self.tariff(service, 'water'), volume_of,
                coefficient, policy.k_change_split, extra, span)
            self.emit(service, parts, method=method, component='water',
                      basis=basis, kind=kind, reason=reason,
                      corrected_period=corrected_period, inputs=inputs,
                      detail=detail)
            heat_parts = price_by_days(
                self.period, self.tariff(service, 'heat'),
                lambda s, v: volume_of(s, v) * q_source, coefficient,
                policy.k_change_split, extra, span)
            self.emit(service, heat_parts, method=method, unit='gcal',
                      component='heat', basis=basis, kind=kind,
                      reason=reason, corrected_period=corrected_period,
                      quantity_places=5,
                      inputs=dict(inputs or {}, q=str(q_source)),
                      detail=lambda p: (
                          f'q {fmt_ru(q_source, 4)} Гкал/м³',
                          f'q {fmt(q_source, 4)} Gcal/m³'))
            return
        parts = price_by_days(self.period, self.tariff(service, component),
                              volume_of, coefficient, policy.k_change_split,
                              extra, span)
        self.emit(service, parts, method=method, component=component,
                  basis=basis, kind=kind, reason=reason,
                  corrected_period=corrected_period, inputs=inputs,
                  detail=detail)

    def heat_per_m3(self, service: Service) -> Decimal:
        building = self.s.building
        source = building.hot_water_heat_source if building else 'normative'
        normative = None
        if source == 'normative':
            normative = self.s.normative(service.code, 'heat').at(
                self.period.start)
        return hot_water.heat_per_m3(
            source, normative,
            building.hot_water_metered_heat if building else None,
            building.hot_water_metered_volume if building else None)

    # -- normative (formula 4) ------------------------------------------------
    def normative_lines(self, service: Service, situation: str = NO_METER,
                        apply_k: bool = True, basis: str = Basis.NORMATIVE,
                        span: DaySpan | None = None):
        norm = self.s.normative(service.code)
        k = self.coefficient(service, situation) if apply_k else None

        def volume(span, values):
            return values['normative'] * self.person_days(span) / self.D

        def detail(part):
            persons = self.person_days(part.span)
            n = Decimal(persons) / part.span.days
            n_text = fmt(n, 4).rstrip('0').rstrip('.')
            n_ru = fmt_ru(n, 4).rstrip('0').rstrip(',')
            normative = part.values['normative']
            return (f'{n_ru} чел. × норматив {fmt_short(normative, "ru")}',
                    f'{n_text} pers. × normative {fmt_short(normative)}')

        self.price_volume(service, volume, method=Method.NORMATIVE,
                          basis=basis, coefficient=k,
                          extra={'normative': norm},
                          inputs={'owners': self.s.owners_count},
                          detail=detail, span=span)
        self.absence_lines(service, k, span)

    def absence_lines(self, service: Service, k, span=None):
        """ПП354 п. 86–97: temporary absence, only where there is no meter
        because installation is technically impossible (and always for ТКО,
        п. 86(1))."""
        if service.resource not in Resource.ABSENCE_RECALCULATED:
            return
        if (service.resource != Resource.WASTE
                and service.code not in self.s.technically_impossible):
            return
        if not self.s.absences:
            return
        norm = self.s.normative(service.code)

        def volume(span, values):
            return -values['normative'] * self.absent_days(span) / self.D

        self.price_volume(
            service, volume, method=Method.NORMATIVE, basis=Basis.NORMATIVE,
            coefficient=k, kind=Kind.RECALCULATION,
            reason=Reason.TEMPORARY_ABSENCE, corrected_period=self.period,
            extra={'normative': norm}, span=span,
            detail=lambda p: (
                f'временное отсутствие: {self.absent_days(p.span)} чел.-дн.',
                f'temporary absence: {self.absent_days(p.span)} '
                'person-days'))

    # -- meters ---------------------------------------------------------------
    def meter_lines(self, service: Service):
        if (self.s.policy.commissioning_month == 'split_by_days'
                and self.commissioning_split(service)):
            return
        active = self.active_meter(service)
        if active is None:
            self.normative_lines(service)
            return
        event = self.out_of_service_day(active)
        if event is not None and event <= self.period.end:
            self.out_of_service_lines(service, active, event)
            return
        refused = active.access_refused_on
        if refused is not None and refused <= self.period.end and (
                active.access_checked_on is None
                or active.access_checked_on > self.period.end):
            number = months_between(Period.of(refused), self.period) + 1
            self.fallback_lines(service, active, 'v', number)
            return
        split = self.s.policy.commissioning_month == 'split_by_days'
        volumes = {zone: meter.zone_volume(active, zone, self.period,
                                           self.s.policy.reading_cutoff_day,
                                           split)
                   for zone in active.zones}
        if all(v is not None for v in volumes.values()):
            for zone, zone_volume in volumes.items():
                self.metered_zone_lines(service, active, zone_volume)
            return
        last = [meter.previous_reading(active, zone, self.period,
                                       self.s.policy.reading_cutoff_day)
                for zone in active.zones]
        known = [item[0] for item in last if item is not None]
        first_missing = (max(known).next() if known
                         else Period.of(active.installed_on).next()
                         if active.installed_on else self.period)
        number = months_between(first_missing, self.period) + 1
        self.fallback_lines(service, active, 'b', number)

    def commissioning_split(self, service: Service) -> bool:
        """[?] policy ``split_by_days`` (§2.4: "some systems pro-rate"):
        normative before the commissioning day, the meter from the act
        reading to the period's reading after it. Returns False (default
        handling) when the readings needed are missing."""
        new = [m for m in self.s.meters if m.service == service.code
               and m.installed_on and self.period.contains(m.installed_on)]
        if not new:
            return False
        fresh = new[-1]
        cutoff = self.s.policy.reading_cutoff_day
        volumes = {}
        for zone in fresh.zones:
            act = [r for r in fresh.initial_readings if r.zone == zone]
            current = meter.current_reading(fresh, zone, self.period, cutoff)
            if not act or current is None:
                return False
            volumes[zone] = (act[-1], current, meter.consumption(
                act[-1].value, current.value, fresh.digits,
                fresh.max_plausible_volume))
        installed = fresh.installed_on
        if installed > self.period.start:
            self.normative_lines(service, span=DaySpan(
                self.period.start, installed - timedelta(days=1)))
        span = DaySpan(installed, self.period.end)
        for zone, (act, current, volume) in volumes.items():
            self.price_volume(
                service,
                lambda s, v, volume=volume: volume * s.days / span.days,
                method=Method.METER, basis=Basis.METER, component=zone,
                span=span,
                inputs={'meter': fresh.number, 'act_reading': str(act.value),
                        'current_reading': str(current.value)},
                detail=lambda p, act=act, current=current: (
                    f'счётчик № {fresh.number} с {installed:%d.%m.%Y}: '
                    f'{fmt_ru(act.value, 3)} → {fmt_ru(current.value, 3)}',
                    f'meter № {fresh.number} from {installed:%d.%m.%Y}: '
                    f'{fmt(act.value, 3)} → {fmt(current.value, 3)}'))
        return True

    def active_meter(self, service: Service) -> Meter | None:
        candidates = sorted(
            (m for m in self.s.meters if m.service == service.code
             and meter.counts_in_period(m, self.period)),
            key=lambda m: m.installed_on or date.min)
        return candidates[-1] if candidates else None

    @staticmethod
    def out_of_service_day(active: Meter) -> date | None:
        days = [d for d in (active.out_of_service_on,
                            active.verification_due) if d is not None]
        return min(days) if days else None

    def metered_zone_lines(self, service: Service, active: Meter,
                           zone_volume: meter.ZoneVolume):
        zone = zone_volume.zone
        averaged = [h for h in active.history
                    if h.zone == zone and h.basis in Basis.AVERAGES
                    and zone_volume.previous_period < h.period < self.period]
        billed = sum((h.volume for h in averaged), ZERO)
        volume = zone_volume.volume - billed
        previous, current = zone_volume.previous, zone_volume.current
        places = 0 if service.unit == 'kwh' else 3
        zone_en = f' ({zone})' if zone else ''
        readings_en = (f'{fmt(previous.value, places)} → '
                       f'{fmt(current.value, places)}')
        reading_en = f'meter № {active.number}{zone_en}: {readings_en}'
        reading_ru = (f'счётчик № {active.number}{zone_en}: '
                      f'{to_ru(readings_en)}')
        inputs = {'meter': active.number, 'zone': zone,
                  'previous_reading': str(previous.value),
                  'current_reading': str(current.value),
                  'consumption': str(zone_volume.volume)}
        if averaged:
            inputs['averages_billed'] = str(billed)
            first = min(h.period for h in averaged)
            reading_en += (f'; minus averages billed {fmt(billed, 3)} '
                           f'({first}…)')
            reading_ru += (f'; за вычетом начисленного по среднему '
                           f'{fmt_ru(billed, 3)} ({first}…)')
        self.price_volume(
            service, lambda span, values: volume * span.days / self.D,
            method=Method.RECONCILIATION if averaged else Method.METER,
            basis=Basis.METER, component=zone,
            kind=Kind.RECALCULATION if averaged else Kind.CHARGE,
            reason=Reason.LATE_READINGS if averaged else '',
            corrected_period=min(h.period for h in averaged)
            if averaged else None,
            inputs=inputs, detail=lambda p: (reading_ru, reading_en))

    def average_volume(self, service: Service, active: Meter,
                       zone: str) -> Decimal | None:
        months = None
        if service.resource == Resource.HEATING and self.s.building:
            months = self.s.building.heating_season_months
        history = average.metered_history(active, zone, self.period, months)
        return average.average_volume(history, self.limits.window_months,
                                      self.limits.min_months)

    def fallback_lines(self, service: Service, active: Meter, case: str,
                       number: int, span: DaySpan | None = None):
        """п. 59 average while within the limit, then normative (п. 60)."""
        decision = average.fallback(case, number, self.limits,
                                    self.s.residential,
                                    self.s.policy.k_after_limit_b)
        averages = {zone: self.average_volume(service, active, zone)
                    for zone in active.zones}
        if decision.use_average and all(v is not None
                                        for v in averages.values()):
            basis = average.CASE_BASIS[case]
            days_span = span or _span(self.period)
            for zone, value in averages.items():
                self.price_volume(
                    service,
                    lambda s, values, value=value: value * s.days / self.D,
                    method=Method.AVERAGE, basis=basis, component=zone,
                    span=days_span,
                    inputs={'meter': active.number, 'case': case,
                            'period_number': number,
                            'average': str(value)},
                    detail=lambda p, value=value: (
                        f'среднемесячный объём {fmt_ru(value, 3)} '
                        f'(п. 59 «{"абв"["abv".index(case)]}», '
                        f'период {number})',
                        f'monthly average {fmt(value, 3)} '
                        f'(п. 59 «{case}», period {number})'))
            return
        situation = {'a': LIMIT_A, 'v': LIMIT_V}.get(case, NO_METER)
        self.normative_lines(service, situation, decision.apply_coefficient,
                             span=span)

    def out_of_service_lines(self, service: Service, active: Meter,
                             event: date):
        """п. 59 «а»: metered up to the event, then the average [P]."""
        number = months_between(Period.of(event), self.period) + 1
        has_finals = all(any(r.zone == zone for r in active.final_readings)
                         for zone in active.zones)
        if number > 1 or not has_finals:
            self.fallback_lines(service, active, 'a', number)
            return
        for zone in active.zones:
            used = meter.volume_until(active, zone, event, self.period,
                                      self.s.policy.reading_cutoff_day)
            if used is None:
                continue
            final = [r for r in active.final_readings if r.zone == zone][-1]
            self.price_volume(
                service, lambda s, v, used=used: used * s.days / event.day,
                method=Method.METER, basis=Basis.METER, component=zone,
                span=DaySpan(self.period.start, event),
                inputs={'meter': active.number, 'event': str(event),
                        'final_reading': str(final.value)},
                detail=lambda p, final=final: (
                    f'счётчик № {active.number} до {event:%d.%m.%Y}: '
                    f'→ {fmt_ru(final.value, 3)}',
                    f'meter № {active.number} until {event:%d.%m.%Y}: '
                    f'→ {fmt(final.value, 3)}'))
        if event < self.period.end:
            rest = DaySpan(event + timedelta(days=1), self.period.end)
            self.fallback_lines(service, active, 'a', number, span=rest)

    # -- other methods --------------------------------------------------------
    def area_lines(self, service: Service):
        area = to_decimal(self.s.area)
        parts = price_by_days(self.period, self.tariff(service),
                              lambda span, v: area * span.days / self.D)
        self.emit(service, parts, method=Method.AREA, unit='m2',
                  inputs={'area': str(area)})

    def per_premises_lines(self, service: Service, method: str):
        parts = price_by_days(self.period, self.tariff(service),
                              lambda span, v: Decimal(span.days) / self.D)
        self.emit(service, parts, method=method,
                  unit='premises' if method == Method.PER_PREMISES
                  else 'month', quantity_places=4 if any(
                      not p.whole_period for p in parts) else 0)

    def heating_lines(self, service: Service):
        building = self.s.building
        if building is None:
            raise ValueError('heating needs the building data')
        mode = self.setting(building.heating_mode)
        in_season = self.period.month in building.heating_season_months
        if mode == 'season' and not in_season:
            return
        area = to_decimal(self.s.area)
        total_area = to_decimal(building.total_area)
        season = len(building.heating_season_months)
        if mode == 'season' and building.heat_meter_volume is not None:
            volume = to_decimal(building.heat_meter_volume)
            formula = '3'

            def quantity(span, v):
                return volume * area * span.days / (total_area * self.D)
            extra = None
        elif mode == 'even' and building.heat_previous_year_volume is not None:
            volume = to_decimal(building.heat_previous_year_volume)
            formula = '3 (even)'

            def quantity(span, v):
                return volume * area * span.days / (
                    12 * total_area * self.D)
            extra = None
        elif mode in ('season', 'even'):
            formula = '2' if mode == 'season' else '2(1)'
            factor = ONE if mode == 'season' else Decimal(season)

            def quantity(span, v):
                divisor = self.D if mode == 'season' else 12 * self.D
                return (area * v['normative'] * factor * span.days
                        / divisor)
            extra = {'normative': self.s.normative(service.code)}
        else:
            raise ValueError(f'heating mode {mode!r} is not implemented')
        parts = price_by_days(self.period, self.tariff(service), quantity,
                              extra=extra)
        self.emit(service, parts, method=Method.HEATING, unit='gcal',
                  quantity_places=6,
                  inputs={'formula': formula, 'mode': mode,
                          'area': str(area), 'total_area': str(total_area)},
                  detail=lambda p: (f'формула {formula}, S {fmt_ru(area, 2)}'
                                    f' м²', f'formula {formula}, S '
                                    f'{fmt(area, 2)} m²'))

    def waste_lines(self, service: Service):
        norm = self.s.normative(service.code)
        if service.per_area:
            area = to_decimal(self.s.area)

            def quantity(span, v):
                return area * v['normative'] * span.days / (12 * self.D)
        else:
            def quantity(span, v):
                return v['normative'] * self.person_days(span) / (12 * self.D)
        parts = price_by_days(self.period, self.tariff(service), quantity,
                              extra={'normative': norm})
        self.emit(service, parts, method=Method.WASTE,
                  inputs={'base': 'area' if service.per_area else 'persons'},
                  detail=lambda p: (
                      f'норматив {fmt_short(p.values["normative"], "ru")} '
                      'в год',
                      f'normative {fmt_short(p.values["normative"])} '
                      'a year'))
        if not self.s.absences:
            return
        if service.per_area:
            for part in parts:
                residents = self.person_days(part.span)
                absent = self.absent_days(part.span)
                if not residents or not absent:
                    continue
                share = part.exact * absent / residents
                self.emit(service, [PricedPart(
                    part.span, -part.quantity * absent / residents,
                    part.tariff, ONE, -share, -money(share), None,
                    part.values, part.whole_period)],
                    method=Method.WASTE, kind=Kind.RECALCULATION,
                    reason=Reason.TEMPORARY_ABSENCE,
                    corrected_period=self.period,
                    detail=lambda p, a=absent, r=residents: (
                        f'временное отсутствие: {a} из {r} чел.-дн.',
                        f'temporary absence: {a} of {r} person-days'))
            return
        absence = price_by_days(
            self.period, self.tariff(service),
            lambda span, v: -v['normative'] * self.absent_days(span) / (
                12 * self.D), extra={'normative': norm})
        self.emit(service, absence, method=Method.WASTE,
                  kind=Kind.RECALCULATION, reason=Reason.TEMPORARY_ABSENCE,
                  corrected_period=self.period)

    def sewage_lines(self, service: Service):
        """ВО = ХВС + ГВС as billed, priced day by day at the ВО tariff."""
        groups: dict = {}
        for line in self.lines:
            source = self.services[line.service]
            if (source.resource not in Resource.WATER
                    or source.method == Method.COMMON_PROPERTY
                    or line.component == 'heat'
                    or line.kind == Kind.REDUCTION):
                continue
            key = (line.kind, line.reason, line.corrected_period)
            groups.setdefault(key, []).append(line)
        for (kind, reason, corrected), pieces in groups.items():
            def volume(span, values, pieces=pieces):
                total = ZERO
                for piece in pieces:
                    overlap = days_inclusive(max(span.start, piece.date_from),
                                             min(span.end, piece.date_to))
                    if overlap:
                        total += piece.quantity * overlap / days_inclusive(
                            piece.date_from, piece.date_to)
                return total
            self.price_volume(
                service, volume, method=Method.SEWAGE, basis='',
                kind=kind, reason=reason, corrected_period=corrected,
                inputs={'sources': ', '.join(sorted(
                    {p.service for p in pieces}))},
                detail=lambda p, pieces=pieces: (
                    'объём: ' + ' + '.join(self.labels(pieces, 'ru')),
                    'volume of ' + ' + '.join(self.labels(pieces, 'en'))))

    def labels(self, lines, lang):
        codes = sorted({line.service for line in lines})
        services = [self.services[code] for code in codes]
        return [s.label_ru if lang == 'ru' else s.label_en
                for s in services]

    def soi_lines(self, service: Service):
        building = self.s.building
        if building is None:
            raise ValueError('КР на СОИ needs the building data')
        resource = service.soi_resource or service.resource
        area = to_decimal(self.s.area)
        total_area = to_decimal(building.total_area)
        if resource == Resource.SEWAGE:
            volume = sum((line.quantity for line in self.lines
                          if line.kind == Kind.CHARGE
                          and self.s.service(line.service).method
                          == Method.COMMON_PROPERTY
                          and self.s.service(line.service).soi_resource
                          in Resource.WATER), ZERO)
            parts = price_by_days(self.period, self.tariff(service),
                                  lambda s, v: volume * s.days / self.D)
            self.emit(service, parts, method=Method.COMMON_PROPERTY,
                      quantity_places=4)
            return
        distributed, info = self.soi_building_volume(service, resource)
        kind, reason = Kind.CHARGE, ''
        if distributed < 0:
            kind, reason = Kind.RECALCULATION, Reason.SOI_NEGATIVE_CARRY
        share = common_property.premises_share(distributed, area, total_area)
        parts = price_by_days(self.period, self.tariff(service),
                              lambda s, v: share * s.days / self.D)
        if not parts or all(p.amount == 0 for p in parts):
            carried = info.get('carried_volume')
            ru = en = ''
            if carried:
                ru = f'отрицательный объём {carried} м³ переносится'
                en = f'negative volume {carried} m³ carried forward'
            self.lines.append(ChargeLine(
                service=service.code, method=Method.COMMON_PROPERTY,
                quantity=ZERO, unit=service.unit,
                tariff=Decimal(self.tariff(service).at(self.period.start)),
                amount=ZERO.quantize(Decimal('0.01')), period=self.period,
                quantity_places=4, inputs=info,
                date_from=self.period.start, date_to=self.period.end,
                explanation_ru=f'0 × тариф = 0,00 ₽; {ru}'.rstrip('; '),
                explanation_en=f'0 × tariff = 0.00 ₽; {en}'.rstrip('; ')))
            return
        self.emit(service, parts, method=Method.COMMON_PROPERTY, kind=kind,
                  reason=reason, corrected_period=self.period
                  if kind == Kind.RECALCULATION else None,
                  quantity_places=4, inputs=info,
                  detail=lambda p: (
                      f'V_СОИ {fmt_ru(distributed, 4)} × S '
                      f'{fmt_ru(area, 2)} / {fmt_ru(total_area, 2)}',
                      f'V_soi {fmt(distributed, 4)} × S {fmt(area, 2)} / '
                      f'{fmt(total_area, 2)}'))

    def soi_building_volume(self, service: Service, resource: str):
        building = self.s.building
        policy = self.s.policy
        common_area = building.common_areas.get(resource)
        normative = None
        if service.code in self.s.normatives:
            normative = self.s.normative(service.code).at(self.period.start)
        balance = building.soi_balances.get(resource)
        soi_method = self.setting(building.soi_method)
        info = {'method': soi_method, 'resource': resource,
                'common_area': str(common_area), 'normative': str(normative)}
        if (soi_method == 'monthly_actual' and balance is not None
                and balance.building_volume is not None):
            volume = common_property.soi_volume(
                balance.building_volume, balance.premises_volume,
                balance.executor_volume, normative=normative,
                common_area=common_area,
                cap_by_normative=policy.soi_cap_by_normative,
                negative=policy.soi_negative)
            info.update({'fact': str(volume.fact), 'cap': str(volume.cap),
                         'borne_by_executor': str(volume.borne_by_executor),
                         'carried_volume': str(volume.carried)
                         if volume.carried else ''})
            return volume.distributed, info
        if soi_method == 'average_annual_recalc':
            return common_property.monthly_building_volume(
                'average_annual_recalc', normative=normative,
                common_area=common_area,
                previous_year_average=balance.previous_year_monthly_average
                if balance else None,
                cap_by_normative=policy.soi_cap_by_normative), info
        return common_property.monthly_building_volume(
            'normative_annual_recalc', normative=normative,
            common_area=common_area), info

    def tiered_lines(self, service: Service):
        active = self.active_meter(service)
        if active is None:
            raise ValueError(f'{service.code}: tiered tariff needs a meter')
        volumes = [meter.zone_volume(active, zone, self.period,
                                     self.s.policy.reading_cutoff_day)
                   for zone in active.zones]
        if any(v is None for v in volumes):
            raise ValueError(f'{service.code}: no readings for the period')
        total_volume = sum((v.volume for v in volumes), ZERO)
        limits = list(service.bands)
        tariffs = [Decimal(1)] * (len(limits) + 1)
        bands = split_bands(total_volume, limits, tariffs)
        for index, (band_volume, _) in enumerate(bands, start=1):
            self.price_volume(
                service,
                lambda s, v, q=band_volume: q * s.days / self.D,
                method=Method.TIERED, basis=Basis.METER,
                component=f'band{index}',
                inputs={'meter': active.number, 'volume': str(total_volume)})

    def manual_lines(self, service: Service, method: str):
        for entry in self.s.manual_charges:
            if entry.service != service.code:
                continue
            quantity = to_decimal(entry.quantity)
            if entry.amount is not None:
                amount = money(entry.amount)
                tariff = to_decimal(entry.tariff) if entry.tariff else (
                    amount / quantity if quantity else amount)
            else:
                tariff = to_decimal(entry.tariff)
                amount = money(quantity * tariff)
            note = f'; {entry.note}' if entry.note else ''
            self.lines.append(ChargeLine(
                service=service.code, method=method, quantity=quantity,
                unit=service.unit, tariff=tariff, amount=amount,
                period=self.period, date_from=self.period.start,
                date_to=self.period.end,
                inputs={'supplier': service.supplier, 'note': entry.note},
                explanation_ru=f'{fmt_ru(quantity, 3)} × '
                               f'{fmt_ru(tariff, 2)} ₽ = '
                               f'{fmt_ru(amount, 2)} ₽{note}',
                explanation_en=f'{fmt(quantity, 3)} × {fmt(tariff, 2)} ₽ = '
                               f'{fmt(amount, 2)} ₽{note}'))

    def carried_lines(self):
        for carried in self.s.carried:
            service = self.s.service(carried.service)
            amount = money(carried.amount)
            quantity = to_decimal(carried.quantity)
            label = Reason.LABELS_RU.get(carried.reason, carried.reason)
            self.lines.append(ChargeLine(
                service=service.code, method=service.method,
                quantity=quantity, unit=carried.unit,
                tariff=ZERO, amount=amount, kind=Kind.RECALCULATION,
                period=self.period, corrected_period=carried.from_period,
                reason=carried.reason, quantity_places=6,
                inputs={'from_period': str(carried.from_period)},
                explanation_ru=f'{label} за {carried.from_period}: '
                               f'{fmt_ru(amount, 2)} ₽',
                explanation_en=f'{carried.reason.replace("_", " ")} for '
                               f'{carried.from_period}: {fmt(amount, 2)} ₽'))

    def reduction_lines(self):
        by_service: dict = {}
        for event in self.s.quality_events:
            by_service.setdefault(event.service, []).append(event)
        for code, events in by_service.items():
            service = self.s.service(code)
            norm = self.s.quality_norms.get(code, QualityNorm())
            # P_base: the period's charge after absence recalculations
            # (Appendix 1); amounts carried from other periods excluded.
            base = sum((line.amount for line in self.lines
                        if line.service == code and (
                            line.kind == Kind.CHARGE or line.reason in (
                                Reason.TEMPORARY_ABSENCE,
                                Reason.LATE_READINGS))), ZERO)
            if base <= 0:
                continue
            policy = self.s.policy
            outages = [e.hours for e in events if e.kind == 'interruption']
            excess = reductions.excess_hours(
                outages, norm.monthly_limit_hours, norm.event_limit_hours,
                policy.excess_hours_method) if outages else ZERO
            percent = excess * norm.percent_per_hour
            for event in events:
                if event.kind == 'room_temperature':
                    percent += reductions.room_temperature_percent(
                        event.hours, event.degrees,
                        norm.percent_per_degree_hour)
                elif event.kind == 'water_temperature':
                    percent += reductions.water_temperature_percent(
                        event.hours, event.degrees, night=event.night,
                        allowed_day=norm.allowed_deviation_day,
                        allowed_night=norm.allowed_deviation_night,
                        step=norm.temperature_step,
                        percent_per_step_hour=norm.percent_per_step_hour,
                        rounding=policy.temperature_steps)
            exact = reductions.reduction(base, percent)
            for event in events:
                if event.kind == 'water_below_40':
                    cold = [s for s in self.s.services
                            if s.resource == Resource.COLD_WATER]
                    hot = self.tariff(service, 'water' if
                                      service.two_component else '')
                    cold_t = self.tariff(cold[0]) if cold else hot
                    exact += reductions.cold_tariff_reduction(
                        base, event.hours, self.D,
                        hot.at(self.period.start),
                        cold_t.at(self.period.start))
            exact = min(exact, base)
            amount = money(exact)
            if amount == 0:
                continue
            self.lines.append(ChargeLine(
                service=code, method=service.method, quantity=percent,
                unit='%', tariff=base, amount=-amount, kind=Kind.REDUCTION,
                period=self.period, corrected_period=self.period,
                reason=Reason.QUALITY, quantity_places=4,
                date_from=self.period.start, date_to=self.period.end,
                inputs={'excess_hours': str(excess), 'percent': str(percent),
                        'base': str(base)},
                explanation_ru=f'{fmt_ru(base, 2)} ₽ × {fmt_ru(percent, 4)}'
                               f' % = −{fmt_ru(amount, 2)} ₽ (Прил. 1 ПП354;'
                               f' сверхнормативный перерыв {excess} ч)',
                explanation_en=f'{fmt(base, 2)} ₽ × {fmt(percent, 4)} % = '
                               f'−{fmt(amount, 2)} ₽ (ПП354 App. 1; excess '
                               f'interruption {excess} h)'))

    # -- dispatch -------------------------------------------------------------
    def run(self) -> list[ChargeLine]:
        later = []
        for service in self.s.services:
            method = service.method
            if method in (Method.SEWAGE, Method.COMMON_PROPERTY):
                later.append(service)
                continue
            self.dispatch(service)
        soi_first = sorted(later, key=lambda s: (
            s.method == Method.COMMON_PROPERTY,
            (s.soi_resource or s.resource) == Resource.SEWAGE))
        for service in soi_first:
            self.dispatch(service)
        self.carried_lines()
        self.reduction_lines()
        order = {s.code: i for i, s in enumerate(self.s.services)}
        kinds = {Kind.CHARGE: 0, Kind.RECALCULATION: 1, Kind.REDUCTION: 2}
        # Stable: rows of one service and kind keep their emission order
        # (zones as the meter lists them, day segments in date order).
        return sorted(self.lines, key=lambda line: (
            order.get(line.service, len(order)), kinds[line.kind]))

    def dispatch(self, service: Service):
        method = service.method
        if method == Method.METER:
            self.meter_lines(service)
        elif method == Method.NORMATIVE:
            self.normative_lines(service)
        elif method == Method.AREA:
            self.area_lines(service)
        elif method in (Method.PER_PREMISES, Method.FIXED):
            self.per_premises_lines(service, method)
        elif method == Method.HEATING:
            self.heating_lines(service)
        elif method == Method.WASTE:
            self.waste_lines(service)
        elif method == Method.SEWAGE:
            self.sewage_lines(service)
        elif method == Method.COMMON_PROPERTY:
            self.soi_lines(service)
        elif method == Method.TIERED:
            self.tiered_lines(service)
        elif method in (Method.MANUAL, Method.AGENT, Method.ONE_OFF):
            self.manual_lines(service, method)
        else:
            raise ValueError(f'{service.code}: unknown method {method!r}')


def calculate(snapshot: PremisesSnapshot) -> list[ChargeLine]:
    """All charge lines of the snapshot's premises for its period."""
    return _Calculation(snapshot).run()


def carried_forward(snapshot: PremisesSnapshot) -> list[CarriedAmount]:
    """Negative КР на СОИ amounts to reduce the next period (policy
    ``carry_forward``, §1.9): the premises share of the negative volume ×
    the tariff of the month in which it arose, rounded per row."""
    if (snapshot.policy.soi_negative != 'carry_forward'
            or not snapshot.building):
        return []
    run = _Calculation(snapshot)
    result = []
    for service in snapshot.services:
        if service.method != Method.COMMON_PROPERTY:
            continue
        resource = service.soi_resource or service.resource
        if resource == Resource.SEWAGE:
            continue
        balance = snapshot.building.soi_balances.get(resource)
        if (run.setting(snapshot.building.soi_method) != 'monthly_actual'
                or balance is None or balance.building_volume is None):
            continue
        _, info = run.soi_building_volume(service, resource)
        if not info.get('carried_volume'):
            continue
        share = common_property.premises_share(
            Decimal(info['carried_volume']), snapshot.area,
            snapshot.building.total_area)
        parts = price_by_days(snapshot.period, run.tariff(service),
                              lambda s, v: share * s.days / run.D)
        amount = sum((p.amount for p in parts), ZERO)
        result.append(CarriedAmount(service.code, amount, snapshot.period,
                                    Reason.SOI_NEGATIVE_CARRY, share,
                                    service.unit))
    return result
