# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""The audit trail seen by the auditor, and the documents of a posted
period that no one edits: posted runs and payments, issued receipts."""
from decimal import Decimal

from trytond.model.exceptions import AccessError
from trytond.modules.company.tests import create_company, set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from .penalty_tools import (
    D,
    LedgerTestCase,
    pay,
    run_month,
    setup_account,
    setup_ledger,
)
from .test_receipt import PAYEE
from .tools import create_party

PRICES = [(D(2025, 11, 1), None, '42.00')]


def create_user(login, group, company):
    pool = Pool()
    User = pool.get('res.user')
    ModelData = pool.get('ir.model.data')
    user, = User.create([{
                'name': login.title(), 'login': login,
                'groups': [('add', [
                            ModelData.get_id('housing_billing', group)])],
                'companies': [('add', [company.id])],
                'company': company.id,
                }])
    return user


class as_user:
    "The user's session through RPC: its preferences, access checked"

    def __init__(self, user):
        self.user = user

    def __enter__(self):
        User = Pool().get('res.user')
        transaction = Transaction()
        with transaction.set_user(self.user.id):
            context = User.get_preferences(context_only=True)
        self.managers = [transaction.set_user(self.user.id),
            transaction.set_context(context, _check_access=True)]
        for manager in self.managers:
            manager.__enter__()

    def __exit__(self, *exc):
        for manager in reversed(self.managers):
            manager.__exit__(*exc)


class HousingAuditTestCase(LedgerTestCase):
    "Test the audit trail (its test commits: a database of its own)"

    @with_transaction()
    def test_audit_trail(self):
        "The auditor sees who created, changed, deleted and posted what"
        pool = Pool()
        Event = pool.get('housing.audit.event')
        Rate = pool.get('housing.tariff.rate')
        Resident = pool.get('housing.resident')
        Absence = pool.get('housing.absence')
        Payment = pool.get('housing.payment')
        company = create_company()
        with set_company(company):
            setup_ledger(company, [2025, 2026])
            account = setup_account(PRICES)
        accountant = create_user(
            'accountant', 'group_housing_accountant', company)
        auditor = create_user('auditor', 'group_housing_auditor', company)
        with as_user(accountant):
            rate, = Rate.search([])
            Rate.write([rate], {'price': Decimal('43.50')})
            resident, = Resident.create([{'account': account.id,
                        'party': create_party("Жилец").id,
                        'registered_from': D(2025, 11, 1)}])
            Resident.write([resident], {'registered_to': D(2025, 12, 31)})
            absence, = Absence.create([{'resident': resident.id,
                        'date_from': D(2025, 11, 2),
                        'date_to': D(2025, 11, 20), 'reason': 'holiday'}])
            Absence.delete([absence])
            payment, = Payment.create([{'account': account.id,
                        'date': D(2025, 11, 25), 'amount': Decimal('100'),
                        'channel': 'cash'}])
            Payment.post([payment])
        # trytond stores its log when the transaction commits.
        Transaction().commit()

        with as_user(auditor):
            events = Event.search([('user', '=', accountant.id)])
            seen = {(e.event, e.model, str(e.record).split(',')[0]
                    if e.record else None, e.action) for e in events}
            self.assertTrue({
                    ('write', 'housing.tariff.rate', 'housing.tariff.rate',
                        "Price"),
                    ('create', 'housing.resident', 'housing.resident', None),
                    ('write', 'housing.resident', 'housing.resident',
                        "Registered To"),
                    # Its creation went with the row; the deletion stays.
                    ('delete', 'housing.absence', None, None),
                    ('create', 'housing.payment', 'housing.payment', None),
                    ('button', 'housing.payment', 'housing.payment', "Post"),
                    ('transition', 'housing.payment', 'housing.payment',
                        "State: Posted"),
                    } <= seen, seen)
            self.assertEqual({e.user for e in events}, {accountant})
            write, = [e for e in events if e.event == 'write'
                and e.model == 'housing.tariff.rate']
            self.assertEqual(write.record, rate)
            self.assertIsNotNone(write.date)
            with self.assertRaises(AccessError):
                Rate.write([Rate(rate.id)], {'price': Decimal('1')})



class HousingPostedLockTestCase(LedgerTestCase):
    "Test the locks of posted documents"

    @with_transaction()
    def test_posted_documents_locked(self):
        "Posted runs and payments and issued receipts are not edited"
        pool = Pool()
        Run = pool.get('housing.accrual.run')
        Payment = pool.get('housing.payment')
        Receipt = pool.get('housing.receipt')
        company = create_company()
        with set_company(company):
            setup_ledger(company, [2025, 2026])
            account = setup_account(PRICES)
            run = run_month(D(2025, 11, 1))
            payment = pay(account, D(2025, 11, 20), '1000.00')
            configuration = pool.get('housing.configuration')(1)
            for name, value in PAYEE.items():
                setattr(configuration, name, value)
            configuration.save()
            receipt, = Receipt.generate(
                company, D(2025, 11, 1), [account.id])[0]
            accountant = create_user(
                'accountant', 'group_housing_accountant', company)
            with as_user(accountant):
                with self.assertRaisesRegex(AccessError,
                        'is posted and cannot be modified'):
                    Run.write([run], {'period': D(2025, 12, 1)})
                with self.assertRaisesRegex(AccessError,
                        r'cannot be modified \(Amount, Date\)'):
                    Payment.write([payment], {'amount': Decimal('1'),
                            'date': D(2025, 11, 21)})
                # What the ledger was not made of may still be completed.
                Payment.write([payment], {'reference': 'ПП-17'})
                with self.assertRaisesRegex(AccessError,
                        'generate a new version'):
                    Receipt.write([receipt], {'amount': Decimal('0')})
            # Nor by a script that bypasses the access rights.
            with self.assertRaises(AccessError):
                Payment.write([payment], {'amount': Decimal('1')})
            self.assertEqual(Payment(payment.id).amount, Decimal('1000.00'))
