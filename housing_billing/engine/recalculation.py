"""Recalculation (перерасчёт): one mechanism, and temporary absence.

ARCHITECTURE.md: for any past period, recompute what should have been
charged with today's knowledge and post the difference, line by line, in the
current period, referencing the period it corrects. Absence, late readings,
resident changes, meter installation or removal, tariff or validity changes
all reach the bill this way. Recomputing with unchanged data gives no line.

Lines are compared by (service, component, kind, reason): day segments of
one row are summed, so a changed split does not produce a reversal and a
re-charge of the same amount. Each difference is already exact to the
kopeck (a difference of rounded rows, §0.2, §2.1 "canonical rounding").

Temporary absence, ПП354 разд. VIII (п. 86–97; domain spec §2.1): more than
5 full days in a row (п. 86), counted without the day of departure and the
day of arrival (п. 90), with documents (п. 91–93); only where there is no
meter because installation is technically impossible, and for ТКО (п. 86(1));
never for heating or КР на СОИ::

    ΔP = N × T × K × d / D_month         (per absent person)

G-P1 (absent 03.03 → 20.03.2026: 16 days; ХВС 4.85 × 49.87 × 16/31):

>>> a = Absence('A', date(2026, 3, 3), date(2026, 3, 20))
>>> absence_full_days(a), absence_eligible(a)
(16, True)
>>> from housing_billing.engine.rounding import money
>>> money(Decimal('4.85') * Decimal('49.87') * 16 / 31)
Decimal('124.84')
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date, timedelta  # noqa: F401 (doctests)
from decimal import Decimal

from .lines import ChargeLine, Kind, Reason, fmt, fmt_ru
from .periods import DaySpan, Period
from .rounding import ZERO
from .snapshot import Absence, PremisesSnapshot, Resident

QUANTITY = Decimal('0.000001')

__all__ = ['absence_full_days', 'absence_eligible', 'absent_person_days',
           'diff', 'recalculate', 'correction']


def absence_full_days(absence: Absence) -> int:
    """Full days of absence: the days of departure and arrival excluded
    (ПП354 п. 90)."""
    return max(0, (absence.arrival - absence.departure).days - 1)


def absence_eligible(absence: Absence) -> bool:
    """More than 5 full days in a row (п. 86), documented (п. 91–93).

    G-P2 (10.03 → 16.03.2026, 5 full days) is not eligible:

    >>> absence_eligible(Absence('A', date(2026, 3, 10), date(2026, 3, 16)))
    False
    """
    return absence.documented and absence_full_days(absence) > 5


def absent_person_days(absences: Iterable[Absence],
                       residents: Iterable[Resident], span: DaySpan,
                       min_days: int = 6) -> int:
    """Person-days inside ``span`` on which a counted resident was away on
    an eligible absence (the days strictly between departure and arrival).
    """
    from .normative import residents_on
    residents = list(residents)
    total = 0
    for absence in absences:
        if not absence_eligible(absence):
            continue
        day = max(span.start, absence.departure + timedelta(days=1))
        last = min(span.end, absence.arrival - timedelta(days=1))
        while day <= last:
            if any(r.person == absence.person
                   for r in residents_on(residents, day, min_days)):
                total += 1
            day += timedelta(days=1)
    return total


def _grouped(lines: Iterable[ChargeLine]) -> dict:
    groups: dict = {}
    for line in lines:
        key = (line.service, line.component, line.kind, line.reason)
        groups.setdefault(key, []).append(line)
    return groups


def _common_tariff(lines: list[ChargeLine]) -> Decimal:
    tariffs = {line.tariff for line in lines}
    return tariffs.pop() if len(tariffs) == 1 else ZERO


def diff(old_lines: Iterable[ChargeLine], new_lines: Iterable[ChargeLine],
         current_period: Period, corrected_period: Period,
         reason: str = Reason.PAST_PERIOD) -> list[ChargeLine]:
    """Recalculation rows: what ``new_lines`` charge minus what
    ``old_lines`` charged for ``corrected_period``, one row per changed
    (service, component, kind, reason)."""
    old, new = _grouped(old_lines), _grouped(new_lines)
    result = []
    for key in list(new) + [k for k in old if k not in new]:
        before, after = old.get(key, []), new.get(key, [])
        amount = (sum((x.amount for x in after), ZERO)
                  - sum((x.amount for x in before), ZERO))
        # Quantities to the micro-unit, as charges are stored: sums of
        # divided volumes differ in their 28th digit with the order.
        quantity = (sum((x.quantity for x in after), ZERO)
                    - sum((x.quantity for x in before), ZERO)
                    ).quantize(QUANTITY)
        if amount == 0 and quantity == 0:
            continue
        service, component, kind, line_reason = key
        sample = (after or before)[0]
        basis = line_reason if kind != Kind.CHARGE and line_reason else reason
        was = sum((x.amount for x in before), ZERO)
        now = sum((x.amount for x in after), ZERO)
        result.append(ChargeLine(
            service=service, method=sample.method, quantity=quantity,
            unit=sample.unit, tariff=_common_tariff(after or before),
            amount=amount.quantize(Decimal('0.01')),
            kind=Kind.REDUCTION if kind == Kind.REDUCTION
            else Kind.RECALCULATION,
            period=current_period, component=component, basis=sample.basis,
            corrected_period=corrected_period, reason=basis,
            quantity_places=sample.quantity_places,
            inputs={'was': str(was), 'now': str(now),
                    'was_quantity': str(sum((x.quantity for x in before),
                                            ZERO)),
                    'now_quantity': str(sum((x.quantity for x in after),
                                            ZERO))},
            explanation_ru=(f'перерасчёт за {corrected_period} '
                            f'({Reason.LABELS_RU.get(basis, basis)}): было '
                            f'{fmt_ru(was, 2)} ₽, стало {fmt_ru(now, 2)} ₽, '
                            f'разница {fmt_ru(amount, 2)} ₽'),
            explanation_en=(f'recalculation of {corrected_period} '
                            f'({basis.replace("_", " ")}): was '
                            f'{fmt(was, 2)} ₽, now {fmt(now, 2)} ₽, '
                            f'difference {fmt(amount, 2)} ₽')))
    return result


def recalculate(old: PremisesSnapshot | Iterable[ChargeLine],
                new: PremisesSnapshot, current_period: Period,
                reason: str = Reason.PAST_PERIOD) -> list[ChargeLine]:
    """Recompute ``new.period`` with today's snapshot and diff it against
    what was charged (the stored lines, or a snapshot of the old data)."""
    from .calculate import calculate
    old_lines = calculate(old) if isinstance(old, PremisesSnapshot) else old
    return diff(old_lines, calculate(new), current_period, new.period,
                reason)



def _folded(lines: Iterable[ChargeLine]) -> list[ChargeLine]:
    """Lines of one period as charges or reductions: what a period cost,
    whatever row (charge, its own absence recalculation, a later
    correction) said it."""
    return [replace(line,
                    kind=(Kind.REDUCTION if line.kind == Kind.REDUCTION
                          else Kind.CHARGE),
                    reason='', corrected_period=None)
            for line in lines]


def correction(charged: Iterable[ChargeLine], now: Iterable[ChargeLine],
               current_period: Period, corrected_period: Period,
               reason: str) -> list[ChargeLine]:
    """Recalculation rows that bring what was charged for
    ``corrected_period`` (its charges and every later correction of it) to
    what it costs ``now``: one row per service and component, so that
    correcting twice with unchanged data gives nothing the second time.

    >>> from housing_billing.engine.lines import Method
    >>> def line(volume, kind=Kind.CHARGE):
    ...     return ChargeLine('cold_water', Method.METER, Decimal(volume),
    ...         'm3', Decimal(10), Decimal(volume) * 10, kind=kind,
    ...         reason='' if kind == Kind.CHARGE else 'late_readings')
    >>> march, may = Period(2026, 3), Period(2026, 5)
    >>> [(row.quantity, row.amount) for row in correction([line('10.00')],
    ...     [line('9.00')], may, march, Reason.LATE_READINGS)]
    [(Decimal('-1.000000'), Decimal('-10.00'))]
    >>> correction([line('10.00'), line('-1.00', Kind.RECALCULATION)],
    ...     [line('9.00')], may, march, Reason.LATE_READINGS)
    []
    """
    return diff(_folded(charged), _folded(now), current_period,
                corrected_period, reason)
