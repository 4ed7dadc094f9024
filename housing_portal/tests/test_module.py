# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
from trytond.modules.company.tests import CompanyTestMixin
from trytond.tests.test_tryton import ModuleTestCase


class HousingPortalTestCase(CompanyTestMixin, ModuleTestCase):
    "Test Housing Portal module"
    module = 'housing_portal'


del ModuleTestCase
