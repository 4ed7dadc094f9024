"""Allocation of payments to billing periods and services.

Domain spec §4.5 (Пленум ВС № 22 п. 32; ГК 319.1 п. 3):

1. a payment that names a billing period (ПД period, QR ``PaymPeriod``,
   registry field) goes to that period; the surplus goes to the oldest open
   period, then to advance [P];
2. without a named period (or when it is already paid): earliest due date
   first among periods within the 3-year limitation period (FIFO);
3. payments go to principal only; penalties are paid only from money
   designated for them;
4. within a period the amount is split over services in proportion to what
   is outstanding (largest remainder, exact to the kopeck) or by a supplier
   priority.

G-F2 (6 000.00 without a period → Nov 4 200.00, Dec 1 800.00) and G-B1
(period 01.2026 → Jan 5 000.00, surplus 1 000.00 to November):

>>> debts = [Debt(Period(2025, 11), Decimal('4200.00')),
...          Debt(Period(2025, 12), Decimal('4650.00')),
...          Debt(Period(2026, 1), Decimal('5000.00'))]
>>> r = allocate([Payment(date(2026, 2, 20), Decimal('6000.00'))], debts)
>>> [(str(a.period), str(a.amount)) for a in r.applications]
[('2025-11', '4200.00'), ('2025-12', '1800.00')]
>>> r = allocate([Payment(date(2026, 2, 20), Decimal('6000.00'),
...                       Period(2026, 1))], debts)
>>> [(str(a.period), str(a.amount)) for a in r.applications]
[('2026-01', '5000.00'), ('2025-11', '1000.00')]
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from .periods import Period
from .rounding import ZERO, distribute, money

__all__ = ['Payment', 'Debt', 'Application', 'AllocationResult', 'allocate',
           'split_by_services']


@dataclass(frozen=True)
class Payment:
    paid_on: date
    amount: Decimal
    period: Period | None = None
    reference: str = ''


@dataclass(frozen=True)
class Debt:
    period: Period
    amount: Decimal
    due_date: date | None = None


@dataclass(frozen=True)
class Application:
    payment: Payment
    period: Period
    amount: Decimal
    paid_on: date


@dataclass
class AllocationResult:
    applications: list[Application] = field(default_factory=list)
    advance: Decimal = ZERO
    outstanding: dict = field(default_factory=dict)

    def paid_tranches(self, period: Period) -> list[tuple[date, Decimal]]:
        """(payment day, amount) applied to ``period``, in date order."""
        return sorted((a.paid_on, a.amount) for a in self.applications
                      if a.period == period)


def _payment_order(payment: Payment):
    return (payment.paid_on, payment.reference, payment.amount,
            payment.period or Period(1, 1))


def _within_limitation(debt: Debt, on: date, years: int) -> bool:
    due = debt.due_date or debt.period.end
    try:
        limit = on.replace(year=on.year - years)
    except ValueError:   # 29 February
        limit = on.replace(year=on.year - years, day=28)
    return due >= limit


def allocate(payments: Iterable[Payment], debts: Sequence[Debt],
             limitation_years: int = 3) -> AllocationResult:
    """Apply payments (in date order) to the debts by period."""
    outstanding = {}
    for debt in debts:
        outstanding[debt.period] = outstanding.get(debt.period, ZERO) + money(
            debt.amount)
    by_period = {debt.period: debt for debt in debts}
    fifo = sorted(by_period.values(),
                  key=lambda d: (d.due_date or d.period.end, d.period))
    result = AllocationResult()
    for payment in sorted(payments, key=_payment_order):
        left = money(payment.amount)

        def apply(period: Period, amount: Decimal, payment=payment):
            outstanding[period] -= amount
            result.applications.append(
                Application(payment, period, amount, payment.paid_on))

        named = payment.period
        if named is not None and outstanding.get(named, ZERO) > 0:
            amount = min(left, outstanding[named])
            apply(named, amount)
            left -= amount
        for debt in fifo:
            if left <= 0:
                break
            if outstanding[debt.period] <= 0:
                continue
            if not _within_limitation(debt, payment.paid_on,
                                      limitation_years):
                continue
            amount = min(left, outstanding[debt.period])
            apply(debt.period, amount)
            left -= amount
        result.advance += left
    result.outstanding = outstanding
    return result


_NO_KOPECKS = ZERO.quantize(Decimal('0.01'))


def split_by_services(amount, outstanding: Mapping[str, Decimal],
                      priority: Sequence[str] | None = None) -> dict:
    """Split a period's payment over services (or suppliers), exactly.

    Proportional to the outstanding amounts (largest remainder, ties by
    service code), or filling services in ``priority`` order. Never more
    than is outstanding; the rest is returned under the key ``None``.

    >>> r = split_by_services(Decimal('100.00'), {'water': Decimal('200.00'),
    ...                       'heat': Decimal('100.00')})
    >>> str(r['water']), str(r['heat']), str(r[None])
    ('66.67', '33.33', '0.00')
    >>> r = split_by_services(Decimal('100.00'), {'water': Decimal('60.00'),
    ...     'heat': Decimal('60.00')}, priority=['heat', 'water'])
    >>> str(r['heat']), str(r['water'])
    ('60.00', '40.00')
    """
    amount = money(amount)
    owed = {}
    for key, value in outstanding.items():
        value = money(value)
        if value > 0:
            owed[key] = value
    total_owed = sum(owed.values(), ZERO)
    result = dict.fromkeys(outstanding, _NO_KOPECKS)
    if priority is not None:
        left = amount
        for key in list(priority) + sorted(k for k in owed
                                           if k not in priority):
            if key not in owed or left <= 0:
                continue
            part = min(left, owed[key])
            result[key] = part
            left -= part
        result[None] = left
        return result
    if amount >= total_owed:
        result.update(owed)
        result[None] = amount - total_owed
        return result
    result.update(distribute(amount, owed, tie_order=str))
    result[None] = _NO_KOPECKS
    return result
