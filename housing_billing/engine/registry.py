"""Bank payment registries (реестры платежей): parsing and integrity.

Domain spec §7.1 [P]: the layout is fixed in each bank contract, so the
field order is a template (data), not code. A registry is a text file,
``;``-separated, cp1251 by default, one payment per line and a total line
``=count;sum;sum_transferred;commission;order no.;date``. The file is
rejected when the total line does not match; a payment is identified by
(bank, branch, operation number, date, amount) so that a registry loaded
twice does not pay twice. The amount credited to the account is the gross
amount; the bank's commission is the payee's expense.

G-B1:

>>> line = ('20.02.2026;14:35:12;8626;0123;456789;1000234567;ИВАНОВ ИВАН '
...         'ИВАНОВИЧ;Г. ПРИМЕР, УЛ. ЛЕНИНА, Д. 1, КВ. 5;012026;6000.00;'
...         '5928.00;72.00\\n=1;6000.00;5928.00;72.00;1234;21.02.2026\\n')
>>> [p] = parse_registry(line.encode('cp1251')).payments
>>> p.account, str(p.paid_on), str(p.period), p.amount, p.commission
('1000234567', '2026-02-20', '2026-01', Decimal('6000.00'), Decimal('72.00'))
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from .allocation import Payment
from .periods import Period
from .rounding import ZERO, money

__all__ = ['RegistryTemplate', 'RegistryPayment', 'Registry',
           'RegistryError', 'parse_registry', 'new_payments',
           'SBERBANK_TEMPLATE']


class RegistryError(ValueError):
    """A registry file that must be rejected as a whole."""


@dataclass(frozen=True)
class RegistryTemplate:
    fields: tuple[str, ...]
    separator: str = ';'
    encoding: str = 'cp1251'
    date_format: str = '%d.%m.%Y'
    bank: str = ''


SBERBANK_TEMPLATE = RegistryTemplate(
    ('date', 'time', 'branch', 'sub_branch', 'operation', 'account', 'payer',
     'address', 'period', 'amount', 'transferred', 'commission'),
    bank='sberbank')


@dataclass(frozen=True)
class RegistryPayment:
    bank: str
    paid_on: date
    time: str
    branch: str
    sub_branch: str
    operation: str
    account: str
    payer: str
    address: str
    period: Period | None
    amount: Decimal
    transferred: Decimal
    commission: Decimal

    @property
    def key(self) -> tuple:
        """Deduplication key: bank, branch, operation, date, amount."""
        return (self.bank, self.branch, self.sub_branch, self.operation,
                self.paid_on, self.amount)

    def as_payment(self) -> Payment:
        """The payment to allocate (gross amount, the payer's day)."""
        return Payment(self.paid_on, self.amount, self.period,
                       reference=':'.join(str(x) for x in self.key))


@dataclass(frozen=True)
class Registry:
    payments: tuple[RegistryPayment, ...]
    order_number: str = ''
    order_date: date | None = None

    @property
    def total(self) -> Decimal:
        return sum((p.amount for p in self.payments), ZERO)


def _money(text: str) -> Decimal:
    return money(Decimal(text.strip().replace(',', '.') or '0'))


def parse_registry(data: bytes | str,
                   template: RegistryTemplate = SBERBANK_TEMPLATE
                   ) -> Registry:
    """Parse and check a registry; :class:`RegistryError` on a mismatch."""
    text = data.decode(template.encoding) if isinstance(data, bytes) else data
    payments, total_line = [], None
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith('='):
            total_line = line[1:].split(template.separator)
            continue
        values = dict(zip(template.fields, line.split(template.separator)))
        if len(values) != len(template.fields):
            raise RegistryError(f'short line: {line!r}')
        period_text = values.get('period', '').strip()
        payments.append(RegistryPayment(
            template.bank,
            datetime.strptime(values['date'].strip(),
                              template.date_format).date(),
            values.get('time', ''), values.get('branch', ''),
            values.get('sub_branch', ''), values.get('operation', ''),
            values['account'].strip(), values.get('payer', '').strip(),
            values.get('address', '').strip(),
            Period.parse(period_text) if period_text else None,
            _money(values['amount']),
            _money(values.get('transferred', values['amount'])),
            _money(values.get('commission', '0'))))
    if total_line is None:
        raise RegistryError('no total line')
    count, amount, transferred, commission = total_line[:4]
    checks = [
        ('count', int(count), len(payments)),
        ('sum', _money(amount), sum((p.amount for p in payments), ZERO)),
        ('transferred', _money(transferred),
         sum((p.transferred for p in payments), ZERO)),
        ('commission', _money(commission),
         sum((p.commission for p in payments), ZERO))]
    for name, stated, actual in checks:
        if stated != actual:
            raise RegistryError(f'{name} mismatch: total line {stated}, '
                                f'lines {actual}')
    for p in payments:
        if p.amount - p.commission != p.transferred:
            raise RegistryError(f'line {p.operation}: amount − commission '
                                '≠ transferred')
    order_date = None
    if len(total_line) > 5 and total_line[5].strip():
        order_date = datetime.strptime(total_line[5].strip(),
                                       template.date_format).date()
    return Registry(tuple(payments),
                    total_line[4] if len(total_line) > 4 else '', order_date)


def new_payments(registry: Registry,
                 seen: Iterable[tuple]) -> list[RegistryPayment]:
    """Payments whose key has not been loaded before."""
    seen = set(seen)
    fresh = []
    for payment in registry.payments:
        if payment.key not in seen:
            fresh.append(payment)
            seen.add(payment.key)
    return fresh
