"""Totals of the single payment document (ЕПД): ПП354 п. 69, Приказ 43/пр.

Domain spec §5.3 (row arithmetic, [P])::

    row.to_pay      = row.charged + row.recalc + row.benefits  (rounded rows)
    period_total    = Σ row.to_pay
    total_to_pay    = max(0, period_total + opening) (debt +, advance −)
    penalty         = separate line (own total), never mixed into service rows

G-D1 (rows of January 2026; debt 1 200.00; penalty 134.39 shown apart):

>>> rows = [Decimal(x) for x in ('1759.32', '365.70', '707.05', '406.05',
...         '10.68', '1601.40', '5639.14', '429.17', '65.00')]
>>> t = statement_totals(rows, opening_balance=Decimal('1200.00'),
...                      penalty=Decimal('134.39'))
>>> t.period_total, t.total_to_pay
(Decimal('10983.51'), Decimal('12183.51'))
>>> t.penalty, t.total_with_penalty
(Decimal('134.39'), Decimal('12317.90'))
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from .lines import ChargeLine
from .rounding import ZERO, money

__all__ = ['StatementTotals', 'statement_totals']

CENTS = Decimal('0.01')


@dataclass(frozen=True)
class StatementTotals:
    period_total: Decimal        # «Начислено за период» incl. recalculations
    opening_balance: Decimal     # debt (+) or advance (−)
    total_to_pay: Decimal        # «Итого к оплате», never negative
    carried_advance: Decimal     # advance left after this bill
    penalty: Decimal
    total_with_penalty: Decimal


def statement_totals(rows: Iterable, opening_balance=ZERO,
                     penalty=ZERO) -> StatementTotals:
    """Totals from rounded rows (ChargeLine or amounts).

    G-D2 (advance 3 000.00 larger than the bill 2 500.00):

    >>> t = statement_totals([Decimal('2500.00')], Decimal('-3000.00'))
    >>> t.total_to_pay, t.carried_advance
    (Decimal('0.00'), Decimal('500.00'))
    """
    amounts = [row.amount if isinstance(row, ChargeLine) else money(row)
               for row in rows]
    period_total = sum(amounts, ZERO).quantize(CENTS)
    opening = money(opening_balance)
    due = period_total + opening
    to_pay = max(due, ZERO).quantize(CENTS)
    advance = max(-due, ZERO).quantize(CENTS)
    penalty = money(penalty)
    return StatementTotals(period_total, opening, to_pay, advance, penalty,
                           to_pay + penalty)
