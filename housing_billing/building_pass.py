# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""The building level of an accrual (domain spec §9, steps 3-4).

The accounts of a building are billed first; the КР на СОИ balance of each
resource then takes the sum of their volumes as billed (V_СОИ = V_Д − Σ V −
V_кр, Decree 354 p. 44) and the accounts with a common property service are
billed again with it. The rows that share a building total by area (КР на
СОИ, heating by the common-house meter, formula 3) are balanced so that they
add up to the rounded total (§0.2). Negative КР на СОИ carried forward is
kept for the next month's run."""
import dataclasses
from collections import defaultdict

from trytond.pool import Pool
from trytond.transaction import Transaction

from .annual_correction import HeatingCorrection, SoiAnnual
from .common_house import CommonHouse
from .engine.calculate import _Calculation, carried_forward
from .engine.lines import Kind, Method, fmt, fmt_ru
from .engine.rounding import ZERO, account_order, distribute_exact
from .loader import account_buildings

AREA_SHARED = {Method.COMMON_PROPERTY}
HEATING_BY_METER = {'3'}


class BuildingPass:
    "Bills accounts of one period building by building."

    def __init__(self, run, period, own_period=True):
        """own_period: the run's own month (carried amounts are billed and
        stored), else a past month recomputed for a recalculation."""
        self.run = run
        self.period = period
        self.own_period = own_period
        self.common = CommonHouse(run.company, period)
        self.heating_correction = HeatingCorrection(run.company, period)
        self.soi_annual = SoiAnnual(run.company, period, own_period)
        # The accounts with an amount carried to the period, read once.
        self.carried_accounts = None

    def compute(self, accounts, snapshots, anomalies):
        "{account id: [ChargeLine]} of accounts."
        pool = Pool()
        Carried = pool.get('housing.soi.carried')
        wanted = {a.id for a in accounts}
        carried = {}
        if self.own_period:
            if self.carried_accounts is None:
                self.carried_accounts = Carried.carried_accounts(self.period)
            concerned = [a for a in accounts
                if a.id in self.carried_accounts]
            if concerned:
                carried = Carried.to_bill(concerned, self.period)
        building_of = account_buildings(wanted)
        buildings = {b.id: b for b in pool.get('housing.building').browse(
                set(building_of.values()))}
        by_building = defaultdict(list)
        for account in accounts:
            by_building[buildings[building_of[account.id]]].append(account)
        snapshots = {a.id: self.prepare(
                snapshots[a.id], carried.get(a.id, ()),
                buildings[building_of[a.id]])
            for a in accounts}
        result = {}
        for building, members in by_building.items():
            lines = self.compute_building(
                building, members, snapshots, anomalies)
            for account in members:
                if account.id in wanted:
                    result[account.id] = lines[account.id]
                    self.finish(account, lines, Carried)
        return result

    def prepare(self, snapshot, carried, building):
        snapshot = self.common.enrich(snapshot, building)
        if carried:
            snapshot = dataclasses.replace(
                snapshot, carried=tuple(snapshot.carried) + carried)
        return snapshot

    def compute_building(self, building, members, snapshots, anomalies):
        self.others = []
        self.snapshots = snapshots
        if not any(shares_area(snapshots[a.id]) for a in members):
            return {a.id: self.run.calculate(a, snapshots[a.id], anomalies)
                for a in members}
        self.others = self.missing_accounts(building, members)
        if self.others:
            from .loader import SnapshotLoader
            loaded = SnapshotLoader(self.run.company, self.period).load(
                self.others)
            snapshots.update({a.id: self.prepare(loaded[a.id], (), building)
                    for a in self.others})
        everyone = members + self.others
        noted = {a.id: anomalies for a in members}
        lines = {a.id: self.run.calculate(
                a, snapshots[a.id], noted.get(a.id, []))
            for a in everyone}
        balanced = self.with_premises_volumes(
            self.common.building(building), everyone, snapshots, lines)
        for account in everyone:
            snapshot = snapshots[account.id]
            if any(s.method == Method.COMMON_PROPERTY
                    for s in snapshot.services):
                snapshots[account.id] = snapshot = dataclasses.replace(
                    snapshot, building=balanced)
                lines[account.id] = self.run.calculate(
                    account, snapshot, noted.get(account.id, []))
        lines = balance_shares(everyone, lines, {
                a.id: snapshots[a.id].account for a in everyone})
        corrections = self.heating_correction.lines(
            building, everyone, snapshots)
        for account_id, line in corrections.items():
            lines[account_id].append(line)
        parts = self.soi_annual.lines(building, everyone, snapshots)
        for account_id, rows in parts.items():
            lines[account_id].extend(rows)
        return lines

    @staticmethod
    def with_premises_volumes(building, accounts, snapshots, lines):
        "The building with Σ V as billed in each КР на СОИ balance."
        if not building.soi_balances:
            return building
        volumes = defaultdict(lambda: ZERO)
        for account in accounts:
            snapshot = snapshots[account.id]
            for line in lines[account.id]:
                resource = snapshot.service(line.service).resource
                if (resource in building.soi_balances
                        and billed_volume(snapshot, line)):
                    volumes[resource] += line.quantity
        return dataclasses.replace(building, soi_balances={
                resource: dataclasses.replace(
                    balance, premises_volume=volumes[resource])
                for resource, balance in building.soi_balances.items()})

    def missing_accounts(self, building, members):
        "The building's other accounts open in the period."
        Account = Pool().get('housing.account')
        # The ids only, then those not among members: the building is
        # most often the chunk, and a NOT IN of its accounts costs more.
        query = Account.search([
                ('company', '=', self.run.company.id),
                ('premises.building', '=', building.id),
                Account.open_during_domain(self.period.start, self.period.end),
                ], order=[('number', 'ASC')], query=True)
        cursor = Transaction().connection.cursor()
        cursor.execute(*query)
        members = {a.id for a in members}
        return Account.browse(
            [i for i, in cursor.fetchall() if i not in members])

    def finish(self, account, lines, Carried):
        """Keep or bill the negative КР на СОИ carried from this month; keep
        the yearly КР на СОИ recalculation decided in this month."""
        snapshot = self.snapshots[account.id]
        amounts = carried_forward(snapshot)
        if self.own_period:
            amounts += self.soi_annual.decided.get(account.id, [])
        if not amounts:
            return
        if self.own_period:
            Carried.store(self.run, account, amounts)
        elif self.period.next() < self.run.billing_period:
            # A month whose carried amount a later run already billed:
            # today's view of that month includes it.
            calculation = _Calculation(
                dataclasses.replace(snapshot, carried=tuple(amounts)))
            calculation.carried_lines()
            lines[account.id].extend(calculation.lines)


def shares_area(snapshot):
    "Whether some row of the snapshot shares a building total by area."
    return any(s.method in AREA_SHARED or s.method == Method.HEATING
        for s in snapshot.services)


def billed_volume(snapshot, line):
    "Whether line is a volume of the month billed to the premises."
    service = snapshot.service(line.service)
    return (service.method != Method.COMMON_PROPERTY
        and line.component != 'heat'
        and line.kind != Kind.REDUCTION
        and line.corrected_period in (None, snapshot.period))


def balance_shares(accounts, lines, numbers):
    """The lines with the rows that share a building total by area
    rounded together, largest remainder first (§0.2), per service, kind
    and tariff segment; numbers: {account id: account number}."""
    groups = defaultdict(dict)
    for account in accounts:
        number = numbers[account.id]
        for index, line in enumerate(lines[account.id]):
            if not area_shared(line):
                continue
            key = (line.service, line.kind, line.component, line.date_from,
                line.date_to)
            exact = line.quantity * line.tariff * line.coefficient
            groups[key][(number, account.id, index)] = exact
    for shares in groups.values():
        rounded = distribute_exact(
            shares, tie_order=lambda k: (account_order(k[0]), k[2]))
        for (_, account_id, index), amount in rounded.items():
            line = lines[account_id][index]
            if line.amount != amount:
                lines[account_id][index] = rounded_in_building(line, amount)
    return lines


def rounded_in_building(line, amount):
    "The line with the amount the building's rounding gave it, said so"
    old_en, new_en = fmt(line.amount, 2), fmt(amount, 2)
    old_ru, new_ru = fmt_ru(line.amount, 2), fmt_ru(amount, 2)
    return dataclasses.replace(
        line, amount=amount,
        explanation_ru=line.explanation_ru.replace(
            f'= {old_ru} ₽', f'= {new_ru} ₽ (копейки распределены по дому)',
            1),
        explanation_en=line.explanation_en.replace(
            f'= {old_en} ₽', f'= {new_en} ₽ (kopecks shared in the building)',
            1))


def area_shared(line):
    if line.corrected_period not in (None, line.period):
        return False    # carried from an earlier month: already rounded
    if line.method == Method.COMMON_PROPERTY:
        return line.kind != Kind.REDUCTION
    return (line.method == Method.HEATING
        and line.inputs.get('formula') in HEATING_BY_METER)
