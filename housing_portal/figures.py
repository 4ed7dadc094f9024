# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""What a resident owes, read from the ledger in one query for all the
resident's accounts: the balance of the posted receivable lines that carry
the personal account, the penalties apart (the lines on the penalty
receivable account), and the last receipt."""
from collections import defaultdict
from decimal import Decimal

from sql import Null
from sql.aggregate import Sum
from sql.conditionals import Case
from trytond.pool import Pool
from trytond.transaction import Transaction

from housing_billing.bulk import as_date, as_money
from housing_billing.payment import PURPOSE_OF_BASE
from housing_billing.penalty import (
    BASES,
    penalty_receivable_by_base,
    penalty_receivable_ids,
)

ZERO = Decimal('0.00')


def penalty_accounts(company_ids):
    """{company id: [the penalty receivable account ids]}: housing and
    capital repair ([-1] when none)"""
    return {company_id: penalty_receivable_ids(company_id) or [-1]
        for company_id in company_ids}


def dues(accounts):
    """{account id: (balance, penalties)} of the posted ledger: the
    balance is the whole debt (+) or advance (−), penalties included."""
    pool = Pool()
    line = pool.get('account.move.line').__table__()
    move = pool.get('account.move').__table__()
    penalty_of = penalty_accounts({a.company.id for a in accounts})
    result = {a.id: (ZERO, ZERO) for a in accounts}
    if not accounts:
        return result
    penalty_ids = sorted({a for ids in penalty_of.values() for a in ids})
    cursor = Transaction().connection.cursor()
    cursor.execute(*line.join(move, condition=line.move == move.id).select(
            line.housing_account,
            Sum(line.debit - line.credit),
            Sum(Case((line.account.in_(penalty_ids),
                        line.debit - line.credit), else_=0)),
            where=(move.state == 'posted')
            & (line.housing_account != Null)
            & line.housing_account.in_([a.id for a in accounts]),
            group_by=[line.housing_account]))
    for account_id, balance, penalties in cursor:
        result[account_id] = (as_money(balance) or ZERO,
            as_money(penalties) or ZERO)
    return result


def penalty_dues(account):
    """{payment purpose: the penalties of its base the account owes} of
    the posted ledger, for the bases owing: what a payment of penalties of
    each purpose can pay. Penalties of both bases on one receivable
    account are the housing ones'."""
    pool = Pool()
    line = pool.get('account.move.line').__table__()
    move = pool.get('account.move').__table__()
    receivables = penalty_receivable_by_base(account.company.id)
    purpose_of = {}
    for base in BASES:
        if receivables[base]:
            purpose_of.setdefault(receivables[base], PURPOSE_OF_BASE[base])
    if not purpose_of:
        return {}
    cursor = Transaction().connection.cursor()
    cursor.execute(*line.join(move, condition=line.move == move.id).select(
            line.account, Sum(line.debit - line.credit),
            where=(move.state == 'posted')
            & (line.housing_account == account.id)
            & line.account.in_(sorted(purpose_of)),
            group_by=[line.account]))
    return {purpose_of[receivable]: as_money(amount)
        for receivable, amount in cursor if as_money(amount) > 0}


def last_receipts(account_ids):
    "{account id: its current receipt of the latest period}"
    Receipt = Pool().get('housing.receipt')
    result = {}
    for receipt in Receipt.search([
                ('account', 'in', list(account_ids)),
                ('state', '=', 'current'),
                ], order=[('period', 'DESC'), ('id', 'DESC')]):
        result.setdefault(receipt.account.id, receipt)
    return result


def movements(account):
    """[(date, origin, debit, credit, penalty, balance)] of the account's
    posted receivable lines in date order, with the running balance."""
    pool = Pool()
    line = pool.get('account.move.line').__table__()
    move = pool.get('account.move').__table__()
    penalty_account = penalty_accounts([account.company.id])[
        account.company.id]
    cursor = Transaction().connection.cursor()
    cursor.execute(*line.join(move, condition=line.move == move.id).select(
            move.date, move.origin, line.debit, line.credit, line.account,
            where=(move.state == 'posted')
            & (line.housing_account == account.id),
            order_by=[move.date.asc, move.id.asc, line.id.asc]))
    balance = ZERO
    rows = []
    for date, origin, debit, credit, ledger_account in cursor:
        debit, credit = as_money(debit) or ZERO, as_money(credit) or ZERO
        balance += debit - credit
        rows.append((as_date(date), (origin or '').split(',')[0], debit,
                credit, ledger_account in penalty_account, balance))
    return rows


def consumption_by_month(readings, previous):
    """{first day of month: consumption} of readings (date, total value)
    in date order, each less the one before it (previous: the reading or
    installation before the first, or None)."""
    result = defaultdict(Decimal)
    for date, value in readings:
        if previous is not None and value >= previous:
            result[date.replace(day=1)] += value - previous
        previous = value
    return result
