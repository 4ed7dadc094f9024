# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""Who pays each personal account on a date, and on which receivable
account, read in bulk for the posting of a run."""
from typing import NamedTuple

from sql import Null
from trytond.pool import Pool
from trytond.transaction import Transaction

from .loader import fetch_in, in_force_from, where_in


class Payer(NamedTuple):
    party: int
    receivable: int


def payers_at(account_ids, date, company):
    """{personal account id: Payer} on date, as Account.payer_at and
    Party.account_receivable_used give them; accounts without a payer on
    date are left out."""
    table = Pool().get('housing.account.payer').__table__()

    def query(ids):
        return table.select(
            table.account, table.date_from, table.party,
            where=where_in(table.account, ids) & (table.date_from <= date))
    parties = {account: party for account, (party,)
        in in_force_from(fetch_in(query, account_ids)).items()}
    receivables = receivable_accounts(set(parties.values()), company, date)
    return {account: Payer(party, receivables[party])
        for account, party in parties.items()}


def receivable_accounts(party_ids, company, date):
    """{party id: receivable account id} for company on date: the party's
    own account when it has one, else the default of the configuration."""
    Party = Pool().get('party.party')
    own = parties_with_receivable(party_ids, company)
    others = sorted(set(party_ids) - own)
    with Transaction().set_context(company=company, date=date):
        result = {p.id: p.account_receivable_used.id
            for p in Party.browse(sorted(own))}
        if others:
            # Party.account_receivable_used raises when there is none.
            default = Party(others[0]).account_receivable_used
            result.update(dict.fromkeys(others, default.id))
    return result


def parties_with_receivable(party_ids, company):
    "The parties that have a receivable account of their own for company."
    table = Pool().get('party.party.account').__table__()

    def query(ids):
        return table.select(
            table.party,
            where=where_in(table.party, ids) & (table.company == company)
            & (table.account_receivable != Null))
    return {party for party, in fetch_in(query, party_ids)}
