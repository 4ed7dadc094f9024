# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"The reports of group D (meters and consumption) on known data."
from decimal import Decimal

from trytond.modules.company.tests import create_company, set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction

from .report_data_accrual import (
    FEBRUARY,
    JANUARY,
    ReportData,
    pdf_text,
    report_context,
)
from .tools import HousingTestCase


class ReportMeterTestCase(ReportData, HousingTestCase):
    "Test the meter reports"

    @with_transaction()
    def test_meter_reports(self):
        "D1…D5 on two posted months; D1 printed"
        pool = Pool()
        Statement = pool.get('housing.report.meter.reading')
        Missing = pool.get('housing.report.meter.missing')
        Verification = pool.get('housing.report.meter.verification')
        Log = pool.get('housing.report.meter.building')
        Trend = pool.get('housing.report.meter.trend')
        Register = pool.get('housing.report.accrual.register')
        Balance = pool.get('housing.report.common.balance')
        company = create_company()
        with set_company(company):
            data = self.build(company)
        meters, accounts = data['meters'], data['accounts']
        february = data['runs'][FEBRUARY]

        # D1: previous and current readings, consumption and method
        with report_context(company, JANUARY):
            statement = {r.meter: r for r in Statement.search([])}
            self.assertEqual(set(statement),
                {meters[n] for n in ('101', '102', '103')})
            row = statement[meters['101']]
            self.assertEqual(row.account, accounts['101'])
            self.assertEqual(
                (row.previous_value, row.current_value),
                (Decimal('123.456'), Decimal('131.789')))
            # The corrected reading: 1 m³ more than January billed
            self.assertEqual(row.consumption, Decimal('8.333'))
            self.assertEqual(row.billed_quantity, Decimal('7.333'))
            self.assertEqual(row.method, 'meter')
            self.assertEqual(row.source, 'accountant')
            self.assertFalse(row.negative)
            # Check: consumption = current − previous; Σ of the meter rows
            # = the meter volume of A1 and its recalculation
            for row in statement.values():
                self.assertEqual(
                    row.consumption, row.current_value - row.previous_value)
            metered = sum(r.consumption for r in statement.values()
                if r.method == 'meter')
            register = Register.search([('method', '=', 'meter')])
            recalculated = sum(c.quantity for c in february.charges
                if c.corrected_period == JANUARY and c.method == 'meter')
            self.assertEqual(
                metered, sum(r.quantity for r in register) + recalculated)
        with report_context(company, FEBRUARY):
            statement = {r.meter: r for r in Statement.search([])}
            self.assertEqual(statement[meters['101']].consumption,
                Decimal('10.000'))
            # Check (D3): read after its verification date, 102's reading
            # is not billed
            row = statement[meters['102']]
            self.assertEqual(row.consumption, Decimal('92.011'))
            self.assertTrue(row.to_review)
            self.assertEqual(row.method, 'normative')
            self.assertEqual(row.billed_quantity, Decimal('4.85'))
            self.assertIsNone(statement[meters['103']].current_date)
            # Filtered by the source of the reading
            self.assertEqual(
                Statement.search([('source', '=', 'portal')]), [])
            self.assertEqual(
                len(Statement.search([('source', '=', 'accountant')])), 2)

            # D2: 103 has no reading in February
            missing, = Missing.search([])
            self.assertEqual(missing.meter, meters['103'])
            self.assertEqual(missing.account, accounts['103'])
            self.assertEqual(missing.last_value, Decimal('1014.478'))
            self.assertEqual(missing.last_date, JANUARY.replace(day=20))
            self.assertEqual(missing.months, 1)
            self.assertFalse(missing.needs_check)
            # Under six months of readings: no average, the normative
            self.assertEqual(missing.method, 'normative')
            self.assertEqual(missing.billed_quantity, Decimal('4.85'))
        with report_context(company, JANUARY):
            self.assertEqual(Missing.search([]), [])

        # D3: due within 60 days of 28.02, expired
        with report_context(company, FEBRUARY, days=60):
            rows = {r.meter: r for r in Verification.search([])}
            self.assertEqual(set(rows), {meters['101'], meters['102']})
            self.assertEqual(rows[meters['101']].days_left, 15)
            self.assertEqual(rows[meters['101']].status, 'due')
            self.assertEqual(rows[meters['102']].days_left, -18)
            self.assertEqual(rows[meters['102']].status, 'expired')
            self.assertEqual(rows[meters['102']].consequence, 'average')
        with report_context(company, FEBRUARY, days=61):
            self.assertEqual(len(Verification.search([])), 3)

        # D4: the ОДПУ's readings and volumes feed E1 exactly
        with report_context(company, JANUARY, FEBRUARY):
            log = Log.search([])
            self.assertEqual(
                [(r.date.month, r.value1, r.consumption) for r in log],
                [(1, Decimal('11250'), Decimal('1250')),
                    (2, Decimal('12490'), Decimal('1240'))])
            balance = {r.period: r for r in Balance.search([])}
            for row in log:
                self.assertEqual(
                    balance[row.date.replace(day=1)].building_volume,
                    row.consumption)

            # D5: the ОДПУ's volume where there is one, beside Σ individual
            trend = {r.period: r for r in Trend.search([])}
            self.assertEqual(trend[JANUARY].volume, Decimal('1250'))
            self.assertEqual(trend[JANUARY].quantity, Decimal('1229.8'))
            self.assertEqual(trend[FEBRUARY].volume, Decimal('1240'))
            self.assertEqual(trend[FEBRUARY].quantity, Decimal('19.7'))
            self.assertEqual(
                trend[JANUARY].per_area, Decimal('0.2441'))
            # Nothing billed a year before
            self.assertIsNone(trend[FEBRUARY].previous_year)
            self.assertIsNone(trend[FEBRUARY].year_percent)
            for period, row in trend.items():
                self.assertEqual(row.quantity, balance[period].individual)
        with report_context(company, JANUARY, services=[data['soi'].id]):
            self.assertEqual(Trend.search([]), [])

        # The printed form: the round sheet of February
        PrintedTable = pool.get(
            'housing.report.printed_table', type='report')
        with report_context(company, FEBRUARY):
            content = PrintedTable.render_table(
                Statement, Statement.search([]), "Ведомость показаний")
        text = ' '.join(pdf_text(content).split())
        self.assertIn("Ведомость показаний", text)
        self.assertIn("HVS-101", text)
        self.assertIn("141,79", text)
