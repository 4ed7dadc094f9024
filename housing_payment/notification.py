# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""Notices to the payers by e-mail and SMS: debts above a threshold,
general meetings, inspections and outages, meters due for verification,
the days to hand in readings.

An accountant writes a campaign (kind, scope, text with placeholders),
previews its recipients and sends it; the queue sends it building by
building, and every message is logged once per account, channel and event:
a message logged as sent is never sent again, a failed one is sent again
by the next press of Send."""
import datetime as dt
import string
from collections import defaultdict
from decimal import Decimal
from email.message import EmailMessage

from sql import Null
from sql.aggregate import Sum
from trytond import config
from trytond.i18n import gettext
from trytond.model import (
    Index,
    ModelSQL,
    ModelView,
    Unique,
    fields,
)
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval, If
from trytond.sendmail import get_smtp_server, sendmail
from trytond.tools import grouped_slice
from trytond.transaction import Transaction, without_check_access

from housing_billing.bulk import as_money
from housing_billing.loader import fetch_in, where_in
from housing_billing.savepoint import attempt

from .exceptions import NoticeError
from .sms import get_provider, normalize_phone

MONEY = (16, 2)
ZERO = Decimal('0.00')
KINDS = [
    ('debt', "Debt"),
    ('meeting', "General Meeting"),
    ('inspection', "Inspection"),
    ('outage', "Outage"),
    ('verification', "Meter Verification"),
    ('reading_window', "Reading Window"),
    ]
CHANNELS = [
    ('email', "E-mail"),
    ('sms', "SMS"),
    ]
# Without a preference record an account gets e-mail and no SMS.
DEFAULT_CHANNELS = {'email': True, 'sms': False}
# The kinds whose event has its dates (From is required, To optional).
DATED_KINDS = {'meeting', 'inspection', 'outage', 'verification',
    'reading_window'}
# The texts the residents read: Russian by default, the accountant edits
# them on the campaign.
TEMPLATES = {
    'debt': (
        "Задолженность по лицевому счёту {account}",
        "Уважаемый(ая) {payer}! По лицевому счёту {account} ({address}) "
        "на {date} задолженность {debt} руб. Просим оплатить её. "
        "{company}"),
    'meeting': (
        "Общее собрание собственников",
        "Уважаемые собственники дома {building}! {date_from} состоится "
        "общее собрание собственников помещений. {company}"),
    'inspection': (
        "Плановый осмотр",
        "Уважаемые жители дома {building}! С {date_from} по {date_to} "
        "проводится плановый осмотр, просим обеспечить доступ в "
        "помещение. {company}"),
    'outage': (
        "Плановое отключение",
        "Уважаемые жители дома {building}! С {date_from} по {date_to} "
        "плановое отключение. {company}"),
    'verification': (
        "Поверка прибора учёта",
        "Лицевой счёт {account}: срок поверки счётчика № {meter} "
        "истекает {due}. Поверьте или замените его. {company}"),
    'reading_window': (
        "Передайте показания счётчиков",
        "Лицевой счёт {account}: передайте показания счётчиков с "
        "{date_from} по {date_to}. {company}"),
    }
PLACEHOLDERS = ('account', 'payer', 'address', 'building', 'company', 'date',
    'debt', 'date_from', 'date_to', 'meter', 'due')


def format_date(date):
    return date.strftime('%d.%m.%Y') if date else ''


def format_money(amount):
    "12 345,67: the grouping and comma of Russian texts."
    return '{:,.2f}'.format(amount).replace(',', ' ').replace('.', ',')


def account_debts(company, account_ids, date):
    """{account id: debt} on date: the balance of the posted receivable
    lines that carry the personal account (debit − credit, penalties
    included), as the receipts' total due and the debt reports read it."""
    pool = Pool()
    line = pool.get('account.move.line').__table__()
    move = pool.get('account.move').__table__()

    def query(ids):
        return line.join(move, condition=line.move == move.id).select(
            line.housing_account, Sum(line.debit - line.credit),
            where=(move.company == company.id) & (move.state == 'posted')
            & (move.date <= date) & (line.housing_account != Null)
            & where_in(line.housing_account, ids),
            group_by=[line.housing_account])
    return {account: as_money(amount) or ZERO
        for account, amount in fetch_in(query, account_ids)}


class Configuration(metaclass=PoolMeta):
    __name__ = 'housing.configuration'

    notification_debt_threshold = fields.Numeric(
        "Debt Notice Threshold", digits=MONEY,
        domain=['OR',
            ('notification_debt_threshold', '=', None),
            ('notification_debt_threshold', '>=', 0),
            ],
        help="Debt notices go to the accounts whose debt is above this "
        "amount (the default of new campaigns).")

    @staticmethod
    def default_notification_debt_threshold():
        return Decimal('1000.00')


class Account(metaclass=PoolMeta):
    __name__ = 'housing.account'

    phone = fields.Char(
        "Phone", help="The mobile number the SMS notices go to.")
    notification_preferences = fields.One2Many(
        'housing.notification.preference', 'account', "Notifications",
        # Active is the preference's value, not its archival: list both.
        filter=[('active', 'in', [True, False])],
        help="Without a line for a kind and channel, e-mail is on and SMS "
        "is off.")

    @classmethod
    def validate_fields(cls, accounts, field_names):
        super().validate_fields(accounts, field_names)
        if field_names and 'phone' not in field_names:
            return
        for account in accounts:
            if account.phone and not normalize_phone(account.phone):
                raise NoticeError(gettext(
                        'housing_payment.msg_notification_phone_invalid',
                        phone=account.phone, account=account.rec_name))

    def notification_channels(self, kind):
        "The channels the account gets the notices of kind by."
        return self.notification_channels_of([self], kind)[self.id]

    @classmethod
    def notification_channels_of(cls, accounts, kind):
        "{account id: [channel]} of accounts for the notices of kind."
        Preference = Pool().get('housing.notification.preference')
        chosen = {a.id: dict(DEFAULT_CHANNELS) for a in accounts}
        for sub in grouped_slice(list(chosen), 1000):
            # Active is the preference's value, not its archival.
            with Transaction().set_context(active_test=False):
                preferences = Preference.search([
                        ('account', 'in', list(sub)),
                        ('kind', '=', kind),
                        ])
            for preference in preferences:
                chosen[preference.account.id][preference.channel] = (
                    bool(preference.active))
        return {account: [c for c, _ in CHANNELS if on[c]]
            for account, on in chosen.items()}

    def notification_address(self, channel):
        "Where channel reaches the account, None when it does not."
        if channel == 'email':
            return self.email or None
        return normalize_phone(self.phone)


class Preference(ModelSQL, ModelView):
    "Whether an account gets a kind of notice by a channel."
    __name__ = 'housing.notification.preference'
    __string__ = "Notification Preference"

    account = fields.Many2One(
        'housing.account', "Account", required=True, ondelete='CASCADE')
    kind = fields.Selection(KINDS, "Kind", required=True)
    channel = fields.Selection(CHANNELS, "Channel", required=True)
    active = fields.Boolean(
        "Active", help="Uncheck to stop these notices by this channel.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('account_kind_channel_unique',
                Unique(t, t.account, t.kind, t.channel),
                'housing_payment.msg_notification_preference_unique'),
            ]
        cls._order = [('account', 'ASC'), ('kind', 'ASC'),
            ('channel', 'ASC'), ('id', 'ASC')]

    @staticmethod
    def default_active():
        return True


class Campaign(ModelSQL, ModelView):
    "A notice to the accounts of a company or of some buildings."
    __name__ = 'housing.notification.campaign'
    __string__ = "Notification Campaign"

    _states = {'readonly': Eval('state') != 'draft'}

    company = fields.Many2One(
        'company.company', "Company", required=True, states=_states)
    name = fields.Char("Title", required=True, states=_states)
    kind = fields.Selection(KINDS, "Kind", required=True, states=_states)
    date = fields.Date(
        "Date", required=True, states=_states,
        help="The debts are taken on this day; the meters due for "
        "verification and the reading window are counted from it.")
    threshold = fields.Numeric(
        "Debt Threshold", digits=MONEY,
        states={
            'readonly': _states['readonly'],
            'invisible': Eval('kind') != 'debt',
            'required': Eval('kind') == 'debt',
            },
        help="Only the debts above this amount are notified.")
    date_from = fields.Date(
        "From", states={
            'readonly': _states['readonly'],
            'invisible': ~Eval('kind').in_(list(DATED_KINDS)),
            'required': Eval('kind').in_(list(DATED_KINDS)),
            },
        help="The day of the meeting, the first day of the inspection or "
        "outage, of the reading window, of the verification dates looked "
        "at.")
    date_to = fields.Date(
        "To", states={
            'readonly': _states['readonly'],
            'invisible': ~Eval('kind').in_(list(DATED_KINDS)),
            'required': Eval('kind').in_(
                ['verification', 'reading_window']),
            },
        domain=[If(Bool(Eval('date_to')) & Bool(Eval('date_from')),
                ('date_to', '>=', Eval('date_from')), ())])
    subject = fields.Char("Subject", required=True, states=_states,
        help="The subject of the e-mails.")
    text = fields.Text(
        "Text", required=True, states=_states,
        help="Placeholders: {account}, {payer}, {address}, {building}, "
        "{company}, {date}, {debt}, {date_from}, {date_to}, {meter}, {due}.")
    buildings = fields.Many2Many(
        'housing.notification.campaign-housing.building', 'campaign',
        'building', "Buildings", states=_states,
        domain=[('company', '=', Eval('company', -1))],
        help="Leave empty for every building of the company.")
    recipients = fields.One2Many(
        'housing.notification.recipient', 'campaign', "Recipients",
        readonly=True)
    chunks = fields.One2Many(
        'housing.notification.campaign.building', 'campaign', "Buildings",
        readonly=True)
    logs = fields.One2Many(
        'housing.notification.log', 'campaign', "Log", readonly=True)
    state = fields.Function(fields.Selection([
                ('draft', "Draft"),
                ('sending', "Sending"),
                ('done', "Done"),
                ], "State", sort=False), 'get_state')
    sent = fields.Function(fields.Integer("Sent"), 'get_counts')
    failed = fields.Function(fields.Integer("Failed"), 'get_counts')

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('date', 'DESC'), ('id', 'DESC')]
        cls._buttons.update({
                'preview': {
                    'invisible': Eval('state') != 'draft',
                    'icon': 'tryton-search',
                    'depends': ['state'],
                    },
                'send': {
                    'invisible': Eval('state') == 'sending',
                    'icon': 'tryton-email',
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
    def default_date():
        return Pool().get('ir.date').today()

    @classmethod
    def default_threshold(cls):
        Configuration = Pool().get('housing.configuration')
        return Configuration(1).notification_debt_threshold

    @fields.depends('kind', 'date', 'subject', 'text', 'date_from',
        'date_to')
    def on_change_kind(self):
        if not self.kind:
            return
        defaults = {s for pair in TEMPLATES.values() for s in pair}
        subject, text = TEMPLATES[self.kind]
        if not self.subject or self.subject in defaults:
            self.subject = subject
        if not self.text or self.text in defaults:
            self.text = text
        if self.kind == 'reading_window' and self.date:
            self.date_from, self.date_to = self.reading_window()

    @fields.depends('kind', 'date', methods=['on_change_kind'])
    def on_change_date(self):
        if self.kind == 'reading_window':
            self.on_change_kind()

    @fields.depends('date')
    def reading_window(self):
        """The first and last day of the month of date that the housing
        configuration accepts readings on."""
        Configuration = Pool().get('housing.configuration')
        configuration = Configuration(1)
        first = configuration.reading_day_from or 1
        last = configuration.reading_day_to or 28
        month_end = (self.date.replace(day=28) + dt.timedelta(days=4)
            ).replace(day=1) - dt.timedelta(days=1)
        return (self.date.replace(day=min(first, month_end.day)),
            self.date.replace(day=min(last, month_end.day)))

    def get_state(self, name):
        """Read from the buildings, which the queue's tasks finish each in
        its own transaction, as the receipt batches do."""
        if not self.chunks:
            return 'draft'
        if any(c.state == 'pending' for c in self.chunks):
            return 'sending'
        return 'done'

    @classmethod
    def get_counts(cls, campaigns, names):
        "The messages of the log by state: what the campaigns achieved."
        Log = Pool().get('housing.notification.log')
        result = {name: dict.fromkeys((c.id for c in campaigns), 0)
            for name in names}
        for sub in grouped_slice(campaigns, 1000):
            for log in Log.search([
                        ('campaign', 'in', [c.id for c in sub]),
                        ('state', 'in', names),
                        ]):
                result[log.state][log.campaign.id] += 1
        return result

    @classmethod
    def validate(cls, campaigns):
        super().validate(campaigns)
        for campaign in campaigns:
            campaign.check_text()
            campaign.check_threshold()

    def check_text(self):
        for text, field in [(self.subject, 'subject'), (self.text, 'text')]:
            try:
                names = {name for _, name, _, _
                    in string.Formatter().parse(text or '')
                    if name is not None}
            except ValueError as error:
                raise NoticeError(gettext(
                        'housing_payment.msg_notification_template_invalid',
                        campaign=self.rec_name, field=field,
                        error=str(error))) from error
            for name in sorted(names):
                if name not in PLACEHOLDERS:
                    raise NoticeError(gettext(
                            'housing_payment.msg_notification_placeholder',
                            campaign=self.rec_name, field=field,
                            placeholder=name,
                            placeholders=', '.join(
                                '{%s}' % p for p in PLACEHOLDERS)))

    def check_threshold(self):
        if self.kind == 'debt' and (self.threshold or 0) < 0:
            raise NoticeError(gettext(
                    'housing_payment.msg_notification_threshold_negative',
                    campaign=self.rec_name, threshold=self.threshold))

    def accounts_by_building(self):
        """{account id: building id} of the scope: the accounts open on
        the campaign's date."""
        pool = Pool()
        account = pool.get('housing.account').__table__()
        premises = pool.get('housing.premises').__table__()
        building = pool.get('housing.building').__table__()
        cursor = Transaction().connection.cursor()
        where = ((building.company == self.company.id)
            & (account.opened <= self.date)
            & ((account.closed == Null) | (account.closed >= self.date)))
        if self.buildings:
            where &= building.id.in_([b.id for b in self.buildings])
        cursor.execute(*account.join(premises,
                condition=account.premises == premises.id
                ).join(building, condition=premises.building == building.id
                ).select(account.id, building.id, where=where))
        return dict(cursor)

    def event_key(self):
        "The event of the campaign's notices, one message per account."
        if self.kind in {'debt', 'reading_window'}:
            return '%s:%s' % (self.kind, self.date.strftime('%Y-%m'))
        return '%s:campaign:%s' % (self.kind, self.id)

    def events(self, account_ids):
        """[(account id, event key, values of the placeholders)] of the
        accounts that this campaign notifies."""
        if self.kind == 'debt':
            debts = account_debts(self.company, account_ids, self.date)
            threshold = self.threshold or ZERO
            return [(a, self.event_key(), {'debt': format_money(debts[a])})
                for a in account_ids if debts.get(a, ZERO) > threshold]
        if self.kind == 'verification':
            return self.verification_events(account_ids)
        return [(a, self.event_key(), {}) for a in account_ids]

    def verification_events(self, account_ids):
        """One event per account and meter of its premises whose
        verification falls due from date_from to date_to: a new date
        (the meter verified) is a new event."""
        pool = Pool()
        Account = pool.get('housing.account')
        Meter = pool.get('housing.meter')
        by_premises = defaultdict(list)
        for account in Account.browse(account_ids):
            by_premises[account.premises.id].append(account.id)
        events = []
        for sub in grouped_slice(list(by_premises), 1000):
            for meter in Meter.search([
                        ('premises', 'in', list(sub)),
                        ('kind', '=', 'individual'),
                        ('verification_due', '>=', self.date_from),
                        ('verification_due', '<=', self.date_to),
                        ['OR', ('removal_date', '=', None),
                            ('removal_date', '>', self.date)],
                        ], order=[('verification_due', 'ASC'), ('id', 'ASC')]):
                key = 'verification:%s:%s' % (
                    meter.id, meter.verification_due.isoformat())
                for account_id in by_premises[meter.premises.id]:
                    events.append((account_id, key, {
                                'meter': meter.serial_number,
                                'due': format_date(meter.verification_due),
                                }))
        return events

    def placeholders(self, account):
        premises = account.premises
        building = premises.building
        payer = account.payer_at(self.date)
        return {
            'account': account.number,
            'payer': payer.party.rec_name if payer else '',
            'address': '%s, кв. %s' % (building.address, premises.number),
            'building': building.address,
            'company': self.company.rec_name,
            'date': format_date(self.date),
            'debt': '',
            'date_from': format_date(self.date_from),
            'date_to': format_date(self.date_to),
            'meter': '',
            'due': '',
            }

    def recipients_values(self):
        "The values of the recipients of the campaign, in account order."
        Account = Pool().get('housing.account')
        buildings = self.accounts_by_building()
        events = self.events(sorted(buildings))
        accounts = {a.id: a for a in Account.browse(
                sorted({a for a, _, _ in events}))}
        channels = Account.notification_channels_of(
            list(accounts.values()), self.kind)
        values = []
        for account_id, key, extra in sorted(
                events, key=lambda e: (accounts[e[0]].number, e[1])):
            account = accounts[account_id]
            data = dict(self.placeholders(account), **extra)
            for channel in channels[account_id]:
                address = account.notification_address(channel)
                if not address:
                    continue
                values.append({
                        'campaign': self.id,
                        'account': account_id,
                        'building': buildings[account_id],
                        'channel': channel,
                        'address': address,
                        'event_key': key,
                        'subject': self.subject.format(**data),
                        'text': self.text.format(**data),
                        })
        return values

    @classmethod
    @ModelView.button
    def preview(cls, campaigns):
        "The recipients each campaign would reach now, with their texts."
        Recipient = Pool().get('housing.notification.recipient')
        values = [v for c in campaigns for v in c.recipients_values()]
        with without_check_access():
            Recipient.delete([r for c in campaigns for r in c.recipients])
            Recipient.create(values)

    @classmethod
    @ModelView.button
    def send(cls, campaigns):
        """One queue task per building: the first press sends to the
        recipients as the preview finds them now, the next ones again to
        those whose message failed."""
        Chunk = Pool().get('housing.notification.campaign.building')
        cls.preview([c for c in campaigns if c.state == 'draft'])
        campaigns = cls.browse(campaigns)
        to_send = []
        for campaign in campaigns:
            if campaign.chunks:
                to_send.extend(c for c in campaign.chunks
                    if c.state != 'done' or c.failed)
            else:
                buildings = sorted({r.building.id
                        for r in campaign.recipients})
                with without_check_access():
                    to_send.extend(Chunk.create([{
                                    'campaign': campaign.id,
                                    'building': building,
                                    } for building in buildings]))
        if to_send:
            with without_check_access():
                Chunk.write(to_send, {'state': 'pending'})
        for chunk in to_send:
            Chunk.__queue__.send([chunk])

    @classmethod
    def copy(cls, campaigns, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('recipients')
        default.setdefault('chunks')
        default.setdefault('logs')
        return super().copy(campaigns, default=default)


class CampaignBuilding(ModelSQL, ModelView):
    "A building of a campaign, sent in its own queue task."
    __name__ = 'housing.notification.campaign.building'
    __string__ = "Notification Campaign Building"

    campaign = fields.Many2One(
        'housing.notification.campaign', "Campaign", required=True,
        readonly=True, ondelete='CASCADE')
    building = fields.Many2One(
        'housing.building', "Building", required=True, readonly=True,
        ondelete='CASCADE')
    state = fields.Selection([
            ('pending', "Pending"),
            ('done', "Done"),
            ('failed', "Failed"),
            ], "State", required=True, readonly=True)
    error = fields.Text("Error", readonly=True)
    sent = fields.Integer("Sent", readonly=True)
    failed = fields.Integer("Failed", readonly=True)
    skipped = fields.Integer(
        "Already Sent", readonly=True,
        help="Messages not sent because the log has them sent for the "
        "same event.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.campaign, Index.Equality())))
        cls._order = [('campaign', 'ASC'), ('building', 'ASC'),
            ('id', 'ASC')]

    @staticmethod
    def default_state():
        return 'pending'

    @classmethod
    def send(cls, chunks):
        for chunk in chunks:
            if chunk.state != 'done' or chunk.failed:
                chunk.send_in_savepoint()

    def send_in_savepoint(self):
        pool = Pool()
        Recipient = pool.get('housing.notification.recipient')
        Log = pool.get('housing.notification.log')
        values = {}
        with attempt('housing_notification_chunk') as outcome:
            recipients = Recipient.search([
                    ('campaign', '=', self.campaign.id),
                    ('building', '=', self.building.id),
                    ])
            values.update(Log.deliver(recipients))
        if outcome.error:
            values.update(state='failed', error=outcome.error)
        else:
            values.update(state='done', error=None)
        with without_check_access():
            self.write([self], values)


class CampaignBuildingRel(ModelSQL):
    __name__ = 'housing.notification.campaign-housing.building'
    __string__ = "Notification Campaign - Building"
    campaign = fields.Many2One(
        'housing.notification.campaign', "Campaign", required=True,
        ondelete='CASCADE')
    building = fields.Many2One(
        'housing.building', "Building", required=True, ondelete='CASCADE')


class Recipient(ModelSQL, ModelView):
    "A message of a campaign's preview: who gets what by which channel."
    __name__ = 'housing.notification.recipient'
    __string__ = "Notification Recipient"

    campaign = fields.Many2One(
        'housing.notification.campaign', "Campaign", required=True,
        readonly=True, ondelete='CASCADE')
    account = fields.Many2One(
        'housing.account', "Account", required=True, readonly=True,
        ondelete='CASCADE')
    building = fields.Many2One(
        'housing.building', "Building", required=True, readonly=True,
        ondelete='CASCADE')
    channel = fields.Selection(CHANNELS, "Channel", readonly=True)
    address = fields.Char("Address", readonly=True)
    event_key = fields.Char("Event", readonly=True)
    subject = fields.Char("Subject", readonly=True)
    text = fields.Text("Text", readonly=True)
    state = fields.Function(fields.Selection([
                ('to_send', "To Send"),
                ('sent', "Sent"),
                ('failed', "Failed"),
                ], "State"), 'get_state')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t,
                (t.campaign, Index.Equality()),
                (t.building, Index.Equality())))
        cls._order = [('campaign', 'ASC'), ('id', 'ASC')]

    def key(self):
        return (self.account.id, self.channel, self.event_key)

    @classmethod
    def get_state(cls, recipients, name):
        "What the log says of the event: already sent counts as sent."
        Log = Pool().get('housing.notification.log')
        logs = Log.of(recipients)
        return {r.id: logs[r.key()].state if r.key() in logs else 'to_send'
            for r in recipients}


class Log(ModelSQL, ModelView):
    """A notice sent or tried: one per account, channel and event, so that
    no event is notified twice by the same channel."""
    __name__ = 'housing.notification.log'
    __string__ = "Notification Log"

    company = fields.Many2One(
        'company.company', "Company", required=True, readonly=True)
    campaign = fields.Many2One(
        'housing.notification.campaign', "Campaign", readonly=True,
        ondelete='SET NULL')
    account = fields.Many2One(
        'housing.account', "Account", required=True, readonly=True,
        ondelete='CASCADE')
    kind = fields.Selection(KINDS, "Kind", required=True, readonly=True)
    channel = fields.Selection(
        CHANNELS, "Channel", required=True, readonly=True)
    event_key = fields.Char("Event", required=True, readonly=True)
    address = fields.Char("Address", readonly=True)
    subject = fields.Char("Subject", readonly=True)
    text = fields.Text("Text", readonly=True)
    date = fields.DateTime("Date", readonly=True)
    state = fields.Selection([
            ('sent', "Sent"),
            ('failed', "Failed"),
            ], "State", required=True, readonly=True)
    error = fields.Text("Error", readonly=True)
    attempts = fields.Integer("Attempts", readonly=True)
    message_id = fields.Char(
        "Message ID", readonly=True,
        help="The Message-ID of the e-mail or the SMS gateway's id.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('event_unique', Unique(t, t.account, t.channel, t.event_key),
                'housing_payment.msg_notification_log_unique'),
            ]
        cls._sql_indexes.add(Index(t, (t.campaign, Index.Equality())))
        cls._order = [('date', 'DESC NULLS FIRST'), ('id', 'DESC')]

    @classmethod
    def of(cls, recipients):
        "{(account id, channel, event key): log} of the recipients' events."
        keys = {r.key() for r in recipients}
        events = sorted({k[2] for k in keys})
        logs = {}
        for sub in grouped_slice(sorted({k[0] for k in keys}), 1000):
            for log in cls.search([
                        ('account', 'in', list(sub)),
                        ('event_key', 'in', events),
                        ]):
                key = (log.account.id, log.channel, log.event_key)
                if key in keys:
                    logs[key] = log
        return logs

    @classmethod
    def deliver(cls, recipients):
        """Send the messages of recipients whose event is not logged as
        sent; return the counts {sent, failed, skipped}.

        The log lines are inserted before anything is sent, so that the
        unique index makes a second sender of the same event wait for the
        first and then fail instead of sending it again. A message the
        server or gateway refuses is logged as failed with its error, and
        sent again by the next attempt."""
        logs = cls.of(recipients)
        new = [r for r in recipients if r.key() not in logs]
        with without_check_access():
            created = cls.create([{
                        'company': r.campaign.company.id,
                        'campaign': r.campaign.id,
                        'account': r.account.id,
                        'kind': r.campaign.kind,
                        'channel': r.channel,
                        'event_key': r.event_key,
                        'address': r.address,
                        'subject': r.subject,
                        'text': r.text,
                        'state': 'failed',
                        'attempts': 0,
                        } for r in new])
        logs.update((r.key(), log) for r, log in zip(new, created))
        counts = {'sent': 0, 'failed': 0, 'skipped': 0}
        done = set()
        postman = Postman()
        try:
            for recipient in recipients:
                log = logs[recipient.key()]
                if log.state == 'sent' or recipient.key() in done:
                    counts['skipped'] += 1
                    continue
                done.add(recipient.key())
                message_id, error = postman.send(recipient)
                log.campaign = recipient.campaign
                log.address = recipient.address
                log.subject = recipient.subject
                log.text = recipient.text
                log.date = dt.datetime.now()
                log.attempts = (log.attempts or 0) + 1
                log.message_id = message_id
                log.error = error
                log.state = 'failed' if error else 'sent'
                counts[log.state] += 1
        finally:
            postman.close()
        with without_check_access():
            cls.save([logs[k] for k in done])
        return counts


class Postman:
    """Sends one message at a time by e-mail (one SMTP connection for the
    lot) or SMS: (message id, None) or (None, the error)."""

    def __init__(self):
        self.server = None
        self.provider = None

    def send(self, recipient):
        try:
            if recipient.channel == 'email':
                return self.email(recipient), None
            return self.sms(recipient), None
        except Exception as error:
            return None, str(error) or repr(error)

    def email(self, recipient):
        from_ = config.get('email', 'from')
        if not from_:
            raise NoticeError(gettext(
                    'housing_payment.msg_notification_no_email_from'))
        msg = EmailMessage()
        msg['From'] = from_
        msg['To'] = recipient.address
        msg['Subject'] = recipient.subject
        msg.set_content(recipient.text)
        if self.server is None:
            self.server = get_smtp_server(strict=True)
        self.server = sendmail(
            from_, [recipient.address], msg, server=self.server, strict=True)
        return msg['Message-ID']

    def sms(self, recipient):
        if self.provider is None:
            self.provider = get_provider()
        if self.provider is None:
            raise NoticeError(gettext(
                    'housing_payment.msg_notification_no_sms_provider'))
        return self.provider.send(recipient.address, recipient.text
            ).message_id

    def close(self):
        if self.server is not None:
            try:
                self.server.quit()
            except Exception:
                pass
            self.server = None
