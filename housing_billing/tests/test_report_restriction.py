# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""C4 Restriction candidates on known data: electricity by the person
normative (100 kWh, 5.00 a kWh until December 2025, 6.00 from January
2026), maintenance by area (not restrictable), four months billed,
November 2025 to February 2026, read on 28.02.2026 (November to January
overdue, February not yet due).

A (1000234567, 2 residents, also maintenance): no payment; electricity
1 000 + 1 000 + 1 200 overdue, a month by the normative now 1 200: ×2.67,
a candidate, warned on 15.02 and the warning delivered on 18.02.
B (1 resident): November paid: 500 + 600 overdue = ×1.83, not a candidate.
C (1 resident): 1 600 overdue = ×2.67 but an installment agreement.
D (1 resident): 1 600 overdue = ×2.67 but an open dispute of its
electricity; a dispute closed before the day does not count."""
from decimal import Decimal

from trytond.model.exceptions import ValidationError
from trytond.modules.company.tests import create_company, set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from .penalty_tools import (
    GF2_PRICES,
    D,
    LedgerTestCase,
    ledger_account,
    pay,
    run_month,
    setup_account,
    setup_ledger,
    setup_penalty_service,
)
from .tools import (
    create_account,
    create_building,
    create_party,
    create_premises,
    create_service,
)

M = Decimal
FIELDS = ['account', 'service', 'persons', 'normative', 'price', 'monthly',
    'debt', 'multiple', 'installment', 'dispute', 'candidate',
    'notice_date', 'restriction_date']


def rows(name, fields, **context):
    """The rows of report name read in context, as tuples of fields, in the
    report's order (read gives them in the database's)."""
    Model = Pool().get(name)
    with Transaction().set_context(**context):
        ids = [r.id for r in Model.search([])]
        values = {v['id']: v for v in Model.read(ids, fields)}
    return [tuple(values[i][f] for f in fields) for i in ids]


def setup_electricity():
    pool = Pool()
    Service = pool.get('housing.service')
    Normative = pool.get('housing.normative')
    Tariff = pool.get('housing.tariff')
    ModelData = pool.get('ir.model.data')
    service = create_service('EE', method='normative_person',
        uom='product.uom_energy_kwh')
    Service.write([service], {
            'kind': 'utility', 'resource': 'electricity',
            'credit_account': ledger_account('90.01').id})
    Normative.create([{
                'service': service.id, 'kind': 'person',
                'value': Decimal('100'), 'date_from': D(2019, 1, 1),
                'unit': ModelData.get_id('product', 'uom_energy_kwh'),
                }])
    Tariff.create([{
                'service': service.id, 'date_from': date_from,
                'date_to': date_to,
                'rates': [('create', [{'price': Decimal(price)}])],
                } for date_from, date_to, price in [
                (D(2019, 1, 1), D(2025, 12, 31), '5.00'),
                (D(2026, 1, 1), None, '6.00')]])
    return service


def subscribe(account, service, persons):
    Account = Pool().get('housing.account')
    Account.write([account], {
            'services': [('create', [{
                            'service': service.id,
                            'date_from': D(2019, 1, 1)}])],
            'residents': [('create', [{
                            'party': create_party("Жилец %s" % i).id,
                            'registered_from': D(2019, 1, 1),
                            } for i in range(persons)])],
            })


def setup_restriction(company):
    "Returns the accounts A, B, C, D and the electricity service."
    setup_ledger(company, [2025, 2026])
    setup_penalty_service()
    a = setup_account(GF2_PRICES)
    electricity = setup_electricity()
    subscribe(a, electricity, 2)
    building = create_building(address="ул. Лесная, д. 2")
    others = []
    for number, account_number in [
            ('1', '2000000001'), ('2', '2000000002'), ('3', '2000000003')]:
        flat = create_premises(
            building, number, [(D(2019, 1, 1), Decimal('50'))])
        account = create_account(flat, account_number,
            [(D(2019, 1, 1), create_party("Плательщик %s" % number))],
            opened=D(2019, 1, 1))
        subscribe(account, electricity, 1)
        others.append(account)
    b, c, d = others
    run_month(D(2025, 11, 1))
    pay(b, D(2025, 12, 5), '500.00', period=D(2025, 11, 1))
    for month in [D(2025, 12, 1), D(2026, 1, 1), D(2026, 2, 1)]:
        run_month(month)
    return a, b, c, d, electricity


class ReportRestrictionTestCase(LedgerTestCase):
    "Test the restriction candidates report"
    maxDiff = None

    @with_transaction()
    def test_restriction_candidates(self):
        "C4: кратность > 2, no installment, no open dispute; the notice"
        pool = Pool()
        Installment = pool.get('housing.installment')
        Dispute = pool.get('housing.dispute')
        Notice = pool.get('housing.debt.notice')
        company = create_company()
        with set_company(company):
            a, b, c, d, electricity = setup_restriction(company)
            agreement, = Installment.create([{
                        'account': c.id, 'date': D(2026, 2, 10),
                        'total': Decimal('1600.00'), 'state': 'active',
                        'lines': [('create', [
                                    {'date': D(2026, 3, 10),
                                        'amount': Decimal('800.00')},
                                    {'date': D(2026, 4, 10),
                                        'amount': Decimal('800.00')}])],
                        }])
            dispute, settled = Dispute.create([{
                        'account': d.id, 'service': electricity.id,
                        'subject': "Не проживает с января",
                        'opened': D(2026, 2, 1),
                        }, {
                        'account': b.id, 'subject': "Оплата не учтена",
                        'opened': D(2026, 1, 10), 'closed': D(2026, 1, 20),
                        }])
            notice, = Notice.create([{
                        'account': a.id, 'service': electricity.id,
                        'date': D(2026, 2, 15), 'channel': 'letter',
                        'delivered': D(2026, 2, 18),
                        'debt': Decimal('3200.00'),
                        }])
            self.assertEqual(notice.restriction_date, D(2026, 3, 10))
            context = dict(company=company.id, period_from=D(2026, 2, 1),
                period_to=D(2026, 2, 1))
            ee = electricity.id
            self.assertEqual(rows(
                    'housing.report.restriction_candidate', FIELDS,
                    **context), [
                    (a.id, ee, 2, M('100'), M('6.00'), M('1200.00'),
                        M('3200.00'), M('2.67'), None, None, True,
                        D(2026, 2, 15), D(2026, 3, 10)),
                    ])
            every = rows('housing.report.restriction_candidate', FIELDS,
                excluded=True, **context)
            self.assertEqual(every, [
                    (a.id, ee, 2, M('100'), M('6.00'), M('1200.00'),
                        M('3200.00'), M('2.67'), None, None, True,
                        D(2026, 2, 15), D(2026, 3, 10)),
                    (c.id, ee, 1, M('100'), M('6.00'), M('600.00'),
                        M('1600.00'), M('2.67'), agreement.id, None,
                        False, None, None),
                    (d.id, ee, 1, M('100'), M('6.00'), M('600.00'),
                        M('1600.00'), M('2.67'), None, dispute.id, False,
                        None, None),
                    (b.id, ee, 1, M('100'), M('6.00'), M('600.00'),
                        M('1100.00'), M('1.83'), None, None, False,
                        None, None),
                    ])
            # The check: listed iff ×2 exceeded, no agreement, no dispute
            for row in every:
                self.assertEqual(row[10], row[7] > 2 and row[8] is None
                    and row[9] is None)
                self.assertEqual(row[5], row[2] * row[3] * row[4])

            # On 15.01: November and December overdue (January not billed
            # yet), at the prices of January; the agreement and the notice
            # are not made yet, the dispute of B is open.
            january = dict(context, period_from=D(2026, 1, 1),
                period_to=D(2026, 1, 1), date=D(2026, 1, 15))
            self.assertEqual([r[:2] + r[5:11] for r in rows(
                        'housing.report.restriction_candidate', FIELDS,
                        excluded=True, **january)], [
                    (a.id, ee, M('1200.00'), M('2000.00'), M('1.67'),
                        None, None, False),
                    (c.id, ee, M('600.00'), M('1000.00'), M('1.67'),
                        None, None, False),
                    (d.id, ee, M('600.00'), M('1000.00'), M('1.67'),
                        None, None, False),
                    (b.id, ee, M('600.00'), M('500.00'), M('0.83'),
                        None, settled.id, False),
                    ])
            # The filters: accounts, buildings, services
            self.assertEqual(rows('housing.report.restriction_candidate',
                    ['account'], excluded=True, accounts=[b.id],
                    **context), [(b.id,)])
            self.assertEqual(len(rows('housing.report.restriction_candidate',
                    ['account'], excluded=True,
                    buildings=[a.premises.building.id], **context)), 1)
            sod, = pool.get('housing.service').search(
                [('code', '=', 'SOD')])
            self.assertEqual(rows('housing.report.restriction_candidate',
                    ['account'], excluded=True, services=[sod.id],
                    **context), [])

    @with_transaction()
    def test_dates_checked(self):
        "A notice delivered before it was sent, a dispute closed before"
        pool = Pool()
        Notice = pool.get('housing.debt.notice')
        Dispute = pool.get('housing.dispute')
        company = create_company()
        with set_company(company):
            building = create_building()
            flat = create_premises(
                building, '1', [(D(2019, 1, 1), Decimal('50'))])
            account = create_account(flat, '3000000001',
                [(D(2019, 1, 1), create_party("Сидоров"))])
            service = create_service('EE')
            with self.assertRaisesRegex(ValidationError, '2026-02-10'):
                Notice.create([{
                            'account': account.id, 'service': service.id,
                            'date': D(2026, 2, 15), 'channel': 'letter',
                            'delivered': D(2026, 2, 10)}])
            with self.assertRaisesRegex(ValidationError, '2026-01-01'):
                Dispute.create([{
                            'account': account.id, 'subject': "Спор",
                            'opened': D(2026, 2, 1),
                            'closed': D(2026, 1, 1)}])
