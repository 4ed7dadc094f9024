# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
from trytond.modules.company.tests import CompanyTestMixin
from trytond.tests.test_tryton import ModuleTestCase


class HousingPaymentTestCase(CompanyTestMixin, ModuleTestCase):
    "Test Housing Payment module"
    module = 'housing_payment'


del ModuleTestCase
