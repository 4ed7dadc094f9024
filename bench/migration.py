# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""The migration import of --accounts personal accounts, timed.

Makes the seven CSV files of a migration in memory: buildings of 100 flats,
one account, one owner and two residents a flat, a cold water meter with
its last reading, three months of opening balances an account; then runs
the dry run and the import of housing_payment's migration document, each
in a transaction of its own, and prints the wall and CPU seconds of each.
The database needs a company with the services 'cold_water' and an open
accounting period on the balance date (bench/generate.py and
bench/ledger.py set them up). --rollback leaves the database as it was.

  .venv/bin/python bench/migration.py -c bench/postgresql.conf \\
      -d bench_migrate --accounts 10000 --rollback
"""
import argparse
import datetime as dt
import io
import time

from trytond.config import update_etc

FLATS = 100


def lines(header, rows):
    out = io.StringIO()
    out.write(';'.join(header) + '\n')
    for row in rows:
        out.write(';'.join(str(v) for v in row) + '\n')
    return out.getvalue().encode('utf-8')


def make_files(accounts, tag, balance_date):
    "{kind: CSV bytes} of a set of accounts; tag makes the keys unique."
    months = [(balance_date.replace(day=1) - dt.timedelta(days=28 * i)
            ).replace(day=1) for i in range(3)]
    buildings, premises, accounts_, owners, residents, meters, balances = (
        [], [], [], [], [], [], [])
    for i in range(accounts):
        b, flat = divmod(i, FLATS)
        address = 'Бенч %s, д. %d' % (tag, b + 1)
        if flat == 0:
            buildings.append((address, '01.01.2020', '5000', '4500'))
        number = '%s%07d' % (tag, i + 1)
        person = 'Жилец %s %d' % (tag, i + 1)
        premises.append((address, flat + 1, '54,30'))
        accounts_.append(
            (number, address, flat + 1, '01.01.2020', person))
        owners.append((address, flat + 1, person, '1', '01.01.2020'))
        residents.append((number, person, '01.01.2020'))
        residents.append((number, person + ' мл.', '01.06.2021'))
        meters.append((address, flat + 1, 'cold_water', 'Б%s-%d' % (tag, i),
                '01.01.2020', '0', balance_date.strftime('%d.%m.%Y'),
                '%d,125' % (100 + i % 50)))
        for month in months:
            balances.append(
                (number, month.strftime('%m.%Y'), '%d,50' % (i % 3000)))
    return {
        'buildings': lines(['address', 'management_start', 'total_area',
                'residential_area'], buildings),
        'premises': lines(['building', 'number', 'total_area'], premises),
        'accounts': lines(['number', 'building', 'premises', 'opened',
                'payer'], accounts_),
        'owners': lines(['building', 'premises', 'owner', 'share',
                'date_from'], owners),
        'residents': lines(['account', 'person', 'registered_from'],
            residents),
        'meters': lines(['building', 'premises', 'service', 'serial_number',
                'installation_date', 'installation_value1', 'reading_date',
                'reading_value1'], meters),
        'balances': lines(['account', 'period', 'amount'], balances),
        }


def timed(label, func, *args):
    wall, cpu = time.perf_counter(), time.process_time()
    result = func(*args)
    print('%-10s %8.1f s wall %8.1f s CPU' % (
            label, time.perf_counter() - wall, time.process_time() - cpu))
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--config', '-c', required=True)
    parser.add_argument('--database', '-d', required=True)
    parser.add_argument('--accounts', type=int, default=1000)
    parser.add_argument('--tag', default=None,
        help="a prefix that makes addresses and numbers unique "
        "(default: from the time)")
    parser.add_argument('--rollback', action='store_true')
    args = parser.parse_args()
    update_etc(args.config)

    from trytond.pool import Pool
    from trytond.transaction import Transaction, TransactionError
    Pool.start()
    pool = Pool(args.database)
    pool.init()
    with Transaction().start(args.database, 0):
        User = pool.get('res.user')
        admin, = User.search([('login', '=', 'admin')])
        admin, company = admin.id, admin.company.id
    context = {'company': company, 'language': 'ru'}
    tag = args.tag or time.strftime('%H%M%S')
    with Transaction().start(args.database, admin, context=context) as tr:
        migration = timed('setup', setup, pool, company, args.accounts, tag)
        tr.commit()
    with Transaction().start(args.database, admin, context=context) as tr:
        Migration = pool.get('housing.migration')
        migration = Migration(migration)
        timed('dry run', Migration.dry_run, [migration])
        print('problems', len(migration.problems))
        for problem in migration.problems[:10]:
            print(' ', problem.file, problem.line, problem.message)
        tr.commit()
    extras = {}
    start = time.perf_counter(), time.process_time()
    while True:
        # Posting may need a table lock: Tryton's RPC restarts the
        # transaction with it, so does this.
        try:
            with Transaction().start(args.database, admin, context=context,
                    **extras) as tr:
                migration = Migration(migration.id)
                if migration.state == 'checked':
                    timed('import', Migration.import_, [migration])
                    print(migration.summary)
                if args.rollback:
                    tr.rollback()
                else:
                    tr.commit()
            break
        except TransactionError as error:
            print('restarted:', repr(error))
            error.fix(extras)
    print('import with its restarts %.1f s wall %.1f s CPU' % (
            time.perf_counter() - start[0], time.process_time() - start[1]))
    print('accounts %d, database %s' % (args.accounts, args.database))


def setup(pool, company, accounts, tag):
    "A migration with the files, on the last day of the first open period"
    Migration = pool.get('housing.migration')
    Period = pool.get('account.period')
    Account = pool.get('account.account')
    Journal = pool.get('account.journal')
    period, = Period.search([
            ('fiscalyear.company', '=', company), ('state', '=', 'open'),
            ('type', '=', 'standard')], order=[('start_date', 'ASC')],
        limit=1)
    balance_date = period.end_date
    counterpart, = Account.search([
            ('company', '=', company), ('code', '=', '84')])
    journal, = Journal.search([('type', '=', 'general')], limit=1)
    values = {
        'name': 'bench %s' % tag, 'company': company,
        'balance_date': balance_date, 'journal': journal.id,
        'counterpart_account': counterpart.id,
        }
    for kind, data in make_files(accounts, tag, balance_date).items():
        values[kind + '_file'] = data
    migration, = Migration.create([values])
    return migration.id


if __name__ == '__main__':
    main()
