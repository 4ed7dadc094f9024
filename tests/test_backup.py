# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""ops/backup.sh and ops/restore.sh on PostgreSQL: a database with posted
months, payments, receipts and readings, backed up and restored into a new
database, reads the same balances, receipts (the stored PDFs byte for byte)
and readings."""
import os
import shutil
import subprocess
import tempfile
import unittest
import urllib.parse
from decimal import Decimal
from pathlib import Path

from trytond import backend, config
from trytond.modules.company.tests import create_company, set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import (
    DB_NAME,
    activate_module,
    drop_db,
    with_transaction,
)
from trytond.transaction import Transaction

from housing_billing.tests import test_receipt
from housing_billing.tests.penalty_tools import D, pay
from housing_billing.tests.tools import create_service, run_queue

ROOT = Path(__file__).resolve().parent.parent
JANUARY = D(2026, 1, 1)


def libpq_environ():
    "The libpq variables of trytond's database URI"
    uri = urllib.parse.urlparse(config.get('database', 'uri'))
    environ = dict(os.environ)
    for name, value in [('PGHOST', uri.hostname), ('PGPORT', uri.port),
            ('PGUSER', uri.username), ('PGPASSWORD', uri.password)]:
        if value:
            environ[name] = str(value)
    return environ


def snapshot():
    """The figures a restore must keep: balances by personal account,
    runs, payments, receipts with their PDFs, readings."""
    pool = Pool()
    Account = pool.get('housing.account')
    Line = pool.get('account.move.line')
    Run = pool.get('housing.accrual.run')
    Payment = pool.get('housing.payment')
    Receipt = pool.get('housing.receipt')
    Chunk = pool.get('housing.receipt.batch.building')
    Reading = pool.get('housing.meter.reading')
    balances = {}
    for account in Account.search([]):
        balances[account.number] = sum(
            (line.debit - line.credit for line in Line.search([
                        ('housing_account', '=', account.id),
                        ('move.state', '=', 'posted')])), Decimal(0))
    return {
        'balances': balances,
        'runs': [(r.period, r.state, r.total, len(r.moves))
            for r in Run.search([], order=[('id', 'ASC')])],
        'payments': [(p.account.number, p.date, p.amount, p.state)
            for p in Payment.search([], order=[('id', 'ASC')])],
        'receipts': [(r.account.number, r.period, r.version, r.state,
                r.total_due, r.amount, r.qr_payload, r.pdf)
            for r in Receipt.search([], order=[('id', 'ASC')])],
        'printing': [(c.building.address, c.pdf)
            for c in Chunk.search([], order=[('id', 'ASC')])],
        'readings': [(r.meter.serial_number, r.date, r.value1, r.value2,
                r.value3, r.create_uid.login)
            for r in Reading.search([], order=[('id', 'ASC')])],
        }


@unittest.skipUnless(backend.name == 'postgresql',
    "pg_dump and pg_restore back up PostgreSQL; an SQLite database is "
    "backed up by copying its file")
class BackupTestCase(unittest.TestCase):
    "Backup and restore of a database with a posted month"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        drop_db()
        activate_module(['housing_billing', 'l10n_ru_housing'])
        cls.store = tempfile.mkdtemp(prefix='housing-store-')
        cls.saved_path = config.get('database', 'path')
        config.set('database', 'path', cls.store)
        cls.restored = DB_NAME + '_restored'

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        config.set('database', 'path', cls.saved_path)
        shutil.rmtree(cls.store, ignore_errors=True)
        if cls.restored in Pool.database_list():
            Pool.stop(cls.restored)
            backend.Database(cls.restored).close()
        subprocess.run(['dropdb', '--if-exists', '--force', cls.restored],
            env=libpq_environ(), check=True)
        drop_db()

    @with_transaction()
    def build_month(self):
        """January 2026 posted, paid, its receipts printed, readings
        taken: committed"""
        pool = Pool()
        Batch = pool.get('housing.receipt.batch')
        Meter = pool.get('housing.meter')
        Reading = pool.get('housing.meter.reading')
        company = create_company()
        with set_company(company):
            account = test_receipt.HousingReceiptTestCase.setup_january(
                None, company)
            pay(account, D(2026, 1, 25), '850.00', channel='cash')
            meter, = Meter.create([{
                        'service': create_service('HVS').id,
                        'building': account.premises.building.id,
                        'premises': account.premises.id,
                        'serial_number': 'M-77',
                        'installation_date': D(2025, 6, 1),
                        'installation_value1': Decimal('10'),
                        }])
            Reading.create([{
                        'meter': meter.id, 'date': date,
                        'value1': Decimal(value),
                        } for date, value in [
                        (D(2025, 11, 20), '12.345'),
                        (D(2025, 12, 20), '15.5'),
                        (D(2026, 1, 20), '19.0001')]])
            batch, = Batch.create([{'period': JANUARY}])
            Batch.generate([batch])
            run_queue()
        Transaction().commit()

    def environ(self):
        environ = libpq_environ()
        environ['TRYTOND_DATABASE__PATH'] = self.store
        return environ

    def test_backup_restore(self):
        "The restored database reads the same figures and PDFs"
        self.build_month()
        with Transaction().start(DB_NAME, 0, readonly=True):
            before = snapshot()
        self.assertEqual(len(before['receipts']), 1)
        self.assertTrue(before['receipts'][0][-1].startswith(b'%PDF'))
        self.assertEqual(len(before['readings']), 3)
        self.assertEqual([s for _, s, _, _ in before['runs']],
            ['posted'] * 3)
        self.assertEqual(before['balances'],
            {'1000234567': Decimal('10029.26')})
        # pg_dump waits for no lock, but the pool's idle connections are
        # closed so that nothing holds the database meanwhile.
        backend.Database(DB_NAME).close()

        backup = Path(self.store) / 'backup'
        subprocess.run([ROOT / 'ops' / 'backup.sh', DB_NAME, backup],
            env=self.environ(), check=True, capture_output=True)
        self.assertEqual(
            sorted(p.name for p in backup.iterdir()),
            sorted(['SHA256SUMS', DB_NAME + '.dump', 'filestore.tar']))
        # The original's files are gone: the restored database reads its
        # own copy.
        shutil.rmtree(Path(self.store) / DB_NAME)
        subprocess.run([ROOT / 'ops' / 'restore.sh', backup, DB_NAME,
                self.restored],
            env=self.environ(), check=True, capture_output=True)

        Pool(self.restored).init()
        with Transaction().start(self.restored, 0, readonly=True):
            after = snapshot()
        self.assertEqual(after, before)

    def test_restore_refuses_a_damaged_backup(self):
        "A backup whose checksum differs restores nothing"
        backup = Path(self.store) / 'damaged'
        backup.mkdir()
        (backup / 'x.dump').write_bytes(b'not a dump')
        (backup / 'filestore.tar').write_bytes(b'')
        (backup / 'SHA256SUMS').write_text(
            '0' * 64 + '  x.dump\n' + '0' * 64 + '  filestore.tar\n')
        result = subprocess.run(
            [ROOT / 'ops' / 'restore.sh', backup, 'x', 'damaged_restore'],
            env=self.environ(), capture_output=True, text=True)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn('FAILED', result.stderr + result.stdout)
        listed = subprocess.run(['psql', '-Atc',
                "SELECT count(*) FROM pg_database "
                "WHERE datname = 'damaged_restore'", 'postgres'],
            env=self.environ(), capture_output=True, text=True, check=True)
        self.assertEqual(listed.stdout.strip(), '0')

