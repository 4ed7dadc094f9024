# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""Installment agreements and their report (docs: reports.md C6).

An agreement restructures a debt of an account into dated instalments
whose plan sums to the debt. What is paid comes from the ledger: the
credits of the account's receivable lines from the agreement's date on,
applied to the instalments in the order they fall due."""
import datetime as dt
from decimal import Decimal

from sql.aggregate import Sum
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .bulk import as_money
from .exceptions import InstallmentError
from .report_context import ReportFilterMixin

MONEY = (16, 2)
STATES = [
    ('draft', "Draft"),
    ('active', "Active"),
    ('closed', "Closed"),
    ('broken', "Broken"),
    ]


def ledger_paid(account_ids, date_from, date_to):
    """{account id: Σ credits of its receivable lines dated date_from to
    date_to}: what the ledger says was paid."""
    pool = Pool()
    line = pool.get('account.move.line').__table__()
    move = pool.get('account.move').__table__()
    cursor = Transaction().connection.cursor()
    result = dict.fromkeys(account_ids, Decimal(0))
    if not account_ids:
        return result
    cursor.execute(*line.join(move, condition=line.move == move.id).select(
            line.housing_account, Sum(line.credit),
            where=line.housing_account.in_(list(account_ids))
            & (move.state == 'posted')
            & (move.date >= date_from) & (move.date <= date_to),
            group_by=[line.housing_account]))
    for account, amount in cursor:
        result[account] = as_money(amount) or Decimal(0)
    return result


class Installment(ModelSQL, ModelView):
    __name__ = 'housing.installment'
    __string__ = "Installment Agreement"
    _rec_name = 'number'

    company = fields.Many2One('company.company', "Company", required=True)
    account = fields.Many2One(
        'housing.account', "Personal Account", required=True,
        ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))])
    number = fields.Char("Number")
    date = fields.Date("Date", required=True)
    total = fields.Numeric(
        "Restructured Debt", digits=MONEY, required=True,
        domain=[('total', '>', 0)])
    state = fields.Selection(STATES, "State", required=True)
    lines = fields.One2Many(
        'housing.installment.line', 'installment', "Schedule")
    paid = fields.Function(
        fields.Numeric("Paid So Far", digits=MONEY,
            help="The credits of the account in the ledger since the "
            "agreement, up to its debt."),
        'get_paid')

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
    def default_state():
        return 'draft'

    @classmethod
    def get_paid(cls, installments, name):
        date_to = Transaction().context.get('date') or dt.date.max
        result = {}
        for installment in installments:
            paid = ledger_paid(
                [installment.account.id], installment.date, date_to)
            result[installment.id] = min(
                paid[installment.account.id], installment.total)
        return result

    @classmethod
    def validate(cls, installments):
        super().validate(installments)
        for installment in installments:
            planned = sum(
                (i.amount for i in installment.lines), Decimal(0))
            if installment.lines and planned != installment.total:
                raise InstallmentError(gettext(
                        'housing_billing.msg_installment_plan',
                        installment=installment.rec_name or '',
                        plan=planned, total=installment.total))


class InstallmentLine(ModelSQL, ModelView):
    __name__ = 'housing.installment.line'
    __string__ = "Installment"

    installment = fields.Many2One(
        'housing.installment', "Agreement", required=True,
        ondelete='CASCADE')
    date = fields.Date("Due Date", required=True)
    amount = fields.Numeric(
        "Amount", digits=MONEY, required=True,
        domain=[('amount', '>', 0)])

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.installment, Index.Equality())))
        cls._order.insert(0, ('date', 'ASC'))

    @classmethod
    def validate(cls, lines):
        super().validate(lines)
        Pool().get('housing.installment').validate(
            list({i.installment for i in lines}))


class InstallmentReport(ReportFilterMixin, ModelSQL, ModelView):
    "Installment Agreements"
    __name__ = 'housing.report.installment'

    installment = fields.Many2One(
        'housing.installment', "Agreement", readonly=True)
    account = fields.Many2One(
        'housing.account', "Personal Account", readonly=True)
    building = fields.Many2One('housing.building', "Building", readonly=True)
    total = fields.Numeric("Restructured Debt", digits=MONEY, readonly=True)
    date = fields.Date("Due Date", readonly=True)
    plan = fields.Numeric("Plan", digits=MONEY, readonly=True)
    fact = fields.Function(
        fields.Numeric("Fact", digits=MONEY), 'get_fact')
    overdue = fields.Function(
        fields.Numeric("Overdue", digits=MONEY,
            help="The part of an instalment due by the end of the report "
            "and not paid."),
        'get_fact')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('installment', 'ASC'), ('date', 'ASC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        pool = Pool()
        installment = pool.get('housing.installment').__table__()
        line = pool.get('housing.installment.line').__table__()
        account = pool.get('housing.account').__table__()
        premises = pool.get('housing.premises').__table__()
        _, end = cls.report_dates()
        where = ((installment.company == (cls.report_company() or -1))
            & (installment.date <= end) & (installment.state != 'draft'))
        for name, column in [
                ('buildings', premises.building), ('accounts', account.id)]:
            ids = cls.report_ids(name)
            if ids:
                where &= column.in_(ids)
        return (line
            .join(installment, condition=line.installment == installment.id)
            .join(account, condition=installment.account == account.id)
            .join(premises, condition=account.premises == premises.id)
            .select(
                line.id.as_('id'),
                installment.id.as_('installment'),
                installment.account.as_('account'),
                premises.building.as_('building'),
                installment.total.as_('total'),
                line.date.as_('date'),
                line.amount.as_('plan'),
                where=where))

    @classmethod
    def get_fact(cls, records, names):
        """The ledger's credits since each agreement, up to the end of the
        report, applied to its instalments by due date."""
        pool = Pool()
        Line = pool.get('housing.installment.line')
        _, end = cls.report_dates()
        result = {n: {} for n in names}
        agreements = {r.installment for r in records}
        for agreement in agreements:
            paid = ledger_paid(
                [agreement.account.id], agreement.date, end)[
                agreement.account.id]
            for line in Line.search(
                    [('installment', '=', agreement.id)],
                    order=[('date', 'ASC'), ('id', 'ASC')]):
                fact = min(paid, line.amount)
                paid -= fact
                if 'fact' in names:
                    result['fact'][line.id] = fact
                if 'overdue' in names:
                    result['overdue'][line.id] = (
                        line.amount - fact if line.date <= end
                        else Decimal(0))
        return {n: {r.id: v.get(r.id) for r in records}
            for n, v in result.items()}

