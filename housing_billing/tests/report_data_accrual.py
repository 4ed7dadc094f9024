# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""Known data for the reports of groups A, D and E: one building with an
ОДПУ of cold water, two metered accounts and КР на СОИ, January and
February 2026 computed and posted, a January reading corrected after
posting and a shortfall in February."""
import datetime as dt
from collections import defaultdict
from decimal import Decimal
from io import BytesIO

from pypdf import PdfReader
from trytond.pool import Pool
from trytond.transaction import Transaction

from . import test_accrual
from . import test_building_methods as methods
from .test_shortfall import create_shortfall
from .tools import create_party

D = dt.date
JANUARY = D(2026, 1, 1)
FEBRUARY = D(2026, 2, 1)


def pdf_text(content):
    reader = PdfReader(BytesIO(content))
    return '\n'.join(page.extract_text() for page in reader.pages)


def report_context(company, period_from, period_to=None, **values):
    return Transaction().set_context(
        company=company.id, period_from=period_from,
        period_to=period_to or period_from, **values)


class ReportData:
    "Builders borrowed from the tests of the building-level methods"
    _methods = methods.BuildingMethodsTestCase.__dict__
    building = _methods['building']
    service = _methods['service']
    soi_house = _methods['soi_house']
    tariff = _methods['tariff']
    normative = _methods['normative']
    account = _methods['account']
    meter = _methods['meter']
    accrue = _methods['accrue']
    setup_ledger = test_accrual.HousingAccrualTestCase.setup_ledger
    del _methods

    def build(self, company):
        """January: ИПУ 7.333 m³ (101), 1 222.467 m³ (102 and 103),
        ОДПУ 1 250 m³; February: 10 m³ (101), a reading of 102 after its
        verification date (not used), no reading for 103 (both billed by
        the normative of their one resident), ОДПУ 1 240 m³,
        20 hours without cold water in the building; the January reading
        of 101 corrected by +1 m³ after posting."""
        pool = Pool()
        Meter = pool.get('housing.meter')
        Reading = pool.get('housing.meter.reading')
        Run = pool.get('housing.accrual.run')
        building, accounts = self.soi_house('1229.800', others=[
                ('102', methods.S_OB - methods.S_I - 60),
                ('103', Decimal(60))])
        Service = pool.get('housing.service')
        cold, = Service.search([('code', '=', 'HVS')])
        self.normative(cold, 'person', '4.85')
        self.setup_ledger(company)
        # Cold water collected for the supplier (agent scheme)
        Service.write([cold], {
                'kind': 'agent',
                'supplier': create_party("Водоканал").id,
                })
        # One person registered in 102 and 103: the fall-backs bill them
        Resident = pool.get('housing.resident')
        Resident.create([{
                    'account': a.id, 'party': a.payers[0].party.id,
                    'registered_from': D(2020, 1, 1),
                    } for a in accounts[1:]])
        meters = {}
        for meter in Meter.search([]):
            number = (meter.premises.accounts[0].number if meter.premises
                else 'ODPU')
            meters[number] = meter
        Meter.write([meters['101']], {'verification_due': D(2026, 3, 15)})
        Meter.write([meters['102']], {'verification_due': D(2026, 2, 10)})
        Meter.write([meters['103']], {'verification_due': D(2026, 4, 30)})
        january = self.accrue(JANUARY, post=True)
        reading, = Reading.search([
                ('meter', '=', meters['101'].id),
                ('date', '=', D(2026, 1, 20))])
        Reading.write([reading], {'value1': Decimal('131.789')})
        Reading.create([{
                    'meter': meters['101'].id, 'date': D(2026, 2, 20),
                    'value1': Decimal('141.789'),
                    }, {
                    'meter': meters['102'].id, 'date': D(2026, 2, 20),
                    'value1': Decimal('2300'),
                    }, {
                    'meter': meters['ODPU'].id, 'date': D(2026, 2, 28),
                    'value1': Decimal('12490'),
                    }])
        shortfall = create_shortfall(
            cold, 'interruption', dt.datetime(2026, 2, 10, 8),
            dt.datetime(2026, 2, 11, 4), buildings=[building])
        february = self.accrue(FEBRUARY, post=True)
        return {
            'building': building,
            'accounts': {a.number: a for a in accounts},
            'meters': meters,
            'cold': cold,
            'supplier': cold.supplier,
            'soi': [c.service for c in january.charges
                if c.service.method == 'common_property'][0],
            'shortfall': shortfall,
            'runs': {JANUARY: Run(january.id), FEBRUARY: Run(february.id)},
            }


def charge_sums(runs, key, amount=lambda c: c.amount, where=None):
    "{key(charge): Σ amount(charge)} of the charges of runs"
    result = defaultdict(Decimal)
    for run in runs:
        for charge in run.charges:
            if where is None or where(charge):
                result[key(charge)] += amount(charge)
    return dict(result)


def credit(run):
    "The credit side of a run's posted moves"
    return sum(
        (line.credit for move in run.moves for line in move.lines),
        Decimal(0))
