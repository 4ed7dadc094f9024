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

from trytond.pool import Pool

from .building_method import (
    DEFAULT_HEATING_MODE,
    DEFAULT_SOI_METHOD,
    method_at,
)
from .engine import snapshot as engine
from .engine.lines import Method
from .engine.meter import consumption
from .engine.periods import Period

WATER = {'cold_water', 'hot_water', 'sewage'}


def period_bounds(period):
    return period.start, period.end


def year_bounds(year):
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def meter_volume(meter, start, end):
    """The volume of a common-house meter from its last reading before
    start (or its installation) to its last reading from start to end;
    None without a reading in the interval."""
    if meter.installation_date > end or (
            meter.removal_date and meter.removal_date < start):
        return None
    readings = sorted(meter.readings, key=lambda r: r.date)
    current = [r for r in readings if start <= r.date <= end]
    if not current:
        return None
    current = current[-1].values
    before = [r for r in readings if r.date < start]
    previous = (before[-1].values if before
        else meter.installation_values())
    return sum((consumption(p, c, meter.digits)
            for p, c in zip(previous, current)), Decimal(0))


class CommonHouse:
    "The building data of one company and billing period, cached."

    def __init__(self, company, period):
        Service = Pool().get('housing.service')
        self.period = period
        self.services = {s.code: s for s in Service.search([
                    ('company', '=', company.id),
                    ('active', 'in', [True, False]),
                    ])}
        self._buildings = {}

    def enrich(self, snapshot, building):
        "The snapshot with the building, its policy and the service flags."
        return dataclasses.replace(
            snapshot,
            building=self.building(building),
            policy=dataclasses.replace(
                snapshot.policy,
                soi_cap_by_normative=bool(building.soi_cap_by_normative),
                soi_negative=building.soi_negative),
            services=tuple(self.service(s) for s in snapshot.services),
            normatives=self.normatives(snapshot))

    def service(self, service):
        record = self.services.get(service.code)
        if record is None:
            return service
        return dataclasses.replace(
            service,
            two_component=bool(record.two_component),
            soi_resource=(record.soi_resource or ''
                if service.method == Method.COMMON_PROPERTY else ''))

    def normatives(self, snapshot):
        """The normatives with the common property normative also under the
        code of the КР на СОИ service, where the kernel looks for it: the
        service's own, else the one of a service of the same resource."""
        normatives = dict(snapshot.normatives)
        for service in snapshot.services:
            record = self.services.get(service.code)
            if (service.method != Method.COMMON_PROPERTY
                    or record is None or service.code in normatives):
                continue
            candidates = [service.code] + [
                s.code for s in self.services.values()
                if s.resource and s.resource == record.soi_resource]
            for code in candidates:
                if code + ':soi' in normatives:
                    normatives[service.code] = normatives[code + ':soi']
                    break
        return normatives

    def building(self, building):
        if building.id not in self._buildings:
            self._buildings[building.id] = self.make_building(building)
        return self._buildings[building.id]

    def make_building(self, building):
        start, end = period_bounds(self.period)
        area = building.area_at(start)
        method = method_at(building, start)
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
        for meter in building.meters:
            if meter.kind != 'common_house' or not meter.service.resource:
                continue
            volume = meter_volume(meter, start, end)
            if volume is None:
                continue
            key = meter.service.resource
            if meter.executor_use:
                key = ('executor', key)
            volumes[key] = volumes.get(key, Decimal(0)) + volume
        return volumes


def previous_period(period):
    start = period.start - dt.timedelta(days=1)
    return Period(start.year, start.month)
