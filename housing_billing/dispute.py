# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""A consumer's dispute of the charges or the debt (a complaint, a claim
for recalculation, a case in court on the debt): while it is open the
account is no candidate for a restriction (docs: reports.md C4)."""
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .dated import check_dates


class Dispute(ModelSQL, ModelView):
    __name__ = 'housing.dispute'
    __string__ = "Debt Dispute"

    company = fields.Many2One('company.company', "Company", required=True)
    account = fields.Many2One(
        'housing.account', "Personal Account", required=True,
        ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))])
    service = fields.Many2One(
        'housing.service', "Service", ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))],
        help="The disputed service (empty: the whole bill).")
    subject = fields.Char("Subject", required=True)
    opened = fields.Date("Opened On", required=True)
    closed = fields.Date(
        "Closed On", help="The day the dispute was settled or decided.")
    resolution = fields.Text("Resolution")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.account, Index.Equality())))
        cls._order.insert(0, ('opened', 'DESC'))

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    def get_rec_name(self, name):
        return '%s: %s' % (self.account.rec_name, self.subject)

    def is_open(self, date):
        return self.opened <= date and (not self.closed or self.closed > date)

    @classmethod
    def validate(cls, disputes):
        super().validate(disputes)
        for dispute in disputes:
            check_dates(dispute, 'housing_billing.msg_dispute_dates',
                start='opened', end='closed')
