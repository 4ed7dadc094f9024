# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""A posted month for the export tests: two buildings, maintenance by area
(revenue 90.01) and capital repair (86.01) on both, January 2026 with
penalties on the first account, a bank and a cash payment, the receipts."""
import unittest
from decimal import Decimal

from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, drop_db

from housing_billing.tests.penalty_tools import (
    GF2_PRICES,
    D,
    ledger_account,
    pay,
    run_month,
    setup_account,
    setup_ledger,
    setup_penalty_service,
)
from housing_billing.tests.tools import (
    create_account,
    create_building,
    create_party,
    create_premises,
    create_service,
)

JANUARY = D(2026, 1, 1)
PAYEE = {
    'payee_name': 'ТСЖ «Пример»',
    'payee_inn': '7701234567',
    'payee_kpp': '770101001',
    'payee_bank_account': '40702810200000012345',
    'payee_bank_name': 'ПАО Сбербанк',
    'payee_bic': '044525225',
    'payee_correspondent_account': '30101810400000000225',
    }


class ExportTestCase(unittest.TestCase):
    "A database with housing_payment and the Russian rules activated"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        drop_db()
        activate_module(['housing_payment', 'l10n_ru_housing'])

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        drop_db()


def add_capital_repair(accounts, price):
    pool = Pool()
    Service = pool.get('housing.service')
    Tariff = pool.get('housing.tariff')
    Account = pool.get('housing.account')
    service = create_service(
        'KR', method='area', uom='product.uom_square_meter')
    Service.write([service], {
            'name': 'Взнос на капитальный ремонт',
            'kind': 'capital_repair',
            'credit_account': ledger_account('86.01').id})
    Tariff.create([{
                'service': service.id, 'date_from': D(2025, 1, 1),
                'rates': [('create', [{'price': Decimal(price)}])],
                }])
    Account.write(accounts, {'services': [('create', [{
                        'service': service.id,
                        'date_from': JANUARY}])]})
    return service


def second_account(first):
    "A flat of 50 m² in another building, with the first one's services."
    Account = Pool().get('housing.account')
    building = create_building("ул. Лесная, д. 7")
    flat = create_premises(building, '12', [(D(2019, 1, 1), Decimal('50'))])
    payer = create_party("Петрова Анна Сергеевна")
    account = create_account(flat, '2000000012', [(JANUARY, payer)],
        opened=JANUARY)
    Account.write([account], {'services': [('create', [{
                        'service': s.service.id,
                        'date_from': JANUARY}
                    for s in first.services])]})
    return account


def setup_month(company):
    """November and December 2025 unpaid on the first account, January
    2026 posted on both; 3 000.00 by bank on 20 January (first account),
    1 000.00 at the cash desk on 25 January (second). Returns the two
    personal accounts."""
    Configuration = Pool().get('housing.configuration')
    setup_ledger(company, [2025, 2026])
    setup_penalty_service()
    first = setup_account(GF2_PRICES)
    configuration = Configuration(1)
    for name, value in PAYEE.items():
        setattr(configuration, name, value)
    configuration.save()
    for period in [D(2025, 11, 1), D(2025, 12, 1)]:
        run_month(period)
    second = second_account(first)
    add_capital_repair([first, second], '12.50')
    run_month(JANUARY)
    pay(first, D(2026, 1, 20), '3000.00')
    pay(second, D(2026, 1, 25), '1000.00', channel='cash')
    return first, second


def generate_receipts(company, accounts):
    Receipt = Pool().get('housing.receipt')
    receipts, _ = Receipt.generate(company, JANUARY, [a.id for a in accounts])
    return receipts
