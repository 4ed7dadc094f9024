# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"Every string of the module's user interface has its Russian translation."
import importlib
import os
import unittest

import polib
from trytond.pool import Pool
from trytond.tests.test_tryton import (
    activate_module,
    drop_db,
    with_transaction,
)


def missing_translations(module, po_path):
    """The (msgctxt, msgid) pairs the module shows that its ru.po does not
    translate"""
    pool = Pool()
    Translation = pool.get('ir.translation')
    TranslationSet = pool.get('ir.translation.set', type='wizard')
    session_id, _, _ = TranslationSet.create()
    TranslationSet(session_id).transition_set_()
    exported = Translation.translation_export('en', module)
    if not exported:
        return []
    source = polib.pofile(exported.decode('utf-8'))
    translated = {
        (e.msgctxt, e.msgid) for e in polib.pofile(po_path)
        if e.msgstr and not e.obsolete and 'fuzzy' not in e.flags}
    return sorted(
        (e.msgctxt, e.msgid) for e in source
        if e.msgid and (e.msgctxt, e.msgid) not in translated)


class RussianTranslationMixin:
    """The module's locale/ru.po translates every string it shows; a test
    case of each module mixes it in and names the module."""
    module = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        drop_db()
        activate_module([cls.module])

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        drop_db()

    @with_transaction()
    def test_ru_po_complete(self):
        "locale/ru.po translates every string of the module"
        package = importlib.import_module(self.module)
        locale = os.path.join(
            os.path.dirname(package.__file__), 'locale', 'ru.po')
        missing = missing_translations(self.module, locale)
        self.assertEqual(missing, [], "\n".join(
                'msgctxt "%s"\nmsgid "%s"\n' % m for m in missing))


class TranslationTestCase(RussianTranslationMixin, unittest.TestCase):
    "Test the Russian translation of housing_billing"
    module = 'housing_billing'
