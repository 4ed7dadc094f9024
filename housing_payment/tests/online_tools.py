# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""A ledger with one personal account owing November and December 2025,
a YooKassa stand-in on loopback and the provider that talks to it."""
import datetime as dt
import unittest
from decimal import Decimal

from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, drop_db

from housing_billing.tests.penalty_tools import (
    GF2_PRICES,
    ledger_account,
    run_month,
    setup_account,
    setup_ledger,
)

from .yookassa_stand_in import YooKassaStandIn

D = dt.date
UTC = dt.timezone.utc
RETURN_URL = 'https://portal.example.com/paid'


class OnlineTestCase(unittest.TestCase):
    "housing_payment and the Russian rules, and YooKassa on loopback"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        drop_db()
        activate_module(['housing_payment', 'l10n_ru_housing'])
        cls.yookassa = YooKassaStandIn().start()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls.yookassa.stop()
        drop_db()


def setup_debts(company):
    "One account owing 4 200.00 for November and 4 650.00 for December"
    setup_ledger(company, [2025, 2026])
    account = setup_account(GF2_PRICES)
    for period in [D(2025, 11, 1), D(2025, 12, 1)]:
        run_month(period)
    return account


def create_provider(company, stand_in, **values):
    Provider = Pool().get('housing.payment.provider')
    provider = Provider(
        name="ЮKassa", company=company, kind='yookassa', test_mode=True,
        account=ledger_account('57'))
    provider.on_change_kind()
    provider.base_url = stand_in.url
    provider.yookassa_shop_id = stand_in.shop_id
    provider.yookassa_secret_key = stand_in.secret_key
    provider.allowed_addresses = '127.0.0.1\n::1'
    for name, value in values.items():
        setattr(provider, name, value)
    provider.save()
    return provider


def balance(account):
    "The personal account's balance: the sum of its receivable lines."
    Line = Pool().get('account.move.line')
    return sum((line.debit - line.credit for line in Line.search(
                [('housing_account', '=', account.id)])), Decimal(0))
