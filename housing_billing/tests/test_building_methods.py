# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""The building-level methods of Decree 354 through accrual runs: КР на СОИ
(G-S1…G-S4), heating (G-H1…G-H3 and the even mode by the common-house
meter), two-component hot water (G-M2) and water disposal (G-M3)."""
import datetime as dt
from decimal import Decimal

from trytond.modules.account.tests import get_fiscalyear
from trytond.modules.company.tests import create_company, set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction

from ..engine.common_property import instalments
from ..engine.periods import Period
from . import test_accrual
from .tools import (
    HousingTestCase,
    compute,
    create_account,
    create_party,
    create_premises,
    create_service,
)
from .tools import (
    post as post_runs,
)

D = dt.date
S_OB = Decimal('5120.4')
S_I = Decimal('54.3')
GCAL = 'housing_billing.uom_gigacalorie'
KWH = 'product.uom_energy_kwh'


def money(value):
    return Decimal(value).quantize(Decimal('0.01'))


class BuildingMethodsTestCase(HousingTestCase):
    "Test the building-level methods through accrual runs"

    setup_ledger = test_accrual.HousingAccrualTestCase.setup_ledger

    # -- data -----------------------------------------------------------------
    def building(self, soi_method='monthly_actual', heating_mode='season',
            **values):
        Building = Pool().get('housing.building')
        values.setdefault('heating_season_start', 10)
        values.setdefault('heating_season_end', 4)
        building, = Building.create([dict({
                    'address': "ул. Общедомовая, д. 1",
                    'management_start': D(2020, 1, 1),
                    'areas': [('create', [{
                                    'date_from': D(2020, 1, 1),
                                    'total_area': S_OB,
                                    'residential_area': S_OB,
                                    'non_residential_area': 0,
                                    'common_area': Decimal('820.0'),
                                    'lighting_area': Decimal('1130.0'),
                                    }])],
                    'methods': [('create', [{
                                    'date_from': D(2020, 1, 1),
                                    'soi_method': soi_method,
                                    'heating_mode': heating_mode,
                                    }])],
                    }, **values)])
        return building

    def service(self, code, resource, method='meter',
            uom='product.uom_cubic_meter', price=None, **values):
        Service = Pool().get('housing.service')
        service = create_service(code, method=method, uom=uom)
        Service.write([service], dict(resource=resource, **values))
        if price is not None:
            self.tariff(service, price)
        return service

    @staticmethod
    def tariff(service, price, date_from=D(2025, 1, 1), date_to=None,
            **rates):
        Tariff = Pool().get('housing.tariff')
        if rates:
            structure = 'components'
            rows = [{'zone': z, 'price': Decimal(p)}
                for z, p in rates.items()]
        else:
            structure = 'flat'
            rows = [{'price': Decimal(price)}]
        Tariff.create([{
                    'service': service.id, 'structure': structure,
                    'date_from': date_from, 'date_to': date_to,
                    'rates': [('create', rows)],
                    }])

    @staticmethod
    def normative(service, kind, value, uom='product.uom_cubic_meter'):
        pool = Pool()
        Normative = pool.get('housing.normative')
        ModelData = pool.get('ir.model.data')
        module, name = uom.split('.')
        Normative.create([{
                    'service': service.id, 'kind': kind,
                    'value': Decimal(value),
                    'unit': ModelData.get_id(module, name),
                    'date_from': D(2017, 1, 1),
                    }])

    @staticmethod
    def account(building, number, area, services):
        Account = Pool().get('housing.account')
        premises = create_premises(building, number, [(D(2020, 1, 1), area)])
        payer = create_party("Плательщик %s" % number)
        account = create_account(premises, number, [(D(2020, 1, 1), payer)])
        Account.write([account], {'services': [('create', [
                            {'service': s.id, 'date_from': D(2020, 1, 1)}
                            for s in services])]})
        return account

    @staticmethod
    def meter(building, service, readings, account=None, kind='individual',
            **values):
        "A meter installed in 2024 at 0 with readings [(date, value)]"
        pool = Pool()
        Meter = pool.get('housing.meter')
        Reading = pool.get('housing.meter.reading')
        meter, = Meter.create([dict({
                        'kind': kind, 'service': service.id,
                        'building': building.id,
                        'premises': (account.premises.id
                            if account else None),
                        'serial_number': '%s-%s' % (
                            service.code, account.number if account
                            else 'ODPU'),
                        'installation_date': D(2024, 1, 10),
                        'installation_value1': Decimal(0),
                        'digits': 8,
                        }, **values)])
        Reading.create([{
                    'meter': meter.id, 'date': date, 'value1': Decimal(value),
                    } for date, value in readings])
        return meter

    @staticmethod
    def accrue(period, post=False):
        Run = Pool().get('housing.accrual.run')
        run, = Run.create([{'period': period}])
        compute([run])
        errors = [a.message for a in run.anomalies if a.severity == 'error']
        errors += [c.error for c in run.chunks if c.state != 'done']
        if errors:
            raise AssertionError(errors)
        if post:
            post_runs([run])
        return run

    @staticmethod
    def charges(run, account, code, kind=None):
        return [c for c in run.charges
            if c.account == account and c.service.code == code
            and (kind is None or c.kind == kind)]

    def amounts(self, run, account, code, kind=None):
        return [c.amount for c in self.charges(run, account, code, kind)]

    # -- КР на СОИ ------------------------------------------------------------
    def soi_house(self, premises_volume, building_volume='1250.000',
            others=None, **building_values):
        """Account 101 (S_i 54.3, ИПУ 7.333 m³ in January 2026) and the
        rest of the building's area in others [(number, area)] sharing the
        remaining individual volume; an ОДПУ of building_volume."""
        building = self.building(**building_values)
        cold = self.service('HVS', 'cold_water', price='49.87')
        soi = self.service(
            'HVS_SOI', None, method='common_property', price='49.87',
            soi_resource='cold_water')
        self.normative(soi, 'common_property', '0.0300')
        others = others or [('102', S_OB - S_I)]
        accounts = [self.account(building, '101', S_I, [cold, soi])]
        self.meter(building, cold, [
                (D(2025, 12, 20), '123.456'), (D(2026, 1, 20), '130.789')],
            accounts[0])
        rest = Decimal(premises_volume) - Decimal('7.333')
        total_other = sum(area for _, area in others)
        for index, (number, area) in enumerate(others):
            account = self.account(building, number, area, [cold, soi])
            accounts.append(account)
            part = (rest * area / total_other).quantize(Decimal('0.001'))
            if index == len(others) - 1:
                part = rest - sum(
                    (rest * a / total_other).quantize(Decimal('0.001'))
                    for _, a in others[:-1])
            self.meter(building, cold, [
                    (D(2025, 12, 20), '1000'),
                    (D(2026, 1, 20), Decimal(1000) + part)], account)
        self.meter(building, cold, [
                (D(2025, 12, 31), '10000'),
                (D(2026, 1, 31), Decimal(10000) + Decimal(building_volume))],
            kind='common_house')
        return building, accounts

    @with_transaction()
    def test_soi_below_cap(self):
        "G-S1: ОДПУ 1 250 − Σ 1 229.8 = 20.2 m³ shared by area: 10.68 ₽"
        company = create_company()
        with set_company(company):
            _, (account, other) = self.soi_house('1229.800')
            run = self.accrue(D(2026, 1, 1))
            line, = self.charges(run, account, 'HVS_SOI')
            self.assertEqual(line.amount, Decimal('10.68'))
            self.assertEqual(
                line.quantity.quantize(Decimal('0.0001')), Decimal('0.2142'))
            # The building's 20.2 m³ is shared exactly: the rows add up to
            # the rounded building amount.
            total = sum(self.amounts(run, account, 'HVS_SOI')
                + self.amounts(run, other, 'HVS_SOI'))
            self.assertEqual(total, money(Decimal('20.2') * Decimal('49.87')))

    @with_transaction()
    def test_soi_capped(self):
        "G-S2: fact 39.5 m³ capped by 0.03 × 820 = 24.6 m³: 13.01 ₽"
        company = create_company()
        with set_company(company):
            _, (account, _) = self.soi_house('1210.500')
            run = self.accrue(D(2026, 1, 1))
            self.assertEqual(
                self.amounts(run, account, 'HVS_SOI'), [Decimal('13.01')])

    @with_transaction()
    def test_soi_not_capped(self):
        "G-S2 alternative: the owners pay the actual volume: 20.89 ₽"
        company = create_company()
        with set_company(company):
            _, (account, _) = self.soi_house(
                '1210.500', soi_cap_by_normative=False)
            run = self.accrue(D(2026, 1, 1))
            self.assertEqual(
                self.amounts(run, account, 'HVS_SOI'), [Decimal('20.89')])

    @with_transaction()
    def test_soi_negative_carried(self):
        "G-S3: fact −12.3 m³: 0.00 ₽ now, −6.50 ₽ in the next month"
        pool = Pool()
        Carried = pool.get('housing.soi.carried')
        Reading = pool.get('housing.meter.reading')
        company = create_company()
        with set_company(company):
            building, (account, other) = self.soi_house('1262.300')
            self.setup_ledger(company)
            january = self.accrue(D(2026, 1, 1), post=True)
            self.assertEqual(
                self.amounts(january, account, 'HVS_SOI'),
                [Decimal('0.00')])
            carried, = Carried.search([('account', '=', account.id)])
            self.assertEqual(carried.amount, Decimal('-6.50'))
            self.assertEqual(
                carried.quantity.quantize(Decimal('0.000001')),
                Decimal('-0.130437'))
            # February: every volume 1 m³, the ОДПУ balance zero.
            for meter in building.meters + account.premises.meters + (
                    other.premises.meters):
                last = max(meter.readings, key=lambda r: r.date)
                Reading.create([{
                            'meter': meter.id,
                            'date': last.date + dt.timedelta(days=28),
                            'value1': last.value1 + (
                                2 if meter.kind == 'common_house' else 1),
                            }])
            february = self.accrue(D(2026, 2, 1))
            self.assertEqual(
                [(c.amount, c.corrected_period) for c in self.charges(
                        february, account, 'HVS_SOI', 'recalculation')],
                [(Decimal('-6.50'), D(2026, 1, 1))])

    @with_transaction()
    def test_soi_negative_zero(self):
        "G-S3 alternative zero: 0.00 ₽ and nothing carried"
        Carried = Pool().get('housing.soi.carried')
        company = create_company()
        with set_company(company):
            _, (account, _) = self.soi_house(
                '1262.300', soi_negative='zero')
            run = self.accrue(D(2026, 1, 1))
            self.assertEqual(
                self.amounts(run, account, 'HVS_SOI'), [Decimal('0.00')])
            self.assertEqual(Carried.search([]), [])

    @with_transaction()
    def test_soi_negative_distributed(self):
        "G-S3 alternative distribute: −6.50 ₽ credited this month"
        company = create_company()
        with set_company(company):
            _, (account, _) = self.soi_house(
                '1262.300', soi_negative='distribute')
            run = self.accrue(D(2026, 1, 1))
            self.assertEqual(
                self.amounts(run, account, 'HVS_SOI'), [Decimal('-6.50')])

    @with_transaction()
    def test_soi_shared_over_accounts_exactly(self):
        "A common-house volume shared by area over several accounts"
        company = create_company()
        with set_company(company):
            others = [(str(n), Decimal(a)) for n, a in [
                    (102, '1000.1'), (103, '1300.3'), (104, '2765.7')]]
            _, accounts = self.soi_house('1229.800', others=others)
            run = self.accrue(D(2026, 1, 1))
            lines = [line for a in accounts
                for line in self.charges(run, a, 'HVS_SOI')]
            self.assertEqual(len(lines), 4)
            exact = [line.quantity * line.tariff for line in lines]
            total = money(Decimal('20.2') * Decimal('49.87'))
            self.assertEqual(money(sum(exact)), total)
            self.assertEqual(sum(line.amount for line in lines), total)
            # Rounded one by one they would not add up.
            self.assertNotEqual(sum(money(e) for e in exact), total)
            for line, value in zip(lines, exact):
                self.assertLessEqual(abs(line.amount - value), 1)
            # The explanation says the amount charged, and why it differs
            # from the row's own rounding.
            for line, value in zip(lines, exact):
                shown = format(line.amount, '.2f').replace('.', ',')
                self.assertIn('= %s ₽' % shown, line.explanation_ru)
                self.assertEqual(
                    'распределены по дому' in line.explanation_ru,
                    line.amount != money(value))

    @with_transaction()
    def test_soi_normative_without_meter(self):
        "G-S4: electricity on common property by normative: 80.76 ₽"
        company = create_company()
        with set_company(company):
            building = self.building(soi_method='normative_annual_recalc')
            soi = self.service(
                'EE_SOI', None, method='common_property', uom=KWH,
                price='7.02', soi_resource='electricity')
            self.normative(soi, 'common_property', '0.96', uom=KWH)
            account = self.account(building, '101', S_I, [soi])
            run = self.accrue(D(2026, 1, 1))
            line, = self.charges(run, account, 'EE_SOI')
            self.assertEqual(line.amount, Decimal('80.76'))
            self.assertEqual(
                line.quantity.quantize(Decimal('0.0001')),
                Decimal('11.5039'))

    # -- heating --------------------------------------------------------------
    def heating_house(self, **building_values):
        building = self.building(**building_values)
        heating = self.service(
            'OT', 'heating', method='area', uom=GCAL, price='2914.56')
        self.normative(heating, 'area', '0.0205', uom=GCAL)
        account = self.account(building, '101', S_I, [heating])
        return building, heating, account

    @with_transaction()
    def test_heating_season_by_normative(self):
        "G-H1: 3 244.34 ₽ in a heating-season month, nothing in July"
        company = create_company()
        with set_company(company):
            _, _, account = self.heating_house()
            january = self.accrue(D(2026, 1, 1))
            self.assertEqual(
                self.amounts(january, account, 'OT'), [Decimal('3244.34')])
            july = self.accrue(D(2026, 7, 1))
            self.assertEqual(self.amounts(july, account, 'OT'), [])

    @with_transaction()
    def test_heating_even_by_normative(self):
        "G-H2: evenly over the year with a 7-month season: 1 892.53 ₽"
        company = create_company()
        with set_company(company):
            _, _, account = self.heating_house(heating_mode='even')
            for month in (1, 7):
                run = self.accrue(D(2026, month, 1))
                self.assertEqual(
                    self.amounts(run, account, 'OT'), [Decimal('1892.53')])

    @with_transaction()
    def test_heating_mode_is_dated(self):
        "The heating mode in force on the month's first day applies"
        BuildingMethod = Pool().get('housing.building.method')
        company = create_company()
        with set_company(company):
            building, _, account = self.heating_house()
            BuildingMethod.create([{
                        'building': building.id, 'date_from': D(2026, 7, 1),
                        'heating_mode': 'even',
                        'soi_method': 'normative_annual_recalc',
                        }])
            june = self.accrue(D(2026, 6, 1))
            self.assertEqual(self.amounts(june, account, 'OT'), [])
            july = self.accrue(D(2026, 7, 1))
            self.assertEqual(
                self.amounts(july, account, 'OT'), [Decimal('1892.53')])

    @with_transaction()
    def test_heating_by_building_meter(self):
        "G-H3: 182.45 Gcal × 54.3 / 5 120.4 × 2 914.56 = 5 639.14 ₽"
        company = create_company()
        with set_company(company):
            building, heating, account = self.heating_house()
            other = self.account(building, '102', S_OB - S_I, [heating])
            self.meter(building, heating, [
                    (D(2025, 12, 31), '1000'), (D(2026, 1, 31), '1182.45')],
                kind='common_house')
            run = self.accrue(D(2026, 1, 1))
            self.assertEqual(
                self.amounts(run, account, 'OT'), [Decimal('5639.14')])
            self.assertEqual(
                sum(self.amounts(run, account, 'OT')
                    + self.amounts(run, other, 'OT')),
                money(Decimal('182.45') * Decimal('2914.56')))

    @with_transaction()
    def test_heating_even_by_previous_year(self):
        "G-H4: evenly by last year's 1 010.0 Gcal: 2 601.41 ₽ a month"
        company = create_company()
        with set_company(company):
            building, heating, account = self.heating_house(
                heating_mode='even')
            self.meter(building, heating, [
                    (D(2024, 12, 31), '5000'), (D(2025, 6, 30), '5600'),
                    (D(2025, 12, 31), '6010.0'), (D(2026, 1, 31), '6192.45')],
                kind='common_house')
            run = self.accrue(D(2026, 1, 1))
            self.assertEqual(
                self.amounts(run, account, 'OT'), [Decimal('2601.41')])

    def corrected_heating_house(self):
        """G-H4: a house billed evenly in 2025 by 2024's 1 010.0 Gcal, at
        2 914.56 ₽/Gcal to June and 3 261.39 from July; the year's months
        read by the heat meter (955.80 Gcal), every run posted"""
        pool = Pool()
        FiscalYear = pool.get('account.fiscalyear')
        building = self.building(heating_mode='even')
        heating = self.service('OT', 'heating', method='area', uom=GCAL)
        self.tariff(heating, '2914.56', date_to=D(2025, 6, 30))
        self.tariff(heating, '3261.39', date_from=D(2025, 7, 1))
        self.normative(heating, 'area', '0.0205', uom=GCAL)
        account = self.account(building, '101', S_I, [heating])
        other = self.account(building, '102', S_OB - S_I, [heating])
        readings, total = [(D(2024, 12, 31), Decimal('1010.0'))], Decimal(
            '1010.0')
        for month, volume in [(1, '182.45'), (2, '165.30'), (3, '140.10'),
                (4, '80.25'), (5, '10.40'), (10, '70.80'), (11, '130.60'),
                (12, '175.90')]:
            total += Decimal(volume)
            readings.append((D(2025, month, 28), total))
        self.meter(building, heating, readings, kind='common_house')
        self.setup_ledger(building.company)
        fiscalyear = get_fiscalyear(building.company, today=D(2025, 1, 1))
        fiscalyear.save()
        FiscalYear.create_period([fiscalyear])
        runs = [self.accrue(D(2025, m, 1), post=True) for m in range(1, 13)]
        return account, other, runs

    @with_transaction()
    def test_heating_annual_correction(self):
        "G-H4: the January run corrects 2025's heating: −2 144.89 ₽"
        company = create_company()
        with set_company(company):
            account, other, runs = self.corrected_heating_house()
            self.assertEqual(
                [self.amounts(r, account, 'OT')[0] for r in runs],
                [Decimal('2601.41')] * 6 + [Decimal('2910.98')] * 6)
            january = self.accrue(D(2026, 1, 1))
            correction, = self.charges(
                january, account, 'OT', kind='recalculation')
            self.assertEqual(correction.amount, Decimal('-2144.89'))
            self.assertEqual(correction.reason, 'heating_annual_correction')
            self.assertIn('за 2025 г.', correction.explanation_ru)
            # The building's rows add up to the rounded building difference
            other_row, = self.charges(
                january, other, 'OT', kind='recalculation')
            billed = sum(sum(self.amounts(r, a, 'OT'))
                for r in runs for a in (account, other))
            cost = (Decimal('578.50') * Decimal('2914.56')
                + Decimal('377.30') * Decimal('3261.39'))
            self.assertEqual(
                correction.amount + other_row.amount, money(cost - billed))
            # Only in the configured month
            february = self.accrue(D(2026, 2, 1))
            self.assertEqual(
                self.charges(february, account, 'OT',
                    kind='recalculation'), [])

    @with_transaction()
    def test_annual_correction_month_configured(self):
        "The correction waits for the configured month of the next year"
        Configuration = Pool().get('housing.configuration')
        company = create_company()
        with set_company(company):
            account, _, _ = self.corrected_heating_house()
            configuration = Configuration(1)
            configuration.annual_correction_month = 3
            configuration.save()
            january = self.accrue(D(2026, 1, 1))
            self.assertEqual(
                self.charges(january, account, 'OT',
                    kind='recalculation'), [])
            march = self.accrue(D(2026, 3, 1))
            correction, = self.charges(
                march, account, 'OT', kind='recalculation')
            self.assertEqual(correction.amount, Decimal('-2144.89'))

    @with_transaction()
    def test_soi_annual_recalculation(self):
        """КР на СОИ billed by the normative from October to December 2025,
        recalculated by the common-house meter in January 2026 and charged
        in twelve equal parts (Decree 480)"""
        pool = Pool()
        FiscalYear = pool.get('account.fiscalyear')
        Carried = pool.get('housing.soi.carried')
        company = create_company()
        with set_company(company):
            building = self.building(soi_method='normative_annual_recalc')
            cold = self.service('HVS', 'cold_water', price='49.87')
            soi = self.service(
                'HVS_SOI', None, method='common_property', price='49.87',
                soi_resource='cold_water')
            self.normative(soi, 'common_property', '0.0300')
            account = self.account(building, '101', S_I, [cold, soi])
            other = self.account(building, '102', S_OB - S_I, [cold, soi])
            days = [D(2025, 9, 20), D(2025, 10, 20), D(2025, 11, 20),
                D(2025, 12, 20), D(2026, 1, 20)]
            self.meter(building, cold, [
                    (d, 100 + 7 * i) for i, d in enumerate(days)], account)
            self.meter(building, cold, [
                    (d, 1000 + 1200 * i) for i, d in enumerate(days)], other)
            # ОДПУ: 1 220, 1 230 and 1 250 m³: 13, 23 and 43 m³ over the
            # individual 1 207 m³, the last capped at 0.03 × 820 = 24.6.
            self.meter(building, cold, [
                    (D(2025, 9, 30), '10000'), (D(2025, 10, 31), '11220'),
                    (D(2025, 11, 30), '12450'), (D(2025, 12, 31), '13700'),
                    (D(2026, 1, 31), '14950')],
                kind='common_house')
            self.setup_ledger(company)
            fiscalyear = get_fiscalyear(company, today=D(2025, 1, 1))
            fiscalyear.save()
            FiscalYear.create_period([fiscalyear])
            runs = [self.accrue(D(2025, m, 1), post=True)
                for m in (10, 11, 12)]
            billed = {a: sum(sum(self.amounts(r, a, 'HVS_SOI'))
                    for r in runs)
                for a in (account, other)}
            # Each month by the normative: 24.6 m³ for the building
            self.assertEqual(sum(billed.values()),
                3 * money(Decimal('24.6') * Decimal('49.87')))

            january = self.accrue(D(2026, 1, 1))
            decided = {c.account: c.amount for c in Carried.search([
                        ('run', '=', january.id),
                        ('reason', '=', 'soi_annual_recalculation'),
                        ])}
            cost = Decimal('60.6') * Decimal('49.87')
            self.assertEqual(
                sum(decided.values()), money(cost - sum(billed.values())))
            # Within a kopeck of its exact share (the building's rows are
            # balanced, §0.2)
            self.assertLessEqual(abs(decided[account]
                    - (cost * S_I / S_OB - billed[account])),
                Decimal('0.01'))
            parts = {a: [c.amount for c in self.charges(
                            january, a, 'HVS_SOI', kind='recalculation')]
                for a in (account, other)}
            for a in (account, other):
                self.assertEqual(parts[a], [instalments(decided[a])[0]])
            line, = self.charges(january, account, 'HVS_SOI',
                kind='recalculation')
            self.assertIn('часть 1 из 12', line.explanation_ru)
            post_runs([january])

            # February bills the second part; nothing is carried as a
            # negative balance by mistake.
            february = self.accrue(D(2026, 2, 1))
            second, = self.charges(
                february, account, 'HVS_SOI', kind='recalculation')
            self.assertIn('часть 2 из 12', second.explanation_ru)
            self.assertEqual(second.amount, instalments(decided[account])[1])
            self.assertEqual(Carried.to_bill([account], Period(2026, 2)), {})

    # -- hot water and water disposal ---------------------------------------
    @with_transaction()
    def test_two_component_hot_water_and_sewage(self):
        "G-M2: 159.58 + 547.47 ₽; G-M3: (7.333 + 3.200) × 38.55 = 406.05 ₽"
        company = create_company()
        with set_company(company):
            building = self.building()
            cold = self.service('HVS', 'cold_water', price='49.87')
            hot = self.service('GVS', 'hot_water', two_component=True)
            self.tariff(hot, None, water='49.87', heat='2914.56')
            self.normative(hot, 'heat_per_volume', '0.0587', uom=GCAL)
            sewage = self.service('VO', 'sewage', price='38.55')
            account = self.account(building, '101', S_I, [cold, hot, sewage])
            self.meter(building, cold, [
                    (D(2025, 12, 20), '123.456'), (D(2026, 1, 20), '130.789')],
                account)
            self.meter(building, hot, [
                    (D(2025, 12, 20), '50.000'), (D(2026, 1, 20), '53.200')],
                account)
            run = self.accrue(D(2026, 1, 1))
            lines = {c.component: c for c in self.charges(run, account, 'GVS')}
            self.assertEqual(lines['water'].amount, Decimal('159.58'))
            self.assertEqual(lines['heat'].amount, Decimal('547.47'))
            self.assertEqual(lines['heat'].quantity, Decimal('0.18784'))
            self.assertEqual(
                self.amounts(run, account, 'VO'), [Decimal('406.05')])

    @with_transaction()
    def test_hot_water_heat_metered(self):
        "q from the building's hot-water heat and volume meters"
        company = create_company()
        with set_company(company):
            building = self.building(hot_water_heat_source='metered')
            hot = self.service('GVS', 'hot_water', two_component=True)
            heat = self.service('GVS_Q', 'hot_water_heat', uom=GCAL)
            self.tariff(hot, None, water='49.87', heat='2914.56')
            account = self.account(building, '101', S_I, [hot])
            self.meter(building, hot, [
                    (D(2025, 12, 20), '50.000'), (D(2026, 1, 20), '53.200')],
                account)
            self.meter(building, hot, [
                    (D(2025, 12, 31), '100'), (D(2026, 1, 31), '450')],
                kind='common_house')
            self.meter(building, heat, [
                    (D(2025, 12, 31), '10'), (D(2026, 1, 31), '30.5')],
                kind='common_house')
            run = self.accrue(D(2026, 1, 1))
            lines = {c.component: c for c in self.charges(run, account, 'GVS')}
            q = Decimal('20.5') / Decimal('350')
            self.assertEqual(
                lines['heat'].amount,
                money(Decimal('3.2') * q * Decimal('2914.56')))
            self.assertEqual(lines['water'].amount, Decimal('159.58'))
