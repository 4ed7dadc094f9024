"""Golden cases, section D: penalties (ЖК 155 ч. 14/14.1) and allocation."""
from __future__ import annotations

from decimal import Decimal

import pytest

from housing_billing.engine.allocation import Debt, Payment, allocate
from housing_billing.engine.penalties import (
    CAPITAL_REPAIR,
    PenaltySettings,
    PeriodDebt,
    account_penalties,
    due_date,
    penalty_rows,
)
from housing_billing.engine.periods import Period
from housing_billing.engine.workdays import ProductionCalendar

from .fixtures import D, day

SETTINGS = PenaltySettings.default()
NO_SHIFT = SETTINGS.replace(shift_due_date_to_workday=False)

NOV, DEC, JAN = Period(2025, 11), Period(2025, 12), Period(2026, 1)
F2_DEBTS = [PeriodDebt(NOV, D('4200.00')), PeriodDebt(DEC, D('4650.00')),
            PeriodDebt(JAN, D('5000.00'))]


def table(rows):
    return [(r.period, r.date_from, r.date_to, r.days, r.base, r.amount)
            for r in rows]


def total(rows):
    return sum((r.amount for r in rows), Decimal('0.00'))


@pytest.mark.parametrize('period, expected', [
    (Period(2026, 1), '10.02.2026'), (Period(2025, 11), '10.12.2025'),
    (Period(2025, 12), '12.01.2026'), (Period(2022, 7), '10.08.2022'),
    (Period(2020, 1), '10.02.2020'), (Period(2022, 1), '10.02.2022'),
    (Period(2026, 3), '15.04.2026'), (Period(2026, 2), '10.03.2026'),
    (Period(2024, 10), '11.11.2024'), (Period(2026, 4), '15.05.2026')])
def test_due_dates_table(period, expected):
    due, provisional = due_date(period, SETTINGS)
    assert due == day(expected)
    assert provisional is False


def test_contract_due_day_only_before_march_2026():
    contract = SETTINGS.replace(contract_due_day=20)
    assert due_date(Period(2025, 11), contract)[0] == day('22.12.2025')
    assert due_date(Period(2026, 3), contract)[0] == day('15.04.2026')


def test_workday_shift_over_weekend_and_holiday():
    calendar = SETTINGS.calendar
    assert calendar.next_working_day(day('10.05.2026'))[0] == day(
        '12.05.2026')


def test_due_date_in_a_year_without_decree_is_provisional():
    due, provisional = due_date(Period(2027, 4), SETTINGS)
    assert due == day('17.05.2027')   # 15.05.2027 is a Saturday
    assert provisional is True


def test_rows_carry_the_provisional_due_date():
    "A row whose due date came from a year without decree says so (§4.2)"
    rows = penalty_rows(PeriodDebt(Period(2027, 3), D('5000.00')), [],
                        day('30.06.2027'), SETTINGS)
    assert rows and all(r.provisional_due for r in rows)
    rows = penalty_rows(PeriodDebt(JAN, D('5000.00')), [], day('30.06.2026'),
                        SETTINGS)
    assert not any(r.provisional_due for r in rows)


def test_calendar_of_years_keeps_the_provisional_rule():
    "The years given (a database's) replace the shipped ones, not the rule"
    calendar = ProductionCalendar.of_years(
        {2026: SETTINGS.calendar.years[2026]})
    assert calendar.next_working_day(day('10.01.2026')) == (
        day('12.01.2026'), False)
    # 2025 is not given: weekends and the ТК 112 holidays only (04.11)
    assert calendar.next_working_day(day('02.11.2025')) == (
        day('03.11.2025'), True)
    assert SETTINGS.calendar.next_working_day(day('02.11.2025')) == (
        day('05.11.2025'), False)


def test_G_F1_one_unpaid_month():
    rows = penalty_rows(PeriodDebt(JAN, D('5000.00')), [], day('30.06.2026'),
                        SETTINGS)
    assert table(rows) == [
        (JAN, day('13.03.2026'), day('11.05.2026'), 60, D('5000.00'),
         D('95.00')),
        (JAN, day('12.05.2026'), day('30.06.2026'), 50, D('5000.00'),
         D('182.69'))]
    assert rows[0].first_delay_day == 31 and rows[1].first_delay_day == 91
    assert total(rows) == D('277.69')


def test_G_F2_partial_payment_without_period_fifo():
    payment = Payment(day('20.02.2026'), D('6000.00'))
    rows = account_penalties(F2_DEBTS, [payment], day('31.03.2026'),
                             SETTINGS)
    assert table(rows) == [
        (NOV, day('10.01.2026'), day('20.02.2026'), 42, D('4200.00'),
         D('55.86')),
        (DEC, day('12.02.2026'), day('20.02.2026'), 9, D('4650.00'),
         D('13.25')),
        (DEC, day('21.02.2026'), day('31.03.2026'), 39, D('2850.00'),
         D('35.20')),
        (JAN, day('13.03.2026'), day('31.03.2026'), 19, D('5000.00'),
         D('30.08'))]
    assert total(rows) == D('134.39')
    allocation = allocate([payment], [Debt(d.period, d.principal)
                                      for d in F2_DEBTS])
    assert allocation.outstanding == {NOV: D('0.00'), DEC: D('2850.00'),
                                      JAN: D('5000.00')}


def test_G_F2_alternative_without_workday_shift():
    rows = account_penalties(F2_DEBTS, [Payment(day('20.02.2026'),
                                                D('6000.00'))],
                             day('31.03.2026'), NO_SHIFT)
    dec = [r for r in rows if r.period == DEC]
    assert (dec[0].date_from, dec[0].days, dec[0].amount) == (
        day('10.02.2026'), 11, D('16.20'))
    assert total(rows) == D('137.34')


def test_G_F3_payment_designated_to_a_period():
    payment = Payment(day('20.02.2026'), D('5000.00'), JAN)
    rows = account_penalties(F2_DEBTS, [payment], day('31.03.2026'),
                             SETTINGS)
    assert [(r.period, r.days, r.amount) for r in rows] == [
        (NOV, 60, D('79.80')), (NOV, 21, D('64.45')), (DEC, 48, D('70.68'))]
    assert total(rows) == D('214.93')
    rows = account_penalties(F2_DEBTS, [payment], day('31.03.2026'),
                             NO_SHIFT)
    assert [r.amount for r in rows if r.period == DEC] == [D('73.63')]
    assert total(rows) == D('217.88')


def test_G_F4_capital_repair_from_day_one():
    rows = penalty_rows(PeriodDebt(JAN, D('611.96'), CAPITAL_REPAIR), [],
                        day('31.03.2026'), SETTINGS)
    assert [(r.date_from, r.days, r.amount) for r in rows] == [
        (day('11.02.2026'), 49, D('9.50'))]
    assert round(rows[0].exact, 6) == D('9.495579')
    assert rows[0].kind == CAPITAL_REPAIR


def test_G_F5_rate_is_the_lower_key_rate_on_the_payment_day():
    debt = PeriodDebt(Period(2022, 7), D('2000.00'))
    rows = penalty_rows(debt, [(day('15.12.2022'), D('2000.00'))],
                        day('31.12.2022'), SETTINGS)
    assert [(r.date_from, r.date_to, r.days, r.rate, r.amount)
            for r in rows] == [
        (day('10.09.2022'), day('08.11.2022'), 60, D('7.50'), D('30.00')),
        (day('09.11.2022'), day('15.12.2022'), 37, D('7.50'), D('42.69'))]
    assert total(rows) == D('72.69')


def test_G_F6_2020_moratorium():
    debt = PeriodDebt(Period(2020, 1), D('3000.00'))
    rows = penalty_rows(debt, [(day('15.01.2021'), D('3000.00'))],
                        day('31.01.2021'), SETTINGS)
    assert [(r.date_from, r.date_to, r.days, r.rate, r.amount)
            for r in rows] == [
        (day('12.03.2020'), day('05.04.2020'), 25, D('4.25'), D('10.63')),
        (day('01.01.2021'), day('15.01.2021'), 15, D('4.25'), D('14.71'))]
    assert total(rows) == D('25.34')


def test_G_F7_2022_moratorium_switch():
    debt = PeriodDebt(Period(2022, 1), D('1500.00'))
    paid = [(day('20.10.2022'), D('1500.00'))]
    rows = penalty_rows(debt, paid, day('31.10.2022'), SETTINGS)
    assert [(r.date_from, r.days, r.amount) for r in rows] == [
        (day('13.03.2022'), 19, D('7.13')), (day('02.10.2022'), 19,
                                            D('16.44'))]
    assert total(rows) == D('23.57')
    off = SETTINGS.replace(disabled_moratoria=frozenset({'moratorium_2022'}))
    rows = penalty_rows(debt, paid, day('31.10.2022'), off)
    assert [(r.date_from, r.days, r.amount) for r in rows] == [
        (day('13.03.2022'), 60, D('22.50')), (day('12.05.2022'), 162,
                                             D('140.19'))]
    assert total(rows) == D('162.69')


def test_G_F8_no_penalty_inside_grace():
    debt = PeriodDebt(JAN, D('5000.00'))
    assert penalty_rows(debt, [(day('12.03.2026'), D('5000.00'))],
                        day('31.03.2026'), SETTINGS) == []
    rows = penalty_rows(debt, [(day('13.03.2026'), D('5000.00'))],
                        day('31.03.2026'), SETTINGS)
    assert [(r.days, r.amount) for r in rows] == [(1, D('1.58'))]


def test_G_F9_fifteenth_day_rule_from_march_2026():
    rows = penalty_rows(PeriodDebt(Period(2026, 3), D('5000.00')), [],
                        day('31.08.2026'), SETTINGS)
    assert [(r.date_from, r.date_to, r.days, r.amount) for r in rows] == [
        (day('16.05.2026'), day('14.07.2026'), 60, D('95.00')),
        (day('15.07.2026'), day('31.08.2026'), 48, D('175.38'))]
    assert total(rows) == D('270.38')


def test_G_F10_february_2026_transition():
    debt = PeriodDebt(Period(2026, 2), D('4000.00'))
    rows = penalty_rows(debt, [], day('30.04.2026'), SETTINGS)
    assert [(r.date_from, r.days, r.amount) for r in rows] == [
        (day('10.04.2026'), 21, D('26.60'))]
    switch = SETTINGS.with_due_rule_from(Period(2026, 2), 15)
    assert due_date(Period(2026, 2), switch)[0] == day('16.03.2026')
    rows = penalty_rows(debt, [], day('30.04.2026'), switch)
    assert [(r.date_from, r.days, r.amount) for r in rows] == [
        (day('16.04.2026'), 15, D('19.00'))]
    rows = penalty_rows(debt, [], day('30.04.2026'),
                        switch.replace(shift_due_date_to_workday=False))
    assert [(r.date_from, r.days, r.amount) for r in rows] == [
        (day('15.04.2026'), 16, D('20.27'))]


def test_G_B1_allocation_and_penalty_of_the_registry_payment():
    payment = Payment(day('20.02.2026'), D('6000.00'), JAN)
    allocation = allocate([payment], [Debt(d.period, d.principal)
                                      for d in F2_DEBTS])
    assert [(a.period, a.amount) for a in allocation.applications] == [
        (JAN, D('5000.00')), (NOV, D('1000.00'))]
    rows = account_penalties(F2_DEBTS, [payment], day('31.03.2026'),
                             SETTINGS)
    assert [r.amount for r in rows] == [D('55.86'), D('18.24'), D('49.11'),
                                        D('70.68')]
    assert total(rows) == D('193.89')
    rows = account_penalties(F2_DEBTS, [payment], day('31.03.2026'),
                             NO_SHIFT)
    assert total(rows) == D('196.84')


def test_penalty_rate_after_cap_end_by_accrual_day_and_by_payment_day():
    debt = PeriodDebt(Period(2026, 9), D('3000.00'))
    # due 15.10.2026; day 31 = 14.11.2026; unpaid until 31.01.2027.
    rows = penalty_rows(debt, [], day('31.01.2027'), SETTINGS)
    rates = {(r.date_from.year, r.rate) for r in rows}
    assert rates == {(2026, D('9.5')), (2027, D('15.50'))}
    literal = SETTINGS.replace(cap_end_reading='by_payment_day')
    rows = penalty_rows(debt, [], day('31.01.2027'), literal)
    assert {r.rate for r in rows} == {D('15.50')}
