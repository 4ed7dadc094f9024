# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""YooKassa's notifications posted to trytond's WSGI application: twice,
out of order, from outside the allow-list, malformed, while the provider is
down. Each notification is a request with its own committed transaction,
so the tests commit their data as the portal would."""
import datetime as dt
import json
import threading
import unittest
from decimal import Decimal

from trytond import backend
from trytond.modules.company.tests import create_company, set_company
from trytond.pool import Pool
from trytond.protocols.wrappers import HTTPStatus, Response
from trytond.tests.test_tryton import DB_NAME, Client
from trytond.transaction import Transaction, TransactionError
from trytond.wsgi import app

from .online_tools import (
    RETURN_URL,
    UTC,
    OnlineTestCase,
    balance,
    create_provider,
    setup_debts,
)

PAID_AT = dt.datetime(2026, 1, 15, 9, tzinfo=UTC)


def committed(func, *args):
    """Run func in a transaction of its own and commit it, started again
    with the locks it asks for as trytond's dispatcher does."""
    extras = {}
    while True:
        with Transaction().start(DB_NAME, 0, **extras) as transaction:
            try:
                result = func(*args)
            except TransactionError as error:
                transaction.rollback()
                error.fix(extras)
                continue
            transaction.commit()
            return result


class NotifyTestCase(OnlineTestCase):
    "Test YooKassa's notifications"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company, cls.account, cls.provider = committed(cls.setup_data)

    @classmethod
    def setup_data(cls):
        company = create_company()
        with set_company(company):
            account = setup_debts(company)
            return company, account, create_provider(company, cls.yookassa)

    def setUp(self):
        super().setUp()
        self.client = Client(app, Response)

    def post(self, data, url=None, address='127.0.0.1'):
        "POST as YooKassa does, seen from address"
        return self.client.post(
            url or self.url(), data=data, content_type='application/json',
            environ_base={'REMOTE_ADDR': address})

    def url(self, provider=None):
        return '/%s/housing_payment/yookassa/%s/notify' % (
            DB_NAME, provider or self.provider.id)

    def start(self, amount):
        return committed(self._start, amount)

    def _start(self, amount):
        Online = Pool().get('housing.payment.online')
        with set_company(self.company):
            online = Online.start(
                Pool().get('housing.account')(self.account.id),
                Decimal(amount), RETURN_URL)
            return online.id, online.provider_reference

    def notify(self, event, object_id, **kwargs):
        body = self.yookassa.notification(event, object_id)
        return self.post(json.dumps(body), **kwargs)

    def state(self, online_id):
        "(state, payment ids, refund move id) and the account's balance"
        with Transaction().start(DB_NAME, 0), set_company(self.company):
            pool = Pool()
            Online = pool.get('housing.payment.online')
            Payment = pool.get('housing.payment')
            online = Online(online_id)
            payments = Payment.search([
                    ('reference', '=', online.provider_reference)])
            return (online.state, len(payments),
                online.refund_move is not None,
                balance(pool.get('housing.account')(self.account.id)))

    def balance(self):
        with Transaction().start(DB_NAME, 0), set_company(self.company):
            return balance(Pool().get('housing.account')(self.account.id))

    def test_succeeded_twice_posts_once(self):
        "payment.succeeded delivered twice posts the payment once"
        before = self.balance()
        online, reference = self.start('1000.00')
        response = self.notify('payment.waiting_for_capture', reference)
        self.assertEqual(response.status_code, HTTPStatus.OK)
        self.assertEqual(self.state(online)[:2], ('pending', 0))
        self.yookassa.pay(reference, PAID_AT)
        for _ in range(2):
            response = self.notify('payment.succeeded', reference)
            self.assertEqual(response.status_code, HTTPStatus.OK)
        self.assertEqual(
            self.state(online),
            ('succeeded', 1, False, before - Decimal('1000.00')))

    @unittest.skipIf(backend.name == 'sqlite',
        "SQLite in memory is one connection per thread")
    def test_succeeded_concurrently_posts_once(self):
        "Two deliveries of payment.succeeded at once post the payment once"
        before = self.balance()
        online, reference = self.start('700.00')
        self.yookassa.pay(reference, PAID_AT)
        body = json.dumps(
            self.yookassa.notification('payment.succeeded', reference))
        barrier = threading.Barrier(2)
        codes = []

        def deliver():
            client = Client(app, Response)
            barrier.wait()
            codes.append(client.post(
                    self.url(), data=body, content_type='application/json',
                    environ_base={'REMOTE_ADDR': '127.0.0.1'}).status_code)
        threads = [threading.Thread(target=deliver) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        # The delivery that loses the lock may be refused; YooKassa
        # delivers again whatever did not get 200, as it documents.
        self.assertIn(HTTPStatus.OK, codes)
        for code in codes:
            if code != HTTPStatus.OK:
                self.assertEqual(
                    self.post(body).status_code, HTTPStatus.OK)
        self.assertEqual(
            self.state(online),
            ('succeeded', 1, False, before - Decimal('700.00')))

    def test_canceled_after_succeeded(self):
        "A forged or stale payment.canceled cannot undo a success"
        before = self.balance()
        online, reference = self.start('200.00')
        self.yookassa.pay(reference, PAID_AT)
        stale = self.yookassa.notification('payment.succeeded', reference)
        stale['event'] = 'payment.canceled'
        stale['object']['status'] = 'canceled'
        self.assertEqual(self.notify('payment.succeeded', reference)
            .status_code, HTTPStatus.OK)
        response = self.post(json.dumps(stale))
        self.assertEqual(response.status_code, HTTPStatus.OK)
        self.assertEqual(
            self.state(online),
            ('succeeded', 1, False, before - Decimal('200.00')))

    def test_canceled(self):
        "payment.canceled cancels a pending payment, posts nothing"
        before = self.balance()
        online, reference = self.start('300.00')
        self.yookassa.cancel(reference)
        self.assertEqual(self.notify('payment.canceled', reference)
            .status_code, HTTPStatus.OK)
        self.assertEqual(self.state(online), ('cancelled', 0, False, before))

    def test_refund_before_success(self):
        "refund.succeeded first: the payment and its refund post once"
        before = self.balance()
        online, reference = self.start('400.00')
        self.yookassa.pay(reference, PAID_AT)
        refund = self.yookassa.refund(
            reference, at=dt.datetime(2026, 1, 16, 9, tzinfo=UTC))
        for event, object_id in [
                ('refund.succeeded', refund['id']),
                ('payment.succeeded', reference),
                ('refund.succeeded', refund['id']),
                ]:
            response = self.notify(event, object_id)
            self.assertEqual(response.status_code, HTTPStatus.OK)
        self.assertEqual(self.state(online), ('refunded', 1, True, before))

    def test_provider_down(self):
        "While YooKassa cannot confirm, answer 503 and keep nothing"
        before = self.balance()
        online, reference = self.start('500.00')
        self.yookassa.pay(reference, PAID_AT)
        self.yookassa.fail_next(500)
        response = self.notify('payment.succeeded', reference)
        self.assertEqual(response.status_code, HTTPStatus.SERVICE_UNAVAILABLE)
        self.assertEqual(self.state(online), ('pending', 0, False, before))
        response = self.notify('payment.succeeded', reference)
        self.assertEqual(response.status_code, HTTPStatus.OK)
        self.assertEqual(self.state(online)[:2], ('succeeded', 1))

    def test_refused(self):
        "Outside the allow-list 403, unknown provider 404, malformed 400"
        online, reference = self.start('600.00')
        self.yookassa.pay(reference, PAID_AT)
        before = self.balance()
        response = self.notify(
            'payment.succeeded', reference, address='203.0.113.7')
        self.assertEqual(response.status_code, HTTPStatus.FORBIDDEN)
        response = self.post('{}', url=self.url(self.provider.id + 1000))
        self.assertEqual(response.status_code, HTTPStatus.NOT_FOUND)
        for data in ['not json', '[]', '{"type": "notification"}',
                json.dumps({'type': 'notification', 'event': 'x.y',
                        'object': {'id': reference}})]:
            response = self.post(data)
            self.assertEqual(response.status_code, HTTPStatus.BAD_REQUEST)
        self.assertEqual(self.state(online), ('pending', 0, False, before))

    def test_unknown_payment(self):
        "A notification of a payment we did not start is acknowledged"
        before = self.balance()
        unknown = {
            'type': 'notification', 'event': 'payment.succeeded',
            'object': {'id': 'not-ours', 'status': 'succeeded'}}
        response = self.post(json.dumps(unknown))
        self.assertEqual(response.status_code, HTTPStatus.OK)
        self.assertEqual(self.balance(), before)
