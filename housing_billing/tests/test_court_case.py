# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""Court cases (C5) and installment agreements (C6)."""
from decimal import Decimal

from trytond.model.exceptions import ValidationError
from trytond.modules.company.tests import create_company, set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from .penalty_tools import LedgerTestCase, pay
from .report_data_stock import DECEMBER, NOVEMBER, D, build_house
from .test_report_stock import pdf_text


class CourtCaseTestCase(LedgerTestCase):
    "Test the court cases and installment agreements and their reports"

    @with_transaction()
    def test_court_cases_and_installments(self):
        "C5: collected = tagged payments; C6: plan, fact from the ledger"
        pool = Pool()
        Case = pool.get('housing.court_case')
        CaseReport = pool.get('housing.report.court_case')
        Installment = pool.get('housing.installment')
        InstallmentReport = pool.get('housing.report.installment')
        company = create_company()
        with set_company(company):
            house = build_house(company, pay_december=False)
            flat1, flat2, office = house.accounts
            old, recent = Case.create([{
                        'account': flat2.id,
                        'debtor': house.parties.petrov.id,
                        'number': '2-100/2025', 'kind': 'order',
                        'court': "Судебный участок № 1",
                        'period_from': D(2022, 1, 1),
                        'period_to': D(2022, 12, 1),
                        'principal': Decimal('25200.00'),
                        'penalty': Decimal('1234.56'),
                        'fee': Decimal('400.00'),
                        'filed': D(2025, 12, 1),
                        'decision_date': D(2025, 12, 10),
                        'state': 'decided',
                        }, {
                        'account': flat1.id,
                        'debtor': house.parties.ivanov.id,
                        'kind': 'lawsuit',
                        'period_from': D(2023, 1, 1),
                        'period_to': D(2023, 6, 1),
                        'principal': Decimal('1000.00'),
                        'filed': D(2025, 12, 15),
                        'state': 'filed',
                        }])
            payment = pay(flat2, D(2025, 12, 20), '5000.00')
            payment.court_case = old
            payment.save()
            pay(flat2, D(2025, 12, 21), '700.00')  # not under the case
            self.assertEqual(old.collected, Decimal('5000.00'))

            with Transaction().set_context(
                    company=company.id, period_from=DECEMBER,
                    period_to=DECEMBER):
                rows = CaseReport.search([])
                self.assertEqual(
                    [(r.case, r.debtor, r.principal, r.penalty, r.fee,
                            r.collected, r.remaining, r.beyond_limitation)
                        for r in rows],
                    [(old, house.parties.petrov, Decimal('25200.00'),
                            Decimal('1234.56'), Decimal('400.00'),
                            Decimal('5000.00'), Decimal('21834.56'), True),
                        (recent, house.parties.ivanov, Decimal('1000.00'),
                            Decimal('0'), Decimal('0'), Decimal('0'),
                            Decimal('1000.00'), False)])
                # Check: «Взыскано» = the payments tagged to the case.
                Payment = pool.get('housing.payment')
                self.assertEqual(sum(r.collected for r in rows), sum(
                        p.amount for p in Payment.search(
                            [('court_case', '!=', None)])))
                PrintedTable = pool.get(
                    'housing.report.printed_table', type='report')
                text = pdf_text(PrintedTable.render_table(
                        CaseReport, rows, "Реестр судебных дел"))
                self.assertIn("Реестр судебных дел", text)
                self.assertIn("2-100/2025", text)
                self.assertIn("21 834,56", text.replace('\xa0', ' '))
            with Transaction().set_context(
                    company=company.id, period_from=NOVEMBER,
                    period_to=NOVEMBER):
                self.assertEqual(CaseReport.search([]), [])

            # C6: 2 100.00 of flat 2 in three instalments.
            agreement, = Installment.create([{
                        'account': flat2.id, 'number': 'Р-1',
                        'date': D(2025, 12, 1), 'state': 'active',
                        'total': Decimal('2100.00'),
                        'lines': [('create', [{
                                        'date': date,
                                        'amount': Decimal('700.00')}
                                    for date in [D(2025, 12, 25),
                                        D(2026, 1, 25), D(2026, 2, 25)]])],
                        }])
            with Transaction().set_context(
                    company=company.id, period_from=D(2026, 1, 1),
                    period_to=D(2026, 1, 1)):
                rows = InstallmentReport.search([])
                # The ledger's credits of flat 2 since 01.12.2025: 5 700.00
                # (5 000.00 under the court case), more than the plan.
                self.assertEqual(
                    [(r.date, r.plan, r.fact, r.overdue) for r in rows],
                    [(D(2025, 12, 25), Decimal('700.00'),
                            Decimal('700.00'), Decimal('0')),
                        (D(2026, 1, 25), Decimal('700.00'),
                            Decimal('700.00'), Decimal('0')),
                        (D(2026, 2, 25), Decimal('700.00'),
                            Decimal('700.00'), Decimal('0'))])
                # Check: Σ plan = the restructured debt.
                self.assertEqual(sum(r.plan for r in rows), agreement.total)
            # Flat 1 pays 1 000.00 of a 1 500.00 plan: the second
            # instalment, due in January, is overdue by 500.00.
            late, = Installment.create([{
                        'account': flat1.id, 'number': 'Р-2',
                        'date': D(2026, 1, 1), 'state': 'active',
                        'total': Decimal('1500.00'),
                        'lines': [('create', [
                                    {'date': D(2026, 1, 10),
                                        'amount': Decimal('750.00')},
                                    {'date': D(2026, 1, 20),
                                        'amount': Decimal('750.00')}])],
                        }])
            pay(flat1, D(2026, 1, 5), '1000.00')
            with Transaction().set_context(
                    company=company.id, period_from=D(2026, 1, 1),
                    period_to=D(2026, 1, 1), accounts=[flat1.id]):
                rows = InstallmentReport.search([])
                self.assertEqual(
                    [(r.installment, r.plan, r.fact, r.overdue)
                        for r in rows],
                    [(late, Decimal('750.00'), Decimal('750.00'),
                            Decimal('0')),
                        (late, Decimal('750.00'), Decimal('250.00'),
                            Decimal('500.00'))])
            self.assertEqual(late.paid, Decimal('1000.00'))

            # Refused (last: a refused create leaves its rows behind)
            with self.assertRaises(ValidationError):
                Case.create([{
                            'account': flat1.id,
                            'debtor': house.parties.ivanov.id,
                            'period_from': D(2023, 1, 5),
                            'period_to': D(2023, 6, 1),
                            'principal': Decimal(1)}])
            with self.assertRaises(ValidationError):
                Installment.create([{
                            'account': flat2.id, 'date': D(2025, 12, 1),
                            'total': Decimal('2100.00'),
                            'lines': [('create', [{
                                            'date': D(2025, 12, 25),
                                            'amount': Decimal('700.00')}])],
                            }])
