# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""The figures of the ЕПД of many personal accounts for one period, read
with SQL in bulk: the charges of the period's posted runs and the ledger.

The money figures add up to the ledger (domain spec §5.3)::

    opening + accrued + recalculations + reductions + penalties
        - payments + other = total due = ledger balance at the period's end

where the ledger balance is the sum of the posted receivable lines that
carry the personal account, and ``other`` is what the ledger moved in the
period that is neither a run nor a payment (normally zero)."""
import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sql import Null
from sql.aggregate import Max, Sum
from trytond.pool import Pool

from .bulk import as_date, as_decimal, as_money
from .loader import fetch_in, in_force_from, where_in
from .payment import is_payment_origin
from .penalty import CAPITAL_REPAIR, METHODS, penalty_receivable_ids

ZERO = Decimal('0.00')


def month_end(date):
    return date.replace(day=calendar.monthrange(date.year, date.month)[1])


@dataclass
class ServiceRow:
    service: str
    unit: str = ''
    quantity: Decimal | None = None
    quantity_common: Decimal | None = None
    tariff: Decimal | None = None
    accrued: Decimal = ZERO
    recalculation: Decimal = ZERO
    reduction: Decimal = ZERO
    sequence: int = 0

    @property
    def total(self):
        return self.accrued + self.recalculation + self.reduction


@dataclass
class RecalculationRow:
    service: str
    reason: str
    corrected_period: dt.date | None
    amount: Decimal


@dataclass
class ReadingRow:
    service: str
    meter: str
    previous: Decimal | None
    previous_date: dt.date | None
    current: Decimal | None
    current_date: dt.date | None


@dataclass
class ReceiptData:
    account: int
    number: str
    period: dt.date
    building: int = None
    building_address: str = ''
    premises: str = ''
    entrance: int | None = None
    floor: int | None = None
    payer: str = ''
    area: Decimal | None = None
    residents: int = 0
    rows: list = field(default_factory=list)
    recalculations: list = field(default_factory=list)
    readings: list = field(default_factory=list)
    opening_balance: Decimal = ZERO
    payments: Decimal = ZERO
    other: Decimal = ZERO
    last_payment_date: dt.date | None = None
    penalty_due: Decimal = ZERO
    penalties: Decimal = ZERO
    # of which on capital repair contributions (ЖК 155 ч. 14.1)
    penalties_capital_repair: Decimal = ZERO

    @property
    def address(self):
        if self.premises:
            return '%s, кв. %s' % (self.building_address, self.premises)
        return self.building_address

    @property
    def accrued(self):
        return sum((r.accrued for r in self.rows), ZERO)

    @property
    def recalculation(self):
        return sum((r.recalculation for r in self.rows), ZERO)

    @property
    def reduction(self):
        return sum((r.reduction for r in self.rows), ZERO)

    @property
    def period_total(self):
        "Σ row.to_pay of §5.3: the period's charges without penalties."
        return sum((r.total for r in self.rows), ZERO)

    @property
    def total_due(self):
        "The ledger balance at the end of the period (penalties included)."
        return (self.opening_balance + self.period_total + self.penalties
            - self.payments + self.other)

    @property
    def debt(self):
        "What remains of the opening debt after the period's payments."
        return max(ZERO, self.opening_balance - self.payments)

    def amount_to_pay(self, include_penalty=False):
        "«Итого к оплате»: the total due, penalties apart unless included."
        amount = self.total_due
        if not include_penalty:
            amount -= self.penalty_due
        return max(ZERO, amount)


def gather(company, period, account_ids):
    """{account id: ReceiptData} of account_ids for period (a first of
    month), from the charges of the posted runs of period and the posted
    ledger."""
    account_ids = sorted(set(account_ids))
    result = {}
    _accounts(result, company, period, account_ids)
    _charges(result, company, period, account_ids)
    _readings(result, period, account_ids)
    _ledger(result, company, period, account_ids)
    return result


def _accounts(result, company, period, account_ids):
    pool = Pool()
    account = pool.get('housing.account').__table__()
    premises = pool.get('housing.premises').__table__()
    building = pool.get('housing.building').__table__()
    payer = pool.get('housing.account.payer').__table__()
    party = pool.get('party.party').__table__()
    area = pool.get('housing.premises.area').__table__()
    resident = pool.get('housing.resident').__table__()
    end = month_end(period)

    def accounts(ids):
        return account.join(premises,
            condition=account.premises == premises.id
            ).join(building, condition=premises.building == building.id
            ).select(account.id, account.number, building.id,
                building.address, premises.number, premises.entrance,
                premises.floor, premises.id,
                where=where_in(account.id, ids))
    premises_of = {}
    for (id_, number, building_id, address, flat, entrance, floor,
            premises_id) in fetch_in(accounts, account_ids):
        result[id_] = ReceiptData(
            account=id_, number=number, period=period, building=building_id,
            building_address=address or '', premises=flat or '',
            entrance=entrance, floor=floor)
        premises_of[id_] = premises_id

    def payers(ids):
        return payer.join(party, condition=payer.party == party.id
            ).select(payer.account, payer.date_from, party.name,
                where=where_in(payer.account, ids)
                & (payer.date_from <= end))
    for id_, (name,) in in_force_from(
            fetch_in(payers, account_ids)).items():
        result[id_].payer = name or ''

    def areas(ids):
        return area.select(area.premises, area.date_from, area.total_area,
            where=where_in(area.premises, ids) & (area.date_from <= end))
    areas_ = in_force_from(fetch_in(areas, set(premises_of.values())))
    for id_, premises_id in premises_of.items():
        if premises_id in areas_:
            result[id_].area = as_decimal(areas_[premises_id][0])

    def residents(ids):
        return resident.select(resident.account, resident.id,
            where=where_in(resident.account, ids)
            & (resident.registered_from <= end)
            & ((resident.registered_to == Null)
                | (resident.registered_to >= end)))
    for id_, _ in fetch_in(residents, account_ids):
        result[id_].residents += 1


def _charges(result, company, period, account_ids):
    pool = Pool()
    charge = pool.get('housing.charge').__table__()
    run = pool.get('housing.accrual.run').__table__()
    Service = pool.get('housing.service')

    def query(ids):
        return charge.join(run, condition=charge.run == run.id).select(
            charge.account, charge.service, charge.kind,
            charge.corrected_period, charge.reason, charge.unit,
            charge.tariff, charge.method, Sum(charge.quantity),
            Sum(charge.amount),
            where=where_in(charge.account, ids)
            & (run.period == period) & (run.state == 'posted')
            & (run.company == company),
            group_by=[charge.account, charge.service, charge.kind,
                charge.corrected_period, charge.reason, charge.unit,
                charge.tariff, charge.method])
    rows = list(fetch_in(query, account_ids))
    services = {s.id: s for s in Service.browse(list({r[1] for r in rows}))}
    by_account = defaultdict(dict)
    for (id_, service_id, kind, corrected, reason, unit, tariff, method,
            quantity, amount) in sorted(rows, key=lambda r: (
                r[0], r[1], r[2], str(r[3] or ''), r[4] or '',
                r[7] or '')):
        data = result[id_]
        service = services[service_id]
        amount = as_money(amount) or ZERO
        if kind == 'penalty':
            data.penalties += amount
            if method == METHODS[CAPITAL_REPAIR]:
                data.penalties_capital_repair += amount
            continue
        row = by_account[id_].get(service_id)
        if row is None:
            row = by_account[id_][service_id] = ServiceRow(
                service=service.name, unit=unit or '',
                sequence=service.sequence or 0)
        if kind == 'reduction':
            row.reduction += amount
        elif kind == 'recalculation' or corrected:
            row.recalculation += amount
            data.recalculations.append(RecalculationRow(
                    service.name, reason or '', as_date(corrected), amount))
        else:
            row.accrued += amount
            if quantity is not None:
                column = ('quantity_common'
                    if service.method == 'common_property' else 'quantity')
                setattr(row, column,
                    (getattr(row, column) or 0) + as_decimal(quantity))
            if tariff is not None:
                row.tariff = as_decimal(tariff)
            row.unit = row.unit or unit or ''
    for id_, rows_ in by_account.items():
        result[id_].rows = sorted(rows_.values(),
            key=lambda r: (r.sequence, r.service))


def _readings(result, period, account_ids):
    "The last two readings up to the period's end of the premises' meters."
    pool = Pool()
    account = pool.get('housing.account').__table__()
    meter = pool.get('housing.meter').__table__()
    reading = pool.get('housing.meter.reading').__table__()
    service = pool.get('housing.service').__table__()
    end = month_end(period)

    def query(ids):
        return account.join(meter,
            condition=meter.premises == account.premises
            ).join(service, condition=meter.service == service.id
            ).join(reading, condition=reading.meter == meter.id
            ).select(account.id, meter.id, service.name,
                meter.serial_number, reading.date, reading.value1,
                where=where_in(account.id, ids) & (reading.date <= end)
                & ((meter.removal_date == Null)
                    | (meter.removal_date >= period)))
    values = defaultdict(list)
    names = {}
    for id_, meter_id, name, serial, date, value in fetch_in(
            query, account_ids):
        values[id_, meter_id].append((as_date(date), as_decimal(value)))
        names[meter_id] = (name, serial)
    for (id_, meter_id), readings in sorted(values.items()):
        readings.sort()
        current_date, current = readings[-1]
        previous_date, previous = (readings[-2] if len(readings) > 1
            else (None, None))
        name, serial = names[meter_id]
        result[id_].readings.append(ReadingRow(
                name, serial, previous, previous_date, current,
                current_date))


def _ledger(result, company, period, account_ids):
    pool = Pool()
    line = pool.get('account.move.line').__table__()
    move = pool.get('account.move').__table__()
    end = month_end(period)
    penalty_accounts = penalty_receivable_ids(company) or [-1]
    posted = ((move.state == 'posted') & (move.company == company)
        & (line.housing_account != Null))
    joined = line.join(move, condition=line.move == move.id)

    def opening(ids):
        return joined.select(line.housing_account,
            Sum(line.debit - line.credit),
            where=posted & where_in(line.housing_account, ids)
            & (move.date < period),
            group_by=[line.housing_account])
    for id_, amount in fetch_in(opening, account_ids):
        result[id_].opening_balance = as_money(amount) or ZERO

    def in_period(ids):
        return joined.select(line.housing_account, move.origin,
            Sum(line.debit - line.credit), Max(move.date),
            where=posted & where_in(line.housing_account, ids)
            & (move.date >= period) & (move.date <= end),
            group_by=[line.housing_account, move.origin])
    from_runs = defaultdict(Decimal)
    for id_, origin, amount, date in fetch_in(in_period, account_ids):
        data, amount = result[id_], as_money(amount) or ZERO
        origin = origin or ''
        if is_payment_origin(origin):
            data.payments -= amount
            date = as_date(date)
            if not data.last_payment_date or date > data.last_payment_date:
                data.last_payment_date = date
        elif origin.startswith('housing.accrual.run,'):
            from_runs[id_] += amount
        else:
            data.other += amount
    for id_, data in result.items():
        # A run of the period in the ledger but not among its posted charges
        # (or the reverse) would make the receipt lie: it shows as other.
        data.other += from_runs[id_] - data.period_total - data.penalties

    def penalties(ids):
        return joined.select(line.housing_account,
            Sum(line.debit - line.credit),
            where=posted & where_in(line.housing_account, ids)
            & (move.date <= end) & line.account.in_(penalty_accounts),
            group_by=[line.housing_account])
    for id_, amount in fetch_in(penalties, account_ids):
        result[id_].penalty_due = as_money(amount) or ZERO
