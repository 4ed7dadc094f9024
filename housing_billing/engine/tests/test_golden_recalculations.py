"""Golden cases, section B (recalculations) and section C (quality)."""
from __future__ import annotations

import dataclasses

import pytest

from housing_billing.engine.calculate import calculate
from housing_billing.engine.lines import Kind, Reason
from housing_billing.engine.params import Timeline
from housing_billing.engine.periods import Period
from housing_billing.engine.recalculation import recalculate
from housing_billing.engine.rounding import money, sum_rows
from housing_billing.engine.snapshot import (
    Absence,
    Meter,
    Policy,
    QualityEvent,
    Reading,
    Resident,
)

from .fixtures import D, day, residents, service, snapshot

MARCH = Period(2026, 3)
WATER = ('cold_water', 'hot_water', 'sewage')


def absence_snapshot(departure, arrival, services=WATER):
    return snapshot(
        MARCH, list(services), residents=residents(2),
        technically_impossible=frozenset(services),
        absences=(Absence('p1', day(departure), day(arrival)),))


def by_service(lines, kind):
    return {x.service: x.amount for x in lines if x.kind == kind}


def test_G_P1_temporary_absence_16_days():
    lines = calculate(absence_snapshot('03.03.2026', '20.03.2026'))
    base = by_service(lines, Kind.CHARGE)
    recalc = by_service(lines, Kind.RECALCULATION)
    assert base == {'cold_water': D('483.74'), 'hot_water': D('1647.59'),
                    'sewage': D('660.75')}
    assert recalc == {'cold_water': D('-124.84'), 'hot_water': D('-425.18'),
                      'sewage': D('-170.52')}
    assert sum(base.values()) == D('2792.08')
    assert sum(recalc.values()) == D('-720.54')
    nets = {k: base[k] + recalc[k] for k in base}
    assert nets == {'cold_water': D('358.90'), 'hot_water': D('1222.41'),
                    'sewage': D('490.23')}
    assert sum(nets.values()) == D('2071.54')
    for line in lines:
        if line.kind == Kind.RECALCULATION:
            assert line.reason == Reason.TEMPORARY_ABSENCE
            assert line.corrected_period == MARCH


def test_G_P1_heating_and_soi_untouched():
    s = absence_snapshot('03.03.2026', '20.03.2026',
                         ('cold_water', 'heating', 'soi_cold_water'))
    recalc = by_service(calculate(s), Kind.RECALCULATION)
    assert set(recalc) == {'cold_water'}


def test_G_P1_no_recalculation_when_meter_merely_missing():
    s = dataclasses.replace(absence_snapshot('03.03.2026', '20.03.2026'),
                            technically_impossible=frozenset())
    assert by_service(calculate(s), Kind.RECALCULATION) == {}


def test_G_P2_five_full_days_no_recalculation():
    lines = calculate(absence_snapshot('10.03.2026', '16.03.2026'))
    assert [x for x in lines if x.kind != Kind.CHARGE] == []


def test_G_P3_new_resident_mid_month_person_days():
    s = snapshot(Period(2026, 4), ['cold_water'],
                 technically_impossible=frozenset({'cold_water'}),
                 residents=residents(2) + (
                     Resident('p3', day('12.04.2026')),))
    [line] = calculate(s)
    assert line.amount == D('636.92')
    assert line.inputs['days'] == 30
    assert sum_rows([D('483.74'), D('153.18')]) == D('636.92')


def test_G_P4_meter_commissioned_mid_month():
    meter = Meter('M-9', 'cold_water', installed_on=day('14.04.2026'),
                  initial_readings=(Reading(D('0.012'), day('14.04.2026')),),
                  readings=(Reading(D('6.512'), day('25.05.2026')),))
    april = snapshot(Period(2026, 4), ['cold_water'], residents=residents(2),
                     meters=(meter,))
    [line] = calculate(april)
    assert line.amount == D('1451.22')
    assert line.amount != D('725.61')
    may = dataclasses.replace(april, period=Period(2026, 5))
    [line] = calculate(may)
    assert line.quantity == D('6.500')
    assert line.amount == D('324.16')


def test_G_R1_separate_row_rounding_of_recalculations():
    lines = calculate(absence_snapshot('03.03.2026', '20.03.2026'))
    hot = [x.amount for x in lines if x.service == 'hot_water']
    assert sum(hot) == D('1222.41')
    assert money(D(2 * 31 - 16) / 31 * D('3.72') * D('221.45')) == D(
        '1222.40')


def test_G_R3_tariff_change_inside_month():
    tariff = Timeline.of([('2025-01-01', '49.87'), ('2026-01-15', '55.81')])
    s = snapshot(Period(2026, 1), ['cold_water'], meters=(Meter(
        '1', 'cold_water', readings=(
            Reading(D('10.000'), day('25.12.2025')),
            Reading(D('19.300'), day('25.01.2026')))),))
    s = dataclasses.replace(s, tariffs=dict(s.tariffs, cold_water=tariff))
    first, second = calculate(s)
    assert (first.quantity, first.amount) == (D('4.200'), D('209.45'))
    assert (second.quantity, second.amount) == (D('5.100'), D('284.63'))
    assert first.amount + second.amount == D('494.08')
    assert first.explanation_en.startswith('01.01.2026–14.01.2026 (14/31)')


def test_G_R4_totals_are_sums_of_rounded_rows():
    assert sum_rows([D('0.335')] * 3) == D('1.02')
    assert money(D('0.335') * 3) == D('1.01')


def test_recalculation_of_past_period_posts_the_difference():
    old = snapshot(Period(2026, 1), ['cold_water'], residents=residents(2),
                   technically_impossible=frozenset({'cold_water'}))
    new = dataclasses.replace(old, residents=residents(3))
    [line] = recalculate(old, new, Period(2026, 3))
    assert line.amount == D('725.61') - D('483.74')
    assert line.corrected_period == Period(2026, 1)
    assert line.period == Period(2026, 3)
    assert line.kind == Kind.RECALCULATION
    assert recalculate(old, old, Period(2026, 3)) == []


def test_absence_reported_late_reaches_the_bill_through_recalculation():
    old = snapshot(MARCH, list(WATER), residents=residents(2),
                   technically_impossible=frozenset(WATER))
    new = absence_snapshot('03.03.2026', '20.03.2026')
    lines = recalculate(old, new, Period(2026, 4))
    assert {x.service: x.amount for x in lines} == {
        'cold_water': D('-124.84'), 'hot_water': D('-425.18'),
        'sewage': D('-170.52')}
    assert {x.reason for x in lines} == {Reason.TEMPORARY_ABSENCE}


# -- Section C: quality reductions (base: ГВС 707.05, G-M2) ---------------

def hot_water_with_events(*events, policy=Policy()):
    meter = Meter('456', 'hot_water', readings=(
        Reading(D('10.000'), day('25.12.2025')),
        Reading(D('13.200'), day('25.01.2026'))))
    return snapshot(Period(2026, 1), [service('hot_water_2c')],
                    meters=(meter,), quality_events=events, policy=policy,
                    tariffs=dict(snapshot().tariffs))


def outage(hours):
    return QualityEvent('hot_water', 'interruption', D(hours))


def reduction(lines):
    found = [x for x in lines if x.kind == Kind.REDUCTION]
    assert all(x.reason == Reason.QUALITY for x in found)
    return sum((x.amount for x in found), D(0))


@pytest.mark.parametrize('method, expected', [
    ('union', '-16.97'), ('total_only', '-12.73'), ('max_of_both', '-16.97')])
def test_G_Q1_single_20_hour_outage(method, expected):
    lines = calculate(hot_water_with_events(
        outage(20), policy=Policy(excess_hours_method=method)))
    assert reduction(lines) == D(expected)


@pytest.mark.parametrize('method, expected', [
    ('union', '-6.36'), ('total_only', '-4.24'), ('max_of_both', '-4.24')])
def test_G_Q2_two_six_hour_outages(method, expected):
    lines = calculate(hot_water_with_events(
        outage(6), outage(6), policy=Policy(excess_hours_method=method)))
    assert reduction(lines) == D(expected)


@pytest.mark.parametrize('method', ['union', 'total_only', 'max_of_both'])
def test_G_Q3_three_three_hour_outages(method):
    lines = calculate(hot_water_with_events(
        outage(3), outage(3), outage(3),
        policy=Policy(excess_hours_method=method)))
    assert reduction(lines) == D('-1.06')


def test_G_Q4_room_temperature_below_normative():
    s = snapshot(Period(2026, 1), ['heating'], quality_events=(
        QualityEvent('heating', 'room_temperature', D(48), D(2)),))
    lines = calculate(s)
    assert reduction(lines) == D('-467.18')
    assert sum(x.amount for x in lines) == D('2777.16')


def test_G_Q5_hot_water_temperature_52_degrees():
    event = QualityEvent('hot_water', 'water_temperature', D(72), D(8))
    assert reduction(calculate(hot_water_with_events(event))) == D('-50.91')
    ceil = Policy(temperature_steps='ceil')
    assert reduction(calculate(hot_water_with_events(
        event, policy=ceil))) == D('-101.82')


def test_G_Q6_reduction_capped_at_the_charge():
    lines = calculate(hot_water_with_events(outage(700)))
    assert reduction(lines) == D('-707.05')
    assert sum(x.amount for x in lines) == D('0.00')


def commissioned_meter():
    return Meter('M-9', 'cold_water', installed_on=day('14.04.2026'),
                 initial_readings=(Reading(D('0.012'), day('14.04.2026')),),
                 readings=(Reading(D('2.012'), day('25.04.2026')),
                           Reading(D('6.512'), day('25.05.2026'))))


def test_G_P4_reading_in_commissioning_month_is_skipped_by_default():
    may = snapshot(Period(2026, 5), ['cold_water'], residents=residents(2),
                   meters=(commissioned_meter(),))
    [line] = calculate(may)
    assert (line.quantity, line.amount) == (D('6.500'), D('324.16'))


def test_G_P4_alternative_split_commissioning_month_by_days():
    policy = Policy(commissioning_month='split_by_days')
    april = snapshot(Period(2026, 4), ['cold_water'], residents=residents(2),
                     meters=(commissioned_meter(),), policy=policy)
    normative, metered = calculate(april)
    assert (normative.date_from.day, normative.date_to.day) == (1, 13)
    assert normative.amount == D('628.86')
    assert normative.amount_without_coefficient == D('209.62')
    assert (metered.date_from.day, metered.quantity, metered.amount) == (
        14, D('2.000'), D('99.74'))
    may = dataclasses.replace(april, period=Period(2026, 5))
    [line] = calculate(may)
    assert (line.quantity, line.amount) == (D('4.500'), D('224.42'))
