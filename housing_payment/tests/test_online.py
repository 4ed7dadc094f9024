# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""Online payments through YooKassa, against the stand-in on loopback:
start, sync, refund, the provider's errors and bad input."""
import datetime as dt
import json
from contextlib import contextmanager
from decimal import Decimal

from trytond.model.modelview import AccessButtonError
from trytond.modules.company.tests import create_company, set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from housing_billing.tests.tools import run_queue

from ..exceptions import OnlinePaymentError, ProviderError
from ..yookassa import Client
from .online_tools import (
    RETURN_URL,
    UTC,
    D,
    OnlineTestCase,
    balance,
    create_provider,
    setup_debts,
)


class OnlinePaymentTestCase(OnlineTestCase):
    "Test online payments"

    @contextmanager
    def setup(self, **provider_values):
        company = create_company()
        with set_company(company):
            account = setup_debts(company)
            yield account, create_provider(
                company, self.yookassa, **provider_values)

    def last_request(self):
        return self.yookassa.requests[-1]

    @with_transaction()
    def test_start(self):
        "start asks YooKassa for a payment and keeps where to send the payer"
        Online = Pool().get('housing.payment.online')
        with self.setup() as (account, provider):
            online = Online.start(
                account, Decimal('4650.00'), RETURN_URL, period=D(2025, 12, 1))
            self.assertEqual(online.state, 'pending')
            self.assertEqual(online.provider, provider)
            self.assertEqual(online.company, account.company)
            payment = self.yookassa.payments[online.provider_reference]
            self.assertEqual(
                online.confirmation_url,
                payment['confirmation']['confirmation_url'])
            request = self.last_request()
            self.assertEqual(
                (request['method'], request['path']), ('POST', '/v3/payments'))
            self.assertEqual(
                request['headers']['Idempotence-Key'], online.idempotence_key)
            body = json.loads(request['body'])
            self.assertEqual(body['amount'], {
                    'value': '4650.00', 'currency': 'RUB'})
            self.assertIs(body['capture'], True)
            self.assertEqual(body['confirmation'], {
                    'type': 'redirect', 'return_url': RETURN_URL})
            self.assertEqual(body['metadata']['account'], '1000234567')
            self.assertEqual(body['metadata']['period'], '2025-12-01')
            self.assertIn('1000234567', body['description'])
            self.assertEqual(Online.search([]), [online])

    @with_transaction()
    def test_sync_posts_once(self):
        "A succeeded payment is posted once, to 57, allocated to periods"
        pool = Pool()
        Online = pool.get('housing.payment.online')
        Payment = pool.get('housing.payment')
        with self.setup() as (account, provider):
            online = Online.start(
                account, Decimal('5000.00'), RETURN_URL, period=D(2025, 12, 1))
            Online.sync([online])
            self.assertEqual(online.state, 'pending')
            self.assertIsNone(online.payment)

            # 23:30 UTC on the 14th is the 15th in Moscow.
            self.yookassa.pay(
                online.provider_reference, dt.datetime(2026, 1, 14, 23, 30,
                    tzinfo=UTC))
            account.company.timezone = 'Europe/Moscow'
            account.company.save()
            Online.sync([online])
            Online.sync([online])
            online = Online(online.id)
            self.assertEqual(online.state, 'succeeded')
            payment = online.payment
            self.assertEqual(Payment.search([]), [payment])
            self.assertEqual(
                (payment.state, payment.channel, payment.date, payment.amount,
                    payment.reference),
                ('posted', 'online', D(2026, 1, 15), Decimal('5000.00'),
                    online.provider_reference))
            self.assertEqual(
                {(line.account.code, line.debit, line.credit)
                    for line in payment.move.lines},
                {('57', Decimal('5000.00'), 0),
                    ('62.01', 0, Decimal('5000.00'))})
            self.assertEqual(
                [(a.kind, a.period, a.amount) for a in payment.allocations],
                [('debt', D(2025, 12, 1), Decimal('4650.00')),
                    ('debt', D(2025, 11, 1), Decimal('350.00'))])
            self.assertEqual(balance(account), Decimal('3850.00'))

    @with_transaction()
    def test_cancelled(self):
        "A payment the payer gave up is cancelled and posts nothing"
        pool = Pool()
        Online = pool.get('housing.payment.online')
        Payment = pool.get('housing.payment')
        with self.setup() as (account, provider):
            online = Online.start(account, Decimal('100.00'), RETURN_URL)
            self.yookassa.cancel(online.provider_reference)
            Online.sync([online])
            self.assertEqual(Online(online.id).state, 'cancelled')
            self.assertEqual(Payment.search([]), [])
            self.assertEqual(balance(account), Decimal('8850.00'))

    @with_transaction()
    def test_refund(self):
        "A refund posts the reversing move once and reopens the debts"
        pool = Pool()
        Online = pool.get('housing.payment.online')
        Allocation = pool.get('housing.payment.allocation')
        with self.setup() as (account, provider):
            online = Online.start(account, Decimal('9000.00'), RETURN_URL)
            self.yookassa.pay(
                online.provider_reference, dt.datetime(2026, 1, 15, 9,
                    tzinfo=UTC))
            Online.sync([online])
            self.assertEqual(balance(account), Decimal('-150.00'))

            Online.refund([online])
            Online.refund([online])
            Online.sync([online])
            online = Online(online.id)
            self.assertEqual(online.state, 'refunded')
            refund = self.yookassa.refunds[online.refund_reference]
            self.assertEqual(refund['amount']['value'], '9000.00')
            refunds = [r for r in self.yookassa.requests
                if r['path'] == '/v3/refunds']
            self.assertEqual(len(refunds), 1)
            self.assertEqual(
                {(line.account.code, line.debit, line.credit)
                    for line in online.refund_move.lines},
                {('57', 0, Decimal('9000.00')),
                    ('62.01', Decimal('9000.00'), 0)})
            self.assertEqual(online.refund_move.state, 'posted')
            self.assertEqual(online.payment.state, 'posted')
            self.assertEqual(balance(account), Decimal('8850.00'))
            allocated = sum(a.amount for a in Allocation.search(
                    [('payment', '=', online.payment.id)]))
            self.assertEqual(allocated, Decimal('0.00'))
            self.assertEqual(online.payment.advance, Decimal('0.00'))

    @with_transaction()
    def test_provider_errors_write_nothing(self):
        "HTTP errors and time-outs give a clear error and write nothing"
        pool = Pool()
        Online = pool.get('housing.payment.online')
        Payment = pool.get('housing.payment')
        with self.setup(timeout=1) as (account, provider):

            self.yookassa.fail_next(500)
            with self.assertRaises(ProviderError) as context:
                Online.start(account, Decimal('100.00'), RETURN_URL)
            self.assertIn('HTTP 500', context.exception.message)
            self.assertIn('Internal server error', context.exception.message)

            self.yookassa.fail_next(None, delay=3)
            with self.assertRaises(ProviderError) as context:
                Online.start(account, Decimal('100.00'), RETURN_URL)
            self.assertIn('could not be reached', context.exception.message)

            provider.yookassa_secret_key = 'wrong'
            provider.save()
            with self.assertRaises(ProviderError) as context:
                Online.start(account, Decimal('100.00'), RETURN_URL)
            self.assertIn('HTTP 401', context.exception.message)
            self.assertIn('invalid_credentials', context.exception.message)
            self.assertEqual(Online.search([]), [])

            provider.yookassa_secret_key = self.yookassa.secret_key
            provider.save()
            online = Online.start(account, Decimal('100.00'), RETURN_URL)
            self.yookassa.pay(
                online.provider_reference,
                dt.datetime(2026, 1, 15, tzinfo=UTC))
            self.yookassa.fail_next(503, 'service_unavailable', "Try later")
            with self.assertRaises(ProviderError):
                Online.sync([online])
            self.assertEqual(Online(online.id).state, 'pending')
            self.assertEqual(Payment.search([]), [])

    @with_transaction()
    def test_bad_input(self):
        "Bad amounts and periods are refused, named, nothing is asked"
        Online = Pool().get('housing.payment.online')
        with self.setup() as (account, provider):
            asked = len(self.yookassa.requests)
            for amount in ['0', '-5.00', '10.001']:
                with self.assertRaises(OnlinePaymentError) as context:
                    Online.start(account, Decimal(amount), RETURN_URL)
                self.assertIn(amount, context.exception.message)
            with self.assertRaises(OnlinePaymentError) as context:
                Online.start(account, Decimal('10.00'), RETURN_URL,
                    period=D(2025, 12, 5))
            self.assertIn('2025-12-05', context.exception.message)
            provider.active = False
            provider.save()
            with self.assertRaises(OnlinePaymentError) as context:
                Online.start(account, Decimal('10.00'), RETURN_URL)
            self.assertIn(account.company.rec_name, context.exception.message)
            self.assertEqual(len(self.yookassa.requests), asked)
            self.assertEqual(Online.search([]), [])

    @with_transaction()
    def test_manual_online_payment_refused(self):
        "A payment keyed in by hand cannot pretend to be an online one"
        Payment = Pool().get('housing.payment')
        with self.setup() as (account, provider):
            payment, = Payment.create([{
                        'account': account.id, 'date': D(2026, 1, 15),
                        'amount': Decimal('10.00'), 'channel': 'online'}])
            with self.assertRaises(OnlinePaymentError):
                Payment.post([payment])
            self.assertEqual(Payment(payment.id).state, 'draft')

    @with_transaction()
    def test_sync_pending(self):
        "The cron asks again about every pending payment, one task each"
        pool = Pool()
        Online = pool.get('housing.payment.online')
        with self.setup() as (account, provider):
            paid = Online.start(account, Decimal('100.00'), RETURN_URL)
            abandoned = Online.start(account, Decimal('200.00'), RETURN_URL)
            waiting = Online.start(account, Decimal('300.00'), RETURN_URL)
            self.yookassa.pay(
                paid.provider_reference,
                dt.datetime(2026, 1, 15, tzinfo=UTC))
            self.yookassa.cancel(abandoned.provider_reference)
            Online.sync_pending()
            run_queue()
            self.assertEqual(
                [Online(o.id).state for o in [paid, abandoned, waiting]],
                ['succeeded', 'cancelled', 'pending'])
            self.assertEqual(balance(account), Decimal('8750.00'))

    @with_transaction()
    def test_buttons_access(self):
        "The accountant checks the status; the auditor cannot"
        pool = Pool()
        Online = pool.get('housing.payment.online')
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        with self.setup() as (account, provider):
            online = Online.start(account, Decimal('100.00'), RETURN_URL)
            self.yookassa.pay(
                online.provider_reference,
                dt.datetime(2026, 1, 15, tzinfo=UTC))
            users = {}
            for group in ['accountant', 'auditor']:
                users[group], = User.create([{
                            'name': group, 'login': group,
                            'groups': [('add', [ModelData.get_id(
                                            'housing_billing',
                                            'group_housing_%s' % group)])],
                            'companies': [('add', [account.company.id])],
                            'company': account.company.id,
                            }])
            transaction = Transaction()
            with transaction.set_user(users['auditor'].id), \
                    transaction.set_context(_check_access=True):
                with self.assertRaises(AccessButtonError):
                    Online.sync_button([Online(online.id)])
            with transaction.set_user(users['accountant'].id), \
                    transaction.set_context(_check_access=True):
                Online.sync_button([Online(online.id)])
            self.assertEqual(Online(online.id).state, 'succeeded')

    def test_idempotence_key(self):
        "The same Idempotence-Key gives back the same payment"
        client = Client(
            self.yookassa.url, self.yookassa.shop_id,
            self.yookassa.secret_key, 5)
        first = client.create_payment(
            Decimal('10.00'), RETURN_URL, "test", {}, 'key-1')
        again = client.create_payment(
            Decimal('10.00'), RETURN_URL, "test", {}, 'key-1')
        other = client.create_payment(
            Decimal('10.00'), RETURN_URL, "test", {}, 'key-2')
        self.assertEqual(first['id'], again['id'])
        self.assertNotEqual(first['id'], other['id'])
