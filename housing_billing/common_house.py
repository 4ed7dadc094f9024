# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""What the kernel needs of a building for one period (domain spec §1.4,
§1.8, §1.9): its dated methods, the heating season, S_ои per resource and
the volumes of its common-house meters (ОДПУ); and the service flags of
the two-component hot water and of the common property services.

``CommonHouse.enrich`` completes a snapshot made by the loader, whatever
the loader put in its ``building``; the premises volumes of the КР на СОИ
balance are added by :mod:`building_pass` once the accounts are billed."""
import dataclasses
import datetime as dt
from decimal import Decimal
from typing import NamedTuple

from sql import Null
from sql.aggregate import Max
from trytond.pool import Pool
from trytond.transaction import Transaction

from .building_method import (
    DEFAULT_HEATING_MODE,
    DEFAULT_SOI_METHOD,
)
from .building_method import sql_method_at as building_method_at
from .bulk import as_date
from .engine import snapshot as engine
from .engine.lines import PREMISES_ONLY, Method
from .engine.meter import consumption
from .engine.periods import Period
from .engine.snapshot import Resource
from .meter import ZONE_FIELDS

WATER = {'cold_water', 'hot_water', 'sewage'}


def period_bounds(period):
    return period.start, period.end


def year_bounds(year):
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def meter_volume(meter, start, end):
    """The volume of a common-house meter (a CommonMeter) from its last
    reading before start (or its installation) to its last reading from
    start to end; None without a reading in the interval."""
    if meter.installation_date > end or (
            meter.removal_date and meter.removal_date < start):
        return None
    current = last_reading(meter, start, end)
    if current is None:
        return None
    before = last_reading(meter, None, start - dt.timedelta(days=1))
    previous = before if before is not None else meter.installation_values
    return sum((consumption(p, c, meter.digits)
            for p, c in zip(previous, current)), Decimal(0))


def meter_volumes_of(meters, start, end):
    """{meter id: meter_volume(meter, start, end)} of the meters (of one
    building), with two queries for them all rather than two a meter."""
    meters = [m for m in meters
        if m.installation_date <= end
        and not (m.removal_date and m.removal_date < start)]
    current = last_readings(meters, start, end)
    before = last_readings(meters, None, start - dt.timedelta(days=1))
    result = {}
    for meter in meters:
        values = current.get(meter.id)
        if values is None:
            result[meter.id] = None
            continue
        previous = before.get(meter.id, meter.installation_values)
        result[meter.id] = sum((consumption(p, c, meter.digits)
                for p, c in zip(previous, values)), Decimal(0))
    return result


def last_readings(meters, start, end):
    """{meter id: the values of its last reading from start (or ever) to
    end} of the meters that have one (last_reading of each)."""
    reading = Pool().get('housing.meter.reading').__table__()
    zones = {m.id: m.zones for m in meters}
    if not zones:
        return {}
    where = reading.meter.in_(sorted(zones)) & (reading.date <= end)
    if start is not None:
        where &= reading.date >= start
    last = reading.select(
        reading.meter, Max(reading.date).as_('date'),
        where=where, group_by=[reading.meter])
    cursor = Transaction().connection.cursor()
    cursor.execute(*reading.join(last,
            condition=(reading.meter == last.meter)
            & (reading.date == last.date)).select(
            reading.meter, *[getattr(reading, f) for f in ZONE_FIELDS]))
    return {meter: tuple(values[:zones[meter]])
        for meter, *values in cursor.fetchall()}


def last_reading(meter, start, end):
    "The values of the meter's last reading from start (or ever) to end"
    reading = Pool().get('housing.meter.reading').__table__()
    where = (reading.meter == meter.id) & (reading.date <= end)
    if start is not None:
        where &= reading.date >= start
    cursor = Transaction().connection.cursor()
    cursor.execute(*reading.select(
            *[getattr(reading, f) for f in ZONE_FIELDS[:meter.zones]],
            where=where, order_by=[reading.date.desc], limit=1))
    row = cursor.fetchone()
    return tuple(row) if row else None


class AreaAt(NamedTuple):
    "What the kernel uses of a building's area record"
    total_area: Decimal
    common_area: Decimal
    lighting_area: Decimal | None


def area_at(building, date):
    """The building's area in force on date (building.area_at), read with
    one query: the latest record from date or before, (building, date
    from) being unique."""
    area = Pool().get('housing.building.area').__table__()
    cursor = Transaction().connection.cursor()
    cursor.execute(*area.select(
            area.total_area, area.common_area, area.lighting_area,
            where=(area.building == building.id) & (area.date_from <= date),
            order_by=[area.date_from.desc], limit=1))
    row = cursor.fetchone()
    return AreaAt(*row) if row else None


class CommonMeter(NamedTuple):

    id: int
    resource: str
    executor_use: bool
    installation_date: dt.date
    removal_date: dt.date | None
    digits: int
    zones: int
    installation_values: tuple

    @classmethod
    def of_building(cls, building):
        "The common-house meters of the building whose service has a resource"
        pool = Pool()
        meter = pool.get('housing.meter').__table__()
        service = pool.get('housing.service').__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*meter.join(service,
                condition=meter.service == service.id).select(
                meter.id, service.resource, meter.executor_use,
                meter.installation_date, meter.removal_date, meter.digits,
                meter.zones,
                *[getattr(meter, 'installation_' + f) for f in ZONE_FIELDS],
                where=(meter.building == building.id)
                & (meter.kind == 'common_house')
                & (service.resource != Null) & (service.resource != ''),
                order_by=[meter.id.asc]))
        return [cls(id_, resource, bool(executor), as_date(installed),
                as_date(removed), digits, zones, tuple(values[:zones]))
            for (id_, resource, executor, installed, removed, digits, zones,
                *values) in cursor]


class ServiceFlags(NamedTuple):
    resource: str
    two_component: bool
    soi_resource: str


class CommonHouse:
    "The building data of one company and billing period, cached."

    def __init__(self, company, period):
        Service = Pool().get('housing.service')
        self.period = period
        self.services = {s.code: ServiceFlags(
                    resource=s.resource or '',
                    two_component=bool(s.two_component),
                    soi_resource=s.soi_resource or '')
            for s in Service.search([
                    ('company', '=', company.id),
                    ('active', 'in', [True, False]),
                    ])}
        self._buildings = {}
        self._policies = {}
        self._enriched = {}

    def enrich(self, snapshot, building):
        """The snapshot with the building, its policy and the service flags.
        (Services charged from the premises alone need no building data.)"""
        needs_building = any(
            s.method not in PREMISES_ONLY or s.resource == Resource.HEATING
            for s in snapshot.services)
        return dataclasses.replace(
            snapshot,
            building=(self.building(building) if needs_building
                else snapshot.building),
            policy=self.policy(snapshot.policy, building),
            services=tuple(self.service(s) for s in snapshot.services),
            normatives=self.normatives(snapshot))

    def policy(self, policy, building):
        # By identity, as service(): the snapshots share their policy.
        key = (id(policy), building.id)
        known = self._policies.get(key)
        if known is None or known[0] is not policy:
            known = self._policies[key] = (policy, dataclasses.replace(
                    policy,
                    soi_cap_by_normative=bool(building.soi_cap_by_normative),
                    soi_negative=building.soi_negative))
        return known[1]

    def service(self, service):
        # By identity: the loader gives every snapshot the same service
        # objects, and hashing a frozen dataclass walks all its fields.
        known = self._enriched.get(id(service))
        if known is None or known[0] is not service:
            flags = self.services.get(service.code)
            if flags is not None:
                enriched = dataclasses.replace(
                    service,
                    two_component=flags.two_component,
                    soi_resource=(flags.soi_resource
                        if service.method == Method.COMMON_PROPERTY
                        else ''))
            else:
                enriched = service
            known = self._enriched[id(service)] = (service, enriched)
        return known[1]

    def normatives(self, snapshot):
        """The normatives with the common property normative also under the
        code of the КР на СОИ service, where the kernel looks for it: the
        service's own, else the one of a service of the same resource."""
        normatives = snapshot.normatives
        for service in snapshot.services:
            flags = self.services.get(service.code)
            if (service.method != Method.COMMON_PROPERTY
                    or flags is None or service.code in normatives):
                continue
            candidates = [service.code] + [
                code for code, other in self.services.items()
                if other.resource
                and other.resource == flags.soi_resource]
            for code in candidates:
                if code + ':soi' in normatives:
                    normatives = dict(normatives)
                    normatives[service.code] = normatives[code + ':soi']
                    break
        return normatives

    def building(self, building):
        if building.id not in self._buildings:
            self._buildings[building.id] = self.make_building(building)
        return self._buildings[building.id]

    def make_building(self, building):
        start, end = period_bounds(self.period)
        area = area_at(building, start)
        method = building_method_at(building, start)
        volumes = self.meter_volumes(building, start, end)
        previous = self.meter_volumes(building, *year_bounds(start.year - 1))
        return engine.Building(
            total_area=area.total_area if area else Decimal(0),
            common_areas=self.common_areas(area),
            heating_mode=(method.heating_mode if method
                else DEFAULT_HEATING_MODE),
            heating_season_months=building.heating_season_months,
            heat_meter_volume=volumes.get('heating'),
            heat_previous_year_volume=previous.get('heating'),
            soi_balances={
                resource: engine.SoiBalance(
                    building_volume=volume,
                    executor_volume=volumes.get(('executor', resource),
                        Decimal(0)))
                for resource, volume in volumes.items()
                if isinstance(resource, str)},
            soi_method=method.soi_method if method else DEFAULT_SOI_METHOD,
            hot_water_heat_source=building.hot_water_heat_source,
            hot_water_metered_heat=volumes.get('hot_water_heat'),
            hot_water_metered_volume=volumes.get('hot_water'))

    @staticmethod
    def common_areas(area):
        "S_ои per resource: water the common area, electricity the lit one."
        if area is None:
            return {}
        Service = Pool().get('housing.service')
        resources = {r for r, _ in Service.resource.selection if r}
        areas = {r: area.common_area for r in resources}
        if area.lighting_area is not None:
            areas['electricity'] = area.lighting_area
        return areas

    @staticmethod
    def meter_volumes(building, start, end):
        """{resource: volume} of the common-house meters of building from
        start to end, and {('executor', resource): volume} of those that
        measure the executor's own use (V_кр)."""
        volumes = {}
        meters = CommonMeter.of_building(building)
        of_meters = meter_volumes_of(meters, start, end)
        for meter in meters:
            volume = of_meters.get(meter.id)
            if volume is None:
                continue
            key = meter.resource
            if meter.executor_use:
                key = ('executor', key)
            volumes[key] = volumes.get(key, Decimal(0)) + volume
        return volumes


def previous_period(period):
    start = period.start - dt.timedelta(days=1)
    return Period(start.year, start.month)
