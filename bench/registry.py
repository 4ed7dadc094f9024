# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""Import of a large bank payment registry, timed: preview then post.

Writes a Sberbank registry (cp1251) of --lines payments to the accounts of
the dataset that have a payer (one payment each, cycling when there are
fewer accounts; one line in 200 names an unknown account, one in 3 names
the period paid), then, as the accountant's buttons do, previews it
(read, match, duplicates) and posts it (payments, moves, allocation to
periods, splits over services, commission move) in one transaction, and
imports the same file a second time, which must post no payment (nor
book its unmatched lines again). Prints the seconds of each step (each
includes the steps it calls; "(COPY table)" is the COPY into a table, the
rows made while it runs included) and the rows written. Rolled back unless
--commit. --profile writes cProfile statistics of the first import.

  .venv/bin/python bench/registry.py -c bench/postgresql.conf \\
      -d bench_100k_reg --lines 100000 --date 2026-11-20

The database needs the payment journal and the bank account configured
(bench/ledger.py sets them), housing_payment activated and an open fiscal
period for --date. The unmatched lines' money goes to 76.09 (unidentified
receipts): a chart made before that account existed is updated from its
template first (rolled back with the rest unless --commit).
"""
import argparse
import cProfile
import datetime as dt
import functools
import os
import random
import resource
import time
from collections import defaultdict
from decimal import Decimal

from trytond.config import update_etc


def registry_file(accounts, lines, date, seed=1):
    "A Sberbank registry of lines payments to accounts (numbers)."
    rng = random.Random(seed)
    text, total, commission = [], Decimal(0), Decimal(0)
    for i in range(lines):
        number = accounts[i % len(accounts)]
        if i % 200 == 199:
            number = '9%09d' % i
        amount = Decimal(rng.randrange(10000, 1000000)) / 100
        fee = (amount * Decimal('0.012')).quantize(Decimal('0.01'))
        period = (date.replace(day=1) - dt.timedelta(days=1)).strftime(
            '%m%Y') if i % 3 == 0 else ''
        text.append(';'.join([
                    date.strftime('%d.%m.%Y'),
                    '%02d:%02d:%02d' % (8 + i % 12, i % 60, (i // 60) % 60),
                    '8626', '%04d' % (i % 500), '%07d' % i, number,
                    'ПЛАТЕЛЬЩИК %s' % i, 'Г. ПРИМЕР', period, str(amount),
                    str(amount - fee), str(fee)]))
        total += amount
        commission += fee
    text.append('=%s;%s;%s;%s;%s;%s' % (
            lines, total, total - commission, commission, 'B1',
            date.strftime('%d.%m.%Y')))
    return ('\r\n'.join(text) + '\r\n').encode('cp1251')


class Phases:
    """Seconds spent in the steps of an import (inclusive: a step that
    calls another counts its time too), by wrapping the functions for the
    length of the run."""

    def __init__(self):
        self.seconds = defaultdict(float)
        self.calls = defaultdict(int)
        self.patched = []

    def wrap(self, owner, name, label):
        original = owner.__dict__[name]
        function = original.__func__ if isinstance(
            original, (classmethod, staticmethod)) else original

        @functools.wraps(function)
        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                name = label(*args) if callable(label) else label
                self.seconds[name] += time.perf_counter() - started
                self.calls[name] += 1
        if isinstance(original, classmethod):
            timed = classmethod(timed)
        elif isinstance(original, staticmethod):
            timed = staticmethod(timed)
        setattr(owner, name, timed)
        self.patched.append((owner, name, original))

    def restore(self):
        for owner, name, original in reversed(self.patched):
            setattr(owner, name, original)
        self.patched = []

    def report(self):
        result = ', '.join('%s %.1f s' % (label, seconds)
            for label, seconds in self.seconds.items())
        self.seconds.clear()
        self.calls.clear()
        return result


def instrument(phases):
    "The steps of preview and post, as the modules define them."
    from housing_billing import bulk, move_writer
    from housing_payment import registry, registry_posting, split
    poster = registry_posting.RegistryPoster
    for owner, name, label in [
            (registry.Registry, 'parse', 'parse'),
            (registry, 'account_ids', 'match accounts'),
            (registry, 'payers_on_dates', 'match payers'),
            (registry, 'posted_keys', 'duplicates'),
            (registry_posting, 'consume_advances', 'advances'),
            (poster, 'matched_lines', 'read lines'),
            (poster, 'payers', 'payers'),
            (move_writer.MoveWriter, 'write', 'moves'),
            (poster, 'write_payments', 'payments'),
            (poster, 'allocate', 'allocation'),
            (split.Splitter, 'write', 'split'),
            (poster, 'link_lines', 'link lines'),
            (poster, 'commission_move', 'commission'),
            (poster, 'book_unmatched', 'unidentified'),
            (bulk, 'copy_rows', lambda table, *a: '(COPY %s)' % table),
            ]:
        phases.wrap(owner, name, label)


def suspense_account(pool, company):
    """76.09, the unidentified receipts of the unmatched lines: the
    company's chart updated from the template when it predates it."""
    Account = pool.get('account.account')
    UpdateChart = pool.get('account.update_chart', type='wizard')
    found = Account.search([
            ('company', '=', company.id), ('code', '=', '76.09')])
    if not found:
        root, = Account.search([
                ('company', '=', company.id), ('parent', '=', None),
                ('template', '!=', None)])
        session_id, _, _ = UpdateChart.create()
        wizard = UpdateChart(session_id)
        wizard.start.account = root
        wizard.transition_update()
        UpdateChart.delete(session_id)
        found = Account.search([
                ('company', '=', company.id), ('code', '=', '76.09')])
    account, = found
    return account


def run_tasks(pool):
    """The queued chunks run in this transaction (without trytond-worker,
    trytond runs them after the commit, each in its own transaction)."""
    from trytond.transaction import Transaction
    Queue = pool.get('ir.queue')
    tasks = Transaction().tasks
    while tasks:
        Queue(tasks.pop(0)).run()


def prepare(pool, company, args):
    """The file of --lines payments and the registry format (committed
    with --workers)."""
    from trytond.transaction import Transaction
    Format = pool.get('housing.payment.registry.format')
    Account = pool.get('account.account')
    account = pool.get('housing.account').__table__()
    payer = pool.get('housing.account.payer').__table__()
    cursor = Transaction().connection.cursor()
    cursor.execute(*account.join(
            payer, condition=payer.account == account.id).select(
            account.number, where=(account.company == company.id)
            & (payer.date_from <= args.date),
            group_by=[account.number], order_by=[account.number]))
    numbers = [n for n, in cursor]
    data = registry_file(numbers, args.lines, args.date)
    commission, = Account.search([('code', '=', '91.02')], limit=1)
    suspense = suspense_account(pool, company)
    format_, = Format.create([{
                'name': 'Сбербанк (bench)', 'kind': 'sberbank',
                'bank': 'bench', 'company': company.id,
                'commission_account': commission.id,
                'suspense_account': suspense.id,
                }])
    return data, format_.id


def run_workers(pool, company, admin, args, extras):
    """Each import committed as the buttons commit it (preview, then post:
    the registry's own moves and the queue tasks), its chunks posted by
    --workers trytond-worker processes; timed until the registry is
    posted."""
    from accrual import WorkerPool
    from trytond.transaction import Transaction, TransactionError
    Registry = pool.get('housing.payment.registry')
    Chunk = pool.get('housing.payment.registry.chunk')
    context = {'company': company.id, 'language': 'ru'}
    with Transaction().start(args.database, admin, context=context) as tr:
        data, format_id = prepare(pool, company, args)
        payments_before = count(pool, 'housing.payment')
        tr.commit()
    workers = WorkerPool(args.config, args.database, args.workers)
    try:
        time.sleep(3)
        for attempt in (1, 2):
            started = time.perf_counter()
            cpu = os.times()
            while True:
                try:
                    with Transaction().start(args.database, admin,
                            context=context, **extras) as tr:
                        registry, = Registry.create([{
                                    'company': company.id,
                                    'format': format_id, 'date': args.date,
                                    'file': data,
                                    'file_name': 'bench%s.txt' % attempt}])
                        Registry.preview([registry])
                        previewed = time.perf_counter()
                        Registry.post([registry])
                        registry_id = registry.id
                        tr.commit()
                except TransactionError as error:
                    error.fix(extras)
                    continue
                break
            button = time.perf_counter()
            while True:
                time.sleep(0.5)
                workers.sample()
                with Transaction().start(args.database, admin,
                        context=context, readonly=True):
                    state, = Registry.read([registry_id], ['state'])
                    pending = Chunk.search([
                            ('registry', '=', registry_id),
                            ('state', '=', 'pending'),
                            ], count=True)
                    failed = Chunk.search([
                            ('registry', '=', registry_id),
                            ('state', '=', 'failed'),
                            ], count=True)
                    if state['state'] == 'posted' or (failed and not pending):
                        break
            posted = time.perf_counter()
            with Transaction().start(args.database, admin, context=context,
                    readonly=True):
                registry = Registry(registry_id)
                state = registry.state
                counts = (registry.matched_count, registry.unmatched_count,
                    registry.duplicate_count, len(registry.chunks))
                payments = count(pool, 'housing.payment')
            assert state == 'posted', (state, failed)
            print("import %d with %d workers: preview %.1f s, post button "
                "%.1f s, chunks %.1f s, total %.1f s (the bench's process "
                "%.1f CPU s); lines matched %d, unmatched %d, paid before "
                "%d; %d chunks; payments added %d; workers' peak RSS %.0f "
                "MiB" % (attempt, args.workers, previewed - started,
                    button - previewed, posted - button, posted - started,
                    os.times().user - cpu.user, *counts,
                    payments - payments_before, workers.peak_kib / 1024),
                flush=True)
            payments_before = payments
    finally:
        workers.stop()


def count(pool, model):
    return pool.get(model).search([], count=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--config', '-c', required=True)
    parser.add_argument('--database', '-d', required=True)
    parser.add_argument('--lines', type=int, default=100000)
    parser.add_argument('--date', type=dt.date.fromisoformat,
        required=True, help="the day of the payments")
    parser.add_argument('--commit', action='store_true',
        help="keep the registries and their payments (default: roll back)")
    parser.add_argument('--workers', type=int, default=0,
        help="post the chunks with this many trytond-worker processes "
        "(commits everything: run it on a copy of the database)")
    parser.add_argument('--profile', metavar='FILE',
        help="write cProfile statistics of the first import to FILE")
    args = parser.parse_args(argv)
    update_etc(args.config)
    if args.workers:
        from trytond import config
        config.set('queue', 'worker', 'True')
    from trytond.pool import Pool
    from trytond.transaction import Transaction, TransactionError
    Pool.start()
    pool = Pool(args.database)
    pool.init()
    with Transaction().start(args.database, 0, readonly=True):
        User = pool.get('res.user')
        admin, = User.search([('login', '=', 'admin')])
        company = User(admin.id).company
        # What posting locks (a journal's new period): taken at the start
        # rather than by a retry, as the RPC dispatcher would retry.
        extras = {'_lock_tables': [
                pool.get('account.journal.period')._table,
                pool.get('ir.sequence.strict')._table,
                pool.get('housing.payment.registry.line')._table]}
    if args.workers:
        run_workers(pool, company, admin.id, args, extras)
        return
    while True:
        try:
            with Transaction().start(args.database, admin.id, context={
                        'company': company.id, 'language': 'ru'},
                    **extras) as transaction:
                run(pool, company, args)
                if args.commit:
                    transaction.commit()
                else:
                    transaction.rollback()
        except TransactionError as error:
            error.fix(extras)
            continue
        break


def run(pool, company, args):
    Registry = pool.get('housing.payment.registry')
    started = time.perf_counter()
    data, format_id = prepare(pool, company, args)
    print("file %d lines, %.1f MB, made in %.1f s" % (
            args.lines, len(data) / 1e6, time.perf_counter() - started),
        flush=True)
    payments_before = count(pool, 'housing.payment')
    phases = Phases()
    instrument(phases)
    for attempt in (1, 2):
        registry, = Registry.create([{
                    'company': company.id, 'format': format_id,
                    'date': args.date, 'file': data,
                    'file_name': 'bench%s.txt' % attempt}])
        profile = None
        if args.profile and attempt == 1:
            profile = cProfile.Profile()
            profile.enable()
        started = time.perf_counter()
        Registry.preview([registry])
        previewed = time.perf_counter()
        Registry.post([registry])
        run_tasks(pool)
        registry = Registry(registry.id)
        posted = time.perf_counter()
        if profile:
            profile.disable()
            profile.dump_stats(args.profile)
        payments = count(pool, 'housing.payment')
        print("import %d: preview %.1f s, post %.1f s, total %.1f s; "
            "lines matched %d, unmatched %d, paid before %d; "
            "payments added %d" % (
                attempt, previewed - started, posted - previewed,
                posted - started, registry.matched_count,
                registry.unmatched_count, registry.duplicate_count,
                payments - payments_before), flush=True)
        print("  steps: %s" % phases.report(), flush=True)
        payments_before = payments
    phases.restore()
    print("allocations %d, splits %d, peak RSS %.0f MiB" % (
            count(pool, 'housing.payment.allocation'),
            count(pool, 'housing.payment.split'),
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))


if __name__ == '__main__':
    main()
