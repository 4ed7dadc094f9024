"""Rules beyond the golden cases: other numbers and combinations."""
from __future__ import annotations

import dataclasses

import pytest

from housing_billing.engine.calculate import calculate
from housing_billing.engine.housing import split_bands
from housing_billing.engine.lines import Basis, Kind, Method, Reason
from housing_billing.engine.meter import ReadingRejected, reading_period
from housing_billing.engine.params import MissingParameter, Timeline
from housing_billing.engine.penalties import (
    PenaltySettings,
    PeriodDebt,
    penalty_rows,
)
from housing_billing.engine.periods import DaySpan, Period
from housing_billing.engine.snapshot import (
    Absence,
    ManualCharge,
    Meter,
    PeriodVolume,
    Reading,
    Resident,
    Service,
)
from housing_billing.engine.workdays import ProductionCalendar

from .fixtures import D, day, residents, service, snapshot

JAN26 = Period(2026, 1)
SIX = ('5.100', '4.800', '5.300', '4.900', '5.000', '5.200')


def history(last, volumes=SIX):
    return tuple(PeriodVolume(last.shift(i - len(volumes) + 1), D(v))
                 for i, v in enumerate(volumes))


def test_roll_over_through_calculate():
    meter = Meter('7', 'cold_water', digits=5, readings=(
        Reading(D('99994.871'), day('25.12.2025')),
        Reading(D('3.206'), day('25.01.2026'))))
    [line] = calculate(snapshot(JAN26, ['cold_water'], meters=(meter,)))
    assert (line.quantity, line.amount) == (D('8.335'), D('415.67'))
    assert line.kind == Kind.CHARGE and line.basis == Basis.METER


def test_lower_reading_that_is_not_a_roll_over_is_rejected():
    meter = Meter('7', 'cold_water', digits=5, readings=(
        Reading(D('500'), day('25.12.2025')),
        Reading(D('400'), day('25.01.2026'))))
    with pytest.raises(ReadingRejected):
        calculate(snapshot(JAN26, ['cold_water'], meters=(meter,)))


def test_reading_after_cutoff_counts_for_next_month():
    assert reading_period(Reading(D(1), day('26.01.2026'))) == Period(2026, 2)
    assert reading_period(Reading(D(1), day('31.12.2025'))) == JAN26


def test_leap_february_person_days():
    s = snapshot(Period(2024, 2), ['cold_water'],
                 technically_impossible=frozenset({'cold_water'}),
                 residents=(Resident('a'), Resident('b', day('15.02.2024'))))
    [line] = calculate(s)
    assert line.inputs['days_in_month'] == 29
    assert line.amount == D('366.97')     # 4.85 × 44/29 × 49.87


def test_several_changes_in_one_month():
    """K 1.5 → 3.0 on 06.12.2025, tariff 49.87 → 55.81 on 20.12, a third
    resident from 10.12: three rows, each rounded."""
    tariff = Timeline.of([('2020-01-01', '49.87'), ('2025-12-20', '55.81')])
    s = snapshot(Period(2025, 12), ['cold_water'],
                 residents=residents(2) + (Resident('c', day('10.12.2025')),))
    s = dataclasses.replace(s, tariffs=dict(s.tariffs, cold_water=tariff))
    lines = calculate(s)
    assert [(x.date_from.day, x.date_to.day) for x in lines] == [
        (1, 5), (6, 19), (20, 31)]
    assert [x.amount for x in lines] == [D('117.03'), D('889.46'),
                                         D('943.01')]
    assert [x.amount_without_coefficient for x in lines] == [
        D('78.02'), D('296.49'), D('314.34')]


def test_meter_out_of_service_mid_month_meter_then_average():
    meter = Meter('9', 'cold_water', readings=(
        Reading(D('100.000'), day('25.12.2025')),),
        out_of_service_on=day('10.01.2026'),
        final_readings=(Reading(D('103.000'), day('10.01.2026')),),
        history=history(Period(2025, 12)))
    lines = calculate(snapshot(JAN26, ['cold_water'], meters=(meter,)))
    assert [(x.basis, x.date_from.day, x.date_to.day, x.amount)
            for x in lines] == [(Basis.METER, 1, 10, D('149.61')),
                                (Basis.AVERAGE_A, 11, 31, D('170.60'))]


def test_access_refused_average_then_normative_with_k():
    meter = Meter('9', 'cold_water', readings=(
        Reading(D('100.000'), day('25.12.2025')),),
        access_refused_on=day('15.01.2026'),
        history=history(Period(2025, 12)))
    for month in (1, 2, 3):
        s = snapshot(Period(2026, month), ['cold_water'], meters=(meter,),
                     residents=residents(1))
        [line] = calculate(s)
        assert (line.basis, line.amount) == (Basis.AVERAGE_V, D('251.84'))
    s = snapshot(Period(2026, 4), ['cold_water'], meters=(meter,),
                 residents=residents(1))
    [line] = calculate(s)
    assert (line.basis, line.amount) == (Basis.NORMATIVE, D('725.61'))


def test_non_residential_limit_b_is_three_periods():
    meter = Meter('9', 'cold_water', readings=(
        Reading(D('200.000'), day('25.12.2025')),),
        history=history(Period(2025, 12)))
    s = snapshot(Period(2026, 3), ['cold_water'], meters=(meter,),
                 residential=False, residents=residents(1))
    assert calculate(s)[0].basis == Basis.AVERAGE_B
    s = dataclasses.replace(s, period=Period(2026, 4))
    assert calculate(s)[0].basis == Basis.NORMATIVE


def test_average_needs_three_months_of_history():
    meter = Meter('9', 'cold_water', readings=(
        Reading(D('200.000'), day('25.12.2025')),),
        history=history(Period(2025, 12), ('5.000', '6.000')))
    s = snapshot(JAN26, ['cold_water'], meters=(meter,),
                 residents=residents(2))
    [line] = calculate(s)
    assert (line.basis, line.amount) == (Basis.NORMATIVE, D('483.74'))


def test_multi_zone_average_per_zone():
    volumes = {'day': ('180',) * 6, 'night': ('60',) * 3 + ('90',) * 3}
    hist = tuple(PeriodVolume(Period(2025, 12).shift(i - 5), D(v), zone=z)
                 for z, vs in volumes.items() for i, v in enumerate(vs))
    meter = Meter('E', 'electricity', zones=('day', 'night'), readings=(
        Reading(D('1000'), day('25.12.2025'), 'day'),
        Reading(D('500'), day('25.12.2025'), 'night')), history=hist)
    day_line, night_line = calculate(snapshot(JAN26, ['electricity'],
                                              meters=(meter,)))
    assert (day_line.quantity, day_line.amount) == (D('180'), D('1341.00'))
    assert (night_line.quantity, night_line.amount) == (D('75'),
                                                        D('279.00'))


def test_temporary_resident_counts_only_above_five_days():
    short = Resident('t', day('10.01.2026'), day('14.01.2026'), True)
    long = Resident('u', day('10.01.2026'), day('15.01.2026'), True)
    base = snapshot(JAN26, ['cold_water'], residents=residents(1),
                    technically_impossible=frozenset({'cold_water'}))
    alone = calculate(base)[0].amount
    assert calculate(dataclasses.replace(
        base, residents=base.residents + (short,)))[0].amount == alone
    assert calculate(dataclasses.replace(
        base, residents=base.residents + (long,)))[0].amount > alone


def test_waste_absence_per_person_and_by_area():
    absence = (Absence('p1', day('03.03.2026'), day('20.03.2026')),)
    s = snapshot(Period(2026, 3), ['waste'], residents=residents(2),
                 absences=absence)
    assert [x.amount for x in calculate(s)] == [D('286.11'), D('-73.83')]
    s = snapshot(Period(2026, 3), [service('waste', per_area=True)],
                 residents=residents(2), absences=absence,
                 normatives={'waste': Timeline.constant('0.12')})
    charge, credit = calculate(s)
    assert (charge.amount, credit.amount) == (D('423.70'), D('-109.34'))
    assert credit.reason == Reason.TEMPORARY_ABSENCE


def test_heating_tariff_change_inside_month():
    tariff = Timeline.of([('2020-01-01', '2914.56'),
                          ('2026-01-15', '3261.39')])
    s = snapshot(JAN26, ['heating'])
    s = dataclasses.replace(s, tariffs=dict(s.tariffs, heating=tariff))
    assert [x.amount for x in calculate(s)] == [D('1465.19'), D('1990.87')]


def test_soi_default_method_is_normative_with_annual_recalculation():
    [line] = calculate(snapshot(JAN26, ['soi_cold_water']))
    assert line.amount == D('13.01')
    assert line.inputs['method'] == 'normative_annual_recalc'


def test_manual_agent_and_one_off_lines():
    services = [Service('repair', Method.MANUAL, unit='rub'),
                Service('antenna', Method.AGENT, unit='premises',
                        supplier='TV LLC'),
                Service('connection', Method.ONE_OFF, unit='premises')]
    s = snapshot(JAN26, services, manual_charges=(
        ManualCharge('repair', amount=D('1234.565')),
        ManualCharge('antenna', D(1), D('120.00')),
        ManualCharge('connection', D(2), D('0.335'))))
    lines = calculate(s)
    assert [(x.service, x.method, x.amount) for x in lines] == [
        ('repair', Method.MANUAL, D('1234.57')),
        ('antenna', Method.AGENT, D('120.00')),
        ('connection', Method.ONE_OFF, D('0.67'))]
    assert lines[1].inputs['supplier'] == 'TV LLC'


def test_tiered_tariff_bands():
    svc = Service('electricity', Method.TIERED, 'electricity', 'kwh',
                  bands=(D('3900'), D('6000')))
    meter = Meter('E', 'electricity', digits=6, readings=(
        Reading(D('10000'), day('25.12.2025')),
        Reading(D('14500'), day('25.01.2026'))))
    s = snapshot(JAN26, [svc], meters=(meter,), tariffs={
        'electricity:band1': Timeline.constant('5.00'),
        'electricity:band2': Timeline.constant('7.00'),
        'electricity:band3': Timeline.constant('9.00')})
    lines = calculate(s)
    assert [(x.component, x.quantity, x.amount) for x in lines] == [
        ('band1', D('3900'), D('19500.00')), ('band2', D('600'),
                                              D('4200.00'))]
    assert split_bands(D('7000'), [D('3900'), D('6000')],
                       [D(1), D(2), D(3)]) == [
        (D('3900'), D(1)), (D('2100'), D(2)), (D('1000'), D(3))]


def test_missing_tariff_is_an_error_not_a_zero():
    s = snapshot(JAN26, ['maintenance'], tariffs={
        'maintenance': Timeline.of([('2026-02-01', '32.40')])})
    with pytest.raises(MissingParameter):
        calculate(s)


def test_timeline_with_valid_to_and_gap():
    t = Timeline.of([('2026-01-01', '1', '2026-01-10'),
                     ('2026-01-20', '2')])
    assert t.find(day('15.01.2026')) is None
    assert t.at(day('20.01.2026')) == D(2)
    with pytest.raises(MissingParameter):
        t.segments(day('01.01.2026'), day('31.01.2026'))


@pytest.mark.parametrize('year, working', [
    (2019, 247), (2020, 248), (2021, 247), (2022, 247), (2023, 247),
    (2024, 248), (2025, 247), (2026, 247)])
def test_production_calendar_matches_the_decrees(year, working):
    assert ProductionCalendar.default().working_days_in_year(year) == working


def test_penalty_tranches_at_different_rates():
    """A debt paid in parts: the paid tranche at the key rate on its
    payment day (7.5 %), the unpaid one at the rate on the calculation date
    (min(9.5, 16) = 9.5 %)."""
    rows = penalty_rows(PeriodDebt(Period(2022, 7), D('2000.00')),
                        [(day('15.12.2022'), D('1000.00'))],
                        day('31.12.2023'), PenaltySettings.default())
    assert [(r.rate, r.days, r.base, r.amount) for r in rows] == [
        (D('7.50'), 60, D('1000.00'), D('15.00')),
        (D('9.5'), 60, D('1000.00'), D('19.00')),
        (D('7.50'), 37, D('1000.00'), D('21.35')),
        (D('9.5'), 418, D('1000.00'), D('305.46'))]


def test_day_span_overlap():
    span = DaySpan(day('01.02.2028'), day('29.02.2028'))
    assert span.days == 29
    assert span.overlap(day('20.02.2028'), None) == 10


def test_whole_building_soi_rows_are_balanced():
    """§0.2: the building amount 20.200 m³ × 49.87 = 1 007.374 → 1 007.37,
    floors 10.68 + 491.84 + 504.84 = 1 007.36, the missing kopeck goes to
    the largest dropped fraction (account 103: 0.0077…)."""
    from housing_billing.engine.common_property import area_shares
    areas = {'101': D('54.3'), '102': D('2500.0'), '103': D('2566.1')}
    rows = area_shares(D('20.200') * D('49.87'), areas, D('5120.4'))
    assert rows == {'101': D('10.68'), '102': D('491.84'),
                    '103': D('504.85')}
    assert sum(rows.values()) == D('1007.37')


def test_average_limits_can_be_dated():
    from housing_billing.engine.snapshot import AverageLimits
    limits = Timeline.of([('2000-01-01', AverageLimits()),
                          ('2026-03-01', AverageLimits(
                              limit_b_residential=3))])
    meter = Meter('9', 'cold_water', readings=(
        Reading(D('200.000'), day('25.11.2025')),),
        history=history(Period(2025, 11)))
    feb = snapshot(Period(2026, 2), ['cold_water'], meters=(meter,),
                   residents=residents(2), limits=limits)
    assert calculate(feb)[0].basis == Basis.AVERAGE_B    # 3rd period
    apr = dataclasses.replace(feb, period=Period(2026, 4))
    assert calculate(apr)[0].basis == Basis.NORMATIVE    # 5th > 3


def test_capital_repair_due_day_from_regional_law():
    settings = PenaltySettings.default(capital_repair_due_day=Timeline.of(
        [('2000-01-01', 25), ('2026-03-01', 15)]))
    from housing_billing.engine.penalties import CAPITAL_REPAIR, due_date
    assert due_date(Period(2026, 1), settings, CAPITAL_REPAIR)[0] == day(
        '25.02.2026')
    assert due_date(Period(2026, 3), settings, CAPITAL_REPAIR)[0] == day(
        '15.04.2026')


def test_capital_repair_due_day_before_the_regional_law():
    "Periods before the first regional rule: the housing due day"
    settings = PenaltySettings.default(capital_repair_due_day=Timeline.of(
        [('2026-03-01', 28)]))
    from housing_billing.engine.penalties import CAPITAL_REPAIR, due_date
    assert due_date(Period(2026, 1), settings, CAPITAL_REPAIR)[0] == day(
        '10.02.2026')
    assert due_date(Period(2026, 3), settings, CAPITAL_REPAIR)[0] == day(
        '28.04.2026')


def test_owners_counted_on_days_nobody_is_registered():
    s = snapshot(JAN26, ['cold_water'], owners_count=2,
                 technically_impossible=frozenset({'cold_water'}),
                 residents=(Resident('a', None, day('15.01.2026')),))
    assert calculate(s)[0].amount == D('366.71')   # (15 + 16 × 2) / 31


def test_absence_spanning_two_months():
    absence = (Absence('p1', day('25.01.2026'), day('10.02.2026')),)
    jan = snapshot(JAN26, ['cold_water'], residents=residents(2),
                   technically_impossible=frozenset({'cold_water'}),
                   absences=absence)
    assert [x.amount for x in calculate(jan)] == [D('483.74'), D('-46.81')]
    feb = dataclasses.replace(jan, period=Period(2026, 2))
    assert [x.amount for x in calculate(feb)] == [D('483.74'), D('-77.74')]


def test_electricity_coefficient_only_after_two_refusals():
    s = snapshot(JAN26, ['electricity'], residents=residents(2))
    assert calculate(s)[0].amount == D('954.72')
    s = dataclasses.replace(s, electricity_access_refused_twice=True)
    assert calculate(s)[0].amount == D('1432.08')


def test_sewage_follows_the_reconciliation_of_water_averages():
    meter = Meter('123', 'cold_water', readings=(
        Reading(D('200.000'), day('25.03.2026')),
        Reading(D('213.400'), day('25.06.2026'))), history=(
        PeriodVolume(Period(2026, 4), D('5.050'), Basis.AVERAGE_B),
        PeriodVolume(Period(2026, 5), D('5.050'), Basis.AVERAGE_B)))
    s = snapshot(Period(2026, 6), ['cold_water', 'sewage'], meters=(meter,))
    water, sewage = calculate(s)
    assert (sewage.kind, sewage.reason, sewage.quantity, sewage.amount) == (
        Kind.RECALCULATION, Reason.LATE_READINGS, D('3.300'), D('127.22'))
    assert sewage.corrected_period == water.corrected_period


def test_dated_building_settings():
    from housing_billing.engine.snapshot import SoiBalance
    building = dataclasses.replace(
        snapshot().building,
        heating_mode=Timeline.of([('2000-01-01', 'season'),
                                  ('2026-07-01', 'even')]),
        soi_method=Timeline.of([('2000-01-01', 'normative_annual_recalc'),
                                ('2026-02-01', 'monthly_actual')]),
        soi_balances={'cold_water': SoiBalance(D('1250.000'),
                                               D('1229.800'))})
    s = snapshot(JAN26, ['heating', 'soi_cold_water'], building=building)
    assert [x.amount for x in calculate(s)] == [D('3244.34'), D('13.01')]
    aug = dataclasses.replace(s, period=Period(2026, 8))
    heating, soi = calculate(aug)
    assert heating.inputs['mode'] == 'even'
    assert soi.amount == D('10.68')
