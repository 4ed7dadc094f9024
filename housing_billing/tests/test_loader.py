# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"The snapshot loader reads everything the kernel needs about an account."
import dataclasses
import datetime as dt
from decimal import Decimal

from trytond.modules.company.tests import create_company, set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction

from ..engine import snapshot as engine
from ..engine.params import Timeline
from ..engine.periods import Period
from ..loader import SnapshotLoader
from . import test_accrual
from .tools import HousingTestCase, compute, create_service, post

D = dt.date


def plain(value):
    """value with its Timelines as tuples of (from, value, to), which
    Timeline's own equality does not compare."""
    if isinstance(value, Timeline):
        return tuple((r.valid_from, r.value, r.valid_to) for r in value.rows)
    if dataclasses.is_dataclass(value):
        return {f.name: plain(getattr(value, f.name))
            for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return tuple(plain(v) for v in value)
    return value


def month(start, end, value):
    return (start, Decimal(value), end)


class SnapshotLoaderTestCase(HousingTestCase):
    "Test the snapshot loader"

    setup_building = test_accrual.HousingAccrualTestCase.setup_building
    setup_ledger = test_accrual.HousingAccrualTestCase.setup_ledger

    def add_electricity(self, account):
        "A two-zone meter with zone prices and a normative"
        pool = Pool()
        Tariff = pool.get('housing.tariff')
        Normative = pool.get('housing.normative')
        Meter = pool.get('housing.meter')
        Reading = pool.get('housing.meter.reading')
        ModelData = pool.get('ir.model.data')
        electricity = create_service('ELE', uom='product.uom_energy_kwh')
        pool.get('housing.service').write([electricity], {
                'resource': 'electricity'})
        Tariff.create([{
                    'service': electricity.id, 'structure': 'zones',
                    'date_from': D(2025, 1, 1),
                    'rates': [('create', [
                                {'zone': 'day', 'price': Decimal('7.45')},
                                {'zone': 'night', 'price': Decimal('3.72')},
                                {'price': Decimal('7.02')},
                                ])],
                    }])
        Normative.create([{
                    'service': electricity.id, 'kind': 'person',
                    'value': Decimal('70'),
                    'unit': ModelData.get_id('product', 'uom_energy_kwh'),
                    'date_from': D(2017, 1, 1),
                    }])
        pool.get('housing.account').write([account], {
                'services': [('create', [{
                                'service': electricity.id,
                                'date_from': D(2020, 1, 1)}])]})
        meter, = Meter.create([{
                    'service': electricity.id,
                    'building': account.premises.building.id,
                    'premises': account.premises.id,
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

    def add_owner_and_absences(self, account):
        pool = Pool()
        Owner = pool.get('housing.owner')
        Absence = pool.get('housing.absence')
        payer = account.payer_at(D(2026, 3, 1)).party
        Owner.create([{
                    'premises': account.premises.id, 'party': payer.id,
                    'date_from': D(2020, 1, 1),
                    }])
        resident, = [r for r in account.residents if r.party == payer]
        Absence.create([{
                    'resident': resident.id, 'reason': 'holiday',
                    'date_from': D(2026, 1, 2), 'date_to': D(2026, 1, 20),
                    }, {
                    'resident': resident.id, 'reason': 'business_trip',
                    'date_from': D(2026, 3, 5), 'date_to': D(2026, 3, 10),
                    }])
        return payer

    @with_transaction()
    def test_full_snapshot(self):
        "The snapshot of an account: every part, as the kernel gets it"
        pool = Pool()
        Run = pool.get('housing.accrual.run')
        company = create_company()
        with set_company(company):
            building, (metered, _) = self.setup_building()
            self.add_electricity(metered)
            self.setup_ledger(company)
            payer = self.add_owner_and_absences(metered)
            tenant, = [r.party for r in metered.residents
                if r.party != payer]
            # February posted: its volumes are March's history.
            february, = Run.create([{'period': D(2026, 2, 1)}])
            compute([february])
            post([february])

            snapshot = SnapshotLoader(company, Period(2026, 3)).load(
                [metered.id])[metered.id]
            # The Appendix 1 norms are the company's (test_shortfall.py).
            norms = Pool().get('housing.shortfall.norm').quality_norms(
                company)

        whole = (D(2026, 3, 1), D(2026, 3, 31))
        first, second = (D(2026, 3, 1), D(2026, 3, 15)), (
            D(2026, 3, 16), D(2026, 3, 31))
        cold, ele = "HVS", "ELE"
        self.assertEqual(plain(snapshot), plain(engine.PremisesSnapshot(
                    account='101',
                    period=Period(2026, 3),
                    area=Decimal('54.30'),
                    services=(
                        engine.Service(
                            code=cold, method='meter', resource='cold_water',
                            unit='m3', name_ru=cold, name_en=cold),
                        engine.Service(
                            code='SOD', method='area', resource='other',
                            unit='m2', name_ru='SOD', name_en='SOD'),
                        engine.Service(
                            code=ele, method='meter',
                            resource='electricity', unit='kwh',
                            name_ru=ele, name_en=ele),
                        ),
                    residential=True,
                    residents=(
                        engine.Resident(
                            person=str(tenant.id),
                            date_from=D(2026, 3, 12)),
                        engine.Resident(
                            person=str(payer.id),
                            date_from=D(2020, 1, 1)),
                        ),
                    owners_count=1,
                    absences=(engine.Absence(
                            person=str(payer.id), departure=D(2026, 3, 5),
                            arrival=D(2026, 3, 10)),),
                    meters=(
                        engine.Meter(
                            number='E-1', service=ele,
                            zones=('day', 'night'), digits=8,
                            installed_on=D(2024, 1, 10),
                            initial_readings=(
                                engine.Reading(
                                    Decimal('4000'), D(2024, 1, 10), 'day'),
                                engine.Reading(
                                    Decimal('1900'), D(2024, 1, 10),
                                    'night')),
                            readings=(
                                engine.Reading(
                                    Decimal('4510'), D(2026, 2, 20), 'day'),
                                engine.Reading(
                                    Decimal('1974'), D(2026, 2, 20),
                                    'night'),
                                engine.Reading(
                                    Decimal('4667'), D(2026, 3, 20), 'day'),
                                engine.Reading(
                                    Decimal('2036'), D(2026, 3, 20),
                                    'night')),
                            history=()),
                        engine.Meter(
                            number='M-1', service=cold, digits=5,
                            installed_on=D(2024, 1, 10),
                            initial_readings=(engine.Reading(
                                    Decimal('100'), D(2024, 1, 10)),),
                            readings=(
                                engine.Reading(
                                    Decimal('123.456'), D(2026, 2, 20)),
                                engine.Reading(
                                    Decimal('130.789'), D(2026, 3, 20))),
                            history=()),
                        ),
                    tariffs={
                        cold: Timeline.of([
                                month(first[0], first[1], '49.87'),
                                month(second[0], second[1], '50.87')]),
                        'SOD': Timeline.of([
                                month(first[0], first[1], '30.00'),
                                month(second[0], second[1], '31.00')]),
                        'ELE:day': Timeline.of([month(*whole, '7.45')]),
                        'ELE:night': Timeline.of([month(*whole, '3.72')]),
                        ele: Timeline.of([month(*whole, '7.02')]),
                        },
                    quality_norms=norms,
                    normatives={
                        cold: Timeline.of([month(*whole, '4.85')]),
                        ele: Timeline.of([month(*whole, '70')]),
                        },
                    building=engine.Building(
                        total_area=Decimal('1000'),
                        common_areas={'': Decimal('100')}),
                    )))
        # Read in February and March, the meters need no billed history;
        # without an April reading, the п. 59 average reads it.
        with set_company(company):
            april = SnapshotLoader(company, Period(2026, 4)).load(
                [metered.id])[metered.id]
        self.assertEqual(
            {m.service: plain(m.history) for m in april.meters},
            {cold: plain(HISTORY_COLD), ele: plain(HISTORY_ELE)})

    @with_transaction()
    def test_load_records_or_ids(self):
        "load takes the accounts or their ids, and only posted history"
        pool = Pool()
        Run = pool.get('housing.accrual.run')
        company = create_company()
        with set_company(company):
            _, accounts = self.setup_building()
            computed, = Run.create([{'period': D(2026, 2, 1)}])
            compute([computed])
            loader = SnapshotLoader(company, Period(2026, 3))
            by_record = loader.load(accounts)
            by_id = loader.load([a.id for a in accounts])
        self.assertEqual(set(by_id), {a.id for a in accounts})
        self.assertEqual(plain(by_record), plain(by_id))
        for snapshot in by_id.values():
            self.assertTrue(all(not m.history for m in snapshot.meters))


# The volumes the February run billed, by zone, as the п. 59 average reads
# them: the readings of 20.02 against the installation values.
HISTORY_ELE = (
    engine.PeriodVolume(Period(2026, 2), Decimal('510'), 'meter', 'day'),
    engine.PeriodVolume(Period(2026, 2), Decimal('74'), 'meter', 'night'),
    )
HISTORY_COLD = (
    engine.PeriodVolume(Period(2026, 2), Decimal('23.456'), 'meter', ''),
    )
