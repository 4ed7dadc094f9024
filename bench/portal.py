# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""The resident portal under load (issue 6 §8): residents log in, open
their dashboard and send a meter reading, many at once, against the
production server (gunicorn with ops/gunicorn.conf.py and trytond's WSGI
application) on loopback.

First give accounts of the dataset their portal log-ins, as residents who
have already chosen their password (one password for all, hashed once with
Tryton's hash; the accounts picked have an individual meter read in the
last 400 days)::

  .venv/bin/python bench/portal.py prepare -c bench/postgresql.conf \\
      -d bench_100k_portal --accounts 4000

Then the load::

  .venv/bin/python bench/portal.py run -c bench/postgresql.conf \\
      -d bench_100k_portal --workers 3 --residents 200 --cycles 10

starts gunicorn with --workers processes, and --residents simulated
residents (asyncio and aiohttp, each with its own cookies) go --cycles
times through: GET the log-in page (its CSRF token), POST the log-in, GET
the dashboard, GET the readings page, POST a reading of the first meter
(its last reading plus one in each zone), GET the confirmation the POST
redirects to, GET the dashboard again. Each cycle is another account that
has no reading today yet. Every request's latency is recorded; the run
prints the requests per second, p50/p95/p99 and the errors, overall and per
step, the load average before and after, and then reads the database: every
reading the portal confirmed (its id in the redirect) must be stored with
the meter and the values sent.

--pages-only logs each resident in once, untimed, and times only the
pages after the log-in: the capacity of the pages without Tryton's password
hash (about a third of a second of CPU per log-in).

The log-in's rate limit stays as configured: it counts failed log-ins only
(per log-in, and per network with [session] max_attempt_ip_network), and
the residents here all give their right password.
"""
import argparse
import asyncio
import datetime as dt
import os
import re
import signal
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import defaultdict
from decimal import Decimal

PASSWORD = 'bench-resident-2026'
CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')
SECTION = re.compile(
    r'<section class="card"><h2>[^<]*</h2>'
    r'(?:<p>Last reading: ([^<]*?) on [^<]*</p>)?'
    r'<form method="post" action="[^"]*">.*?'
    r'name="meter" value="(\d+)">(.*?)</form>', re.S)
ZONE = re.compile(r'name="(value\d)"')
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def pool_of(config, database):
    from trytond.config import update_etc
    update_etc(config)
    from trytond.pool import Pool
    Pool.start()
    pool = Pool(database)
    pool.init()
    return pool


def prepare(args):
    """Log-ins for --accounts accounts with a meter read lately: a web user
    each (User.ensure_portal_users), its password chosen already."""
    pool = pool_of(args.config, args.database)
    from trytond.tools import grouped_slice
    from trytond.transaction import Transaction
    start = time.monotonic()
    with Transaction().start(args.database, 0) as transaction:
        User = pool.get('web.user')
        Date = pool.get('ir.date')
        cursor = transaction.connection.cursor()
        since = Date.today() - dt.timedelta(days=400)
        # Spread over the dataset (md5 of the id), the same every time.
        cursor.execute(
            'SELECT a.id FROM housing_account a '
            'WHERE EXISTS (SELECT 1 FROM housing_meter m '
            'JOIN housing_meter_reading r ON r.meter = m.id '
            "WHERE m.premises = a.premises AND m.kind = 'individual' "
            'AND m.removal_date IS NULL AND r.date >= %s) '
            'ORDER BY md5(a.id::text) LIMIT %s', (since, args.accounts))
        account_ids = [r[0] for r in cursor]
        password_hash = User.hash_password(PASSWORD)
        for sub_ids in grouped_slice(account_ids, 1000):
            sub_ids = list(sub_ids)
            User.ensure_portal_users(sub_ids)
            users = User.search([('login_account', 'in', sub_ids)])
            User.write(users, {
                    'password_hash': password_hash,
                    'first_password': None,
                    'password_expired': False,
                    })
        transaction.commit()
    print('prepare: %s accounts have a log-in with the password %r '
        '(%.1f s)' % (len(account_ids), PASSWORD,
            time.monotonic() - start))


def connect(args):
    "psycopg on the database, as trytond's configuration gives it."
    import psycopg
    from trytond import config
    config.update_etc(args.config)
    uri = config.get('database', 'uri')
    return psycopg.connect(uri.rstrip('/') + '/' + args.database,
        autocommit=True)


def free_accounts(args, needed):
    """The account numbers and ids with a bench log-in and no reading dated
    today on their meters (an earlier run's), as many as needed."""
    with connect(args) as connection:
        rows = connection.execute(
            'SELECT a.number, a.id FROM web_user u '
            'JOIN housing_account a ON a.id = u.login_account '
            'WHERE u.password_hash IS NOT NULL AND u.active '
            'AND NOT u.password_expired '
            'AND NOT EXISTS (SELECT 1 FROM housing_meter m '
            'JOIN housing_meter_reading r ON r.meter = m.id '
            'WHERE m.premises = a.premises AND r.date = CURRENT_DATE) '
            'ORDER BY md5(a.id::text) LIMIT %s', (needed,)).fetchall()
    if len(rows) < needed:
        sys.exit('run: %s accounts without a reading today, %s needed: '
            'prepare more (bench/portal.py prepare --accounts)'
            % (len(rows), needed))
    return rows


class Server:
    "gunicorn as the production image runs it, on loopback."

    def __init__(self, args):
        self.args = args
        self.url = 'http://127.0.0.1:%s/%s/portal/' % (
            args.port, args.database)
        self.log = open(args.server_log, 'ab')
        env = dict(os.environ,
            TRYTOND_CONFIG=os.path.abspath(args.config),
            TRYTOND_DATABASE_NAMES=args.database,
            GUNICORN_WORKERS=str(args.workers),
            GUNICORN_BIND='127.0.0.1:%s' % args.port)
        self.process = subprocess.Popen([
                os.path.join(os.path.dirname(sys.executable), 'gunicorn'),
                '--config', os.path.join(ROOT, 'ops', 'gunicorn.conf.py'),
                'trytond.application:app'],
            env=env, stdout=self.log, stderr=self.log, cwd=ROOT)

    def wait(self, timeout=180):
        "Until every worker answers the log-in page."
        deadline = time.monotonic() + timeout
        answered = 0
        while answered < 4 * self.args.workers:
            if self.process.poll() is not None:
                sys.exit('gunicorn stopped: see %s' % self.args.server_log)
            if time.monotonic() > deadline:
                sys.exit('gunicorn did not answer in %s s' % timeout)
            try:
                with urllib.request.urlopen(self.url + 'login',
                        timeout=60) as response:
                    answered += response.status == 200
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.5)

    def worker_pids(self):
        output = subprocess.run(['pgrep', '-P', str(self.process.pid)],
            capture_output=True, text=True).stdout
        return [int(p) for p in output.split()]

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


class Resident:
    "One simulated resident: its own cookies, its requests timed."

    def __init__(self, url, results, submitted):
        self.url = url
        self.results = results
        self.submitted = submitted
        self.session = None

    async def request(self, step, method, path, expect, **kwargs):
        """The response's text if its status is expect, else None; the
        latency of the request is recorded under step."""
        import aiohttp
        start = time.perf_counter()
        try:
            async with self.session.request(method, self.url + path,
                    allow_redirects=False, **kwargs) as response:
                body = await response.text()
                status = response.status
                location = response.headers.get('Location', '')
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            self.results[step].append(
                (time.perf_counter() - start, type(error).__name__))
            return None
        elapsed = time.perf_counter() - start
        if status != expect:
            self.results[step].append((elapsed, 'HTTP %s' % status))
            return None
        self.results[step].append((elapsed, None))
        return location if 300 <= status < 400 else body

    def fresh(self):
        import aiohttp
        jar = aiohttp.CookieJar(unsafe=True)
        jar.update_cookies({'portal_lang': 'en'})
        return aiohttp.ClientSession(cookie_jar=jar,
            connector=aiohttp.TCPConnector(limit=1, force_close=False),
            timeout=aiohttp.ClientTimeout(total=120))

    async def log_in(self, number):
        page = await self.request('GET login', 'GET', 'login', 200)
        if page is None:
            return False
        token = CSRF.search(page).group(1)
        location = await self.request('POST login', 'POST', 'login', 303,
            data={'login': number, 'password': PASSWORD,
                'csrf_token': token})
        return location is not None

    async def pages(self, number, account_id):
        page = await self.request('GET dashboard', 'GET', '', 200)
        if page is None:
            return
        if number not in page:
            self.results['GET dashboard'][-1] = (
                self.results['GET dashboard'][-1][0], 'account missing')
        path = 'a/%s/readings' % account_id
        page = await self.request('GET readings', 'GET', path, 200)
        if page is None:
            return
        token = CSRF.search(page).group(1)
        form = None
        for last, meter, fields in SECTION.findall(page):
            if last:
                form = (int(meter), ZONE.findall(fields),
                    [Decimal(v) for v in last.split(' / ')])
                break
        if form is None:
            self.results['no meter read'].append((0, 'no meter read'))
        else:
            meter, zones, values = form
            new = [v + 1 for v in values]
            data = {'meter': str(meter), 'csrf_token': token}
            data.update(zip(zones, (str(v) for v in new)))
            location = await self.request('POST reading', 'POST', path,
                303, data=data)
            if location:
                sent = re.search(r'sent=(\d+)', location)
                self.submitted.append((int(sent.group(1)) if sent else None,
                        meter, new))
                await self.request('GET confirmation', 'GET',
                    location.split('/portal/', 1)[1], 200)
        await self.request('GET dashboard', 'GET', '', 200)

    async def run(self, accounts, pages_only):
        for number, account_id in accounts:
            async with self.fresh() as self.session:
                if pages_only:
                    # The log-in untimed: its latencies go elsewhere.
                    results, self.results = self.results, defaultdict(list)
                    ok = await self.log_in(number)
                    self.results = results
                else:
                    ok = await self.log_in(number)
                if ok:
                    await self.pages(number, account_id)


async def load(url, plan, pages_only, on_start):
    "Run the plan; on_start() when the timed part begins."
    results = defaultdict(list)
    submitted = []
    residents = [Resident(url, results, submitted) for _ in plan]
    if pages_only:
        # Every resident logged in first, then the pages timed together.
        sessions = []
        for resident, accounts in zip(residents, plan):
            resident.session = resident.fresh()
            sessions.append(resident.session)
        await asyncio.gather(*(
                untimed_log_in(r, accounts[0][0])
                for r, accounts in zip(residents, plan)))
        on_start()
        start = time.perf_counter()
        await asyncio.gather(*(
                r.pages(*accounts[0]) for r, accounts in zip(residents, plan)))
        elapsed = time.perf_counter() - start
        for session in sessions:
            await session.close()
    else:
        on_start()
        start = time.perf_counter()
        await asyncio.gather(*(
                r.run(accounts, pages_only)
                for r, accounts in zip(residents, plan)))
        elapsed = time.perf_counter() - start
    return results, submitted, elapsed


async def untimed_log_in(resident, number):
    results, resident.results = resident.results, defaultdict(list)
    await resident.log_in(number)
    resident.results = results


def percentile(values, fraction):
    values = sorted(values)
    if not values:
        return float('nan')
    index = min(len(values) - 1, max(0, round(fraction * len(values)) - 1))
    return values[index]


def report(results, elapsed):
    every = [(t, e) for step in results.values() for t, e in step]
    print('\n%-17s %7s %7s %8s %8s %8s %8s' % (
            'step', 'count', 'errors', 'p50 ms', 'p95 ms', 'p99 ms',
            'max ms'))

    def line(name, rows):
        times = [t * 1000 for t, _ in rows]
        print('%-17s %7d %7d %8.1f %8.1f %8.1f %8.1f' % (
                name, len(rows), sum(1 for _, e in rows if e),
                statistics.median(times), percentile(times, .95),
                percentile(times, .99), max(times)))
    for name in ['GET login', 'POST login', 'GET dashboard', 'GET readings',
            'POST reading', 'GET confirmation']:
        if results.get(name):
            line(name, results[name])
    line('all', every)
    errors = defaultdict(int)
    for name, rows in results.items():
        for _, error in rows:
            if error:
                errors['%s: %s' % (name, error)] += 1
    for error, count in sorted(errors.items()):
        print('error  %s × %s' % (error, count))
    print('\n%d requests in %.1f s: %.1f requests/s; p95 %.1f ms, '
        'p99 %.1f ms; %d errors' % (len(every), elapsed,
            len(every) / elapsed, percentile([t * 1000 for t, _ in every],
                .95), percentile([t * 1000 for t, _ in every], .99),
            sum(errors.values())))


def check_stored(args, submitted):
    """Every reading the portal confirmed is in the database with the
    meter and the values sent; returns the number missing or wrong."""
    ids = [i for i, _, _ in submitted if i]
    stored = {}
    with connect(args) as connection:
        for start in range(0, len(ids), 1000):
            for row in connection.execute(
                    'SELECT id, meter, date, value1, value2, value3, source '
                    'FROM housing_meter_reading WHERE id = ANY(%s)',
                    (ids[start:start + 1000],)):
                stored[row[0]] = row
    today = dt.date.today()
    wrong = 0
    for reading_id, meter, values in submitted:
        row = stored.get(reading_id)
        if (row is None or row[1] != meter or row[2] != today
                or row[6] != 'portal'
                or [Decimal(v) for v in row[3:3 + len(values)]] != values):
            wrong += 1
    print('database: %d readings confirmed by the portal, %d stored with '
        'their meter and values, %d missing or different' % (
            len(submitted), len(submitted) - wrong, wrong))
    return wrong


def profile(server, args):
    "py-spy on each worker for --profile seconds, in the background."
    spies = []
    for pid in server.worker_pids():
        output = '%s-%s.txt' % (args.profile_output, pid)
        spies.append(subprocess.Popen([
                    os.path.join(os.path.dirname(sys.executable), 'py-spy'),
                    'record', '--pid',
                    str(pid), '--duration', str(args.profile), '--format',
                    'raw', '--output', output, '--nonblocking'],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    return spies


def run(args):
    needed = args.residents * (1 if args.pages_only else args.cycles)
    rows = free_accounts(args, needed)
    per = 1 if args.pages_only else args.cycles
    plan = [rows[i * per:(i + 1) * per] for i in range(args.residents)]
    server = Server(args)
    try:
        server.wait()
        print('gunicorn: %s workers on %s' % (args.workers, server.url))
        spies = []

        def start():
            if args.profile:
                spies.extend(profile(server, args))
            print('before: load average %.2f %.2f %.2f' % os.getloadavg())
        results, submitted, elapsed = asyncio.run(
            load(server.url, plan, args.pages_only, start))
        print('after:  load average %.2f %.2f %.2f' % os.getloadavg())
        for spy in spies:
            spy.wait()
    finally:
        server.stop()
    print('%s residents, %s accounts%s, %s workers' % (
            args.residents, needed,
            ' (pages only, logged in beforehand)' if args.pages_only else '',
            args.workers))
    report(results, elapsed)
    if check_stored(args, submitted):
        sys.exit(1)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('-c', '--config', required=True)
    parser.add_argument('-d', '--database', required=True)
    commands = parser.add_subparsers(dest='command', required=True)
    command = commands.add_parser('prepare',
        help='give accounts their portal log-ins')
    command.add_argument('--accounts', type=int, default=4000)
    command = commands.add_parser('run', help='the load')
    command.add_argument('--workers', type=int, default=3)
    command.add_argument('--residents', type=int, default=200)
    command.add_argument('--cycles', type=int, default=10,
        help='accounts each resident goes through (default 10)')
    command.add_argument('--pages-only', action='store_true',
        help='log in untimed, then time one pass of the pages')
    command.add_argument('--port', type=int, default=8765)
    command.add_argument('--server-log', default='/tmp/bench-portal.log',
        help="gunicorn's output (its access log)")
    command.add_argument('--profile', type=int, default=0, metavar='SECONDS',
        help='py-spy on every worker for SECONDS of the run')
    command.add_argument('--profile-output', default='/tmp/portal-profile')
    args = parser.parse_args(argv)
    if args.command == 'prepare':
        prepare(args)
    else:
        run(args)


if __name__ == '__main__':
    sys.path.insert(0, ROOT)
    main()
