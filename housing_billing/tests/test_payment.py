# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""Manual payments: posting balances and lands on the account's
receivable, the allocation is conserved and shows the advance."""
from decimal import Decimal

from trytond.model.exceptions import AccessError, ValidationError
from trytond.modules.company.tests import create_company, set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction

from .penalty_tools import (
    GF2_PRICES,
    D,
    LedgerTestCase,
    pay,
    run_month,
    setup_account,
    setup_ledger,
)


def account_balance(account):
    "The personal account's balance: the sum of its receivable lines."
    Line = Pool().get('account.move.line')
    return sum((line.debit - line.credit for line in Line.search(
                [('housing_account', '=', account.id)])), Decimal(0))


class HousingPaymentTestCase(LedgerTestCase):
    "Test manual payments"

    def setup_debts(self, company):
        setup_ledger(company, [2025, 2026])
        account = setup_account(GF2_PRICES)
        for period in [D(2025, 11, 1), D(2025, 12, 1)]:
            run_month(period)
        return account

    @with_transaction()
    def test_post_bank_payment(self):
        "A bank payment debits 51 and credits the payer's receivable"
        company = create_company()
        with set_company(company):
            account = self.setup_debts(company)
            self.assertEqual(account_balance(account), Decimal('8850.00'))
            payment = pay(account, D(2026, 1, 15), '5000.00')
            self.assertEqual(payment.state, 'posted')
            payer = account.payer_at(D(2026, 1, 15)).party
            self.assertEqual(payment.party, payer)
            move = payment.move
            self.assertEqual(move.state, 'posted')
            self.assertEqual(move.date, D(2026, 1, 15))
            self.assertEqual(
                {(line.account.code, line.debit, line.credit, line.party,
                        line.housing_account) for line in move.lines},
                {('51', Decimal('5000.00'), 0, None, None),
                    ('62.01', 0, Decimal('5000.00'), payer, account)})
            self.assertEqual(account_balance(account), Decimal('3850.00'))
            self.assertEqual(payer.receivable, Decimal('3850.00'))

    @with_transaction()
    def test_cash_payment_and_advance(self):
        "More than the debt: the surplus is an advance; sums are conserved"
        company = create_company()
        with set_company(company):
            account = self.setup_debts(company)
            first = pay(account, D(2026, 1, 15), '5000.00', channel='cash')
            self.assertEqual(
                {line.account.code for line in first.move.lines},
                {'50', '62.01'})
            second = pay(account, D(2026, 1, 20), '4000.00', channel='cash')
            self.assertEqual(
                [(a.kind, a.period, a.amount) for a in second.allocations],
                [('debt', D(2025, 12, 1), Decimal('3850.00')),
                    ('advance', None, Decimal('150.00'))])
            self.assertEqual(second.advance, Decimal('150.00'))
            for payment in [first, second]:
                self.assertEqual(
                    sum(a.amount for a in payment.allocations),
                    payment.amount)
            self.assertEqual(account_balance(account), Decimal('-150.00'))
            Allocation = Pool().get('housing.payment.allocation')
            self.assertEqual(
                [(a.period, a.amount) for a in Allocation.search([
                            ('account', '=', account.id),
                            ('kind', '=', 'debt'),
                            ], order=[('period', 'ASC'), ('id', 'ASC')])],
                [(D(2025, 11, 1), Decimal('4200.00')),
                    (D(2025, 12, 1), Decimal('800.00')),
                    (D(2025, 12, 1), Decimal('3850.00'))])

    @with_transaction()
    def test_bad_input_refused(self):
        "Amount not positive, period not a month start: refused, named"
        Payment = Pool().get('housing.payment')
        company = create_company()
        with set_company(company):
            account = self.setup_debts(company)
            with self.assertRaises(ValidationError) as context:
                Payment.create([{'account': account.id,
                            'date': D(2026, 1, 15), 'amount': Decimal(0)}])
            self.assertIn('Amount', context.exception.message)
            with self.assertRaises(ValidationError) as context:
                Payment.create([{'account': account.id,
                            'date': D(2026, 1, 15), 'amount': Decimal(10),
                            'period': D(2025, 12, 5)}])
            self.assertIn('2025-12-05', context.exception.message)

    @with_transaction()
    def test_cancel_draft_and_keep_posted(self):
        "A draft is cancelled and deleted; a posted payment stays"
        Payment = Pool().get('housing.payment')
        company = create_company()
        with set_company(company):
            account = self.setup_debts(company)
            draft, = Payment.create([{'account': account.id,
                        'date': D(2026, 1, 15), 'amount': Decimal(10)}])
            Payment.cancel([draft])
            self.assertEqual(draft.state, 'cancelled')
            self.assertIsNone(draft.move)
            Payment.delete([draft])
            posted = pay(account, D(2026, 1, 15), '10.00')
            Payment.cancel([posted])
            self.assertEqual(posted.state, 'posted')
            with self.assertRaises(AccessError):
                Payment.delete([posted])

    @with_transaction()
    def test_no_journal_nothing_written(self):
        "Without a payment journal posting fails and writes nothing"
        pool = Pool()
        Payment = pool.get('housing.payment')
        Configuration = pool.get('housing.configuration')
        Allocation = pool.get('housing.payment.allocation')
        company = create_company()
        with set_company(company):
            account = self.setup_debts(company)
            configuration = Configuration(1)
            configuration.payment_journal = None
            configuration.save()
            payment, = Payment.create([{'account': account.id,
                        'date': D(2026, 1, 15), 'amount': Decimal(10)}])
            with self.assertRaises(ValidationError) as context:
                Payment.post([payment])
            self.assertIn('journal', context.exception.message)
            self.assertEqual(Payment(payment.id).state, 'draft')
            self.assertEqual(Allocation.search([]), [])
