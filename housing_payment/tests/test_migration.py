# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""Migration from another billing system: a clean set of files imports and
equals the files (the balance of an account is its receivable sum), every
kind of problem is reported with file, line, column and value and nothing
is written, UTF-8 and cp1251, a second import is refused."""
import datetime as dt
import os
import unittest
from decimal import Decimal

from trytond.modules.company.tests import create_company, set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import (
    activate_module,
    drop_db,
    with_transaction,
)

from housing_billing.penalty import (
    posted_allocations,
    posted_debts,
)
from housing_billing.tests.penalty_tools import (
    ledger_account,
    pay,
    setup_ledger,
)
from housing_billing.tests.tools import create_service

from ..exceptions import MigrationError

D = dt.date
SAMPLES = os.path.join(os.path.dirname(__file__), 'migration')
KINDS = ['buildings', 'premises', 'accounts', 'owners', 'residents',
    'meters', 'balances']
ADDRESS = "г. Тверь, ул. Миграционная, д. 7"


def sample(kind):
    with open(os.path.join(SAMPLES, kind + '.csv'), 'rb') as file:
        return file.read()


def receivable_balance(account):
    "The personal account's balance: the sum of its receivable lines."
    Line = Pool().get('account.move.line')
    return sum((line.debit - line.credit for line in Line.search(
                [('housing_account', '=', account.id)])), Decimal(0))


def setup_company_ledger(company):
    setup_ledger(company, [2023, 2024])
    for code, uom in [
            ('cold_water', 'product.uom_cubic_meter'),
            ('electricity', 'product.uom_unit'),
            ('maintenance', 'product.uom_square_meter')]:
        create_service(code, uom=uom)


def new_migration(files, **values):
    pool = Pool()
    Migration = pool.get('housing.migration')
    ModelData = pool.get('ir.model.data')
    values.setdefault('name', "Переход с прежней системы")
    values.setdefault('balance_date', D(2023, 12, 31))
    values.setdefault('journal', ModelData.get_id(
            'account', 'journal_miscellaneous'))
    values.setdefault('counterpart_account', ledger_account('84').id)
    for kind, data in files.items():
        values[kind + '_file'] = data
        values[kind + '_filename'] = kind + '.csv'
    migration, = Migration.create([values])
    return migration


def problems(migration):
    return {(p.file, p.line, p.column, p.value) for p in migration.problems}


class MigrationTestCase(unittest.TestCase):
    "Test the migration import"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        drop_db()
        activate_module(['housing_payment', 'l10n_ru_housing'])

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        drop_db()

    def dry_run(self, files, **values):
        Migration = Pool().get('housing.migration')
        migration = new_migration(files, **values)
        Migration.dry_run([migration])
        return migration

    def assert_nothing_written(self):
        pool = Pool()
        for model in ['housing.building', 'housing.premises',
                'housing.account', 'housing.owner', 'housing.resident',
                'housing.meter', 'housing.meter.reading',
                'housing.migration.balance']:
            self.assertEqual(pool.get(model).search([], count=True), 0,
                model)
        Line = pool.get('account.move.line')
        self.assertEqual(Line.search(
                [('housing_account', '!=', None)], count=True), 0)

    def import_samples(self):
        Migration = Pool().get('housing.migration')
        migration = self.dry_run({k: sample(k) for k in KINDS})
        self.assertEqual(
            [(p.file, p.line, p.column, p.value, p.message)
                for p in migration.problems], [])
        self.assertEqual(migration.state, 'checked')
        Migration.import_([migration])
        self.assertEqual(migration.state, 'done')
        return migration

    @with_transaction()
    def test_clean_set_imports(self):
        "The sample files import and the records equal the files"
        pool = Pool()
        Building = pool.get('housing.building')
        Account = pool.get('housing.account')
        Meter = pool.get('housing.meter')
        company = create_company()
        with set_company(company):
            setup_company_ledger(company)
            self.import_samples()
            building, = Building.search([])
            self.assertEqual(building.address, ADDRESS)
            self.assertEqual(building.fias_code,
                '0c5b2444-70a0-4932-980c-b4dc0d3f02b5')
            self.assertEqual(building.floors, 5)
            self.assertEqual(building.area_at(D(2023, 6, 1)).total_area,
                Decimal('420.50'))
            premises = {p.number: p for p in building.premises}
            self.assertEqual(sorted(premises), ['1', '2', '3', 'Н1'])
            self.assertEqual(premises['2'].ownership_form, 'municipal')
            self.assertEqual(premises['Н1'].kind, 'non_residential')
            self.assertEqual(
                premises['1'].area_at(D(2023, 1, 1)).living_area,
                Decimal('30.10'))
            accounts = {a.number: a for a in Account.search([])}
            self.assertEqual(len(accounts), 4)
            self.assertEqual(
                (accounts['9100000002'].share_numerator,
                    accounts['9100000002'].share_denominator), (1, 2))
            self.assertEqual(accounts['9100000004'].opened, D(2023, 3, 15))
            self.assertEqual(
                accounts['9100000001'].payer_at(D(2023, 6, 1)).party.name,
                "Петров Пётр Петрович")
            owners = premises['1'].owners
            self.assertEqual(
                sorted((o.party.name, o.share_numerator,
                        o.share_denominator, o.document_kind)
                    for o in owners),
                [("Петров Пётр Петрович", 1, 2, 'egrn'),
                    ("Петрова Ольга Сергеевна", 1, 2, 'egrn')])
            # One party per name: the payer is also owner and resident.
            self.assertEqual(owners[0].party.id in {
                    r.party.id for r in accounts['9100000001'].residents},
                True)
            self.assertEqual(
                [(r.kind, r.registered_to)
                    for r in accounts['9100000003'].residents],
                [('temporary', D(2027, 8, 31))])
            meters = {m.serial_number: m for m in Meter.search([])}
            self.assertEqual(len(meters), 4)
            self.assertEqual(meters['ОДПУ-7'].kind, 'common_house')
            electricity = meters['ЭЛ-200001']
            self.assertEqual(electricity.zones, 2)
            self.assertEqual(electricity.installation_values(),
                (Decimal('100'), Decimal('50')))
            reading, = electricity.readings
            self.assertEqual(
                (reading.date, reading.values, reading.source),
                (D(2023, 12, 25), (Decimal('4310'), Decimal('1520.5')),
                    'import'))
            self.assertEqual(meters['ХВ-100003'].readings, ())

    @with_transaction()
    def test_balances_posted(self):
        "Each account's receivable sum equals its balances in the file"
        pool = Pool()
        Account = pool.get('housing.account')
        company = create_company()
        with set_company(company):
            setup_company_ledger(company)
            migration = self.import_samples()
            accounts = {a.number: a for a in Account.search([])}
            self.assertEqual(
                {n: receivable_balance(a) for n, a in accounts.items()},
                {'9100000001': Decimal('3650.40'),
                    '9100000002': Decimal('980.15'),
                    '9100000003': Decimal('-500.00'),
                    '9100000004': Decimal('0')})
            move, = migration.moves
            self.assertEqual((move.state, move.date, move.journal),
                ('posted', D(2023, 12, 31), migration.journal))
            receivable = [line for line in move.lines if line.housing_account]
            for line in receivable:
                self.assertEqual(line.party,
                    line.housing_account.payer_at(D(2023, 12, 31)).party)
                self.assertEqual(line.account.code, '62.01')
            counterpart = {(line.debit, line.credit) for line in move.lines
                if line.account.code == '84'}
            self.assertEqual(counterpart,
                {(Decimal(0), Decimal('4630.55')),
                    (Decimal('500.00'), Decimal(0))})
            self.assertEqual(len(migration.balances), 6)

    @with_transaction()
    def test_debts_by_period(self):
        "The balances are debts by period: allocation and penalties see them"
        pool = Pool()
        Account = pool.get('housing.account')
        company = create_company()
        with set_company(company):
            setup_company_ledger(company)
            self.import_samples()
            first, = Account.search([('number', '=', '9100000001')])
            third, = Account.search([('number', '=', '9100000003')])
            self.assertEqual(
                posted_debts(company, [first.id], D(2024, 1, 1)),
                {first.id: {D(2023, 10, 1): Decimal('1200.00'),
                        D(2023, 11, 1): Decimal('2450.40')}})
            self.assertEqual(
                posted_debts(company, [first.id], D(2023, 10, 1)),
                {first.id: {D(2023, 10, 1): Decimal('1200.00')}})
            self.assertEqual(
                posted_allocations(company, [third.id], D(2024, 1, 31)),
                {third.id: [(D(2023, 12, 31), None, None,
                            Decimal('500.00'))]})
            payment = pay(first, D(2024, 1, 15), '1500.00')
            self.assertEqual(
                [(a.kind, a.period, a.amount) for a in payment.allocations],
                [('debt', D(2023, 10, 1), Decimal('1200.00')),
                    ('debt', D(2023, 11, 1), Decimal('300.00'))])
            self.assertEqual(receivable_balance(first), Decimal('2150.40'))

    @with_transaction()
    def test_second_import_refused(self):
        "The same files again: every record already there is a problem"
        company = create_company()
        with set_company(company):
            setup_company_ledger(company)
            self.import_samples()
            again = self.dry_run({k: sample(k) for k in KINDS})
            self.assertEqual(again.state, 'draft')
            found = problems(again)
            self.assertIn(('buildings', 2, 'address', ADDRESS), found)
            self.assertIn(('accounts', 2, 'number', '9100000001'), found)
            self.assertIn(('meters', 5, 'serial_number', 'ОДПУ-7'), found)

    @with_transaction()
    def test_errors_reported(self):
        "Every kind of error with file, line, column and value; no write"
        pool = Pool()
        Migration = pool.get('housing.migration')
        company = create_company()
        with set_company(company):
            setup_company_ledger(company)
            accounts = sample('accounts').decode() + (
                '9100000001;"%s";1;1;01.01.2023;;Дубль\n'
                '9100000005;"%s";99;1;01.01.2023;;Некто\n'
                '9100000006;"%s";Н1;1;31.02.2024;;Некто\n') % (
                ADDRESS, ADDRESS, ADDRESS)
            owners = sample('owners').decode().replace(
                'Петрова Ольга Сергеевна;1/2', 'Петрова Ольга Сергеевна;1/3')
            meters = sample('meters').decode().replace(
                '25.12.2023;123,456', '25.12.2023;-5').replace(
                ';electricity;', ';gas;')
            balances = sample('balances').decode() + (
                '9100000009;12.2023;;10,00\n'
                '9100000002;13.2023;;10,00\n')
            migration = self.dry_run({
                    'buildings': sample('buildings'),
                    'premises': sample('premises'),
                    'accounts': accounts.encode(),
                    'owners': owners.encode(),
                    'residents': sample('residents'),
                    'meters': meters.encode(),
                    'balances': balances.encode(),
                    })
            self.assertEqual(migration.state, 'draft')
            self.assertEqual(problems(migration), {
                    ('accounts', 6, 'number', '9100000001'),
                    ('accounts', 7, 'premises', '99'),
                    ('accounts', 8, 'opened', '31.02.2024'),
                    ('owners', 2, 'share', '1/2'),
                    ('meters', 2, 'reading_value1', '-5'),
                    ('meters', 3, 'service', 'gas'),
                    ('balances', 8, 'account', '9100000009'),
                    ('balances', 9, 'period', '13.2023'),
                    })
            messages = {(p.line, p.file): p.message
                for p in migration.problems}
            self.assertEqual(messages[(8, 'accounts')],
                'Column "opened": "31.02.2024" is not a date '
                '(DD.MM.YYYY or YYYY-MM-DD).')
            self.assertEqual(messages[(6, 'accounts')],
                'Column "number": "9100000001" repeats line 2.')
            self.assertIn('5/6', messages[(2, 'owners')])
            self.assertIn('"gas"', messages[(3, 'meters')])
            migration.state = 'checked'
            migration.save()
            with self.assertRaises(MigrationError):
                Migration.import_([migration])
            self.assert_nothing_written()

    @with_transaction()
    def test_file_problems(self):
        "Missing and unknown columns, field counts, the ledger settings"
        company = create_company()
        with set_company(company):
            setup_company_ledger(company)
            migration = self.dry_run({
                    'buildings': 'address;floors;colour\nA;x;red\n'.encode(),
                    'premises': (
                        'building;number;total_area\n'
                        '"%s";1;50;extra\n' % ADDRESS).encode(),
                    'accounts': sample('accounts'),
                    'balances': sample('balances'),
                    }, journal=None, balance_date=D(2022, 12, 31))
            found = problems(migration)
            self.assertLessEqual({
                    ('buildings', 1, 'colour', 'colour'),
                    ('buildings', 1, 'management_start', ''),
                    ('buildings', 1, 'total_area', ''),
                    ('premises', 2, '', '%s;1;50;extra' % ADDRESS),
                    ('accounts', 2, 'building', ADDRESS),
                    ('document', 0, 'Journal', ''),
                    ('document', 0, 'Balance Date', '31.12.2022'),
                    ('balances', 2, 'period', '10.2023'),
                    }, found)
            self.assert_nothing_written()

    @with_transaction()
    def test_cp1251_comma_russian_headers(self):
        "Windows-1251, ',' delimited, Russian headers import the same"
        pool = Pool()
        Account = pool.get('housing.account')
        Migration = pool.get('housing.migration')
        company = create_company()
        with set_company(company):
            setup_company_ledger(company)
            files = {
                'buildings': (
                    'Адрес,Начало управления,Общая площадь,Жилая площадь\n'
                    '"%s",01.01.2023,"420,50","350,50"\n' % ADDRESS),
                'premises': (
                    'Адрес дома,Номер помещения,Общая площадь\n'
                    '"%s",1,"52,30"\n' % ADDRESS),
                'accounts': (
                    'Лицевой счёт,Дом,Помещение,Доля,Дата открытия,'
                    'Плательщик\n'
                    '9100000001,"%s",1,1,2023-01-01,Ёлкин Семён\n'
                    % ADDRESS),
                'balances': (
                    'Лицевой счет,Период,Сумма\n'
                    '9100000001,2023-11,"1 234,56"\n'),
                }
            migration = self.dry_run(
                {k: v.encode('cp1251') for k, v in files.items()})
            self.assertEqual(
                [p.message for p in migration.problems], [])
            Migration.import_([migration])
            account, = Account.search([])
            self.assertEqual(account.payer_at(D(2023, 1, 1)).party.name,
                "Ёлкин Семён")
            self.assertEqual(receivable_balance(account),
                Decimal('1234.56'))

    @with_transaction()
    def test_changed_file_asks_for_dry_run(self):
        "A checked migration whose file changes is a draft again"
        company = create_company()
        with set_company(company):
            setup_company_ledger(company)
            migration = self.dry_run({'buildings': sample('buildings')})
            self.assertEqual(migration.state, 'checked')
            migration.premises_file = sample('premises')
            migration.save()
            self.assertEqual(migration.state, 'draft')
