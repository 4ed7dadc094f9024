# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
import dataclasses
import datetime as dt
import gc
import json
from collections import defaultdict
from decimal import Decimal
from operator import itemgetter
from typing import NamedTuple

from sql import For, Null
from sql.aggregate import Count, Min, Sum
from sql.conditionals import Case, Coalesce
from trytond import backend, config
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.tools import grouped_slice
from trytond.transaction import Transaction, without_check_access

from . import bulk, compute_workers
from .building_pass import BuildingPass
from .bulk import as_date, as_decimal, as_money, in_slices, where_in
from .chunking import batches
from .engine.calculate import calculate
from .engine.lines import Basis, ChargeLine, Kind
from .engine.meter import ReadingRejected
from .engine.params import MissingParameter
from .engine.recalculation import correction
from .exceptions import AccrualError
from .loader import (
    SnapshotLoader,
    account_buildings,
    billing_period,
    period_start,
    posted_runs,
)
from .move_writer import LineSpec, MoveSpec, MoveWriter
from .penalty import (
    HOUSING,
    METHODS,
    SettingsOfBuildings,
    penalty_charge_rows,
    penalty_receivable,
)
from .recalculation import REASON_ORDER
from .receivable import payers_at
from .savepoint import attempt, together_or_alone

MONEY = (16, 2)
CHUNK = 500
# json.dumps(inputs, ensure_ascii=False, sort_keys=True, default=str)
# without making an encoder for each of the month's million lines.
INPUTS_ENCODER = json.JSONEncoder(
    ensure_ascii=False, sort_keys=True, default=str)
# The accounts a queue task computes: whole buildings, one savepoint each.
BATCH = 2500
# The accounts whose moves a queue task of Post writes (whole buildings):
# a tenth of a core second for 1,000 accounts, about twenty tasks for a
# city, so that two workers end together.
POST_BATCH = 5000

KINDS = [
    ('charge', "Charge"),
    ('recalculation', "Recalculation"),
    ('reduction', "Reduction"),
    ('penalty', "Penalty"),
    ]


# The penalty base of a penalty line's method
PENALTY_BASES = {method: base for base, method in METHODS.items()}


class ReceivableSum(NamedTuple):
    """The charges of a run for one personal account, penalties apart:
    penalty is the method of the penalty lines summed ('penalty',
    'penalty_capital_repair'), '' for the services."""
    account: int
    number: str
    penalty: str
    amount: Decimal


class CreditSum(NamedTuple):
    "The charges of a run for one service and kind"
    service: object
    kind: str
    amount: Decimal


class ChargeTotals:
    """The receivable of each (personal account, penalty method or '') and
    the credit of each (service id, kind) of charge rows, as post sums
    them: kept on a chunk so that posting a city does not sum its million
    charges again."""

    def __init__(self, receivables=None, credits=None):
        self.receivables = defaultdict(Decimal, receivables or {})
        self.credits = defaultdict(Decimal, credits or {})

    def add(self, columns, values):
        "Add the rows (values in the order of columns, service ids)"
        account, kind, method, service, amount = map(columns.index, [
                'account', 'kind', 'method', 'service', 'amount'])
        for row in values:
            penalty = ''
            if row[kind] == 'penalty':
                penalty = row[method] if row[method] is not None else (
                    'penalty')
            self.receivables[row[account], penalty] += row[amount]
            self.credits[row[service], row[kind]] += row[amount]

    def dumps(self):
        return json.dumps({
                'receivables': [[a, p, str(v)]
                    for (a, p), v in sorted(self.receivables.items())],
                'credits': [[s, k, str(v)]
                    for (s, k), v in sorted(self.credits.items())],
                })

    @staticmethod
    def accounts(text):
        "The ids of the personal accounts of dumps' text"
        return {a for a, _, _ in json.loads(text)['receivables']}

    @classmethod
    def loads(cls, text):
        data = json.loads(text)
        return cls(
            {(a, p): as_money(Decimal(v)) for a, p, v in data['receivables']},
            {(s, k): as_money(Decimal(v)) for s, k, v in data['credits']})


def month_end(date):
    following = (date.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def previous_month(date):
    return (date.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


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
            ('computing', "Computing"),
            ('computed', "Computed"),
            ('posting', "Posting"),
            ('posted', "Posted"),
            ('cancelled', "Cancelled"),
            ], "State", readonly=True, required=True, sort=False)
    chunks = fields.One2Many(
        'housing.accrual.chunk', 'run', "Chunks", readonly=True)
    progress = fields.Function(
        fields.Float("Progress", digits=(1, 4)), 'get_progress')
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
            ('draft', 'computing'),
            ('computed', 'computing'),
            ('computing', 'computed'),
            ('computing', 'draft'),
            ('computed', 'draft'),
            ('draft', 'cancelled'),
            ('computing', 'cancelled'),
            ('computed', 'cancelled'),
            ('cancelled', 'draft'),
            ('computed', 'posting'),
            ('posting', 'posted'),
            ('posting', 'draft'),
            ('posting', 'cancelled'),
            }
        cls._buttons.update({
                'compute': {
                    'invisible': ~Eval('state').in_(['draft', 'computed']),
                    'icon': 'tryton-launch',
                    'depends': ['state'],
                    },
                'resume': {
                    'invisible': ~Eval('state').in_(['computing', 'posting']),
                    'icon': 'tryton-refresh',
                    'depends': ['state'],
                    },
                'draft': {
                    'invisible': ~Eval('state').in_(
                        ['computing', 'computed', 'posting', 'cancelled']),
                    'icon': 'tryton-back',
                    'depends': ['state'],
                    },
                'post': {
                    'invisible': Eval('state') != 'computed',
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': ~Eval('state').in_(
                        ['draft', 'computing', 'computed', 'posting']),
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
    def get_progress(cls, runs, name):
        """The share of building chunks computed, or written to the ledger
        while the run posts (with SQL: the client asks again and again
        while a run of a city computes)."""
        counts = cls.chunk_counts(runs)
        result = {}
        for run in runs:
            total, computed, posted = counts.get(run.id, (0, 0, 0))
            done = posted if run.state == 'posting' else computed
            result[run.id] = (done / total if total
                else float(run.state in {'computed', 'posted'}))
        return result

    @classmethod
    def chunk_counts(cls, runs):
        """{run id: (number of chunks, number computed, number posted)},
        counted with SQL"""
        chunk = Pool().get('housing.accrual.chunk').__table__()
        cursor = Transaction().connection.cursor()
        counts = {}
        for sub_ids in in_slices([r.id for r in runs]):
            cursor.execute(*chunk.select(chunk.run, Count(chunk.id),
                    Sum(Case((chunk.state.in_(['done', 'posted']), 1),
                            else_=0)),
                    Sum(Case((chunk.state == 'posted', 1), else_=0)),
                    where=where_in(chunk.run, sub_ids),
                    group_by=[chunk.run]))
            counts.update((run, (total, computed, posted))
                for run, total, computed, posted in cursor)
        return counts

    @classmethod
    def validate(cls, runs):
        super().validate(runs)
        for run in runs:
            if run.period.day != 1:
                raise AccrualError(gettext(
                        'housing_billing.msg_accrual_period_first_day',
                        run=run.rec_name, period=run.period.isoformat()))

    @classmethod
    def check_modification(cls, mode, runs, values=None, external=False):
        super().check_modification(
            mode, runs, values=values, external=external)
        if mode == 'write':
            # A posting run only moves on (posted) or back (draft, cancel).
            frozen = ({'posting', 'posted'} if set(values or {}) - {'state'}
                else {'posted'})
            for run in runs:
                if run.state in frozen:
                    raise AccessError(gettext(
                            'housing_billing.msg_accrual_modify_posted',
                            run=run.rec_name))

    @classmethod
    def delete(cls, runs):
        for run in runs:
            if run.state in {'posting', 'posted'}:
                raise AccessError(gettext(
                        'housing_billing.msg_accrual_delete_posted',
                        run=run.rec_name))
        # In bulk, before the ORM's cascade would delete row by row.
        cls.clear(runs)
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
    @Workflow.transition('computing')
    def compute(cls, runs):
        """Split the runs into one chunk per building, each computed by
        Tryton's queue in its own transaction: a worker per chunk when
        workers run, else one after the other once this call commits."""
        Chunk = Pool().get('housing.accrual.chunk')
        cls.clear(runs)
        chunks = Chunk.create([
                {'run': run.id, 'building': building, 'accounts': count}
                for run in runs
                for building, count in run.chunk_buildings()])
        cls.write(runs, {'computed_at': None})
        cls.enqueue(chunks)
        # Queued: the runs are computing only once this call returns (a
        # run without account has no chunk to check it).
        cls.__queue__.update_state(runs)

    @classmethod
    @ModelView.button
    def resume(cls, runs):
        """Compute again the chunks that failed or never ran; while the run
        posts, write again the moves of the chunks that failed or never
        ran, or finish the posting (and say why it cannot)."""
        cls.enqueue([c for run in runs if run.state == 'computing'
                for c in run.chunks if c.state != 'done'])
        cls.enqueue_posting([c for run in runs if run.state == 'posting'
                for c in run.chunks if c.state == 'done'])
        cls.update_state(runs)

    @classmethod
    def enqueue(cls, chunks):
        "Queue the chunks in tasks of about BATCH accounts."
        Chunk = Pool().get('housing.accrual.chunk')
        for batch in cls.chunk_batches(chunks, BATCH):
            Chunk.__queue__.compute(batch)

    @classmethod
    def chunk_batches(cls, chunks, limit):
        "The chunks in lists of about limit accounts, whole chunks, a run each"
        Chunk = Pool().get('housing.accrual.chunk')
        # Read, not browsed: the attributes of a city's 824 chunks
        # instantiated each of them again for every chunk.
        values = {v['id']: v for v in Chunk.read(
                [c.id for c in chunks], ['run', 'accounts'])}
        runs = {r.id: r for r in cls.browse(
                list({v['run'] for v in values.values()}))}
        return batches(chunks, lambda c: runs[values[c.id]['run']],
            lambda c: values[c.id]['accounts'] or 0, limit)

    @classmethod
    def enqueue_posting(cls, chunks):
        "Queue the writing of the chunks' moves, whole buildings a task."
        Chunk = Pool().get('housing.accrual.chunk')
        for batch in cls.chunk_batches(chunks, POST_BATCH):
            Chunk.__queue__.post(batch)

    @classmethod
    def update_state(cls, runs):
        """A computing run whose chunks are all done is computed; a posting
        run whose chunks have all written their moves is posted."""
        runs = cls.browse(runs)
        # With SQL: a queued check follows every task of a city's run.
        counts = cls.chunk_counts(runs)
        computed, posted = [], []
        for run in runs:
            total, done, moved = counts.get(run.id, (0, 0, 0))
            if run.state == 'computing' and done == total:
                computed.append(run)
            elif run.state == 'posting' and moved == total:
                posted.append(run)
        if computed:
            cls.finish(computed)
        if posted:
            cls.lock_to_finish(posted)
            cls.finish_posting(posted)

    @classmethod
    def lock_to_finish(cls, runs):
        """Wait for another transaction that finishes the runs: the checks
        queued after the last two tasks may run side by side, and the
        second is then retried (it sees the runs posted) rather than doing
        the same work until its commit fails."""
        if backend.name != 'postgresql':
            return
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.select(table.id,
                where=table.id.in_([r.id for r in runs]),
                for_=For('UPDATE')))

    @classmethod
    @Workflow.transition('computed')
    def finish(cls, runs):
        cls.write(runs, {'computed_at': dt.datetime.now()})

    def chunk_buildings(self):
        """[(building id, number of accounts)] of the buildings of the
        scope that have accounts to bill."""
        pool = Pool()
        account = pool.get('housing.account').__table__()
        premises = pool.get('housing.premises').__table__()
        cursor = Transaction().connection.cursor()
        buildings = defaultdict(int)
        for sub_ids in in_slices(self.accounts()):
            cursor.execute(*account.join(premises,
                    condition=account.premises == premises.id
                    ).select(premises.building, Count(account.id),
                    where=where_in(account.id, sub_ids),
                    group_by=[premises.building]))
            for building, count in cursor:
                buildings[building] += count
        return sorted(buildings.items())

    @classmethod
    @ModelView.button
    @Workflow.transition('posting')
    def post(cls, runs):
        """Write each building's move in a queue task, as a draft (the
        workers' tasks side by side, else one after the other once this
        call commits); the last task's check numbers and posts them all
        (finish_posting)."""
        for run in runs:
            run.check_postable()
            # Made now, not by two tasks at once.
            with without_check_access():
                MoveWriter.check_periods([run.move_spec([])])
        cls.enqueue_posting([c for run in runs for c in run.chunks])
        # Queued: the runs are posting only once this call returns (a run
        # without account has no chunk to check it).
        cls.__queue__.update_state(runs)

    @classmethod
    @Workflow.transition('posted')
    def finish_posting(cls, runs):
        """The moves of the runs, written as drafts building by building,
        numbered in the order of the buildings and posted; the ledger
        checked against the runs."""
        # The button is the accountants'; the ledger is written on their
        # behalf, not through their own rights on account.move.
        with without_check_access():
            MoveWriter().post(
                [m for run in runs for m in run.draft_move_ids()])
        for run in runs:
            run.check_ledger()
        cls.close_recalculations(runs)

    def draft_move_ids(self):
        "The ids of the run's draft moves, by building as they are numbered"
        pool = Pool()
        Building = pool.get('housing.building')
        chunk = pool.get('housing.accrual.chunk').__table__()
        move = pool.get('account.move').__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*chunk.join(move,
                condition=chunk.move == move.id).select(
                chunk.building, chunk.move,
                where=(chunk.run == self.id) & (move.state == 'draft')))
        moves = dict(cursor)
        names = {b['id']: b['rec_name']
            for b in Building.read(list(moves), ['rec_name'])}
        return [moves[b] for b in sorted(moves, key=names.__getitem__)]

    def write_moves(self, buildings):
        """Write the moves of the buildings (ids) as drafts; return
        {building id: move id}."""
        freeze_long_lived()
        moves = list(self.building_moves(buildings))
        # As for Post: on the accountants' behalf.
        with without_check_access():
            ids = MoveWriter().write([m for _, m in moves], post=False)
        return {building: move for (building, _), move in zip(moves, ids)}

    @classmethod
    def close_recalculations(cls, runs):
        "The requests a posted run charged are done."
        Request = Pool().get('housing.recalculation')
        with without_check_access():
            Request.write(Request.search([
                        ('run', 'in', [r.id for r in runs]),
                        ('state', '=', 'pending'),
                        ]), {'state': 'done'})

    @classmethod
    def clear(cls, runs):
        pool = Pool()
        Charge = pool.get('housing.charge')
        Anomaly = pool.get('housing.accrual.anomaly')
        Chunk = pool.get('housing.accrual.chunk')
        Request = pool.get('housing.recalculation')
        run_ids = [r.id for r in runs]
        cursor = Transaction().connection.cursor()
        cls.delete_draft_moves(runs)
        with without_check_access():
            Request.write(Request.search([
                        ('run', 'in', run_ids),
                        ('state', '=', 'pending'),
                        ]), {'run': None})
        for Model in [Charge, Anomaly, Chunk,
                pool.get('housing.soi.carried')]:  # building_pass
            table = Model.__table__()
            for sub_ids in grouped_slice(run_ids, 1000):
                cursor.execute(*table.delete(
                        where=table.run.in_(list(sub_ids))))

    @classmethod
    def delete_draft_moves(cls, runs):
        "The moves a posting run wrote before it was set back."
        move = Pool().get('account.move').__table__()
        cursor = Transaction().connection.cursor()
        origins = [str(r) for r in runs]
        for sub_origins in grouped_slice(origins, 1000):
            cursor.execute(*move.select(move.id,
                    where=move.origin.in_(list(sub_origins))
                    & (move.state == 'draft')))
            MoveWriter.delete([i for i, in cursor])

    def check_postable(self):
        Anomaly = Pool().get('housing.accrual.anomaly')
        # Searched, not read through self.anomalies: a month after a year
        # has ten thousand warnings, and reading them took seconds.
        domain = [('run', '=', self.id), ('severity', '=', 'error')]
        errors = Anomaly.search(domain, limit=1)
        if errors:
            raise AccrualError(gettext(
                    'housing_billing.msg_accrual_post_errors',
                    run=self.rec_name, count=Anomaly.search_count(domain),
                    first=errors[0].message))
        for other in self.search([
                    ('company', '=', self.company.id),
                    ('period', '=', self.period),
                    ('state', 'in', ['posting', 'posted']),
                    ('id', '!=', self.id),
                    ]):
            mine = {b.id for b in self.buildings}
            theirs = {b.id for b in other.buildings}
            if not mine or not theirs or mine & theirs:
                raise AccrualError(gettext(
                        'housing_billing.msg_accrual_posted_twice',
                        run=self.rec_name, other=other.rec_name))

    def move_spec(self, lines, description=None):
        "The MoveSpec of a move of the run"
        pool = Pool()
        Period = pool.get('account.period')
        Configuration = pool.get('housing.configuration')
        journal = Configuration(1).accrual_journal
        if not journal:
            raise AccrualError(gettext(
                    'housing_billing.msg_accrual_no_journal',
                    run=self.rec_name))
        date = month_end(self.period)
        period = Period.find(self.company, date=date)
        return MoveSpec(
            company=self.company.id, journal=journal.id, period=period.id,
            date=date, origin=str(self), description=description,
            lines=lines)

    def get_moves(self, buildings=None):
        """One move per building (of buildings, ids, else of the run):
        receivables per account, revenue per service."""
        return [spec for _, spec in self.building_moves(buildings)]

    def building_moves(self, buildings=None):
        """[(building id, MoveSpec)] of the buildings (ids, else those of
        the run) by name"""
        Building = Pool().get('housing.building')
        date = month_end(self.period)
        receivables, credits = self.charge_sums(buildings)
        payers = payers_at(
            {r.account for sums in receivables.values() for r in sums},
            date, self.company.id)
        # What the lines need is read now: they are made while the COPY
        # writes them (MoveSpec.lines), when no query may run.
        for sums in receivables.values():
            for receivable in sums:
                if receivable.amount and receivable.account not in payers:
                    raise AccrualError(gettext(
                            'housing_billing.msg_accrual_no_payer',
                            account=receivable.number,
                            date=date.isoformat()))
        credit_keys = {}
        for sums in credits.values():
            for charge in sums:
                memo = (charge.service.id, charge.kind)
                if memo not in credit_keys:
                    credit_keys[memo] = self.credit_key(charge)
        for ledger_account, _ in credit_keys.values():
            ledger_account.code  # read now: the lines are sorted by it
        penalty_accounts = {penalty: penalty_receivable(
                    self.company, PENALTY_BASES.get(penalty, HOUSING)).id
            for penalty in {r.penalty for sums in receivables.values()
                for r in sums if r.penalty}}
        spec = self.move_spec(())
        return [(building.id, dataclasses.replace(spec,
                    lines=self.move_lines(
                        receivables[building.id], credits[building.id],
                        payers, credit_keys, penalty_accounts),
                    description=gettext(
                        'housing_billing.msg_accrual_move_description',
                        period=self.period.strftime('%m.%Y'),
                        building=building.rec_name)))
            for building in sorted(
                Building.browse(list(receivables)),
                key=lambda b: b.rec_name)]

    def charge_sums(self, buildings=None):
        """({building id: [ReceivableSum]}, {building id: [CreditSum]}):
        the charges of the buildings (ids, else of the whole run) summed
        by personal account and by service, as the run's chunks added them
        up when they wrote them (else with SQL)."""
        totals = self.chunk_totals(buildings)
        if totals is not None:
            return self.chunk_sums(totals)
        return self.summed_charges(buildings)

    def chunk_totals(self, buildings=None):
        """{building id: ChargeTotals} of the run's chunks (of buildings,
        ids), None when one of them has none (computed before the chunks
        kept them)."""
        texts = self.chunk_totals_texts(buildings)
        if texts is None:
            return None
        return {building: ChargeTotals.loads(text)
            for building, text in texts.items()}

    def chunk_totals_texts(self, buildings=None):
        "chunk_totals as the chunks keep them (read with SQL, not parsed)"
        chunk = Pool().get('housing.accrual.chunk').__table__()
        cursor = Transaction().connection.cursor()
        where = chunk.run == self.id
        if buildings is not None:
            where &= chunk.building.in_(list(buildings) or [-1])
        cursor.execute(*chunk.select(chunk.building, chunk.totals,
                where=where))
        texts = dict(cursor)
        if not texts or not all(texts.values()):
            return None
        return texts

    def charged_account_ids(self):
        "The ids of the personal accounts the run charged"
        texts = self.chunk_totals_texts()
        if texts is not None:
            return sorted({account for text in texts.values()
                    for account in ChargeTotals.accounts(text)})
        charge = Pool().get('housing.charge').__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*charge.select(
                charge.account, where=charge.run == self.id,
                group_by=[charge.account]))
        return [a for a, in cursor]

    def chunk_sums(self, totals):
        "charge_sums from the chunks' totals ({building id: ChargeTotals})"
        pool = Pool()
        Service = pool.get('housing.service')
        account = pool.get('housing.account').__table__()
        cursor = Transaction().connection.cursor()
        receivables, credits = defaultdict(list), defaultdict(list)
        credit_rows = []
        for building, chunk in totals.items():
            receivables[building] = [
                ReceivableSum(account_id, None, penalty, amount)
                for (account_id, penalty), amount
                in chunk.receivables.items()]
            credit_rows.extend((building, service, kind, amount)
                for (service, kind), amount in chunk.credits.items())
        numbers = {}
        ids = {r.account for sums in receivables.values() for r in sums}
        for sub_ids in in_slices(sorted(ids)):
            cursor.execute(*account.select(account.id, account.number,
                    where=where_in(account.id, sub_ids)))
            numbers.update(cursor)
        for building, sums in receivables.items():
            receivables[building] = [r._replace(number=numbers[r.account])
                for r in sums]
        services = {s.id: s for s in Service.browse(
                list({r[1] for r in credit_rows}))}
        for building, service, kind, amount in credit_rows:
            credits[building].append(
                CreditSum(services[service], kind, amount))
        return receivables, credits

    def summed_charges(self, buildings=None):
        "charge_sums with SQL (the runs computed before chunks had totals)"
        pool = Pool()
        Service = pool.get('housing.service')
        charge = pool.get('housing.charge').__table__()
        account = pool.get('housing.account').__table__()
        cursor = Transaction().connection.cursor()
        receivables = defaultdict(list)
        where = charge.run == self.id
        if buildings is not None:
            where &= charge.building.in_(list(buildings) or [-1])
        # Summed by PostgreSQL to (building, account, penalty) before the
        # join to the accounts: a tenth of the rows of a sum by kind and
        # method, and the join made once an account rather than once a
        # charge.
        rows = charge.select(
            charge.building, charge.account,
            Case((charge.kind == 'penalty',
                    Coalesce(charge.method, 'penalty')),
                else_='').as_('penalty'),
            charge.amount,
            where=where)
        sums = rows.select(
            rows.building, rows.account, rows.penalty,
            Sum(rows.amount).as_('amount'),
            group_by=[rows.building, rows.account, rows.penalty])
        cursor.execute(*sums.join(
                account, condition=sums.account == account.id
                ).select(
                    sums.building, sums.account, account.number,
                    sums.penalty, sums.amount))
        for building, account_id, number, penalty, amount in cursor:
            receivables[building].append(ReceivableSum(
                    account_id, number, penalty, as_money(amount)))
        cursor.execute(*charge.select(
                charge.building, charge.service, charge.kind,
                Sum(charge.amount),
                where=where,
                group_by=[charge.building, charge.service, charge.kind]))
        rows = cursor.fetchall()
        services = {s.id: s for s in Service.browse(
                list({r[1] for r in rows}))}
        credits = defaultdict(list)
        for building, service, kind, amount in rows:
            credits[building].append(
                CreditSum(services[service], kind, as_money(amount)))
        return receivables, credits

    def move_lines(self, receivables, credits, payers, credit_keys,
            penalty_accounts):
        """The LineSpecs of a building: a receivable line per personal
        account (penalties on their own account), a credit line per
        credit_key. Made without a query (get_moves reads what they need):
        payers of the accounts, credit_keys by service id and kind, penalty
        receivables by penalty method."""
        credit = defaultdict(Decimal)
        for charge in credits:
            credit[credit_keys[charge.service.id, charge.kind]] += (
                charge.amount)

        def line(amount, **values):
            return LineSpec(
                debit=amount if amount > 0 else Decimal(0),
                credit=-amount if amount < 0 else Decimal(0), **values)

        for receivable in sorted(receivables,
                key=lambda r: (r.number, r.penalty)):
            if not receivable.amount:
                continue
            payer = payers[receivable.account]
            yield line(receivable.amount,
                account=(penalty_accounts[receivable.penalty]
                    if receivable.penalty else payer.receivable),
                party=payer.party, housing_account=receivable.account)
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
                where=move.origin.in_(self.ledger_origins())
                & (line.housing_account != Null)))
        ledger, = cursor.fetchone()
        ledger = as_money(ledger) or Decimal(0)
        if ledger != (self.total or Decimal(0)):
            raise AccrualError(gettext(
                    'housing_billing.msg_accrual_ledger_mismatch',
                    run=self.rec_name, total=self.total, ledger=ledger))

    def ledger_origins(self):
        "The origins of the moves that post the run (legal_entity adds)."
        return [str(self)]

    @property
    def billing_period(self):
        return billing_period(self.period)

    def accounts(self, buildings=None):
        """The ids of the personal accounts open for at least a day of the
        period, of buildings or else of the run's scope, by building and
        number."""
        Account = Pool().get('housing.account')
        domain = [
            ('company', '=', self.company.id),
            Account.open_during_domain(self.period, month_end(self.period)),
            ]
        buildings = buildings or self.buildings
        if buildings:
            domain.append(
                ('premises.building', 'in', [b.id for b in buildings]))
        # Not search's records: browsing 100,000 ids at once is quadratic.
        query = Account.search(domain, order=[
                ('premises.building', 'ASC'), ('number', 'ASC')], query=True)
        cursor = Transaction().connection.cursor()
        cursor.execute(*query)
        return [i for i, in cursor]

    def compute_charges(self, buildings=None, shared=None, totals=None):
        """Charge the month, the penalties and the recalculations of the
        accounts of buildings (else of the scope); returns the
        recalculation requests it charged.

        shared keeps the loaders between calls of one transaction; totals
        (a ChargeTotals) adds up what is charged."""
        Account = Pool().get('housing.account')
        shared = {} if shared is None else shared
        ids = self.accounts(buildings)
        # Browsed once: browse is quadratic in the number of ids.
        accounts = Account.browse(ids)
        for charges, anomalies in self.computed_chunks(
                ids, shared, accounts):
            self.insert_charges(charges, shared, totals)
            self.insert_anomalies(anomalies)
        anomalies = []
        recalculations, requests = self.recalculation_rows(
            accounts, anomalies, shared)
        self.insert_charges(recalculations, shared, totals)
        self.insert_anomalies(anomalies)
        return requests

    def loaders(self, period, shared, own_period=True):
        "The snapshot loader and building pass of period, made once."
        key = (self.id, period, own_period)
        if key not in shared:
            shared[key] = (SnapshotLoader(self.company, period),
                BuildingPass(self, period, own_period=own_period))
        return shared[key]

    def computed_chunks(self, ids, shared=None, accounts=None):
        """(charge rows, anomalies) of each chunk of CHUNK accounts: in
        worker processes where the configuration asks for them, else
        here. accounts: the records of ids, when browsed already."""
        Account = Pool().get('housing.account')
        chunks = [list(c) for c in grouped_slice(ids, CHUNK)]
        if compute_workers.processes() > 1 and len(chunks) > 1:
            yield from compute_workers.compute(self, chunks)
            return
        shared = {} if shared is None else shared
        loader, building_pass = self.loaders(self.billing_period, shared)
        penalty_settings = self.penalty_settings(shared)
        if accounts is None:
            records = [Account.browse(chunk) for chunk in chunks]
        else:
            records = [list(c) for c in grouped_slice(accounts, CHUNK)]
        for chunk in records:
            yield self.compute_accounts(
                chunk, loader, building_pass, penalty_settings)

    def penalty_settings(self, shared):
        "The penalty settings of the company's buildings, made once."
        key = (self.id, 'penalty settings')
        if key not in shared:
            shared[key] = SettingsOfBuildings(self.company)
        return shared[key]

    def compute_accounts(self, accounts, loader, building_pass=None,
            penalty_settings=None):
        """(charge rows, anomalies) of the accounts (records of a chunk);
        penalty_settings: the SettingsOfBuildings kept between chunks."""
        building_pass = building_pass or BuildingPass(
            self, self.billing_period)
        charges, anomalies = [], []
        snapshots = loader.load(accounts)
        computed = building_pass.compute(accounts, snapshots, anomalies)
        building_of = account_buildings([a.id for a in accounts])
        # Read once: the run's fields are read again after each write.
        period = self.period
        for account in accounts:
            lines = computed[account.id]
            charges.extend(self.charge_rows(
                    account, lines, building_of[account.id], period))
            anomalies.extend(self.line_anomalies(
                    account, lines, building_of[account.id]))
        charges.extend(
            penalty_charge_rows(self, accounts, penalty_settings))
        return charges, anomalies

    def calculate(self, account, snapshot, anomalies):
        "The kernel's lines, or none and an anomaly that says why."
        try:
            return calculate(snapshot)
        except (MissingParameter, ReadingRejected, ValueError,
                KeyError) as exception:
            anomalies.append(self.anomaly(account, 'error', str(exception)))
            return []

    def recalculation_rows(self, accounts, anomalies, shared=None):
        """Recompute the posted periods that pending requests name, with
        today's data, and charge the differences in this period."""
        pool = Pool()
        Request = pool.get('housing.recalculation')
        shared = {} if shared is None else shared
        key = ('pending buildings', self.id, self.period)
        if key not in shared:
            # Read once for the buildings of a queue task
            shared[key] = Request.pending_buildings(self.company, self.period)
        if not shared[key]:
            return [], []
        by_id = {a.id: a for a in accounts}
        building_of = account_buildings(list(by_id))
        buildings = set(building_of.values()) & shared[key]
        pending = Request.pending(self.company, pool.get(
                'housing.building').browse(buildings),
            self.period) if buildings else {}
        wanted = {}
        used = []
        for account in accounts:
            requests = pending.get(building_of[account.id], {})
            found = requests.get(None, []) + requests.get(account.id, [])
            if found:
                wanted[account.id] = found
                used.extend(r[2] for r in found)
        if not wanted:
            return [], []
        codes = {s.id: s.code for s in pool.get('housing.service').search([
                    ('company', '=', self.company.id),
                    ('active', 'in', [True, False]),
                    ])}
        concerned = {r[3] for f in wanted.values() for r in f}
        charged = self.charged_lines(
            list(wanted), min(r[0] for f in wanted.values() for r in f),
            only=None if None in concerned else {codes[s] for s in concerned})
        groups = defaultdict(list)
        for account_id, periods in charged.items():
            first = min(r[0] for r in wanted[account_id])
            for period in periods:
                if period >= first:
                    only = concerned_codes(wanted[account_id], period, codes)
                    groups[period, only].append(by_id[account_id])
        rows = []
        for (period, only), group in sorted(groups.items(),
                key=lambda g: (g[0][0], sorted(g[0][1] or ()))):
            loader, building_pass = self.loaders(billing_period(period),
                {} if shared is None else shared, own_period=False)
            snapshots = loader.load(group, only=only)
            computed = building_pass.compute(group, snapshots, anomalies)
            for account in group:
                now = computed[account.id]
                before = charged[account.id][period]
                if only is not None:
                    now = [line for line in now if line.service in only]
                    before = [line for line in before if line.service in only]
                reason = self.recalculation_reason(
                    wanted[account.id], period)
                lines = correction(before, now,
                    self.billing_period, billing_period(period), reason)
                rows.extend(dict(row, correction=True)
                    for row in self.charge_rows(
                        account, lines, building_of[account.id]))
        return rows, used

    @staticmethod
    def recalculation_reason(requests, period):
        "The reason of the requests that reach back to period."
        reasons = {
            reason for first, reason, *_ in requests if first <= period}
        return min(reasons, key=REASON_ORDER.index)

    def charged_lines(self, account_ids, since, only=None):
        """{account id: {period: [ChargeLine]}} of what posted runs charged
        for the periods from since to before this one: the lines of each
        period's own computation (with its own absence lines and the
        reconciliations it made of earlier averages) and the corrections
        of it charged later, penalties apart; of the services whose codes
        are in only, when given."""
        pool = Pool()
        Charge = pool.get('housing.charge')
        Service = pool.get('housing.service')
        charge = Charge.__table__()
        service = Service.__table__()
        cursor = Transaction().connection.cursor()
        result = defaultdict(lambda: defaultdict(list))
        end = self.period
        runs = sorted(posted_runs(self.company))
        if not runs:
            return result
        in_range = ((charge.period >= since) & (charge.period < end)
            | (charge.corrected_period >= since)
            & (charge.corrected_period < end))
        if only is not None:
            in_range &= service.code.in_(sorted(only))
        for sub_ids in grouped_slice(account_ids, 1000):
            cursor.execute(*charge
                .join(service, condition=charge.service == service.id)
                .select(charge.account, charge.period,
                    charge.corrected_period, charge.correction,
                    service.code, charge.method, charge.quantity,
                    charge.unit, charge.tariff, charge.amount, charge.kind,
                    charge.component, charge.basis, charge.reason,
                    where=charge.account.in_(list(sub_ids))
                    & where_in(charge.run, runs) & in_range
                    & charge.kind.in_([Kind.CHARGE, Kind.RECALCULATION,
                            Kind.REDUCTION])))
            for (account, period, corrected, is_correction, code, method,
                    quantity, unit, tariff, amount, kind, component, basis,
                    reason) in cursor.fetchall():
                period = as_date(corrected if is_correction else period)
                if not (since <= period < end):
                    continue
                result[account][period].append(ChargeLine(
                        service=code, method=method or '',
                        quantity=as_decimal(quantity), unit=unit or '',
                        tariff=as_decimal(tariff), amount=as_money(amount),
                        kind=kind, component=component or '',
                        basis=basis or '', reason=reason or ''))
        return result

    def anomaly(self, account, severity, message, building=None):
        "An anomaly of account (of building, its building id)"
        if building is None:
            building = account.premises.building.id
        return {
            'run': self.id, 'account': account.id, 'building': building,
            'severity': severity, 'message': message,
            }

    def line_anomalies(self, account, lines, building=None):
        """What an accountant should look at before posting (building: the
        account's building id)."""
        for line in lines:
            if line.basis == Basis.AVERAGE_B:
                yield self.anomaly(account, 'warning', gettext(
                        'housing_billing.msg_accrual_missing_readings',
                        service=line.service,
                        explanation=line.explanation_ru), building)
            elif line.basis in Basis.AVERAGES:
                yield self.anomaly(account, 'warning', gettext(
                        'housing_billing.msg_accrual_average',
                        service=line.service,
                        explanation=line.explanation_ru), building)

    def charge_row(self, account, line):
        return self.charge_rows(account, [line])[0]

    def charge_rows(self, account, lines, building=None, period=None):
        """The rows of an account's lines (of building, the building id;
        period: the run's, when the caller has read it already)"""
        if building is None:
            building = account.premises.building.id
        common = {
            'run': self.id,
            'account': account.id,
            'building': building,
            'period': self.period if period is None else period,
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
            'inputs': INPUTS_ENCODER.encode(line.inputs),
            }

    def insert_anomalies(self, rows):
        "Write the anomalies (dicts of anomaly()) in bulk."
        Anomaly = Pool().get('housing.accrual.anomaly')
        columns = ['run', 'account', 'building', 'severity', 'message']
        bulk.insert(Anomaly._table, columns, (
                [row[c] for c in columns] for row in rows))

    def insert_charges(self, rows, shared=None, totals=None):
        """Write the charge lines in bulk (COPY on PostgreSQL, multi-row
        INSERT on SQLite): the ORM's per-record create is too slow for a
        month of a city.

        shared keeps the services' ids between calls of one transaction;
        totals (a ChargeTotals) adds up the rows."""
        pool = Pool()
        Charge = pool.get('housing.charge')
        Service = pool.get('housing.service')
        rows = list(rows)
        if not rows:
            return
        shared = {} if shared is None else shared
        key = (self.id, 'service ids')
        if key not in shared:
            shared[key] = {s.code: s.id for s in Service.search([
                        ('company', '=', self.company.id)])}
        services = shared[key]
        columns = sorted(set().union(*rows))
        if len(columns) > 1 and all(len(row) == len(columns) for row in rows):
            # Every row has every column (the usual case): by itemgetter.
            getter = itemgetter(*columns)
            values = [list(getter(row)) for row in rows]
        else:
            values = [[row.get(c) for c in columns] for row in rows]
        if 'service' in columns:
            index = columns.index('service')
            for row in values:
                row[index] = services[row[index]]
        self.lock_references(Charge, columns, values)
        bulk.insert(Charge._table, columns, values)
        if totals is not None:
            totals.add(columns, values)

    @staticmethod
    def lock_references(Model, columns, values):
        """Check that the rows' references exist and keep them so until
        the commit (bulk.missing_references)."""
        missing = bulk.missing_references(Model, {
                column: [v[columns.index(column)] for v in values]
                for column in Model._bulk_references})
        for model, ids in missing.items():
            raise AccrualError(gettext(
                    'housing_billing.msg_accrual_missing_reference',
                    model=Pool().get(model).__names__()['model'],
                    ids=', '.join(map(str, ids[:10]))))

def concerned_codes(requests, period, codes):
    """The codes of the only services the requests reaching back to period
    can change, else None (every service)."""
    services = {r[3] for r in requests if r[0] <= period}
    if None in services:
        return None
    return frozenset(codes[s] for s in services)


def fault_barrier(building_id):
    """The test hook of the fault tests (tests/test_faults.py), off unless
    [housing] fault_barrier is set to an integer KEY, on PostgreSQL: a
    chunk whose rows are written waits, before its transaction goes on to
    commit, for the shared advisory lock (KEY, building id). A test that
    holds that lock exclusively stops the worker at this point, in the
    middle of the chunk's transaction, and kills it there."""
    key = config.getint('housing', 'fault_barrier', default=None)
    if key is None or backend.name != 'postgresql':
        return
    cursor = Transaction().connection.cursor()
    cursor.execute('SELECT pg_advisory_xact_lock_shared(%s, %s)',
        (key, building_id))


_frozen = False


def freeze_long_lived():
    """Exempt what the process holds before its first chunk (the pool, its
    models and caches) from the garbage collector's passes, once.

    A chunk makes millions of objects; each full collection walked the
    pool's as well (about a tenth of a worker's CPU on a month of a city).
    What is garbage is collected first, so only live objects are frozen."""
    global _frozen
    if not _frozen:
        gc.collect()
        gc.freeze()
        _frozen = True


class Chunk(ModelSQL, ModelView):
    """The accounts of one building in a run, computed in one transaction;
    then the building's move, written in one transaction."""
    __name__ = 'housing.accrual.chunk'
    __string__ = "Accrual Chunk"

    run = fields.Many2One(
        'housing.accrual.run', "Run", required=True, readonly=True,
        ondelete='CASCADE')
    building = fields.Many2One(
        'housing.building', "Building", required=True, readonly=True,
        ondelete='CASCADE')
    accounts = fields.Integer("Accounts", readonly=True)
    state = fields.Selection([
            ('pending', "Pending"),
            ('done', "Done"),
            ('failed', "Failed"),
            ('posted', "Posted"),
            ], "State", required=True, readonly=True)
    error = fields.Text("Error", readonly=True)
    move = fields.Many2One(
        'account.move', "Move", readonly=True, ondelete='SET NULL',
        help="The building's move, a draft until the whole run is posted.")
    totals = fields.Text(
        "Totals", readonly=True, loading='lazy',
        help="What the chunk charged, summed as the run's move posts it: "
        "the receivable of each personal account and the credit of each "
        "service, written with the charges.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.run, Index.Equality())))
        cls._order = [('run', 'ASC'), ('building', 'ASC'), ('id', 'ASC')]

    @staticmethod
    def default_state():
        return 'pending'

    def get_rec_name(self, name):
        return '%s: %s' % (self.run.rec_name, self.building.rec_name)

    @classmethod
    def compute(cls, chunks):
        Run = Pool().get('housing.accrual.run')
        shared = {}
        freeze_long_lived()
        for chunk in chunks:
            if chunk.state != 'done' and chunk.run.state == 'computing':
                chunk.compute_in_savepoint(shared)
        # Whether the run is now computed is for a transaction that starts
        # after this one commits: under PostgreSQL's REPEATABLE READ, this
        # one never sees the chunks other workers commit meanwhile.
        Run.__queue__.update_state(list({c.run for c in chunks}))

    def compute_in_savepoint(self, shared):
        """Compute the building, or leave nothing of it and say why: a
        failed chunk is computed again by the run's Resume."""
        # Nothing of an earlier attempt remains to be cleared: a chunk's
        # rows and its state commit together, and a failure rolls back to
        # the savepoint.
        totals = ChargeTotals()
        with attempt('housing_accrual_chunk') as outcome:
            requests = self.run.compute_charges(
                [self.building], shared, totals)
            self.claim(requests)
            fault_barrier(self.building.id)
        with without_check_access():
            self.write([self], {
                    'state': 'failed' if outcome.error else 'done',
                    'error': outcome.error,
                    'totals': None if outcome.error else totals.dumps(),
                    })

    @classmethod
    def post(cls, chunks):
        """Write the moves of the chunks of a task together; if that fails,
        each on its own, so that only the buildings that cannot be posted
        are left with their error (Resume writes them again)."""
        Run = Pool().get('housing.accrual.run')
        todo = defaultdict(list)
        for chunk in chunks:
            if chunk.state == 'done' and chunk.run.state == 'posting':
                todo[chunk.run].append(chunk)
        for run, group in todo.items():
            together_or_alone(group,
                lambda chunks: cls.post_in_savepoint(run, chunks))
        # As for compute: whether the run is posted is for a transaction
        # that starts after this one commits.
        Run.__queue__.update_state(list({c.run for c in chunks}))

    @classmethod
    def post_in_savepoint(cls, run, chunks):
        """Write the buildings' moves as drafts, or leave nothing of them
        and say why; return whether it worked."""
        with attempt('housing_accrual_post') as outcome:
            moves = run.write_moves([c.building.id for c in chunks])
        with without_check_access():
            if outcome.error:
                cls.write(chunks, {'error': outcome.error})
            else:
                cls.write(*[a for c in chunks for a in ([c], {
                                'state': 'posted',
                                'error': None,
                                'move': moves.get(c.building.id),
                                })])
        return not outcome.error

    def claim(self, request_ids):
        "The requests charged by the run, done when it is posted."
        Request = Pool().get('housing.recalculation')
        if request_ids:
            with without_check_access():
                Request.write(Request.browse(request_ids),
                    {'run': self.run.id})


class RunBuilding(ModelSQL):
    __name__ = 'housing.accrual.run-housing.building'
    __string__ = "Accrual Run - Building"
    run = fields.Many2One(
        'housing.accrual.run', "Run", required=True, ondelete='CASCADE')
    building = fields.Many2One(
        'housing.building', "Building", required=True, ondelete='CASCADE')


class Charge(ModelSQL, ModelView):
    __name__ = 'housing.charge'
    _bulk_references = {
        'run': 'housing.accrual.run',
        'account': 'housing.account',
        'building': 'housing.building',
        'service': 'housing.service',
        }
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
    correction = fields.Boolean(
        "Correction", readonly=True,
        help="Charged by the recalculation of a posted period, "
        "not by the period's own computation.")
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

    @classmethod
    def __register__(cls, module):
        super().__register__(module)
        # A month writes a million rows: PostgreSQL's foreign keys would
        # check each row (four lookups and locks a row, most of the
        # insert's time, and workers contending on the run's row). The
        # bulk writer locks the referenced rows once per chunk instead
        # (Run.lock_references); Tryton's delete enforces the ondelete
        # rules whatever the database has.
        table_h = cls.__table_handler__(module)
        for column in cls._bulk_references:
            table_h.drop_fk(column)

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
    building = fields.Many2One(
        'housing.building', "Building", readonly=True, ondelete='CASCADE')
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
    """Sums of charges read back as kopecks whatever the backend, beside
    the same sums of the previous month's posted runs."""
    __slots__ = ()
    # The charge columns a total is grouped by, besides the run.
    _total_keys = []

    @classmethod
    def read(cls, ids, fields_names):
        rows = super().read(ids, fields_names)
        for row in rows:
            if 'amount' in row:
                row['amount'] = as_money(row['amount'])
        return rows

    @classmethod
    def get_previous(cls, totals, names):
        pool = Pool()
        Charge = pool.get('housing.charge')
        Run = pool.get('housing.accrual.run')
        charge = Charge.__table__()
        run = Run.__table__()
        cursor = Transaction().connection.cursor()
        keys = [getattr(charge, k) for k in cls._total_keys]
        previous = {}
        for company, period in {
                (t.run.company.id, previous_month(t.run.period))
                for t in totals}:
            cursor.execute(*charge
                .join(run, condition=charge.run == run.id)
                .select(*keys, Sum(charge.amount),
                    where=(run.company == company) & (run.period == period)
                    & (run.state == 'posted'),
                    group_by=keys))
            for row in cursor:
                previous[(company, period) + tuple(row[:-1])] = as_money(
                    row[-1])
        result = {name: {} for name in names}
        for total in totals:
            values = (getattr(total, k) for k in cls._total_keys)
            key = (total.run.company.id, previous_month(total.run.period)
                ) + tuple(getattr(v, 'id', v) for v in values)
            amount = previous.get(key)
            if 'previous_amount' in result:
                result['previous_amount'][total.id] = amount
            if 'difference' in result:
                result['difference'][total.id] = (
                    as_money(total.amount) - (amount or 0))
        return result


class ServiceTotal(TotalMixin, ModelSQL, ModelView):
    __name__ = 'housing.accrual.service_total'
    __string__ = "Accrual Total by Service"

    run = fields.Many2One('housing.accrual.run', "Run", readonly=True)
    service = fields.Many2One('housing.service', "Service", readonly=True)
    kind = fields.Selection(KINDS, "Kind", readonly=True)
    accounts = fields.Integer("Accounts", readonly=True)
    amount = fields.Numeric("Amount", digits=MONEY, readonly=True)
    previous_amount = fields.Function(fields.Numeric(
            "Previous Month", digits=MONEY,
            help="The posted amount of the month before."),
        'get_previous')
    difference = fields.Function(fields.Numeric(
            "Difference", digits=MONEY), 'get_previous')
    _total_keys = ['service', 'kind']

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
    previous_amount = fields.Function(fields.Numeric(
            "Previous Month", digits=MONEY,
            help="The posted amount of the month before."),
        'get_previous')
    difference = fields.Function(fields.Numeric(
            "Difference", digits=MONEY), 'get_previous')
    _total_keys = ['building']

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
