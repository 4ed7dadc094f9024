# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""Online payments: a resident pays a personal account through the
company's payment provider. The provider's word is the only truth: a
notification only says "ask again", and :meth:`Online.sync` asks. A
succeeded payment becomes one posted housing.payment (channel 'online'),
allocated to periods like a manual one; a refund posts the reversing move
and takes the allocations back."""
import logging
import uuid
import zoneinfo
from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Unique, Workflow, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access

from housing_billing.payment import CHARGES, PURPOSES

from .exceptions import OnlinePaymentError

logger = logging.getLogger(__name__)

MONEY = (16, 2)
KOPECK = Decimal('0.01')


class Online(Workflow, ModelSQL, ModelView):
    __name__ = 'housing.payment.online'
    __string__ = "Online Payment"

    company = fields.Many2One(
        'company.company', "Company", required=True, readonly=True)
    account = fields.Many2One(
        'housing.account', "Personal Account", required=True,
        readonly=True, ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))])
    amount = fields.Numeric(
        "Amount", digits=MONEY, required=True, readonly=True,
        domain=[('amount', '>', 0)])
    purpose = fields.Selection(
        PURPOSES, "Purpose", required=True, readonly=True,
        help="The penalties are paid only from money the payer designated "
        "for them.")
    period = fields.Date(
        "Period Paid", readonly=True,
        help="The first day of the billing month the payer named, if any.")
    provider = fields.Many2One(
        'housing.payment.provider', "Provider", required=True,
        readonly=True, ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))])
    state = fields.Selection([
            ('pending', "Pending"),
            ('succeeded', "Succeeded"),
            ('cancelled', "Cancelled"),
            ('refunded', "Refunded"),
            ], "State", required=True, readonly=True, sort=False)
    provider_reference = fields.Char(
        "Provider Reference", readonly=True,
        help="The payment's identifier at the provider.")
    confirmation_url = fields.Char(
        "Confirmation URL", readonly=True,
        help="Where the payer confirms the payment at the provider.")
    idempotence_key = fields.Char(
        "Idempotence Key", readonly=True, required=True)
    payment = fields.Many2One(
        'housing.payment', "Payment", readonly=True, ondelete='RESTRICT',
        help="The posted payment the succeeded online payment became.")
    refund_reference = fields.Char(
        "Refund Reference", readonly=True,
        help="The refund's identifier at the provider.")
    refund_move = fields.Many2One(
        'account.move', "Refund Move", readonly=True, ondelete='RESTRICT')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('provider_reference_unique',
                Unique(t, t.provider, t.provider_reference),
                'housing_payment.msg_online_reference_unique'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.account, Index.Equality())),
                Index(t, (t.state, Index.Equality())),
                })
        cls._order = [('create_date', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('pending', 'succeeded'),
            ('pending', 'cancelled'),
            ('succeeded', 'refunded'),
            }
        cls._buttons.update({
                'sync_button': {
                    'invisible': Eval('state').in_(['cancelled', 'refunded']),
                    'icon': 'tryton-refresh',
                    'depends': ['state'],
                    },
                'refund': {
                    'invisible': ((Eval('state') != 'succeeded')
                        | Eval('refund_reference')),
                    'icon': 'tryton-undo',
                    'depends': ['state', 'refund_reference'],
                    },
                })

    @staticmethod
    def default_state():
        return 'pending'

    @staticmethod
    def default_purpose():
        return CHARGES

    def get_rec_name(self, name):
        return '%s %s %s' % (
            self.account.rec_name, self.amount,
            self.provider_reference or '')

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, value = clause
        return ['OR',
            ('provider_reference', operator, value),
            ('account.rec_name', operator, value),
            ]

    @classmethod
    def start(cls, account, amount, return_url, period=None,
            purpose=CHARGES):
        """Ask the account's company provider for a payment and return the
        saved online payment, whose confirmation_url the payer is sent to.
        Nothing is saved if the provider refuses."""
        pool = Pool()
        Provider = pool.get('housing.payment.provider')
        amount = cls.checked_amount(account, amount)
        if period and period.day != 1:
            raise OnlinePaymentError(gettext(
                    'housing_payment.msg_online_period_first_day',
                    account=account.rec_name, period=period.isoformat()))
        with Transaction().set_context(company=account.company.id):
            provider = Provider.for_company(account.company)
            online = cls(
                company=account.company, account=account, amount=amount,
                period=period, purpose=purpose, provider=provider,
                state='pending',
                idempotence_key=str(uuid.uuid4()))
            answer = provider.create_payment(
                online, return_url, online.idempotence_key)
            if answer.amount != amount or not answer.confirmation_url:
                raise OnlinePaymentError(gettext(
                        'housing_payment.msg_online_answer_mismatch',
                        online='%s %s' % (account.rec_name, amount),
                        reference=answer.reference, amount=answer.amount))
            online.provider_reference = answer.reference
            online.confirmation_url = answer.confirmation_url
            with without_check_access():
                online.save()
        return online

    @classmethod
    def checked_amount(cls, account, amount):
        amount = Decimal(amount)
        if amount <= 0 or amount != amount.quantize(KOPECK):
            raise OnlinePaymentError(gettext(
                    'housing_payment.msg_online_amount_invalid',
                    account=account.rec_name, amount=amount))
        return amount.quantize(KOPECK)

    def provider_description(self):
        "The payment's description shown to the payer by the provider"
        if self.purpose != CHARGES:
            return gettext('housing_payment.msg_online_description_penalty',
                account=self.account.number)
        if self.period:
            return gettext('housing_payment.msg_online_description_period',
                account=self.account.number,
                period=self.period.strftime('%m.%Y'))
        return gettext('housing_payment.msg_online_description',
            account=self.account.number)

    def provider_metadata(self):
        return {
            'account': self.account.number,
            'company': str(self.company.id),
            'period': self.period.isoformat() if self.period else '',
            'purpose': self.purpose,
            }

    @classmethod
    @ModelView.button
    def sync_button(cls, onlines):
        cls.sync(onlines)

    @classmethod
    def sync(cls, onlines):
        """Ask the provider for the current status of each online payment
        and bring it here: a succeeded payment is posted exactly once, a
        succeeded refund reverses it exactly once."""
        # Concurrent notifications of the same payment wait here; the
        # later one then reads what the earlier one wrote. Tryton takes the
        # locks by starting the transaction again: call it from an RPC, a
        # route or a task, never after talking to the provider.
        cls.lock(onlines)
        for online in cls.browse(sorted(map(int, onlines))):
            with Transaction().set_context(company=online.company.id), \
                    without_check_access():
                online.sync_one()

    def sync_one(self):
        if self.state in {'cancelled', 'refunded'}:
            return
        # Everything is asked before anything is written: a provider that
        # fails leaves this payment as it was.
        answer = self.provider.get_payment(self.provider_reference)
        refund = None
        if self.refund_reference:
            refund = self.provider.get_refund(self.refund_reference)
        if answer.amount != self.amount:
            raise OnlinePaymentError(gettext(
                    'housing_payment.msg_online_answer_mismatch',
                    online=self.rec_name, reference=answer.reference,
                    amount=answer.amount))
        if answer.status == 'succeeded' and self.state == 'pending':
            self.post_payment(answer)
        elif answer.status == 'cancelled' and self.state == 'pending':
            self.__class__.cancel([self])
        if (self.state == 'succeeded' and refund
                and refund.status == 'succeeded'):
            self.post_refund(refund)

    @classmethod
    def sync_pending(cls):
        """Ask again about the payments still pending, each in a task of
        its own: a notification lost or refused is made good here."""
        for online in cls.search([('state', '=', 'pending')]):
            cls.__queue__.sync([online])

    @classmethod
    @Workflow.transition('cancelled')
    def cancel(cls, onlines):
        pass

    def post_payment(self, answer):
        "Post the housing payment of the succeeded provider payment, once"
        Payment = Pool().get('housing.payment')
        assert not self.payment
        payment = Payment(
            company=self.company, account=self.account,
            date=self.local_date(answer.paid_at), amount=self.amount,
            channel='online', period=self.period, purpose=self.purpose,
            reference=self.provider_reference)
        with without_check_access():
            payment.save()
            self.payment = payment
            self.save()
            Payment.post([Payment(payment.id)])
        self.__class__.succeed([self])

    @classmethod
    @Workflow.transition('succeeded')
    def succeed(cls, onlines):
        pass

    def local_date(self, moment):
        "The date of an instant in the company's time zone"
        if moment is None:
            raise OnlinePaymentError(gettext(
                    'housing_payment.msg_online_no_date',
                    online=self.rec_name))
        timezone = self.company.timezone
        if timezone:
            moment = moment.astimezone(zoneinfo.ZoneInfo(timezone))
        return moment.date()

    @classmethod
    @ModelView.button
    def refund(cls, onlines):
        "Ask the provider to give the whole amount back to the payer"
        cls.lock(onlines)
        for online in cls.browse(sorted(map(int, onlines))):
            if online.state != 'succeeded' or online.refund_reference:
                continue
            with Transaction().set_context(company=online.company.id):
                answer = online.provider.create_refund(
                    online, online.idempotence_key + '-refund')
                if answer.amount != online.amount:
                    raise OnlinePaymentError(gettext(
                            'housing_payment.msg_online_answer_mismatch',
                            online=online.rec_name,
                            reference=answer.reference,
                            amount=answer.amount))
                with without_check_access():
                    online.refund_reference = answer.reference
                    online.save()
                    if answer.status == 'succeeded':
                        online.post_refund(answer)

    def post_refund(self, refund):
        """Post the move reversing the payment's and take back its
        allocations, so that the debts it paid are open again."""
        pool = Pool()
        Move = pool.get('account.move')
        Allocation = pool.get('housing.payment.allocation')
        if refund.amount != self.amount:
            # Partial refunds are left to the accountant.
            logger.warning(
                "partial refund %s of %s not posted",
                refund.reference, self.rec_name)
            return
        move = self.get_refund_move(self.local_date(refund.created_at))
        with without_check_access():
            move.save()
            Move.post([move])
            Allocation.create([{
                        'payment': a.payment.id, 'account': a.account.id,
                        'kind': a.kind, 'period': a.period,
                        'amount': -a.amount,
                        } for a in self.payment.allocations])
        self.refund_move = move
        self.save()
        self.__class__.refunded([self])

    @classmethod
    @Workflow.transition('refunded')
    def refunded(cls, onlines):
        pass

    def get_refund_move(self, date):
        pool = Pool()
        Move = pool.get('account.move')
        Line = pool.get('account.move.line')
        Period = pool.get('account.period')
        original = self.payment.move
        lines = [Line(
                account=line.account, party=line.party,
                housing_account=line.housing_account,
                debit=line.credit, credit=line.debit)
            for line in original.lines]
        return Move(
            company=self.company, journal=original.journal,
            period=Period.find(self.company, date=date),
            date=date, origin=self,
            description=gettext(
                'housing_payment.msg_online_refund_move_description',
                account=self.account.rec_name,
                reference=self.refund_reference or ''),
            lines=lines)

    @classmethod
    def notify(cls, provider, event):
        """Act on a provider's notification: find the online payment it is
        about and sync it. Returns the online payment, None if unknown."""
        onlines = cls.search([
                ('provider', '=', provider.id),
                ('provider_reference', '=', event.payment_reference),
                ], limit=1)
        if not onlines:
            logger.info(
                "notification %s of unknown payment %s ignored",
                event.event, event.payment_reference)
            return None
        online, = onlines
        if event.refund_reference and not online.refund_reference:
            # A refund made in the provider's own office.
            cls.lock([online])
            online = cls(online.id)
            if not online.refund_reference:
                online.refund_reference = event.refund_reference
                online.save()
        cls.sync([online])
        return online

    @classmethod
    def copy(cls, onlines, default=None):
        "Only the payer starts a payment: a copy would be nobody's"
        if onlines:
            raise OnlinePaymentError(gettext(
                    'housing_payment.msg_online_copy',
                    online=onlines[0].rec_name))
        return super().copy(onlines, default=default)


class Payment(metaclass=PoolMeta):
    __name__ = 'housing.payment'

    onlines = fields.One2Many(
        'housing.payment.online', 'payment', "Online Payments",
        readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.channel.selection.append(('online', "Online"))

    def debit_account(self):
        "Online payments go to the clearing account of their provider"
        if self.channel == 'online':
            if not self.onlines:
                raise OnlinePaymentError(gettext(
                        'housing_payment.msg_payment_online_manual',
                        payment=self.rec_name))
            return self.onlines[0].provider.account
        return super().debit_account()

    @classmethod
    def copy(cls, payments, default=None):
        default = dict(default or {})
        default.setdefault('onlines')
        return super().copy(payments, default=default)


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.append(
            ('housing.payment.online|sync_pending',
                "Check Pending Online Payments"))


class Move(metaclass=PoolMeta):
    __name__ = 'account.move'

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() + ['housing.payment.online']
