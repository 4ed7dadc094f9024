# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"Small builders of housing records for the module tests."
import datetime as dt
import unittest
from decimal import Decimal

from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, drop_db
from trytond.transaction import Transaction


class HousingTestCase(unittest.TestCase):
    "A database with housing_billing activated, shared by the class's tests"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        drop_db()
        activate_module(['housing_billing'])

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        drop_db()


def run_queue():
    """Run the tasks queued in this transaction, as trytond runs them after
    the commit when no worker is configured."""
    Queue = Pool().get('ir.queue')
    tasks = Transaction().tasks
    while tasks:
        Queue(tasks.pop(0)).run()


def compute(runs):
    "Compute accrual runs to the end, chunk by chunk."
    Run = Pool().get('housing.accrual.run')
    Run.compute(runs)
    run_queue()


def post(runs):
    "Post accrual runs to the end, building by building."
    Run = Pool().get('housing.accrual.run')
    Run.post(runs)
    run_queue()


def create_building(address="ул. Садовая, д. 1", areas=None):
    Building = Pool().get('housing.building')
    areas = areas or [(dt.date(2020, 1, 1), Decimal('1000'))]
    building, = Building.create([{
                'address': address,
                'management_start': dt.date(2020, 1, 1),
                'areas': [('create', [{
                                'date_from': date,
                                'total_area': total,
                                'residential_area': total,
                                'non_residential_area': 0,
                                'common_area': Decimal('100'),
                                } for date, total in areas])],
                }])
    return building


def create_premises(building, number, areas):
    Premises = Pool().get('housing.premises')
    premises, = Premises.create([{
                'building': building.id,
                'number': number,
                'areas': [('create', [{
                                'date_from': date, 'total_area': total,
                                } for date, total in areas])],
                }])
    return premises


def create_party(name):
    Party = Pool().get('party.party')
    party, = Party.create([{'name': name}])
    return party


def create_account(premises, number, payers, opened=dt.date(2020, 1, 1)):
    Account = Pool().get('housing.account')
    account, = Account.create([{
                'number': number,
                'premises': premises.id,
                'opened': opened,
                'payers': [('create', [{
                                'party': party.id, 'date_from': date,
                                } for date, party in payers])],
                }])
    return account


def create_service(code, method='meter', uom='product.uom_cubic_meter'):
    pool = Pool()
    Service = pool.get('housing.service')
    Template = pool.get('product.template')
    ModelData = pool.get('ir.model.data')
    module, name = uom.split('.')
    unit = ModelData.get_id(module, name)
    template, = Template.create([{
                'name': code, 'type': 'service', 'default_uom': unit,
                'products': [('create', [{}])],
                }])
    service, = Service.create([{
                'name': code, 'code': code, 'product': template.products[0].id,
                'unit': unit, 'method': method,
                }])
    return service
