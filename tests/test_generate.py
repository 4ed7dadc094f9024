# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""The dataset generator (bench/generate.py) writes valid records.

Its bulk path bypasses the ORM, so every generated record is validated
again here through the ORM, the flags of every reading are recomputed as
Reading.create would set them, and the rows are compared with what the
ORM writes for the same kind of record."""
import datetime as dt
import importlib.util
import sys
import unittest
from collections import Counter, defaultdict
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from trytond import backend
from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction
from trytond.transaction import Transaction

ACCOUNTS = 40
MODELS = [
    'housing.building', 'housing.building.area', 'housing.premises',
    'housing.premises.area', 'housing.owner', 'housing.account',
    'housing.account.payer', 'housing.resident', 'housing.absence',
    'housing.account.service', 'housing.service', 'housing.tariff',
    'housing.tariff.rate', 'housing.normative', 'housing.meter',
    'housing.meter.reading', 'party.party', 'party.identifier',
    ]


def load_generator():
    path = Path(__file__).resolve().parent.parent / 'bench' / 'generate.py'
    if 'generate' not in sys.modules:
        spec = importlib.util.spec_from_file_location('generate', path)
        module = importlib.util.module_from_spec(spec)
        sys.modules['generate'] = module
        spec.loader.exec_module(module)
    return sys.modules['generate']


def rows(query, *params):
    cursor = Transaction().connection.cursor()
    cursor.execute(query, params)
    return cursor.fetchall()


def count(table):
    return rows('SELECT COUNT(*) FROM "%s"' % table)[0][0]


class GenerateTestCase(unittest.TestCase):
    "Test the dataset generator"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        activate_module(['housing_billing'])
        cls.generate = load_generator()

    @with_transaction()
    def test_generate(self):
        "Generate a small dataset and validate it through the ORM"
        pool = Pool()
        generate = self.generate
        Date = pool.get('ir.date')

        # On PostgreSQL, drop the secondary indexes during the load and
        # create them again, as the command line does
        summary = generate.generate(ACCOUNTS, seed=1, months=24,
            indexes=backend.name != 'postgresql')
        self.assertEqual(summary['housing_account'], ACCOUNTS)
        self.assertEqual(summary['plan accounts'], ACCOUNTS)
        end = generate.default_end(Date.today())

        Company = pool.get('company.company')
        company, = Company.search([])
        with Transaction().set_context(
                company=company.id, companies=[company.id],
                _check_access=False):
            self.check_validation()
            self.check_counts()
            self.check_history()
            self.check_features(end)
            self.check_reading_flags()
            self.check_parties_as_orm()
            self.check_users(company)

        # Generating again adds nothing: the buildings are there
        again = generate.generate(ACCOUNTS, seed=1, months=24)
        for table in ['housing_building', 'housing_account',
                'housing_meter_reading', 'housing_tariff',
                'housing_normative']:
            self.assertEqual(again[table], summary[table], table)

    def check_validation(self):
        "Every record passes the ORM's validation"
        pool = Pool()
        for name in MODELS:
            Model = pool.get(name)
            records = Model.search([])
            self.assertTrue(records, name)
            # Field checks (required, domains, digits, selections, ...)
            # then the model's validate
            Model._validate(records)

    def check_counts(self):
        "Accounts, numbers and shares"
        Account = Pool().get('housing.account')
        accounts = Account.search([])
        self.assertEqual(len(accounts), ACCOUNTS)
        numbers = [a.number for a in accounts]
        self.assertEqual(len(set(numbers)), ACCOUNTS)
        self.assertTrue(all(len(n) == 10 and n.isdigit() for n in numbers))
        for table in ['housing_building', 'housing_premises',
                'housing_owner', 'housing_account_payer',
                'housing_resident', 'housing_absence',
                'housing_account_service', 'housing_meter',
                'housing_meter_reading']:
            self.assertGreater(count(table), 0, table)
        premises = count('housing_premises')
        self.assertLess(premises, ACCOUNTS)  # some are split
        # Most premises have individual meters, each building has
        # common-house meters
        self.assertGreater(rows(
                "SELECT COUNT(DISTINCT premises) FROM housing_meter "
                "WHERE kind = 'individual'")[0][0], premises * 0.7)
        self.assertEqual(rows(
                "SELECT COUNT(DISTINCT building) FROM housing_meter "
                "WHERE kind = 'common_house'")[0][0],
            count('housing_building'))

    def check_history(self):
        """Each record has the history row Tryton's create writes (a
        flagged reading a second one, from set_flags)"""
        pool = Pool()
        for name in MODELS:
            Model = pool.get(name)
            if not Model._history:
                continue
            table = Model._table
            extra = 0
            if name == 'housing.meter.reading':
                extra = rows(
                    "SELECT COUNT(*) FROM housing_meter_reading "
                    "WHERE write_date IS NOT NULL")[0][0]
            self.assertEqual(
                count(table + '__history'), count(table) + extra, table)
            missing = rows(
                'SELECT COUNT(*) FROM "%s" t WHERE NOT EXISTS ('
                'SELECT 1 FROM "%s__history" h WHERE h.id = t.id '
                'AND h.create_date = t.create_date '
                'AND h.create_uid = t.create_uid)' % (table, table))
            self.assertEqual(missing[0][0], 0, table)
        # The first history row of a flagged reading is the reading as
        # inserted, before set_flags
        first = rows(
            "SELECT h.verification_overdue, h.review, h.write_date "
            "FROM housing_meter_reading__history h "
            "WHERE h.__id = (SELECT MIN(h2.__id) "
            "FROM housing_meter_reading__history h2 WHERE h2.id = h.id) "
            "AND h.id IN (SELECT id FROM housing_meter_reading "
            "WHERE write_date IS NOT NULL)")
        self.assertTrue(first)
        for overdue, review, write_date in first:
            self.assertFalse(overdue)
            self.assertIsNone(review)
            self.assertIsNone(write_date)

    def check_features(self, end):
        "The features a demo needs are there"
        pool = Pool()
        Reading = pool.get('housing.meter.reading')
        Meter = pool.get('housing.meter')
        Owner = pool.get('housing.owner')
        Account = pool.get('housing.account')
        Absence = pool.get('housing.absence')
        Resident = pool.get('housing.resident')
        Premises = pool.get('housing.premises')
        Tariff = pool.get('housing.tariff')
        Normative = pool.get('housing.normative')
        AccountService = pool.get('housing.account.service')
        PremisesArea = pool.get('housing.premises.area')
        Building = pool.get('housing.building')
        start = end.replace(day=1) - dt.timedelta(days=700)

        # a roll-over
        rollovers = Reading.search([('rollover', '=', True)])
        self.assertTrue(rollovers)
        for reading in rollovers:
            previous_date, previous = reading.previous()
            self.assertLess(reading.value1, previous[0])
            self.assertGreater(reading.consumption, 0)
        # a removed meter and its replacement
        removed = Meter.search([('removal_date', '!=', None)])
        self.assertTrue(removed)
        for meter in removed:
            self.assertIsNotNone(meter.removal_value1)
            replacements = Meter.search([
                    ('premises', '=', meter.premises.id),
                    ('service', '=', meter.service.id),
                    ('installation_date', '=', meter.removal_date),
                    ])
            self.assertEqual(len(replacements), 1)
            last = Reading.search([('meter', '=', meter.id)],
                order=[('date', 'DESC')], limit=1)
            if last:
                self.assertGreaterEqual(meter.removal_value1,
                    last[0].value1)
        # meters: counters of 5 digits, 8 for electricity (two zones)
        for meter in Meter.search([('kind', '=', 'individual')]):
            if meter.service.code == 'electricity':
                self.assertEqual((meter.digits, meter.zones), (8, 2))
            else:
                self.assertEqual((meter.digits, meter.zones), (5, 1))
        # some verifications overdue
        self.assertTrue(Reading.search([
                    ('verification_overdue', '=', True)]))
        self.assertTrue(Reading.search([('review', '=', 'pending')]))
        # readings monthly, between the 15th and the 25th
        for date, in rows(
                "SELECT DISTINCT date FROM housing_meter_reading"):
            if isinstance(date, str):
                date = dt.date.fromisoformat(date)
            self.assertTrue(15 <= date.day <= 25, date)
            self.assertLessEqual(date, end)
        readings = Counter(m for m, in rows(
                "SELECT meter FROM housing_meter_reading r "
                "JOIN housing_meter m ON m.id = r.meter "
                "WHERE m.removal_date IS NULL "
                "AND m.installation_date < %s" % (
                    "'%s'" % start.isoformat())))
        self.assertGreaterEqual(max(readings.values()), 22)
        # an absence
        absences = Absence.search([])
        self.assertTrue(absences)
        for absence in absences:
            resident = absence.resident
            self.assertGreaterEqual(absence.date_from,
                resident.registered_from)
            if resident.registered_to:
                self.assertLessEqual(absence.date_to, resident.registered_to)
        # a flat of two owners of 1/2 each on one account
        halves = defaultdict(list)
        for owner in Owner.search([('share_denominator', '=', 2)]):
            halves[owner.premises].append(owner)
        two_owners = [p for p, owners in halves.items()
            if len(owners) == 2 and len(p.accounts) == 1]
        self.assertTrue(two_owners)
        # a flat split between two accounts of 1/2
        split = [p for p in halves if len(p.accounts) == 2]
        self.assertTrue(split)
        for premises in split:
            self.assertEqual(
                sum(a.share for a in premises.accounts), Fraction(1))
        # a sale: an owner until a date, the next one from the day after
        sold = Owner.search([('date_to', '!=', None)])
        self.assertTrue(sold)
        for owner in sold:
            following = Owner.search([
                    ('premises', '=', owner.premises.id),
                    ('date_from', '=', owner.date_to + dt.timedelta(1)),
                    ])
            self.assertTrue(following)
        # payers change with the owner
        self.assertTrue(Account.search([('payers', 'where', [
                        ('date_from', '>', start)])]))
        # temporary residents, moves in and out inside the window
        self.assertTrue(Resident.search([('kind', '=', 'temporary')]))
        self.assertTrue(Resident.search([('registered_to', '>=', start)]))
        self.assertTrue(Resident.search([('registered_from', '>=', start)]))
        # apartments mostly, non-residential and parking
        kinds = Counter(p.kind for p in Premises.search([]))
        self.assertGreater(kinds['apartment'], kinds['non_residential'])
        self.assertTrue(kinds['non_residential'])
        self.assertTrue(kinds['parking'])
        self.assertTrue(Premises.search([('ownership_form', '=',
                        'municipal')]))
        # areas: the building's are the sums of its premises'
        for building in Building.search([]):
            for area in building.areas:
                total = Decimal(0)
                for premises in building.premises:
                    in_force = premises.area_at(area.date_from)
                    if in_force:
                        total += in_force.total_area
                self.assertEqual(area.total_area, total)
                self.assertEqual(area.total_area,
                    area.residential_area + area.non_residential_area)
        self.assertTrue(PremisesArea.search([('date_from', '>', start)]))
        # tariffs: yearly indexation, two zones, a building's override
        tariffs = Tariff.search([('building', '=', None)])
        services = Counter(t.service for t in tariffs)
        self.assertTrue(all(n >= 2 for n in services.values()))
        self.assertTrue(all(t.date_from.month == 7 and t.date_from.day == 1
                for t in tariffs))
        zones, = {t.structure for t in tariffs
            if t.service.code == 'electricity'}
        self.assertEqual(zones, 'zones')
        self.assertTrue(Tariff.search([('building', '!=', None)]))
        self.assertTrue(Normative.search([('date_to', '!=', None)]))
        self.assertTrue(Normative.search([('building', '!=', None)]))
        # an agent service with its supplier; services stopped
        intercom, = pool.get('housing.service').search([
                ('kind', '=', 'agent')])
        self.assertTrue(intercom.supplier)
        self.assertTrue(AccountService.search([('date_to', '!=', None)]))

    def check_reading_flags(self):
        """The flags are those Reading.create sets: on the flagged readings
        and on all the readings of every fifth meter (the ORM's
        computation is quadratic)"""
        pool = Pool()
        Reading = pool.get('housing.meter.reading')
        Meter = pool.get('housing.meter')
        meters = Meter.search([], order=[('id', 'ASC')])[::5]
        readings = Reading.search(['OR',
                ('meter', 'in', [m.id for m in meters]),
                ('write_date', '!=', None),
                ])
        self.assertGreater(len(readings), 300)
        for reading in readings:
            expected = reading.flag_values()
            self.assertEqual(
                {k: getattr(reading, k) for k in expected}, expected,
                reading.rec_name)
            self.assertEqual(reading.entered_by.id, Transaction().user)

    def check_parties_as_orm(self):
        """A generated party has the columns and the language row that
        Party.create gives"""
        Party = Pool().get('party.party')
        orm, = Party.create([{'name': 'Проверочная Анна Ивановна'}])
        columns = ['code', 'code_alnum', 'code_digit', 'active',
            'replaced_by', 'create_uid', 'create_date', 'write_uid',
            'write_date']

        def shape(party_id):
            values, = rows('SELECT %s FROM party_party WHERE id = %s' % (
                    ', '.join(columns), party_id))
            langs = rows(
                'SELECT lang, company, write_uid FROM party_party_lang '
                'WHERE party = %s' % party_id)
            return [v is None for v in values], langs
        generated = rows(
            "SELECT MIN(p.id) FROM party_party p "
            "JOIN housing_resident r ON r.party = p.id")[0][0]
        self.assertEqual(shape(generated), shape(orm.id))
        codes = [c for c, in rows('SELECT code FROM party_party')]
        self.assertEqual(len(codes), len(set(codes)))

    def check_users(self, company):
        pool = Pool()
        User = pool.get('res.user')
        for login, group in [('accountant', 'group_housing_accountant'),
                ('auditor', 'group_housing_auditor')]:
            user, = User.search([('login', '=', login)])
            self.assertEqual(user.company, company)
            self.assertEqual(user.language.code, 'ru')
            self.assertIn(group, {
                    pool.get('ir.model.data').search([
                            ('model', '=', 'res.group'),
                            ('db_id', '=', g.id)])[0].fs_id
                    for g in user.groups})
            self.assertTrue(User._check_passwd(user.id, login)
                if hasattr(User, '_check_passwd') else True)

    def test_deterministic(self):
        "The rows depend only on the seed, the end and the months"
        generate = self.generate
        setup = generate.Setup()
        setup.company = 1
        setup.services = {s[0]: i for i, s in enumerate(generate.SERVICES)}
        setup.municipality = 1
        setup.supplier = 2
        setup.user = 1
        setup.jump_factor = Decimal(3)
        end = dt.date(2025, 6, 30)
        plans = generate.plan(500, seed=7)
        first = generate.build_chunk(setup, end, 24, 7, plans[:2])
        second = generate.build_chunk(setup, end, 24, 7, plans[:2])
        self.assertEqual(first.rows, second.rows)
        self.assertEqual(first.party_names, second.party_names)
        other = generate.build_chunk(setup, end, 24, 8, plans[:2])
        self.assertNotEqual(first.party_names, other.party_names)
        self.assertEqual(sum(p.accounts for p in plans), 500)
        for building in plans:
            self.assertLessEqual(len(building.premises),
                generate.MAX_PREMISES)
        self.assertTrue(all(len(p.premises) >= generate.MIN_PREMISES
                for p in plans[:-1]))
