# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"What was true on a past date: areas, owners, residents, payers, tariffs."
import datetime as dt
from decimal import Decimal

from sql import Column
from trytond.modules.company.tests import create_company, set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from .tools import (
    HousingTestCase,
    create_account,
    create_building,
    create_party,
    create_premises,
    create_service,
)

D = dt.date


class HousingDatedTestCase(HousingTestCase):
    "Test point-in-time queries"

    @with_transaction()
    def test_premises_area_on_date(self):
        "The area in force on a date, read directly or through the context"
        pool = Pool()
        Premises = pool.get('housing.premises')
        company = create_company()
        with set_company(company):
            building = create_building()
            flat = create_premises(building, '1', [
                    (D(2020, 1, 1), Decimal('54.90')),
                    (D(2025, 3, 1), Decimal('54.30')),
                    ])

            self.assertIsNone(flat.area_at(D(2019, 12, 31)))
            self.assertEqual(
                flat.area_at(D(2025, 2, 28)).total_area, Decimal('54.90'))
            self.assertEqual(
                flat.area_at(D(2025, 3, 1)).total_area, Decimal('54.30'))
            with Transaction().set_context(date=D(2024, 6, 1)):
                self.assertEqual(
                    Premises(flat.id).total_area, Decimal('54.90'))
            with Transaction().set_context(date=D(2025, 3, 15)):
                self.assertEqual(
                    Premises(flat.id).total_area, Decimal('54.30'))

    @with_transaction()
    def test_owners_residents_payers_on_date(self):
        "Who owned, lived in and paid for the flat on 2025-03-15"
        pool = Pool()
        Owner = pool.get('housing.owner')
        Resident = pool.get('housing.resident')
        Absence = pool.get('housing.absence')
        company = create_company()
        with set_company(company):
            building = create_building()
            flat = create_premises(
                building, '7', [(D(2020, 1, 1), Decimal('40'))])
            seller = create_party("Продавцов П. П.")
            buyer = create_party("Покупателев К. К.")
            tenant = create_party("Жильцов Ж. Ж.")
            Owner.create([{
                        'premises': flat.id, 'party': seller.id,
                        'date_from': D(2020, 1, 1),
                        'date_to': D(2025, 3, 14),
                        }, {
                        'premises': flat.id, 'party': buyer.id,
                        'date_from': D(2025, 3, 15),
                        }])
            account = create_account(flat, '100', [
                    (D(2020, 1, 1), seller), (D(2025, 3, 15), buyer)])
            moved_out, moved_in = Resident.create([{
                        'account': account.id, 'party': seller.id,
                        'registered_from': D(2020, 1, 1),
                        'registered_to': D(2025, 3, 14),
                        }, {
                        'account': account.id, 'party': tenant.id,
                        'registered_from': D(2025, 3, 10),
                        'kind': 'temporary',
                        }])
            Absence.create([{
                        'resident': moved_in.id, 'reason': 'study',
                        'date_from': D(2025, 4, 1),
                        'date_to': D(2025, 4, 20),
                        }])

            def names(records):
                return sorted(r.party.name for r in records)

            self.assertEqual(
                names(flat.owners_at(D(2025, 3, 14))), [seller.name])
            self.assertEqual(
                names(flat.owners_at(D(2025, 3, 15))), [buyer.name])
            self.assertEqual(
                names(account.residents_at(D(2025, 3, 12))),
                sorted([seller.name, tenant.name]))
            self.assertEqual(
                names(account.residents_at(D(2025, 3, 15))), [tenant.name])
            self.assertEqual(
                names(flat.residents_at(D(2019, 12, 31))), [])
            self.assertEqual(
                account.payer_at(D(2025, 3, 14)).party, seller)
            self.assertEqual(account.payer_at(D(2025, 3, 15)).party, buyer)
            # Neither the day of departure nor that of arrival is absent.
            self.assertFalse(moved_in.absent_on(D(2025, 4, 1)))
            self.assertTrue(moved_in.absent_on(D(2025, 4, 2)))
            self.assertTrue(moved_in.absent_on(D(2025, 4, 19)))
            self.assertFalse(moved_in.absent_on(D(2025, 4, 20)))
            self.assertEqual(moved_in.absences[0].full_days, 18)

    @with_transaction()
    def test_history_keeps_the_previous_value(self):
        "Changing a record keeps what it was, readable at a past time"
        pool = Pool()
        Building = pool.get('housing.building')
        company = create_company()
        with set_company(company):
            building = create_building(address="ул. Старая, д. 1")
            Building.write([building], {'address': "ул. Новая, д. 1"})
            history = Building.__table_history__()
            cursor = Transaction().connection.cursor()
            cursor.execute(*history.select(
                    history.address, where=history.id == building.id,
                    order_by=Column(history, '__id').asc))
            self.assertEqual(
                [a for a, in cursor],
                ["ул. Старая, д. 1", "ул. Новая, д. 1"])

    @with_transaction()
    def test_tariff_most_specific_wins(self):
        "The premises' tariff beats the building's, which beats the company's"
        pool = Pool()
        Tariff = pool.get('housing.tariff')
        company = create_company()
        with set_company(company):
            service = create_service('HVS')
            building = create_building()
            other = create_building(address="ул. Другая, д. 2")
            flat = create_premises(
                building, '1', [(D(2020, 1, 1), Decimal('50'))])
            neighbour = create_premises(
                building, '2', [(D(2020, 1, 1), Decimal('50'))])
            elsewhere = create_premises(
                other, '1', [(D(2020, 1, 1), Decimal('50'))])

            def tariff(price, date_from, date_to=None, **scope):
                record, = Tariff.create([{
                            'service': service.id,
                            'date_from': date_from, 'date_to': date_to,
                            'rates': [('create', [
                                        {'price': Decimal(price)}])],
                            **{k: v.id for k, v in scope.items()},
                            }])
                return record

            tariff('49.87', D(2025, 1, 1), D(2025, 6, 30))
            tariff('52.11', D(2025, 7, 1))
            tariff('51.00', D(2025, 7, 1), building=building)
            tariff('10.00', D(2025, 8, 1), D(2025, 8, 31),
                building=building, premises=flat)

            def price(premises, date):
                return Tariff.find(service, premises, date).price()

            self.assertEqual(price(flat, D(2025, 6, 30)), Decimal('49.87'))
            self.assertEqual(price(flat, D(2025, 7, 1)), Decimal('51.00'))
            self.assertEqual(price(flat, D(2025, 8, 15)), Decimal('10.00'))
            self.assertEqual(price(flat, D(2025, 9, 1)), Decimal('51.00'))
            self.assertEqual(
                price(neighbour, D(2025, 8, 15)), Decimal('51.00'))
            self.assertEqual(
                price(elsewhere, D(2025, 8, 15)), Decimal('52.11'))
            self.assertIsNone(Tariff.find(service, flat, D(2024, 12, 31)))

    @with_transaction()
    def test_normative_building_override(self):
        "A building's own normative beats the general one while in force"
        pool = Pool()
        Normative = pool.get('housing.normative')
        ModelData = pool.get('ir.model.data')
        company = create_company()
        with set_company(company):
            service = create_service('HVS')
            building = create_building()
            unit = ModelData.get_id('product', 'uom_cubic_meter')
            Normative.create([{
                        'service': service.id, 'kind': 'person',
                        'value': Decimal('4.85'), 'unit': unit,
                        'date_from': D(2017, 1, 1),
                        }, {
                        'service': service.id, 'kind': 'person',
                        'value': Decimal('3.50'), 'unit': unit,
                        'building': building.id,
                        'date_from': D(2025, 1, 1),
                        'date_to': D(2025, 12, 31),
                        }])

            def value(date):
                return Normative.find(
                    service, 'person', building, date).value

            self.assertEqual(value(D(2024, 12, 31)), Decimal('4.85'))
            self.assertEqual(value(D(2025, 1, 1)), Decimal('3.50'))
            self.assertEqual(value(D(2026, 1, 1)), Decimal('4.85'))

