# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"The Russian increasing coefficients reach the accrual (G-N6, G-N7)."
import datetime as dt
import unittest
from decimal import Decimal

from trytond.model.exceptions import ValidationError
from trytond.modules.company.tests import create_company, set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import (
    activate_module,
    drop_db,
    with_transaction,
)

from housing_billing.tests.tools import (
    compute,
    create_account,
    create_building,
    create_party,
    create_premises,
    create_service,
)

D = dt.date


class CoefficientTestCase(unittest.TestCase):
    "Test the increasing coefficients of l10n_ru_housing"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        drop_db()
        activate_module(['l10n_ru_housing'])

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        drop_db()

    def setup_account(self, residents=2):
        "Cold water by normative where a meter could be installed (G-N6)"
        pool = Pool()
        Service = pool.get('housing.service')
        Tariff = pool.get('housing.tariff')
        Normative = pool.get('housing.normative')
        Resident = pool.get('housing.resident')
        ModelData = pool.get('ir.model.data')
        cold_water = create_service('HVS')
        Service.write([cold_water], {'resource': 'cold_water'})
        Tariff.create([{
                    'service': cold_water.id, 'date_from': D(2025, 1, 1),
                    'rates': [('create', [{'price': Decimal('49.87')}])],
                    }])
        Normative.create([{
                    'service': cold_water.id, 'kind': 'person',
                    'value': Decimal('4.85'),
                    'unit': ModelData.get_id('product', 'uom_cubic_meter'),
                    'date_from': D(2017, 1, 1),
                    }])
        premises = create_premises(
            create_building(), '1', [(D(2020, 1, 1), Decimal('54.30'))])
        payer = create_party("Плательщик")
        account = create_account(premises, '1', [(D(2020, 1, 1), payer)])
        pool.get('housing.account').write([account], {
                'services': [('create', [{
                                'service': cold_water.id,
                                'date_from': D(2020, 1, 1),
                                }])]})
        Resident.create([{
                    'account': account.id,
                    'party': create_party("Жилец %s" % i).id,
                    'registered_from': D(2020, 1, 1),
                    } for i in range(residents)])
        return account

    def charges(self, period):
        Run = Pool().get('housing.accrual.run')
        run, = Run.create([{'period': period}])
        compute([run])
        return sorted(run.charges, key=lambda c: c.date_from)

    @with_transaction()
    def test_cold_water_coefficient_3_in_2026(self):
        "G-N6: 2 × 4.85 × 49.87 × 3.0 = 1 451.22, K surcharge 967.48"
        company = create_company()
        with set_company(company):
            self.setup_account()
            line, = self.charges(D(2026, 1, 1))
            self.assertEqual(line.amount, Decimal('1451.22'))
            self.assertEqual(line.coefficient, Decimal('3'))
            self.assertEqual(line.quantity, Decimal('9.7'))

    @with_transaction()
    def test_coefficient_change_split_by_days(self):
        "G-N7: December 2025 = 5 days at 1.5 + 26 days at 3.0"
        company = create_company()
        with set_company(company):
            self.setup_account()
            first, second = self.charges(D(2025, 12, 1))
            self.assertEqual(
                (first.amount, second.amount),
                (Decimal('117.03'), Decimal('1217.15')))
            self.assertEqual(
                (first.coefficient, second.coefficient),
                (Decimal('1.5'), Decimal('3')))

    @with_transaction()
    def test_no_coefficient_where_no_meter_can_be_installed(self):
        "An act of technical impossibility: K = 1 (G-N1)"
        company = create_company()
        with set_company(company):
            account = self.setup_account(residents=3)
            Pool().get('housing.account.service').write(
                list(account.services), {'meter_impossible': True})
            line, = self.charges(D(2026, 1, 1))
            self.assertEqual(line.amount, Decimal('725.61'))

    @with_transaction()
    def test_overlapping_coefficients_refused(self):
        "Two values of one resource and situation cannot overlap"
        Coefficient = Pool().get('housing.coefficient')
        with self.assertRaises(ValidationError) as context:
            Coefficient.create([{
                        'resource': 'hot_water', 'situation': 'no_meter',
                        'value': Decimal(2), 'date_from': D(2026, 1, 1),
                        }])
        self.assertIn("2026-01-01", str(context.exception))
