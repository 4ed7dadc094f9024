"""Golden cases, section A: charges under ПП354 Appendix 2."""
from __future__ import annotations

import dataclasses

from housing_billing.engine import heating
from housing_billing.engine.calculate import calculate, carried_forward
from housing_billing.engine.lines import Basis, Kind, Method, Reason
from housing_billing.engine.params import Timeline
from housing_billing.engine.periods import Period
from housing_billing.engine.rounding import money
from housing_billing.engine.snapshot import (
    CarriedAmount,
    Meter,
    PeriodVolume,
    Policy,
    Reading,
    SoiBalance,
)

from .fixtures import BUILDING, D, amounts, residents, service, snapshot

JAN26 = Period(2026, 1)


def reading(value, period, zone=''):
    return Reading(D(value), period.start, zone, period)


def cold_meter(*readings, **changes):
    return Meter('123', 'cold_water', readings=tuple(readings), **changes)


def test_G_M1_cold_water_by_meter():
    s = snapshot(JAN26, ['cold_water'], meters=(cold_meter(
        reading('123.456', JAN26.previous()), reading('130.789', JAN26)),))
    [line] = calculate(s)
    assert line.quantity == D('7.333')
    assert line.amount == D('365.70')
    assert line.method == Method.METER and line.basis == Basis.METER
    assert line.explanation_en == (
        '7.333 m³ × 49.87 ₽ = 365.70 ₽; meter № 123: 123.456 → 130.789')
    assert line.explanation_ru == (
        '7,333 м³ × 49,87 ₽ = 365,70 ₽; счётчик № 123: 123,456 → 130,789')
    assert line.inputs['previous_reading'] == '123.456'


def hot_meter(*readings, **changes):
    return Meter('456', 'hot_water', readings=tuple(readings), **changes)


def test_G_M2_hot_water_two_component_meter():
    s = snapshot(JAN26, [service('hot_water_2c')], meters=(hot_meter(
        reading('10.000', JAN26.previous()), reading('13.200', JAN26)),))
    water, heat = calculate(s)
    assert (water.component, water.amount) == ('water', D('159.58'))
    assert (heat.component, heat.amount) == ('heat', D('547.47'))
    assert heat.quantity == D('0.18784')
    assert heat.quantity_shown == D('0.18784')
    assert water.amount + heat.amount == D('707.05')


def test_G_M3_sewage_is_cold_plus_hot_water():
    s = snapshot(JAN26, ['cold_water', service('hot_water_2c'), 'sewage'],
                 meters=(cold_meter(reading('123.456', JAN26.previous()),
                                    reading('130.789', JAN26)),
                         hot_meter(reading('10.000', JAN26.previous()),
                                   reading('13.200', JAN26))))
    [sewage] = [x for x in calculate(s) if x.service == 'sewage']
    assert sewage.quantity == D('10.533')
    assert sewage.amount == D('406.05')
    assert sewage.coefficient == 1


def normative_snapshot(name, persons, period=JAN26, impossible=True, **kw):
    svc = service(name) if isinstance(name, str) else name
    return snapshot(period, [svc], residents=residents(persons),
                    technically_impossible=frozenset({svc.code})
                    if impossible else frozenset(), **kw)


def test_G_N1_normative_technical_impossibility():
    [line] = calculate(normative_snapshot('cold_water', 3))
    assert line.quantity_shown == D('14.550')
    assert line.amount == D('725.61')
    assert line.coefficient == 1 and line.coefficient_surcharge == 0


def test_G_N2_normative_with_coefficient_hot_water():
    [line] = calculate(normative_snapshot('hot_water', 2, impossible=False))
    assert line.quantity == D('7.44')
    assert line.amount == D('2471.38')
    assert line.amount_without_coefficient == D('1647.59')
    assert line.coefficient_surcharge == D('823.79')
    assert line.coefficient == D('1.5')


def test_G_N3_nobody_registered_owners_count():
    s = normative_snapshot('cold_water', 0, owners_count=2)
    [line] = calculate(s)
    assert line.amount == D('483.74')
    assert line.amount != D('0.00')


def test_G_N3_alternative_owners_ignored_gives_nothing():
    s = normative_snapshot('cold_water', 0, owners_count=2,
                           policy=Policy(owners_when_nobody_registered=False))
    assert calculate(s) == []


def test_G_N4_electricity_normative_single_rate():
    [line] = calculate(normative_snapshot('electricity', 2, impossible=False))
    assert line.quantity == D('136')
    assert line.amount == D('954.72')
    assert line.coefficient == 1


def test_G_N5_hot_water_two_component_normative():
    water, heat = calculate(normative_snapshot(service('hot_water_2c'), 2))
    assert water.amount == D('371.03')
    assert heat.quantity == D('0.436728')
    assert heat.amount == D('1272.87')
    assert water.amount + heat.amount == D('1643.90')


def test_G_N6_cold_water_coefficient_3_in_2026():
    [line] = calculate(normative_snapshot('cold_water', 2, impossible=False))
    assert line.quantity == D('9.70')
    assert line.amount == D('1451.22')
    assert line.amount_without_coefficient == D('483.74')
    assert line.coefficient_surcharge == D('967.48')
    assert line.amount != D('725.61')


def test_G_N7_coefficient_change_split_by_days():
    s = normative_snapshot('cold_water', 2, Period(2025, 12), impossible=False)
    first, second = calculate(s)
    assert (first.amount, second.amount) == (D('117.03'), D('1217.15'))
    assert first.amount + second.amount == D('1334.18')
    assert (first.amount_without_coefficient,
            second.amount_without_coefficient) == (D('78.02'), D('405.72'))
    assert (first.coefficient_surcharge,
            second.coefficient_surcharge) == (D('39.01'), D('811.43'))
    assert first.quantity + second.quantity == D('9.70')
    assert (first.date_to.day, second.date_from.day) == (5, 6)


def test_G_N7_alternative_from_next_period():
    s = normative_snapshot('cold_water', 2, Period(2025, 12), impossible=False,
                           policy=Policy(k_change_split='from_next_period'))
    [line] = calculate(s)
    assert line.amount == D('725.61')
    jan = dataclasses.replace(s, period=JAN26)
    assert calculate(jan)[0].amount == D('1451.22')


SIX = ('5.100', '4.800', '5.300', '4.900', '5.000', '5.200')


def meter_with_history(last_period, volumes=SIX, service_code='cold_water',
                       **changes):
    history = tuple(
        PeriodVolume(last_period.shift(i - len(volumes) + 1), D(v))
        for i, v in enumerate(volumes))
    return Meter('123', service_code, readings=(
        reading('200.000', last_period),), history=history, **changes)


def test_G_A1_average_for_six_periods_then_normative():
    last = Period(2025, 3)
    meter = meter_with_history(last)
    for month in range(1, 7):
        s = snapshot(last.shift(month), ['cold_water'], meters=(meter,),
                     residents=residents(2))
        [line] = calculate(s)
        assert line.amount == D('251.84'), month
        assert line.basis == Basis.AVERAGE_B
        assert line.quantity == D('5.050')
    s = snapshot(last.shift(7), ['cold_water'], meters=(meter,),
                 residents=residents(2))
    [line] = calculate(s)
    assert line.basis == Basis.NORMATIVE
    assert line.amount == D('483.74')


def test_G_A1_alternative_coefficient_after_limit_b():
    policy = Policy(k_after_limit_b=True)
    before = Period(2025, 4)     # month 7 = November 2025 (K 1.5)
    s = snapshot(before.shift(7), ['cold_water'], residents=residents(2),
                 meters=(meter_with_history(before),), policy=policy)
    assert calculate(s)[0].amount == D('725.61')
    after = Period(2025, 6)      # month 7 = January 2026 (K 3.0)
    s = snapshot(after.shift(7), ['cold_water'], residents=residents(2),
                 meters=(meter_with_history(after),), policy=policy)
    assert calculate(s)[0].amount == D('1451.22')


def late_reading_meter(value):
    march, april, may, june = (Period(2026, m) for m in (3, 4, 5, 6))
    return Meter('123', 'cold_water', readings=(
        reading('200.000', march), reading(value, june)), history=(
        PeriodVolume(april, D('5.050'), Basis.AVERAGE_B),
        PeriodVolume(may, D('5.050'), Basis.AVERAGE_B)))


def test_G_A2_late_readings_reconcile_averages():
    s = snapshot(Period(2026, 6), ['cold_water'],
                 meters=(late_reading_meter('213.400'),))
    [line] = calculate(s)
    assert line.quantity == D('3.300')
    assert line.amount == D('164.57')
    assert line.kind == Kind.RECALCULATION
    assert line.reason == Reason.LATE_READINGS
    assert line.corrected_period == Period(2026, 4)


def test_G_A3_late_readings_overestimated_average_credit():
    s = snapshot(Period(2026, 6), ['cold_water'],
                 meters=(late_reading_meter('208.000'),))
    [line] = calculate(s)
    assert line.quantity == D('-2.100')
    assert line.amount == D('-104.73')
    assert line.kind == Kind.RECALCULATION


GVS_SIX = ('3.1', '2.9', '3.3', '3.0', '2.8', '3.2')


def broken_meter(service_code, volumes=GVS_SIX):
    meter = meter_with_history(Period(2025, 12), volumes, service_code)
    return dataclasses.replace(meter, out_of_service_on=JAN26.start)


def test_G_A5_broken_meter_average_for_three_periods():
    for month in (1, 2, 3):
        s = snapshot(Period(2026, month), ['hot_water'],
                     meters=(broken_meter('hot_water'),),
                     residents=residents(1))
        [line] = calculate(s)
        assert line.quantity == D('3.05')
        assert line.amount == D('675.42')
        assert line.basis == Basis.AVERAGE_A


def test_G_A4_broken_meter_after_limit_normative_with_k_hot_water():
    s = snapshot(Period(2026, 4), ['hot_water'], residents=residents(1),
                 meters=(broken_meter('hot_water'),))
    [line] = calculate(s)
    assert line.basis == Basis.NORMATIVE
    assert line.amount == D('1235.69')
    assert line.coefficient == D('1.5')


def test_G_A6_broken_cold_water_meter_after_limit_k_3():
    s = snapshot(Period(2026, 4), ['cold_water'], residents=residents(1),
                 meters=(broken_meter('cold_water', SIX),))
    [line] = calculate(s)
    assert line.amount == D('725.61')
    assert line.amount_without_coefficient == D('241.87')
    assert line.coefficient_surcharge == D('483.74')


def zone_meter(zones, prev, curr):
    return Meter('E-1', 'electricity', zones=zones, digits=5, readings=tuple(
        [reading(v, JAN26.previous(), z) for z, v in zip(zones, prev)]
        + [reading(v, JAN26, z) for z, v in zip(zones, curr)]))


def test_G_E1_two_zone_meter():
    s = snapshot(JAN26, ['electricity'], meters=(zone_meter(
        ('day', 'night'), ('15252', '8140'), ('15432', '8210')),))
    day, night = calculate(s)
    assert (day.component, day.quantity, day.amount) == (
        'day', D('180'), D('1341.00'))
    assert (night.component, night.quantity, night.amount) == (
        'night', D('70'), D('260.40'))
    assert day.amount + night.amount == D('1601.40')
    assert day.explanation_en == ('180 kWh × 7.45 ₽ = 1,341.00 ₽; '
                                  'meter № E-1 (day): 15,252 → 15,432')


def test_G_E2_three_zone_meter():
    s = snapshot(JAN26, ['electricity'], meters=(zone_meter(
        ('peak', 'half_peak', 'night'), ('1000', '2000', '3000'),
        ('1095', '2110', '3085')),))
    lines = calculate(s)
    assert [x.amount for x in lines] == [D('849.30'), D('819.50'),
                                         D('316.20')]
    assert sum(x.amount for x in lines) == D('1985.00')


def heating_snapshot(period=JAN26, **building):
    return snapshot(period, ['heating'],
                    building=dataclasses.replace(BUILDING, **building))


def test_G_H1_heating_formula_2_season():
    [line] = calculate(heating_snapshot())
    assert line.quantity == D('1.11315')
    assert line.amount == D('3244.34')
    assert calculate(heating_snapshot(Period(2026, 7))) == []


SEVEN = frozenset({1, 2, 3, 4, 10, 11, 12})


def test_G_H2_heating_formula_2_1_even():
    for month in (1, 7):
        [line] = calculate(heating_snapshot(
            Period(2026, month), heating_mode='even',
            heating_season_months=SEVEN))
        assert line.amount == D('1892.53')
        assert line.amount != D('1892.42')


def test_G_H3_heating_formula_3_building_meter():
    [line] = calculate(heating_snapshot(heat_meter_volume=D('182.45')))
    assert line.amount == D('5639.14')


H4_VOLUMES = ('182.45', '165.30', '140.10', '80.25', '10.40', '0', '0', '0',
              '0', '70.80', '130.60', '175.90')


def test_G_H4_heating_even_with_meter_and_annual_correction():
    tariff = Timeline.of([('2025-01-01', '2914.56'),
                          ('2025-07-01', '3261.39')])
    billed = []
    for month in range(1, 13):
        s = heating_snapshot(Period(2025, month), heating_mode='even',
                             heat_previous_year_volume=D('1010.0'))
        s = dataclasses.replace(s, tariffs=dict(s.tariffs, heating=tariff))
        [line] = calculate(s)
        billed.append(line.amount)
    assert billed == [D('2601.41')] * 6 + [D('2910.98')] * 6
    assert sum(billed) == D('33074.34')
    months = [(D(v), tariff.at(Period(2025, m + 1).start))
              for m, v in enumerate(H4_VOLUMES)]
    assert heating.building_heat_cost(months) == D('2916595.4070')
    correction = money(heating.annual_correction(
        months, D('54.3'), D('5120.4'), billed))
    assert correction == D('-2144.89')
    # Printed as a credit row in Q1 of the next year.
    s = heating_snapshot(Period(2026, 2), heating_mode='even',
                         heat_previous_year_volume=D('955.80'))
    s = dataclasses.replace(s, carried=(CarriedAmount(
        'heating', correction, Period(2025, 12),
        Reason.HEATING_CORRECTION),))
    credit = [x for x in calculate(s) if x.kind == Kind.RECALCULATION]
    assert [x.amount for x in credit] == [D('-2144.89')]
    assert credit[0].corrected_period == Period(2025, 12)


def soi_snapshot(premises_volume, policy=Policy(), period=JAN26):
    building = dataclasses.replace(
        BUILDING, soi_method='monthly_actual', soi_balances={
            'cold_water': SoiBalance(D('1250.000'), D(premises_volume))})
    return snapshot(period, ['soi_cold_water'], building=building,
                    policy=policy)


def test_G_S1_soi_below_cap():
    [line] = calculate(soi_snapshot('1229.800'))
    assert line.quantity_shown == D('0.2142')
    assert line.amount == D('10.68')
    assert money(line.quantity_shown * D('49.87')) == D('10.68')


def test_G_S2_soi_capped_by_normative():
    [line] = calculate(soi_snapshot('1210.500'))
    assert line.quantity_shown == D('0.2609')
    assert line.amount == D('13.01')
    assert line.inputs['borne_by_executor'] == '14.90000'


def test_G_S2_alternative_cap_off():
    [line] = calculate(soi_snapshot('1210.500',
                                    Policy(soi_cap_by_normative=False)))
    assert line.quantity_shown == D('0.4189')
    assert line.amount == D('20.89')


def test_G_S3_negative_imbalance_carry_forward():
    s = soi_snapshot('1262.300')
    [line] = calculate(s)
    assert (line.quantity, line.amount) == (D('0'), D('0.00'))
    [carried] = carried_forward(s)
    assert carried.amount == D('-6.50')
    assert round(carried.quantity, 6) == D('-0.130437')
    nxt = dataclasses.replace(soi_snapshot('1229.800', period=JAN26.next()),
                              carried=(carried,))
    lines = calculate(nxt)
    credit = [x for x in lines if x.kind == Kind.RECALCULATION]
    assert [(x.service, x.amount, x.corrected_period) for x in credit] == [
        ('soi_cold_water', D('-6.50'), JAN26)]


def test_G_S3_alternatives_zero_and_distribute():
    s = soi_snapshot('1262.300', Policy(soi_negative='zero'))
    assert amounts(calculate(s)) == [D('0.00')]
    assert carried_forward(s) == []
    s = soi_snapshot('1262.300', Policy(soi_negative='distribute'))
    [line] = calculate(s)
    assert line.amount == D('-6.50')
    assert round(line.quantity, 6) == D('-0.130437')
    assert line.kind == Kind.RECALCULATION


def test_G_S4_soi_electricity_without_building_meter():
    s = snapshot(JAN26, ['soi_electricity'])
    [line] = calculate(s)
    assert line.quantity_shown == D('11.5039')
    assert round(line.quantity, 6) == D('11.503914')
    assert line.amount == D('80.76')


def test_G_T1_waste_per_person_half_up():
    [line] = calculate(snapshot(JAN26, ['waste'], residents=residents(3)))
    assert line.amount == D('429.17')


def test_G_T2_waste_by_area():
    s = snapshot(JAN26, [service('waste', per_area=True)], normatives=dict(
        snapshot().normatives, waste=Timeline.constant('0.12')))
    [line] = calculate(s)
    assert line.amount == D('423.70')


def test_G_L1_housing_rows():
    lines = calculate(snapshot(JAN26, ['maintenance', 'capital_repair',
                                       'intercom']))
    assert [(x.service, x.amount) for x in lines] == [
        ('maintenance', D('1759.32')), ('capital_repair', D('611.96')),
        ('intercom', D('65.00'))]
    assert lines[0].method == Method.AREA


def test_G_M2_alternative_q_from_the_building_heat_meter():
    building = dataclasses.replace(BUILDING, hot_water_heat_source='metered',
                                   hot_water_metered_heat=D('20.5'),
                                   hot_water_metered_volume=D('350'))
    s = snapshot(JAN26, [service('hot_water_2c')], building=building,
                 meters=(hot_meter(reading('10.000', JAN26.previous()),
                                   reading('13.200', JAN26)),))
    water, heat = calculate(s)
    assert water.amount == D('159.58')
    assert heat.amount == D('546.27')    # 3.2 × 20.5 / 350 × 2 914.56
