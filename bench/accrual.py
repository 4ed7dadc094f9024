# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""The monthly accrual of a generated dataset, timed phase by phase.

Computes and posts one accrual run of the whole company for --period in one
transaction, as the accountant's buttons do, prints the seconds of each
phase (accounts, snapshot loading, kernel, charge insert, anomalies, moves
aggregated, moves written, checks), the rows written and the peak RSS, then
the floor: PostgreSQL's COPY of as many charge rows and move lines into
scratch tables. The transaction is rolled back unless --commit.

  .venv/bin/python bench/accrual.py -c bench/postgresql.conf -d bench_100k \\
      --period 2026-10-01

With --workers N the run goes as in production: Compute commits the run
and its queued tasks, N trytond-worker processes compute the chunks (each
task in its own transaction), then Post commits and the workers write the
buildings' moves, the last task's check posting them. The run stays in
the database: use a copy (createdb -T bench_100k bench_100k_copy). The
phases are then timed as a whole (compute until the last chunk is done,
post) and the peak RSS is the largest of this process and the workers'.
"""
import argparse
import datetime as dt
import hashlib
import io
import resource
import sys
import time
from collections import defaultdict
from contextlib import contextmanager

from trytond.config import update_etc

SECONDS = defaultdict(float)


@contextmanager
def phase(name):
    start = time.perf_counter()
    try:
        yield
    finally:
        SECONDS[name] += time.perf_counter() - start


def timed(owner, name, label, generator=False):
    """Wrap owner.name so that its calls count as the phase label (a
    generator's results are all drawn within the phase)."""
    function = getattr(owner, name)

    def wrapper(*args, **kwargs):
        with phase(label):
            result = function(*args, **kwargs)
            return list(result) if generator else result
    setattr(owner, name, wrapper)


def instrument(pool):
    from housing_billing import accrual, loader, move_writer
    Run = pool.get('housing.accrual.run')
    timed(Run, 'accounts', 'accounts')
    timed(loader.SnapshotLoader, '__init__', 'load')
    timed(loader.SnapshotLoader, 'load', 'load')
    timed(Run, 'insert_charges', 'insert charges')
    timed(Run, 'insert_anomalies', 'anomalies')
    timed(Run, 'get_moves', 'aggregate moves', generator=True)
    timed(Run, 'check_postable', 'aggregate moves')
    timed(move_writer.MoveWriter, 'write', 'write moves')
    timed(move_writer.MoveWriter, 'check_moves', 'check moves')
    timed(Run, 'check_ledger', 'check ledger')
    return accrual


def peak_rss_mib():
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return own / 1024, children / 1024


def copy_floor(connection, run_id):
    """Seconds to COPY the run's charge rows and move lines into scratch
    tables: the rows are first read into memory, then timed going in."""
    cursor = connection.cursor()
    result = {}
    for table, where in [
            ('housing_charge', 'run = %d' % run_id),
            ('account_move_line',
                "move IN (SELECT id FROM account_move "
                "WHERE origin = 'housing.accrual.run,%d')" % run_id)]:
        buffer = io.BytesIO()
        with cursor.copy('COPY (SELECT * FROM "%s" WHERE %s) TO STDOUT'
                % (table, where)) as copy:
            for data in copy:
                buffer.write(data)
        scratch = 'scratch_%s' % table
        cursor.execute('CREATE TEMP TABLE "%s" (LIKE "%s" INCLUDING DEFAULTS)'
            % (scratch, table))
        start = time.perf_counter()
        with cursor.copy('COPY "%s" FROM STDIN' % scratch) as copy:
            copy.write(buffer.getvalue())
        result[table] = time.perf_counter() - start
        cursor.execute('SELECT COUNT(*) FROM "%s"' % scratch)
        result[table + ' rows'], = cursor.fetchone()
    return result


def run_month(pool, period, commit):
    from trytond.transaction import Transaction
    Run = pool.get('housing.accrual.run')
    transaction = Transaction()
    run, = Run.create([{'period': period}])
    start = time.perf_counter()
    cpu = time.process_time()
    with phase('compute (total)'):
        Run.compute([run])
        # The chunks' queue tasks, run here in this transaction (without
        # trytond-worker, trytond runs them after the commit, each in its
        # own transaction).
        Queue = pool.get('ir.queue')
        while transaction.tasks:
            Queue(transaction.tasks.pop(0)).run()
    SECONDS['compute CPU'] = time.process_time() - cpu
    run = Run(run.id)
    assert run.state == 'computed', run.state
    print("compute %.1f s (load %.1f s, insert %.1f s), peak RSS %.0f MiB"
        % (SECONDS['compute (total)'], SECONDS['load'],
            SECONDS['insert charges'], peak_rss_mib()[0]), flush=True)
    with phase('post (total)'):
        Run.post([run])
        # Each building's move is written by a queue task, as compute's
        # chunks: run here too.
        while transaction.tasks:
            Queue(transaction.tasks.pop(0)).run()
        assert Run(run.id).state == 'posted', Run(run.id).state
    wall = time.perf_counter() - start
    SECONDS['peak RSS before the floor'] = peak_rss_mib()[0]
    rows = count_rows(run)
    floor = {}
    from trytond import backend
    if backend.name == 'postgresql':
        floor = copy_floor(transaction.connection, run.id)
    if commit:
        transaction.commit()
    else:
        transaction.rollback()
    return wall, rows, floor


def count_rows(run):
    from trytond.transaction import Transaction
    cursor = Transaction().connection.cursor()
    counts = {}
    for name, query in [
            ('accounts', 'SELECT COUNT(DISTINCT account) FROM housing_charge '
                'WHERE run = %d' % run.id),
            ('charges', 'SELECT COUNT(*) FROM housing_charge '
                'WHERE run = %d' % run.id),
            ('anomalies', 'SELECT COUNT(*) FROM housing_accrual_anomaly '
                'WHERE run = %d' % run.id),
            ('moves', "SELECT COUNT(*) FROM account_move "
                "WHERE origin = 'housing.accrual.run,%d'" % run.id),
            ('move lines', "SELECT COUNT(*) FROM account_move_line "
                "WHERE move IN (SELECT id FROM account_move "
                "WHERE origin = 'housing.accrual.run,%d')" % run.id),
            ]:
        cursor.execute(query)
        counts[name], = cursor.fetchone()
    counts['charges digest'] = charges_digest(cursor, run.id)
    return counts


def charges_digest(cursor, run_id):
    "What the run charged, to compare two versions of the code"
    cursor.execute(
        'SELECT account, service, kind, component, basis, method, '
        'date_from, date_to, corrected_period, quantity, tariff, amount, '
        'explanation_ru FROM housing_charge WHERE run = %d' % run_id)
    rows = sorted(repr(tuple(str(v) for v in r)) for r in cursor)
    return hashlib.md5('\n'.join(rows).encode('utf-8')).hexdigest()[:12]


class WorkerPool:
    "trytond-worker processes, and the largest RSS any of them reached"

    def __init__(self, config, database, processes):
        import os
        import subprocess
        env = dict(os.environ, TRYTOND_QUEUE__WORKER='True')
        self.process = subprocess.Popen([
                os.path.join(os.path.dirname(sys.executable),
                    'trytond-worker'),
                '-c', config, '-d', database, '-n', str(processes),
                '--timeout', '1'], env=env, start_new_session=True)
        self.peak_kib = 0
        # {pid: CPU seconds} of the workers and of the database's
        # PostgreSQL backends, as last sampled (the machine is shared: CPU
        # seconds compare better than wall times).
        self.cpu = {}
        self.idle = 0
        self.database = database
        self.backends = {}

    def tree(self):
        import os
        pids, todo = [], [self.process.pid]
        while todo:
            pid = todo.pop()
            pids.append(pid)
            path = '/proc/%d/task/%d/children' % (pid, pid)
            if os.path.exists(path):
                with open(path) as children:
                    todo.extend(int(c) for c in children.read().split())
        return pids

    @staticmethod
    def cpu_seconds(pid):
        "utime + stime of the process, in seconds (None once it is gone)"
        import os
        try:
            with open('/proc/%d/stat' % pid) as stat:
                fields = stat.read().rsplit(')', 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            return None
        return (int(fields[11]) + int(fields[12])) / os.sysconf(
            'SC_CLK_TCK')

    def sample_backends(self, cursor):
        "Sample the CPU of the database's PostgreSQL backends."
        cursor.execute('SELECT pid FROM pg_stat_activity '
            'WHERE datname = %s', (self.database,))
        for pid, in cursor.fetchall():
            seconds = self.cpu_seconds(pid)
            if seconds is not None:
                self.backends[pid] = max(self.backends.get(pid, 0), seconds)

    def sample(self):
        for pid in self.tree():
            seconds = self.cpu_seconds(pid)
            if seconds is not None:
                self.cpu[pid] = max(self.cpu.get(pid, 0), seconds)
            try:
                with open('/proc/%d/status' % pid) as status:
                    for line in status:
                        if line.startswith('VmHWM:'):
                            self.peak_kib = max(
                                self.peak_kib, int(line.split()[1]))
            except FileNotFoundError:
                pass

    def stop(self):
        import os
        import signal
        # The worker's pool processes are in its session: stop them all.
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except Exception:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def run_progress(cursor, run_id):
    """(state of the run, number of its pending chunks, errors of its
    failed chunks): of their computation, or of their moves while the run
    posts"""
    cursor.execute('SELECT state FROM housing_accrual_run WHERE id = %s',
        (run_id,))
    state, = cursor.fetchone()
    cursor.execute('SELECT state, error FROM housing_accrual_chunk '
        "WHERE run = %s AND state != 'posted'", (run_id,))
    rows = cursor.fetchall()
    if state == 'posting':
        pending = sum(1 for _, e in rows if not e)
        return state, pending, [e for _, e in rows if e]
    pending = sum(1 for s, _ in rows if s == 'pending')
    return state, pending, [e for s, e in rows if s == 'failed']


def wait_for(database, admin, context, workers, run_id, busy):
    """Poll the run until it leaves the state busy (or a chunk fails and
    none is pending); return its state and the errors of its chunks."""
    from trytond.transaction import Transaction
    while True:
        time.sleep(0.2)
        workers.sample()
        with Transaction().start(database, admin, context=context,
                readonly=True) as transaction:
            cursor = transaction.connection.cursor()
            workers.sample_backends(cursor)
            # With SQL: reading the run's 824 chunks through the ORM twice
            # a second took a seventh of a core from the workers.
            state, pending, failed = run_progress(cursor, run_id)
            # Every chunk done, the run moves on by the queued check that
            # follows the last task: waited for too.
            if state != busy or (failed and not pending):
                return state, failed


def run_month_workers(
        pool, database, period, workers, admin, company):
    """Compute, then post, through the queue's workers; both committed.
    Returns (wall, rows, {phase: seconds})."""
    from trytond.transaction import Transaction, TransactionError
    Run = pool.get('housing.accrual.run')
    context = {'company': company, 'language': 'ru'}
    seconds = {}
    start = time.perf_counter()
    with Transaction().start(database, admin, context=context) as transaction:
        run, = Run.create([{'period': period}])
        Run.compute([run])
        run_id = run.id
        transaction.commit()
    state, failed = wait_for(
        database, admin, context, workers, run_id, 'computing')
    assert state == 'computed' and not failed, (state, failed[:3])
    seconds['compute (total)'] = time.perf_counter() - start
    post_start = time.perf_counter()
    extras = {}
    while True:
        try:
            with Transaction().start(database, admin, context=context,
                    **extras) as transaction:
                Run.post([Run(run_id)])
                transaction.commit()
        except TransactionError as error:
            # The journal's period is made with its table locked.
            error.fix(extras)
            continue
        break
    state, failed = wait_for(
        database, admin, context, workers, run_id, 'posting')
    assert state == 'posted' and not failed, (state, failed[:3])
    seconds['post (total)'] = time.perf_counter() - post_start
    wall = time.perf_counter() - start
    seconds['peak RSS before the floor'] = peak_rss_mib()[0]
    with Transaction().start(database, admin, context=context,
            readonly=True):
        rows = count_rows(Run(run_id))
    return wall, rows, seconds


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--config', '-c', required=True)
    parser.add_argument('--database', '-d', required=True)
    parser.add_argument('--period', type=dt.date.fromisoformat,
        required=True, help="the first day of the month to accrue")
    parser.add_argument('--commit', action='store_true',
        help="keep the run and its moves (default: roll back)")
    parser.add_argument('--workers', type=int, default=0,
        help="compute with this many trytond-worker processes (commits)")
    args = parser.parse_args(argv)
    update_etc(args.config)
    if args.workers:
        from trytond import config
        config.set('queue', 'worker', 'True')
    from trytond.pool import Pool
    from trytond.transaction import Transaction, TransactionError
    started = time.perf_counter()
    Pool.start()
    pool = Pool(args.database)
    pool.init()
    instrument(pool)
    with Transaction().start(args.database, 0):
        User = pool.get('res.user')
        admin, = User.search([('login', '=', 'admin')])
        company = User(admin.id).company
        # What posting locks: taken at the start rather than by a retry.
        extras = {'_lock_tables': [
                pool.get('account.journal.period')._table,
                pool.get('ir.sequence.strict')._table]}
    print("setup %.1f s" % (time.perf_counter() - started), flush=True)
    if args.workers:
        workers = WorkerPool(args.config, args.database, args.workers)
        try:
            # Let the workers load their pools before the clock starts.
            time.sleep(15)
            workers.sample()
            workers.idle = sum(workers.cpu.values())
            wall, rows, seconds = run_month_workers(
                pool, args.database, args.period, workers, admin.id,
                company.id)
            workers.sample()
        finally:
            workers.stop()
        SECONDS.update(seconds)
        report(args, wall, rows, {})
        print("%-22s %8.0f MiB" % (
                'largest worker RSS', workers.peak_kib / 1024))
        print("%-22s %8.1f s (sampled, less %.1f s before the clock; "
            "PostgreSQL backends %.1f s)" % (
                'workers CPU', sum(workers.cpu.values()) - workers.idle,
                workers.idle, sum(workers.backends.values())))
        return
    while True:
        SECONDS.clear()
        try:
            with Transaction().start(args.database, admin.id, context={
                        'company': company.id, 'language': 'ru'},
                    **extras):
                wall, rows, floor = run_month(
                    pool, args.period, args.commit)
        except TransactionError as error:
            error.fix(extras)
            continue
        break
    report(args, wall, rows, floor)


def report(args, wall, rows, floor):
    compute = SECONDS['compute (total)']
    post = SECONDS['post (total)']
    kernel = compute - sum(SECONDS[k] for k in [
            'accounts', 'load', 'insert charges', 'anomalies'])
    print("period %s, database %s" % (args.period, args.database))
    for name, value in rows.items():
        print("%-22s %10s" % (name, '{:,}'.format(value)
                if isinstance(value, int) else value))
    print("%-22s %8.1f s" % ('compute + post', wall))
    for name in ['compute (total)', 'compute CPU', 'accounts', 'load']:
        print("%-22s %8.1f s" % (name, SECONDS[name]))
    print("%-22s %8.1f s" % ('kernel and rows', kernel))
    for name in ['insert charges', 'anomalies', 'post (total)',
            'aggregate moves', 'write moves', 'check moves',
            'check ledger']:
        print("%-22s %8.1f s" % (name, SECONDS[name]))
    print("%-22s %8.1f s" % ('post, other', post - sum(
                SECONDS[k] for k in ['aggregate moves', 'write moves',
                    'check ledger'])))
    own, children = peak_rss_mib()
    print("%-22s %8.0f MiB (largest worker %.0f MiB)" % (
            'peak RSS, compute+post', SECONDS['peak RSS before the floor'],
            children))
    print("%-22s %8.0f MiB (with the floor's buffer)" % ('peak RSS', own))
    for table in ['housing_charge', 'account_move_line']:
        if table in floor:
            print("COPY floor %-17s %8.2f s for %s rows" % (
                    table, floor[table], '{:,}'.format(
                        floor[table + ' rows'])))


if __name__ == '__main__':
    sys.path.insert(0, '.')
    main()
