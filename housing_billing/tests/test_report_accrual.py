# ruff: noqa
# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"The reports of group A (accruals) on known data."
from trytond.modules.company.tests import create_company, set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction

from .report_data_accrual import (
    FEBRUARY, JANUARY, ReportData, report_context)
from .tools import HousingTestCase


class ReportAccrualTestCase(ReportData, HousingTestCase):
    "Test the accrual reports"

    @with_transaction()
    def test_explore(self):
        pool = Pool()
        company = create_company()
        with set_company(company):
            data = self.build(company)
            for run in data['runs'].values():
                for c in run.charges:
                    print(run.period, c.account.number, c.service.code, c.kind, c.method, c.basis, c.quantity, c.tariff, c.amount, c.corrected_period, c.correction, c.reason)
            for model in ['housing.report.accrual.register',
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
                    ]:
                Model = pool.get(model)
                names = [n for n in Model._fields if n not in {'create_uid', 'create_date', 'write_uid', 'write_date', 'rec_name', 'inputs', 'explanation_ru', 'explanation_en'}]
                for period in (JANUARY, FEBRUARY):
                    with report_context(company, period, threshold_amount=0, threshold_percent=0, days=60):
                        records = Model.search([])
                        print('==', model, period, len(records))
                        for row in Model.read([r.id for r in records], names):
                            print({k: v for k, v in row.items() if v not in (None, '')})
