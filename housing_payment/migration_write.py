# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""The import of a checked migration: the rows of each file created
through the ORM in batches, in the order the files refer to each other,
then the opening balances posted to the ledger in bulk (MoveWriter), one
move per building."""
from collections import defaultdict
from decimal import Decimal

from trytond.i18n import gettext
from trytond.pool import Pool
from trytond.tools import grouped_slice

from housing_billing.move_writer import (
    LineSpec,
    MoveSpec,
    MoveWriter,
)
from housing_billing.receivable import receivable_accounts

from .migration_check import ZONES, key

BATCH = 1000
ZERO = Decimal('0.00')


def create(model, vlist):
    "The ids of the records created from vlist, BATCH at a time."
    Model = Pool().get(model)
    ids = []
    for batch in grouped_slice(vlist, BATCH):
        ids.extend(r.id for r in Model.create(list(batch)))
    return ids


class Writer:
    "Writes the rows of a Checker that found no problem."

    def __init__(self, migration, checker):
        self.migration = migration
        self.company = migration.company
        self.rows = checker.rows
        self.existing = checker.existing
        self.counts = {}

    def write(self):
        if self.rows['balances']:
            self.open_journal_period()
        self.parties = self.create_parties()
        self.buildings = self.create_buildings()
        self.premises = self.create_premises()
        self.accounts = self.create_accounts()
        self.create_owners()
        self.create_residents()
        self.create_meters()
        self.create_balances()
        return self.counts

    def created(self, kind, model, vlist):
        ids = create(model, vlist)
        self.counts[kind] = len(ids)
        return ids

    def create_parties(self):
        "One party per distinct name of the payers, owners and residents."
        names = sorted(
            {r['payer'] for r in self.rows['accounts']}
            | {r['owner'] for r in self.rows['owners']}
            | {r['person'] for r in self.rows['residents']})
        ids = self.created('parties', 'party.party',
            [{'name': n} for n in names])
        return dict(zip(names, ids))

    def create_buildings(self):
        rows = self.rows['buildings']
        ids = self.created('buildings', 'housing.building', [{
                    'company': self.company.id,
                    'address': r['address'],
                    'fias_code': r['fias_code'],
                    'gis_code': r['gis_code'],
                    'year_built': r['year_built'],
                    'floors': r['floors'],
                    'entrances': r['entrances'],
                    'management_start': r['management_start'],
                    'areas': [('create', [{
                                    'date_from': r['management_start'],
                                    'total_area': r['total_area'],
                                    'residential_area': r['residential_area'],
                                    'non_residential_area': (
                                        r['non_residential_area'] or 0),
                                    'common_area': r['common_area'] or 0,
                                    }])],
                    } for r in rows])
        buildings = {k: i for k, (i, _) in self.existing.buildings.items()}
        buildings.update(
            (key(r['address']), i) for r, i in zip(rows, ids))
        return buildings

    def create_premises(self):
        rows = self.rows['premises']
        ids = self.created('premises', 'housing.premises', [{
                    'building': self.buildings[key(r['building'])],
                    'number': r['number'],
                    'entrance': r['entrance'],
                    'floor': r['floor'],
                    'kind': r['kind'],
                    'rooms': r['rooms'],
                    'ownership_form': r['ownership'],
                    'areas': [('create', [{
                                    'date_from': r['_start'],
                                    'total_area': r['total_area'],
                                    'living_area': r['living_area'],
                                    }])],
                    } for r in rows])
        premises = dict(self.existing.premises)
        premises.update(
            ((self.buildings[key(r['building'])], key(r['number'])), i)
            for r, i in zip(rows, ids))
        return premises

    def premises_of(self, row):
        return self.premises[
            (self.buildings[key(row['building'])], key(row['premises']))]

    def create_accounts(self):
        rows = self.rows['accounts']
        ids = self.created('accounts', 'housing.account', [{
                    'company': self.company.id,
                    'number': r['number'],
                    'premises': self.premises_of(r),
                    'opened': r['opened'],
                    'closed': r['closed'],
                    'share_numerator': r['share'].numerator,
                    'share_denominator': r['share'].denominator,
                    'payers': [('create', [{
                                    'party': self.parties[r['payer']],
                                    'date_from': r['opened'],
                                    }])],
                    } for r in rows])
        return {key(r['number']): (i, r) for r, i in zip(rows, ids)}

    def create_owners(self):
        self.created('owners', 'housing.owner', [{
                    'premises': self.premises_of(r),
                    'party': self.parties[r['owner']],
                    'share_numerator': r['share'].numerator,
                    'share_denominator': r['share'].denominator,
                    'date_from': r['date_from'],
                    'date_to': r['date_to'],
                    'document_kind': r['document_kind'],
                    'document_number': r['document_number'],
                    'document_date': r['document_date'],
                    } for r in self.rows['owners']])

    def create_residents(self):
        self.created('residents', 'housing.resident', [{
                    'account': self.accounts[key(r['account'])][0],
                    'party': self.parties[r['person']],
                    'kind': r['kind'],
                    'registered_from': r['registered_from'],
                    'registered_to': r['registered_to'],
                    } for r in self.rows['residents']])

    def create_meters(self):
        rows = self.rows['meters']
        ids = self.created('meters', 'housing.meter',
            [self.meter_values(r) for r in rows])
        self.created('readings', 'housing.meter.reading', [
                self.reading_values(r, i) for r, i in zip(rows, ids)
                if r['reading_date']])

    def meter_values(self, row):
        values = {
            'kind': 'individual' if row['premises'] else 'common_house',
            'service': self.existing.services[key(row['service'])],
            'building': self.buildings[key(row['building'])],
            'premises': self.premises_of(row) if row['premises'] else None,
            'serial_number': row['serial_number'],
            'zones': row['zones'],
            'digits': row['digits'],
            'installation_date': row['installation_date'],
            'verification_due': row['verification_due'],
            'seal_number': row['seal_number'],
            }
        for zone in ZONES[:row['zones']]:
            name = 'installation_value%s' % zone
            values[name] = row[name] or Decimal(0)
        return values

    @staticmethod
    def reading_values(row, meter):
        values = {'meter': meter, 'date': row['reading_date'],
            'source': 'import'}
        for zone in ZONES[:row['zones']]:
            values['value%s' % zone] = row['reading_value%s' % zone]
        return values

    # Opening balances

    def open_journal_period(self):
        """The journal's period created and the move sequence locked
        before anything else is written: Tryton restarts the transaction
        for each lock it lacks, better before the work than after."""
        pool = Pool()
        Period = pool.get('account.period')
        Line = pool.get('account.move.line')
        migration = self.migration
        period = Period.find(self.company, date=migration.balance_date)
        Line.check_journal_period_modify(period, migration.journal)
        period.move_sequence_used.lock()

    def create_balances(self):
        rows = self.rows['balances']
        if not rows:
            return
        self.created('balances', 'housing.migration.balance', [{
                    'migration': self.migration.id,
                    'account': self.accounts[key(r['account'])][0],
                    'period': r['period'],
                    'service': (self.existing.services[key(r['service'])]
                        if r['service'] else None),
                    'amount': r['amount'],
                    } for r in rows])
        specs = self.move_specs(rows)
        MoveWriter().write(specs)
        self.counts['moves'] = len(specs)

    def move_specs(self, rows):
        "One move per building: a receivable line per account and period."
        net = defaultdict(lambda: ZERO)
        for row in rows:
            net[(key(row['account']), row['period'])] += row['amount']
        by_building = defaultdict(list)
        for (account_key, period), amount in sorted(net.items()):
            if amount:
                account_id, row = self.accounts[account_key]
                building = self.buildings[key(row['building'])]
                by_building[building].append(
                    (account_id, row, period, amount))
        receivables = self.receivables()
        return [self.move_spec(lines, receivables)
            for _, lines in sorted(by_building.items())]

    def receivables(self):
        "{party id: receivable account id} of the payers on the date."
        parties = {self.parties[r['payer']] for r in self.rows['accounts']}
        return receivable_accounts(
            parties, self.company.id, self.migration.balance_date)

    def move_spec(self, lines, receivables):
        Period = Pool().get('account.period')
        migration = self.migration
        specs = []
        for account_id, row, period, amount in lines:
            party = self.parties[row['payer']]
            specs.append(LineSpec(
                    account=receivables[party],
                    debit=max(amount, ZERO), credit=max(-amount, ZERO),
                    party=party, housing_account=account_id,
                    description=gettext(
                        'housing_payment.msg_migration_line_description',
                        period=period.strftime('%m.%Y'))))
        debit = sum((s.debit for s in specs), ZERO)
        credit = sum((s.credit for s in specs), ZERO)
        counterpart = migration.counterpart_account.id
        if debit:
            specs.append(LineSpec(account=counterpart, credit=debit))
        if credit:
            specs.append(LineSpec(account=counterpart, debit=credit))
        return MoveSpec(
            company=self.company.id, journal=migration.journal.id,
            period=Period.find(
                self.company, date=migration.balance_date).id,
            date=migration.balance_date, lines=tuple(specs),
            origin=str(migration),
            description=gettext(
                'housing_payment.msg_migration_move_description',
                migration=migration.rec_name))
