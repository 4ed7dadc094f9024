"""Payment string of ГОСТ Р 56042-2014 (the QR code on the ЕПД).

Domain spec §6 (rules as in codebude/QRCoder ``RussiaPaymentOrder.cs``)::

    "ST" "0001" <encoding: 1 cp1251, 2 UTF-8, 3 KOI8-R> <sep>
    Name=…|PersonalAcc=…|BankName=…|BIC=…|CorrespAcc=…[|Key=Value]*

* the separator is ``|`` unless a value contains it (then the first of
  ``| # ; : ^ _ ~ { } ! $ % & ( ) * + , / @`` that no value contains);
* the five mandatory fields come first, in this order; the mandatory block
  is at most 300 bytes in the chosen encoding;
* ``Sum`` is in kopecks; ``PaymPeriod`` is emitted as MMYYYY and parsed from
  MMYYYY, MMYY or MM.YYYY;
* keys are parsed case-insensitively and emitted in canonical case; a
  trailing separator is accepted and not emitted.

G-QR4 (lenient parse of a cp1251 string with lower-case keys):

>>> p = parse('ST00011|Name=ООО "УК Пример"|PayeeINN=6100000001|'
...           'KPP=610001001|Sum=485000|paymPeriod=082026|persAcc=12345|')
>>> p.encoding, p.period, p.fields['PersAcc'], p.amount
('cp1251', Period(year=2026, month=8), '12345', Decimal('4850.00'))
>>> p.missing_mandatory()
['PersonalAcc', 'BankName', 'BIC', 'CorrespAcc']
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from .periods import Period
from .rounding import money

__all__ = ['MANDATORY', 'build', 'parse', 'ParsedPayment', 'receipt_fields',
           'QRError']

MANDATORY = ('Name', 'PersonalAcc', 'BankName', 'BIC', 'CorrespAcc')
OPTIONAL = (
    'Sum', 'Purpose', 'PayeeINN', 'PayerINN', 'DrawerStatus', 'KPP', 'CBC',
    'OKTMO', 'PaytReason', 'TaxPeriod', 'DocNo', 'DocDate', 'TaxPaytKind',
    'LastName', 'FirstName', 'MiddleName', 'PayerAddress', 'PersonalAccount',
    'DocIdx', 'PensAcc', 'Contract', 'PersAcc', 'Flat', 'Phone',
    'PayerIdType', 'PayerIdNum', 'ChildFio', 'BirthDate', 'PaymTerm',
    'PaymPeriod', 'Category', 'ServiceName', 'CounterId', 'CounterVal',
    'QuittId', 'QuittDate', 'InstNum', 'ClassNum', 'SpecFio', 'AddAmount',
    'RuleId', 'ExecId', 'RegType', 'UIN', 'TechCode')
CANONICAL = {key.lower(): key for key in MANDATORY + OPTIONAL}
ENCODINGS = {'1': 'cp1251', '2': 'utf-8', '3': 'koi8-r'}
DIGITS = {codec: digit for digit, codec in ENCODINGS.items()}
SEPARATORS = '|#;:^_~{}!$%&()*+,/@'
MANDATORY_LIMIT = 300


class QRError(ValueError):
    """A payment string that cannot be built or read."""


def _separator(values: Iterable[str]) -> str:
    values = list(values)
    for candidate in SEPARATORS:
        if not any(candidate in value for value in values):
            return candidate
    raise QRError('every separator character occurs in some value')


def build(fields: Iterable[tuple[str, str]], encoding: str = 'utf-8') -> str:
    """The payment string for ``fields`` (mandatory ones first).

    G-QR1:

    >>> text = build(receipt_fields(
    ...     name='ООО «УК Пример»', account='40702810200000012345',
    ...     bank='ПАО Сбербанк', bic='044525225',
    ...     correspondent='30101810400000000225', inn='7701234567',
    ...     kpp='770101001', amount=Decimal('12183.51'),
    ...     personal_account='1000234567', period=Period(2026, 1),
    ...     last_name='Иванов'))
    >>> len(text), len(text.encode('utf-8'))
    (285, 328)
    """
    fields = [(CANONICAL.get(k.lower(), k), str(v)) for k, v in fields]
    keys = [k for k, _ in fields]
    if tuple(keys[:5]) != MANDATORY:
        raise QRError(f'the first fields must be {", ".join(MANDATORY)}')
    if encoding not in DIGITS:
        raise QRError(f'unsupported encoding {encoding!r}')
    separator = _separator(v for _, v in fields)
    mandatory = separator.join(f'{k}={v}' for k, v in fields[:5])
    if len(mandatory.encode(encoding)) > MANDATORY_LIMIT:
        raise QRError('the mandatory block exceeds 300 bytes')
    body = separator.join(f'{k}={v}' for k, v in fields)
    return f'ST0001{DIGITS[encoding]}{separator}{body}'


def receipt_fields(*, name, account, bank, bic, correspondent, inn, kpp,
                   amount, personal_account, period: Period,
                   last_name='', purpose=None, uin='', tech_code='02'):
    """Fields of an ЖКУ receipt in the order of G-QR1 [P]."""
    purpose = purpose or (f'Оплата ЖКУ за {period.month:02d}.{period.year},'
                          f' ЛС {personal_account}')
    kopecks = int(money(amount) * 100)
    fields = [('Name', name), ('PersonalAcc', account), ('BankName', bank),
              ('BIC', bic), ('CorrespAcc', correspondent),
              ('PayeeINN', inn), ('KPP', kpp), ('Sum', str(kopecks)),
              ('Purpose', purpose), ('PersAcc', personal_account),
              ('PaymPeriod', period.mmyyyy)]
    if last_name:
        fields.append(('LastName', last_name))
    if uin:
        fields.append(('UIN', uin))
    fields.append(('TechCode', tech_code))
    return fields


@dataclass(frozen=True)
class ParsedPayment:
    version: str
    encoding: str
    separator: str
    fields: dict = field(default_factory=dict)

    @property
    def amount(self) -> Decimal | None:
        value = self.fields.get('Sum')
        return None if value is None else money(Decimal(value) / 100)

    @property
    def period(self) -> Period | None:
        value = self.fields.get('PaymPeriod')
        if not value:
            return None
        try:
            return Period.parse(value)
        except ValueError:
            return None

    def missing_mandatory(self) -> list[str]:
        return [key for key in MANDATORY if not self.fields.get(key)]

    @property
    def is_strictly_valid(self) -> bool:
        return not self.missing_mandatory()


def parse(text: str | bytes) -> ParsedPayment:
    """Read a payment string leniently (keys case-insensitive, trailing
    separator allowed). Bytes are decoded by the header's encoding digit.

    G-QR3 (a real 2021 receipt):

    >>> p = parse('ST00012|Name=ООО "ИВЦ-Ижевск"|'
    ...   'PersonalAcc=40702810268000010356|'
    ...   'BankName=Сбербанк Удмуртское отделение №8618|BIC=049401601|'
    ...   'CorrespAcc=30101810400000000601|PayeeINN=1841008627|'
    ...   'PersAcc=210042076|Sum=299441|PaymPeriod=0521|'
    ...   'UIN=20МВ875415-07-1051|TechCode=02')
    >>> p.version, p.encoding, p.amount, str(p.period)
    ('0001', 'utf-8', Decimal('2994.41'), '2021-05')
    >>> p.fields['UIN']
    '20МВ875415-07-1051'
    """
    if isinstance(text, bytes):
        if len(text) < 8 or not text.startswith(b'ST'):
            raise QRError('not a ГОСТ Р 56042 payment string')
        codec = ENCODINGS.get(chr(text[6]))
        if codec is None:
            raise QRError('unknown encoding digit')
        text = text.decode(codec)
    if len(text) < 8 or not text.startswith('ST'):
        raise QRError('not a ГОСТ Р 56042 payment string')
    version, digit, separator = text[2:6], text[6], text[7]
    if digit not in ENCODINGS:
        raise QRError(f'unknown encoding digit {digit!r}')
    fields = {}
    for item in text[8:].split(separator):
        if not item:
            continue
        key, _, value = item.partition('=')
        fields[CANONICAL.get(key.strip().lower(), key.strip())] = value
    return ParsedPayment(version, ENCODINGS[digit], separator, fields)
