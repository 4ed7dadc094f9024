# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""Migration from another billing system: the CSV files of the housing
stock, the personal accounts, owners, residents, meters with their last
readings and the opening balances by period. A dry run lists every problem
by file, line, column and value; the import writes the whole set in one
transaction, only when the dry run finds nothing, and only once."""
from collections import defaultdict

from sql.aggregate import Sum
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Workflow, fields
from trytond.model.exceptions import AccessError
from trytond.modules.account.exceptions import PeriodNotFoundError
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access

from housing_billing.bulk import as_date, as_money, in_slices, where_in

from .exceptions import MigrationError
from .migration_check import Checker
from .migration_layout import LAYOUTS
from .migration_write import Writer

MONEY = (16, 2)
FILES = [
    ('document', "Migration"),
    ('buildings', "Buildings"),
    ('premises', "Premises"),
    ('accounts', "Personal Accounts"),
    ('owners', "Owners"),
    ('residents', "Residents"),
    ('meters', "Meters"),
    ('balances', "Opening Balances"),
    ]
# What the dry run depends on: changing one of them asks for a new one.
SETTINGS = {'company', 'balance_date', 'journal', 'counterpart_account'}


def problem_order(problem):
    "As the files are checked, line by line"
    return [kind for kind, _ in FILES].index(problem.file), problem.line


class Migration(Workflow, ModelSQL, ModelView):
    __name__ = 'housing.migration'
    __string__ = "Migration"

    _states = {'readonly': Eval('state') == 'done'}

    name = fields.Char("Name", required=True, states=_states)
    company = fields.Many2One(
        'company.company', "Company", required=True, states=_states)
    balance_date = fields.Date(
        "Balance Date", states=_states,
        help="The day the opening balances are posted on: the last day "
        "before the accounts are billed here.")
    journal = fields.Many2One(
        'account.journal', "Journal", states=_states,
        help="The journal of the opening balance moves.")
    counterpart_account = fields.Many2One(
        'account.account', "Opening Balance Account", states=_states,
        domain=[
            ('company', '=', Eval('company', -1)),
            ('type', '!=', None),
            ('closed', '!=', True),
            ],
        help="The account the receivable opening balances are posted "
        "against.")
    buildings_file = fields.Binary(
        "Buildings", filename='buildings_filename', states=_states)
    buildings_filename = fields.Char("Buildings File Name")
    premises_file = fields.Binary(
        "Premises", filename='premises_filename', states=_states)
    premises_filename = fields.Char("Premises File Name")
    accounts_file = fields.Binary(
        "Personal Accounts", filename='accounts_filename', states=_states)
    accounts_filename = fields.Char("Personal Accounts File Name")
    owners_file = fields.Binary(
        "Owners", filename='owners_filename', states=_states)
    owners_filename = fields.Char("Owners File Name")
    residents_file = fields.Binary(
        "Residents", filename='residents_filename', states=_states)
    residents_filename = fields.Char("Residents File Name")
    meters_file = fields.Binary(
        "Meters", filename='meters_filename', states=_states)
    meters_filename = fields.Char("Meters File Name")
    balances_file = fields.Binary(
        "Opening Balances", filename='balances_filename', states=_states)
    balances_filename = fields.Char("Opening Balances File Name")
    state = fields.Selection([
            ('draft', "Draft"),
            ('checked', "Checked"),
            ('done', "Imported"),
            ], "State", readonly=True, required=True, sort=False)
    summary = fields.Text("Summary", readonly=True)
    problems = fields.One2Many(
        'housing.migration.problem', 'migration', "Problems", readonly=True)
    balances = fields.One2Many(
        'housing.migration.balance', 'migration', "Opening Balances",
        readonly=True)
    moves = fields.One2Many('account.move', 'origin', "Moves", readonly=True)

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('create_date', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {('checked', 'done')}
        cls._buttons.update({
                'dry_run': {
                    'invisible': Eval('state') == 'done',
                    'icon': 'tryton-search',
                    'depends': ['state'],
                    },
                'import_': {
                    'invisible': Eval('state') != 'checked',
                    'icon': 'tryton-import',
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_state():
        return 'draft'

    @classmethod
    def write(cls, *args):
        "A change of a file or a setting asks for a new dry run."
        args = list(args)
        inputs = SETTINGS | {kind + '_file' for kind in LAYOUTS}
        for i in range(1, len(args), 2):
            if inputs & set(args[i]) and 'state' not in args[i]:
                args[i] = dict(args[i], state='draft')
        super().write(*args)

    @classmethod
    def delete(cls, migrations):
        for migration in migrations:
            if migration.state == 'done':
                raise AccessError(gettext(
                        'housing_payment.msg_migration_delete_done',
                        migration=migration.rec_name))
        super().delete(migrations)

    @classmethod
    def copy(cls, migrations, default=None):
        default = dict(default or {})
        for name in ['problems', 'balances', 'moves', 'summary']:
            default.setdefault(name)
        return super().copy(migrations, default=default)

    def files(self):
        "{file kind: the bytes attached}"
        return {kind: bytes(getattr(self, kind + '_file'))
            for kind in LAYOUTS if getattr(self, kind + '_file')}

    def check(self):
        "The checker of the attached files, run; with the document's own."
        today = Pool().get('ir.date').today()
        files = self.files()
        checker = Checker(self.company, files, today)
        if not files:
            checker.add('document', 0, '', '', 'msg_migration_no_files')
        checker.check()
        if checker.rows.get('balances'):
            self.check_ledger(checker)
        return checker

    def check_ledger(self, checker):
        "What posting the opening balances needs from the document."
        Period = Pool().get('account.period')
        for name in ['balance_date', 'journal', 'counterpart_account']:
            if not getattr(self, name):
                checker.add('document', 0, self.field_string(name), '',
                    'msg_migration_setting_missing')
        if self.balance_date:
            checker.check_balance_dates(self.balance_date)
            try:
                Period.find(self.company, date=self.balance_date)
            except PeriodNotFoundError:
                checker.add('document', 0,
                    self.field_string('balance_date'),
                    self.balance_date.strftime('%d.%m.%Y'),
                    'msg_migration_no_period')
        account = self.counterpart_account
        if account and account.party_required:
            checker.add('document', 0,
                self.field_string('counterpart_account'), account.rec_name,
                'msg_migration_counterpart_party')

    @classmethod
    def field_string(cls, name):
        return cls.fields_get([name])[name]['string']

    @classmethod
    @ModelView.button
    def dry_run(cls, migrations):
        Problem = Pool().get('housing.migration.problem')
        Problem.delete([p for m in migrations for p in m.problems])
        for migration in migrations:
            checker = migration.check()
            Problem.create([Problem.values(migration, p)
                    for p in sorted(checker.problems, key=problem_order)])
            migration.summary = migration.row_summary(checker)
            migration.state = 'draft' if checker.problems else 'checked'
        cls.save(migrations)

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    def import_(cls, migrations):
        for migration in migrations:
            checker = migration.check()
            if checker.problems:
                raise MigrationError(gettext(
                        'housing_payment.msg_migration_not_clean',
                        migration=migration.rec_name,
                        count=len(checker.problems)))
            # The button is the accountant's right to write the whole set:
            # parties and posted moves included.
            with without_check_access():
                counts = Writer(migration, checker).write()
            migration.summary = migration.count_summary(counts)
        cls.save(migrations)

    def row_summary(self, checker):
        labels = self.file_labels()
        lines = ['%s: %s' % (labels[kind], len(rows))
            for kind, rows in checker.rows.items() if rows]
        lines.append(gettext('housing_payment.msg_migration_problem_count',
                count=len(checker.problems)))
        return '\n'.join(lines)

    def count_summary(self, counts):
        labels = self.file_labels()
        return '\n'.join(gettext(
                'housing_payment.msg_migration_created',
                kind=labels.get(kind) or gettext(
                    'housing_payment.msg_migration_kind_' + kind),
                count=count) for kind, count in counts.items())

    @classmethod
    def file_labels(cls):
        Problem = Pool().get('housing.migration.problem')
        return dict(Problem.fields_get(['file'])['file']['selection'])


class Problem(ModelSQL, ModelView):
    __name__ = 'housing.migration.problem'
    __string__ = "Migration Problem"

    migration = fields.Many2One(
        'housing.migration', "Migration", required=True,
        ondelete='CASCADE', readonly=True)
    file = fields.Selection(FILES, "File", required=True, readonly=True)
    line = fields.Integer(
        "Line", readonly=True,
        help="The line of the file, the header being line 1; "
        "0 for the file as a whole.")
    column = fields.Char("Column", readonly=True)
    value = fields.Char("Value", readonly=True)
    message = fields.Text("Problem", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('migration', 'DESC'), ('id', 'ASC')]

    @staticmethod
    def values(migration, problem):
        return {
            'migration': migration.id,
            'file': problem.file,
            'line': problem.line,
            'column': problem.column,
            'value': problem.value,
            'message': gettext(
                'housing_payment.' + problem.message,
                column=problem.column, value=problem.value,
                **problem.params),
            }


class Balance(ModelSQL, ModelView):
    __name__ = 'housing.migration.balance'
    __string__ = "Migrated Opening Balance"

    migration = fields.Many2One(
        'housing.migration', "Migration", required=True,
        ondelete='RESTRICT', readonly=True)
    account = fields.Many2One(
        'housing.account', "Personal Account", required=True,
        ondelete='RESTRICT', readonly=True)
    period = fields.Date(
        "Period", required=True, readonly=True,
        help="The first day of the billing month owed.")
    service = fields.Many2One(
        'housing.service', "Service", ondelete='RESTRICT', readonly=True,
        help="Empty when the balance is the total of the month.")
    amount = fields.Numeric(
        "Amount", digits=MONEY, required=True, readonly=True,
        help="A debt is positive, an advance negative.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('account', 'ASC'), ('period', 'ASC'), ('id', 'ASC')]


def opening_balances(company, account_ids):
    """[(account id, period, amount, balance date)] of the imported
    migrations, the services of a month summed."""
    pool = Pool()
    balance = pool.get('housing.migration.balance').__table__()
    migration = pool.get('housing.migration').__table__()
    cursor = Transaction().connection.cursor()
    result = []
    for sub_ids in in_slices(account_ids):
        cursor.execute(*balance.join(
                migration, condition=balance.migration == migration.id
                ).select(
                balance.account, balance.period, Sum(balance.amount),
                migration.balance_date,
                where=(migration.state == 'done')
                & (migration.company == company.id)
                & where_in(balance.account, sub_ids),
                group_by=[balance.account, balance.period,
                    migration.balance_date]))
        result.extend(cursor)
    return [(a, as_date(p), as_money(s), as_date(d))
        for a, p, s, d in result]


class Account(metaclass=PoolMeta):
    __name__ = 'housing.account'

    @classmethod
    def opening_debts(cls, company, account_ids, until):
        "The months owed before the migration, as posted debts."
        result = defaultdict(dict, super().opening_debts(
                company, account_ids, until))
        for account, period, amount, _ in opening_balances(
                company, account_ids):
            if amount > 0 and period <= until:
                result[account][period] = (
                    result[account].get(period, 0) + amount)
        return dict(result)

    @classmethod
    def opening_advances(cls, company, account_ids, until):
        "The months overpaid before the migration: advances on its date."
        result = defaultdict(list, super().opening_advances(
                company, account_ids, until))
        for account, _, amount, date in opening_balances(
                company, account_ids):
            if amount < 0 and date <= until:
                result[account].append((date, None, None, -amount))
        return dict(result)


class Move(metaclass=PoolMeta):
    __name__ = 'account.move'

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() + ['housing.migration']
