"""Property tests (hypothesis) of the kernel's invariants."""
from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from housing_billing.engine.allocation import (
    Debt,
    Payment,
    allocate,
    split_by_services,
)
from housing_billing.engine.calculate import calculate
from housing_billing.engine.lines import Kind, Reason
from housing_billing.engine.params import Timeline
from housing_billing.engine.penalties import (
    PenaltySettings,
    PeriodDebt,
    account_penalties,
)
from housing_billing.engine.periods import Period
from housing_billing.engine.recalculation import correction, recalculate
from housing_billing.engine.rounding import (
    distribute,
    distribute_exact,
    equal_instalments,
    money,
)
from housing_billing.engine.snapshot import (
    Absence,
    Meter,
    Reading,
    Resident,
    SoiBalance,
)

from .fixtures import BUILDING, D, service, snapshot

CENT = Decimal('0.01')

amounts = st.decimals(min_value=Decimal('-100000'), max_value=Decimal(
    '100000'), places=2, allow_nan=False, allow_infinity=False)
weights = st.decimals(min_value=Decimal('0.1'), max_value=Decimal('500'),
                      places=2, allow_nan=False, allow_infinity=False)
accounts = st.dictionaries(st.integers(1, 10 ** 6).map(str), weights,
                           min_size=1, max_size=30)


@given(amounts, accounts)
def test_distribution_conserves_the_total_to_the_kopeck(total, shares):
    result = distribute(total, shares)
    assert sum(result.values(), Decimal(0)) == money(total)
    base = sum(shares.values())
    for key, value in result.items():
        assert abs(value - total * shares[key] / base) < CENT


@given(amounts, accounts, st.randoms(use_true_random=False))
def test_distribution_does_not_depend_on_input_order(total, shares, rnd):
    keys = list(shares)
    rnd.shuffle(keys)
    assert distribute(total, {k: shares[k] for k in keys}) == distribute(
        total, shares)


@given(st.dictionaries(st.integers(1, 10 ** 6).map(str), st.decimals(
    min_value=Decimal('-50'), max_value=Decimal('50'), places=6,
    allow_nan=False, allow_infinity=False), min_size=1, max_size=20))
def test_exact_shares_round_to_their_rounded_sum(exact):
    result = distribute_exact(exact)
    assert sum(result.values(), Decimal(0)) == money(sum(exact.values()))
    for key, value in result.items():
        assert abs(value - exact[key]) < CENT


@given(amounts, st.integers(1, 24))
def test_instalments_conserve_the_amount(amount, count):
    parts = equal_instalments(amount, count)
    assert sum(parts, Decimal(0)) == money(amount)
    assert max(parts) - min(parts) <= CENT


@given(st.decimals(min_value=0, max_value=10000, places=2),
       st.dictionaries(st.sampled_from(['water', 'heat', 'power', 'waste']),
                       st.decimals(min_value=0, max_value=5000, places=2),
                       min_size=1))
def test_split_by_services_conserves_and_never_overpays(amount, owed):
    result = split_by_services(amount, owed)
    assert sum(result.values(), Decimal(0)) == amount
    for key, value in owed.items():
        assert Decimal(0) <= result[key] <= value


# -- random snapshots --------------------------------------------------------

periods = st.builds(Period, st.integers(2019, 2028), st.integers(1, 12))


@st.composite
def snapshots(draw):
    period = draw(periods)
    start = period.start - timedelta(days=40)

    def some_day():
        return start + timedelta(days=draw(st.integers(0, 110)))

    residents = []
    for index in range(draw(st.integers(0, 4))):
        first, last = sorted([some_day(), some_day()])
        residents.append(Resident(
            f'r{index}', first if draw(st.booleans()) else None,
            last if draw(st.booleans()) else None, draw(st.booleans())))
    absences = []
    for resident in residents:
        if draw(st.booleans()):
            departure = some_day()
            absences.append(Absence(resident.person, departure, departure
                                    + timedelta(days=draw(st.integers(
                                        1, 40)))))
    change = period.start + timedelta(days=draw(st.integers(
        1, period.days - 1)))
    tariffs = {
        'cold_water': Timeline.of([('2000-01-01', '49.87'),
                                   (change.isoformat(), draw(st.sampled_from(
                                       ['49.87', '55.81', '61.03'])))]),
    }
    previous = draw(st.decimals(min_value=0, max_value=99990, places=3))
    used = draw(st.decimals(min_value=0, max_value=30, places=3))
    meter = Meter('1', 'hot_water', digits=5, readings=(
        Reading(previous, period.previous().start, period=period.previous()),
        Reading((previous + used) % 100000, period.start, period=period)))
    building = dataclasses.replace(BUILDING, soi_method='monthly_actual',
                                   soi_balances={'cold_water': SoiBalance(
                                       D('1250'), draw(st.decimals(
                                           min_value=1000, max_value=1300,
                                           places=3)))})
    names = draw(st.lists(st.sampled_from(
        ['cold_water', 'sewage', 'waste', 'maintenance', 'heating',
         'soi_cold_water', 'intercom']), unique=True))
    services = [service('cold_water', method='normative')] + [
        service('hot_water_2c')] + [n for n in names if n != 'cold_water']
    base = snapshot(period, services, residents=tuple(residents),
                    owners_count=draw(st.integers(0, 3)),
                    absences=tuple(absences), meters=(meter,),
                    building=building,
                    technically_impossible=frozenset(
                        draw(st.lists(st.sampled_from(
                            ['cold_water', 'hot_water', 'sewage'])))))
    return dataclasses.replace(base, tariffs=dict(base.tariffs, **tariffs))


@settings(max_examples=60, deadline=None)
@given(snapshots())
def test_recompute_with_unchanged_data_gives_no_lines(snap):
    assert recalculate(snap, snap, snap.period.next()) == []


@settings(max_examples=40, deadline=None)
@given(snapshots(), snapshots())
def test_a_correction_charged_once_is_not_charged_again(old, new):
    """What was charged for a period plus its correction is what the
    period costs now: correcting again with the same data gives nothing,
    and the correction is the exact difference of the totals."""
    new = dataclasses.replace(new, period=old.period)
    charged, now = calculate(old), calculate(new)
    current = old.period.next()
    rows = correction(charged, now, current, old.period, Reason.MANUAL)
    assert sum(r.amount for r in rows) == (
        sum(x.amount for x in now) - sum(x.amount for x in charged))
    assert all(r.corrected_period == old.period for r in rows)
    assert correction(charged + rows, now, current.next(), old.period,
                      Reason.MANUAL) == []


@settings(max_examples=60, deadline=None)
@given(snapshots(), st.randoms(use_true_random=False))
def test_order_of_residents_readings_and_absences_does_not_matter(snap, rnd):
    residents, absences = list(snap.residents), list(snap.absences)
    readings = list(snap.meters[0].readings)
    for items in (residents, absences, readings):
        rnd.shuffle(items)
    shuffled = dataclasses.replace(
        snap, residents=tuple(residents), absences=tuple(absences),
        meters=(dataclasses.replace(snap.meters[0],
                                    readings=tuple(readings)),))
    assert calculate(shuffled) == calculate(snap)


@settings(max_examples=80, deadline=None)
@given(snapshots())
def test_charges_are_never_negative(snap):
    for line in calculate(snap):
        if line.kind == Kind.CHARGE:
            assert line.amount >= 0, line
        assert line.amount == money(line.amount)


@settings(max_examples=40, deadline=None)
@given(snapshots())
def test_rows_sum_to_the_total_of_rows(snap):
    lines = calculate(snap)
    total = sum((x.amount for x in lines), Decimal('0.00'))
    assert total == sum((money(x.amount) for x in lines), Decimal('0.00'))


# -- payments and penalties -------------------------------------------------

SETTINGS = PenaltySettings.default()
months = st.lists(st.tuples(st.integers(0, 11), st.decimals(
    min_value=1, max_value=9000, places=2)), min_size=1, max_size=6,
    unique_by=lambda item: item[0])
payments = st.lists(st.tuples(st.integers(0, 500), st.decimals(
    min_value=1, max_value=9000, places=2), st.one_of(st.none(),
                                                      st.integers(0, 11))),
    max_size=5)


@settings(max_examples=60, deadline=None)
@given(months, payments)
def test_allocation_conserves_every_payment(charges, paid):
    first = Period(2025, 1)
    debts = [Debt(first.shift(i), amount) for i, amount in charges]
    money_in = [Payment(date(2025, 2, 1) + timedelta(days=d), amount,
                        first.shift(p) if p is not None else None)
                for d, amount, p in paid]
    result = allocate(money_in, debts)
    applied = sum((a.amount for a in result.applications), Decimal(0))
    assert applied + result.advance == sum((p.amount for p in money_in),
                                           Decimal(0))
    for debt in debts:
        assert result.outstanding[debt.period] >= 0


@settings(max_examples=40, deadline=None)
@given(months, payments)
def test_penalties_never_negative_and_paying_early_never_costs_more(
        charges, paid):
    first = Period(2025, 1)
    debts = [PeriodDebt(first.shift(i), amount) for i, amount in charges]
    money_in = [Payment(date(2025, 2, 1) + timedelta(days=d), amount)
                for d, amount, _ in paid]
    calc = date(2026, 12, 31)
    rows = account_penalties(debts, money_in, calc, SETTINGS)
    assert all(r.amount >= 0 for r in rows)
    unpaid = account_penalties(debts, [], calc, SETTINGS)
    assert sum(r.exact for r in rows) <= sum(r.exact for r in unpaid)
