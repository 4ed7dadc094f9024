# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"Manual, agent and one-off amounts entered by an accountant."
import datetime as dt
from decimal import Decimal

from trytond.model.exceptions import ValidationError
from trytond.modules.company.tests import create_company, set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction

from ..engine.periods import Period
from ..engine.snapshot import ManualCharge
from .tools import (
    HousingTestCase,
    create_account,
    create_building,
    create_party,
    create_premises,
    create_service,
)
from .tools import compute as compute_runs

D = dt.date
APRIL = D(2026, 4, 1)


def setup_accounts():
    """Two accounts with a one-off service (manual) and an area service;
    a third without the one-off service."""
    pool = Pool()
    Service = pool.get('housing.service')
    Tariff = pool.get('housing.tariff')
    Account = pool.get('housing.account')
    one_off = create_service(
        'RAZ', method='manual', uom='product.uom_unit')
    Service.write([one_off], {'kind': 'one_off'})
    agent = create_service('DOM', method='manual', uom='product.uom_unit')
    Service.write([agent], {
            'kind': 'agent', 'supplier': create_party("ООО «Домофон»").id})
    maintenance = create_service(
        'SOD', method='area', uom='product.uom_square_meter')
    Tariff.create([{
                'service': maintenance.id, 'date_from': D(2025, 1, 1),
                'rates': [('create', [{'price': Decimal('30.00')}])],
                }])
    building = create_building()
    accounts = []
    for number, services in [
            ('1', [one_off, agent, maintenance]),
            ('2', [one_off, agent, maintenance]),
            ('3', [maintenance])]:
        premises = create_premises(
            building, number, [(D(2020, 1, 1), Decimal('50'))])
        account = create_account(
            premises, number,
            [(D(2020, 1, 1), create_party("Плательщик %s" % number))])
        Account.write([account], {
                'services': [('create', [{
                                'service': s.id, 'date_from': D(2020, 1, 1),
                                } for s in services])]})
        accounts.append(account)
    return (one_off, agent, maintenance), accounts


def enter(account, service, period=APRIL, **values):
    OneOff = Pool().get('housing.one_off_charge')
    charge, = OneOff.create([dict(
                account=account.id, service=service.id, period=period,
                **values)])
    return charge


def compute(period):
    Run = Pool().get('housing.accrual.run')
    run, = Run.create([{'period': period}])
    compute_runs([run])
    return run


class HousingOneOffTestCase(HousingTestCase):
    "Test one-off charges"

    @with_transaction()
    def test_one_off_lines(self):
        "Amounts and quantity × tariff of the month, with the note"
        company = create_company()
        with set_company(company):
            (one_off, agent, _), (first, second, _) = setup_accounts()
            enter(first, one_off, amount=Decimal('1500.00'),
                note="Замена замка")
            enter(first, one_off, quantity=Decimal('2.5'),
                tariff=Decimal('123.455'))
            enter(second, agent, tariff=Decimal('65.00'), note="Домофон")
            enter(second, agent, period=D(2026, 5, 1),
                amount=Decimal('999.99'))
            run = compute(APRIL)

            self.assertEqual([a.message for a in run.anomalies], [])
            lines = sorted(
                (c.account.number, c.service.code, c.quantity, c.tariff,
                    c.amount, c.method)
                for c in run.charges if c.service.code != 'SOD')
            self.assertEqual(lines, [
                    ('1', 'RAZ', Decimal('1'), Decimal('1500'),
                        Decimal('1500.00'), 'manual'),
                    # 2.5 × 123.455 = 308.6375 → 308.64 (ROUND_HALF_UP)
                    ('1', 'RAZ', Decimal('2.5'), Decimal('123.455'),
                        Decimal('308.64'), 'manual'),
                    ('2', 'DOM', Decimal('1'), Decimal('65'),
                        Decimal('65.00'), 'manual'),
                    ])
            explanations = {c.explanation_ru for c in run.charges
                if c.service == one_off}
            self.assertIn(
                '1,000 × 1 500,00 ₽ = 1 500,00 ₽; Замена замка', {
                    e.replace('\xa0', ' ') for e in explanations})
            self.assertEqual(run.total, sum(
                    (c.amount for c in run.charges), Decimal(0)))

            may = compute(D(2026, 5, 1))
            self.assertEqual(
                [(c.account.number, c.amount) for c in may.charges
                    if c.service == agent],
                [('2', Decimal('999.99'))])

    @with_transaction()
    def test_manual_charges_in_bulk(self):
        "The accounts' entries of a month as the kernel's ManualCharge"
        OneOff = Pool().get('housing.one_off_charge')
        company = create_company()
        with set_company(company):
            (one_off, agent, _), (first, second, third) = setup_accounts()
            enter(first, one_off, amount=Decimal('10.00'), note="a")
            enter(first, agent, quantity=Decimal(2), tariff=Decimal('3.5'))
            enter(second, one_off, period=D(2026, 3, 1),
                amount=Decimal('1.00'))
            self.assertEqual(
                OneOff.manual_charges(
                    [first, second, third], Period(2026, 4)),
                {first.id: (
                        ManualCharge(
                            service='RAZ', quantity=Decimal(1),
                            tariff=None, amount=Decimal('10.00'),
                            note='a'),
                        ManualCharge(
                            service='DOM', quantity=Decimal(2),
                            tariff=Decimal('3.5'), amount=None,
                            note=''))})

    @with_transaction()
    def test_validation(self):
        "Bad entries are refused, naming the field and the value"
        company = create_company()
        with set_company(company):
            (one_off, _, maintenance), (first, _, third) = setup_accounts()
            cases = [
                (dict(account=first, service=one_off, period=D(2026, 4, 2),
                        amount=Decimal(1)), ['2026-04-02']),
                (dict(account=first, service=one_off), ['RAZ']),
                (dict(account=first, service=one_off,
                        quantity=Decimal(3), tariff=Decimal('1.11'),
                        amount=Decimal('3.34')),
                    ['3.34', '1.11', '3.33']),
                (dict(account=third, service=one_off,
                        amount=Decimal(1)), ['"3"', '04.2026']),
                ]
            for values, texts in cases:
                with self.assertRaises(ValidationError) as raised:
                    enter(**values)
                for text in texts:
                    self.assertIn(text, raised.exception.message)
            # The domain keeps to the manual services.
            with self.assertRaises(ValidationError):
                enter(first, maintenance, amount=Decimal(1))
            # Quantity × tariff that makes the amount is accepted.
            charge = enter(first, one_off, quantity=Decimal(3),
                tariff=Decimal('1.11'), amount=Decimal('3.33'))
            self.assertEqual(charge.total, Decimal('3.33'))
