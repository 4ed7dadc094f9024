# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
from trytond.modules.account.tests import create_chart
from trytond.modules.company.tests import (
    CompanyTestMixin,
    create_company,
    set_company,
)
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction
from trytond.transaction import Transaction

CHART = 'l10n_ru_housing.account_root'

# XML id: (code, type flag, reconcile, party required, closed)
ACCOUNTS = {
    'account_50': ('50', None, False, False, False),
    'account_51': ('51', None, False, False, False),
    'account_55': ('55', None, False, False, False),
    'account_57': ('57', None, True, False, False),
    'account_60': ('60', 'payable', True, True, False),
    'account_62_01': ('62.01', 'receivable', True, True, False),
    'account_62_02': ('62.02', 'receivable', True, True, False),
    'account_68': ('68', None, False, False, False),
    'account_76_01': ('76.01', 'payable', True, True, False),
    'account_76_02': ('76.02', 'receivable', True, True, False),
    'account_76_03': ('76.03', 'receivable', True, True, False),
    'account_76_09': ('76.09', None, True, False, False),
    'account_84': ('84', None, False, False, False),
    'account_86_01': ('86.01', None, False, False, False),
    'account_86_02': ('86.02', None, False, False, False),
    'account_90_01': ('90.01', 'revenue', False, False, False),
    'account_90_02': ('90.02', 'expense', False, False, False),
    'account_91_01': ('91.01', 'revenue', False, False, False),
    'account_91_02': ('91.02', 'expense', False, False, False),
    'account_99': ('99', None, False, False, False),
    }
FLAGS = ['receivable', 'payable', 'revenue', 'expense']


class L10nRuHousingTestCase(CompanyTestMixin, ModuleTestCase):
    "Test l10n_ru_housing module"
    module = 'l10n_ru_housing'

    def _company_accounts(self, company):
        "Return the company's accounts by template XML id"
        pool = Pool()
        Account = pool.get('account.account')
        ModelData = pool.get('ir.model.data')
        result = {}
        for xml_id in ACCOUNTS:
            template_id = ModelData.get_id('l10n_ru_housing', xml_id)
            account, = Account.search([
                    ('company', '=', company.id),
                    ('template', '=', template_id),
                    ])
            result[xml_id] = account
        return result

    @with_transaction()
    def test_create_chart(self):
        "Create the chart for a company"
        pool = Pool()
        Account = pool.get('account.account')
        Type = pool.get('account.account.type')

        company = create_company()
        with set_company(company):
            create_chart(company, chart=CHART)

            accounts = self._company_accounts(company)
            for xml_id, (code, flag, reconcile, party_required, closed) in (
                    ACCOUNTS.items()):
                account = accounts[xml_id]
                with self.subTest(account=xml_id):
                    self.assertEqual(account.code, code)
                    self.assertTrue(account.name)
                    self.assertTrue(account.type)
                    self.assertEqual(account.reconcile, reconcile)
                    self.assertEqual(
                        account.party_required, party_required)
                    self.assertEqual(account.closed, closed)
                    for name in FLAGS:
                        self.assertEqual(
                            getattr(account.type, name), name == flag,
                            msg=name)

            # Views (sections and accounts with sub-accounts) have no type:
            # nothing can be posted there
            views = Account.search([
                    ('company', '=', company.id),
                    ('type', '=', None),
                    ])
            self.assertEqual(
                sorted(a.code or '' for a in views),
                ['', '', '', '', '62', '76', '86', '90', '91'])

            # One balance sheet and one income statement root
            balance, = Type.search([
                    ('company', '=', company.id),
                    ('parent', '=', None),
                    ])
            self.assertEqual(
                [t.statement for t in balance.childs], ['balance'] * 2)
            self.assertEqual(
                [t.assets for t in balance.childs], [True, False])
            income, = Type.search([
                    ('company', '=', company.id),
                    ('statement', '=', 'income'),
                    ('parent.statement', '!=', 'income'),
                    ])
            self.assertEqual(income.parent.statement, 'balance')

    @with_transaction()
    def test_double_sided_settlements(self):
        "The other side of settlement accounts goes to the other section"
        company = create_company()
        with set_company(company):
            create_chart(company, chart=CHART)
            accounts = self._company_accounts(company)

            for xml_id in ['account_62_01', 'account_62_02', 'account_76_02',
                    'account_76_03']:
                with self.subTest(account=xml_id):
                    account = accounts[xml_id]
                    self.assertTrue(account.type.assets)
                    self.assertFalse(account.credit_type.assets)
                    self.assertFalse(account.credit_type.payable)
            for xml_id in ['account_60', 'account_76_01', 'account_68']:
                with self.subTest(account=xml_id):
                    account = accounts[xml_id]
                    self.assertFalse(account.type.assets)
                    self.assertTrue(account.debit_type.assets)
                    self.assertFalse(account.debit_type.receivable)

    @with_transaction()
    def test_create_chart_twice(self):
        "Two companies get each their own chart"
        pool = Pool()
        Account = pool.get('account.account')

        companies = [create_company(), create_company()]
        for company in companies:
            with set_company(company):
                create_chart(company, chart=CHART)
        counts = [
            Account.search([('company', '=', c.id)], count=True)
            for c in companies]
        self.assertEqual(counts[0], counts[1])
        self.assertEqual(counts[0], 30)

    @with_transaction()
    def test_update_chart(self):
        "Update the chart: nothing changes, then a new account is added"
        pool = Pool()
        Account = pool.get('account.account')
        AccountTemplate = pool.get('account.account.template')
        Type = pool.get('account.account.type')
        ModelData = pool.get('ir.model.data')
        UpdateChart = pool.get('account.update_chart', type='wizard')

        company = create_company()
        with set_company(company):
            create_chart(company, chart=CHART)
            root, = Account.search([
                    ('company', '=', company.id),
                    ('parent', '=', None),
                    ])

            def update():
                session_id, _, _ = UpdateChart.create()
                update_chart = UpdateChart(session_id)
                update_chart.start.account = root
                update_chart.transition_update()

            def snapshot():
                return (
                    [(a.code, a.name, a.type and a.type.name)
                        for a in Account.search(
                            [('company', '=', company.id)],
                            order=[('id', 'ASC')])],
                    [(t.name, t.parent and t.parent.id)
                        for t in Type.search(
                            [('company', '=', company.id)],
                            order=[('id', 'ASC')])])

            before = snapshot()
            update()
            self.assertEqual(snapshot(), before)

            # A later version of the template adds an account
            template = AccountTemplate(
                code='58', name="Финансовые вложения",
                parent=ModelData.get_id('l10n_ru_housing', 'section_5'),
                type=ModelData.get_id(
                    'l10n_ru_housing', 'type_cash_operating'))
            with Transaction().set_user(0):
                template.save()
            update()
            account, = Account.search([
                    ('company', '=', company.id),
                    ('template', '=', template.id),
                    ])
            self.assertEqual(account.code, '58')
            self.assertEqual(
                account.parent.name, "Раздел V. Денежные средства")
            self.assertEqual(
                account.type.name, "Касса, расчётные счета, переводы в пути")


del ModuleTestCase
