# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""The data of the debt, penalty and finance report tests: two personal
accounts on the Russian chart, charged by area from November 2025 to
February 2026, with penalties and payments by bank and at the cash desk.

Account A (1000234567, ул. Садовая, д. 1, 100 m²) is the golden case G-F2:
4 200.00, 4 650.00, 5 000.00, 5 000.00; 6 000.00 paid by bank on
20.02.2026 without a period (→ November 4 200.00, December 1 800.00);
penalties 29.26 (January) and 47.07 (February).

Account B (2000000007, ул. Лесная, д. 2, 50 m²): half of A's charges;
2 100.00 paid at the cash desk on 15.12.2025 (November), 8 000.00 at the
cash desk on 20.02.2026 (December 2 325.00, January 2 500.00, advance
3 175.00); penalty 6.63 in February (December paid 9 days late)."""
from decimal import Decimal

from trytond.pool import Pool
from trytond.transaction import Transaction

from .penalty_tools import (
    GF2_PRICES,
    D,
    ledger_account,
    pay,
    run_month,
    setup_account,
    setup_ledger,
    setup_penalty_service,
)
from .tools import (
    create_account,
    create_building,
    create_party,
    create_premises,
    create_service,
)


def ledger_balance(accounts=None, until=None):
    "The balance of the receivable lines carrying a personal account."
    Line = Pool().get('account.move.line')
    domain = [('housing_account', '!=', None),
        ('move.state', '=', 'posted')]
    if accounts:
        domain.append(('housing_account', 'in', [a.id for a in accounts]))
    if until:
        domain.append(('move.date', '<=', until))
    return sum((line.debit - line.credit for line in Line.search(domain)),
        Decimal(0))


def setup_supplier(account):
    """An agent service of a supplier (cold water by area, 10.00 per m²)
    charged to account from February 2026."""
    pool = Pool()
    Account = pool.get('housing.account')
    Service = pool.get('housing.service')
    Tariff = pool.get('housing.tariff')
    supplier = create_party("ООО «Водоканал»")
    supplier.account_payable = ledger_account('76.01')
    supplier.save()
    water = create_service(
        'HVS', method='area', uom='product.uom_square_meter')
    Service.write([water], {'kind': 'agent', 'supplier': supplier.id})
    Tariff.create([{
                'service': water.id, 'date_from': D(2026, 2, 1),
                'rates': [('create', [{'price': Decimal('10.00')}])],
                }])
    Account.write([account], {'services': [('create', [{
                        'service': water.id,
                        'date_from': D(2026, 2, 1)}])]})
    return supplier


def post_move(date, lines):
    "A posted move of the cash journal: lines are (code, debit, credit, party)"
    pool = Pool()
    Move = pool.get('account.move')
    Period = pool.get('account.period')
    Journal = pool.get('account.journal')
    journal, = Journal.search([('type', '=', 'cash')], limit=1)
    company = Transaction().context['company']
    move, = Move.create([{
                'journal': journal.id, 'date': date,
                'period': Period.find(company, date=date).id,
                'lines': [('create', [{
                                'account': ledger_account(code).id,
                                'debit': Decimal(debit),
                                'credit': Decimal(credit),
                                'party': party.id if party else None,
                                } for code, debit, credit, party in lines])],
                }])
    Move.post([move])
    return move


def setup_debts(company, supplier=False):
    """Returns the accounts A and B (and the supplier).

    With supplier, account A is also charged the supplier's cold water
    (1 000.00 in February), pays 3 000.00 for February on 10.03.2026
    (split 2 500.00 maintenance, 500.00 water) and 400.00 is transferred
    to the supplier on 15.03.2026."""
    pool = Pool()
    Account = pool.get('housing.account')
    Service = pool.get('housing.service')
    setup_ledger(company, [2025, 2026])
    setup_penalty_service()
    account_a = setup_account(GF2_PRICES)
    maintenance, = Service.search([('code', '=', 'SOD')])
    building = create_building(address="ул. Лесная, д. 2")
    flat = create_premises(building, '7', [(D(2019, 1, 1), Decimal('50'))])
    payer = create_party("Петрова Анна Сергеевна")
    account_b = create_account(flat, '2000000007', [(D(2019, 1, 1), payer)],
        opened=D(2019, 1, 1))
    Account.write([account_b], {'services': [('create', [{
                        'service': maintenance.id,
                        'date_from': D(2019, 1, 1)}])]})
    party = setup_supplier(account_a) if supplier else None
    run_month(D(2025, 11, 1))
    pay(account_b, D(2025, 12, 15), '2100.00', channel='cash')
    run_month(D(2025, 12, 1))
    run_month(D(2026, 1, 1))
    pay(account_a, D(2026, 2, 20), '6000.00', channel='bank')
    pay(account_b, D(2026, 2, 20), '8000.00', channel='cash')
    run_month(D(2026, 2, 1))
    if not supplier:
        return account_a, account_b
    pay(account_a, D(2026, 3, 10), '3000.00', period=D(2026, 2, 1))
    post_move(D(2026, 3, 15), [
            ('76.01', '400.00', 0, party), ('51', 0, '400.00', None)])
    return account_a, account_b, party
