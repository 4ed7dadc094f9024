# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""Faults on PostgreSQL (issue 7, §5), with real processes on committed data:

- trytond-worker killed (SIGKILL) in the middle of an accrual chunk's
  transaction: nothing of it is left, Resume ends the run with the charges
  of an uninterrupted run;
- readings sent through the portal (gunicorn on loopback) while a worker
  computes the month: all kept, each charged in that month or by the next
  month's recalculation;
- PostgreSQL restarted under portal load (a private cluster of its own):
  the requests fail with a clean 503, nothing half-written, and the same
  gunicorn workers serve again once the server is back.

The worker is stopped at a known point by the test hook [housing]
fault_barrier (housing_billing/accrual.py): a chunk whose rows are written
waits for an advisory lock the test holds. The portal's clock is set with
libfaketime (Debian's faketime, installed by ./dev): its readings are dated
20 January 2026 whatever today is."""
import http.client
import http.cookiejar
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request
from decimal import Decimal
from pathlib import Path

from trytond import backend, config
from trytond.modules.company.tests import create_company, set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, activate_module, drop_db
from trytond.transaction import Transaction

from housing_billing.tests.penalty_tools import D, ledger_account, setup_ledger
from housing_billing.tests.tools import (
    create_account,
    create_building,
    create_party,
    create_premises,
    create_service,
    run_queue,
)
from housing_portal.tests.tools import committed

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PG_BIN = Path('/usr/lib/postgresql/15/bin')
FAKETIME = Path('/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1')
JANUARY, FEBRUARY = D(2026, 1, 1), D(2026, 2, 1)
# The portal's day in the readings test: in January's reading window.
PORTAL_DAY = D(2026, 1, 20)
# The advisory lock key of [housing] fault_barrier.
BARRIER = 7007
# Bounds of every wait: a process that never gets there fails the test.
PATIENCE = 120
HTTP_TIMEOUT = 60
CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')
TRACEBACK = re.compile(r'Traceback|File "|\.py", line', re.I)


def build():
    """Five buildings of two flats, each flat with a cold water meter read
    on 20 December 2025, maintenance by area, a portal log-in (its first
    password, no change asked) and the ledger of 2025-2026.
    Returns (building ids, {flat key 'b-f': (account number, password,
    meter id, December's value)})."""
    pool = Pool()
    Service = pool.get('housing.service')
    Tariff = pool.get('housing.tariff')
    Normative = pool.get('housing.normative')
    Account = pool.get('housing.account')
    Resident = pool.get('housing.resident')
    Meter = pool.get('housing.meter')
    Reading = pool.get('housing.meter.reading')
    ModelData = pool.get('ir.model.data')
    User = pool.get('web.user')
    company = create_company()
    flats = {}
    with set_company(company):
        setup_ledger(company, [2025, 2026])
        water = create_service('HVS')
        maintenance = create_service(
            'SOD', method='area', uom='product.uom_square_meter')
        Service.write([water], {'resource': 'cold_water'})
        Service.write([water, maintenance],
            {'credit_account': ledger_account('90.01').id})
        for service, price in [(water, '49.87'), (maintenance, '30.00')]:
            Tariff.create([{'service': service.id, 'date_from': D(2025, 1, 1),
                        'rates': [('create', [{'price': Decimal(price)}])],
                        }])
        Normative.create([{
                    'service': water.id, 'kind': 'person',
                    'value': Decimal('4.85'),
                    'unit': ModelData.get_id('product', 'uom_cubic_meter'),
                    'date_from': D(2017, 1, 1)}])
        buildings = []
        for b in range(1, 6):
            building = create_building('ул. Садовая, д. %d' % b)
            buildings.append(building.id)
            for f in range(1, 3):
                flat = create_premises(building, str(f),
                    [(D(2020, 1, 1), Decimal(40 + 10 * f + b))])
                payer = create_party("Плательщик %d-%d" % (b, f))
                account = create_account(flat, '10000%d%02d' % (b, f),
                    [(D(2020, 1, 1), payer)])
                Account.write([account], {'services': [('create', [
                                {'service': s.id, 'date_from': D(2020, 1, 1)}
                                for s in [water, maintenance]])]})
                Resident.create([{'account': account.id, 'party': payer.id,
                            'registered_from': D(2020, 1, 1)}])
                meter, = Meter.create([{
                            'service': water.id, 'building': building.id,
                            'premises': flat.id,
                            'serial_number': 'M-%d-%d' % (b, f),
                            'installation_date': D(2025, 6, 1),
                            'installation_value1': Decimal('100')}])
                december = Decimal(110 + b + f)
                Reading.create([{'meter': meter.id, 'date': D(2025, 12, 20),
                            'value1': december}])
                password = User.ensure_portal_users([account.id])[account.id]
                flats['%d-%d' % (b, f)] = (
                    account.number, password, meter.id, december)
        User.write(User.search([]), {'password_expired': False})
    return buildings, flats


def start_run(building_ids, period=JANUARY, here=False):
    """A run of the buildings, Compute pressed: its chunks queued for the
    workers, or computed to the end by this process if here"""
    pool = Pool()
    Run = pool.get('housing.accrual.run')
    Building = pool.get('housing.building')
    buildings = Building.browse(building_ids)
    with set_company(buildings[0].company):
        run, = Run.create([{'period': period,
                    'buildings': [('add', building_ids)]}])
        Run.compute([run])
        if here:
            run_queue()
    del Transaction().tasks[:]
    return run.id


def resume(run_id):
    "Resume pressed, the queued chunks computed by this process"
    Run = Pool().get('housing.accrual.run')
    Run.resume([Run(run_id)])
    run_queue()


def charges(run_id):
    "A run's total and charges, in an order that does not depend on ids"
    run = Pool().get('housing.accrual.run')(run_id)
    return run.total, sorted(
        (c.account.number, c.service.code, c.kind, c.component or '',
            c.quantity, c.tariff, c.amount, c.date_from, c.date_to,
            c.corrected_period, c.explanation_ru or '')
        for c in run.charges)


def states(run_id):
    "(run state, {building address: chunk state})"
    run = Pool().get('housing.accrual.run')(run_id)
    return run.state, {c.building.address: c.state for c in run.chunks}


def charged_buildings(run_id):
    Charge = Pool().get('housing.charge')
    return sorted({c.building.address
            for c in Charge.search([('run', '=', run_id)])})


def water_volumes(run_id, number):
    """{period: volume} the run charged the account for cold water: its own
    month, and the months its recalculation rows correct"""
    Charge = Pool().get('housing.charge')
    volumes = {}
    for charge in Charge.search([('run', '=', run_id),
                ('account.number', '=', number),
                ('service.code', '=', 'HVS')]):
        period = charge.corrected_period or charge.period
        volumes[period] = volumes.get(period, 0) + charge.quantity
    return volumes


def read(function, *args):
    "function(*args) in a new read-only transaction"
    with Transaction().start(DB_NAME, 0, readonly=True):
        return function(*args)


def conninfo(database=DB_NAME):
    uri = urllib.parse.urlsplit(config.get('database', 'uri'))
    return urllib.parse.urlunsplit(
        ('postgresql', uri.netloc, '/' + database, '', ''))


def wait_until(predicate, what, process=None):
    "predicate()'s first true value within PATIENCE"
    deadline = time.monotonic() + PATIENCE
    while True:
        value = predicate()
        if value:
            return value
        if process is not None and process.poll() is not None:
            raise AssertionError('%s: the process ended (%s)'
                % (what, process.returncode))
        if time.monotonic() > deadline:
            raise AssertionError('%s: not within %s s' % (what, PATIENCE))
        time.sleep(0.05)


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


class Barrier:
    """The advisory lock (BARRIER, building) held by the test: a worker
    with [housing] fault_barrier stops in the building's chunk, its rows
    written, until it is released."""

    def __init__(self, building_id):
        import psycopg
        self.building = building_id
        self.connection = psycopg.connect(conninfo(), autocommit=True)
        self.connection.execute('SELECT pg_advisory_lock(%s, %s)',
            (BARRIER, building_id))

    def waiting(self):
        "The pid of the backend waiting for the lock, else None"
        row = self.connection.execute(
            "SELECT pid FROM pg_locks WHERE locktype = 'advisory' "
            "AND database = (SELECT oid FROM pg_database "
            "WHERE datname = current_database()) "
            "AND classid::text::bigint = %s AND objid::text::bigint = %s "
            "AND NOT granted", (BARRIER, self.building)).fetchone()
        return row[0] if row else None

    def holds(self, pid, relation):
        "Whether the backend pid has written into the table this transaction"
        return bool(self.connection.execute(
                "SELECT 1 FROM pg_locks WHERE pid = %s "
                "AND relation = %s::regclass AND mode = 'RowExclusiveLock'",
                (pid, relation)).fetchone())

    def alive(self, pid):
        return bool(self.connection.execute(
                'SELECT 1 FROM pg_stat_activity WHERE pid = %s',
                (pid,)).fetchone())

    def release(self):
        self.connection.execute('SELECT pg_advisory_unlock_all()')

    def close(self):
        self.connection.close()


class Processes:
    "Processes started in sessions of their own, all stopped at the end"

    def __init__(self, folder):
        self.folder = Path(folder)
        self.started = []

    def start(self, name, command, environ):
        log = open(self.folder / ('%s.log' % name), 'wb')
        process = subprocess.Popen(command, env=environ, cwd=self.folder,
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        process.log = log
        self.started.append(process)
        return process

    def kill(self, process, sig=signal.SIGKILL):
        "Send sig to the process and its children (its session)"
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            pass
        try:
            process.wait(PATIENCE)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        process.log.close()

    def stop_all(self):
        for process in self.started:
            if process.poll() is None:
                self.kill(process, signal.SIGTERM)
            process.log.close()

    def log(self, name):
        return (self.folder / ('%s.log' % name)).read_text(errors='replace')


def trytond_environ(uri=None, database=DB_NAME, **options):
    """The environment of a trytond process on the database; options as
    SECTION__OPTION=value"""
    environ = dict(os.environ)
    environ.pop('TRYTOND_CONFIG', None)
    uri = uri or config.get('database', 'uri')
    environ.update({
            'TRYTOND_DATABASE__URI': uri,
            'TRYTOND_DATABASE_URI': uri,
            'TRYTOND_DATABASE_NAMES': database,
            })
    for name, value in options.items():
        environ['TRYTOND_%s' % name.upper()] = str(value)
    return environ


def gunicorn(processes, name, environ, port):
    # Workers are not recycled after a number of requests (the production
    # setting): the tests count the workers booted.
    environ = dict(environ, GUNICORN_BIND='127.0.0.1:%d' % port,
        GUNICORN_WORKERS='2', GUNICORN_MAX_REQUESTS='0')
    return processes.start(name, [BIN / 'gunicorn', '--config',
            ROOT / 'ops' / 'gunicorn.conf.py', 'trytond.application:app'],
        environ)


def booted_workers(log):
    "The pids of the workers gunicorn booted, in order"
    return [int(p) for p in re.findall(r'Booting worker with pid: (\d+)', log)]


def server_events(log):
    """gunicorn's own lines of its log (boots, deaths, stops), the workers'
    warnings and its last lines"""
    events = [line for line in log.splitlines()
        if re.match(r'\[[^]]+\] \[\d+\] \[', line)
        or ('WARNING' in line and 'psycopg.pool' not in line)]
    return '\n'.join(events + ['…', log[-1500:]])


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Resident:
    "A browser of the portal over HTTP: its cookies and last CSRF token"

    def __init__(self, base):
        self.base = base
        cookies = urllib.request.HTTPCookieProcessor(
            http.cookiejar.CookieJar())
        self.opener = urllib.request.build_opener(cookies)
        self.direct = urllib.request.build_opener(cookies, NoRedirect)
        self.token = ''

    def request(self, path, data=None, follow=True):
        """(status, body) of a GET, or a POST of data with the form's
        token; a redirection followed unless not follow"""
        if data is not None:
            data = urllib.parse.urlencode(
                dict(data, csrf_token=self.token)).encode()
        opener = self.opener if follow else self.direct
        try:
            with opener.open(self.base + path, data=data,
                    timeout=HTTP_TIMEOUT) as response:
                status, body = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, body = error.code, error.read()
        body = body.decode('utf-8', 'replace')
        match = CSRF.search(body)
        if match:
            self.token = match.group(1)
        return status, body

    def log_in(self, number, password):
        self.request('login')
        status, body = self.request('login',
            {'login': number, 'password': password})
        # Led to the dashboard, not the log-in form again.
        assert status == 200 and 'name="login"' not in body, (
            status, body[:500])


def as_postgres():
    "The prefix running a command as the postgres user: initdb refuses root"
    return ['runuser', '-u', 'postgres', '--'] if os.getuid() == 0 else []


class Cluster:
    "A private PostgreSQL server in a folder, on a port of its own"

    def __init__(self, folder):
        self.folder = Path(folder)
        self.folder.mkdir()
        if os.getuid() == 0:
            shutil.chown(self.folder, 'postgres')
        self.data = self.folder / 'data'
        self.port = free_port()
        subprocess.run([*as_postgres(), PG_BIN / 'initdb', '-D', self.data,
                '-U', 'postgres', '--auth=trust', '-E', 'UTF8'],
            check=True, capture_output=True)
        self.running = False

    def pg_ctl(self, *args):
        subprocess.run([*as_postgres(), PG_BIN / 'pg_ctl', '-D', self.data,
                '-l', self.folder / 'server.log', '-w',
                '-t', str(PATIENCE), *args], check=True, capture_output=True)

    def start(self):
        self.pg_ctl('-o', '-p %d -k %s -c listen_addresses=127.0.0.1'
            % (self.port, self.folder), 'start')
        self.running = True

    def stop(self):
        if self.running:
            self.pg_ctl('-m', 'fast', 'stop')
            self.running = False

    @property
    def uri(self):
        return 'postgresql://postgres@127.0.0.1:%d/' % self.port

    def copy(self, source, name):
        "Create the database name as a copy of source (a libpq URI)"
        subprocess.run([PG_BIN / 'createdb', '-h', '127.0.0.1',
                '-p', str(self.port), '-U', 'postgres', name], check=True)
        dump = subprocess.Popen([PG_BIN / 'pg_dump', '-Fc', '-d', source],
            stdout=subprocess.PIPE)
        restore = subprocess.run([PG_BIN / 'pg_restore', '--no-owner',
                '-d', self.uri + name], stdin=dump.stdout,
            capture_output=True, text=True)
        dump.stdout.close()
        assert dump.wait() == 0 and restore.returncode == 0, restore.stderr


class Load(threading.Thread):
    """A resident's requests one after the other until told to stop (at
    most 2,000): the dashboard, or readings of increasing values. Keeps
    (start, end, status, value sent or None, traceback shown)."""

    def __init__(self, resident, path, meter=None, first=None):
        super().__init__(daemon=True)
        self.resident, self.path = resident, path
        self.meter, self.value = meter, first
        self.results = []
        self.halt = threading.Event()

    def run(self):
        for _ in range(2000):
            if self.halt.is_set():
                return
            start = time.monotonic()
            value = None
            try:
                if self.meter:
                    self.value += Decimal('0.5')
                    value = self.value
                    status, body = self.resident.request(self.path, {
                            'meter': self.meter, 'value1': str(value)},
                        follow=False)
                else:
                    status, body = self.resident.request(self.path)
            # A response cut short (http.client.IncompleteRead) is no
            # OSError: recorded too, rather than ending the thread unseen.
            except (OSError, http.client.HTTPException) as error:
                status, body = type(error).__name__, ''
            self.results.append((start, time.monotonic(), status, value,
                    bool(TRACEBACK.search(body))))

    def since(self, moment):
        return [r for r in self.results if r[0] >= moment]

    def stop(self):
        self.halt.set()
        self.join(HTTP_TIMEOUT + PATIENCE)


@unittest.skipUnless(backend.name == 'postgresql',
    "processes sharing a database: SQLite's in-memory test database is "
    "not shared between processes")
class FaultTestCase(unittest.TestCase):
    "Workers killed, readings during a run, PostgreSQL restarted"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        drop_db()
        activate_module(['housing_portal', 'l10n_ru_housing'])
        cls.buildings, cls.flats = committed(build)

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        drop_db()

    def setUp(self):
        self.folder = Path(tempfile.mkdtemp(prefix='housing-faults-'))
        self.addCleanup(shutil.rmtree, self.folder, ignore_errors=True)
        self.processes = Processes(self.folder)
        self.addCleanup(self.processes.stop_all)

    def worker(self, name):
        "trytond-worker, one process, on the test database, hook set"
        return self.processes.start(name, [BIN / 'trytond-worker',
                '-d', DB_NAME, '-n', '1', '--timeout', '1'],
            trytond_environ(queue__worker=True,
                housing__fault_barrier=BARRIER))

    def test_worker_killed_mid_chunk(self):
        "A worker killed mid-chunk leaves nothing of it; Resume ends the run"
        ids = self.buildings[:3]
        addresses = ['ул. Садовая, д. %d' % b for b in [1, 2, 3]]
        run_id = committed(start_run, ids)
        barrier = Barrier(ids[1])
        self.addCleanup(barrier.close)
        worker = self.worker('worker')
        pid = wait_until(barrier.waiting, 'the worker in the second chunk',
            worker)
        # The chunk's transaction has written its charges, uncommitted.
        self.assertTrue(barrier.holds(pid, 'housing_charge'))
        self.assertEqual(read(charged_buildings, run_id), [])
        self.processes.kill(worker)
        # The killed worker's backend goes once it stops waiting.
        barrier.release()
        wait_until(lambda: not barrier.alive(pid), 'the backend gone')

        # The task held the three chunks: none is done, none left a row.
        self.assertEqual(read(states, run_id),
            ('computing', dict.fromkeys(addresses, 'pending')))
        self.assertEqual(read(charged_buildings, run_id), [])

        committed(resume, run_id)
        self.assertEqual(read(states, run_id),
            ('computed', dict.fromkeys(addresses, 'done')))
        resumed = read(charges, run_id)
        self.assertEqual(len(resumed[1]), 12)
        self.assertGreater(resumed[0], 0)

        # The same buildings computed without interruption.
        other_id = committed(start_run, ids, JANUARY, True)
        self.assertEqual(read(states, other_id)[0], 'computed')
        self.assertEqual(read(charges, other_id), resumed)

    def test_portal_readings_during_accrual(self):
        """Readings sent through the portal while a worker computes the
        month are all kept: charged in the month, or by the next month's
        recalculation of it"""
        self.assertTrue(FAKETIME.exists(),
            'libfaketime is needed: apt-get install faketime')
        ids = self.buildings[3:5]
        keys = ['4-1', '5-1', '4-2', '5-2']
        port = free_port()
        server = gunicorn(self.processes, 'portal', dict(trytond_environ(),
                LD_PRELOAD=str(FAKETIME),
                FAKETIME='@%s 12:00:00' % PORTAL_DAY.isoformat()), port)
        base = 'http://127.0.0.1:%d/%s/portal/' % (port, DB_NAME)
        wait_until(lambda: self.served(base), 'the portal', server)
        residents, paths = {}, {}
        for key in keys:
            number, password, _, _ = self.flats[key]
            residents[key] = Resident(base)
            residents[key].log_in(number, password)
            paths[key] = 'a/%s/readings' % self.account_id(number)
        values = {key: self.flats[key][3] + Decimal('7.125') for key in keys}

        def send(key, results):
            meter = self.flats[key][2]
            resident, path = residents[key], paths[key]
            resident.request(path)
            results[key] = resident.request(path, {
                    'meter': meter,
                    'value1': str(values[key]).replace('.', ',')})

        run_id = committed(start_run, ids)
        # Sent while the run is computing, before the worker starts: the
        # worker's transaction sees them.
        results = {}
        for key in keys[:2]:
            send(key, results)
        barrier = Barrier(ids[0])
        self.addCleanup(barrier.close)
        worker = self.worker('worker')
        wait_until(barrier.waiting, 'the worker in the chunk', worker)
        # Sent while the worker is in the middle of the chunks: after its
        # snapshot, at the same time, waiting for nothing of it.
        threads = [threading.Thread(target=send, args=(key, results))
            for key in keys[2:]]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(HTTP_TIMEOUT + 5)
        blocked = [t for t in threads if t.is_alive()]
        barrier.release()
        wait_until(lambda: read(states, run_id)[0] == 'computed',
            'the run computed', worker)
        self.assertEqual(blocked, [])
        for key in keys:
            status, body = results[key]
            self.assertEqual(status, 200, body[:500])
            self.assertIn('role="status"', body)

        # All kept, as sent, dated the portal's day.
        stored = read(self.portal_readings)
        self.assertEqual(stored, {self.flats[k][2]: values[k] for k in keys})

        february_id = committed(self.post_and_bill_february, run_id, ids)
        for key in keys:
            number, _, _, december = self.flats[key]
            volume = values[key] - december
            january = read(water_volumes, run_id, number)
            february = read(water_volumes, february_id, number)
            # January's volume in all, whichever run charged it.
            self.assertEqual(
                january.get(JANUARY, 0) + february.get(JANUARY, 0), volume,
                key)
            if key in keys[:2]:
                # Seen by the run: charged in January.
                self.assertEqual(january[JANUARY], volume, key)
            else:
                # After the run's snapshot: the normative in January, the
                # rest by February's recalculation of January.
                self.assertNotEqual(january[JANUARY], volume, key)
                self.assertEqual(february[JANUARY],
                    volume - january[JANUARY], key)

    @staticmethod
    def served(base):
        try:
            with urllib.request.urlopen(base + 'login', timeout=5) as answer:
                return answer.status == 200
        except (OSError, urllib.error.HTTPError):
            return False

    @staticmethod
    def account_id(number):
        Account = Pool(DB_NAME).get('housing.account')
        with Transaction().start(DB_NAME, 0, readonly=True):
            account, = Account.search([('number', '=', number)])
            return account.id

    @staticmethod
    def portal_readings():
        "{meter id: value} of the readings sent through the portal"
        Reading = Pool().get('housing.meter.reading')
        return {r.meter.id: r.value1 for r in Reading.search([
                    ('source', '=', 'portal'), ('date', '=', PORTAL_DAY)])}

    @staticmethod
    def post_and_bill_february(run_id, building_ids):
        """Post January; the meters read on 20 February; February computed
        and posted"""
        pool = Pool()
        Run = pool.get('housing.accrual.run')
        Reading = pool.get('housing.meter.reading')
        Meter = pool.get('housing.meter')
        run = Run(run_id)
        with set_company(run.company):
            Run.post([run])
            for meter in Meter.search([('building', 'in', building_ids)]):
                last, = Reading.search([('meter', '=', meter.id)],
                    order=[('date', 'DESC')], limit=1)
                Reading.create([{'meter': meter.id, 'date': D(2026, 2, 20),
                            'value1': last.value1 + Decimal('5')}])
            february, = Run.create([{'period': FEBRUARY,
                        'buildings': [('add', building_ids)]}])
            Run.compute([february])
            run_queue()
            Run.post([Run(february.id)])
        return february.id

    @staticmethod
    def load_trace(loads, moment):
        "Each load's thread and its last requests, in s since moment"
        return '\n'.join('load %s: alive %s, %s requests, last: %s' % (
                    load.path or 'dashboard', load.is_alive(),
                    len(load.results), [
                        (round(r[0] - moment, 1), round(r[1] - moment, 1),
                            r[2]) for r in load.results[-8:]])
            for load in loads)

    def test_postgresql_restarted_under_load(self):
        """PostgreSQL restarted under portal load: clean 503s meanwhile,
        nothing half-written; a worker replaced during the outage boots
        without the database; then all served again"""
        self.folder.chmod(0o755)
        cluster = Cluster(self.folder / 'pg')
        cluster.start()
        self.addCleanup(cluster.stop)
        cluster.copy(conninfo(), 'restart')
        port = free_port()
        server = gunicorn(self.processes, 'portal',
            trytond_environ(uri=cluster.uri, database='restart'), port)
        base = 'http://127.0.0.1:%d/restart/portal/' % port
        wait_until(lambda: self.served(base), 'the portal', server)
        number, password, meter, december = self.flats['1-1']
        with Transaction().start(DB_NAME, 0, readonly=True):
            account_id, = [a.id for a in Pool().get('housing.account')
                .search([('number', '=', number)])]
        loads = []
        for path, reading in [('', False),
                ('a/%s/readings' % account_id, True)]:
            resident = Resident(base)
            resident.log_in(number, password)
            resident.request(path)
            loads.append(Load(resident, path, *(
                        (meter, december + 100) if reading else ())))
        for load in loads:
            load.start()
            self.addCleanup(load.stop)

        def all_since(moment, ok):
            return all(any((r[2] in {200, 303}) is ok
                        for r in load.since(moment)) for load in loads)
        wait_until(lambda: all_since(0, True), 'served before')
        stopped = time.monotonic()
        cluster.stop()
        # Each resident's request fails (psycopg's pool gives up waiting
        # for a connection after its 30 s) before the server comes back.
        wait_until(lambda: all_since(stopped, False), 'failed meanwhile')

        def failure(error):
            return AssertionError('%s\n%s\nthe server:\n%s' % (error,
                    self.load_trace(loads, stopped),
                    server_events(self.processes.log('portal'))))
        # A worker replaced while the database is away (recycled after its
        # max_requests, or dead) boots without it; gunicorn would stop
        # altogether on a worker that fails to boot.
        killed = time.monotonic()
        os.kill(booted_workers(self.processes.log('portal'))[0],
            signal.SIGKILL)
        try:
            wait_until(lambda: 'not loaded' in self.processes.log('portal'),
                'a worker booted without the database', server)
        except AssertionError as error:
            raise failure(error) from error
        started = time.monotonic()
        cluster.start()
        try:
            wait_until(lambda: all_since(started, True), 'served again')
        except AssertionError as error:
            raise failure(error) from error
        for load in loads:
            load.stop()
        recovered = max(min(r[1] for r in load.since(started)
                if r[2] in {200, 303}) for load in loads) - started

        results = [r for load in loads for r in load.results]
        # Only a request the killed worker was answering is cut short.
        statuses = {r[2] for r in results if not r[0] < killed < r[1]}
        self.assertFalse([r for r in results if r[4]], 'traceback shown')
        self.assertLessEqual(statuses, {200, 303, 503},
            self.processes.log('portal')[-5000:])
        for load in loads:
            self.assertIn(load.results[-1][2], {200, 303})
        # Within the pool's bounded reconnection delay (ops/gunicorn.conf.py),
        # not the doubling one of psycopg_pool (up to the outage's length).
        self.assertLess(recovered, 15)
        self.assertIsNone(server.poll())
        # Every worker that ended was killed (here, or by the kernel for
        # memory) and replaced: none died of an error of its own.
        log = self.processes.log('portal')
        ends = re.findall(r'Worker \(pid:\d+\) (was sent \w+|exited)', log)
        self.assertEqual(set(ends), {'was sent SIGKILL'}, server_events(log))
        self.assertEqual(len(booted_workers(log)), 2 + len(ends),
            server_events(log))

        # Every reading answered 303 is stored, as the day's reading or a
        # revision it replaced; none answered 503 left anything.
        import psycopg
        with psycopg.connect(cluster.uri + 'restart') as connection:
            stored = {v for v, in connection.execute(
                    'SELECT value1 FROM housing_meter_reading '
                    'WHERE meter = %s AND source = %s '
                    'UNION ALL SELECT value1 '
                    'FROM housing_meter_reading_revision '
                    'WHERE meter = %s AND source = %s',
                    (meter, 'portal', meter, 'portal'))}
        sent = {r[3]: r[2] for r in loads[1].results}
        self.assertIn(503, sent.values())
        self.assertEqual(stored, {v for v, s in sent.items() if s == 303})
