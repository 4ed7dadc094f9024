# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""Snapshots of personal accounts for the calculation kernel.

The kernel (engine/) knows nothing of Tryton: this module reads the housing
stock, services, tariffs, normatives, meters and earlier charges of a set of
accounts for one billing period and hands them over as frozen dataclasses.
Accounts are read in chunks, with SQL: one query per part of the snapshot
for the whole chunk."""
import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import cached_property
from itertools import chain
from operator import itemgetter
from typing import NamedTuple

from sql import Null
from sql.aggregate import Max, Sum
from trytond import backend
from trytond.model import Model, fields
from trytond.pool import Pool
from trytond.tools import grouped_slice
from trytond.transaction import Transaction

from .bulk import as_date, as_decimal
from .dated import most_specific
from .engine import snapshot as engine
from .engine.lines import PREMISES_ONLY, Kind, Method
from .engine.meter import zone_volume
from .engine.params import Timeline
from .engine.periods import Period
from .meter import ZONE_FIELDS

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
# The readings of a meter read every month that the kernel needs: from the
# previous month's (whatever the cut-off day) to the end of the period.
READINGS_MARGIN = 62


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


def tariff_timelines(tariffs, premises, building, period):
    """{key: Timeline} of the prices in force for the premises (id) of the
    building (id) during period, the most specific tariff of each service
    winning on each day.

    key is the service code, or 'code:zone' for the zones of a tariff."""
    by_service = defaultdict(list)
    for tariff in tariffs:
        if (tariff.premises in {None, premises}
                and tariff.building in {None, building}):
            by_service[tariff.service].append(tariff)
    rows = defaultdict(list)
    for code, candidates in by_service.items():
        for day, last, tariff in winners(
                candidates, period, lambda t: t.rank):
            for zone, price in tariff.rates:
                key = '%s:%s' % (code, zone) if zone else code
                rows[key].append((day, price, last))
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
    "{key: Timeline} of the normatives, a building's (id) own winning."
    suffixes = {
        'person': '', 'area': '', 'common_property': ':soi',
        'heat_per_volume': ':heat',
        }
    by_key = defaultdict(list)
    for normative in normatives:
        if normative.building in {None, building}:
            key = normative.service + suffixes[normative.kind]
            by_key[key].append(normative)
    rows = defaultdict(list)
    for key, candidates in by_key.items():
        for day, last, normative in winners(
                candidates, period, lambda n: n.building is None):
            value = normative.value
            if normative.resource == 'waste' and normative.kind == 'person':
                # The kernel takes the ТКО normative per year.
                value *= 12
            rows[key].append((day, value, last))
    return {k: Timeline.of(v, name=k) for k, v in rows.items()}


def engine_service(service, unit):
    return engine.Service(
        code=service.code,
        method=engine_method(service),
        resource=service.resource or engine.Resource.OTHER,
        unit=unit,
        name_ru=service.name,
        name_en=service.name,
        supplier=service.supplier.rec_name if service.supplier else '')


def zone_readings(zones, date, values):
    Reading = engine.Reading
    return tuple([Reading(value, date, zone)
        for zone, value in zip(zones, values) if value is not None])


def where_in(column, ids):
    return fields.SQL_OPERATORS['in'](column, ids)


def needs_history(meter, period, policy=engine.Policy()):
    """Whether the kernel may read the meter's billed history for period:
    unless every zone has its reading of the period and of the period
    before (no average to fall back on, none to reconcile) and the meter
    has no event in the period. The snapshots have the default policy."""
    if meter.access_refused_on is not None:
        return True
    for day in (meter.out_of_service_on, meter.verification_due):
        if day is not None and day <= period.end:
            return True
    split = policy.commissioning_month == 'split_by_days'
    previous = period.previous()
    for zone in meter.zones:
        try:
            volume = zone_volume(
                meter, zone, period, policy.reading_cutoff_day, split)
        except Exception:
            return True
        if volume is None or volume.previous_period != previous:
            return True
    return False


def account_buildings(ids):
    "{account id: building id} of the personal accounts"
    pool = Pool()
    account = pool.get('housing.account').__table__()
    premises = pool.get('housing.premises').__table__()

    def query(ids):
        return account.join(premises,
            condition=account.premises == premises.id).select(
            account.id, premises.building, where=where_in(account.id, ids))
    return dict(fetch_in(query, ids))


def history_start(first):
    "The first month of the billed history of the month that starts on first"
    return (first - dt.timedelta(days=31 * HISTORY_MONTHS)).replace(day=1)


def posted_runs(company, since=None, before=None):
    """{run id: period} of the company's posted runs (of the periods from
    since to before, when given).

    The charges are then filtered by these ids rather than joined to the
    runs: the table of runs grows by a few rows a month, too few for
    autovacuum to analyze it, and PostgreSQL then guesses that one run
    matches and scans every charge of every run, not the accounts'."""
    run = Pool().get('housing.accrual.run').__table__()
    where = (run.company == company.id) & (run.state == 'posted')
    if since is not None:
        where &= run.period >= since
    if before is not None:
        where &= run.period < before
    cursor = Transaction().connection.cursor()
    cursor.execute(*run.select(run.id, run.period, where=where))
    return dict(cursor)


def fetch_in(query_of, ids, size=1000):
    """The rows of query_of(slice of ids) over ids taken by slices, so that
    no query carries too many parameters."""
    cursor = Transaction().connection.cursor()
    for sub_ids in grouped_slice(list(ids), size):
        cursor.execute(*query_of(list(sub_ids)))
        # fetchall: much cheaper than fetching row by row.
        yield from cursor.fetchall()


def in_force_from(rows):
    """{key: values} of the rows (key, date_from, *values) that each apply
    from their date on: the latest of each key."""
    latest = {}
    for key, date_from, *values in rows:
        if key not in latest or date_from > latest[key][0]:
            latest[key] = (date_from, tuple(values))
    return {k: v for k, (_, v) in latest.items()}


class TariffRow(NamedTuple):
    "A tariff as the timelines need it"
    service: str
    rank: int
    premises: int | None
    building: int | None
    date_from: dt.date
    date_to: dt.date | None
    rates: tuple

    @classmethod
    def of(cls, tariff):
        rank = {'premises': 0, 'building': 1, 'company': 2}
        return cls(
            tariff.service.code, rank[tariff.level],
            tariff.premises.id if tariff.premises else None,
            tariff.building.id if tariff.building else None,
            tariff.date_from, tariff.date_to,
            tuple((r.zone, r.price) for r in tariff.rates))


class NormativeRow(NamedTuple):
    "A normative as the timelines need it"
    service: str
    resource: str | None
    kind: str
    building: int | None
    value: Decimal
    date_from: dt.date
    date_to: dt.date | None

    @classmethod
    def of(cls, normative):
        return cls(
            normative.service.code, normative.service.resource,
            normative.kind,
            normative.building.id if normative.building else None,
            normative.value, normative.date_from, normative.date_to)


class AccountRow(NamedTuple):
    id: int
    number: str
    premises: int
    building: int
    kind: str
    share_numerator: int
    share_denominator: int


class MeterRow(NamedTuple):
    id: int
    premises: int
    service: int
    serial_number: str
    zones: int
    digits: int
    installation_date: dt.date
    removal_date: dt.date | None
    verification_due: dt.date | None
    installation_values: tuple
    removal_values: tuple

    @classmethod
    def of(cls, row):
        fixed, values = row[:9], row[9:]
        zones, count = fixed[4], len(ZONE_FIELDS)
        return cls(*fixed, tuple(values[:zones]),
            tuple(values[count:count + zones]))


@dataclass
class Chunk:
    "The parts of the snapshots of a chunk of accounts, as read"
    accounts: dict
    areas: dict
    owners: dict
    services: dict
    residents: dict
    absences: dict
    meters: dict
    history: dict
    quality_events: dict
    manual_charges: dict


class SnapshotLoader:
    """Builds the kernel's snapshots of the accounts of one company and month.

    The parameters of the company (services, tariffs, normatives) are read
    once; load() reads a chunk of accounts with one SQL query per part of
    the snapshot (accounts, areas, owners, services, residents, absences,
    meters, readings, billed history), each method below returning the
    part of every account or premises of the chunk."""

    def __init__(self, company, period):
        pool = Pool()
        Tariff = pool.get('housing.tariff')
        Normative = pool.get('housing.normative')
        Service = pool.get('housing.service')
        self.company = company
        self.period = period
        # What entered() reads once for every chunk: (transaction,
        # shortfalls, accounts with a one-off charge)
        self.entered_once = None
        self.start, self.end = period.start, period.end
        self.since = self.start.replace(day=1) - dt.timedelta(
            days=31 * HISTORY_MONTHS)
        overlapping = [
            ('company', '=', company.id),
            ('date_from', '<=', self.end),
            ['OR', ('date_to', '=', None), ('date_to', '>=', self.start)],
            ]
        self.tariffs = [TariffRow.of(t) for t in Tariff.search(overlapping)]
        self.normatives = [
            NormativeRow.of(n) for n in Normative.search(overlapping)]
        self.own_tariffs = {t.premises for t in self.tariffs if t.premises}
        units = {}
        self.services = {}
        with Transaction().set_context(active_test=False):
            for service in Service.search([('company', '=', company.id)]):
                if service.unit.id not in units:
                    units[service.unit.id] = unit_code(service.unit)
                self.services[service.id] = engine_service(
                    service, units[service.unit.id])
        self.buildings = {}
        self.tariff_cache = {}
        self.normative_cache = {}
        self.coefficients = pool.get('housing.coefficient').timelines(
            self.start, self.end)
        self.quality_norms = pool.get(
            'housing.shortfall.norm').quality_norms(company)

    def load(self, accounts, only=None):
        """{account id: PremisesSnapshot} of accounts (records or ids).

        only: the codes of the services wanted (a recalculation of the
        services a change concerns); when they depend on nothing but the
        premises, their snapshots have only them, without residents,
        meters or history."""
        accounts = list(accounts)
        ids = sorted({int(a) for a in accounts})
        rows = self.accounts(ids)
        records = {a.id: a for a in accounts if isinstance(a, Model)}
        premises = sorted({r.premises for r in rows.values()})
        services = self.account_services(ids)
        if only is not None and self.self_contained(only):
            chunk = Chunk(
                accounts=rows,
                areas=self.premises_areas(premises),
                owners={}, residents={}, absences={}, meters={}, history={},
                services={a: [line for line in lines if line[0].code in only]
                    for a, lines in services.items()},
                **self.entered(rows, records),
                )
        else:
            meters = self.meters(premises)
            needing = {(p, m.service) for p, ms in meters.items()
                for m in ms if self.history_posted
                and needs_history(m, self.period)}
            needing_premises = {p for p, _ in needing}
            metered = {a for a, r in rows.items()
                if r.premises in needing_premises}
            chunk = Chunk(
                accounts=rows,
                areas=self.premises_areas(premises),
                owners=self.owners_count(premises),
                services=services,
                residents=self.residents(ids),
                absences=self.absences(ids),
                meters=meters,
                history=self.billed_history(
                    sorted(metered), {code for _, code in needing}),
                **self.entered(rows, records),
                )
        self.load_buildings({r.building for r in rows.values()})
        return {i: self.snapshot(chunk, rows[i]) for i in ids}

    @cached_property
    def history_runs(self):
        "{run id: period} of the company's runs posted in the history window"
        first = period_start(self.period)
        return posted_runs(self.company,
            since=history_start(first), before=first)

    @property
    def history_posted(self):
        "Whether a run of the company is posted in the history window"
        since = period_start(self.period) - dt.timedelta(
            days=31 * HISTORY_MONTHS)
        return any(as_date(p) >= since for p in self.history_runs.values())

    def self_contained(self, codes):
        "Whether the services of codes are charged from the premises alone"
        methods = {s.code: s.method for s in self.services.values()}
        return all(methods.get(c) in PREMISES_ONLY for c in codes)

    def snapshot(self, chunk, row):
        area = chunk.areas.get(row.premises, Decimal(0))
        share = Decimal(row.share_numerator) / row.share_denominator
        history = chunk.history.get(row.id, {})
        services = [s for s, _, _ in chunk.services.get(row.id, ())]
        return engine.PremisesSnapshot(
            account=row.number,
            period=self.period,
            area=area * share,
            services=tuple(services),
            residential=row.kind in RESIDENTIAL_KINDS,
            residents=tuple(chunk.residents.get(row.id, ())),
            owners_count=chunk.owners.get(row.premises, 0),
            absences=tuple(chunk.absences.get(row.id, ())),
            technically_impossible=frozenset(
                s.code for s, impossible, _ in chunk.services.get(row.id, ())
                if impossible),
            electricity_access_refused_twice=any(
                refused is not None and refused < self.start
                for s, _, refused in chunk.services.get(row.id, ())
                if s.resource == engine.Resource.ELECTRICITY),
            meters=tuple(
                replace(meter, history=tuple(history[meter.service]))
                if history.get(meter.service) else meter
                for meter in chunk.meters.get(row.premises, ())),
            tariffs=self.tariff_timelines(row.premises, row.building),
            normatives=self.normative_timelines(row.building),
            building=self.buildings[row.building],
            coefficients=Pool().get('housing.coefficient').for_services(
                self.coefficients, services),
            quality_events=chunk.quality_events.get(row.id, ()),
            quality_norms=self.quality_norms,
            manual_charges=chunk.manual_charges.get(row.id, ()),
            )

    def accounts(self, ids):
        "{account id: AccountRow}"
        pool = Pool()
        account = pool.get('housing.account').__table__()
        premises = pool.get('housing.premises').__table__()

        def query(ids):
            return account.join(
                premises, condition=account.premises == premises.id
                ).select(
                    account.id, account.number, account.premises,
                    premises.building, premises.kind,
                    account.share_numerator, account.share_denominator,
                    where=where_in(account.id, ids))
        return {r[0]: AccountRow(*r) for r in fetch_in(query, ids)}

    def premises_areas(self, premises_ids):
        "{premises id: total area in force on the first day}"
        area = Pool().get('housing.premises.area').__table__()

        def query(ids):
            return area.select(
                area.premises, area.date_from, area.total_area,
                where=where_in(area.premises, ids)
                & (area.date_from <= self.start))
        areas = in_force_from(fetch_in(query, premises_ids))
        return {premises: total for premises, (total,) in areas.items()}

    def owners_count(self, premises_ids):
        "{premises id: the number of owners on the last day}"
        owner = Pool().get('housing.owner').__table__()

        def query(ids):
            return owner.select(
                owner.premises,
                where=where_in(owner.premises, ids)
                & (owner.date_from <= self.end)
                & ((owner.date_to == Null) | (owner.date_to >= self.end)))
        return Counter(p for p, in fetch_in(query, premises_ids))

    def account_services(self, ids):
        """{account id: [(engine.Service, meter impossible, date access
        was refused twice)]} of the services of the period"""
        line = Pool().get('housing.account.service').__table__()

        def query(ids):
            return line.select(
                line.account, line.service, line.meter_impossible,
                line.access_refused_twice,
                where=where_in(line.account, ids)
                & (line.date_from <= self.end)
                & ((line.date_to == Null) | (line.date_to >= self.start)),
                order_by=[line.date_from.desc, line.id.asc])
        result = defaultdict(list)
        for account, service, impossible, refused in fetch_in(query, ids):
            result[account].append((self.services[service], bool(impossible),
                    as_date(refused)))
        return result

    def entered(self, rows, records=None):
        """The shortfalls and one-off charges entered for the accounts of
        rows ({id: AccountRow}): {'quality_events': {account id: ...},
        'manual_charges': {...}}; records: {id: account} already browsed."""
        pool = Pool()
        if records and all(i in records for i in rows):
            accounts = [records[i] for i in rows]
        else:
            accounts = pool.get('housing.account').browse(list(rows))
        OneOffCharge = pool.get('housing.one_off_charge')
        Shortfall = pool.get('housing.shortfall')
        # Read once for the chunks the loader reads in a transaction (a
        # queue task); the records are not kept for another one.
        transaction = Transaction()
        if not self.entered_once or self.entered_once[0] is not transaction:
            self.entered_once = (transaction,
                Shortfall.overlapping(self.company, self.period),
                OneOffCharge.charged_accounts(self.period))
        _, shortfalls, charged_accounts = self.entered_once
        charged = [a for a in accounts if a.id in charged_accounts]
        return {
            'quality_events': Shortfall.quality_events(
                accounts, self.period, company=self.company,
                places={i: (r.premises, r.building)
                    for i, r in rows.items()},
                shortfalls=shortfalls),
            'manual_charges': OneOffCharge.manual_charges(
                charged, self.period) if charged else {},
            }

    def residents(self, ids):
        "{account id: [engine.Resident]} registered during the period"
        resident = Pool().get('housing.resident').__table__()

        def query(ids):
            return resident.select(
                resident.account, resident.party, resident.registered_from,
                resident.registered_to, resident.kind,
                where=where_in(resident.account, ids)
                & (resident.registered_from <= self.end)
                & ((resident.registered_to == Null)
                    | (resident.registered_to >= self.start)),
                order_by=[resident.registered_from.desc, resident.id.asc])
        result = defaultdict(list)
        for account, party, date_from, date_to, kind in fetch_in(query, ids):
            result[account].append(engine.Resident(
                    person=str(party), date_from=date_from, date_to=date_to,
                    temporary=kind == 'temporary'))
        return result

    def absences(self, ids):
        "{account id: [engine.Absence]} overlapping the period"
        pool = Pool()
        resident = pool.get('housing.resident').__table__()
        absence = pool.get('housing.absence').__table__()

        def query(ids):
            return absence.join(
                resident, condition=absence.resident == resident.id
                ).select(
                    resident.account, resident.party,
                    absence.date_from, absence.date_to,
                    where=where_in(resident.account, ids)
                    & (absence.date_to >= self.start)
                    & (absence.date_from <= self.end),
                    order_by=[resident.registered_from.desc, resident.id.asc,
                        absence.date_from.desc, absence.id.asc])
        result = defaultdict(list)
        for account, party, date_from, date_to in fetch_in(query, ids):
            result[account].append(engine.Absence(
                    person=str(party), departure=date_from, arrival=date_to))
        return result

    def meters(self, premises_ids):
        """{premises id: [engine.Meter]} of the individual meters in service
        during the history window, without their billed history"""
        meter = Pool().get('housing.meter').__table__()
        values = [getattr(meter, '%s_%s' % (when, f))
            for when in ['installation', 'removal'] for f in ZONE_FIELDS]

        def query(ids):
            return meter.select(
                meter.id, meter.premises, meter.service, meter.serial_number,
                meter.zones, meter.digits, meter.installation_date,
                meter.removal_date, meter.verification_due, *values,
                where=where_in(meter.premises, ids)
                & (meter.kind == 'individual')
                & (meter.installation_date <= self.end)
                & ((meter.removal_date == Null)
                    | (meter.removal_date >= self.since)),
                order_by=[meter.serial_number.asc, meter.id.asc])
        rows = [MeterRow.of(r) for r in fetch_in(query, premises_ids)]
        readings = self.readings(rows)
        result = defaultdict(list)
        for row in rows:
            result[row.premises].append(
                self.meter(row, readings.get(row.id, ())))
        return result

    def meter(self, row, readings):
        zones = ZONE_NAMES[row.zones]
        return engine.Meter(
            number=row.serial_number,
            service=self.services[row.service].code,
            zones=zones,
            digits=row.digits,
            installed_on=row.installation_date,
            initial_readings=zone_readings(
                zones, row.installation_date, row.installation_values),
            out_of_service_on=row.removal_date,
            final_readings=zone_readings(
                zones, row.removal_date, row.removal_values)
            if row.removal_date else (),
            verification_due=(row.verification_due + dt.timedelta(days=1)
                if row.verification_due else None),
            readings=tuple(r for date, values in readings
                for r in zone_readings(zones, date, values)))

    def readings(self, meters):
        """{meter id: [(date, values)]}, oldest first, of the readings the
        kernel can use: those from two months before the period to its end
        (the current reading and the previous one whatever the cut-off day)
        and the last one before them within the history window (the
        previous reading of a meter read rarely)."""
        reading = Pool().get('housing.meter.reading').__table__()
        recent = self.start - dt.timedelta(days=READINGS_MARGIN)
        ids = [m.id for m in meters]
        columns = [getattr(reading, f) for f in ZONE_FIELDS]

        def query(ids):
            return reading.select(
                reading.meter, reading.date, *columns,
                where=where_in(reading.meter, ids)
                & (reading.date >= recent) & (reading.date <= self.end))

        def query_last_before(ids):
            last = reading.select(
                reading.meter, Max(reading.date).as_('date'),
                where=where_in(reading.meter, ids)
                & (reading.date >= self.since) & (reading.date < recent),
                group_by=[reading.meter])
            return reading.join(last, condition=(reading.meter == last.meter)
                & (reading.date == last.date)).select(
                reading.meter, reading.date, *columns)
        zones = {m.id: m.zones for m in meters}
        result = defaultdict(list)
        for row in sorted(
                chain(fetch_in(query_last_before, ids), fetch_in(query, ids)),
                key=itemgetter(0, 1)):
            meter = row[0]
            result[meter].append((row[1], row[2:2 + zones[meter]]))
        return result

    def billed_history(self, ids, codes=None):
        """{account id: {service code: [PeriodVolume]}} of the volumes
        charged in the months before the period, for the п. 59 average
        (of the services of codes: those of the meters)."""
        charge = Pool().get('housing.charge').__table__()
        first = period_start(self.period)
        since = history_start(first)
        runs = sorted(self.history_runs)
        if not runs or not ids:
            return {}
        zones = sorted({z for names in ZONE_NAMES.values() for z in names})
        where = ((charge.period >= since) & (charge.period < first)
            & (charge.kind == Kind.CHARGE) & where_in(charge.run, runs)
            & ((charge.component == Null) | charge.component.in_(zones)))
        if codes is not None:
            if not codes:
                return {}
            where &= charge.service.in_(sorted(
                    i for i, s in self.services.items() if s.code in codes))

        # SQLite would sum the quantities as floats.
        summed = backend.name == 'postgresql'
        columns = [charge.account, charge.service, charge.period,
            charge.basis, charge.component]

        def query(ids):
            return charge.select(
                *columns,
                Sum(charge.quantity) if summed else charge.quantity,
                where=where_in(charge.account, ids) & where,
                group_by=columns if summed else None)
        codes = {i: s.code for i, s in self.services.items()}
        volumes = defaultdict(Decimal)
        for account, service, period, basis, zone, quantity in fetch_in(
                query, ids):
            key = (account, codes[service], as_date(period), basis or '',
                zone or '')
            volumes[key] += as_decimal(quantity)
        periods = {}
        result = defaultdict(lambda: defaultdict(list))
        for (account, code, date, basis, zone), volume in sorted(
                volumes.items()):
            if date not in periods:
                periods[date] = billing_period(date)
            result[account][code].append(engine.PeriodVolume(
                    period=periods[date], volume=volume,
                    basis=basis or 'meter', zone=zone))
        return result

    def load_buildings(self, building_ids):
        "Reads the engine.Building of the buildings not read yet."
        area = Pool().get('housing.building.area').__table__()
        missing = sorted(set(building_ids) - set(self.buildings))
        if not missing:
            return

        def query(ids):
            return area.select(
                area.building, area.date_from, area.total_area,
                area.common_area,
                where=where_in(area.building, ids)
                & (area.date_from <= self.start))
        areas = in_force_from(fetch_in(query, missing))
        for building in missing:
            total, common = areas.get(building, (None, None))
            self.buildings[building] = engine.Building(
                total_area=total if total is not None else Decimal(0),
                common_areas={'': common} if total is not None else {})

    def tariff_timelines(self, premises, building):
        own = premises if premises in self.own_tariffs else None
        key = (own, building)
        if key not in self.tariff_cache:
            self.tariff_cache[key] = tariff_timelines(
                self.tariffs, premises, building, self.period)
        return self.tariff_cache[key]

    def normative_timelines(self, building):
        if building not in self.normative_cache:
            self.normative_cache[building] = normative_timelines(
                self.normatives, building, self.period)
        return self.normative_cache[building]
