# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"Every stored model of the suite has access rights for the housing groups."
import unittest

from trytond.model import ModelStorage
from trytond.pool import Pool
from trytond.tests.test_tryton import (
    activate_module,
    drop_db,
    with_transaction,
)

MODULES = ['housing_billing', 'housing_payment', 'housing_portal',
    'l10n_ru_housing']
GROUPS = ['group_housing_admin', 'group_housing_accountant',
    'group_housing_auditor']


class AccessDefinedTestCase(unittest.TestCase):
    "Test that access rights are defined for every model"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        drop_db()
        activate_module(MODULES)

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        drop_db()

    @with_transaction()
    def test_every_model_has_group_access(self):
        "Each housing.* model is granted to the three housing groups"
        pool = Pool()
        Access = pool.get('ir.model.access')
        ModelData = pool.get('ir.model.data')
        groups = {ModelData.get_id('housing_billing', g): g for g in GROUPS}
        missing = []
        for name, Model in pool.iterobject():
            # Relation tables (a-b) follow the rights of the models they
            # join, as in Tryton's own modules.
            if (not name.startswith('housing.') or '-' in name
                    or not issubclass(Model, ModelStorage)):
                continue
            granted = {a.group.id for a in Access.search([
                        ('model', '=', name),
                        ('group', '!=', None),
                        ])}
            for group_id, group in groups.items():
                if group_id not in granted:
                    missing.append('%s: %s' % (name, group))
        self.assertEqual(missing, [], "\n".join(missing))

    @with_transaction()
    def test_auditor_never_writes(self):
        "The read-only auditor is granted no write, create or delete"
        pool = Pool()
        Access = pool.get('ir.model.access')
        ModelData = pool.get('ir.model.data')
        auditor = ModelData.get_id('housing_billing', 'group_housing_auditor')
        writable = [a.model for a in Access.search([
                    ('group', '=', auditor),
                    ['OR',
                        ('perm_write', '=', True),
                        ('perm_create', '=', True),
                        ('perm_delete', '=', True),
                        ],
                    ])]
        self.assertEqual(writable, [])
