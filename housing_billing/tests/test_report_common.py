# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"The reports of group E (common property) on known data."
from decimal import Decimal

from trytond.modules.company.tests import create_company, set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from .report_data_accrual import (
    FEBRUARY,
    JANUARY,
    ReportData,
    pdf_text,
    report_context,
)
from .tools import HousingTestCase

ZERO = Decimal(0)
MODELS = [
    'housing.report.accrual.register',
    'housing.report.accrual.summary',
    'housing.report.accrual.recalculation',
    'housing.report.accrual.reduction',
    'housing.report.accrual.explanation',
    'housing.report.accrual.variance',
    'housing.report.accrual.tariff',
    'housing.report.accrual.trend',
    'housing.report.meter.reading',
    'housing.report.meter.missing',
    'housing.report.meter.verification',
    'housing.report.meter.building',
    'housing.report.meter.trend',
    'housing.report.common.balance',
    'housing.report.common.allocation',
    ]


class ReportCommonTestCase(ReportData, HousingTestCase):
    "Test the common property reports"

    @with_transaction()
    def test_common_reports(self):
        "E1 and E2 on two posted months, below and over the cap"
        pool = Pool()
        Balance = pool.get('housing.report.common.balance')
        Allocation = pool.get('housing.report.common.allocation')
        PrintedTable = pool.get(
            'housing.report.printed_table', type='report')
        company = create_company()
        with set_company(company):
            data = self.build(company)
        accounts = data['accounts']
        with report_context(company, JANUARY, FEBRUARY):
            balance = {r.period: r for r in Balance.search([])}
            allocation = Allocation.search([])
        january, february = balance[JANUARY], balance[FEBRUARY]
        self.assertEqual(january.resource, 'cold_water')
        # January: 1 250 − 1 229.8 = 20.2 m³, under the cap of 24.6
        self.assertEqual(
            (january.building_volume, january.meter, january.individual,
                january.fact, january.cap, january.charged,
                january.over_normative, january.negative),
            (Decimal('1250'), Decimal('1229.8'), Decimal('1229.8'),
                Decimal('20.2'), Decimal('24.6'), Decimal('20.2'), ZERO,
                ZERO))
        # February: 101's 10 m³ by meter, 102 and 103 by normative (4.85 m³
        # each); 24.6 charged, the rest borne by the executor
        self.assertEqual(
            (february.building_volume, february.meter, february.normative,
                february.individual, february.fact, february.charged,
                february.over_normative),
            (Decimal('1240'), Decimal('10'), Decimal('9.7'),
                Decimal('19.7'), Decimal('1220.3'), Decimal('24.6'),
                Decimal('1195.7')))
        for row in balance.values():
            # Check: ОДПУ = Σ individual + СОИ факт
            self.assertEqual(row.building_volume,
                row.individual + row.executor_volume + row.fact)
            self.assertEqual(row.individual,
                row.meter + row.average + row.normative + row.other)
            # Check: Σ E2 = «СОИ к начислению»
            self.assertEqual(
                sum(a.quantity for a in allocation
                    if a.period == row.period).quantize(Decimal('0.001')),
                row.charged.quantize(Decimal('0.001')))

        # E2: by area share, the kopecks sum to the building's amount
        rows = {(a.period, a.account): a for a in allocation}
        row = rows[(JANUARY, accounts['101'])]
        self.assertEqual(row.area, Decimal('54.3'))
        self.assertEqual(row.share, Decimal('0.010605'))
        self.assertEqual(row.amount, Decimal('10.68'))
        self.assertEqual(
            row.quantity.quantize(Decimal('0.0001')), Decimal('0.2142'))
        self.assertEqual(
            sum(a.amount for a in allocation if a.period == JANUARY),
            (Decimal('20.2') * Decimal('49.87')).quantize(Decimal('0.01')))
        self.assertEqual(
            sum(a.share for a in allocation if a.period == JANUARY),
            Decimal('1.000001'))

        with report_context(company, JANUARY):
            content = PrintedTable.render_table(
                Balance, Balance.search([]), "Небаланс")
        text = ' '.join(pdf_text(content).split())
        self.assertIn("Небаланс", text)
        self.assertIn("1 229,80", text.replace('\xa0', ' '))

    @with_transaction()
    def test_menus_and_access(self):
        "Each report opens from its menu for the three housing groups"
        pool = Pool()
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        Action = pool.get('ir.action.act_window')
        company = create_company()
        actions = {a.res_model: a for a in Action.search([
                    ('res_model', 'in', MODELS)])}
        self.assertEqual(set(actions), set(MODELS))
        for group in ['auditor', 'accountant', 'admin']:
            user, = User.create([{
                        'name': group, 'login': 'report_%s' % group,
                        'groups': [('add', [ModelData.get_id(
                                        'housing_billing',
                                        'group_housing_%s' % group)])],
                        'companies': [('add', [company.id])],
                        'company': company.id,
                        }])
            with Transaction().set_user(user.id), \
                    report_context(company, JANUARY, _check_access=True):
                for model in MODELS:
                    Model = pool.get(model)
                    self.assertEqual(Model.search([]), [], model)
                    self.assertTrue(Model.fields_view_get(view_type='tree'))
                    context = pool.get(actions[model].context_model)
                    self.assertTrue(
                        context.fields_view_get(view_type='form'))
