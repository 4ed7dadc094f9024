# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""The exports of a month of a generated dataset, timed (housing_payment:
1C and ГИС ЖКХ).

For --period (default: the latest month with a posted run) of the admin's
company: the ledger read and split into 1C postings, the EnterpriseData XML
with the bank payments, the postings XLSX and CSV; then the payment
documents (the month's receipts must be generated: bench/receipts.py or
bench/demo_month.py) and the payments in ГИС ЖКХ's fields as XLSX. Prints
wall and CPU seconds, file sizes and counts. The accounts get a made-up
ИЖКУ inside the transaction, which is rolled back: nothing is written.

  .venv/bin/python bench/export.py --config var/trytond.conf \\
      --database bench_export2k
"""
import argparse
import datetime as dt
import resource
import time

from trytond.config import update_etc


def cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def measure(label, function):
    wall, cpu = time.perf_counter(), cpu_seconds()
    result = function()
    print('%-34s %7.2f s wall %7.2f s CPU' % (
            label, time.perf_counter() - wall, cpu_seconds() - cpu))
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('-c', '--config', required=True)
    parser.add_argument('-d', '--database', required=True)
    parser.add_argument('--period', type=dt.date.fromisoformat)
    args = parser.parse_args()
    update_etc(args.config)

    from trytond.pool import Pool
    from trytond.transaction import Transaction
    Pool.start()
    pool = Pool(args.database)
    pool.init()
    from housing_payment.export_1c import LedgerExport
    from housing_payment.gis import GisExport

    with Transaction().start(args.database, 0):
        User = pool.get('res.user')
        admin, = User.search([('login', '=', 'admin')])
        company = User(admin.id).company
    with Transaction().start(args.database, admin.id, context={
                'company': company.id}) as transaction:
        Run = pool.get('housing.accrual.run')
        Receipt = pool.get('housing.receipt')
        Company = pool.get('company.company')
        company = Company(company.id)
        period = args.period or Run.search([
                ('company', '=', company.id), ('state', '=', 'posted'),
                ], order=[('period', 'DESC')], limit=1)[0].period
        cursor = transaction.connection.cursor()
        cursor.execute("UPDATE housing_account SET gis_service_id = "
            "'1234567890-' || CASE WHEN id % 100 < 10 THEN '0' ELSE '' END "
            "|| CAST(id % 100 AS TEXT)")
        receipts = Receipt.search_count([
                ('period', '=', period), ('state', '=', 'current')])
        print('period %s, company %s, %s receipts' % (
                period, company.rec_name, receipts))
        ledger = measure('1C: ledger read and split',
            lambda: LedgerExport(company, period, payments=True))
        print('  %s ledger lines, %s postings, %s sales, %s bank days' % (
                len(ledger.lines), len(ledger.postings), len(ledger.sales),
                len(ledger.receipts)))
        for label, function in [
                ('1C: EnterpriseData XML', ledger.enterprise_data),
                ('1C: postings XLSX', ledger.postings_xlsx),
                ('1C: postings CSV', ledger.postings_csv),
                ]:
            data = measure(label, function)
            print('  %s bytes' % len(data))
        export = GisExport(company, period)
        if receipts:
            data = measure('ГИС ЖКХ: payment documents XLSX',
                lambda: export.to_xlsx('documents'))
            print('  %s bytes' % len(data))
        data = measure('ГИС ЖКХ: payments XLSX',
            lambda: export.to_xlsx('payments'))
        print('  %s bytes' % len(data))
        transaction.rollback()
    print('peak RSS %.0f MiB' % (
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))


if __name__ == '__main__':
    main()
