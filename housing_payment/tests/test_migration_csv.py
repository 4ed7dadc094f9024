# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"The reading of migration files, without a database."
import datetime as dt
import doctest
import unittest
from decimal import Decimal
from fractions import Fraction

from .. import migration_csv
from ..migration_csv import (
    BadValue,
    decode,
    header_map,
    parse,
    parse_date,
    parse_money,
    parse_period,
    parse_share,
    read_rows,
)
from ..migration_layout import ACCOUNTS, METERS, RESIDENTS


class MigrationCsvTestCase(unittest.TestCase):
    "Test the parsing of migration files"

    def assert_bad(self, func, text, message):
        with self.assertRaises(BadValue) as context:
            func(text)
        self.assertEqual(context.exception.message, message)

    def test_doctests(self):
        "The examples of the module's docstrings hold"
        failed, attempted = doctest.testmod(migration_csv)
        self.assertEqual(failed, 0)
        self.assertGreater(attempted, 0)

    def test_encodings(self):
        "UTF-8 with or without BOM, else Windows-1251"
        text = 'Лицевой счёт;Плательщик\n'
        self.assertEqual(decode(text.encode('utf-8')), (text, 'utf-8'))
        self.assertEqual(
            decode(b'\xef\xbb\xbf' + text.encode('utf-8')), (text, 'utf-8'))
        self.assertEqual(decode(text.encode('cp1251')), (text, 'cp1251'))
        self.assert_bad(decode, b'\x98\xff\xfe', 'msg_migration_encoding')

    def test_delimiters_and_lines(self):
        "';' or ',' as the header uses; blank lines skipped, lines counted"
        header, rows = read_rows('a,b\n\n"1,5",2\n3,4\n')
        self.assertEqual(header, ['a', 'b'])
        self.assertEqual(rows, [(3, ['1,5', '2']), (4, ['3', '4'])])
        header, rows = read_rows('a;b\n1,5;2\n')
        self.assertEqual(rows, [(2, ['1,5', '2'])])

    def test_russian_headers(self):
        "Aliases in any case, ё as е; unknown names returned"
        positions, unknown = header_map(ACCOUNTS,
            ['ЛИЦЕВОЙ СЧЁТ', 'Дом', 'помещение', 'Дата_открытия',
                'Плательщик', 'Цвет'])
        self.assertEqual(positions, {0: 'number', 1: 'building',
                2: 'premises', 3: 'opened', 4: 'payer'})
        self.assertEqual(unknown, ['Цвет'])

    def test_dates(self):
        "DD.MM.YYYY and YYYY-MM-DD; a day that does not exist is refused"
        self.assertEqual(parse_date('01.03.2024'), dt.date(2024, 3, 1))
        self.assertEqual(parse_date('2024-03-01'), dt.date(2024, 3, 1))
        for text in ['31.02.2024', '2024/03/01', '1.3.24', 'вчера']:
            self.assert_bad(parse_date, text, 'msg_migration_bad_date')
        self.assertEqual(parse_period('01.03.2024'), dt.date(2024, 3, 1))
        self.assert_bad(parse_period, '13.2023', 'msg_migration_bad_period')

    def test_numbers_and_shares(self):
        "Money in kopecks; shares as fractions or decimals, 0 < share <= 1"
        self.assertEqual(parse_money('-1 234,5'), Decimal('-1234.50'))
        self.assert_bad(parse_money, '10,005', 'msg_migration_bad_money')
        self.assert_bad(parse_money, '1.2.3', 'msg_migration_bad_number')
        self.assertEqual(parse_share('1/2'), Fraction(1, 2))
        self.assertEqual(parse_share('0,25'), Fraction(1, 4))
        for text in ['0', '3/2', '1/0', 'половина']:
            self.assert_bad(parse_share, text, 'msg_migration_bad_share')

    def test_columns(self):
        "Required, defaults and choices by their Russian names"
        columns = {c.name: c for c in ACCOUNTS + METERS}
        self.assert_bad(lambda t: parse(columns['number'], t), ' ',
            'msg_migration_required')
        self.assertEqual(parse(columns['zones'], ''), 1)
        self.assertEqual(parse(columns['share'], ''), Fraction(1))
        kind = {c.name: c for c in RESIDENTS}['kind']
        self.assertEqual(parse(kind, 'Временная'), 'temporary')
        with self.assertRaises(BadValue) as context:
            parse(kind, 'вечная')
        self.assertIn('постоянная', context.exception.params['choices'])
