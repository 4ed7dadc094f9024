# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""Registry files read from real-looking bytes: Sberbank's cp1251 layout, a
configured UTF-8 layout, a 1CClientBankExchange statement; files that must
be rejected whole; the split's conservation as a property."""
import datetime as dt
import unittest
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from housing_billing.engine.periods import Period
from housing_payment import split
from housing_payment.registry_format import (
    SBERBANK,
    FormatError,
    Layout,
    find_in_purpose,
    read_client_bank,
    read_registry,
)

SBERBANK_FILE = (
    '20.02.2026;14:35:12;8626;0123;456789;1000234567;ИВАНОВ ИВАН ИВАНОВИЧ;'
    'Г. ПРИМЕР, УЛ. ЛЕНИНА, Д. 1, КВ. 5;012026;6000.00;5928.00;72.00\r\n'
    '20.02.2026;15:01:40;8626;0123;456790;1000234568;ПЕТРОВА АННА СЕРГЕЕВНА;'
    'Г. ПРИМЕР, УЛ. ЛЕНИНА, Д. 1, КВ. 6;;1500,50;1482,49;18,01\r\n'
    '21.02.2026;09:12:03;8626;0045;000017;1000234569;СИДОРОВ П П;'
    'Г. ПРИМЕР, УЛ. ЛЕНИНА, Д. 1, КВ. 7;1225;250.00;247.00;3.00\r\n'
    '=3;7750.50;7657.49;93.01;1234;21.02.2026\r\n')

UTF8_LAYOUT = Layout(
    columns=('account', 'payer', 'date', 'amount', 'period', '-',
        'operation'),
    delimiter='|', encoding='utf-8', header_lines=2, total_marker='ИТОГО|',
    total_columns=('count', 'amount'), bank='vtb')
UTF8_FILE = (
    'Реестр платежей ВТБ № 17\n'
    'ЛС|ФИО|Дата|Сумма|Период|Касса|Операция\n'
    '1000234567|Иванов И. И.|03.03.2026|4 200,00|11.2025|К-1|A-1\n'
    '1000234570|Ёлкина Е. Е.|03.03.2026|99.99||К-2|A-2\n'
    'ИТОГО|2|4299.99\n')

CLIENT_BANK_FILE = '\r\n'.join([
    '1CClientBankExchange', 'ВерсияФормата=1.03', 'Кодировка=Windows',
    'Отправитель=Банк-клиент', 'ДатаНачала=20.02.2026',
    'ДатаКонца=20.02.2026', 'РасчСчет=40703810200000012345',
    'СекцияРасчСчет', 'РасчСчет=40703810200000012345',
    'НачальныйОстаток=150000.00', 'ВсегоПоступило=6000.00',
    'ВсегоСписано=100.00', 'КонечныйОстаток=155900.00', 'КонецРасчСчет',
    'СекцияДокумент=Платежное поручение', 'Номер=77', 'Дата=20.02.2026',
    'Сумма=6000.00', 'ПлательщикСчет=40817810500000001111',
    'Плательщик=ИВАНОВ ИВАН ИВАНОВИЧ',
    'ПолучательСчет=40703810200000012345', 'ДатаПоступило=20.02.2026',
    'НазначениеПлатежа=Оплата ЖКУ за 01.2026, ЛС 1000234567',
    'КонецДокумента',
    'СекцияДокумент=Платежное поручение', 'Номер=12', 'Дата=20.02.2026',
    'Сумма=100.00', 'ПлательщикСчет=40703810200000012345',
    'ДатаСписано=20.02.2026', 'ПолучательСчет=40702810900000000001',
    'НазначениеПлатежа=Комиссия банка', 'КонецДокумента',
    'КонецФайла', ''])


class RegistryFormatTestCase(unittest.TestCase):
    "Test the registry readers"

    def rejected(self, data, layout):
        with self.assertRaises(FormatError) as context:
            read_registry(data, layout)
        return context.exception

    def test_sberbank_cp1251(self):
        "Sberbank's layout in cp1251: fields, decimal comma, totals"
        registry = read_registry(SBERBANK_FILE.encode('cp1251'), SBERBANK)
        self.assertEqual(len(registry.lines), 3)
        first, second, third = registry.lines
        self.assertEqual(
            (first.number, first.paid_on, first.account, first.period,
                first.amount, first.commission, first.transferred,
                first.payer),
            (1, dt.date(2026, 2, 20), '1000234567', Period(2026, 1),
                Decimal('6000.00'), Decimal('72.00'), Decimal('5928.00'),
                'ИВАНОВ ИВАН ИВАНОВИЧ'))
        self.assertIsNone(second.period)
        self.assertEqual(second.amount, Decimal('1500.50'))
        self.assertEqual(third.period, Period(2025, 12))
        self.assertEqual(registry.amount, Decimal('7750.50'))
        self.assertEqual(registry.commission, Decimal('93.01'))
        self.assertEqual(registry.order_number, '1234')
        self.assertEqual(registry.order_date, dt.date(2026, 2, 21))
        self.assertEqual(len({line.key for line in registry.lines}), 3)

    def test_configured_utf8(self):
        "A configured layout: UTF-8, '|', header lines, column map, totals"
        registry = read_registry(UTF8_FILE.encode('utf-8'), UTF8_LAYOUT)
        first, second = registry.lines
        self.assertEqual(
            (first.number, first.account, first.payer, first.amount,
                first.period, first.operation, first.bank),
            (3, '1000234567', 'Иванов И. И.', Decimal('4200.00'),
                Period(2025, 11), 'A-1', 'vtb'))
        self.assertEqual(second.payer, 'Ёлкина Е. Е.')
        # The BOM of a file saved by Excel is no field
        registry = read_registry(
            b'\xef\xbb\xbf' + UTF8_FILE.encode('utf-8'), UTF8_LAYOUT)
        self.assertEqual(len(registry.lines), 2)

    def test_bad_encoding(self):
        "A cp1251 file read as UTF-8: rejected on its first Cyrillic line"
        error = self.rejected(UTF8_FILE.encode('cp1251'), UTF8_LAYOUT)
        self.assertEqual((error.code, error.line), ('encoding', 1))
        data = SBERBANK_FILE.encode('cp1251').replace(b'456790', b'45\x9890')
        error = self.rejected(data, SBERBANK)
        self.assertEqual((error.code, error.line), ('encoding', 2))

    def test_totals_do_not_add_up(self):
        "A total line that does not match the lines rejects the file"
        for old, new, column in [
                ('=3;', '=4;', 'count'),
                (';7750.50;', ';7750.51;', 'amount'),
                (';93.01;', ';93.00;', 'commission')]:
            error = self.rejected(
                SBERBANK_FILE.replace(old, new).encode('cp1251'), SBERBANK)
            self.assertEqual((error.code, error.line), ('total', 4))
            self.assertEqual(error.values['column'], column)
        error = self.rejected(SBERBANK_FILE.rsplit('=', 1)[0].encode(
                'cp1251'), SBERBANK)
        self.assertEqual(error.code, 'no_total')

    def test_bad_lines(self):
        "A short line, a bad amount, a bad date, net ≠ amount − commission"
        lines = SBERBANK_FILE.split('\r\n')
        for index, bad, code in [
                (1, lines[1].rsplit(';', 1)[0], 'columns'),
                (1, lines[1].replace('1500,50', '1500,5O'), 'amount'),
                (1, lines[1].replace('1500,50', '-1500,50'), 'amount'),
                (1, lines[1].replace('1500,50', '1500,505'), 'amount'),
                (2, lines[2].replace('21.02.2026', '31.02.2026'), 'date'),
                (2, lines[2].replace(';1225;', ';1325;'), 'period'),
                (0, lines[0].replace('5928.00', '5929.00'), 'net')]:
            data = '\r\n'.join(lines[:index] + [bad] + lines[index + 1:])
            error = self.rejected(data.encode('cp1251'), SBERBANK)
            self.assertEqual((error.code, error.line), (code, index + 1))

    def test_unknown_columns(self):
        "A layout naming an unknown column or missing the amount"
        for columns, column in [
                (('account', 'date', 'amount', 'colour'), 'colour'),
                (('account', 'date'), 'amount')]:
            with self.assertRaises(FormatError) as context:
                read_registry(b'', Layout(columns=columns))
            self.assertEqual(context.exception.values['column'], column)

    def test_line_after_total(self):
        "A payment after the total line rejects the file"
        lines = SBERBANK_FILE.split('\r\n')
        data = '\r\n'.join(lines[:3] + [lines[3], lines[2]])
        error = self.rejected(data.encode('cp1251'), SBERBANK)
        self.assertEqual((error.code, error.line), ('after_total', 5))

    def test_client_bank(self):
        "1CClientBankExchange: the incoming document, ЛС and period found"
        registry = read_client_bank(
            CLIENT_BANK_FILE.encode('cp1251'), ['40703810200000012345'])
        line, = registry.lines
        self.assertEqual(
            (line.number, line.paid_on, line.amount, line.account,
                line.period, line.payer),
            (15, dt.date(2026, 2, 20), Decimal('6000.00'), '1000234567',
                Period(2026, 1), 'ИВАНОВ ИВАН ИВАНОВИЧ'))
        # Re-saved in UTF-8 while still declaring Windows
        registry = read_client_bank(CLIENT_BANK_FILE.encode('utf-8'))
        self.assertEqual(registry.lines[0].account, '1000234567')

    def test_client_bank_rejected(self):
        "No marker, no end, an unclosed document: rejected with the line"
        for data, code, line in [
                (CLIENT_BANK_FILE.replace('1CClientBankExchange', 'X'),
                    'client_bank_marker', 1),
                (CLIENT_BANK_FILE.replace('КонецФайла', ''),
                    'client_bank_end', 33),
                (CLIENT_BANK_FILE.replace('КонецДокумента', '', 1),
                    'client_bank_section', 25)]:
            with self.assertRaises(FormatError) as context:
                read_client_bank(data.encode('cp1251'))
            self.assertEqual(
                (context.exception.code, context.exception.line),
                (code, line))

    def test_purpose(self):
        "The personal account and the period in purposes (§A.7)"
        for text, account, period in [
                ('Оплата ЖКУ за 01.2026, ЛС 1000234567', '1000234567',
                    Period(2026, 1)),
                ('кв/плата л/с № 000123 за декабрь 2025', '000123',
                    Period(2025, 12)),
                ('Лицевой счет: 55501 период 0326', '55501',
                    Period(2026, 3)),
                ('PersAcc=1000234567|PaymPeriod=112025', '1000234567',
                    Period(2025, 11)),
                ('Оплата по счету 15 от 01.02.2026', '', None)]:
            found = find_in_purpose(text)
            self.assertEqual((found.account, found.period),
                (account, period), text)


owed_amounts = st.dictionaries(
    st.integers(1, 12), st.decimals('0.01', '100000', places=2),
    min_size=1, max_size=8)


class SplitPropertyTestCase(unittest.TestCase):
    "Test the split's conservation"

    @given(owed_amounts, st.decimals('0.01', '500000', places=2),
        owed_amounts)
    def test_parts_add_up(self, owed, amount, charged):
        "The parts add up to the amount; none exceeds what is owed"
        parts = split.split_amount(amount, owed, charged)
        self.assertEqual(sum(parts.values()), amount)
        self.assertTrue(all(p > 0 for p in parts.values()))
        if amount <= sum(owed.values()):
            for service, part in parts.items():
                self.assertLessEqual(part, owed[service])
                exact = amount * owed[service] / sum(owed.values())
                self.assertLess(abs(part - exact), Decimal('0.01'))
