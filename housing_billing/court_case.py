# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""Court cases against debtors and their register (docs: reports.md C5).

A case names the account, the months claimed and the sums claimed;
«Collected» is the posted payments tagged to the case, never a counter."""
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from sql import Null
from sql.aggregate import Sum
from sql.conditionals import Coalesce
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval, If
from trytond.transaction import Transaction

from .exceptions import CourtCaseError
from .report_context import ReportFilterMixin

MONEY = (16, 2)
LIMITATION_YEARS = 3
KINDS = [
    ('order', "Court Order"),
    ('lawsuit', "Lawsuit"),
    ]
STATES = [
    ('draft', "Draft"),
    ('filed', "Filed"),
    ('decided', "Decided"),
    ('cancelled', "Order Cancelled"),
    ('enforcement', "Enforcement"),
    ('closed', "Closed"),
    ]


class CourtCase(ModelSQL, ModelView):
    __name__ = 'housing.court_case'
    __string__ = "Court Case"
    _rec_name = 'number'

    company = fields.Many2One('company.company', "Company", required=True)
    account = fields.Many2One(
        'housing.account', "Personal Account", required=True,
        ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))])
    debtor = fields.Many2One(
        'party.party', "Debtor", required=True, ondelete='RESTRICT',
        context={'company': Eval('company', -1)}, depends={'company'})
    number = fields.Char("Case Number")
    kind = fields.Selection(KINDS, "Kind", required=True)
    court = fields.Char("Court")
    period_from = fields.Date(
        "Claimed From", required=True,
        help="The first month claimed (its first day).")
    period_to = fields.Date(
        "Claimed To", required=True,
        domain=[If(Eval('period_from'),
                ('period_to', '>=', Eval('period_from')), ())],
        help="The last month claimed (its first day).")
    principal = fields.Numeric(
        "Principal", digits=MONEY, required=True,
        domain=[('principal', '>=', 0)])
    penalty = fields.Numeric(
        "Penalty", digits=MONEY, required=True,
        domain=[('penalty', '>=', 0)])
    fee = fields.Numeric(
        "State Fee", digits=MONEY, required=True,
        domain=[('fee', '>=', 0)])
    filed = fields.Date("Filed")
    decision_date = fields.Date("Order or Decision")
    cancelled_date = fields.Date("Order Cancelled")
    enforcement_date = fields.Date("Sent to Bailiffs")
    state = fields.Selection(STATES, "State", required=True)
    payments = fields.One2Many(
        'housing.payment', 'court_case', "Payments", readonly=True)
    collected = fields.Function(
        fields.Numeric("Collected", digits=MONEY), 'get_collected')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.account, Index.Equality())))
        cls._order.insert(0, ('filed', 'DESC NULLS FIRST'))

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_kind():
        return 'order'

    @staticmethod
    def default_state():
        return 'draft'

    @staticmethod
    def default_penalty():
        return Decimal(0)

    @staticmethod
    def default_fee():
        return Decimal(0)

    @fields.depends('account', 'period_to')
    def on_change_account(self):
        if self.account and not getattr(self, 'debtor', None):
            self.debtor = self.account.payer

    @classmethod
    def get_collected(cls, cases, name):
        pool = Pool()
        payment = pool.get('housing.payment').__table__()
        cursor = Transaction().connection.cursor()
        result = dict.fromkeys((c.id for c in cases), Decimal(0))
        cursor.execute(*payment.select(
                payment.court_case, Sum(payment.amount),
                where=payment.court_case.in_(list(result))
                & (payment.state == 'posted'),
                group_by=[payment.court_case]))
        for case, amount in cursor:
            result[case] = Decimal(str(amount)).quantize(Decimal('0.01'))
        return result

    @classmethod
    def validate(cls, cases):
        super().validate(cases)
        for case in cases:
            if case.period_from.day != 1 or case.period_to.day != 1:
                raise CourtCaseError(gettext(
                        'housing_billing.msg_court_case_period',
                        case=case.rec_name or str(case.id)))


class Payment(metaclass=PoolMeta):
    __name__ = 'housing.payment'

    court_case = fields.Many2One(
        'housing.court_case', "Court Case", ondelete='RESTRICT',
        domain=[('account', '=', Eval('account', -1))],
        help="The court case the payment was collected under.")


class CourtCaseReport(ReportFilterMixin, ModelSQL, ModelView):
    "Court Cases Register"
    __name__ = 'housing.report.court_case'

    case = fields.Many2One('housing.court_case', "Case", readonly=True)
    account = fields.Many2One(
        'housing.account', "Personal Account", readonly=True)
    building = fields.Many2One('housing.building', "Building", readonly=True)
    debtor = fields.Many2One('party.party', "Debtor", readonly=True)
    period_from = fields.Date("Claimed From", readonly=True)
    period_to = fields.Date("Claimed To", readonly=True)
    principal = fields.Numeric("Principal", digits=MONEY, readonly=True)
    penalty = fields.Numeric("Penalty", digits=MONEY, readonly=True)
    fee = fields.Numeric("State Fee", digits=MONEY, readonly=True)
    kind = fields.Selection(KINDS, "Kind", readonly=True)
    filed = fields.Date("Filed", readonly=True)
    court = fields.Char("Court", readonly=True)
    decision_date = fields.Date("Order or Decision", readonly=True)
    cancelled_date = fields.Date("Order Cancelled", readonly=True)
    enforcement_date = fields.Date("Sent to Bailiffs", readonly=True)
    collected = fields.Numeric("Collected", digits=MONEY, readonly=True)
    remaining = fields.Numeric("Remaining", digits=MONEY, readonly=True)
    state = fields.Selection(STATES, "State", readonly=True)
    beyond_limitation = fields.Function(
        fields.Boolean("Beyond Limitation",
            help="The first month claimed fell due more than three years "
            "before the filing (Civil Code art. 196)."),
        'get_beyond_limitation')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('filed', 'ASC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        pool = Pool()
        case = pool.get('housing.court_case').__table__()
        account = pool.get('housing.account').__table__()
        premises = pool.get('housing.premises').__table__()
        payment = pool.get('housing.payment').__table__()
        _, end = cls.report_dates()
        collected = payment.select(
            payment.court_case.as_('case'),
            Sum(payment.amount).as_('amount'),
            where=(payment.state == 'posted') & (payment.date <= end)
            & (payment.court_case != Null),
            group_by=[payment.court_case])
        where = ((case.company == (cls.report_company() or -1))
            & ((case.filed == Null) | (case.filed <= end)))
        for name, column in [
                ('buildings', premises.building), ('accounts', account.id)]:
            ids = cls.report_ids(name)
            if ids:
                where &= column.in_(ids)
        amount = Coalesce(collected.amount, 0)
        claimed = case.principal + case.penalty + case.fee
        return (case
            .join(account, condition=case.account == account.id)
            .join(premises, condition=account.premises == premises.id)
            .join(collected, 'LEFT', condition=collected.case == case.id)
            .select(
                case.id.as_('id'),
                case.id.as_('case'),
                case.account.as_('account'),
                premises.building.as_('building'),
                case.debtor.as_('debtor'),
                case.period_from.as_('period_from'),
                case.period_to.as_('period_to'),
                case.principal.as_('principal'),
                case.penalty.as_('penalty'),
                case.fee.as_('fee'),
                case.kind.as_('kind'),
                case.filed.as_('filed'),
                case.court.as_('court'),
                case.decision_date.as_('decision_date'),
                case.cancelled_date.as_('cancelled_date'),
                case.enforcement_date.as_('enforcement_date'),
                amount.as_('collected'),
                (claimed - amount).as_('remaining'),
                case.state.as_('state'),
                where=where))

    def get_beyond_limitation(self, name):
        """The first month claimed was due on the 10th of the next month
        (Housing Code art. 155 p. 1): three years from then have passed at
        filing."""
        if not self.filed:
            return False
        due = (self.period_from + relativedelta(months=1)).replace(day=10)
        return self.filed > due + relativedelta(years=LIMITATION_YEARS)
