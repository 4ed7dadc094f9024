# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""The ЕПД of every account of a generated dataset for one period, timed.

Creates a receipt batch of the whole company for --period (its run must be
posted), then generates its buildings as Tryton's queue workers would: each
building in a transaction of its own, committed, spread over --processes
processes (each its own trytond pool, like trytond-worker). Prints the
wall time, the CPU seconds of all processes, receipts per second, the
CPU seconds of each phase (figures read with SQL, PDF per account,
records and file store) and the peak RSS. With --print, the printing PDF of
every building is then made as the button «Make Printing PDF» makes it,
timed apart (it is not part of the batch).

The receipts are kept (a bench database is meant for this); --clean deletes
with SQL the receipts, e-mail log and batches of --period first, so that a
new batch makes version 1 again. The PDFs go to the file store of --filestore
(files of cleaned receipts are left there).

  .venv/bin/python bench/receipts.py -c bench/postgresql.conf \\
      -d bench_rcpt_10k --period 2026-10-01 --processes 2 --clean
"""
import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import time
from collections import defaultdict
from contextlib import contextmanager

from trytond.config import update_etc

SECONDS = defaultdict(float)
# G-QR1's payee: the bench company's configuration gets it if it has none.
PAYEE = {
    'payee_name': 'ТСЖ «Бенчмарк»',
    'payee_inn': '7701234567',
    'payee_kpp': '770101001',
    'payee_bank_account': '40702810200000012345',
    'payee_bank_name': 'ПАО Сбербанк',
    'payee_bic': '044525225',
    'payee_correspondent_account': '30101810400000000225',
    'portal_url': 'https://lk.example.ru',
    'receipt_announcement': 'Общее собрание собственников 15 ноября.',
    }


@contextmanager
def phase(name):
    "CPU seconds of this process in the phase (the machine is shared)."
    start = time.process_time()
    try:
        yield
    finally:
        SECONDS[name] += time.process_time() - start


def timed(owner, name, label):
    function = getattr(owner, name)

    def wrapper(*args, **kwargs):
        with phase(label):
            return function(*args, **kwargs)
    setattr(owner, name, wrapper)


def instrument(pool):
    from housing_billing import receipt
    Receipt = pool.get('housing.receipt')
    timed(receipt, 'gather', 'figures (SQL)')
    timed(Receipt, 'render', 'PDF per account')
    timed(Receipt, 'merge', 'PDF per building (on demand)')
    timed(Receipt, 'create', 'records and file store')


def peak_rss_mib(who=resource.RUSAGE_SELF):
    return resource.getrusage(who).ru_maxrss / 1024


def cpu_seconds(who=resource.RUSAGE_SELF):
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def start_pool(args):
    from trytond.pool import Pool
    Pool.start()
    pool = Pool(args.database)
    pool.init()
    return pool


def admin_context(pool, database):
    from trytond.transaction import Transaction
    with Transaction().start(database, 0):
        User = pool.get('res.user')
        admin, = User.search([('login', '=', 'admin')])
        return admin.id, User(admin.id).company.id


def prepare(pool, args):
    "The payee, the clean-up and the batch with its buildings, committed."
    from trytond.transaction import Transaction
    admin, company = admin_context(pool, args.database)
    with Transaction().start(args.database, admin, context={
                'company': company, 'language': 'ru'}) as transaction:
        Configuration = pool.get('housing.configuration')
        Batch = pool.get('housing.receipt.batch')
        configuration = Configuration(1)
        if not configuration.payee_bank_account:
            for name, value in PAYEE.items():
                setattr(configuration, name, value)
            configuration.save()
        cursor = transaction.connection.cursor()
        if args.clean:
            period = args.period.isoformat()
            cursor.execute('DELETE FROM housing_receipt_mail WHERE receipt '
                'IN (SELECT id FROM housing_receipt WHERE period = %s)',
                (period,))
            cursor.execute('DELETE FROM housing_receipt WHERE period = %s',
                (period,))
            cursor.execute('DELETE FROM housing_receipt_batch '
                'WHERE period = %s', (period,))
        batch, = Batch.create([{'period': args.period}])
        Batch.generate([batch])
        # The bench's processes run the buildings instead of the queue.
        transaction.tasks.clear()
        chunks = [(c.id, c.accounts) for c in Batch(batch.id).chunks]
        transaction.commit()
    return batch.id, chunks


def work(args):
    """A worker process: the buildings --chunks, a transaction each; with
    --print, then their printing PDFs (timed apart: they are made when an
    accountant asks for them, not in the batch)."""
    from trytond.transaction import Transaction
    pool = start_pool(args)
    instrument(pool)
    admin, company = admin_context(pool, args.database)
    Chunk = pool.get('housing.receipt.batch.building')
    failed = 0
    chunk_ids = json.loads(args.chunks)
    for chunk_id in chunk_ids:
        with Transaction().start(args.database, admin, context={
                    'company': company, 'language': 'ru'}) as transaction:
            Chunk.generate([Chunk(chunk_id)])
            failed += Chunk(chunk_id).state != 'done'
            transaction.commit()
    SECONDS['failed buildings'] = failed
    cpu = cpu_seconds()
    rss = peak_rss_mib()
    if args.print:
        start = cpu_seconds()
        for chunk_id in chunk_ids:
            with Transaction().start(args.database, admin, context={
                        'company': company, 'language': 'ru'}
                    ) as transaction:
                Chunk.make_pdf([Chunk(chunk_id)])
                transaction.commit()
        SECONDS['printing PDFs'] = cpu_seconds() - start
    print(json.dumps(dict(SECONDS, rss=rss, cpu=cpu)))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--config', '-c', required=True)
    parser.add_argument('--database', '-d', required=True)
    parser.add_argument('--period', type=dt.date.fromisoformat,
        required=True, help="the first day of the month (posted)")
    parser.add_argument('--processes', type=int, default=1)
    parser.add_argument('--clean', action='store_true')
    parser.add_argument('--filestore',
        default=os.path.join(os.path.dirname(os.path.dirname(
                    os.path.abspath(__file__))), 'var', 'bench', 'filestore'))
    parser.add_argument('--print', action='store_true',
        help="then make the printing PDF of every building, timed apart")
    parser.add_argument('--chunks', help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    os.environ['TRYTOND_DATABASE__PATH'] = args.filestore
    update_etc(args.config)
    if args.chunks is not None:
        return work(args)
    started = time.perf_counter()
    pool = start_pool(args)
    batch, chunks = prepare(pool, args)
    accounts = sum(n for _, n in chunks)
    print("set-up %.1f s: batch %s, %s buildings, %s accounts" % (
            time.perf_counter() - started, batch, len(chunks), accounts),
        flush=True)
    # Deal the buildings largest first, round robin.
    shares = [[] for _ in range(args.processes)]
    for i, (chunk, _) in enumerate(sorted(chunks, key=lambda c: -c[1])):
        shares[i % args.processes].append(chunk)
    load_before = os.getloadavg()
    start = time.perf_counter()
    workers = [subprocess.Popen([sys.executable, __file__,
                '-c', args.config, '-d', args.database,
                '--period', args.period.isoformat(),
                '--filestore', args.filestore,
                '--chunks', json.dumps(share)]
            + (['--print'] if args.print else []),
            stdout=subprocess.PIPE, text=True) for share in shares]
    results = [json.loads(w.communicate()[0].strip().splitlines()[-1])
        for w in workers]
    wall = time.perf_counter() - start
    # The processes' CPU up to the end of the receipts (the printing PDFs
    # of --print apart): the wall time includes them.
    cpu = sum(r['cpu'] for r in results)
    print("period %s, database %s, %s processes" % (
            args.period, args.database, args.processes))
    print("accounts %s, buildings %s, failed buildings %d" % (
            accounts, len(chunks),
            sum(r['failed buildings'] for r in results)))
    print("wall %.1f s: %.0f receipts/s; CPU %.1f s (all processes): "
        "%.0f receipts per CPU second" % (
            wall, accounts / wall, cpu, accounts / cpu))
    for name in ['figures (SQL)', 'PDF per account',
            'records and file store']:
        print("  %-24s %7.1f s CPU (summed over processes)" % (
                name, sum(r.get(name, 0) for r in results)))
    if args.print:
        printing = sum(r.get('printing PDFs', 0) for r in results)
        print("printing PDFs of the %s buildings made afterwards: %.1f s "
            "CPU (%.0f pages per CPU second; in the wall time above), of "
            "which pypdf's join %.1f s" % (
                len(chunks), printing, accounts / printing,
                sum(r.get('PDF per building (on demand)', 0)
                    for r in results)))
    print("peak RSS of a process %.0f MiB" % max(r['rss'] for r in results))
    print("load average before %s, after %s" % (
            ', '.join('%.1f' % v for v in load_before),
            ', '.join('%.1f' % v for v in os.getloadavg())))


if __name__ == '__main__':
    main()
