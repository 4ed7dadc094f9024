# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""Online payment from the portal through housing_payment's provider,
against the YooKassa stand-in on loopback: the resident is sent to the
confirmation page, pays there, comes back and sees the payment in the
ledger."""
import datetime as dt
from decimal import Decimal

from trytond.modules.company.tests import set_company
from trytond.pool import Pool

from housing_payment.tests.online_tools import create_provider
from housing_payment.tests.yookassa_stand_in import YooKassaStandIn

from . import test_portal_pages
from .test_portal_pages import ledger_balance, text
from .tools import PortalTestCase, committed


class PortalPayTestCase(PortalTestCase):
    "Test the portal's online payment"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.yookassa = YooKassaStandIn().start()

        def provider():
            Company = Pool().get('company.company')
            company = Company(cls.data.company)
            with set_company(company):
                create_provider(company, cls.yookassa)
        committed(provider)

    @classmethod
    def tearDownClass(cls):
        cls.yookassa.stop()
        super().tearDownClass()

    logged_in = test_portal_pages.PortalPagesTestCase.logged_in

    def test_pay_online(self):
        "Pay 1 000.00 online: redirected, paid, back, in the ledger"
        a, b = self.data.a, self.data.b
        portal = self.logged_in(a)
        before = committed(ledger_balance, a.id)
        page = text(portal.get('a/%s/pay' % a.id))
        self.assertIn('Pay online by card', page)
        response = portal.post('a/%s/pay/online' % a.id,
            {'amount': '12,345'})
        self.assertEqual(response.status_code, 400)
        self.assertIn('value="12,345"', text(response))
        response = portal.post('a/%s/pay/online' % a.id,
            {'amount': '1 000,00'})
        self.assertEqual(response.status_code, 303)

        def online():
            Online = Pool().get('housing.payment.online')
            online, = Online.search([('account', '=', a.id)])
            return (online.confirmation_url, online.provider_reference,
                online.amount, online.state)
        url, reference, amount, state = committed(online)
        self.assertEqual(response.headers['Location'], url)
        self.assertEqual((amount, state), (Decimal('1000.00'), 'pending'))

        # Back before paying: still pending.
        page = text(portal.get('a/%s/pay/return' % a.id))
        self.assertIn('not confirmed yet', page)
        self.yookassa.pay(reference, dt.datetime.now(dt.timezone.utc))
        page = text(portal.get('a/%s/pay/return' % a.id))
        self.assertIn('has been received', page)
        self.assertEqual(committed(online)[3], 'succeeded')
        self.assertEqual(committed(ledger_balance, a.id),
            before - Decimal('1000.00'))

        # Not through another resident's account.
        response = portal.post('a/%s/pay/online' % b.id,
            {'amount': '10,00'})
        self.assertEqual(response.status_code, 404)
        response = portal.get('a/%s/pay/return' % b.id)
        self.assertEqual(response.status_code, 404)

    def test_pay_penalties_online(self):
        "Penalties paid online apart: the penalty receivable, not 62.01"
        a = self.data.a
        portal = self.logged_in(a)
        penalties = committed(receivable_balance, a.id, '62.02')
        charges = committed(receivable_balance, a.id, '62.01')
        self.assertGreater(penalties, 0)
        page = text(portal.get('a/%s/pay' % a.id))
        self.assertIn('Pay the penalties', page)
        self.assertIn('id="amount_penalties" name="amount" type="text" '
            'value="%.2f"' % penalties, page)
        response = portal.post('a/%s/pay/online' % a.id,
            {'amount': '1,00', 'purpose': 'gift'})
        self.assertEqual(response.status_code, 400)
        self.assertIn('Unknown purpose of payment: gift', text(response))
        response = portal.post('a/%s/pay/online' % a.id,
            {'amount': '%.2f' % penalties, 'purpose': 'penalties'})
        self.assertEqual(response.status_code, 303)

        def online():
            Online = Pool().get('housing.payment.online')
            online, = Online.search([
                    ('account', '=', a.id), ('purpose', '=', 'penalties')])
            return online.provider_reference, online.state
        reference, state = committed(online)
        self.assertEqual(state, 'pending')
        self.yookassa.pay(reference, dt.datetime.now(dt.timezone.utc))
        page = text(portal.get('a/%s/pay/return' % a.id))
        self.assertIn('has been received', page)
        self.assertEqual(
            committed(receivable_balance, a.id, '62.02'), Decimal('0.00'))
        self.assertEqual(
            committed(receivable_balance, a.id, '62.01'), charges)
        page = text(portal.get('a/%s/pay' % a.id))
        self.assertNotIn('Pay the penalties', page)
        page = text(portal.get('a/%s/payments' % a.id))
        self.assertIn('<td>Penalties</td>', page)


def receivable_balance(account_id, code):
    Line = Pool().get('account.move.line')
    return sum((line.debit - line.credit for line in Line.search([
                    ('housing_account', '=', account_id),
                    ('account.code', '=', code),
                    ('move.state', '=', 'posted'),
                    ])), Decimal('0.00'))
