# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""Snapshots of personal accounts for the calculation kernel.

The kernel (engine/) knows nothing of Tryton: this module reads the housing
stock, services, tariffs, normatives, meters and earlier charges of a set of
accounts for one billing period and hands them over as frozen dataclasses."""
import datetime as dt
from collections import defaultdict
from decimal import Decimal

from trytond.pool import Pool

from .dated import most_specific
from .engine import snapshot as engine
from .engine.lines import Kind, Method
from .engine.params import Timeline
from .engine.periods import Period

ZONE_NAMES = {
    1: ('',),
    2: ('day', 'night'),
    3: ('peak', 'half_peak', 'night'),
    }
UNIT_CODES = {
    'uom_cubic_meter': 'm3',
    'uom_energy_kwh': 'kwh',
    'uom_gigacalorie': 'gcal',
    'uom_square_meter': 'm2',
    'uom_person': 'person',
    'uom_unit': 'piece',
    }
# Service methods that the resource decides (Decree 354 formulas).
RESOURCE_METHODS = {
    'sewage': Method.SEWAGE,
    'heating': Method.HEATING,
    'waste': Method.WASTE,
    }
METHODS = {
    'meter': Method.METER,
    'normative_person': Method.NORMATIVE,
    'area': Method.AREA,
    'premises': Method.PER_PREMISES,
    'fixed': Method.FIXED,
    'common_property': Method.COMMON_PROPERTY,
    'manual': Method.MANUAL,
    }
RESIDENTIAL_KINDS = {'apartment', 'room'}
# How far back readings and billed volumes matter: the п. 59 average looks
# at up to 12 months before the period.
HISTORY_MONTHS = 13


def billing_period(date):
    return Period(date.year, date.month)


def period_start(period):
    return dt.date(period.year, period.month, 1)


def engine_method(service):
    if service.resource in RESOURCE_METHODS and service.method != 'meter':
        return RESOURCE_METHODS[service.resource]
    if service.resource == 'sewage':
        return Method.SEWAGE
    return METHODS[service.method]


def unit_code(uom):
    ModelData = Pool().get('ir.model.data')
    for name, code in UNIT_CODES.items():
        module = 'housing_billing' if name in {
            'uom_gigacalorie', 'uom_person'} else 'product'
        if ModelData.get_id(module, name) == uom.id:
            return code
    return uom.symbol


def tariff_timelines(tariffs, premises, period):
    """{key: Timeline} of the prices in force for premises during period,
    the most specific tariff of each service winning on each day.

    key is the service code, or 'code:zone' for the zones of a tariff."""
    rank = {'premises': 0, 'building': 1, 'company': 2}
    by_service = defaultdict(list)
    for tariff in tariffs:
        if ((tariff.premises is None or tariff.premises == premises)
                and (tariff.building is None
                    or tariff.building == premises.building)):
            by_service[tariff.service.code].append(tariff)
    rows = defaultdict(list)
    for code, candidates in by_service.items():
        for day, last, tariff in winners(
                candidates, period, lambda t: rank[t.level]):
            for rate in tariff.rates:
                key = '%s:%s' % (code, rate.zone) if rate.zone else code
                rows[key].append((day, rate.price, last))
    return {k: Timeline.of(v, name=k) for k, v in rows.items()}


def winners(candidates, period, rank):
    """[(first day, last day, record)] over period of the record in force
    that ranks first, for the dated records candidates."""
    start, end = period.start, period.end
    days = {start}
    for record in candidates:
        for day in (record.date_from,
                record.date_to + dt.timedelta(days=1)
                if record.date_to else None):
            if day and start < day <= end:
                days.add(day)
    days = sorted(days)
    for i, day in enumerate(days):
        last = days[i + 1] - dt.timedelta(days=1) if i + 1 < len(days) else end
        record = most_specific(candidates, day, rank)
        if record:
            yield day, last, record


def normative_timelines(normatives, building, period):
    "{key: Timeline} of the normatives, a building's own winning."
    suffixes = {
        'person': '', 'area': '', 'common_property': ':soi',
        'heat_per_volume': ':heat',
        }
    by_key = defaultdict(list)
    for normative in normatives:
        if normative.building in {None, building}:
            key = normative.service.code + suffixes[normative.kind]
            by_key[key].append(normative)
    rows = defaultdict(list)
    for key, candidates in by_key.items():
        for day, last, normative in winners(
                candidates, period, lambda n: n.building is None):
            value = normative.value
            if normative.service.resource == 'waste' and (
                    normative.kind == 'person'):
                # The kernel takes the ТКО normative per year.
                value *= 12
            rows[key].append((day, value, last))
    return {k: Timeline.of(v, name=k) for k, v in rows.items()}


class SnapshotLoader:
    "Builds the kernel's snapshots of the accounts of one company and month."

    def __init__(self, company, period):
        pool = Pool()
        Tariff = pool.get('housing.tariff')
        Normative = pool.get('housing.normative')
        self.period = period
        self.start, self.end = period.start, period.end
        overlapping = [
            ('company', '=', company.id),
            ('date_from', '<=', self.end),
            ['OR', ('date_to', '=', None), ('date_to', '>=', self.start)],
            ]
        self.tariffs = Tariff.search(overlapping)
        self.normatives = Normative.search(overlapping)
        self.units = {}

    def load(self, accounts):
        "{account id: PremisesSnapshot}"
        history = self.billed_history(accounts)
        return {a.id: self.snapshot(a, history[a.id]) for a in accounts}

    def snapshot(self, account, history):
        premises = account.premises
        area = premises.area_at(self.start)
        share = Decimal(account.share_numerator) / account.share_denominator
        services = [s.service for s in account.services
            if s.date_from <= self.end
            and (s.date_to is None or s.date_to >= self.start)]
        return engine.PremisesSnapshot(
            account=account.number,
            period=self.period,
            area=(area.total_area if area else Decimal(0)) * share,
            services=tuple(self.service(s) for s in services),
            residential=premises.kind in RESIDENTIAL_KINDS,
            residents=tuple(self.residents(account)),
            owners_count=len(premises.owners_at(self.end)),
            absences=tuple(self.absences(account)),
            meters=tuple(self.meters(premises, history)),
            tariffs=tariff_timelines(self.tariffs, premises, self.period),
            normatives=normative_timelines(
                self.normatives, premises.building, self.period),
            building=self.building(premises.building),
            )

    def service(self, service):
        if service.unit.id not in self.units:
            self.units[service.unit.id] = unit_code(service.unit)
        return engine.Service(
            code=service.code,
            method=engine_method(service),
            resource=service.resource or engine.Resource.OTHER,
            unit=self.units[service.unit.id],
            name_ru=service.name,
            name_en=service.name,
            supplier=service.supplier.rec_name if service.supplier else '')

    def building(self, building):
        area = building.area_at(self.start)
        return engine.Building(
            total_area=area.total_area if area else Decimal(0),
            common_areas={'': area.common_area} if area else {})

    def residents(self, account):
        for resident in account.residents:
            if resident.registered_from > self.end or (
                    resident.registered_to
                    and resident.registered_to < self.start):
                continue
            yield engine.Resident(
                person=str(resident.party.id),
                date_from=resident.registered_from,
                date_to=resident.registered_to,
                temporary=resident.kind == 'temporary')

    def absences(self, account):
        for resident in account.residents:
            for absence in resident.absences:
                if absence.date_to < self.start or (
                        absence.date_from > self.end):
                    continue
                yield engine.Absence(
                    person=str(resident.party.id),
                    departure=absence.date_from,
                    arrival=absence.date_to)

    def meters(self, premises, history):
        Reading = Pool().get('housing.meter.reading')
        since = self.start.replace(day=1) - dt.timedelta(
            days=31 * HISTORY_MONTHS)
        for meter in premises.meters:
            if meter.installation_date > self.end or (
                    meter.removal_date and meter.removal_date < since):
                continue
            zones = ZONE_NAMES[meter.zones]
            readings = Reading.search([
                    ('meter', '=', meter.id),
                    ('date', '>=', since),
                    ('date', '<=', self.end),
                    ], order=[('date', 'ASC')])
            yield engine.Meter(
                number=meter.serial_number,
                service=meter.service.code,
                zones=zones,
                digits=meter.digits,
                installed_on=meter.installation_date,
                initial_readings=self.zone_readings(
                    zones, meter.installation_date,
                    meter.installation_values()),
                out_of_service_on=meter.removal_date,
                final_readings=self.zone_readings(
                    zones, meter.removal_date, meter.removal_values())
                if meter.removal_date else (),
                verification_due=(meter.verification_due
                    + dt.timedelta(days=1)
                    if meter.verification_due else None),
                readings=tuple(r for reading in readings
                    for r in self.zone_readings(
                        zones, reading.date, reading.values)),
                history=tuple(history.get(meter.service.code, ())))

    @staticmethod
    def zone_readings(zones, date, values):
        return tuple(engine.Reading(value=value, taken_on=date, zone=zone)
            for zone, value in zip(zones, values) if value is not None)

    def billed_history(self, accounts):
        """{account id: {service code: [PeriodVolume]}} of the volumes
        charged in the months before the period, for the п. 59 average."""
        pool = Pool()
        Charge = pool.get('housing.charge')
        since = period_start(self.period) - dt.timedelta(
            days=31 * HISTORY_MONTHS)
        result = defaultdict(lambda: defaultdict(list))
        charges = Charge.search([
                ('account', 'in', [a.id for a in accounts]),
                ('period', '>=', since.replace(day=1)),
                ('period', '<', period_start(self.period)),
                ('kind', '=', Kind.CHARGE),
                ('run.state', '=', 'posted'),
                ])
        volumes = defaultdict(Decimal)
        zones = {z for names in ZONE_NAMES.values() for z in names}
        for charge in charges:
            if charge.component and charge.component not in zones:
                continue
            key = (charge.account.id, charge.service.code, charge.period,
                charge.basis or '', charge.component or '')
            volumes[key] += charge.quantity
        for (account, code, period, basis, zone), volume in sorted(
                volumes.items()):
            result[account][code].append(engine.PeriodVolume(
                    period=billing_period(period), volume=volume,
                    basis=basis or 'meter', zone=zone))
        return result

