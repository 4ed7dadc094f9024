# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"An accrual run computes each account's month with the kernel."
import datetime as dt
from decimal import Decimal

from trytond.model.exceptions import ValidationError
from trytond.modules.account.tests import create_chart, get_fiscalyear
from trytond.modules.company.tests import create_company, set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction

from ..engine.lines import ChargeLine
from ..exceptions import AccrualError
from .tools import (
    HousingTestCase,
    compute,
    create_account,
    create_building,
    create_party,
    create_premises,
    create_service,
    post,
    run_queue,
)

D = dt.date


class HousingAccrualTestCase(HousingTestCase):
    "Test accrual runs"

    def setup_building(self):
        pool = Pool()
        Tariff = pool.get('housing.tariff')
        Normative = pool.get('housing.normative')
        Meter = pool.get('housing.meter')
        Reading = pool.get('housing.meter.reading')
        Resident = pool.get('housing.resident')
        ModelData = pool.get('ir.model.data')
        cold_water = create_service('HVS')
        Pool().get('housing.service').write([cold_water], {
                'resource': 'cold_water'})
        maintenance = create_service(
            'SOD', method='area', uom='product.uom_square_meter')
        for service, price in [(cold_water, '49.87'), (maintenance, '30.00')]:
            Tariff.create([{
                        'service': service.id, 'date_from': D(2025, 1, 1),
                        'date_to': D(2026, 3, 15),
                        'rates': [('create', [{'price': Decimal(price)}])],
                        }, {
                        'service': service.id, 'date_from': D(2026, 3, 16),
                        'rates': [('create', [
                                        {'price': Decimal(price) + 1}])],
                        }])
        Normative.create([{
                    'service': cold_water.id, 'kind': 'person',
                    'value': Decimal('4.85'),
                    'unit': ModelData.get_id('product', 'uom_cubic_meter'),
                    'date_from': D(2017, 1, 1),
                    }])
        building = create_building()
        metered = create_premises(
            building, '1', [(D(2020, 1, 1), Decimal('54.30'))])
        unmetered = create_premises(
            building, '2', [(D(2020, 1, 1), Decimal('40.00'))])
        accounts = []
        for number, premises in [('101', metered), ('102', unmetered)]:
            payer = create_party("Плательщик %s" % number)
            account = create_account(
                premises, number, [(D(2020, 1, 1), payer)])
            Pool().get('housing.account').write([account], {
                    'services': [('create', [
                                {'service': cold_water.id,
                                    'date_from': D(2020, 1, 1)},
                                {'service': maintenance.id,
                                    'date_from': D(2020, 1, 1)},
                                ])]})
            Resident.create([{
                        'account': account.id, 'party': payer.id,
                        'registered_from': D(2020, 1, 1),
                        }, {
                        'account': account.id,
                        'party': create_party("Жилец %s" % number).id,
                        'registered_from': D(2026, 3, 12),
                        }])
            accounts.append(account)
        meter, = Meter.create([{
                    'service': cold_water.id, 'building': building.id,
                    'premises': metered.id, 'serial_number': 'M-1',
                    'installation_date': D(2024, 1, 10),
                    'installation_value1': Decimal('100'),
                    }])
        Reading.create([{
                    'meter': meter.id, 'date': D(2026, 2, 20),
                    'value1': Decimal('123.456'),
                    }, {
                    'meter': meter.id, 'date': D(2026, 3, 20),
                    'value1': Decimal('130.789'),
                    }])
        return building, accounts

    @with_transaction()
    def test_compute_month(self):
        "Meter, normative and area charges of March 2026, split by tariff"
        pool = Pool()
        Run = pool.get('housing.accrual.run')
        company = create_company()
        with set_company(company):
            building, (metered, unmetered) = self.setup_building()
            run, = Run.create([{'period': D(2026, 3, 1)}])
            compute([run])

            self.assertEqual(run.state, 'computed')
            self.assertEqual(
                [a.message for a in run.anomalies if a.severity == 'error'],
                [])

            def amounts(account, code):
                return [c.amount for c in run.charges
                    if c.account == account and c.service.code == code]

            def money(value):
                return value.quantize(Decimal('0.01'))

            # 7.333 m³ split by days: 15/31 at 49.87 and 16/31 at 50.87.
            volume = Decimal('130.789') - Decimal('123.456')
            self.assertEqual(
                amounts(metered, 'HVS'), [
                    money(volume * 15 / 31 * Decimal('49.87')),
                    money(volume * 16 / 31 * Decimal('50.87'))])
            # No meter: 4.85 m³ a person; one person all month, the second
            # from the 12th: 19 person-days to the 15th, 32 after.
            self.assertEqual(
                amounts(unmetered, 'HVS'), [
                    money(Decimal('4.85') * 19 / 31 * Decimal('49.87')),
                    money(Decimal('4.85') * 32 / 31 * Decimal('50.87'))])
            self.assertEqual(
                amounts(metered, 'SOD'),
                [money(Decimal('54.30') * 15 / 31 * 30),
                    money(Decimal('54.30') * 16 / 31 * 31)])
            self.assertEqual(
                run.total, sum(c.amount for c in run.charges))
            self.assertEqual(
                {(t.service.code, t.accounts, t.amount)
                    for t in run.service_totals},
                {(code, 2, sum(c.amount for c in run.charges
                                if c.service.code == code))
                    for code in ['HVS', 'SOD']})
            self.assertEqual(
                [(t.building, t.accounts, t.amount)
                    for t in run.building_totals],
                [(building, 2, run.total)])
            explanation = [c.explanation_ru for c in run.charges
                if c.account == metered and c.service.code == 'HVS'][0]
            self.assertIn('123,456 → 130,789', explanation)

    @with_transaction()
    def test_recompute_replaces_lines(self):
        "Computing again replaces the lines; reset to draft clears them"
        pool = Pool()
        Run = pool.get('housing.accrual.run')
        company = create_company()
        with set_company(company):
            self.setup_building()
            run, = Run.create([{'period': D(2026, 3, 1)}])
            compute([run])
            count, total = len(run.charges), run.total
            compute([run])
            run = Run(run.id)
            self.assertEqual((len(run.charges), run.total), (count, total))
            Run.draft([run])
            self.assertEqual(len(Run(run.id).charges), 0)

    @with_transaction()
    def test_charges_naming_a_missing_record_are_refused(self):
        """The bulk writer checks the records the charges name (the charge
        table has no foreign keys on PostgreSQL) and writes nothing"""
        pool = Pool()
        Run = pool.get('housing.accrual.run')
        company = create_company()
        with set_company(company):
            self.setup_building()
            run, = Run.create([{'period': D(2026, 3, 1)}])
            compute([run])
            run = Run(run.id)
            count = len(run.charges)
            row = dict(Run.line_values(_line(run.charges[0])),
                run=run.id, account=run.charges[0].account.id,
                building=run.charges[0].building.id, period=run.period)
            missing = dict(row, account=10 ** 9)
            with self.assertRaises(AccrualError) as context:
                run.insert_charges([row, missing])
            self.assertIn(str(10 ** 9), str(context.exception))
            self.assertEqual(len(Run(run.id).charges), count)
            run.insert_charges([row])
            self.assertEqual(len(Run(run.id).charges), count + 1)

    @with_transaction()
    def test_missing_tariff_is_an_anomaly(self):
        "An account whose tariff is missing is named, the others computed"
        pool = Pool()
        Run = pool.get('housing.accrual.run')
        company = create_company()
        with set_company(company):
            self.setup_building()
            run, = Run.create([{'period': D(2024, 12, 1)}])
            compute([run])
            errors = [a for a in run.anomalies if a.severity == 'error']
            self.assertEqual(len(errors), 2)
            self.assertIn('HVS', errors[0].message)
            with self.assertRaises(AccrualError) as context:
                Run.post([run])
            self.assertIn('while 2 account(s)', str(context.exception))
            self.assertIn(errors[0].message, str(context.exception))
            self.assertEqual(Run(run.id).state, 'computed')

    @with_transaction()
    def test_electricity_refused_twice(self):
        """Electricity by normative takes the increasing coefficient from
        the month after the second refusal of access (domain spec §1.5)"""
        pool = Pool()
        Run = pool.get('housing.accrual.run')
        Tariff = pool.get('housing.tariff')
        Normative = pool.get('housing.normative')
        Coefficient = pool.get('housing.coefficient')
        Account = pool.get('housing.account')
        ModelData = pool.get('ir.model.data')
        company = create_company()
        with set_company(company):
            _, (_, unmetered) = self.setup_building()
            electricity = create_service(
                'ELE', uom='product.uom_energy_kwh')
            pool.get('housing.service').write([electricity], {
                    'resource': 'electricity'})
            Tariff.create([{
                        'service': electricity.id,
                        'date_from': D(2025, 1, 1),
                        'rates': [('create', [{'price': Decimal('7.02')}])],
                        }])
            Normative.create([{
                        'service': electricity.id, 'kind': 'person',
                        'value': Decimal('70'),
                        'unit': ModelData.get_id(
                            'product', 'uom_energy_kwh'),
                        'date_from': D(2017, 1, 1),
                        }])
            Coefficient.create([{
                        'resource': 'electricity',
                        'situation': 'double_refusal',
                        'value': Decimal('1.5'),
                        'date_from': D(2020, 7, 1),
                        }])
            Account.write([unmetered], {'services': [('create', [{
                                'service': electricity.id,
                                'date_from': D(2020, 1, 1),
                                'access_refused_twice': D(2026, 2, 10),
                                }])]})

            def charges(period):
                run, = Run.create([{'period': period}])
                compute([run])
                return [c for c in run.charges
                    if c.account == unmetered and c.service == electricity]

            # The month of the act: no coefficient; the next one: × 1.5
            february = charges(D(2026, 2, 1))
            self.assertTrue(february)
            self.assertEqual({c.coefficient for c in february}, {1})
            march = charges(D(2026, 3, 1))
            self.assertEqual({c.coefficient for c in march}, {Decimal('1.5')})
            self.assertEqual(sum(c.amount for c in march), (
                    Decimal(70) * 51 / 31 * Decimal('7.02')
                    * Decimal('1.5')).quantize(Decimal('0.01')))

    @with_transaction()
    def test_zone_tariff_with_single_price(self):
        "A two-zone meter bills by zone, a flat without at the single price"
        pool = Pool()
        Run = pool.get('housing.accrual.run')
        Tariff = pool.get('housing.tariff')
        Normative = pool.get('housing.normative')
        Meter = pool.get('housing.meter')
        Reading = pool.get('housing.meter.reading')
        Account = pool.get('housing.account')
        ModelData = pool.get('ir.model.data')
        company = create_company()
        with set_company(company):
            _, (metered, unmetered) = self.setup_building()
            electricity = create_service(
                'ELE', uom='product.uom_energy_kwh')
            pool.get('housing.service').write([electricity], {
                    'resource': 'electricity'})
            Tariff.create([{
                        'service': electricity.id, 'structure': 'zones',
                        'date_from': D(2025, 1, 1),
                        'rates': [('create', [
                                    {'zone': 'day', 'price': Decimal('7.45')},
                                    {'zone': 'night',
                                        'price': Decimal('3.72')},
                                    {'price': Decimal('7.02')},
                                    ])],
                        }])
            Normative.create([{
                        'service': electricity.id, 'kind': 'person',
                        'value': Decimal('70'),
                        'unit': ModelData.get_id(
                            'product', 'uom_energy_kwh'),
                        'date_from': D(2017, 1, 1),
                        }])
            for account in [metered, unmetered]:
                Account.write([account], {'services': [('create', [{
                                    'service': electricity.id,
                                    'date_from': D(2020, 1, 1)}])]})
            meter, = Meter.create([{
                        'service': electricity.id,
                        'building': metered.premises.building.id,
                        'premises': metered.premises.id,
                        'serial_number': 'E-1', 'zones': 2, 'digits': 8,
                        'installation_date': D(2024, 1, 10),
                        'installation_value1': Decimal('4000'),
                        'installation_value2': Decimal('1900'),
                        }])
            Reading.create([{
                        'meter': meter.id, 'date': D(2026, 2, 20),
                        'value1': Decimal('4510'), 'value2': Decimal('1974'),
                        }, {
                        'meter': meter.id, 'date': D(2026, 3, 20),
                        'value1': Decimal('4667'), 'value2': Decimal('2036'),
                        }])
            run, = Run.create([{'period': D(2026, 3, 1)}])
            compute([run])

            def amounts(account):
                return [(c.component, c.amount) for c in run.charges
                    if c.account == account and c.service == electricity]

            self.assertEqual(amounts(metered), [
                    ('day', Decimal('1169.65')),  # 157 kWh × 7.45
                    ('night', Decimal('230.64')),  # 62 kWh × 3.72
                    ])
            # 70 kWh × 51 person-days / 31 × 7.02
            self.assertEqual(
                [a for _, a in amounts(unmetered)],
                [(Decimal(70) * 51 / 31 * Decimal('7.02')).quantize(
                        Decimal('0.01'))])

    def setup_ledger(self, company):
        "A chart, the fiscal year 2026 and revenue accounts on the services"
        pool = Pool()
        Account = pool.get('account.account')
        Category = pool.get('product.category')
        Template = pool.get('product.template')
        Journal = pool.get('account.journal')
        Configuration = pool.get('housing.configuration')
        FiscalYear = pool.get('account.fiscalyear')
        create_chart(company)
        fiscalyear = get_fiscalyear(company, today=D(2026, 1, 1))
        fiscalyear.save()
        FiscalYear.create_period([fiscalyear])
        # The company's own: a chart of another company may be left in the
        # database by a test of an earlier class that committed.
        revenue, = Account.search([
                ('company', '=', company.id),
                ('type.revenue', '=', True), ('closed', '!=', True),
                ], limit=1)
        category, = Category.create([{
                    'name': "ЖКУ", 'accounting': True,
                    'account_revenue': revenue.id,
                    }])
        Template.write(Template.search([]), {'account_category': category.id})
        journal, = Journal.search([('type', '=', 'revenue')], limit=1)
        configuration = Configuration(1)
        configuration.accrual_journal = journal
        configuration.save()
        return revenue

    @with_transaction()
    def test_post_to_ledger(self):
        "Posting writes balanced moves: receivable per account, revenue"
        pool = Pool()
        Run = pool.get('housing.accrual.run')
        Line = pool.get('account.move.line')
        company = create_company()
        with set_company(company):
            building, accounts = self.setup_building()
            revenue = self.setup_ledger(company)
            run, = Run.create([{'period': D(2026, 3, 1)}])
            compute([run])
            post([run])

            run = Run(run.id)
            self.assertEqual(run.state, 'posted')
            move, = run.moves
            self.assertEqual(move.state, 'posted')
            self.assertEqual(move.date, D(2026, 3, 31))
            self.assertEqual(
                sum(line.debit for line in move.lines),
                sum(line.credit for line in move.lines))
            receivables = Line.search([('housing_account', '!=', None)])
            self.assertEqual(
                {(line.housing_account, line.party, line.debit)
                    for line in receivables},
                {(a, a.payer_at(D(2026, 3, 31)).party,
                        sum(c.amount for c in run.charges
                            if c.account == a))
                    for a in accounts})
            self.assertEqual(
                sum(line.credit for line in move.lines
                    if line.account == revenue), run.total)
            # The party's receivable is what the run charged it.
            payer = accounts[0].payer_at(D(2026, 3, 31)).party
            self.assertEqual(
                payer.receivable, sum(c.amount for c in run.charges
                    if c.account == accounts[0]))

    @with_transaction()
    def test_chunk_totals(self):
        "Post sums what the chunks added up, as SQL sums the charges"
        pool = Pool()
        Run = pool.get('housing.accrual.run')
        Chunk = pool.get('housing.accrual.chunk')
        company = create_company()
        with set_company(company):
            building, accounts = self.setup_building()
            self.setup_ledger(company)
            run, = Run.create([{'period': D(2026, 3, 1)}])
            compute([run])

            def sums(receivables, credits):
                return ({b: sorted(r) for b, r in receivables.items()},
                    {b: sorted((c.service.id, c.kind, c.amount) for c in cs)
                        for b, cs in credits.items()})
            self.assertTrue(all(c.totals for c in run.chunks))
            by_chunks = run.chunk_sums(run.chunk_totals())
            self.assertEqual(sums(*by_chunks), sums(*run.summed_charges()))
            self.assertEqual(sums(*run.charge_sums()),
                sums(*run.summed_charges()))
            self.assertEqual(
                sum(r.amount for rs in by_chunks[0].values()
                    for r in rs), run.total)
            # A run computed before the chunks kept totals posts from SQL.
            Chunk.write(list(run.chunks), {'totals': None})
            run = Run(run.id)
            self.assertFalse(any(c.totals for c in run.chunks))
            self.assertEqual(sums(*run.charge_sums()),
                sums(*run.summed_charges()))
            post([run])
            self.assertEqual(Run(run.id).state, 'posted')

    @with_transaction()
    def test_post_by_building(self):
        """Each building's move is written by a queue task as a draft; a
        building that fails leaves nothing and its error, Resume writes it
        again, and the moves are numbered and posted together"""
        pool = Pool()
        Run = pool.get('housing.accrual.run')
        Move = pool.get('account.move')
        Payer = pool.get('housing.account.payer')
        company = create_company()
        with set_company(company):
            building, accounts = self.setup_building()
            self.setup_ledger(company)
            other = create_building("ул. Лесная, д. 2")
            premises = create_premises(
                other, '1', [(D(2020, 1, 1), Decimal('30.00'))])
            # Its payer only from April: March cannot be posted for it.
            newcomer = create_account(premises, '201', [
                    (D(2026, 4, 1), create_party("Плательщик 201"))])
            services = [s.service for s in accounts[0].services]
            pool.get('housing.account').write([newcomer], {
                    'services': [('create', [
                                {'service': s.id, 'date_from': D(2020, 1, 1)}
                                for s in services])]})
            run, = Run.create([{'period': D(2026, 3, 1)}])
            compute([run])

            def moves():
                return Move.search([('origin', '=', str(run))],
                    order=[('id', 'ASC')])

            def chunk_of(building):
                chunk, = [c for c in Run(run.id).chunks
                    if c.building == building]
                return chunk
            Run.post([run])
            self.assertEqual(Run(run.id).state, 'posting')
            self.assertEqual(moves(), [])
            run_queue()
            run = Run(run.id)
            self.assertEqual(run.state, 'posting')
            self.assertEqual(run.progress, 0.5)
            written, = moves()
            self.assertEqual(written.state, 'draft')
            self.assertEqual(chunk_of(building).state, 'posted')
            self.assertEqual(chunk_of(building).move, written)
            failed = chunk_of(other)
            self.assertEqual(failed.state, 'done')
            self.assertIsNone(failed.move)
            self.assertIn('201', failed.error)
            self.assertIn('2026-03-31', failed.error)

            # Set back, the run leaves no move behind.
            Run.draft([run])
            self.assertEqual(moves(), [])
            compute([run])
            post([run])
            self.assertEqual(Run(run.id).state, 'posting')
            self.assertEqual(len(moves()), 1)

            Payer.write(list(newcomer.payers), {'date_from': D(2020, 1, 1)})
            Run.resume([run])
            run_queue()
            run = Run(run.id)
            self.assertEqual(run.state, 'posted')
            self.assertEqual(run.progress, 1)
            self.assertFalse(any(c.error for c in run.chunks))
            first, second = moves()
            self.assertEqual({first.state, second.state}, {'posted'})
            self.assertEqual(
                {chunk_of(building).move, chunk_of(other).move},
                {first, second})
            # Numbered by building as before, not in the order written.
            self.assertIn(building.rec_name, first.description)
            self.assertIn(other.rec_name, second.description)
            self.assertLess(int(second.number), int(first.number))
            run.check_ledger()

    @with_transaction()
    def test_post_once(self):
        "A period and scope is posted once; a run with errors not at all"
        pool = Pool()
        Run = pool.get('housing.accrual.run')
        company = create_company()
        with set_company(company):
            building, _ = self.setup_building()
            self.setup_ledger(company)
            first, second, partial = Run.create([
                    {'period': D(2026, 3, 1)},
                    {'period': D(2026, 3, 1)},
                    {'period': D(2026, 3, 1),
                        'buildings': [('add', [building.id])]},
                    ])
            compute([first, second, partial])
            post([first])
            for run in [second, partial]:
                with self.assertRaises(ValidationError):
                    Run.post([run])
            broken, = Run.create([{'period': D(2024, 12, 1)}])
            compute([broken])
            with self.assertRaises(ValidationError):
                Run.post([broken])


def _line(charge):
    "The kernel's line of a stored charge"
    return ChargeLine(
        service=charge.service.code, method=charge.method,
        quantity=charge.quantity, unit=charge.unit, tariff=charge.tariff,
        amount=charge.amount, kind=charge.kind, period=None,
        explanation_ru=charge.explanation_ru,
        explanation_en=charge.explanation_en)
