# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"Who may read and change what: the three housing groups and the companies."
from decimal import Decimal

from trytond.model.exceptions import AccessError
from trytond.modules.company.tests import create_company, set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from .tools import HousingTestCase, create_building


class HousingAccessTestCase(HousingTestCase):
    "Test access rights"

    def create_user(self, login, group, company):
        pool = Pool()
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        user, = User.create([{
                    'name': login, 'login': login,
                    'groups': [('add', [
                                ModelData.get_id('housing_billing', group)])],
                    'companies': [('add', [company.id])],
                    'company': company.id,
                    }])
        return user

    def as_user(self, user):
        User = Pool().get('res.user')
        transaction = Transaction()
        with transaction.set_user(user.id):
            context = User.get_preferences(context_only=True)
        return transaction.set_user(user.id), transaction.set_context(
            context, _check_access=True)

    @with_transaction()
    def test_auditor_reads_only(self):
        "The auditor sees the buildings but changes nothing"
        Building = Pool().get('housing.building')
        company = create_company()
        with set_company(company):
            building = create_building()
        auditor = self.create_user('auditor', 'group_housing_auditor', company)
        user, context = self.as_user(auditor)
        with user, context:
            self.assertEqual(Building.search([]), [building])
            with self.assertRaises(AccessError):
                Building.write(
                    Building.search([]), {'address': "ул. Подменная"})
            with self.assertRaises(AccessError):
                create_building(address="ул. Новая, д. 3")

    @with_transaction()
    def test_accountant_keeps_data_not_configuration(self):
        "The accountant enters data but does not change the configuration"
        pool = Pool()
        Configuration = pool.get('housing.configuration')
        company = create_company()
        accountant = self.create_user(
            'accountant', 'group_housing_accountant', company)
        user, context = self.as_user(accountant)
        with user, context:
            create_building(address="ул. Бухгалтерская, д. 1")
            self.assertEqual(
                Configuration(1).implausible_jump_factor, Decimal(3))
            with self.assertRaises(AccessError):
                Configuration.create([{'implausible_jump_factor': 5}])

    @with_transaction()
    def test_no_group_no_housing(self):
        "A user outside the housing groups reads no housing data"
        Building = Pool().get('housing.building')
        company = create_company()
        with set_company(company):
            create_building()
        stranger = Pool().get('res.user').create([{
                    'name': 'stranger', 'login': 'stranger',
                    'companies': [('add', [company.id])],
                    'company': company.id,
                    }])[0]
        user, context = self.as_user(stranger)
        with user, context:
            with self.assertRaises(AccessError):
                Building.search([])

    @with_transaction()
    def test_company_rule(self):
        "An accountant of one company does not see another's housing stock"
        pool = Pool()
        Building = pool.get('housing.building')
        Premises = pool.get('housing.premises')
        first = create_company(name="ТСЖ «Первое»")
        second = create_company(name="ТСЖ «Второе»")
        with set_company(first):
            mine = create_building(address="ул. Моя, д. 1")
            Premises.create([{'building': mine.id, 'number': '1'}])
        with set_company(second):
            theirs = create_building(address="ул. Чужая, д. 2")
            Premises.create([{'building': theirs.id, 'number': '1'}])
        accountant = self.create_user(
            'accountant', 'group_housing_accountant', first)
        user, context = self.as_user(accountant)
        with user, context:
            self.assertEqual(Building.search([]), [mine])
            self.assertEqual(
                [p.building for p in Premises.search([])], [mine])

