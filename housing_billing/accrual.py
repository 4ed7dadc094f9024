# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
import datetime as dt
import json
from collections import defaultdict
from decimal import Decimal
from typing import NamedTuple

from sql import Null
from sql.aggregate import Count, Min, Sum
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.tools import grouped_slice
from trytond.transaction import Transaction, without_check_access

from . import bulk, compute_workers
from .bulk import as_money
from .engine.calculate import calculate
from .engine.lines import Basis
from .engine.meter import ReadingRejected
from .engine.params import MissingParameter
from .exceptions import AccrualError
from .loader import SnapshotLoader, billing_period, period_start
from .move_writer import LineSpec, MoveSpec, MoveWriter
from .receivable import payers_at

MONEY = (16, 2)
CHUNK = 500

KINDS = [
    ('charge', "Charge"),
    ('recalculation', "Recalculation"),
    ('reduction', "Reduction"),
    ]


class ChargeSum(NamedTuple):
    "The charges of a run for one account, service and kind, summed"
    account: int
    number: str
    service: object
    kind: str
    amount: Decimal


def month_end(date):
    following = (date.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


class Run(Workflow, ModelSQL, ModelView):
    __name__ = 'housing.accrual.run'
    __string__ = "Accrual Run"

    _states = {'readonly': Eval('state') != 'draft'}

    company = fields.Many2One(
        'company.company', "Company", required=True, states=_states)
    period = fields.Date(
        "Period", required=True, states=_states,
        help="The first day of the billing month.")
    buildings = fields.Many2Many(
        'housing.accrual.run-housing.building', 'run', 'building',
        "Buildings", states=_states,
        domain=[('company', '=', Eval('company', -1))],
        help="Leave empty for every building of the company.")
    state = fields.Selection([
            ('draft', "Draft"),
            ('computed', "Computed"),
            ('posted', "Posted"),
            ('cancelled', "Cancelled"),
            ], "State", readonly=True, required=True, sort=False)
    charges = fields.One2Many(
        'housing.charge', 'run', "Charges", readonly=True)
    anomalies = fields.One2Many(
        'housing.accrual.anomaly', 'run', "Anomalies", readonly=True)
    service_totals = fields.One2Many(
        'housing.accrual.service_total', 'run', "Totals by Service",
        readonly=True)
    building_totals = fields.One2Many(
        'housing.accrual.building_total', 'run', "Totals by Building",
        readonly=True)
    total = fields.Function(
        fields.Numeric("Total", digits=MONEY), 'get_total')
    computed_at = fields.DateTime("Computed At", readonly=True)
    moves = fields.One2Many(
        'account.move', 'origin', "Moves", readonly=True)

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t,
                (t.company, Index.Equality()), (t.period, Index.Range())))
        cls._order = [('period', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'computed'),
            ('computed', 'computed'),
            ('computed', 'draft'),
            ('draft', 'cancelled'),
            ('computed', 'cancelled'),
            ('cancelled', 'draft'),
            ('computed', 'posted'),
            }
        cls._buttons.update({
                'compute': {
                    'invisible': ~Eval('state').in_(['draft', 'computed']),
                    'icon': 'tryton-launch',
                    'depends': ['state'],
                    },
                'draft': {
                    'invisible': ~Eval('state').in_(['computed', 'cancelled']),
                    'icon': 'tryton-back',
                    'depends': ['state'],
                    },
                'post': {
                    'invisible': Eval('state') != 'computed',
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': ~Eval('state').in_(['draft', 'computed']),
                    'icon': 'tryton-cancel',
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_state():
        return 'draft'

    def get_rec_name(self, name):
        scope = (', '.join(b.rec_name for b in self.buildings)
            if self.buildings else self.company.rec_name)
        return '%s: %s' % (self.period.strftime('%m.%Y'), scope)

    @classmethod
    def get_total(cls, runs, name):
        pool = Pool()
        Charge = pool.get('housing.charge')
        charge = Charge.__table__()
        cursor = Transaction().connection.cursor()
        totals = dict.fromkeys((r.id for r in runs), None)
        for sub_ids in grouped_slice([r.id for r in runs], 1000):
            cursor.execute(*charge.select(
                    charge.run, Sum(charge.amount),
                    where=charge.run.in_(list(sub_ids)),
                    group_by=[charge.run]))
            for run, amount in cursor:
                totals[run] = as_money(amount)
        return totals

    @classmethod
    def validate(cls, runs):
        super().validate(runs)
        for run in runs:
            if run.period.day != 1:
                raise AccrualError(gettext(
                        'housing_billing.msg_accrual_period_first_day',
                        run=run.rec_name, period=run.period.isoformat()))

    @classmethod
    def delete(cls, runs):
        for run in runs:
            if run.state == 'posted':
                raise AccessError(gettext(
                        'housing_billing.msg_accrual_delete_posted',
                        run=run.rec_name))
        super().delete(runs)

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, runs):
        cls.clear(runs)

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, runs):
        cls.clear(runs)

    @classmethod
    @ModelView.button
    @Workflow.transition('computed')
    def compute(cls, runs):
        cls.clear(runs)
        for run in runs:
            run.compute_charges()
        cls.write(runs, {'computed_at': dt.datetime.now()})

    @classmethod
    @ModelView.button
    @Workflow.transition('posted')
    def post(cls, runs):
        specs = []
        for run in runs:
            run.check_postable()
            specs.extend(run.get_moves())
        # The button is the accountants'; the ledger is written on their
        # behalf, not through their own rights on account.move.
        with without_check_access():
            MoveWriter().write(specs)
        for run in runs:
            run.check_ledger()

    @classmethod
    def clear(cls, runs):
        pool = Pool()
        Charge = pool.get('housing.charge')
        Anomaly = pool.get('housing.accrual.anomaly')
        run_ids = [r.id for r in runs]
        cursor = Transaction().connection.cursor()
        for Model in [Charge, Anomaly]:
            table = Model.__table__()
            for sub_ids in grouped_slice(run_ids, 1000):
                cursor.execute(*table.delete(
                        where=table.run.in_(list(sub_ids))))

    def check_postable(self):
        errors = [a for a in self.anomalies if a.severity == 'error']
        if errors:
            raise AccrualError(gettext(
                    'housing_billing.msg_accrual_post_errors',
                    run=self.rec_name, count=len(errors),
                    first=errors[0].message))
        for other in self.search([
                    ('company', '=', self.company.id),
                    ('period', '=', self.period),
                    ('state', '=', 'posted'),
                    ('id', '!=', self.id),
                    ]):
            mine = {b.id for b in self.buildings}
            theirs = {b.id for b in other.buildings}
            if not mine or not theirs or mine & theirs:
                raise AccrualError(gettext(
                        'housing_billing.msg_accrual_posted_twice',
                        run=self.rec_name, other=other.rec_name))

    def get_moves(self):
        "One move per building: receivables per account, revenue per service."
        pool = Pool()
        Period = pool.get('account.period')
        Building = pool.get('housing.building')
        Configuration = pool.get('housing.configuration')
        journal = Configuration(1).accrual_journal
        if not journal:
            raise AccrualError(gettext(
                    'housing_billing.msg_accrual_no_journal',
                    run=self.rec_name))
        date = month_end(self.period)
        period = Period.find(self.company, date=date)
        by_building = defaultdict(list)
        for building, charge in self.charge_sums():
            by_building[building].append(charge)
        payers = payers_at(
            {c.account for charges in by_building.values() for c in charges},
            date, self.company.id)
        credit_keys = {}
        for building in sorted(
                Building.browse(list(by_building)),
                key=lambda b: b.rec_name):
            yield MoveSpec(
                company=self.company.id, journal=journal.id,
                period=period.id, date=date, origin=str(self),
                description=gettext(
                    'housing_billing.msg_accrual_move_description',
                    period=self.period.strftime('%m.%Y'),
                    building=building.rec_name),
                lines=tuple(self.move_lines(
                        by_building[building.id], date, payers,
                        credit_keys)))

    def charge_sums(self):
        """[(building id, ChargeSum)]: the run's charges summed by account,
        service and kind, with SQL."""
        pool = Pool()
        Service = pool.get('housing.service')
        charge = pool.get('housing.charge').__table__()
        account = pool.get('housing.account').__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*charge.join(
                account, condition=charge.account == account.id
                ).select(
                    charge.building, charge.account, account.number,
                    charge.service, charge.kind, Sum(charge.amount),
                    where=charge.run == self.id,
                    group_by=[charge.building, charge.account,
                        account.number, charge.service, charge.kind]))
        rows = cursor.fetchall()
        services = {s.id: s for s in Service.browse(
                list({r[3] for r in rows}))}
        return [(building, ChargeSum(
                    account, number, services[service], kind,
                    as_money(amount)))
            for building, account, number, service, kind, amount in rows]

    def move_lines(self, charges, date, payers, credit_keys):
        """The LineSpecs of charges (ChargeSum): a receivable line per
        personal account, a credit line per credit_key.

        credit_keys memoizes credit_key by service and kind."""
        receivable = defaultdict(Decimal)
        numbers = {}
        credit = defaultdict(Decimal)
        for charge in charges:
            receivable[charge.account] += charge.amount
            numbers[charge.account] = charge.number
            memo = (charge.service.id, charge.kind)
            if memo not in credit_keys:
                credit_keys[memo] = self.credit_key(charge)
            credit[credit_keys[memo]] += charge.amount

        def line(amount, **values):
            return LineSpec(
                debit=amount if amount > 0 else Decimal(0),
                credit=-amount if amount < 0 else Decimal(0), **values)

        for account, amount in sorted(
                receivable.items(), key=lambda i: numbers[i[0]]):
            if not amount:
                continue
            payer = payers.get(account)
            if not payer:
                raise AccrualError(gettext(
                        'housing_billing.msg_accrual_no_payer',
                        account=numbers[account], date=date.isoformat()))
            yield line(
                amount, account=payer.receivable, party=payer.party,
                housing_account=account)
        for (ledger_account, party), amount in sorted(
                credit.items(), key=lambda i: i[0][0].code or ''):
            if amount:
                yield line(-amount, account=ledger_account.id,
                    party=party.id if party else None)

    def credit_key(self, charge):
        """Where a charge is credited: the supplier's payable for an agent
        service, else the service's own credit account, else the revenue
        account of its product."""
        service = charge.service
        if service.kind == 'agent':
            supplier = service.supplier
            return supplier.account_payable_used, supplier
        if service.credit_account:
            return service.credit_account, None
        account = service.product.account_revenue_used
        if not account:
            raise AccrualError(gettext(
                    'housing_billing.msg_accrual_no_revenue_account',
                    service=service.rec_name,
                    product=service.product.rec_name))
        return account, None

    def check_ledger(self):
        """The ledger must say what the run says: as much receivable on the
        personal accounts as the charges."""
        pool = Pool()
        move = pool.get('account.move').__table__()
        line = pool.get('account.move.line').__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*line.join(move, condition=line.move == move.id
                ).select(Sum(line.debit - line.credit),
                where=(move.origin == str(self))
                & (line.housing_account != Null)))
        ledger, = cursor.fetchone()
        ledger = as_money(ledger) or Decimal(0)
        if ledger != (self.total or Decimal(0)):
            raise AccrualError(gettext(
                    'housing_billing.msg_accrual_ledger_mismatch',
                    run=self.rec_name, total=self.total, ledger=ledger))

    @property
    def billing_period(self):
        return billing_period(self.period)

    def accounts(self):
        """The ids of the personal accounts open for at least a day of the
        period, by building and number."""
        Account = Pool().get('housing.account')
        domain = [
            ('company', '=', self.company.id),
            ('opened', '<=', month_end(self.period)),
            ['OR', ('closed', '=', None), ('closed', '>=', self.period)],
            ]
        if self.buildings:
            domain.append(
                ('premises.building', 'in', [b.id for b in self.buildings]))
        # Not search's records: browsing 100,000 ids at once is quadratic.
        query = Account.search(domain, order=[
                ('premises.building', 'ASC'), ('number', 'ASC')], query=True)
        cursor = Transaction().connection.cursor()
        cursor.execute(*query)
        return [i for i, in cursor]

    def compute_charges(self):
        for charges, anomalies in self.computed_chunks():
            self.insert_charges(charges)
            self.insert_anomalies(anomalies)

    def computed_chunks(self):
        """(charge rows, anomalies) of each chunk of CHUNK accounts: in
        worker processes where the configuration asks for them, else
        here."""
        Account = Pool().get('housing.account')
        chunks = [list(ids) for ids in grouped_slice(self.accounts(), CHUNK)]
        if compute_workers.processes() > 1 and len(chunks) > 1:
            yield from compute_workers.compute(self, chunks)
            return
        loader = SnapshotLoader(self.company, self.billing_period)
        for ids in chunks:
            yield self.compute_accounts(Account.browse(ids), loader)

    def compute_accounts(self, accounts, loader):
        "(charge rows, anomalies) of the accounts (records of a chunk)"
        charges, anomalies = [], []
        snapshots = loader.load(accounts)
        for account in accounts:
            try:
                lines = calculate(snapshots[account.id])
            except (MissingParameter, ReadingRejected, ValueError,
                    KeyError) as exception:
                anomalies.append(self.anomaly(
                        account, 'error', str(exception)))
                continue
            charges.extend(self.charge_rows(account, lines))
            anomalies.extend(self.line_anomalies(account, lines))
        return charges, anomalies

    def anomaly(self, account, severity, message):
        return {
            'run': self.id, 'account': account.id, 'severity': severity,
            'message': message,
            }

    def line_anomalies(self, account, lines):
        "What an accountant should look at before posting."
        for line in lines:
            if line.basis == Basis.AVERAGE_B:
                yield self.anomaly(account, 'warning', gettext(
                        'housing_billing.msg_accrual_missing_readings',
                        service=line.service,
                        explanation=line.explanation_ru))
            elif line.basis in Basis.AVERAGES:
                yield self.anomaly(account, 'warning', gettext(
                        'housing_billing.msg_accrual_average',
                        service=line.service,
                        explanation=line.explanation_ru))

    def charge_row(self, account, line):
        return self.charge_rows(account, [line])[0]

    def charge_rows(self, account, lines):
        "The rows of an account's lines, its fields read once."
        common = {
            'run': self.id,
            'account': account.id,
            'building': account.premises.building.id,
            'period': self.period,
            }
        return [dict(common, **self.line_values(line)) for line in lines]

    @staticmethod
    def line_values(line):
        return {
            'service': line.service,
            'kind': line.kind,
            'method': line.method,
            'basis': line.basis or None,
            'component': line.component or None,
            'quantity': line.quantity,
            'unit': line.unit,
            'tariff': line.tariff,
            'coefficient': line.coefficient,
            'amount': line.amount,
            'date_from': line.date_from,
            'date_to': line.date_to,
            'corrected_period': (period_start(line.corrected_period)
                if line.corrected_period else None),
            'reason': line.reason or None,
            'explanation_ru': line.explanation_ru,
            'explanation_en': line.explanation_en,
            'inputs': json.dumps(line.inputs, ensure_ascii=False,
                sort_keys=True, default=str),
            }

    def insert_anomalies(self, rows):
        "Write the anomalies (dicts of anomaly()) in bulk."
        Anomaly = Pool().get('housing.accrual.anomaly')
        columns = ['run', 'account', 'severity', 'message']
        bulk.insert(Anomaly._table, columns, (
                [row[c] for c in columns] for row in rows))

    def insert_charges(self, rows):
        """Write the charge lines in bulk (COPY on PostgreSQL, multi-row
        INSERT on SQLite): the ORM's per-record create is too slow for a
        month of a city."""
        pool = Pool()
        Charge = pool.get('housing.charge')
        Service = pool.get('housing.service')
        services = {s.code: s.id for s in Service.search([
                    ('company', '=', self.company.id)])}
        rows = list(rows)
        if not rows:
            return
        columns = sorted(rows[0])
        bulk.insert(Charge._table, columns, (
                [services[row[c]] if c == 'service' else row[c]
                    for c in columns]
                for row in rows))


class RunBuilding(ModelSQL):
    __name__ = 'housing.accrual.run-housing.building'
    __string__ = "Accrual Run - Building"
    run = fields.Many2One(
        'housing.accrual.run', "Run", required=True, ondelete='CASCADE')
    building = fields.Many2One(
        'housing.building', "Building", required=True, ondelete='CASCADE')


class Charge(ModelSQL, ModelView):
    __name__ = 'housing.charge'
    __string__ = "Charge"

    run = fields.Many2One(
        'housing.accrual.run', "Run", required=True, readonly=True,
        ondelete='CASCADE')
    account = fields.Many2One(
        'housing.account', "Account", required=True, readonly=True,
        ondelete='RESTRICT')
    building = fields.Many2One(
        'housing.building', "Building", required=True, readonly=True,
        ondelete='RESTRICT')
    service = fields.Many2One(
        'housing.service', "Service", required=True, readonly=True,
        ondelete='RESTRICT')
    period = fields.Date("Period", required=True, readonly=True)
    kind = fields.Selection(KINDS, "Kind", required=True, readonly=True)
    method = fields.Char("Method", readonly=True)
    basis = fields.Char("Basis", readonly=True)
    component = fields.Char("Component", readonly=True)
    quantity = fields.Numeric("Quantity", digits=(16, 6), readonly=True)
    unit = fields.Char("Unit", readonly=True)
    tariff = fields.Numeric("Tariff", digits=(16, 4), readonly=True)
    coefficient = fields.Numeric("Coefficient", readonly=True)
    amount = fields.Numeric(
        "Amount", digits=MONEY, required=True, readonly=True)
    date_from = fields.Date("From", readonly=True)
    date_to = fields.Date("To", readonly=True)
    corrected_period = fields.Date("Corrected Period", readonly=True)
    reason = fields.Char("Reason", readonly=True)
    explanation_ru = fields.Text("Explanation (Russian)", readonly=True)
    explanation_en = fields.Text("Explanation (English)", readonly=True)
    explanation = fields.Function(
        fields.Text("Explanation"), 'get_explanation')
    inputs = fields.Text("Inputs", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.run, Index.Equality())),
                Index(t, (t.account, Index.Equality()),
                    (t.period, Index.Range())),
                })
        cls._order = [('period', 'DESC'), ('account', 'ASC'), ('id', 'ASC')]

    def get_explanation(self, name):
        language = Transaction().language or 'en'
        if language.startswith('ru'):
            return self.explanation_ru
        return self.explanation_en

    def get_rec_name(self, name):
        return '%s %s %s' % (
            self.account.rec_name, self.service.rec_name, self.amount)


class Anomaly(ModelSQL, ModelView):
    __name__ = 'housing.accrual.anomaly'
    __string__ = "Accrual Anomaly"

    run = fields.Many2One(
        'housing.accrual.run', "Run", required=True, readonly=True,
        ondelete='CASCADE')
    account = fields.Many2One(
        'housing.account', "Account", readonly=True, ondelete='CASCADE')
    severity = fields.Selection([
            ('error', "Error"),
            ('warning', "Warning"),
            ], "Severity", required=True, readonly=True)
    message = fields.Text("Message", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.run, Index.Equality())))
        cls._order = [
            ('severity', 'ASC'), ('account', 'ASC'), ('id', 'ASC')]


class TotalMixin:
    "Sums of charges read back as kopecks whatever the backend"
    __slots__ = ()

    @classmethod
    def read(cls, ids, fields_names):
        rows = super().read(ids, fields_names)
        for row in rows:
            if 'amount' in row:
                row['amount'] = as_money(row['amount'])
        return rows


class ServiceTotal(TotalMixin, ModelSQL, ModelView):
    __name__ = 'housing.accrual.service_total'
    __string__ = "Accrual Total by Service"

    run = fields.Many2One('housing.accrual.run', "Run", readonly=True)
    service = fields.Many2One('housing.service', "Service", readonly=True)
    kind = fields.Selection(KINDS, "Kind", readonly=True)
    accounts = fields.Integer("Accounts", readonly=True)
    amount = fields.Numeric("Amount", digits=MONEY, readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('service', 'ASC'), ('kind', 'ASC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        charge = Pool().get('housing.charge').__table__()
        return charge.select(
            Min(charge.id).as_('id'),
            charge.run, charge.service, charge.kind,
            Count(charge.account, distinct=True).as_('accounts'),
            Sum(charge.amount).as_('amount'),
            group_by=[charge.run, charge.service, charge.kind])



class BuildingTotal(TotalMixin, ModelSQL, ModelView):
    __name__ = 'housing.accrual.building_total'
    __string__ = "Accrual Total by Building"

    run = fields.Many2One('housing.accrual.run', "Run", readonly=True)
    building = fields.Many2One(
        'housing.building', "Building", readonly=True)
    accounts = fields.Integer("Accounts", readonly=True)
    amount = fields.Numeric("Amount", digits=MONEY, readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('building', 'ASC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        charge = Pool().get('housing.charge').__table__()
        return charge.select(
            Min(charge.id).as_('id'),
            charge.run, charge.building,
            Count(charge.account, distinct=True).as_('accounts'),
            Sum(charge.amount).as_('amount'),
            group_by=[charge.run, charge.building])
