# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
from fractions import Fraction

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Unique, fields
from trytond.pyson import Eval, If
from trytond.transaction import Transaction

from .dated import (
    check_dates,
    check_no_overlap,
    context_date,
    effective,
    in_force,
    selected,
)
from .engine.lines import Reason
from .exceptions import ShareError
from .recalculation import RecalculationTriggerMixin


class Account(ModelSQL, ModelView):
    __name__ = 'housing.account'
    __string__ = "Personal Account"
    _history = True
    _rec_name = 'number'

    company = fields.Many2One(
        'company.company', "Company", required=True)
    number = fields.Char("Number", required=True)
    premises = fields.Many2One(
        'housing.premises', "Premises", required=True, ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))])
    building = fields.Function(
        fields.Many2One('housing.building', "Building"),
        'on_change_with_building', searcher='search_building')
    payers = fields.One2Many(
        'housing.account.payer', 'account', "Payers",
        help="Who pays the account, each from a date.")
    payer = fields.Function(
        fields.Many2One(
            'party.party', "Payer",
            context={'company': Eval('company', -1)}, depends={'company'}),
        'get_payer',
        searcher='search_payer')
    opened = fields.Date("Opened", required=True)
    closed = fields.Date(
        "Closed",
        domain=[If(Eval('closed'), ('closed', '>=', Eval('opened')), ())])
    share_numerator = fields.Integer(
        "Share Numerator", required=True,
        domain=[('share_numerator', '>', 0)],
        help="The part of the premises this account pays for.")
    share_denominator = fields.Integer(
        "Share Denominator", required=True,
        domain=[('share_denominator', '>=', Eval('share_numerator', 1))])
    residents = fields.One2Many('housing.resident', 'account', "Residents")
    services = fields.One2Many(
        'housing.account.service', 'account', "Services")
    state = fields.Function(fields.Selection([
                ('open', "Open"),
                ('closed', "Closed"),
                ], "State"), 'get_state', searcher='search_state')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('company_number_unique', Unique(t, t.company, t.number),
                'housing_billing.msg_account_number_unique'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.premises, Index.Equality())),
                Index(t, (t.number, Index.Similarity())),
                })
        cls._order.insert(0, ('number', 'ASC'))

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_share_numerator():
        return 1

    @staticmethod
    def default_share_denominator():
        return 1

    @fields.depends('premises', '_parent_premises.building')
    def on_change_with_building(self, name=None):
        return self.premises.building if self.premises else None

    @classmethod
    def search_building(cls, name, clause):
        return [('premises.building',) + tuple(clause[1:])]

    @property
    def share(self):
        return Fraction(self.share_numerator, self.share_denominator)

    def get_payer(self, name):
        payer = self.payer_at(context_date())
        return payer.party if payer else None

    @classmethod
    def search_payer(cls, name, clause):
        return [('payers.party',) + tuple(clause[1:])]

    def payer_at(self, date):
        return effective(self.payers, date)

    def get_state(self, name):
        return 'open' if self.is_open(context_date()) else 'closed'

    @classmethod
    def search_state(cls, name, clause):
        date = context_date()
        _, operator, value = clause[:3]
        is_open = cls.open_during_domain(date, date)
        positive = selected('open', operator, value)
        is_closed = ['OR', ('opened', '>', date), ('closed', '<', date)]
        return is_open if positive else is_closed

    @staticmethod
    def open_during_domain(start, end):
        "The accounts open for at least a day of [start, end]"
        return ['AND',
            ('opened', '<=', end),
            ['OR', ('closed', '=', None), ('closed', '>=', start)],
            ]

    def is_open(self, date):
        return in_force(self, date, start='opened', end='closed')

    def is_open_during(self, start, end):
        return self.opened <= end and (not self.closed or self.closed >= start)

    @classmethod
    def opening_debts(cls, company, account_ids, until):
        """{account id: {period start: principal}} owed before the
        accounts were billed here (migrated opening balances), periods up
        to ``until``; extended by the modules that bring them in."""
        return {}

    @classmethod
    def opening_advances(cls, company, account_ids, until):
        """{account id: [(date, None, None, amount)]}: the advances the
        accounts had before they were billed here, as posted_allocations
        gives advances, dated up to ``until``."""
        return {}

    def residents_at(self, date):
        return [r for r in self.residents if in_force(
                    r, date, start='registered_from', end='registered_to')]

    def services_at(self, date):
        return [s.service for s in self.services if in_force(s, date)]

    @classmethod
    def validate(cls, accounts):
        super().validate(accounts)
        for account in accounts:
            check_dates(
                account, 'housing_billing.msg_account_dates',
                start='opened', end='closed')
        for premises in {a.premises for a in accounts}:
            cls.check_shares(premises)

    @classmethod
    def check_shares(cls, premises):
        "Open accounts of one premises may not share more than the whole."
        accounts = cls.search([('premises', '=', premises.id)])
        for date in {a.opened for a in accounts}:
            total = sum((a.share for a in accounts if a.is_open(date)),
                Fraction(0))
            if total > 1:
                raise ShareError(gettext(
                        'housing_billing.msg_account_shares_exceed',
                        premises=premises.rec_name, date=date.isoformat(),
                        total='%s/%s' % (total.numerator, total.denominator)))


class AccountPayer(ModelSQL, ModelView):
    __name__ = 'housing.account.payer'
    __string__ = "Account Payer"
    _history = True

    account = fields.Many2One(
        'housing.account', "Account", required=True, ondelete='CASCADE')
    party = fields.Many2One(
        'party.party', "Payer", required=True, ondelete='RESTRICT')
    date_from = fields.Date("From", required=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('account_date_unique', Unique(t, t.account, t.date_from),
                'housing_billing.msg_payer_date_unique'),
            ]
        cls._sql_indexes.add(Index(t, (t.party, Index.Equality())))
        cls._order.insert(0, ('date_from', 'DESC'))

    def get_rec_name(self, name):
        return '%s: %s' % (self.account.rec_name, self.party.rec_name)


class Resident(RecalculationTriggerMixin, ModelSQL, ModelView):
    __name__ = 'housing.resident'
    _recalculation_reason = Reason.RESIDENTS
    _recalculation_fields = {
        'account', 'kind', 'registered_from', 'registered_to'}
    __string__ = "Resident"
    _history = True

    account = fields.Many2One(
        'housing.account', "Account", required=True, ondelete='CASCADE')
    party = fields.Many2One(
        'party.party', "Person", required=True, ondelete='RESTRICT')
    kind = fields.Selection([
            ('permanent', "Permanent"),
            ('temporary', "Temporary"),
            ], "Registration", required=True)
    registered_from = fields.Date("Registered From", required=True)
    registered_to = fields.Date(
        "Registered To",
        domain=[If(Eval('registered_to'),
                ('registered_to', '>=', Eval('registered_from')), ())])
    absences = fields.One2Many('housing.absence', 'resident', "Absences")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.account, Index.Equality())),
                Index(t, (t.party, Index.Equality())),
                })
        cls._order.insert(0, ('registered_from', 'DESC'))

    @staticmethod
    def default_kind():
        return 'permanent'

    def get_rec_name(self, name):
        return '%s (%s)' % (self.party.rec_name, self.account.rec_name)

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('party.rec_name',) + tuple(clause[1:])]

    def absent_on(self, date):
        return any(a.covers(date) for a in self.absences)

    def recalculation_scope(self):
        account = self.account
        return (account.company.id,
            [self.registered_from, self.registered_to], [account], [])

    @classmethod
    def validate(cls, residents):
        super().validate(residents)
        for resident in residents:
            check_dates(
                resident, 'housing_billing.msg_registration_dates',
                start='registered_from', end='registered_to')
        check_no_overlap(
            residents,
            lambda r: [('account', r.account.id), ('party', r.party.id)],
            'housing_billing.msg_resident_overlap',
            start='registered_from', end='registered_to')


class Absence(RecalculationTriggerMixin, ModelSQL, ModelView):
    __name__ = 'housing.absence'
    _recalculation_reason = Reason.TEMPORARY_ABSENCE
    _recalculation_fields = {'resident', 'date_from', 'date_to'}
    __string__ = "Temporary Absence"
    _history = True

    resident = fields.Many2One(
        'housing.resident', "Resident", required=True, ondelete='CASCADE')
    date_from = fields.Date(
        "Departure", required=True,
        help="The day the resident left: not a day of absence "
        "(Decree 354 para 90).")
    date_to = fields.Date(
        "Arrival", required=True,
        help="The day the resident came back: not a day of absence "
        "(Decree 354 para 90).")
    reason = fields.Selection([
            ('business_trip', "Business Trip"),
            ('study', "Study"),
            ('hospital', "Hospital"),
            ('holiday', "Holiday"),
            ('military', "Military Service"),
            ('prison', "Detention"),
            ('other', "Other"),
            ], "Reason", required=True)
    document = fields.Char(
        "Document", help="The document that proves the absence.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.resident, Index.Equality())))
        cls._order.insert(0, ('date_from', 'DESC'))

    @property
    def full_days(self):
        "Days of absence: those between departure and arrival (para 90)."
        return max((self.date_to - self.date_from).days - 1, 0)

    def covers(self, date):
        return self.date_from < date < self.date_to

    def get_rec_name(self, name):
        return '%s %s – %s' % (
            self.resident.rec_name, self.date_from, self.date_to)

    def recalculation_scope(self):
        account = self.resident.account
        return (account.company.id, [self.date_from, self.date_to],
            [account], [])

    @classmethod
    def validate(cls, absences):
        super().validate(absences)
        for absence in absences:
            check_dates(absence, 'housing_billing.msg_absence_dates')
        check_no_overlap(
            absences, lambda a: [('resident', a.resident.id)],
            'housing_billing.msg_absence_overlap')


class AccountService(RecalculationTriggerMixin, ModelSQL, ModelView):
    __name__ = 'housing.account.service'
    _recalculation_reason = Reason.SERVICE
    _recalculation_fields = {
        'account', 'service', 'date_from', 'date_to', 'meter_impossible',
        'access_refused_twice'}
    __string__ = "Account Service"
    _history = True

    account = fields.Many2One(
        'housing.account', "Account", required=True, ondelete='CASCADE')
    service = fields.Many2One(
        'housing.service', "Service", required=True, ondelete='RESTRICT')
    date_from = fields.Date("From", required=True)
    date_to = fields.Date("To")
    meter_impossible = fields.Boolean(
        "Meter Impossible",
        help="An act states that no meter can be installed for this "
        "service: the normative applies without the increasing coefficient "
        "and temporary absences reduce the charge (Decree 354 para 86).")
    access_refused_twice = fields.Date(
        "Access Refused Twice",
        help="Electricity: the date of the second act stating that the "
        "consumer refused access for installing or replacing the meter. "
        "From the next month the normative is charged with the increasing "
        "coefficient.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.account, Index.Equality())),
                Index(t, (t.service, Index.Equality())),
                })
        cls._order.insert(0, ('date_from', 'DESC'))

    def get_rec_name(self, name):
        return '%s: %s' % (self.account.rec_name, self.service.rec_name)

    def recalculation_scope(self):
        account = self.account
        return (account.company.id, [self.date_from, self.date_to],
            [account], [])

    @classmethod
    def validate(cls, records):
        super().validate(records)
        for record in records:
            check_dates(record, 'housing_billing.msg_service_period_dates')
        check_no_overlap(
            records,
            lambda r: [('account', r.account.id), ('service', r.service.id)],
            'housing_billing.msg_account_service_overlap')
