# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"Every string of the module's user interface has its Russian translation."
import os

import polib
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction

from .tools import HousingTestCase

LOCALE = os.path.join(
    os.path.dirname(os.path.dirname(__file__)), 'locale', 'ru.po')


def missing_translations(module, po_path):
    """The (msgctxt, msgid) pairs the module shows that its ru.po does not
    translate"""
    pool = Pool()
    Translation = pool.get('ir.translation')
    TranslationSet = pool.get('ir.translation.set', type='wizard')
    session_id, _, _ = TranslationSet.create()
    TranslationSet(session_id).transition_set_()
    source = polib.pofile(
        Translation.translation_export('en', module).decode('utf-8'))
    translated = {
        (e.msgctxt, e.msgid) for e in polib.pofile(po_path)
        if e.msgstr and not e.obsolete and 'fuzzy' not in e.flags}
    return sorted(
        (e.msgctxt, e.msgid) for e in source
        if e.msgid and (e.msgctxt, e.msgid) not in translated)


class TranslationTestCase(HousingTestCase):
    "Test the Russian translation"

    @with_transaction()
    def test_ru_po_complete(self):
        "locale/ru.po translates every string of housing_billing"
        missing = missing_translations('housing_billing', LOCALE)
        self.assertEqual(missing, [], "\n".join(
                'msgctxt "%s"\nmsgid "%s"\n' % m for m in missing))
