# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""The dry run of a migration: every file read, every value parsed, every
reference resolved against the other files and the database; every
problem kept with its file, line, column and value. The parsed rows are
what the import writes once there is no problem."""
from collections import defaultdict
from decimal import Decimal
from fractions import Fraction
from typing import NamedTuple

from trytond.pool import Pool
from trytond.transaction import Transaction

from .migration_csv import BadValue, decode, header_map, parse, read_rows
from .migration_layout import LAYOUTS

MAX_READING_DECIMALS = 4
ZONES = (1, 2, 3)


class Problem(NamedTuple):
    "What is wrong, where: the message id (of housing_payment) and params"
    file: str
    line: int
    column: str
    value: str
    message: str
    params: dict


def key(text):
    "An address or a number as compared: case and spaces ignored."
    return ' '.join((text or '').lower().replace('ё', 'е').split())


def share_text(share):
    return '%s/%s' % (share.numerator, share.denominator)


class Existing:
    "What the database of the company already holds, read once."

    def __init__(self, company):
        pool = Pool()
        cursor = Transaction().connection.cursor()
        building = pool.get('housing.building').__table__()
        premises = pool.get('housing.premises').__table__()
        account = pool.get('housing.account').__table__()
        service = pool.get('housing.service').__table__()
        meter = pool.get('housing.meter').__table__()
        cursor.execute(*building.select(
                building.id, building.address, building.management_start,
                where=building.company == company))
        self.buildings = {key(a): (i, s) for i, a, s in cursor}
        ids = [i for i, _ in self.buildings.values()]
        self.premises = {}
        if ids:
            cursor.execute(*premises.select(
                    premises.id, premises.building, premises.number,
                    where=premises.building.in_(ids)))
            self.premises = {(b, key(n)): i for i, b, n in cursor}
        cursor.execute(*account.select(
                account.number, where=account.company == company))
        self.accounts = {key(n) for n, in cursor}
        cursor.execute(*service.select(
                service.id, service.code,
                where=(service.company == company)
                & (service.active == True)))  # noqa: E712
        self.services = {key(c): i for i, c in cursor}
        self.meters = set()
        if ids:
            cursor.execute(*meter.select(
                    meter.service, meter.serial_number,
                    where=meter.building.in_(ids)))
            self.meters = {(s, key(n)) for s, n in cursor}


class Checker:
    """Checks a set of files; ``problems`` lists what is wrong and
    ``rows`` the parsed rows of each file (dicts with '_line')."""

    def __init__(self, company, files, today):
        self.company = company
        self.files = files
        self.today = today
        self.problems = []
        self.rows = {}
        self.existing = Existing(company.id)

    def add(self, file, line, column, value, message, **params):
        self.problems.append(Problem(
                file, line, column, '' if value is None else str(value),
                message, params))

    def check(self):
        for kind, layout in LAYOUTS.items():
            data = self.files.get(kind)
            self.rows[kind] = (
                self.parse_file(kind, layout, data) if data else [])
            getattr(self, 'check_' + kind)(self.rows[kind])
        return self.problems

    def parse_file(self, kind, layout, data):
        try:
            text, _ = decode(data)
        except BadValue as error:
            self.add(kind, 0, '', '', error.message)
            return []
        header, lines = read_rows(text)
        if not header:
            self.add(kind, 0, '', '', 'msg_migration_empty')
            return []
        positions, unknown = header_map(layout, header)
        for title in unknown:
            self.add(kind, 1, title, title, 'msg_migration_unknown_column')
        present = set(positions.values())
        missing = [c.name for c in layout
            if c.required and c.name not in present]
        for name in missing:
            self.add(kind, 1, name, '', 'msg_migration_missing_column')
        if unknown or missing:
            return []
        return [row for row in (
                self.parse_row(kind, layout, positions, len(header), *line)
                for line in lines) if row is not None]

    def parse_row(self, kind, layout, positions, width, line, fields):
        if len(fields) != width:
            self.add(kind, line, '', ';'.join(fields),
                'msg_migration_field_count', count=len(fields), width=width)
            return None
        texts = {name: fields[p] for p, name in positions.items()}
        row, ok = {'_line': line, '_text': texts}, True
        for column in layout:
            text = texts.get(column.name, '')
            try:
                row[column.name] = parse(column, text)
            except BadValue as error:
                self.add(kind, line, column.name, text.strip(),
                    error.message, **error.params)
                ok = False
        return row if ok else None

    def problem(self, kind, row, column, message, **params):
        "A problem of a parsed row, naming the value as the file wrote it."
        self.add(kind, row['_line'], column,
            row['_text'].get(column, '').strip(), message, **params)

    def duplicates(self, kind, rows, columns, make_key):
        "Report the rows whose key an earlier row of the file has."
        seen = {}
        for row in rows:
            row_key = make_key(row)
            if row_key in seen:
                self.problem(kind, row, columns, 'msg_migration_duplicate',
                    first=seen[row_key])
            else:
                seen[row_key] = row['_line']
        return seen

    def date_order(self, kind, row, start, end):
        if row[end] and row[start] and row[end] < row[start]:
            self.problem(kind, row, end, 'msg_migration_date_before',
                other=start, other_value=row['_text'][start].strip())

    def not_negative(self, kind, row, columns):
        for column in columns:
            if row[column] is not None and row[column] < 0:
                self.problem(kind, row, column, 'msg_migration_negative')

    # Buildings and premises

    def check_buildings(self, rows):
        self.buildings = {}
        for row in rows:
            row_key = key(row['address'])
            if row_key in self.existing.buildings:
                self.problem('buildings', row, 'address',
                    'msg_migration_exists')
            elif row_key in self.buildings:
                self.problem('buildings', row, 'address',
                    'msg_migration_duplicate',
                    first=self.buildings[row_key]['_line'])
            else:
                self.buildings[row_key] = row
            self.not_negative('buildings', row, [
                    'total_area', 'residential_area',
                    'non_residential_area', 'common_area', 'floors',
                    'entrances'])
            if row['fias_code'] and len(row['fias_code']) > 36:
                self.problem('buildings', row, 'fias_code',
                    'msg_migration_too_long', size=36)

    def building_start(self, kind, row):
        """The management start of the row's building, from the file or
        the database; None (and a problem) when it is unknown."""
        row_key = key(row['building'])
        if row_key in self.buildings:
            return self.buildings[row_key]['management_start']
        if row_key in self.existing.buildings:
            return self.existing.buildings[row_key][1]
        self.problem(kind, row, 'building', 'msg_migration_unknown_building')

    def check_premises(self, rows):
        self.premises = {}
        for row in rows:
            start = self.building_start('premises', row)
            row_key = (key(row['building']), key(row['number']))
            if start is None:
                pass
            elif self.existing_premises(*row_key):
                self.problem('premises', row, 'number',
                    'msg_migration_exists')
            elif row_key in self.premises:
                self.problem('premises', row, 'number',
                    'msg_migration_duplicate',
                    first=self.premises[row_key]['_line'])
            else:
                row['_start'] = start
                self.premises[row_key] = row
            self.not_negative('premises', row, [
                    'total_area', 'living_area', 'rooms'])
            if (row['living_area'] is not None
                    and row['living_area'] > row['total_area']):
                self.problem('premises', row, 'living_area',
                    'msg_migration_living_area',
                    total=row['_text']['total_area'].strip())

    def existing_premises(self, building_key, number_key):
        building = self.existing.buildings.get(building_key)
        if building:
            return self.existing.premises.get((building[0], number_key))

    def known_premises(self, kind, row):
        "Whether the row's building and premises are in the files or db."
        if self.building_start(kind, row) is None:
            return False
        row_key = (key(row['building']), key(row['premises']))
        if row_key in self.premises or self.existing_premises(*row_key):
            return True
        self.problem(kind, row, 'premises', 'msg_migration_unknown_premises',
            building=row['building'])
        return False

    # Accounts, owners, residents

    def check_accounts(self, rows):
        self.accounts = {}
        by_premises = defaultdict(list)
        for row in rows:
            row_key = key(row['number'])
            if row_key in self.existing.accounts:
                self.problem('accounts', row, 'number',
                    'msg_migration_exists')
            elif row_key in self.accounts:
                self.problem('accounts', row, 'number',
                    'msg_migration_duplicate',
                    first=self.accounts[row_key]['_line'])
            elif self.known_premises('accounts', row):
                self.accounts[row_key] = row
                by_premises[
                    (key(row['building']), key(row['premises']))].append(row)
            self.date_order('accounts', row, 'opened', 'closed')
        for accounts in by_premises.values():
            self.check_account_shares(accounts)

    def check_account_shares(self, accounts):
        "The accounts open on one day share at most the whole premises."
        for row in sorted(accounts, key=lambda r: r['opened']):
            date = row['opened']
            total = sum((r['share'] for r in accounts
                    if r['opened'] <= date
                    and (not r['closed'] or r['closed'] >= date)),
                Fraction(0))
            if total > 1:
                self.problem('accounts', row, 'share',
                    'msg_migration_account_shares', total=share_text(total),
                    premises=row['premises'], date=date.strftime('%d.%m.%Y'))
                return

    def check_owners(self, rows):
        by_premises = defaultdict(list)
        for row in rows:
            if self.known_premises('owners', row):
                by_premises[
                    (key(row['building']), key(row['premises']))].append(row)
            self.date_order('owners', row, 'date_from', 'date_to')
        for owners in by_premises.values():
            self.check_owner_history(owners)
            current = [r for r in owners if not r['date_to']]
            total = sum((r['share'] for r in current), Fraction(0))
            if current and total != 1:
                self.problem('owners', current[0], 'share',
                    'msg_migration_owner_shares', total=share_text(total),
                    premises=current[0]['premises'])

    def check_owner_history(self, owners):
        "On no date may the owners hold more than the whole premises."
        for row in sorted(owners, key=lambda r: r['date_from']):
            date = row['date_from']
            total = sum((r['share'] for r in owners
                    if r['date_from'] <= date
                    and (not r['date_to'] or r['date_to'] >= date)),
                Fraction(0))
            if total > 1:
                self.problem('owners', row, 'share',
                    'msg_migration_owner_history_shares',
                    total=share_text(total), premises=row['premises'],
                    date=date.strftime('%d.%m.%Y'))
                return

    def check_residents(self, rows):
        seen = defaultdict(list)
        for row in rows:
            row_key = key(row['account'])
            if row_key not in self.accounts:
                self.problem('residents', row, 'account',
                    'msg_migration_unknown_account')
            self.date_order(
                'residents', row, 'registered_from', 'registered_to')
            person = (row_key, key(row['person']))
            for other in seen[person]:
                if (row['registered_from'] <= (
                            other['registered_to'] or row['registered_from'])
                        and other['registered_from'] <= (
                            row['registered_to'] or other['registered_from'])):
                    self.problem('residents', row, 'person',
                        'msg_migration_duplicate', first=other['_line'])
                    break
            seen[person].append(row)

    # Meters and their last readings

    def check_meters(self, rows):
        seen = {}
        for row in rows:
            service = self.existing.services.get(key(row['service']))
            if service is None:
                self.problem('meters', row, 'service',
                    'msg_migration_unknown_service')
            if row['premises']:
                self.known_premises('meters', row)
            else:
                self.building_start('meters', row)
            row_key = (service, key(row['serial_number']))
            if row_key in self.existing.meters:
                self.problem('meters', row, 'serial_number',
                    'msg_migration_exists')
            elif service and row_key in seen:
                self.problem('meters', row, 'serial_number',
                    'msg_migration_duplicate', first=seen[row_key])
            seen.setdefault(row_key, row['_line'])
            if row['zones'] not in ZONES:
                self.problem('meters', row, 'zones', 'msg_migration_zones')
                continue
            if not 1 <= row['digits'] <= 12:
                self.problem('meters', row, 'digits', 'msg_migration_digits')
            self.check_meter_values(row)

    def check_meter_values(self, row):
        zones = row['zones']
        for zone in ZONES:
            for prefix in ['installation_value', 'reading_value']:
                column = '%s%s' % (prefix, zone)
                value = row[column]
                if value is None:
                    continue
                if zone > zones:
                    self.problem('meters', row, column,
                        'msg_migration_zone_extra', zones=zones)
                elif value < 0:
                    self.problem('meters', row, column,
                        'msg_migration_negative')
                elif -value.as_tuple().exponent > MAX_READING_DECIMALS:
                    self.problem('meters', row, column,
                        'msg_migration_decimals',
                        decimals=MAX_READING_DECIMALS)
        if row['reading_date']:
            self.check_reading(row)
        else:
            for zone in ZONES:
                column = 'reading_value%s' % zone
                if row[column] is not None:
                    self.problem('meters', row, column,
                        'msg_migration_reading_no_date')

    def check_reading(self, row):
        self.date_order('meters', row, 'installation_date', 'reading_date')
        if row['reading_date'] > self.today:
            self.problem('meters', row, 'reading_date',
                'msg_migration_future', today=self.today.strftime('%d.%m.%Y'))
        for zone in range(1, row['zones'] + 1):
            column = 'reading_value%s' % zone
            value = row[column]
            installed = row['installation_value%s' % zone] or Decimal(0)
            if value is None:
                self.problem('meters', row, column,
                    'msg_migration_zone_missing', zones=row['zones'])
            elif 0 <= value < installed:
                self.problem('meters', row, column,
                    'msg_migration_reading_lower', installed=installed)

    # Opening balances

    def check_balances(self, rows):
        self.duplicates('balances', rows, 'service', lambda r: (
                key(r['account']), r['period'], key(r['service'])))
        for row in rows:
            account = self.accounts.get(key(row['account']))
            if account is None:
                self.problem('balances', row, 'account',
                    'msg_migration_unknown_account')
            if (row['service']
                    and key(row['service']) not in self.existing.services):
                self.problem('balances', row, 'service',
                    'msg_migration_unknown_service')

    def check_balance_dates(self, date):
        """The balance date against the balances: no period after it, no
        account opened after it."""
        for row in self.rows.get('balances', []):
            if row['period'] > date.replace(day=1):
                self.problem('balances', row, 'period',
                    'msg_migration_period_after',
                    date=date.strftime('%d.%m.%Y'))
            account = self.accounts.get(key(row['account']))
            if account and account['opened'] > date:
                self.problem('balances', row, 'account',
                    'msg_migration_opened_after',
                    date=date.strftime('%d.%m.%Y'),
                    opened=account['opened'].strftime('%d.%m.%Y'))
