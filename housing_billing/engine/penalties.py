"""Penalties (пени) for late payment: ЖК РФ ст. 155 ч. 14 and ч. 14.1.

ЖК 155 ч. 14: 1/300 of the key rate «действующей на день фактической
оплаты» for each day of delay from the 31st day after the due date through
the 90th, 1/130 from the 91st day. Capital-repair contributions (ч. 14.1):
1/300 from the day after the due date, no grace, no 1/130 step.

Day counting (domain spec §4.2, canonical [P])::

    due date     = due day of the month after the billing month (10th for
                   periods up to 02.2026, 15th by law from 03.2026, 177-ФЗ),
                   moved to the next working day (ГК 193, production calendar)
    day k        = due date + k days; accrual for k ≥ 31; 1/300 to k = 90,
                   1/130 from k = 91
    daily amount = B(day) × rate / 100 × f(k)   (0 on moratorium days)
    B(day)       = unpaid principal at the start of the day: the payment
                   day still accrues
    rows         = runs of days with equal (B, f, rate), each rounded
                   HALF_UP; total = Σ rows

Rates (§4.3) come from data: the key-rate history and a dated rule —
``key`` (the key rate on the day of payment, or the calculation date for an
unpaid debt), ``fixed`` 9.5 % (ПП474, 28.02–23.09.2022) or
``min(9.5 %, key rate)`` (ПП1681 … ПП329, to 31.12.2026). A debt paid in
parts is split into tranches, each at the rate of its own payment day.
Moratoria (§4.4) are dated data too; the delay-day counter continues
through them.

G-F1: January 2026, 5 000.00, unpaid at 30.06.2026 → 95.00 + 182.69:

>>> settings = PenaltySettings.default()
>>> debt = PeriodDebt(Period(2026, 1), Decimal('5000.00'))
>>> rows = penalty_rows(debt, [], date(2026, 6, 30), settings)
>>> [(r.date_from.isoformat(), r.days, str(r.amount)) for r in rows]
[('2026-03-13', 60, '95.00'), ('2026-05-12', 50, '182.69')]
>>> due_date(Period(2025, 12), settings)
(datetime.date(2026, 1, 12), False)
"""
from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from .allocation import Debt, Payment, allocate
from .params import Timeline, load_data, parse_date
from .periods import Period
from .rounding import ZERO, money, to_decimal
from .workdays import ProductionCalendar

__all__ = ['RateRule', 'Moratorium', 'DueDayRule', 'PenaltySettings',
           'PeriodDebt', 'PenaltyRow', 'due_date', 'rate_percent',
           'penalty_rows', 'account_penalties', 'fraction_for_day']

HOUSING = 'housing'
CAPITAL_REPAIR = 'capital_repair'


@dataclass(frozen=True)
class RateRule:
    rule: str                 # key | fixed | min
    value: Decimal | None = None
    act: str = ''

    def rate(self, key_rate: Decimal) -> Decimal:
        if self.rule == 'key':
            return key_rate
        if self.rule == 'fixed':
            return self.value
        if self.rule == 'min':
            return min(self.value, key_rate)
        raise ValueError(f'unknown rate rule {self.rule!r}')

    @property
    def capped(self) -> bool:
        return self.rule in ('fixed', 'min')


@dataclass(frozen=True)
class Moratorium:
    code: str
    start: date
    end: date                                   # inclusive
    only_periods_ending_before: date | None = None
    act: str = ''

    def covers(self, day: date, period: Period) -> bool:
        if not self.start <= day <= self.end:
            return False
        limit = self.only_periods_ending_before
        return limit is None or period.end < limit


@dataclass(frozen=True)
class DueDayRule:
    from_period: Period
    day: int
    contract_may_override: bool = True


def _fraction(text: str) -> Fraction:
    return Fraction(text)


@dataclass(frozen=True)
class PenaltySettings:
    """Penalty configuration: data (rates, moratoria, due days, calendar)
    and policy switches (§4.2, §4.3, §10)."""

    key_rates: Timeline
    rate_rules: Timeline
    moratoria: tuple[Moratorium, ...] = ()
    due_day_rules: tuple[DueDayRule, ...] = ()
    calendar: ProductionCalendar = field(default_factory=ProductionCalendar)
    grace_days: int = 30
    switch_day: int = 91
    fraction_before: Fraction = Fraction(1, 300)
    fraction_after: Fraction = Fraction(1, 130)
    capital_repair_fraction: Fraction = Fraction(1, 300)
    shift_due_date_to_workday: bool = True
    cap_end_reading: str = 'by_accrual_day'      # or by_payment_day
    disabled_moratoria: frozenset = frozenset()
    contract_due_day: int | None = None
    capital_repair_due_day: Timeline | None = None
    exclude_payment_day: bool = False

    @classmethod
    def from_data(cls, data: dict, calendar: ProductionCalendar,
                  **options) -> PenaltySettings:
        key_rates = Timeline.of(data['key_rates'], name='key rate')
        rules = Timeline.of(
            [(row['from'], RateRule(row['rule'], Decimal(row['value'])
                                    if 'value' in row else None,
                                    row.get('act', '')))
             for row in data['rate_rules']], name='penalty rate rule')
        moratoria = tuple(
            Moratorium(row['code'], parse_date(row['from']),
                       parse_date(row['to']),
                       parse_date(row['only_debts_of_periods_ending_before'])
                       if row.get('only_debts_of_periods_ending_before')
                       else None, row.get('act', ''))
            for row in data.get('moratoria', []))
        due_rules = tuple(
            DueDayRule(Period.parse(row['from_period']), int(row['day']),
                       bool(row.get('contract_may_override', True)))
            for row in data.get('due_day_rules', []))
        return cls(
            key_rates, rules, moratoria, due_rules, calendar,
            grace_days=int(data.get('grace_days', 30)),
            switch_day=int(data.get('fraction_switch_day', 91)),
            fraction_before=_fraction(data.get('fraction_before', '1/300')),
            fraction_after=_fraction(data.get('fraction_after', '1/130')),
            capital_repair_fraction=_fraction(
                data.get('capital_repair_fraction', '1/300')),
            **options)

    @classmethod
    def default(cls, **options) -> PenaltySettings:
        """Settings from the data files shipped with the engine."""
        return cls.from_data(load_data('penalties_ru.json'),
                             ProductionCalendar.default(), **options)

    def replace(self, **changes) -> PenaltySettings:
        return dataclasses.replace(self, **changes)

    def with_due_rule_from(self, period: Period, day: int,
                           contract_may_override=False) -> PenaltySettings:
        """Move the start of a due-day rule (e.g. the switch "February 2026
        due on the 15th", §1.1)."""
        rules = [r for r in self.due_day_rules if r.day != day]
        rules.append(DueDayRule(period, day, contract_may_override))
        return self.replace(due_day_rules=tuple(
            sorted(rules, key=lambda r: r.from_period)))


@dataclass(frozen=True)
class PeriodDebt:
    period: Period
    principal: Decimal
    kind: str = HOUSING
    due: date | None = None      # explicit due date (before the shift)


@dataclass(frozen=True)
class PenaltyRow:
    period: Period
    date_from: date
    date_to: date
    days: int
    base: Decimal
    rate: Decimal
    fraction: Fraction
    exact: Decimal
    amount: Decimal
    first_delay_day: int
    kind: str = HOUSING
    # The due date came from a year of the production calendar whose
    # decree is not loaded (§4.2): provisional until it is.
    provisional_due: bool = False

    @property
    def explanation_en(self) -> str:
        return self._explanation('d')

    @property
    def explanation_ru(self) -> str:
        return self._explanation('дн.')

    def _explanation(self, day_unit: str) -> str:
        middle = _row_middle(str(self.rate), self.fraction, self.days,
                             self.date_from, self.date_to, day_unit)
        return f'{self.base}{middle}{self.amount} ₽'


@functools.lru_cache(maxsize=4096)
def _row_middle(rate: str, fraction: Fraction, days: int,
                date_from: date, date_to: date, day_unit: str) -> str:
    """The part of a row's explanation between its base and its amount,
    the same for every account whose debt of a month went unpaid alike:
    made once (strftime is most of a row's text)."""
    return (f' ₽ × {rate} % × {fraction} × {days} {day_unit} '
            f'({date_from:%d.%m.%Y}–{date_to:%d.%m.%Y}) = ')


def _nominal_due(period: Period, settings: PenaltySettings,
                 kind: str) -> date:
    day = None
    if kind == CAPITAL_REPAIR and settings.capital_repair_due_day is not None:
        # Before the first rule of the contributions: the housing due day
        day = settings.capital_repair_due_day.find(period.start)
    if day is not None:
        day = int(day)
    else:
        rules = [r for r in settings.due_day_rules if r.from_period <= period]
        if not rules:
            raise LookupError(f'no due-day rule for {period}')
        rule = max(rules, key=lambda r: r.from_period)
        day = rule.day
        if rule.contract_may_override and settings.contract_due_day:
            day = settings.contract_due_day
    following = period.next()
    return date(following.year, following.month, min(day, following.days))


def due_date(period: Period, settings: PenaltySettings,
             kind: str = HOUSING, nominal: date | None = None
             ) -> tuple[date, bool]:
    """The last day of payment (after the workday shift) and whether it
    came from a provisional calendar year."""
    known = _remembered(settings, '_due_date')
    key = (period, kind, nominal)
    if key not in known:
        nominal = nominal or _nominal_due(period, settings, kind)
        if not settings.shift_due_date_to_workday:
            known[key] = nominal, False
        else:
            known[key] = settings.calendar.next_working_day(nominal)
    return known[key]


def _remembered(settings: PenaltySettings, name: str) -> dict:
    """A dict kept on the (immutable) settings: a month asks the same
    settings the same questions for every account of a region."""
    known = settings.__dict__.get(name)
    if known is None:
        known = {}
        object.__setattr__(settings, name, known)
    return known


def rate_percent(accrual_day: date, payment_day: date,
                 settings: PenaltySettings) -> Decimal:
    """Rate in % for one day of delay of a tranche paid on ``payment_day``
    (the calculation date for unpaid debt)."""
    known = _remembered(settings, '_rate_percent')
    key = (accrual_day, payment_day)
    if key not in known:
        known[key] = _rate_percent(accrual_day, payment_day, settings)
    return known[key]


def _rate_percent(accrual_day: date, payment_day: date,
                  settings: PenaltySettings) -> Decimal:
    key = to_decimal(settings.key_rates.at(payment_day))
    rule = settings.rate_rules.at(payment_day)
    if settings.cap_end_reading == 'by_accrual_day' and not rule.capped:
        accrual_rule = settings.rate_rules.at(accrual_day)
        if accrual_rule.capped and accrual_day < payment_day:
            rule = accrual_rule
    return rule.rate(key)


def fraction_for_day(k: int, settings: PenaltySettings,
                     kind: str = HOUSING) -> Fraction | None:
    """Share of the rate for day ``k`` of delay, None before accrual."""
    if kind == CAPITAL_REPAIR:
        return settings.capital_repair_fraction if k >= 1 else None
    if k <= settings.grace_days:
        return None
    if k < settings.switch_day:
        return settings.fraction_before
    return settings.fraction_after


def _frac_decimal(fraction: Fraction) -> tuple[Decimal, Decimal]:
    return Decimal(fraction.numerator), Decimal(fraction.denominator)


@dataclass(frozen=True)
class _Stretch:
    """Consecutive days on which the same parts of a debt accrue at one
    rate and fraction: a row before the parts' amounts are known."""
    start: date
    end: date
    rate: Decimal
    fraction: Fraction
    first_delay_day: int
    parts: tuple[int, ...]


def penalty_rows(debt: PeriodDebt, tranches: Sequence[tuple[date, Decimal]],
                 calculation_date: date,
                 settings: PenaltySettings) -> list[PenaltyRow]:
    """Penalty rows of one period's debt.

    ``tranches`` are (payment day, amount) applied to this debt; what they
    leave unpaid accrues to ``calculation_date``.
    """
    due, provisional = due_date(debt.period, settings, debt.kind, debt.due)
    principal = money(debt.principal)
    parts = []
    paid = ZERO
    for paid_on, amount in sorted(tranches):
        amount = min(money(amount), principal - paid)
        if amount > 0:
            parts.append((paid_on, amount))
            paid += amount
    if principal - paid > 0:
        parts.append((None, principal - paid))
    paid_on = tuple(p for p, _ in parts)
    # Which parts accrue on which days depends on the dates alone: every
    # unpaid debt of a month and settings walks the same days.
    plans = _remembered(settings, '_plans')
    key = (debt.period, debt.kind, due, calculation_date, paid_on)
    if key not in plans:
        plans[key] = _stretches(debt, due, paid_on, calculation_date,
                                settings)
    rows: list[PenaltyRow] = []
    open_rows: dict = {}    # rate → [start, end, base, fraction, k]

    def close(rate):
        start, end, base, fraction, k = open_rows.pop(rate)
        days = (end - start).days + 1
        numerator, denominator = _frac_decimal(fraction)
        exact = base * rate / Decimal(100) * numerator / denominator * days
        rows.append(PenaltyRow(debt.period, start, end, days, base, rate,
                               fraction, exact, money(exact), k, debt.kind,
                               provisional))

    # A row is a run of days of one rate with equal base and fraction:
    # stretches of different parts whose amounts add up alike are one row.
    for stretch in plans[key]:
        base = sum((parts[i][1] for i in stretch.parts), ZERO)
        row = open_rows.get(stretch.rate)
        if row is not None and (
                row[1] + ONE_DAY != stretch.start or row[2] != base
                or row[3] != stretch.fraction):
            close(stretch.rate)
            row = None
        if row is None:
            open_rows[stretch.rate] = [stretch.start, stretch.end, base,
                                       stretch.fraction,
                                       stretch.first_delay_day]
        else:
            row[1] = stretch.end
    for rate in list(open_rows):
        close(rate)
    return sorted(rows, key=lambda r: (r.date_from, r.rate))


ONE_DAY = timedelta(days=1)


def _stretches(debt: PeriodDebt, due: date, paid_on: tuple,
               calculation_date: date,
               settings: PenaltySettings) -> list[_Stretch]:
    """The stretches of a debt due on ``due`` whose parts are paid on the
    days of ``paid_on`` (None: unpaid at ``calculation_date``), in the
    order their last day ends them."""
    moratoria = [m for m in settings.moratoria
                 if m.code not in settings.disabled_moratoria]
    covered = _remembered(settings, '_covered')
    stretches: list[_Stretch] = []
    open_stretches: dict = {}  # rate → [start, end, parts, fraction, k]

    def close(rate):
        start, end, parts, fraction, k = open_stretches.pop(rate)
        stretches.append(_Stretch(start, end, rate, fraction, k, parts))

    day = due + ONE_DAY
    if debt.kind != CAPITAL_REPAIR:
        # Nothing accrues in the days of grace, and nothing is open yet.
        day += timedelta(days=max(settings.grace_days, 0))
    while day <= calculation_date:
        k = (day - due).days
        fraction = fraction_for_day(k, settings, debt.kind)
        accruing: dict = {}
        if fraction is not None:
            key = (day, debt.period)
            if key not in covered:
                covered[key] = any(
                    m.covers(day, debt.period) for m in moratoria)
        if fraction is not None and not covered[key]:
            for index, paid in enumerate(paid_on):
                if paid is not None and (
                        day > paid or (settings.exclude_payment_day
                                       and day == paid)):
                    continue
                rate = rate_percent(day, paid or calculation_date, settings)
                accruing[rate] = accruing.get(rate, ()) + (index,)
        for rate in list(open_stretches):
            _, _, parts, open_fraction, _ = open_stretches[rate]
            if accruing.get(rate) != parts or open_fraction != fraction:
                close(rate)
        for rate, parts in accruing.items():
            if rate in open_stretches:
                open_stretches[rate][1] = day
            else:
                open_stretches[rate] = [day, day, parts, fraction, k]
        day += ONE_DAY
    for rate in list(open_stretches):
        close(rate)
    return stretches


def account_penalties(debts: Iterable[PeriodDebt],
                      payments: Iterable[Payment], calculation_date: date,
                      settings: PenaltySettings,
                      limitation_years: int = 3) -> list[PenaltyRow]:
    """Allocate the payments (§4.5) and compute every period's rows.

    Capital-repair debts (ч. 14.1, a separate payee) are allocated apart
    from the housing debts only if the payments are given separately; pass
    each payee's debts and payments in its own call.
    """
    debts = list(debts)
    allocation = allocate(
        [p for p in payments if p.paid_on <= calculation_date],
        [Debt(d.period, d.principal,
              due_date(d.period, settings, d.kind, d.due)[0])
         for d in debts], limitation_years)
    rows = []
    for debt in debts:
        rows.extend(penalty_rows(debt, allocation.paid_tranches(debt.period),
                                 calculation_date, settings))
    return rows
