# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"Shortfalls of a service reduce the charge of the month (Appendix 1)."
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from trytond.model.exceptions import ValidationError
from trytond.modules.company.tests import create_company, set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction

from ..engine.periods import Period
from .tools import (
    HousingTestCase,
    create_account,
    create_building,
    create_party,
    create_premises,
    create_service,
)
from .tools import compute as compute_runs

D = dt.date
T = dt.datetime
APRIL = D(2026, 4, 1)
PRICES = {'GVS': '707.05', 'HVS': '49.87', 'OTO': '3244.34'}
RESOURCES = {'GVS': 'hot_water', 'HVS': 'cold_water', 'OTO': None}


def money(value):
    return value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)


def create_services():
    """Hot water at 707.05 (G-M2), cold water at 49.87 and heating at
    3 244.34 (G-H1) a month: per premises, so the month's charge is the
    golden base exactly."""
    pool = Pool()
    Service = pool.get('housing.service')
    Tariff = pool.get('housing.tariff')
    services = {}
    for code, price in PRICES.items():
        service = create_service(
            code, method='premises', uom='product.uom_unit')
        Service.write([service], {'resource': RESOURCES[code]})
        Tariff.create([{
                    'service': service.id, 'date_from': D(2025, 1, 1),
                    'rates': [('create', [{'price': Decimal(price)}])],
                    }])
        services[code] = service
    return services


def create_accounts(building, numbers, services):
    "{number: account} of one premises each, with the services given"
    Account = Pool().get('housing.account')
    accounts = {}
    for number in numbers:
        premises = create_premises(
            building, number, [(D(2020, 1, 1), Decimal('54.30'))])
        account = create_account(
            premises, number,
            [(D(2020, 1, 1), create_party("Плательщик %s" % number))])
        Account.write([account], {
                'services': [('create', [{
                                'service': s.id,
                                'date_from': D(2020, 1, 1),
                                } for s in services])]})
        accounts[number] = account
    return accounts


def create_shortfall(service, kind, start, end, premises=(), buildings=(),
        **values):
    Shortfall = Pool().get('housing.shortfall')
    values.update({
            'service': service.id, 'kind': kind, 'start': start,
            'end': end, 'reason': values.get('reason', "Авария"),
            })
    if buildings:
        values.update({
                'scope': 'buildings',
                'buildings': [('add', [b.id for b in buildings])]})
    else:
        values.update({
                'scope': 'premises',
                'premises': [('add', [p.id for p in premises])]})
    shortfall, = Shortfall.create([values])
    return shortfall


def compute(period):
    Run = Pool().get('housing.accrual.run')
    run, = Run.create([{'period': period}])
    compute_runs([run])
    return run


def reductions(run):
    "{(account number, service code): amount} of the reduction lines"
    return {(c.account.number, c.service.code): c.amount
        for c in run.charges if c.kind == 'reduction'}


class HousingShortfallTestCase(HousingTestCase):
    "Test shortfalls"

    @with_transaction()
    def test_golden_reductions(self):
        "G-Q1 … G-Q6 through the accrual run, to the kopeck"
        company = create_company()
        with set_company(company):
            services = create_services()
            hot, heating = services['GVS'], services['OTO']
            building = create_building()
            accounts = create_accounts(
                building, ['Q1', 'Q2', 'Q3', 'Q4', 'Q5', 'Q6'],
                services.values())

            def at(number):
                return [accounts[number].premises]

            create_shortfall(
                hot, 'interruption', T(2026, 4, 3, 8), T(2026, 4, 4, 4),
                premises=at('Q1'))
            for day in [6, 20]:
                create_shortfall(
                    hot, 'interruption', T(2026, 4, day, 9),
                    T(2026, 4, day, 15), premises=at('Q2'))
            for day in [6, 13, 20]:
                create_shortfall(
                    hot, 'interruption', T(2026, 4, day, 9),
                    T(2026, 4, day, 12), premises=at('Q3'))
            create_shortfall(
                heating, 'room_temperature', T(2026, 4, 1),
                T(2026, 4, 3), premises=at('Q4'), degrees=Decimal(2))
            create_shortfall(
                hot, 'water_temperature', T(2026, 4, 10),
                T(2026, 4, 13), premises=at('Q5'), degrees=Decimal(8))
            # 704 h in one event: 700 h beyond the 4 h limit.
            create_shortfall(
                hot, 'interruption', T(2026, 4, 1),
                T(2026, 4, 1) + dt.timedelta(hours=704), premises=at('Q6'))

            run = compute(APRIL)

            self.assertEqual(
                [a.message for a in run.anomalies], [])
            self.assertEqual(reductions(run), {
                    ('Q1', 'GVS'): Decimal('-16.97'),
                    ('Q2', 'GVS'): Decimal('-6.36'),
                    ('Q3', 'GVS'): Decimal('-1.06'),
                    ('Q4', 'OTO'): Decimal('-467.18'),
                    ('Q5', 'GVS'): Decimal('-50.91'),
                    ('Q6', 'GVS'): Decimal('-707.05'),
                    })
            heating_q4 = sum(c.amount for c in run.charges
                if c.account == accounts['Q4'] and c.service == heating)
            self.assertEqual(heating_q4, Decimal('2777.16'))

    @with_transaction()
    def test_reduction_line(self):
        "The reduction is its own line: base, percent, reason, explanation"
        company = create_company()
        with set_company(company):
            services = create_services()
            building = create_building()
            account = create_accounts(
                building, ['1'], services.values())['1']
            create_shortfall(
                services['GVS'], 'interruption', T(2026, 4, 3, 8),
                T(2026, 4, 4, 4), premises=[account.premises])
            run = compute(APRIL)
            line, = [c for c in run.charges if c.kind == 'reduction']
            self.assertEqual(
                (line.service, line.reason, line.unit, line.tariff,
                    line.quantity, line.amount, line.period,
                    line.corrected_period),
                (services['GVS'], 'quality', '%', Decimal('707.05'),
                    Decimal('2.4'), Decimal('-16.97'), APRIL, APRIL))
            self.assertIn('707,05 ₽ × 2,4000 % = −16,97 ₽',
                line.explanation_ru)
            self.assertIn('Прил. 1 ПП354', line.explanation_ru)
            self.assertIn('16 ч', line.explanation_ru)
            self.assertIn('ПП354 App. 1', line.explanation_en)
            self.assertEqual(run.total, Decimal('707.05') + Decimal(
                    '49.87') + Decimal('3244.34') - Decimal('16.97'))

    @with_transaction()
    def test_shortfall_over_two_months(self):
        "18 h from 31 March 16:00: 8 h count in March, 10 h in April"
        company = create_company()
        with set_company(company):
            services = create_services()
            building = create_building()
            account = create_accounts(
                building, ['1'], services.values())['1']
            shortfall = create_shortfall(
                services['GVS'], 'interruption', T(2026, 3, 31, 16),
                T(2026, 4, 1, 10), premises=[account.premises])
            self.assertEqual(shortfall.hours, Decimal(18))
            self.assertEqual(
                shortfall.hours_in(Period(2026, 3)), Decimal(8))
            self.assertEqual(
                shortfall.hours_in(Period(2026, 4)), Decimal(10))
            self.assertEqual(
                shortfall.hours_in(Period(2026, 5)), Decimal(0))

            # March: 8 h, 4 beyond the single-event limit.
            march = compute(D(2026, 3, 1))
            self.assertEqual(reductions(march), {
                    ('1', 'GVS'): -money(Decimal('707.05') * Decimal(
                            '0.0015') * 4)})
            # April: 10 h, 6 beyond the single-event limit.
            april = compute(APRIL)
            self.assertEqual(reductions(april), {
                    ('1', 'GVS'): -money(Decimal('707.05') * Decimal(
                            '0.0015') * 6)})
            self.assertEqual(
                (reductions(march)[('1', 'GVS')],
                    reductions(april)[('1', 'GVS')]),
                (Decimal('-4.24'), Decimal('-6.36')))
            self.assertEqual(reductions(compute(D(2026, 5, 1))), {})

    @with_transaction()
    def test_building_wide_shortfall(self):
        """A building's outage reduces every account of the building that
        has the service, and none elsewhere"""
        company = create_company()
        with set_company(company):
            services = create_services()
            cold = services['HVS']
            first = create_building(address="ул. Садовая, д. 1")
            second = create_building(address="ул. Садовая, д. 3")
            in_first = create_accounts(
                first, ['1', '2', '3'], services.values())
            without_cold = create_accounts(
                first, ['4'], [services['GVS']])
            in_second = create_accounts(second, ['9'], services.values())
            create_shortfall(
                cold, 'interruption', T(2026, 4, 14, 9),
                T(2026, 4, 14, 21), buildings=[first],
                reason="Замена задвижки на вводе")
            run = compute(APRIL)

            self.assertEqual([a.message for a in run.anomalies], [])
            # 12 h: 8 beyond the single-event limit.
            expected = -money(Decimal('49.87') * Decimal('0.0015') * 8)
            self.assertEqual(expected, Decimal('-0.60'))
            self.assertEqual(
                reductions(run),
                {(n, 'HVS'): expected for n in in_first})
            charged = {c.account.number for c in run.charges}
            self.assertTrue(set(in_second) | set(without_cold) <= charged)

    @with_transaction()
    def test_hot_water_below_40(self):
        "Hot water below 40 °C is paid at the cold-water tariff"
        company = create_company()
        with set_company(company):
            services = create_services()
            building = create_building()
            account = create_accounts(
                building, ['1'], services.values())['1']
            create_shortfall(
                services['GVS'], 'water_below_40', T(2026, 4, 8, 6),
                T(2026, 4, 9, 6), premises=[account.premises])
            run = compute(APRIL)
            hot, cold = Decimal('707.05'), Decimal('49.87')
            expected = money(hot * Decimal(24) / (24 * 30)
                * (hot - cold) / hot)
            self.assertEqual(
                reductions(run), {('1', 'GVS'): -expected})

    @with_transaction()
    def test_norm_is_data(self):
        "A service's own norm replaces the Appendix 1 defaults"
        pool = Pool()
        Norm = pool.get('housing.shortfall.norm')
        company = create_company()
        with set_company(company):
            services = create_services()
            building = create_building()
            account = create_accounts(
                building, ['1'], services.values())['1']
            create_shortfall(
                services['GVS'], 'interruption', T(2026, 4, 3, 8),
                T(2026, 4, 4, 4), premises=[account.premises])
            norm = Norm(service=services['GVS'])
            norm.on_change_service()
            self.assertEqual(
                (norm.monthly_limit_hours, norm.event_limit_hours,
                    norm.percent_per_hour),
                (Decimal(8), Decimal(4), Decimal('0.15')))
            norm.event_limit_hours = Decimal(24)
            norm.monthly_limit_hours = Decimal(24)
            norm.save()
            self.assertEqual(reductions(compute(APRIL)), {})

            heating = Norm(service=services['OTO'])
            pool.get('housing.service').write(
                [services['OTO']], {'resource': 'heating'})
            heating.on_change_service()
            self.assertEqual(
                (heating.monthly_limit_hours, heating.event_limit_hours),
                (Decimal(24), Decimal(16)))
            norms = Norm.quality_norms(company)
            self.assertEqual(norms['GVS'].event_limit_hours, Decimal(24))
            self.assertEqual(norms['OTO'].monthly_limit_hours, Decimal(24))
            self.assertEqual(norms['HVS'].event_limit_hours, Decimal(4))

    @with_transaction()
    def test_company_time_zone(self):
        "The hours are split by month in the company's time zone"
        company = create_company()
        company.timezone = 'Europe/Moscow'
        company.save()
        with set_company(company):
            services = create_services()
            building = create_building()
            account = create_accounts(
                building, ['1'], services.values())['1']
            # Stored in UTC: 1 April 00:00 to 12:00 in Moscow.
            shortfall = create_shortfall(
                services['GVS'], 'interruption', T(2026, 3, 31, 21),
                T(2026, 4, 1, 9), premises=[account.premises])
            Shortfall = Pool().get('housing.shortfall')
            events = Shortfall.quality_events([account], Period(2026, 3))
            self.assertEqual(events, {account.id: ()})
            events = Shortfall.quality_events([account], Period(2026, 4))
            event, = events[account.id]
            self.assertEqual(
                (event.service, event.kind, event.hours),
                ('GVS', 'interruption', Decimal(12)))
            self.assertEqual(shortfall.hours, Decimal(12))

    @with_transaction()
    def test_validation(self):
        "Bad shortfalls are refused, naming the field and the value"
        company = create_company()
        with set_company(company):
            services = create_services()
            hot = services['GVS']
            building = create_building()
            premises = create_accounts(
                building, ['1'], services.values())['1'].premises

            with self.assertRaises(ValidationError) as raised:
                create_shortfall(
                    hot, 'interruption', T(2026, 4, 3, 8), T(2026, 4, 3, 6),
                    premises=[premises])
            self.assertIn('2026-04-03 06:00', raised.exception.message)
            self.assertIn('2026-04-03 08:00', raised.exception.message)

            with self.assertRaises(ValidationError) as raised:
                create_shortfall(
                    hot, 'interruption', T(2026, 4, 3, 8), T(2026, 4, 3, 8),
                    premises=[premises])
            self.assertIn('2026-04-03 08:00', raised.exception.message)

            with self.assertRaises(ValidationError) as raised:
                create_shortfall(
                    hot, 'room_temperature', T(2026, 4, 3, 8),
                    T(2026, 4, 3, 9), premises=[premises])
            self.assertIn('"Deviation (°C)"', raised.exception.message)

            for degrees in [Decimal(0), Decimal(-2)]:
                with self.assertRaises(ValidationError) as raised:
                    create_shortfall(
                        hot, 'water_temperature', T(2026, 4, 3, 8),
                        T(2026, 4, 3, 9), premises=[premises],
                        degrees=degrees)
                self.assertIn('"%s"' % degrees, raised.exception.message)
                self.assertIn('Hot Water Temperature Deviation',
                    raised.exception.message)

            with self.assertRaises(ValidationError) as raised:
                create_shortfall(
                    hot, 'interruption', T(2026, 4, 3, 8), T(2026, 4, 3, 9))
            self.assertIn('"Premises"', raised.exception.message)
