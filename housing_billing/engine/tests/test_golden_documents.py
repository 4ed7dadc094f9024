"""Golden cases, section E: ЕПД totals, QR string, bank registries."""
from __future__ import annotations

import hashlib

import pytest

from housing_billing.engine import qr
from housing_billing.engine.allocation import Debt, allocate
from housing_billing.engine.bank_account import (
    is_valid_correspondent,
    is_valid_settlement,
)
from housing_billing.engine.periods import Period
from housing_billing.engine.registry import (
    RegistryError,
    new_payments,
    parse_registry,
)
from housing_billing.engine.statement import statement_totals

from .fixtures import D, day

D1_ROWS = [D(x) for x in ('1759.32', '365.70', '707.05', '406.05', '10.68',
                          '1601.40', '5639.14', '429.17', '65.00')]


def test_G_D1_epd_totals():
    totals = statement_totals(D1_ROWS, opening_balance=D('1200.00'),
                              penalty=D('134.39'))
    assert totals.period_total == D('10983.51')
    assert totals.total_to_pay == D('12183.51')
    assert totals.penalty == D('134.39')
    assert totals.total_with_penalty == D('12317.90')
    no_shift = statement_totals(D1_ROWS, D('1200.00'), D('137.34'))
    assert no_shift.total_with_penalty == D('12320.85')
    advance = statement_totals(D1_ROWS, opening_balance=D('-350.00'))
    assert advance.total_to_pay == D('10633.51')


def test_G_D2_advance_larger_than_the_bill():
    totals = statement_totals([D('2500.00')], opening_balance=D('-3000.00'))
    assert totals.total_to_pay == D('0.00')
    assert totals.carried_advance == D('500.00')


QR1 = ('ST00012|Name=ООО «УК Пример»|PersonalAcc=40702810200000012345|'
       'BankName=ПАО Сбербанк|BIC=044525225|CorrespAcc=30101810400000000225|'
       'PayeeINN=7701234567|KPP=770101001|Sum=1218351|Purpose=Оплата ЖКУ за '
       '01.2026, ЛС 1000234567|PersAcc=1000234567|PaymPeriod=012026|'
       'LastName=Иванов|TechCode=02')


def test_G_QR1_build_payment_string():
    text = qr.build(qr.receipt_fields(
        name='ООО «УК Пример»', account='40702810200000012345',
        bank='ПАО Сбербанк', bic='044525225',
        correspondent='30101810400000000225', inn='7701234567',
        kpp='770101001', amount=D('12183.51'), personal_account='1000234567',
        period=Period(2026, 1), last_name='Иванов'))
    assert text == QR1
    data = text.encode('utf-8')
    assert (len(text), len(data)) == (285, 328)
    mandatory = text[8:].split('|PayeeINN=')[0]
    assert len(mandatory.encode('utf-8')) == 145
    assert hashlib.sha256(data).hexdigest() == (
        'bad503a2f3dd660d90856d16d967ae5f25fb755a463a92b1cdb558eb007f6bd9')


def test_QR_separator_changes_when_a_value_contains_the_bar():
    text = qr.build([('Name', 'A|B'), ('PersonalAcc', '1'),
                     ('BankName', 'b'), ('BIC', '1'), ('CorrespAcc', '1')])
    assert text.startswith('ST00012#Name=A|B#')
    assert qr.parse(text).fields['Name'] == 'A|B'


@pytest.mark.parametrize('bic, account, kind, valid', [
    ('044525225', '40702810200000012345', 'settlement', True),
    ('044525225', '30101810400000000225', 'correspondent', True),
    ('049401601', '40702810268000010356', 'settlement', True),
    ('049401601', '30101810400000000601', 'correspondent', True),
    ('044525225', '40702810900000012345', 'settlement', False)])
def test_G_QR2_account_control_key(bic, account, kind, valid):
    check = (is_valid_settlement if kind == 'settlement'
             else is_valid_correspondent)
    assert check(bic, account) is valid


QR3 = ('ST00012|Name=ООО "ИВЦ-Ижевск"|PersonalAcc=40702810268000010356|'
       'BankName=Сбербанк Удмуртское отделение №8618|BIC=049401601|'
       'CorrespAcc=30101810400000000601|PayeeINN=1841008627|'
       'PersAcc=210042076|Sum=299441|PayerAddress=Г.ИЖЕВСК, УЛ. РАКЕТНАЯ '
       'Д.42 КВ.76|PaymPeriod=0521|LastName=КАМАЕВ|FirstName=А.|'
       'MiddleName=Ф.|UIN=20МВ875415-07-1051|TechCode=02')


def test_G_QR3_parse_real_receipt():
    parsed = qr.parse(QR3.encode('utf-8'))
    assert (parsed.version, parsed.encoding, parsed.separator) == (
        '0001', 'utf-8', '|')
    assert parsed.fields['PersAcc'] == '210042076'
    assert parsed.amount == D('2994.41')
    assert parsed.period == Period(2021, 5)
    assert parsed.fields['UIN'] == '20МВ875415-07-1051'
    assert parsed.fields['TechCode'] == '02'
    assert parsed.is_strictly_valid
    assert is_valid_settlement(parsed.fields['BIC'],
                               parsed.fields['PersonalAcc'])
    assert is_valid_correspondent(parsed.fields['BIC'],
                                  parsed.fields['CorrespAcc'])


def test_G_QR4_lenient_and_strict_parsing():
    text = ('ST00011|Name=ООО "УК Пример"|PayeeINN=6100000001|'
            'KPP=610001001|Sum=485000|paymPeriod=082026|persAcc=12345|')
    parsed = qr.parse(text.encode('cp1251'))
    assert parsed.encoding == 'cp1251'
    assert parsed.period == Period(2026, 8)
    assert parsed.fields['PersAcc'] == '12345'
    assert parsed.amount == D('4850.00')
    assert '' not in parsed.fields
    assert not parsed.is_strictly_valid
    assert parsed.missing_mandatory() == ['PersonalAcc', 'BankName', 'BIC',
                                          'CorrespAcc']


B1_LINE = ('20.02.2026;14:35:12;8626;0123;456789;1000234567;ИВАНОВ ИВАН '
           'ИВАНОВИЧ;Г. ПРИМЕР, УЛ. ЛЕНИНА, Д. 1, КВ. 5;012026;6000.00;'
           '5928.00;72.00')
B1_FILE = (B1_LINE + '\r\n=1;6000.00;5928.00;72.00;1234;21.02.2026\r\n'
           ).encode('cp1251')


def test_G_B1_registry_line_to_payment():
    registry = parse_registry(B1_FILE)
    [payment] = registry.payments
    assert payment.account == '1000234567'
    assert payment.paid_on == day('20.02.2026')
    assert payment.period == Period(2026, 1)
    assert payment.amount == D('6000.00')
    assert payment.commission == D('72.00')
    assert payment.transferred == D('5928.00')
    assert payment.commission / payment.amount * 100 == D('1.2')
    assert (registry.order_number, registry.order_date) == (
        '1234', day('21.02.2026'))
    debts = [Debt(Period(2025, 11), D('4200.00')),
             Debt(Period(2025, 12), D('4650.00')),
             Debt(Period(2026, 1), D('5000.00'))]
    allocation = allocate([payment.as_payment()], debts)
    assert [(a.period, a.amount) for a in allocation.applications] == [
        (Period(2026, 1), D('5000.00')), (Period(2025, 11), D('1000.00'))]
    # The penalty of 193.89 (196.84 without the shift) is asserted in
    # test_golden_penalties.test_G_B1_allocation_and_penalty_...


def test_G_B2_registry_integrity():
    first = parse_registry(B1_FILE)
    seen = [p.key for p in new_payments(first, [])]
    assert len(seen) == 1
    assert new_payments(parse_registry(B1_FILE), seen) == []
    tampered = B1_FILE.replace(b'=1;6000.00', b'=1;6100.00')
    with pytest.raises(RegistryError, match='sum mismatch'):
        parse_registry(tampered)
