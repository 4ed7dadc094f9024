# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"The demo company's ledger: chart, fiscal years, where services go."
import datetime as dt
import unittest

from trytond.modules.company.tests import create_company, set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import (
    activate_module,
    drop_db,
    with_transaction,
)

from bench.ledger import account, setup_ledger


class LedgerSetupTestCase(unittest.TestCase):
    "Test the demo ledger set-up"

    @classmethod
    def setUpClass(cls):
        drop_db()
        activate_module(['housing_billing', 'l10n_ru_housing'])

    @classmethod
    def tearDownClass(cls):
        drop_db()

    @with_transaction()
    def test_setup_ledger(self):
        "Chart, years, revenue and credit accounts, journal; idempotent"
        pool = Pool()
        Service = pool.get('housing.service')
        Template = pool.get('product.template')
        Party = pool.get('party.party')
        Period = pool.get('account.period')
        Configuration = pool.get('housing.configuration')
        ModelData = pool.get('ir.model.data')
        company = create_company()
        with set_company(company):
            unit = ModelData.get_id('product', 'uom_square_meter')
            supplier, = Party.create([{'name': "ООО «Домофон»"}])
            services = []
            for code, kind in [('SOD', 'maintenance'),
                    ('KAP', 'capital_repair'), ('DOM', 'agent')]:
                template, = Template.create([{
                            'name': code, 'type': 'service',
                            'default_uom': unit,
                            'products': [('create', [{}])],
                            }])
                services.extend(Service.create([{
                                'name': code, 'code': code, 'kind': kind,
                                'method': 'area', 'unit': unit,
                                'product': template.products[0].id,
                                'supplier': supplier.id
                                if kind == 'agent' else None,
                                }]))
            setup_ledger(company, 2025, 2026)
            setup_ledger(company, 2025, 2026)

            maintenance, capital_repair, intercom = Service.browse(services)
            self.assertEqual(
                maintenance.product.account_revenue_used.code, '90.01')
            self.assertEqual(capital_repair.credit_account.code, '86.01')
            self.assertEqual(
                Party(supplier.id).account_payable_used.code, '76.01')
            self.assertEqual(
                Party(supplier.id).account_receivable_used,
                account(company, 'l10n_ru_housing.account_62_01'))
            self.assertEqual(
                len(Period.search([('type', '=', 'standard')])), 24)
            self.assertEqual(
                Period.find(company, date=dt.date(2026, 3, 31)).start_date,
                dt.date(2026, 3, 1))
            configuration = Configuration(1)
            self.assertEqual(configuration.accrual_journal.type, 'revenue')
            self.assertEqual(configuration.payment_journal.type, 'cash')
            self.assertEqual(
                (configuration.payment_cash_account.code,
                    configuration.payment_bank_account.code,
                    configuration.penalty_receivable_account.code),
                ('50', '51', '62.02'))
            # The penalty services, once
            penalty = configuration.penalty_service
            capital_repair_penalty = (
                configuration.capital_repair_penalty_service)
            self.assertEqual(
                (penalty.code, penalty.kind, penalty.method,
                    penalty.credit_account.code),
                ('PENI', 'one_off', 'manual', '91.01'))
            self.assertEqual(
                (capital_repair_penalty.code,
                    capital_repair_penalty.credit_account.code,
                    configuration.capital_repair_penalty_receivable_account
                    .code),
                ('PENI_KR', '86.02', '76.03'))
            self.assertEqual(Service.search_count(
                    [('code', 'in', ['PENI', 'PENI_KR'])]), 2)
