# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""Recalculation of past months after a tariff correction, timed.

Posts the --months months before --period (each computed and posted in its
own transaction, kept: they are the dataset) unless they are posted
already. Then, in one transaction that is rolled back unless --commit,
corrects the price of the company's tariff of --service in force at the
first of those months (the correction records a recalculation request per
building), computes the run of --period through its queue tasks and posts
it, and prints the seconds of the recalculation apart from the month's own
charges, the recalculation rows and the peak RSS.

  .venv/bin/python bench/recalculation.py -c bench/postgresql.conf \\
      -d bench_10k --period 2026-10-01 --months 12 --service maintenance
"""
import argparse
import datetime as dt
import resource
import sys
import time
from decimal import Decimal

from trytond.config import update_etc


def months_before(period, count):
    months = []
    for _ in range(count):
        period = (period - dt.timedelta(days=1)).replace(day=1)
        months.append(period)
    return sorted(months)


def run_tasks(pool):
    from trytond.transaction import Transaction
    Queue = pool.get('ir.queue')
    transaction = Transaction()
    while transaction.tasks:
        Queue(transaction.tasks.pop(0)).run()


def accrue(pool, period, post=True):
    "A run of period computed through its queue tasks, and posted"
    Run = pool.get('housing.accrual.run')
    run, = Run.create([{'period': period}])
    Run.compute([run])
    run_tasks(pool)
    run = Run(run.id)
    assert run.state == 'computed', (period, run.state)
    if post:
        Run.post([run])
        # Each building's move is written by a queue task.
        run_tasks(pool)
        run = Run(run.id)
        assert run.state == 'posted', (period, run.state)
    return run


def lock_extras(pool):
    "What posting locks, taken at the start rather than by a retry"
    return {'_lock_tables': [
            pool.get('account.journal.period')._table,
            pool.get('ir.sequence.strict')._table]}


def post_history(pool, database, context, months):
    from trytond.transaction import Transaction
    for period in months:
        with Transaction().start(database, context['user'],
                context=context['context'], **lock_extras(pool)):
            Run = pool.get('housing.accrual.run')
            if Run.search([
                        ('period', '=', period), ('state', '=', 'posted')]):
                continue
            start = time.perf_counter()
            run = accrue(pool, period)
            print("posted %s: %s in %.1f s" % (
                    period, run.total, time.perf_counter() - start),
                flush=True)
            Transaction().commit()


def correct_tariffs(pool, code, first, last):
    """Raise by 1 % the company's tariffs of the service in force between
    the days first and last."""
    Tariff = pool.get('housing.tariff')
    Rate = pool.get('housing.tariff.rate')
    tariffs = Tariff.search([
            ('service.code', '=', code),
            ('building', '=', None), ('premises', '=', None),
            ('date_from', '<=', last),
            ['OR', ('date_to', '=', None), ('date_to', '>=', first)],
            ])
    for rate in [r for t in tariffs for r in t.rates]:
        Rate.write([rate], {
                'price': (rate.price * Decimal('1.01')).quantize(
                    Decimal('0.0001'))})
    return tariffs


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--config', '-c', required=True)
    parser.add_argument('--database', '-d', required=True)
    parser.add_argument('--period', type=dt.date.fromisoformat,
        required=True)
    parser.add_argument('--months', type=int, default=12)
    parser.add_argument('--service', default='maintenance',
        help="the code of the service whose tariff is corrected")
    parser.add_argument('--commit', action='store_true')
    args = parser.parse_args(argv)
    update_etc(args.config)
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    Pool.start()
    pool = Pool(args.database)
    pool.init()
    with Transaction().start(args.database, 0):
        User = pool.get('res.user')
        admin, = User.search([('login', '=', 'admin')])
        company = User(admin.id).company.id
    context = {'user': admin.id,
        'context': {'company': company, 'language': 'ru'}}
    months = months_before(args.period, args.months)
    post_history(pool, args.database, context, months)

    Run = pool.get('housing.accrual.run')
    seconds = {'recalculation': 0.0}
    recalculation_rows = Run.recalculation_rows

    def timed(self, *a, **k):
        start = time.perf_counter()
        try:
            return recalculation_rows(self, *a, **k)
        finally:
            seconds['recalculation'] += time.perf_counter() - start
    Run.recalculation_rows = timed

    with Transaction().start(args.database, admin.id,
            context=context['context'],
            **lock_extras(pool)) as transaction:
        Request = pool.get('housing.recalculation')
        Account = pool.get('housing.account')
        tariffs = correct_tariffs(pool, args.service, months[0],
            args.period - dt.timedelta(days=1))
        requests = Request.search([('state', '=', 'pending')])
        start = time.perf_counter()
        run = accrue(pool, args.period)
        wall = time.perf_counter() - start
        cursor = transaction.connection.cursor()
        cursor.execute(
            "SELECT COUNT(*), COUNT(DISTINCT account), "
            "COUNT(DISTINCT corrected_period), SUM(amount) "
            "FROM housing_charge WHERE run = %s AND kind = 'recalculation' "
            "AND corrected_period < %s", (run.id, args.period))
        rows, accounts, periods, amount = cursor.fetchone()
        print("tariffs corrected: %s; %d requests" % (
                ', '.join(t.rec_name for t in tariffs), len(requests)))
        print("accounts               %10s" % '{:,}'.format(
                Account.search([], count=True)))
        print("recalculation rows     %10s (%s accounts, %d months, "
            "%s ₽)" % ('{:,}'.format(rows), '{:,}'.format(accounts),
                periods, amount))
        print("run of %s (compute + post) %8.1f s" % (args.period, wall))
        print("of which recalculation %8.1f s" % seconds['recalculation'])
        print("peak RSS               %8.0f MiB" % (
                resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))
        if args.commit:
            transaction.commit()
        else:
            transaction.rollback()


if __name__ == '__main__':
    sys.path.insert(0, '.')
    main()
