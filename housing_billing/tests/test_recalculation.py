# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"Changes to posted periods reach the next run as recalculation rows."
import datetime as dt
from decimal import Decimal

from trytond.modules.company.tests import create_company, set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction

from ..loader import billing_period
from . import test_accrual
from .tools import (
    HousingTestCase,
    compute,
    create_account,
    create_building,
    create_party,
    create_premises,
    run_queue,
)
from .tools import post as post_runs

D = dt.date


def money(value):
    return Decimal(value).quantize(Decimal('0.01'))


class HousingRecalculationTestCase(HousingTestCase):
    "Test recalculation of posted periods"

    setup_building = test_accrual.HousingAccrualTestCase.setup_building
    setup_ledger = test_accrual.HousingAccrualTestCase.setup_ledger

    def setup_posted(self, company, months=(1, 2)):
        """The test building with cold water by normative (no meter can be
        installed) for account 102, months of 2026 posted."""
        pool = Pool()
        AccountService = pool.get('housing.account.service')
        building, accounts = self.setup_building()
        self.setup_ledger(company)
        unmetered = accounts[1]
        AccountService.write(
            [s for s in unmetered.services if s.service.code == 'HVS'],
            {'meter_impossible': True})
        for month in months:
            self.accrue(D(2026, month, 1), post=True)
        return building, accounts

    def accrue(self, period, post=False, buildings=()):
        Run = Pool().get('housing.accrual.run')
        run, = Run.create([{
                    'period': period,
                    'buildings': [('add', [b.id for b in buildings])],
                    }])
        compute([run])
        if post:
            post_runs([run])
        return run

    @staticmethod
    def recalculations(run, account=None):
        return [c for c in run.charges
            if c.kind != 'charge' and c.corrected_period != run.period
            and (account is None or c.account == account)]

    @with_transaction()
    def test_backdated_absence(self):
        "A temporary absence entered late is charged back next month"
        pool = Pool()
        Absence = pool.get('housing.absence')
        Request = pool.get('housing.recalculation')
        company = create_company()
        with set_company(company):
            _, (_, account) = self.setup_posted(company)
            payer = [r for r in account.residents
                if r.registered_from == D(2020, 1, 1)][0]
            absence, = Absence.create([{
                        'resident': payer.id, 'reason': 'business_trip',
                        'date_from': D(2026, 1, 10),
                        'date_to': D(2026, 1, 25),
                        }])

            request, = Request.search([])
            self.assertEqual(request.reason, 'temporary_absence')
            self.assertEqual(request.period, D(2026, 1, 1))
            self.assertEqual(request.account, account)
            self.assertEqual(request.origin, absence)

            march = self.accrue(D(2026, 3, 1), post=True)
            line, = self.recalculations(march)
            self.assertEqual(line.account, account)
            self.assertEqual(line.corrected_period, D(2026, 1, 1))
            self.assertEqual(line.reason, 'temporary_absence')
            self.assertEqual(line.kind, 'recalculation')
            # 14 full days (10.01 and 25.01 not counted) of one person:
            # 4.85 m³ × 49.87 ₽ × 14 / 31
            self.assertEqual(line.amount, -money(
                    Decimal('4.85') * Decimal('49.87') * 14 / 31))
            self.assertEqual(Request(request.id).state, 'done')
            self.assertEqual(Request(request.id).run, march)

            april = self.accrue(D(2026, 4, 1))
            self.assertEqual(self.recalculations(april), [])

    @with_transaction()
    def test_preview_against_previous_month(self):
        "Totals show the previous month's posted amounts and the difference"
        company = create_company()
        with set_company(company):
            building, _ = self.setup_posted(company)
            february, = Pool().get('housing.accrual.run').search([
                    ('period', '=', D(2026, 2, 1))])
            march = self.accrue(D(2026, 3, 1))
            for total in march.service_totals:
                if total.kind != 'charge':
                    continue
                posted = sum(c.amount for c in february.charges
                    if c.service == total.service and c.kind == 'charge')
                self.assertEqual(total.previous_amount, posted)
                self.assertEqual(total.difference, total.amount - posted)
            total, = march.building_totals
            self.assertEqual(total.previous_amount, february.total)
            self.assertEqual(total.difference, march.total - february.total)
            self.assertNotEqual(total.difference, 0)

    @with_transaction()
    def test_short_absence_is_not_recalculated(self):
        "Five full days of absence are not enough (Decree 354 para 86)"
        Absence = Pool().get('housing.absence')
        company = create_company()
        with set_company(company):
            _, (_, account) = self.setup_posted(company)
            payer = [r for r in account.residents
                if r.registered_from == D(2020, 1, 1)][0]
            Absence.create([{
                        'resident': payer.id, 'reason': 'holiday',
                        'date_from': D(2026, 2, 10),
                        'date_to': D(2026, 2, 16),
                        }])
            march = self.accrue(D(2026, 3, 1))
            self.assertEqual(self.recalculations(march), [])

    @with_transaction()
    def test_unchanged_data_gives_no_row(self):
        "A manual request over unchanged data charges nothing"
        Request = Pool().get('housing.recalculation')
        company = create_company()
        with set_company(company):
            building, _ = self.setup_posted(company)
            request, = Request.create([{
                        'building': building.id, 'period': D(2026, 1, 1),
                        'reason': 'manual',
                        }])
            march = self.accrue(D(2026, 3, 1), post=True)
            self.assertEqual(self.recalculations(march), [])
            self.assertEqual(Request(request.id).state, 'done')

    @with_transaction()
    def test_tariff_correction_twice(self):
        """A corrected tariff charges the difference once; correcting it
        back charges it back; unchanged data then gives nothing"""
        pool = Pool()
        Tariff = pool.get('housing.tariff')
        Rate = pool.get('housing.tariff.rate')
        Request = pool.get('housing.recalculation')
        company = create_company()
        with set_company(company):
            building, accounts = self.setup_posted(company)
            tariff, = Tariff.search([
                    ('service.code', '=', 'SOD'),
                    ('date_from', '=', D(2025, 1, 1)),
                    ])
            rate, = tariff.rates
            Rate.write([rate], {'price': Decimal('31.00')})
            requests = Request.search([('state', '=', 'pending')])
            self.assertEqual(
                {(r.building, r.account, r.reason) for r in requests},
                {(building, None, 'tariff_correction')})

            march = self.accrue(D(2026, 3, 1), post=True)
            lines = self.recalculations(march)
            self.assertEqual(
                sorted((c.account.number, c.corrected_period, c.amount)
                    for c in lines), [
                    ('101', D(2026, 1, 1), Decimal('54.30')),
                    ('101', D(2026, 2, 1), Decimal('54.30')),
                    ('102', D(2026, 1, 1), Decimal('40.00')),
                    ('102', D(2026, 2, 1), Decimal('40.00')),
                    ])
            self.assertEqual(
                {c.reason for c in lines}, {'tariff_correction'})

            Rate.write([Rate(rate.id)], {'price': Decimal('30.00')})
            april = self.accrue(D(2026, 4, 1), post=True)
            lines = [c for c in self.recalculations(april)
                if c.corrected_period < D(2026, 3, 1)]
            self.assertEqual(
                sorted(c.amount for c in lines), [Decimal('-54.30')] * 2
                + [Decimal('-40.00')] * 2)

            Request.create([{
                        'building': building.id, 'period': D(2026, 1, 1),
                        }])
            may = self.accrue(D(2026, 5, 1))
            self.assertEqual(self.recalculations(may), [])

    @with_transaction()
    def test_tariff_correction_recomputes_its_service_only(self):
        """A tariff's request concerns its service: the past months are
        loaded with that service alone when it is charged by area, and an
        absence in the same months brings every service back"""
        pool = Pool()
        Tariff = pool.get('housing.tariff')
        Rate = pool.get('housing.tariff.rate')
        Request = pool.get('housing.recalculation')
        Run = pool.get('housing.accrual.run')
        company = create_company()
        with set_company(company):
            building, accounts = self.setup_posted(company)
            tariff, = Tariff.search([
                    ('service.code', '=', 'SOD'),
                    ('date_from', '=', D(2025, 1, 1)),
                    ])
            Rate.write(list(tariff.rates), {'price': Decimal('31.00')})
            request, = Request.search([('state', '=', 'pending')])
            self.assertEqual(request.concerned_service(), tariff.service.id)

            run, = Run.create([{'period': D(2026, 3, 1)}])
            loader, _ = run.loaders(
                billing_period(D(2026, 1, 1)), {}, own_period=False)
            light = loader.load(accounts, only=frozenset({'SOD'}))
            full = loader.load(accounts)
            for account in accounts:
                self.assertEqual(
                    [s.code for s in light[account.id].services], ['SOD'])
                self.assertEqual(light[account.id].meters, ())
                self.assertEqual(light[account.id].residents, ())
                self.assertGreater(len(full[account.id].services), 1)
            self.assertGreater(
                sum(len(full[a.id].meters) for a in accounts), 0)

            payer = [r for r in accounts[1].residents
                if r.registered_from == D(2020, 1, 1)][0]
            pool.get('housing.absence').create([{
                        'resident': payer.id, 'reason': 'business_trip',
                        'date_from': D(2026, 1, 10),
                        'date_to': D(2026, 1, 25),
                        }])
            march = self.accrue(D(2026, 3, 1), post=True)
            lines = self.recalculations(march)
            self.assertEqual(
                {(c.account.number, c.corrected_period, c.service.code)
                    for c in lines if c.service.code == 'SOD'}, {
                    ('101', D(2026, 1, 1), 'SOD'),
                    ('101', D(2026, 2, 1), 'SOD'),
                    ('102', D(2026, 1, 1), 'SOD'),
                    ('102', D(2026, 2, 1), 'SOD'),
                    })
            absence, = [c for c in lines if c.service.code != 'SOD']
            self.assertEqual(
                (absence.account, absence.corrected_period),
                (accounts[1], D(2026, 1, 1)))

    @with_transaction()
    def test_late_reading_corrects_its_period(self):
        "A reading corrected after posting reaches the next run"
        pool = Pool()
        Reading = pool.get('housing.meter.reading')
        company = create_company()
        with set_company(company):
            _, (metered, _) = self.setup_posted(company, months=(1, 2, 3))
            reading, = Reading.search([('date', '=', D(2026, 3, 20))])
            Reading.write([reading], {'value1': Decimal('131.789')})
            april = self.accrue(D(2026, 4, 1))
            line, = self.recalculations(april)
            self.assertEqual(line.account, metered)
            self.assertEqual(line.corrected_period, D(2026, 3, 1))
            self.assertEqual(line.reason, 'late_readings')
            self.assertEqual(line.quantity, Decimal(1))

    @with_transaction()
    def test_shortfall_reported_late(self):
        "An outage recorded after its month was posted reduces it later"
        pool = Pool()
        Shortfall = pool.get('housing.shortfall')
        company = create_company()
        with set_company(company):
            building, accounts = self.setup_posted(company)
            cold_water, = pool.get('housing.service').search([
                    ('code', '=', 'HVS')])
            Shortfall.create([{
                        'service': cold_water.id,
                        'kind': 'interruption',
                        'start': dt.datetime(2026, 2, 10, 8, 0),
                        'end': dt.datetime(2026, 2, 11, 8, 0),
                        'scope': 'buildings',
                        'buildings': [('add', [building.id])],
                        'reason': "Авария на вводе",
                        }])
            march = self.accrue(D(2026, 3, 1))
            lines = self.recalculations(march)
            self.assertEqual(
                {(c.account, c.kind, c.reason, c.corrected_period)
                    for c in lines},
                {(a, 'reduction', 'quality', D(2026, 2, 1))
                    for a in accounts})
            self.assertTrue(all(c.amount < 0 for c in lines))

    @with_transaction()
    def test_reading_under_common_house_meter_requests_building(self):
        "Where a common-house meter shares volumes, the building recomputes"
        pool = Pool()
        Meter = pool.get('housing.meter')
        Reading = pool.get('housing.meter.reading')
        Request = pool.get('housing.recalculation')
        company = create_company()
        with set_company(company):
            building, _ = self.setup_posted(company, months=(1, 2, 3))
            meter, = Meter.search([('serial_number', '=', 'M-1')])
            Meter.create([{
                        'kind': 'common_house', 'service': meter.service.id,
                        'building': building.id, 'serial_number': 'ОДПУ-1',
                        'installation_date': D(2024, 1, 1),
                        'installation_value1': Decimal(0),
                        }])
            reading, = Reading.search([('date', '=', D(2026, 3, 20))])
            Reading.write([reading], {'value1': Decimal('131.789')})
            requests = Request.search([('origin', '=', str(reading))])
            self.assertIn((building, None, D(2026, 3, 1)),
                [(r.building, r.account, r.period) for r in requests])

    @with_transaction()
    def test_change_before_posting_needs_no_request(self):
        "Data of a period not yet posted makes no request"
        pool = Pool()
        Absence = pool.get('housing.absence')
        Request = pool.get('housing.recalculation')
        company = create_company()
        with set_company(company):
            _, (_, account) = self.setup_posted(company, months=(1,))
            Absence.create([{
                        'resident': account.residents[0].id,
                        'reason': 'holiday',
                        'date_from': D(2026, 2, 1),
                        'date_to': D(2026, 2, 20),
                        }])
            self.assertEqual(Request.search([]), [])

    @with_transaction()
    def test_change_while_posting_requests(self):
        """Data of a period whose run is being posted makes a request: the
        run's moves are written from what it computed"""
        pool = Pool()
        Run = pool.get('housing.accrual.run')
        Absence = pool.get('housing.absence')
        Request = pool.get('housing.recalculation')
        company = create_company()
        with set_company(company):
            _, (_, account) = self.setup_posted(company, months=(1,))
            february = self.accrue(D(2026, 2, 1))
            Run.post([february])
            self.assertEqual(Run(february.id).state, 'posting')
            Absence.create([{
                        'resident': account.residents[0].id,
                        'reason': 'holiday',
                        'date_from': D(2026, 2, 1),
                        'date_to': D(2026, 2, 20),
                        }])
            request, = Request.search([])
            self.assertEqual(request.period, D(2026, 2, 1))


class HousingChunkTestCase(HousingTestCase):
    "Test accrual runs computed per building"

    def setup_two_buildings(self):
        pool = Pool()
        Tariff = pool.get('housing.tariff')
        from .tools import create_service
        maintenance = create_service(
            'SOD', method='area', uom='product.uom_square_meter')
        Tariff.create([{
                    'service': maintenance.id, 'date_from': D(2025, 1, 1),
                    'rates': [('create', [{'price': Decimal('30.00')}])],
                    }])
        buildings = []
        for address in ["ул. Садовая, д. 1", "ул. Лесная, д. 2"]:
            building = create_building(address)
            for number in ['1', '2']:
                premises = create_premises(
                    building, number, [(D(2020, 1, 1), Decimal('50'))])
                account = create_account(
                    premises, address[-1] + number,
                    [(D(2020, 1, 1), create_party("Плательщик"))])
                Pool().get('housing.account').write([account], {
                        'services': [('create', [{
                                        'service': maintenance.id,
                                        'date_from': D(2020, 1, 1),
                                        }])]})
            buildings.append(building)
        return buildings

    @with_transaction()
    def test_failed_chunk_rolls_back_and_resumes(self):
        "A building that fails leaves nothing; resuming finishes the run"
        pool = Pool()
        Run = pool.get('housing.accrual.run')
        company = create_company()
        with set_company(company):
            first, second = self.setup_two_buildings()
            run, = Run.create([{'period': D(2026, 3, 1)}])
            original = Run.calculate

            def failing(self, account, snapshot, anomalies):
                if account.premises.building == second:
                    raise RuntimeError("disk full")
                return original(self, account, snapshot, anomalies)

            Run.calculate = failing
            try:
                compute([run])
            finally:
                Run.calculate = original

            run = Run(run.id)
            self.assertEqual(run.state, 'computing')
            self.assertEqual(run.progress, 0.5)
            states = {c.building: (c.state, c.error) for c in run.chunks}
            self.assertEqual(states[first], ('done', None))
            self.assertEqual(states[second], ('failed', "disk full"))
            self.assertEqual(
                {c.building for c in run.charges}, {first})

            Run.resume([run])
            run_queue()
            run = Run(run.id)
            self.assertEqual(run.state, 'computed')
            self.assertEqual(run.progress, 1)
            self.assertEqual(run.total, Decimal('6000.00'))
            self.assertEqual(len(run.charges), 4)

    @with_transaction()
    def test_scope_of_buildings(self):
        "A run for one building computes that building only"
        Run = Pool().get('housing.accrual.run')
        company = create_company()
        with set_company(company):
            first, second = self.setup_two_buildings()
            run, = Run.create([{
                        'period': D(2026, 3, 1),
                        'buildings': [('add', [second.id])],
                        }])
            compute([run])
            self.assertEqual({c.building for c in run.chunks}, {second})
            self.assertEqual({c.building for c in run.charges}, {second})
            self.assertEqual(run.total, Decimal('3000.00'))
