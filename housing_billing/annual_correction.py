# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""The yearly corrections an accrual run makes in the configured month
(1 to 3) of the next year, over the months of the past year that a posted
run billed here.

Heating billed evenly by last year's common-house meter volume (Decree 354
p. 42(1), domain spec §1.8): each premises of a building that was in the
even mode with a heat meter gets

    ΔP_i = P_к.пр × S_i / S_об − P_н.i

where P_к.пр = Σ V_Д,m × T_m (each month at the premises' own tariff,
weighted by days when it changed inside the month), S_i and S_об are the
areas of the correction month and P_н.i what was billed for the year's
months (charges and their recalculations; reductions and earlier
corrections apart), in one row of the correction month.

КР на СОИ of a building on a method recalculated yearly (Rules 491
p. 29(2)-29(3), domain spec §1.9): the volume each month should have
distributed by the common-house meter (V_Д − Σ V as billed − V_кр, capped
by the normative where the building caps it, never negative) at that
month's tariff, shared by area, minus what was billed; the difference is
charged or credited in twelve equal monthly parts from the correction
month (Decree 480), each part printed as a recalculation row.

The rows of a building are balanced to the rounded total (§0.2)."""
import datetime as dt
from collections import defaultdict
from functools import cached_property
from typing import NamedTuple

from sql import Null
from sql.aggregate import Sum
from sql.conditionals import Coalesce
from trytond.pool import Pool
from trytond.transaction import Transaction, without_check_access

from .building_method import method_at
from .bulk import as_date, as_decimal, as_money
from .common_house import CommonHouse, CommonMeter, meter_volume
from .engine import common_property, heating
from .engine.lines import ChargeLine, Kind, Method, Reason, fmt, fmt_ru
from .engine.periods import Period, months_between
from .engine.rounding import ZERO, to_decimal
from .engine.snapshot import CarriedAmount, Service
from .loader import (
    NormativeRow,
    TariffRow,
    engine_method,
    normative_timelines,
    tariff_timelines,
)

PARTS = 12


class Span(NamedTuple):
    start: dt.date
    end: dt.date


class PastYear:
    """The past year of a run in the correction month: its months billed
    here and the monthly prices of its tariffs."""

    def __init__(self, company, period):
        Configuration = Pool().get('housing.configuration')
        self.month = Configuration(1).annual_correction_month or 1
        self.company = company
        self.period = period
        self.year = period.year - 1 if period.month == self.month else None
        self._tariffs = None
        self._timelines = {}

    @property
    def due(self):
        return self.year is not None

    def months(self):
        return [Period(self.year, m) for m in range(1, 13)]

    @cached_property
    def posted_months(self):
        """The months of the year billed by a posted run of the company:
        the correction covers those alone (a company that started billing
        here in July corrects July to December)."""
        run = Pool().get('housing.accrual.run').__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*run.select(run.period,
                where=(run.company == self.company.id)
                & (run.state == 'posted')
                & (run.period >= dt.date(self.year, 1, 1))
                & (run.period <= dt.date(self.year, 12, 1))))
        return {as_date(period).month for period, in cursor}

    def monthly_volumes(self, building, resource, executor_use=False):
        """[V_Д,m] of the common-house meters of the resource of building
        (those of the executor's own use, V_кр, if executor_use): 0 for a
        month unread or not billed here"""
        meters = [m for m in CommonMeter.of_building(building)
            if m.resource == resource
            and bool(m.executor_use) == executor_use]
        volumes = []
        for month in self.months():
            total = ZERO
            if month.month not in self.posted_months:
                volumes.append(total)
                continue
            for meter in meters:
                volume = meter_volume(meter, month.start, month.end)
                if volume is not None:
                    total += volume
            volumes.append(total)
        return volumes

    def tariffs(self):
        "The TariffRows of the company in force during the year"
        if self._tariffs is None:
            Tariff = Pool().get('housing.tariff')
            start, end = dt.date(self.year, 1, 1), dt.date(self.year, 12, 31)
            self._tariffs = [TariffRow.of(t) for t in Tariff.search([
                        ('company', '=', self.company.id),
                        ('date_from', '<=', end),
                        ['OR', ('date_to', '=', None),
                            ('date_to', '>=', start)],
                        ])]
        return self._tariffs

    def monthly_prices(self, premises, building, code):
        """[T_m] of the service for the premises (id, or None for the
        building's own price): the price of each month, weighted by days
        when it changed inside the month"""
        own = premises if premises is not None and any(
            t.premises == premises for t in self.tariffs()) else None
        key = (own, building, code)
        if key not in self._timelines:
            timelines = tariff_timelines(
                self.tariffs(), premises, building,
                Span(dt.date(self.year, 1, 1), dt.date(self.year, 12, 31)))
            timeline = timelines.get(code)
            prices = []
            for month in self.months():
                if timeline is None:
                    prices.append(ZERO)
                    continue
                weighted = sum(
                    (to_decimal(timeline.find(day) or ZERO)
                        for day in (month.start + dt.timedelta(days=d)
                            for d in range(month.days))),
                    ZERO)
                prices.append(weighted / month.days)
            self._timelines[key] = prices
        return self._timelines[key]


    def service_ids(self, domain):
        Service = Pool().get('housing.service')
        return [s.id for s in Service.search([
                    ('company', '=', self.company.id),
                    ('active', 'in', [True, False]),
                    ] + domain)]

    def in_year(self, charge, run):
        "The charges of posted runs for the months of the year"
        month = Coalesce(charge.corrected_period, charge.period)
        return ((run.state == 'posted')
            & (charge.kind != Kind.REDUCTION)
            & (month >= dt.date(self.year, 1, 1))
            & (month <= dt.date(self.year, 12, 1)))

    def billed(self, account_ids, codes, correction_reason):
        """{account id: amount} the posted runs charged the accounts for
        the services of codes for the year's months, the rows of the
        correction itself apart"""
        pool = Pool()
        charge = pool.get('housing.charge').__table__()
        run = pool.get('housing.accrual.run').__table__()
        services = self.service_ids([('code', 'in', sorted(codes))])
        cursor = Transaction().connection.cursor()
        cursor.execute(*charge.join(
                run, condition=charge.run == run.id).select(
                charge.account, Sum(charge.amount),
                where=charge.account.in_(account_ids)
                & charge.service.in_(services)
                & self.in_year(charge, run)
                & ((charge.reason == Null)
                    | (charge.reason != correction_reason)),
                group_by=[charge.account]))
        result = defaultdict(lambda: ZERO)
        for account, amount in cursor:
            result[account] += as_money(amount)
        return result


class HeatingCorrection(PastYear):
    "The annual heating corrections of one company's run for a period."

    def lines(self, building, accounts, snapshots):
        """{account id: ChargeLine} of the accounts of building (records)
        with a heating service; snapshots: {account id: snapshot}."""
        if (not self.due or not self.posted_months
                or not self.was_even(building)):
            return {}
        volumes = self.monthly_volumes(building, 'heating')
        if not any(volumes):
            return {}
        heated = {}
        for account in accounts:
            snapshot = snapshots[account.id]
            for service in snapshot.services:
                if service.method == Method.HEATING:
                    heated[account] = service
                    break
        if not heated:
            return {}
        total_area = to_decimal(
            next(iter(snapshots.values())).building.total_area)
        if not total_area:
            return {}
        billed = self.billed(
            [a.id for a in heated], {s.code for s in heated.values()},
            Reason.HEATING_CORRECTION)
        costs, areas, billed_by_number = {}, {}, {}
        for account, service in heated.items():
            prices = self.monthly_prices(
                account.premises.id, building.id, service.code)
            costs[account.number] = sum(
                (volume * price for volume, price in zip(volumes, prices)),
                ZERO)
            areas[account.number] = to_decimal(snapshots[account.id].area)
            billed_by_number[account.number] = billed.get(account.id, ZERO)
        amounts = heating.building_corrections(
            costs, areas, total_area, billed_by_number)
        year_volume = sum(volumes, ZERO)
        result = {}
        for account, service in heated.items():
            number = account.number
            amount = amounts[number]
            if not amount:
                continue
            result[account.id] = self.line(
                service, amount, costs[number], areas[number], total_area,
                billed_by_number[number],
                year_volume * areas[number] / total_area)
        return result

    def was_even(self, building):
        "Whether the building billed heating evenly at the end of the year"
        method = method_at(building, dt.date(self.year, 12, 31))
        return method is not None and method.heating_mode == 'even'

    def line(self, service, amount, cost, area, total_area, billed, volume):
        year = self.year
        return ChargeLine(
            service=service.code, method=service.method,
            quantity=volume, unit='gcal', tariff=ZERO, amount=amount,
            kind=Kind.RECALCULATION, period=self.period,
            corrected_period=self.period,
            reason=Reason.HEATING_CORRECTION, quantity_places=6,
            date_from=self.period.start, date_to=self.period.end,
            inputs={'year': str(year), 'cost': str(cost),
                'area': str(area), 'total_area': str(total_area),
                'billed': str(billed)},
            explanation_ru=(
                f'корректировка платы за отопление за {year} г.: '
                f'{fmt_ru(cost, 2)} ₽ × {fmt_ru(area, 2)} / '
                f'{fmt_ru(total_area, 2)} − начислено '
                f'{fmt_ru(billed, 2)} ₽ = {fmt_ru(amount, 2)} ₽'),
            explanation_en=(
                f'heating annual correction for {year}: '
                f'{fmt(cost, 2)} ₽ × {fmt(area, 2)} / {fmt(total_area, 2)}'
                f' − billed {fmt(billed, 2)} ₽ = {fmt(amount, 2)} ₽'))


ANNUAL_SOI_METHODS = {'normative_annual_recalc', 'average_annual_recalc'}


class SoiAnnual(PastYear):
    """The yearly КР на СОИ recalculation decided by the run of the
    correction month and its twelve monthly parts."""

    def __init__(self, company, period, own_period=True):
        super().__init__(company, period)
        self.own_period = own_period
        self.decided = {}

    def lines(self, building, accounts, snapshots):
        """{account id: [ChargeLine]} of the parts due in the period: of
        the recalculations decided by posted runs of the last twelve
        months and, in the correction month, of the one decided now"""
        result = defaultdict(list)
        for record in self.stored(accounts):
            service = self.service_of(
                snapshots[record.account.id], record.service.code)
            line = self.part_line(
                service, record.amount, Period.of(record.period))
            if line:
                result[record.account.id].append(line)
        if self.due and self.own_period:
            for account, service, amount in self.decide(
                    building, accounts, snapshots):
                self.decided.setdefault(account.id, []).append(
                    CarriedAmount(service.code, amount, self.period,
                        Reason.SOI_ANNUAL, ZERO, 'rub'))
                line = self.part_line(service, amount, self.period)
                if line:
                    result[account.id].append(line)
        return result

    def stored_domain(self):
        return [
            ('reason', '=', Reason.SOI_ANNUAL),
            ('period', '>=', self.period.shift(-(PARTS - 1)).start),
            ('period', '<=', self.period.start),
            ('run.state', '=', 'posted'),
            ('run.company', '=', self.company.id),
            ]

    @cached_property
    def any_stored(self):
        Carried = Pool().get('housing.soi.carried')
        with without_check_access():
            return bool(Carried.search(self.stored_domain(), limit=1))

    def stored(self, accounts):
        "The decisions of posted runs whose parts run in the period"
        if not self.any_stored:
            return []
        Carried = Pool().get('housing.soi.carried')
        with without_check_access():
            return Carried.search(self.stored_domain() + [
                    ('account', 'in', [a.id for a in accounts]),
                    ], order=[('period', 'ASC'), ('id', 'ASC')])

    @staticmethod
    def service_of(snapshot, code):
        "The kernel's service of code, even if the account no longer has it"
        for service in snapshot.services:
            if service.code == code:
                return service
        return Service(code=code, method=Method.COMMON_PROPERTY, unit='rub')

    def part_line(self, service, amount, decided_in):
        index = months_between(decided_in, self.period)
        part = common_property.instalments(amount, PARTS)[index]
        if not part:
            return None
        year = decided_in.year - 1
        number = index + 1
        return ChargeLine(
            service=service.code, method=service.method,
            quantity=ZERO, unit=service.unit, tariff=ZERO, amount=part,
            kind=Kind.RECALCULATION, period=self.period,
            corrected_period=self.period, reason=Reason.SOI_ANNUAL,
            basis=f'annual:{year}',
            date_from=self.period.start, date_to=self.period.end,
            inputs={'year': str(year), 'total': str(amount),
                'part': str(number)},
            explanation_ru=(
                f'годовой перерасчёт КР на СОИ за {year} г.: '
                f'{fmt_ru(amount, 2)} ₽, часть {number} из {PARTS} = '
                f'{fmt_ru(part, 2)} ₽'),
            explanation_en=(
                f'common property annual recalculation for {year}: '
                f'{fmt(amount, 2)} ₽, part {number} of {PARTS} = '
                f'{fmt(part, 2)} ₽'))

    def decide(self, building, accounts, snapshots):
        "[(account, service, amount)] of the year's recalculation"
        method = method_at(building, dt.date(self.year, 12, 31))
        if (not self.posted_months or method is None
                or method.soi_method not in ANNUAL_SOI_METHODS):
            return []
        members, services = defaultdict(list), {}
        for account in accounts:
            for service in snapshots[account.id].services:
                resource = service.soi_resource or service.resource
                if (service.method == Method.COMMON_PROPERTY
                        and resource and resource != 'sewage'):
                    members[service.code].append(account)
                    services[service.code] = service
        if not members:
            return []
        total_area = to_decimal(
            next(iter(snapshots.values())).building.total_area)
        result = []
        for code, accounts_ in members.items():
            service = services[code]
            months = self.distributed(building, service)
            if months is None:
                continue
            billed = self.billed(
                [a.id for a in accounts_], {code}, Reason.SOI_ANNUAL)
            differences = common_property.annual_recalculation(
                months,
                {a.number: snapshots[a.id].area for a in accounts_},
                total_area,
                {a.number: billed.get(a.id, ZERO) for a in accounts_})
            result.extend((a, service, differences[a.number])
                for a in accounts_ if differences[a.number])
        return result

    def distributed(self, building, service):
        """[(V_СОИ,m, T_m)] the common-house meter gives for the months
        billed here, or None without a meter of the resource"""
        resource = service.soi_resource or service.resource
        volumes = self.monthly_volumes(building, resource)
        if not any(volumes):
            return None
        executor = self.monthly_volumes(building, resource, True)
        premises = self.premises_volumes(building, resource)
        normative = self.normative(building, service.code, resource)
        prices = self.monthly_prices(None, building.id, service.code)
        months = []
        for index, month in enumerate(self.months()):
            if month.month not in self.posted_months:
                continue
            common_area = CommonHouse.common_areas(
                building.area_at(month.start)).get(resource)
            volume = common_property.soi_volume(
                volumes[index], premises[index], executor[index],
                normative=(normative.find(month.start)
                    if normative else None),
                common_area=common_area,
                cap_by_normative=bool(building.soi_cap_by_normative),
                negative='zero')
            months.append((volume.distributed, prices[index]))
        return months

    def premises_volumes(self, building, resource):
        "[Σ V_m] billed to the premises of building for the resource"
        pool = Pool()
        Service = pool.get('housing.service')
        charge = pool.get('housing.charge').__table__()
        run = pool.get('housing.accrual.run').__table__()
        with Transaction().set_context(active_test=False):
            services = [s.id for s in Service.search([
                        ('company', '=', self.company.id),
                        ('resource', '=', resource),
                        ]) if engine_method(s) != Method.COMMON_PROPERTY]
        volumes = [ZERO] * 12
        if not services:
            return volumes
        month = Coalesce(charge.corrected_period, charge.period)
        cursor = Transaction().connection.cursor()
        cursor.execute(*charge.join(
                run, condition=charge.run == run.id).select(
                month, charge.quantity,
                where=(charge.building == building.id)
                & charge.service.in_(services)
                & self.in_year(charge, run)
                & ((charge.component == Null)
                    | (charge.component != 'heat'))))
        for period, quantity in cursor:
            volumes[as_date(period).month - 1] += as_decimal(quantity)
        return volumes

    def normative(self, building, code, resource):
        "The Timeline of the service's common property normative, or None"
        pool = Pool()
        Normative = pool.get('housing.normative')
        Service = pool.get('housing.service')
        start, end = dt.date(self.year, 1, 1), dt.date(self.year, 12, 31)
        rows = [NormativeRow.of(n) for n in Normative.search([
                    ('company', '=', self.company.id),
                    ('date_from', '<=', end),
                    ['OR', ('date_to', '=', None), ('date_to', '>=', start)],
                    ])]
        timelines = normative_timelines(rows, building.id, Span(start, end))
        with Transaction().set_context(active_test=False):
            same_resource = [s.code for s in Service.search([
                        ('company', '=', self.company.id),
                        ('resource', '=', resource),
                        ])]
        for key in [code, code + ':soi'] + [
                c + ':soi' for c in same_resource]:
            if key in timelines:
                return timelines[key]
