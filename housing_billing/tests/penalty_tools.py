# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""A ledger on the Russian chart, one personal account charged by area and
helpers to run months and take payments, for the penalty and payment
tests. The penalty settings are the ones l10n_ru_housing ships."""
import datetime as dt
import unittest
from decimal import Decimal

from trytond.modules.account.tests import create_chart, get_fiscalyear
from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, drop_db

from .tools import (
    compute,
    create_account,
    create_building,
    create_party,
    create_premises,
    create_service,
)
from .tools import (
    post as post_runs,
)

D = dt.date


class LedgerTestCase(unittest.TestCase):
    "A database with housing_billing and the Russian rules activated"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        drop_db()
        activate_module(['housing_billing', 'l10n_ru_housing'])

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        drop_db()


def ledger_account(code):
    Account = Pool().get('account.account')
    account, = Account.search([('code', '=', code)])
    return account


def setup_ledger(company, years):
    "The Russian chart, the fiscal years, the journals and the accounts."
    pool = Pool()
    FiscalYear = pool.get('account.fiscalyear')
    AccountConfiguration = pool.get('account.configuration')
    Configuration = pool.get('housing.configuration')
    ModelData = pool.get('ir.model.data')
    create_chart(company, chart='l10n_ru_housing.account_root')
    for year in years:
        fiscalyear = get_fiscalyear(company, today=D(year, 1, 1))
        fiscalyear.save()
        FiscalYear.create_period([fiscalyear])
    account_configuration = AccountConfiguration(1)
    account_configuration.default_account_receivable = ledger_account(
        '62.01')
    account_configuration.save()
    configuration = Configuration(1)
    configuration.accrual_journal = ModelData.get_id(
        'account', 'journal_revenue')
    configuration.payment_journal = ModelData.get_id(
        'account', 'journal_cash')
    configuration.payment_cash_account = ledger_account('50')
    configuration.payment_bank_account = ledger_account('51')
    configuration.penalty_receivable_account = ledger_account('62.02')
    configuration.save()


def setup_penalty_service():
    Configuration = Pool().get('housing.configuration')
    Service = Pool().get('housing.service')
    service = create_service('PENI', method='manual', uom='product.uom_unit')
    Service.write([service], {
            'kind': 'one_off', 'credit_account': ledger_account('91.01').id})
    configuration = Configuration(1)
    configuration.penalty_service = service
    configuration.save()
    return service


def setup_capital_repair_penalties():
    """Capital repair penalties on their own service (credited to the
    fund, 86.02) and receivable (76.03)."""
    Configuration = Pool().get('housing.configuration')
    Service = Pool().get('housing.service')
    service = create_service(
        'PENI_KR', method='manual', uom='product.uom_unit')
    Service.write([service], {
            'kind': 'one_off', 'credit_account': ledger_account('86.02').id})
    configuration = Configuration(1)
    configuration.capital_repair_penalty_service = service
    configuration.capital_repair_penalty_receivable_account = (
        ledger_account('76.03'))
    configuration.save()
    return service


def add_capital_repair(account, price, date_from):
    """The capital repair contribution by area (credited to 86.01) on
    account from date_from."""
    pool = Pool()
    Service = pool.get('housing.service')
    Tariff = pool.get('housing.tariff')
    Account = pool.get('housing.account')
    service = create_service(
        'KR', method='area', uom='product.uom_square_meter')
    Service.write([service], {
            'kind': 'capital_repair',
            'credit_account': ledger_account('86.01').id})
    Tariff.create([{
                'service': service.id, 'date_from': date_from,
                'rates': [('create', [{'price': Decimal(price)}])],
                }])
    Account.write([account], {'services': [('create', [{
                        'service': service.id, 'date_from': date_from}])]})
    return service


def setup_account(prices):
    """One flat of 100 m² charged by area: ``prices`` are (from, to, price
    per m²), so a month costs 100 × price."""
    pool = Pool()
    Tariff = pool.get('housing.tariff')
    Account = pool.get('housing.account')
    Service = pool.get('housing.service')
    maintenance = create_service(
        'SOD', method='area', uom='product.uom_square_meter')
    Service.write([maintenance], {
            'kind': 'maintenance',
            'credit_account': ledger_account('90.01').id})
    Tariff.create([{
                'service': maintenance.id, 'date_from': date_from,
                'date_to': date_to,
                'rates': [('create', [{'price': Decimal(price)}])],
                } for date_from, date_to, price in prices])
    building = create_building()
    flat = create_premises(building, '5', [(D(2019, 1, 1), Decimal('100'))])
    payer = create_party("Иванов Иван Иванович")
    account = create_account(flat, '1000234567', [(D(2019, 1, 1), payer)],
        opened=D(2019, 1, 1))
    Account.write([account], {'services': [('create', [{
                        'service': maintenance.id,
                        'date_from': D(2019, 1, 1)}])]})
    return account


def setup_two_bases(company, months):
    """The ledger of 2026 with both penalty services, and one account
    charged maintenance 5 000.00 (100 m² × 50.00) and the capital repair
    contribution 1 250.00 (100 m² × 12.50) a month from January 2026; the
    months of 2026 run and posted. Returns the account, the capital repair
    service and the runs."""
    setup_ledger(company, [2026])
    setup_penalty_service()
    setup_capital_repair_penalties()
    account = setup_account([(D(2026, 1, 1), None, '50.00')])
    repair = add_capital_repair(account, '12.50', D(2026, 1, 1))
    runs = [run_month(D(2026, month, 1)) for month in months]
    return account, repair, runs


def run_month(period, post=True):
    Run = Pool().get('housing.accrual.run')
    run, = Run.create([{'period': period}])
    compute([run])
    if post:
        post_runs([run])
    return Run(run.id)


def pay(account, date, amount, period=None, channel='bank',
        purpose='charges'):
    Payment = Pool().get('housing.payment')
    payment, = Payment.create([{
                'account': account.id, 'date': date,
                'amount': Decimal(amount), 'period': period,
                'channel': channel, 'reference': 'ПП-%s' % date.isoformat(),
                'purpose': purpose,
                }])
    Payment.post([payment])
    return payment


def penalty_lines(run):
    return [c for c in run.charges if c.kind == 'penalty']


# G-F2: November 2025 4 200.00, December 4 650.00, January 2026 on 5 000.00
GF2_PRICES = [
    (D(2025, 11, 1), D(2025, 11, 30), '42.00'),
    (D(2025, 12, 1), D(2025, 12, 31), '46.50'),
    (D(2026, 1, 1), None, '50.00'),
    ]
