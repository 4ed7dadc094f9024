# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""A small house for the stock, management and regulatory reports and the
legal entity invoices: two flats and an office of a company, owners,
residents, one month charged by area (42.00 ₽/m²) and posted, payments.

November 2025: flat 1 (100 m²) 4 200.00, flat 2 (50 m²) 2 100.00, the
office (50 m², a legal entity) 2 100.00: 8 400.00 in all."""
import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

from trytond.pool import Pool

from .penalty_tools import ledger_account, pay, run_month, setup_ledger
from .tools import create_party, create_service

D = dt.date
NOVEMBER = D(2025, 11, 1)
DECEMBER = D(2025, 12, 1)


def set_invoice_sequences(company):
    "The customer invoice numbers of the fiscal years, as an admin sets them"
    pool = Pool()
    FiscalYear = pool.get('account.fiscalyear')
    Sequence = pool.get('ir.sequence.strict')
    SequenceType = pool.get('ir.sequence.type')
    InvoiceSequence = pool.get('account.fiscalyear.invoice_sequence')
    sequence_type, = SequenceType.search([('name', '=', "Invoice")], limit=1)
    for fiscalyear in FiscalYear.search([('company', '=', company.id)]):
        sequence, = Sequence.create([{
                    'name': fiscalyear.name,
                    'sequence_type': sequence_type.id,
                    'company': company.id,
                    'prefix': 'А-',
                    }])
        InvoiceSequence.create([{
                    'fiscalyear': fiscalyear.id,
                    'company': company.id,
                    'out_invoice_sequence': sequence.id,
                    'out_credit_note_sequence': sequence.id,
                    'in_invoice_sequence': sequence.id,
                    'in_credit_note_sequence': sequence.id,
                    }])


def build_house(company, post=True, pay_december=True):
    "The house, its month of November 2025 posted and December's payments"
    pool = Pool()
    Building = pool.get('housing.building')
    Premises = pool.get('housing.premises')
    Account = pool.get('housing.account')
    Service = pool.get('housing.service')
    Tariff = pool.get('housing.tariff')
    Party = pool.get('party.party')
    setup_ledger(company, [2025, 2026])
    set_invoice_sequences(company)
    maintenance = create_service(
        'SOD', method='area', uom='product.uom_square_meter')
    Service.write([maintenance], {
            'name': "Содержание жилого помещения",
            'kind': 'maintenance',
            'credit_account': ledger_account('90.01').id})
    Tariff.create([{
                'service': maintenance.id, 'date_from': D(2025, 1, 1),
                'rates': [('create', [{'price': Decimal('42.00')}])],
                }])
    building, = Building.create([{
                'address': "ул. Ленина, д. 7",
                'management_start': D(2020, 1, 1),
                'year_built': 1975, 'floors': 5, 'entrances': 2,
                'gis_code': 'ГИС-7',
                'areas': [('create', [{
                                'date_from': D(2020, 1, 1),
                                'total_area': Decimal('200'),
                                'residential_area': Decimal('150'),
                                'non_residential_area': Decimal('50'),
                                'common_area': Decimal('30'),
                                }])],
                }])

    def premises(number, kind, area, living, rooms, entrance):
        record, = Premises.create([{
                    'building': building.id, 'number': number, 'kind': kind,
                    'rooms': rooms, 'entrance': entrance,
                    'areas': [('create', [{
                                    'date_from': D(2020, 1, 1),
                                    'total_area': Decimal(area),
                                    'living_area': (Decimal(living)
                                        if living else None),
                                    }])],
                    }])
        return record
    flat1 = premises('1', 'apartment', '100', '60', 3, 1)
    flat2 = premises('2', 'apartment', '50', '30', 1, 2)
    office = premises('Н1', 'non_residential', '50', None, None, 1)

    ivanov = create_party("Иванов Иван Иванович")
    ivanova = create_party("Иванова Мария Петровна")
    petrov = create_party("Петров Пётр Петрович")
    sidorov = create_party("Сидоров Сидор Сидорович")
    romashka, = Party.create([{
                'name': "ООО «Ромашка»",
                'identifiers': [('create', [{
                                'type': 'ru_vat', 'code': '7707083893'}])],
                'addresses': [('create', [{
                                'street': "ул. Ленина, д. 7, пом. Н1",
                                'city': "Москва"}])],
                }])

    def account(number, record, payer, legal=False):
        created, = Account.create([{
                    'number': number, 'premises': record.id,
                    'opened': D(2020, 1, 1), 'legal_entity': legal,
                    'payers': [('create', [{
                                    'party': payer.id,
                                    'date_from': D(2020, 1, 1)}])],
                    'services': [('create', [{
                                    'service': maintenance.id,
                                    'date_from': D(2020, 1, 1)}])],
                    }])
        return created
    account1 = account('100001', flat1, ivanov)
    account2 = account('100002', flat2, petrov)
    account3 = account('100003', office, romashka, legal=True)

    Owner = pool.get('housing.owner')
    Owner.create([{
                'premises': flat1.id, 'party': ivanov.id,
                'share_numerator': 1, 'share_denominator': 2,
                'date_from': D(2015, 3, 1), 'document_kind': 'egrn',
                'document_number': '77-01/001', 'document_date': D(2015, 3, 1),
                }, {
                'premises': flat1.id, 'party': ivanova.id,
                'share_numerator': 1, 'share_denominator': 2,
                'date_from': D(2015, 3, 1), 'document_kind': 'egrn',
                'document_number': '77-01/002', 'document_date': D(2015, 3, 1),
                }, {
                'premises': flat2.id, 'party': petrov.id,
                'date_from': D(2018, 6, 1), 'document_kind': 'contract',
                'document_number': 'ДКП-18', 'document_date': D(2018, 6, 1),
                }, {
                'premises': office.id, 'party': romashka.id,
                'date_from': D(2019, 1, 1), 'document_kind': 'egrn',
                'document_number': '77-01/777', 'document_date': D(2019, 1, 1),
                }])

    Resident = pool.get('housing.resident')
    Resident.create([{
                'account': account1.id, 'party': ivanov.id,
                'registered_from': D(2015, 3, 1),
                }, {
                'account': account1.id, 'party': ivanova.id,
                'registered_from': D(2015, 3, 1),
                'absences': [('create', [{
                                'date_from': D(2025, 11, 10),
                                'date_to': D(2025, 11, 25),
                                'reason': 'holiday',
                                }])],
                }, {
                'account': account1.id, 'party': sidorov.id,
                'kind': 'temporary',
                'registered_from': D(2025, 11, 16),
                'registered_to': D(2026, 2, 28),
                }, {
                'account': account2.id, 'party': petrov.id,
                'registered_from': D(2018, 6, 1),
                }])

    run = run_month(NOVEMBER, post=post)
    payments = []
    if post and pay_december:
        payments.append(pay(account1, D(2025, 12, 5), '4200.00', NOVEMBER))
        payments.append(pay(account2, D(2025, 12, 8), '1000.00', NOVEMBER))
    return SimpleNamespace(
        building=building, flats=[flat1, flat2], office=office,
        accounts=[account1, account2, account3], service=maintenance,
        run=run, payments=payments, parties=SimpleNamespace(
            ivanov=ivanov, ivanova=ivanova, petrov=petrov,
            sidorov=sidorov, romashka=romashka))
