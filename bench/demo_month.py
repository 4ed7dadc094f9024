# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""The demo's last months billed, as an accountant would have done them.

For each of the --months months before the current one: an accrual run of
the company computed (its queue tasks run here) and posted, then payments
of two accounts in three for what the month charged (by cash desk or bank,
on the 10th of the next month, or today if earlier); then the receipts
(ЕПД) of the last month. Months already posted are left as they are.

  .venv/bin/python bench/demo_month.py --config var/trytond.conf \\
      --database demo --months 2
"""
import argparse
import datetime as dt
import sys
from decimal import Decimal

from trytond.config import update_etc

# The payee on the receipts when the configuration has none (golden case
# G-QR1's bank details).
PAYEE = {
    'payee_name': 'ТСЖ «Демо»',
    'payee_inn': '7701234567',
    'payee_kpp': '770101001',
    'payee_bank_account': '40702810200000012345',
    'payee_bank_name': 'ПАО Сбербанк',
    'payee_bic': '044525225',
    'payee_correspondent_account': '30101810400000000225',
    }


def months_before(today, count):
    periods, period = [], today.replace(day=1)
    for _ in range(count):
        period = (period - dt.timedelta(days=1)).replace(day=1)
        periods.append(period)
    return sorted(periods)


def run_tasks(pool):
    from trytond.transaction import Transaction
    Queue = pool.get('ir.queue')
    tasks = Transaction().tasks
    while tasks:
        Queue(tasks.pop(0)).run()


def bill(pool, period):
    "The posted run of period: made, or the one there is"
    Run = pool.get('housing.accrual.run')
    posted = Run.search([('period', '=', period), ('state', '=', 'posted')])
    if posted:
        return None
    run, = Run.create([{'period': period}])
    Run.compute([run])
    run_tasks(pool)
    run = Run(run.id)
    if run.state != 'computed':
        raise SystemExit("demo: the run of %s is %s" % (period, run.state))
    Run.post([run])
    # Each building's move is written by a queue task, as compute's chunks.
    run_tasks(pool)
    run = Run(run.id)
    if run.state != 'posted':
        raise SystemExit("demo: the run of %s is %s" % (period, run.state))
    return run


def pay(pool, run, today):
    "Two accounts in three pay what the run charged them"
    from trytond.transaction import Transaction
    Payment = pool.get('housing.payment')
    charge = pool.get('housing.charge').__table__()
    cursor = Transaction().connection.cursor()
    cursor.execute(*charge.select(
            charge.account, charge.amount, where=charge.run == run.id))
    due = {}
    for account, amount in cursor:
        due[account] = due.get(account, Decimal(0)) + Decimal(str(amount))
    next_month = (run.period + dt.timedelta(days=31)).replace(day=10)
    date = min(next_month, today)
    payments = Payment.create([{
                'company': run.company.id,
                'account': account,
                'date': date,
                'amount': amount.quantize(Decimal('0.01')),
                'channel': 'cash' if account % 2 else 'bank',
                'period': run.period,
                } for account, amount in sorted(due.items())
            if account % 3 and amount > 0])
    Payment.post(payments)
    return len(payments)


def receipts(pool, period):
    "The ЕПД of period, generated building by building"
    Configuration = pool.get('housing.configuration')
    Batch = pool.get('housing.receipt.batch')
    configuration = Configuration(1)
    if not configuration.payee_bank_account:
        for name, value in PAYEE.items():
            setattr(configuration, name, value)
        configuration.save()
    if Batch.search([('period', '=', period)]):
        return 0
    batch, = Batch.create([{'period': period}])
    Batch.generate([batch])
    run_tasks(pool)
    return pool.get('housing.receipt').search_count([
            ('period', '=', period)])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--config', required=True)
    parser.add_argument('--database', required=True)
    parser.add_argument('--months', type=int, default=2)
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
    context = {'company': company, 'language': 'ru'}
    with Transaction().start(args.database, admin.id, context=context,
            _lock_tables=[
                pool.get('account.journal.period')._table,
                pool.get('ir.sequence.strict')._table]) as transaction:
        today = pool.get('ir.date').today()
        periods = months_before(today, args.months)
        for period in periods:
            run = bill(pool, period)
            if run is None:
                print("demo: %s already posted" % period.strftime('%m.%Y'))
                continue
            paid = pay(pool, run, today)
            print("demo: %s posted, %s accounts paid" % (
                    period.strftime('%m.%Y'), paid))
        count = receipts(pool, periods[-1])
        print("demo: %s receipts of %s" % (
                count, periods[-1].strftime('%m.%Y')))
        transaction.commit()


if __name__ == '__main__':
    sys.path.insert(0, '.')
    main()
