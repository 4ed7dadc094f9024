# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""Group F reports (housing stock and residents) on the small house of
report_data_stock: figures and the «Check» of each entry of reports.md."""
from collections import defaultdict
from decimal import Decimal
from fractions import Fraction
from io import BytesIO

from pypdf import PdfReader
from trytond.modules.company.tests import create_company, set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from ..engine.normative import person_days
from ..engine.periods import DaySpan
from ..loader import SnapshotLoader, billing_period
from .penalty_tools import LedgerTestCase
from .report_data_stock import NOVEMBER, build_house

D = NOVEMBER.__class__


def pdf_text(content):
    return '\n'.join(p.extract_text()
        for p in PdfReader(BytesIO(content)).pages)


class ReportStockTestCase(LedgerTestCase):
    "Test the housing stock and residents reports"

    @with_transaction()
    def test_stock_reports(self):
        "F1, F2, F4: areas, accounts, owners and votes agree; F3 persons"
        pool = Pool()
        Register = pool.get('housing.report.premises_register')
        Owners = pool.get('housing.report.owners_register')
        Passport = pool.get('housing.report.house_passport')
        Account = pool.get('housing.account')
        company = create_company()
        with set_company(company):
            house = build_house(company, post=False)
            # A second, closed account on flat 2 does not count.
            Account.create([{
                        'number': '100009',
                        'premises': house.flats[1].id,
                        'opened': D(2010, 1, 1),
                        'closed': D(2019, 12, 31),
                        }])
            with Transaction().set_context(
                    company=company.id, period_from=NOVEMBER,
                    period_to=NOVEMBER):
                rows = Register.search([])
                self.assertEqual(
                    [(r.number, r.kind, r.total_area, r.living_area,
                            r.rooms, r.account.number if r.account else None,
                            r.open_accounts, r.status) for r in rows],
                    [('1', 'apartment', Decimal('100'), Decimal('60'), 3,
                            '100001', 1, 'billed'),
                        ('2', 'apartment', Decimal('50'), Decimal('30'), 1,
                            '100002', 1, 'billed'),
                        ('Н1', 'non_residential', Decimal('50'), None, None,
                            '100003', 1, 'billed')])

                passport, = Passport.search([])
                self.assertEqual(
                    (passport.building, passport.year_built,
                        passport.floors, passport.entrances,
                        passport.residential_count,
                        passport.non_residential_count,
                        passport.residential_area,
                        passport.non_residential_area,
                        passport.common_area, passport.area_difference,
                        passport.common_meters, passport.gis_code),
                    (house.building, 1975, 5, 2, 2, 1, Decimal('150'),
                        Decimal('50'), Decimal('30'), Decimal('0'), 0,
                        'ГИС-7'))
                # Check F4 = F1 totals.
                self.assertEqual(
                    passport.premises_residential_area,
                    sum(r.total_area for r in rows
                        if r.kind == 'apartment'))
                self.assertEqual(
                    passport.premises_non_residential_area,
                    sum(r.total_area for r in rows
                        if r.kind != 'apartment'))
                self.assertEqual(
                    passport.residential_count
                    + passport.non_residential_count, len(rows))

                owners = Owners.search([])
                self.assertEqual(
                    [(o.owner.name, o.premises.number, o.area, o.share,
                            o.votes, o.document_number) for o in owners],
                    [("Иванов Иван Иванович", '1', Decimal('100'), '1/2',
                            Decimal('50.0000'), '77-01/001'),
                        ("Иванова Мария Петровна", '1', Decimal('100'),
                            '1/2', Decimal('50.0000'), '77-01/002'),
                        ("Петров Пётр Петрович", '2', Decimal('50'), '1/1',
                            Decimal('50.0000'), 'ДКП-18'),
                        ("ООО «Ромашка»", 'Н1', Decimal('50'), '1/1',
                            Decimal('50.0000'), '77-01/777')])
                # Check F2: per premises the shares sum to 1, the votes
                # to the areas of F1.
                shares = defaultdict(Fraction)
                for o in owners:
                    shares[o.premises.id] += Fraction(
                        o.share_numerator, o.share_denominator)
                self.assertEqual(set(shares.values()), {Fraction(1)})
                self.assertEqual(sum(o.votes for o in owners),
                    sum(r.total_area for r in rows))

                # A building filter that names another building: nothing.
                with Transaction().set_context(buildings=[-1]):
                    self.assertEqual(Register.search([]), [])
                    self.assertEqual(Owners.search([]), [])
                    self.assertEqual(Passport.search([]), [])

            # Before the owners of flat 2 (2018) the register has 2 rows
            with Transaction().set_context(
                    company=company.id, period_from=D(2016, 1, 1),
                    period_to=D(2016, 1, 1)):
                self.assertEqual(
                    [o.owner.name for o in Owners.search([])],
                    ["Иванов Иван Иванович", "Иванова Мария Петровна"])

            # Printed: the owners register (P) and the residents card.
            PrintedTable = pool.get(
                'housing.report.printed_table', type='report')
            with Transaction().set_context(
                    company=company.id, period_from=NOVEMBER,
                    period_to=NOVEMBER):
                text = pdf_text(PrintedTable.render_table(
                        Owners, Owners.search([]), "Реестр собственников"))
            self.assertIn("Реестр собственников", text)
            self.assertIn("Петров Пётр Петрович", text)
            self.assertIn("ДКП-18", text)
            self.assertIn("Total", text)
            self.assertIn("200,00", text.replace('\xa0', ''))

            Card = pool.get('housing.report.residents_card', type='report')
            _, content, _, _ = Card.execute([house.flats[0].id], {
                    'model': 'housing.premises', 'id': house.flats[0].id,
                    'ids': [house.flats[0].id]})
            text = pdf_text(content)
            self.assertIn("Поквартирная карточка", text)
            self.assertIn("Сидоров Сидор Сидорович", text)
            self.assertIn("временно", text)
            self.assertIn("10.11.2025–25.11.2025", text)

            # F3: counts per account and month; persons = the kernel's
            Residents = pool.get('housing.report.residents')
            with Transaction().set_context(
                    company=company.id, period_from=D(2025, 10, 1),
                    period_to=NOVEMBER):
                rows = Residents.search([])
                self.assertEqual(
                    [(r.period, r.account.number, r.permanent, r.temporary,
                            r.absent, r.persons_used) for r in rows],
                    [(D(2025, 10, 1), '100001', 2, 0, 0,
                            Decimal('2.0000')),
                        (D(2025, 10, 1), '100002', 1, 0, 0,
                            Decimal('1.0000')),
                        # nobody registered: the owner (Decree 354 p. 56(2))
                        (D(2025, 10, 1), '100003', 0, 0, 0,
                            Decimal('1.0000')),
                        (NOVEMBER, '100001', 2, 1, 1, Decimal('2.5000')),
                        (NOVEMBER, '100002', 1, 0, 0, Decimal('1.0000')),
                        (NOVEMBER, '100003', 0, 0, 0, Decimal('1.0000'))])
                november = rows[3]
                self.assertEqual(november.absences,
                    "Иванова Мария Петровна 10.11.2025–25.11.2025")
                # Check: the persons the kernel counts for the month.
                month = billing_period(NOVEMBER)
                snapshot = SnapshotLoader(company, month).load(
                    [house.accounts[0]])[house.accounts[0].id]
                days = person_days(snapshot.residents,
                    snapshot.owners_count, DaySpan(month.start, month.end),
                    snapshot.policy.temporary_resident_min_days)
                self.assertEqual(november.persons_used,
                    (Decimal(days) / 30).quantize(Decimal('0.0001')))
                with Transaction().set_context(
                        accounts=[house.accounts[1].id]):
                    self.assertEqual(len(Residents.search([])), 2)
