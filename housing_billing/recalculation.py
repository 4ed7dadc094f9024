# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""Requests to recalculate posted periods.

A change to data that a posted period was computed from (a backdated
absence, a late or corrected reading, a resident, a meter, a tariff, a
normative, a service's validity) records a request from the first period it
touches. The next accrual run of the building recomputes those periods
with today's data and charges the difference (ARCHITECTURE.md,
"Recalculation is one idea")."""

from sql.aggregate import Max
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.transaction import Transaction, without_check_access

from .bulk import as_date
from .engine.lines import Reason
from .exceptions import RecalculationError

REASONS = [
    (Reason.TEMPORARY_ABSENCE, "Temporary absence"),
    (Reason.LATE_READINGS, "Late or corrected reading"),
    (Reason.RESIDENTS, "Residents change"),
    (Reason.METER, "Meter installed or removed"),
    (Reason.TARIFF, "Tariff or normative correction"),
    (Reason.SERVICE, "Service validity correction"),
    (Reason.QUALITY, "Service shortfall"),
    (Reason.MANUAL, "Manual"),
    ]
# When several changes touch one period, the row names the first of these.
REASON_ORDER = [code for code, _ in REASONS]


def first_day(date):
    return date.replace(day=1)


class Recalculation(ModelSQL, ModelView):
    __name__ = 'housing.recalculation'
    __string__ = "Recalculation Request"

    _states = {'readonly': Eval('state') != 'pending'}

    company = fields.Many2One(
        'company.company', "Company", required=True, states=_states)
    building = fields.Many2One(
        'housing.building', "Building", required=True, states=_states,
        domain=[('company', '=', Eval('company', -1))])
    account = fields.Many2One(
        'housing.account', "Account", states=_states,
        domain=[
            ('company', '=', Eval('company', -1)),
            If(Eval('building'),
                ('premises.building', '=', Eval('building', -1)), ()),
            ],
        help="Leave empty for every account of the building.")
    period = fields.Date(
        "From Period", required=True, states=_states,
        help="The first day of the first month to recalculate.")
    reason = fields.Selection(
        REASONS, "Reason", required=True, sort=False, states=_states)
    origin = fields.Reference(
        "Origin", selection='get_origins', readonly=True)
    description = fields.Char("Description", states=_states)
    state = fields.Selection([
            ('pending', "Pending"),
            ('done', "Done"),
            ], "State", required=True, readonly=True)
    run = fields.Many2One(
        'housing.accrual.run', "Run", readonly=True, ondelete='SET NULL',
        help="The run that charged the recalculation.")

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t,
                (t.company, Index.Equality()),
                (t.building, Index.Equality()),
                (t.state, Index.Equality(cardinality='low')),
                where=t.state == 'pending'))
        cls._order = [('create_date', 'DESC'), ('id', 'DESC')]

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_state():
        return 'pending'

    @staticmethod
    def default_reason():
        return Reason.MANUAL

    @classmethod
    def get_origins(cls):
        pool = Pool()
        Model = pool.get('ir.model')
        models = [
            'housing.meter.reading', 'housing.absence', 'housing.resident',
            'housing.meter', 'housing.tariff', 'housing.tariff.rate',
            'housing.normative', 'housing.account.service',
            'housing.shortfall', 'housing.one_off_charge',
            ]
        return [(None, '')] + [
            (m, Model.get_name(m)) for m in models]

    @classmethod
    def validate(cls, requests):
        super().validate(requests)
        for request in requests:
            if request.period.day != 1:
                raise RecalculationError(gettext(
                        'housing_billing.msg_recalculation_period_first_day',
                        period=request.period.isoformat()))

    @classmethod
    def delete(cls, requests):
        for request in requests:
            if request.state == 'done':
                raise RecalculationError(gettext(
                        'housing_billing.msg_recalculation_delete_done',
                        request=request.rec_name))
        super().delete(requests)

    def get_rec_name(self, name):
        scope = self.account.rec_name if self.account else (
            self.building.rec_name)
        return '%s %s' % (scope, self.period.strftime('%m.%Y'))

    @classmethod
    def billed_until(cls, company_id):
        """The last period posted for the company, or that a run computes,
        has computed or is posting, or None: a run's chunk may load the
        data before a change commits and the run be posted without it;
        recomputing unchanged data charges nothing."""
        Run = Pool().get('housing.accrual.run')
        run = Run.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*run.select(Max(run.period),
                where=(run.company == company_id)
                & run.state.in_(
                    ['computing', 'computed', 'posting', 'posted'])))
        period, = cursor.fetchone()
        return as_date(period)

    @classmethod
    def request(cls, changes):
        """Record requests for the changes that touch a billed period.

        changes are (company id, date, reason, origin, accounts, buildings)
        with accounts and buildings as records."""
        posted = {}
        vlist = []
        for company, date, reason, origin, accounts, buildings in changes:
            if date is None:
                continue
            if company not in posted:
                posted[company] = cls.billed_until(company)
            if posted[company] is None or first_day(date) > posted[company]:
                continue
            common = {
                'company': company,
                'period': first_day(date),
                'reason': reason,
                'origin': str(origin) if origin else None,
                }
            vlist.extend(dict(common, account=a.id,
                    building=a.premises.building.id) for a in accounts)
            vlist.extend(dict(common, building=b.id) for b in buildings)
        if vlist:
            with without_check_access():
                cls.create(vlist)

    @classmethod
    def pending_buildings(cls, company, before):
        """The ids of the buildings with a pending request of the company
        for a period before the date before: one query for a task's
        buildings, so that pending searches only those buildings."""
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.select(table.building,
                where=(table.company == company.id)
                & (table.state == 'pending')
                & (table.period < before),
                group_by=[table.building]))
        return {b for b, in cursor}

    @classmethod
    def pending(cls, company, buildings, before):
        """{building id: {account id or None: [(period, reason, id,
        service id or None)]}} of the pending requests for periods before
        the date before."""
        result = {}
        for request in cls.search([
                    ('company', '=', company.id),
                    ('building', 'in', [b.id for b in buildings]),
                    ('state', '=', 'pending'),
                    ('period', '<', before),
                    ], order=[('id', 'ASC')]):
            accounts = result.setdefault(request.building.id, {})
            key = request.account.id if request.account else None
            accounts.setdefault(key, []).append(
                (request.period, request.reason, request.id,
                    request.concerned_service()))
        return result

    def concerned_service(self):
        """The id of the only service the change can touch (the change of a
        tariff), else None: every service."""
        origin = self.origin
        if origin is None or origin.id is None or origin.id < 0:
            return None
        if origin.__name__ == 'housing.tariff.rate':
            origin = origin.tariff
        if origin.__name__ == 'housing.tariff':
            return origin.service.id
        return None


class RecalculationTriggerMixin:
    """Records a recalculation request when a change touches a posted period.

    A model says what it touches with recalculation_scope(): the company, the
    dates that matter (for a write, the earliest changed one counts), the
    personal accounts and the buildings."""
    __slots__ = ()
    _recalculation_reason = Reason.MANUAL
    # The fields whose change can change a charge.
    _recalculation_fields = set()

    def recalculation_scope(self):
        "(company id, [dates], [accounts], [buildings])"
        raise NotImplementedError

    @staticmethod
    def premises_accounts(premises):
        "The personal accounts of premises."
        Account = Pool().get('housing.account')
        return Account.search([('premises', 'in', [p.id for p in premises])])

    @staticmethod
    def company_buildings(company):
        Building = Pool().get('housing.building')
        return Building.search([('company', '=', company.id)])

    @classmethod
    def _recalculation_changes(cls, records):
        for record in records:
            yield record, record.recalculation_scope()

    @classmethod
    def _request_recalculation(cls, before, after=None):
        Request = Pool().get('housing.recalculation')
        changes = []
        after = dict(after or ())
        for record, (company, dates, accounts, buildings) in before:
            if record in after:
                new = after[record]
                changed = [d for d in set(dates) ^ set(new[1]) if d]
                dates = changed or list(dates) + list(new[1])
                accounts = list(accounts) + list(new[2])
                buildings = list(buildings) + list(new[3])
            dates = [d for d in dates if d]
            if not dates:
                continue
            changes.append((company, min(dates), cls._recalculation_reason,
                    record, set(accounts), set(buildings)))
        Request.request(changes)

    @classmethod
    def create(cls, vlist):
        records = super().create(vlist)
        cls._request_recalculation(cls._recalculation_changes(records))
        return records

    @classmethod
    def write(cls, *args):
        actions = iter(args)
        records = sum((records for records, values in zip(actions, actions)
                if set(values) & cls._recalculation_fields), [])
        before = list(cls._recalculation_changes(records))
        super().write(*args)
        after = list(cls._recalculation_changes(cls.browse(records)))
        cls._request_recalculation(before, after)

    @classmethod
    def delete(cls, records):
        before = list(cls._recalculation_changes(records))
        super().delete(records)
        cls._request_recalculation(
            [(None, scope) for _, scope in before])
