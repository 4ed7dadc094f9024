# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""Manual payments: taken at the cash desk or by bank transfer, posted to
the ledger and allocated to the billing periods of the personal account
(domain spec §4.5: the period the payer named, else the oldest debt; the
surplus is an advance)."""
from collections import defaultdict
from decimal import Decimal

from sql.aggregate import Sum
from sql.conditionals import Coalesce
from sql.operators import Like
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access

from .bulk import as_date, as_money, in_slices, where_in
from .engine.allocation import Debt, allocate
from .engine.allocation import Payment as EnginePayment
from .engine.periods import Period
from .exceptions import PaymentError
from .penalty import (
    CAPITAL_REPAIR,
    HOUSING,
    charged_penalties_by_period,
    penalty_receivable,
    posted_debts,
)

MONEY = (16, 2)
ZERO = Decimal('0.00')
# What a payment pays (domain spec §4.5 p. 3): the charges, or only the
# penalties of a base, from money the payer designated for them.
CHARGES = 'charges'
PURPOSES = [
    (CHARGES, "Charges"),
    ('penalties', "Penalties"),
    ('capital_repair_penalties', "Capital Repair Penalties"),
    ]
PENALTY_BASE = {
    'penalties': HOUSING,
    'capital_repair_penalties': CAPITAL_REPAIR,
    }
PURPOSE_OF_BASE = {base: purpose for purpose, base in PENALTY_BASE.items()}
# The origins of the moves that bring payments in: a payment's own move, or
# the move of a bank registry's building (housing_payment), one receivable
# line per payment of the building's personal accounts.
PAYMENT_MOVE_ORIGINS = ('housing.payment', 'housing.payment.registry.chunk')


def is_payment_origin(origin):
    "Whether a move of origin ('model,id' or None) brings payments in."
    return (origin or '').split(',', 1)[0] in PAYMENT_MOVE_ORIGINS


def payment_origin_where(move):
    "The SQL condition on the account_move table move of is_payment_origin."
    origin = Coalesce(move.origin, '')
    condition = None
    for model in PAYMENT_MOVE_ORIGINS:
        like = Like(origin, model + ',%')
        condition = like if condition is None else (condition | like)
    return condition


class Payment(Workflow, ModelSQL, ModelView):
    __name__ = 'housing.payment'
    _history = True
    __string__ = "Housing Payment"

    _states = {'readonly': Eval('state') != 'draft'}

    company = fields.Many2One(
        'company.company', "Company", required=True, states=_states)
    account = fields.Many2One(
        'housing.account', "Personal Account", required=True,
        ondelete='RESTRICT', states=_states,
        domain=[('company', '=', Eval('company', -1))])
    party = fields.Many2One(
        'party.party', "Payer", readonly=True,
        context={'company': Eval('company', -1)}, depends={'company'},
        help="The payer of the account on the day of payment.")
    date = fields.Date(
        "Date", required=True, states=_states,
        help="The day the payer paid.")
    amount = fields.Numeric(
        "Amount", digits=MONEY, required=True, states=_states,
        domain=[('amount', '>', 0)])
    channel = fields.Selection([
            ('cash', "Cash Desk"),
            ('bank', "Bank Transfer"),
            ], "Channel", required=True, states=_states)
    purpose = fields.Selection(
        PURPOSES, "Purpose", required=True, states=_states,
        help="The penalties are paid only from money the payer designated "
        "for them: a separate payment document or the registry's "
        "service code.")
    period = fields.Date(
        "Period Paid", states=_states,
        help="The first day of the billing month the payer named, if any.")
    reference = fields.Char(
        "Reference", states=_states,
        help="The number of the receipt or of the payment order.")
    state = fields.Selection([
            ('draft', "Draft"),
            ('posted', "Posted"),
            ('cancelled', "Cancelled"),
            ], "State", readonly=True, required=True, sort=False)
    move = fields.Many2One('account.move', "Move", readonly=True)
    allocations = fields.One2Many(
        'housing.payment.allocation', 'payment', "Allocations",
        readonly=True)
    advance = fields.Function(
        fields.Numeric("Advance", digits=MONEY,
            help="The part of the payment no debt was waiting for."),
        'get_advance')

    del _states

    # What the move and the allocation of a posted payment are made of.
    _posted_fields = {'company', 'account', 'party', 'date', 'amount',
        'purpose', 'period', 'channel', 'move'}

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.account, Index.Equality()),
                    (t.date, Index.Range())),
                Index(t, (t.state, Index.Equality())),
                })
        cls._order = [('date', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'posted'),
            ('draft', 'cancelled'),
            ('cancelled', 'draft'),
            }
        cls._buttons.update({
                'post': {
                    'invisible': Eval('state') != 'draft',
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': Eval('state') != 'draft',
                    'icon': 'tryton-cancel',
                    'depends': ['state'],
                    },
                'draft': {
                    'invisible': Eval('state') != 'cancelled',
                    'icon': 'tryton-back',
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_state():
        return 'draft'

    @staticmethod
    def default_channel():
        return 'bank'

    @staticmethod
    def default_purpose():
        return CHARGES

    @property
    def penalty_base(self):
        "The penalty base the payment pays, None for the charges."
        return PENALTY_BASE.get(self.purpose)

    def get_rec_name(self, name):
        return '%s %s %s' % (
            self.account.rec_name, self.date.strftime('%d.%m.%Y'),
            self.amount)

    def get_advance(self, name):
        if self.state != 'posted':
            return None
        return sum((a.amount for a in self.allocations
                if a.kind == 'advance'), ZERO)

    @classmethod
    def validate(cls, payments):
        super().validate(payments)
        for payment in payments:
            if payment.period and payment.period.day != 1:
                raise PaymentError(gettext(
                        'housing_billing.msg_payment_period_first_day',
                        payment=payment.rec_name,
                        period=payment.period.isoformat()))

    @classmethod
    def check_modification(cls, mode, payments, values=None, external=False):
        super().check_modification(
            mode, payments, values=values, external=external)
        if mode == 'write' and values.keys() & cls._posted_fields:
            for payment in payments:
                if payment.state == 'posted':
                    raise AccessError(gettext(
                            'housing_billing.msg_payment_modify_posted',
                            payment=payment.rec_name,
                            fields=', '.join(
                                getattr(cls, f).string for f in sorted(
                                    values.keys() & cls._posted_fields))))

    @classmethod
    def delete(cls, payments):
        for payment in payments:
            if payment.state == 'posted':
                raise AccessError(gettext(
                        'housing_billing.msg_payment_delete_posted',
                        payment=payment.rec_name))
        super().delete(payments)

    @classmethod
    def copy(cls, payments, default=None):
        default = dict(default or {})
        default.setdefault('move')
        default.setdefault('party')
        default.setdefault('allocations')
        return super().copy(payments, default=default)

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, payments):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, payments):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('posted')
    def post(cls, payments):
        pool = Pool()
        Move = pool.get('account.move')
        Allocation = pool.get('housing.payment.allocation')
        # Earlier payments first: each one sees what the earlier ones paid.
        for payment in sorted(payments, key=lambda p: (p.date, p.id)):
            payment.party = payment.payer()
            move = payment.get_move()
            with without_check_access():
                move.save()
                Move.post([move])
                Allocation.create(payment.allocation_rows())
            payment.move = move
            payment.save()

    def payer(self):
        payer = self.account.payer_at(self.date)
        if not payer:
            raise PaymentError(gettext(
                    'housing_billing.msg_payment_no_payer',
                    account=self.account.rec_name,
                    date=self.date.isoformat()))
        return payer.party

    def debit_account(self):
        "The cash desk or bank account the money came to."
        Configuration = Pool().get('housing.configuration')
        name = 'payment_%s_account' % self.channel
        account = Configuration(1).get_multivalue(
            name, company=self.company.id)
        if not account:
            raise PaymentError(gettext(
                    'housing_billing.msg_payment_no_account',
                    payment=self.rec_name,
                    channel=self.channel_string))
        return account

    def credit_account(self):
        """The receivable the payment settles: the payer's, or the penalty
        receivable of its base."""
        if self.penalty_base:
            return penalty_receivable(self.company, self.penalty_base)
        return self.party.account_receivable_used

    def get_move(self):
        "Debit the cash desk or bank, credit the receivable it settles."
        pool = Pool()
        Move = pool.get('account.move')
        Line = pool.get('account.move.line')
        Period = pool.get('account.period')
        Configuration = pool.get('housing.configuration')
        journal = Configuration(1).payment_journal
        if not journal:
            raise PaymentError(gettext(
                    'housing_billing.msg_payment_no_journal',
                    payment=self.rec_name))
        receivable = self.credit_account()
        if not receivable:
            raise PaymentError(gettext(
                    'housing_billing.msg_payment_no_receivable',
                    payment=self.rec_name, party=self.party.rec_name))
        return Move(
            company=self.company, journal=journal,
            period=Period.find(self.company, date=self.date),
            date=self.date, origin=self,
            description=gettext(
                'housing_billing.msg_payment_move_description',
                account=self.account.rec_name,
                reference=self.reference or ''),
            lines=[
                Line(debit=self.amount, credit=0,
                    account=self.debit_account()),
                Line(debit=0, credit=self.amount, account=receivable,
                    party=self.party, housing_account=self.account),
                ])

    def allocation_rows(self):
        """The payment applied to the account's open debts by period
        (engine.allocation.allocate); what is left is an advance. A payment
        of penalties pays the penalties of its base charged by period, the
        same way; what is left stays a penalty allocation without period."""
        if self.penalty_base:
            debts = open_penalties(self.account, self.penalty_base)
            kind = advance_kind = 'penalty'
        else:
            debts = open_debts(self.account)
            kind, advance_kind = 'debt', 'advance'
        return [{
                'payment': row['payment'], 'account': row['account'],
                'kind': kind if row['period'] else advance_kind,
                'period': row['period'], 'amount': row['amount'],
                } for row in allocation_rows(self.account.id, [{
                        'payment': self.id, 'date': self.date,
                        'amount': self.amount, 'period': self.period,
                        'purpose': self.purpose,
                        }], debts)]


def allocation_rows(account, payments, debts):
    """The rows of payments (dicts with 'payment', 'date', 'amount',
    'period' and 'purpose', of one account) applied to its debts ({period
    start: outstanding}) by engine.allocation.allocate: by period, then
    what is left of each payment (period None)."""
    result = allocate([EnginePayment(
                p['date'], p['amount'],
                Period.of(p['period']) if p['period'] else None,
                '%012d' % p['payment']) for p in payments],
        [Debt(Period.of(p), a) for p, a in sorted(debts.items()) if a > 0])
    by_payment = {p['payment']: p for p in payments}
    applied = defaultdict(lambda: ZERO)
    rows = []
    for application in result.applications:
        payment = by_payment[int(application.payment.reference)]
        applied[payment['payment']] += application.amount
        rows.append({
                'payment': payment['payment'], 'account': account,
                'period': application.period.start,
                'amount': application.amount,
                'date': application.paid_on,
                'purpose': payment['purpose']})
    for p in payments:
        rest = p['amount'] - applied[p['payment']]
        if rest:
            rows.append({
                    'payment': p['payment'], 'account': account,
                    'period': None, 'amount': rest, 'date': p['date'],
                    'purpose': p['purpose']})
    return rows


def allocated_by_period(account_ids, purpose=CHARGES):
    """{account id: {period start: amount}} allocated to debts by the
    posted payments; with the purpose of penalties, allocated to the
    penalties by the posted payments of that purpose (period None: what
    they paid beyond the penalties charged)."""
    pool = Pool()
    allocation = pool.get('housing.payment.allocation').__table__()
    payment = pool.get('housing.payment').__table__()
    cursor = Transaction().connection.cursor()
    result = defaultdict(dict)
    for sub_ids in in_slices(account_ids):
        cursor.execute(*allocation.join(
                payment, condition=allocation.payment == payment.id
                ).select(
                allocation.account, allocation.period,
                Sum(allocation.amount),
                where=(payment.state == 'posted')
                & purpose_where(allocation, payment, purpose)
                & where_in(allocation.account, sub_ids),
                group_by=[allocation.account, allocation.period]))
        for account, period, amount in cursor:
            result[account][as_date(period)] = as_money(amount)
    return result


def purpose_where(allocation, payment, purpose):
    "The SQL condition on the allocations that pay for purpose"
    if purpose == CHARGES:
        return allocation.kind == 'debt'
    return (allocation.kind == 'penalty') & (payment.purpose == purpose)


def open_debts(account):
    """{period start: outstanding}: the posted charges of each period
    (penalties apart) less what posted payments allocated to it."""
    charged = posted_debts(
        account.company, [account.id], Period(9999, 12).start)
    paid = allocated_by_period([account.id])
    debts = charged.get(account.id, {})
    allocated = paid.get(account.id, {})
    return {period: amount - allocated.get(period, ZERO)
        for period, amount in debts.items()}


def open_penalties_of(company, account_ids, base):
    """{account id: {period start: outstanding}}: the penalties of base the
    posted runs charged in each period less what payments of penalties
    allocated to it."""
    charged = charged_penalties_by_period(company, account_ids, base)
    paid = allocated_by_period(account_ids, PURPOSE_OF_BASE[base])
    return {account: {period: amount - paid.get(account, {}).get(
                    period, ZERO) for period, amount in periods.items()}
        for account, periods in charged.items()}


def open_penalties(account, base):
    "{period start: outstanding} of open_penalties_of for one account"
    return open_penalties_of(
        account.company, [account.id], base).get(account.id, {})


class Allocation(ModelSQL, ModelView):
    __name__ = 'housing.payment.allocation'
    __string__ = "Payment Allocation"

    payment = fields.Many2One(
        'housing.payment', "Payment", required=True, readonly=True,
        ondelete='CASCADE')
    account = fields.Many2One(
        'housing.account', "Personal Account", required=True,
        readonly=True, ondelete='RESTRICT')
    kind = fields.Selection([
            ('debt', "Debt"),
            ('advance', "Advance"),
            ('penalty', "Penalty"),
            ], "Kind", required=True, readonly=True,
        help="Penalties are paid only by the payments designated for "
        "them.")
    period = fields.Date(
        "Period", readonly=True,
        states={'invisible': Eval('kind') == 'advance'},
        help="The billing month the amount paid; empty for an advance, or "
        "for what a payment of penalties paid beyond the penalties "
        "charged.")
    amount = fields.Numeric(
        "Amount", digits=MONEY, required=True, readonly=True)
    date = fields.Function(fields.Date("Date"), 'get_payment_field')
    payment_state = fields.Function(
        fields.Selection('get_payment_states', "Payment State"),
        'get_payment_field')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.payment, Index.Equality())),
                Index(t, (t.account, Index.Equality()),
                    (t.period, Index.Range())),
                })
        cls._order = [('payment', 'DESC'), ('id', 'ASC')]

    @classmethod
    def get_payment_states(cls):
        Payment = Pool().get('housing.payment')
        return Payment.fields_get(['state'])['state']['selection']

    @classmethod
    def service_parts(cls, ids):
        """{allocation id: {service id: amount}} of the allocations whose
        split over the services is recorded (None: the part no service
        owed); extended by the modules that split payments. The others
        are split by the penalty computation in proportion to what the
        services owe."""
        return {}

    def get_payment_field(self, name):
        return getattr(self.payment, {
                'date': 'date', 'payment_state': 'state'}[name])
