# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""Notices to debtors: the warning before a utility is restricted
(Decree 354 para. 119) and the pre-trial claim (docs: reports.md C3, C4).

The restriction may start 20 days after the warning reached the consumer
(para. 119 a): without a delivery date there is no such day."""
import datetime as dt

from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .dated import check_dates

MONEY = (16, 2)
RESTRICTION_DELAY = dt.timedelta(days=20)


class Notice(ModelSQL, ModelView):
    __name__ = 'housing.debt.notice'
    __string__ = "Debt Notice"

    company = fields.Many2One('company.company', "Company", required=True)
    account = fields.Many2One(
        'housing.account', "Personal Account", required=True,
        ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))])
    kind = fields.Selection([
            ('restriction', "Restriction Warning"),
            ('claim', "Pre-Trial Claim"),
            ], "Kind", required=True)
    service = fields.Many2One(
        'housing.service', "Service", ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))],
        help="The utility the warning announces to restrict "
        "(empty: every utility of the account).")
    date = fields.Date("Sent On", required=True)
    channel = fields.Selection([
            ('letter', "Registered Letter"),
            ('receipt', "In the Receipt"),
            ('email', "E-mail"),
            ('gis', "GIS Housing"),
            ('hand', "By Hand"),
            ], "Channel", required=True)
    delivered = fields.Date(
        "Delivered On",
        help="The day the consumer received it: the 20 days before a "
        "restriction count from it.")
    debt = fields.Numeric(
        "Debt Stated", digits=MONEY,
        help="The debt the notice states on the day it is sent.")
    restriction_date = fields.Function(
        fields.Date("Possible Restriction",
            help="The 21st day after the delivery."),
        'get_restriction_date')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.account, Index.Equality())))
        cls._order.insert(0, ('date', 'DESC'))

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_kind():
        return 'restriction'

    @staticmethod
    def default_channel():
        return 'letter'

    def get_rec_name(self, name):
        return '%s %s' % (
            self.account.rec_name, self.date.strftime('%d.%m.%Y'))

    def get_restriction_date(self, name):
        if self.kind == 'restriction' and self.delivered:
            return self.delivered + RESTRICTION_DELAY

    @classmethod
    def validate(cls, notices):
        super().validate(notices)
        for notice in notices:
            check_dates(notice, 'housing_billing.msg_notice_dates',
                start='date', end='delivered')
