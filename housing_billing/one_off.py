# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""Manual, agent and one-off amounts an accountant enters for a personal
account, a service and a billing month.

The kernel bills them for the services calculated manually (engine methods
manual, agent and one_off, calculate.manual_lines): quantity × tariff, or
the amount as entered, with the note in the explanation."""
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.pyson import Eval
from trytond.tools import grouped_slice
from trytond.transaction import Transaction

from .engine import snapshot as engine
from .engine.lines import Reason
from .exceptions import OneOffChargeError
from .loader import billing_period, period_start
from .recalculation import RecalculationTriggerMixin

MONEY = (16, 2)
CHUNK = 1000
KOPECK = Decimal('0.01')
# The service calculation methods whose amounts are entered by hand.
MANUAL_METHODS = {'manual'}


class OneOffCharge(RecalculationTriggerMixin, ModelSQL, ModelView):
    __name__ = 'housing.one_off_charge'
    _recalculation_reason = Reason.MANUAL
    _recalculation_fields = {
        'account', 'service', 'period', 'quantity', 'tariff', 'amount'}
    __string__ = "One-Off Charge"

    company = fields.Many2One(
        'company.company', "Company", required=True)
    account = fields.Many2One(
        'housing.account', "Account", required=True, ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))])
    service = fields.Many2One(
        'housing.service', "Service", required=True, ondelete='RESTRICT',
        domain=[
            ('company', '=', Eval('company', -1)),
            ('method', 'in', list(MANUAL_METHODS)),
            ])
    period = fields.Date(
        "Period", required=True,
        help="The first day of the billing month.")
    quantity = fields.Numeric(
        "Quantity", digits=(16, 3), required=True)
    tariff = fields.Numeric(
        "Tariff", digits=(16, 4),
        help="Leave empty to enter the amount.")
    amount = fields.Numeric(
        "Amount", digits=MONEY,
        help="Leave empty to bill the quantity at the tariff.")
    note = fields.Char(
        "Note", help="Printed after the explanation of the charge.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t,
                (t.account, Index.Equality()), (t.period, Index.Range())))
        cls._order = [('period', 'DESC'), ('account', 'ASC'), ('id', 'ASC')]

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_quantity():
        return Decimal(1)

    def get_rec_name(self, name):
        return '%s %s %s' % (
            self.account.rec_name, self.service.rec_name,
            self.period.strftime('%m.%Y'))

    def recalculation_scope(self):
        return self.company.id, [self.period], [self.account], []

    @property
    def total(self):
        "The amount billed: as entered, else quantity × tariff"
        if self.amount is not None:
            return self.amount
        return (self.quantity * self.tariff).quantize(
            KOPECK, rounding=ROUND_HALF_UP)

    @classmethod
    def validate(cls, charges):
        super().validate(charges)
        for charge in charges:
            charge.check_period()
            charge.check_price()
            charge.check_service()

    def check_period(self):
        if self.period.day != 1:
            raise OneOffChargeError(gettext(
                    'housing_billing.msg_one_off_period_first_day',
                    charge=self.rec_name, period=self.period.isoformat()))

    def check_price(self):
        if self.tariff is None and self.amount is None:
            raise OneOffChargeError(gettext(
                    'housing_billing.msg_one_off_no_price',
                    charge=self.rec_name))
        if self.tariff is not None and self.amount is not None:
            expected = (self.quantity * self.tariff).quantize(
                KOPECK, rounding=ROUND_HALF_UP)
            if expected != self.amount:
                raise OneOffChargeError(gettext(
                        'housing_billing.msg_one_off_amount_mismatch',
                        charge=self.rec_name, amount=self.amount,
                        quantity=self.quantity, tariff=self.tariff,
                        expected=expected))

    def check_service(self):
        "The account must have the manual service during the period."
        service = self.service
        if service.method not in MANUAL_METHODS:
            raise OneOffChargeError(gettext(
                    'housing_billing.msg_one_off_service_method',
                    charge=self.rec_name, service=service.rec_name,
                    method=service.method_string))
        month = billing_period(self.period)
        for line in self.account.services:
            if (line.service == service and line.date_from <= month.end
                    and (line.date_to is None
                        or line.date_to >= month.start)):
                return
        raise OneOffChargeError(gettext(
                'housing_billing.msg_one_off_service_missing',
                charge=self.rec_name, service=service.rec_name,
                account=self.account.rec_name,
                period=self.period.strftime('%m.%Y')))

    def manual_charge(self):
        return engine.ManualCharge(
            service=self.service.code, quantity=self.quantity,
            tariff=self.tariff, amount=self.amount, note=self.note or '')

    @classmethod
    def charged_accounts(cls, period):
        """The ids of the personal accounts with a one-off charge entered
        for the engine period: one query for a task's buildings, so that
        manual_charges searches only the few accounts it may find."""
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.select(table.account,
                where=table.period == period_start(period),
                group_by=[table.account]))
        return {a for a, in cursor}

    @classmethod
    def manual_charges(cls, accounts, period):
        """{account id: tuple of ManualCharge} entered for the personal
        accounts and the engine period, in the order of entry."""
        result = defaultdict(list)
        start = period_start(period)
        for sub_accounts in grouped_slice(accounts, CHUNK):
            for charge in cls.search([
                        ('account', 'in', [a.id for a in sub_accounts]),
                        ('period', '=', start),
                        ], order=[('id', 'ASC')]):
                result[charge.account.id].append(charge.manual_charge())
        return {k: tuple(v) for k, v in result.items()}
