# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"Every string of the module's user interface has its Russian translation."
import unittest

from housing_billing.tests.test_translation import RussianTranslationMixin


class TranslationTestCase(RussianTranslationMixin, unittest.TestCase):
    "Test the Russian translation of housing_payment"
    module = 'housing_payment'
