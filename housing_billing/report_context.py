# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""The standard filters of the housing reports (docs: reports.md, «Std»).

A report is a ``ModelSQL`` with a ``table_query`` (or a ``ModelView``
computed from the database) opened with ``context_model`` set to
``housing.report.context``; ``ReportFilterMixin`` turns the context into
the period bounds and the ids to filter on.
"""
import datetime

from dateutil.relativedelta import relativedelta
from trytond.model import ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.transaction import Transaction


def month_start(date):
    return date.replace(day=1) if date else None


class ReportContext(ModelView):
    "Housing Report Context"
    __name__ = 'housing.report.context'

    company = fields.Many2One('company.company', "Company", required=True)
    period_from = fields.Date(
        "From Period", required=True,
        domain=[If(Eval('period_to'),
                ('period_from', '<=', Eval('period_to')), ())],
        help="The first month of the report (its first day).")
    period_to = fields.Date(
        "To Period", required=True,
        domain=[If(Eval('period_from'),
                ('period_to', '>=', Eval('period_from')), ())],
        help="The last month of the report (its first day).")
    buildings = fields.Many2Many(
        'housing.building', None, None, "Buildings",
        domain=[('company', '=', Eval('company', -1))])
    accounts = fields.Many2Many(
        'housing.account', None, None, "Personal Accounts",
        domain=[('company', '=', Eval('company', -1))])
    services = fields.Many2Many(
        'housing.service', None, None, "Services")
    supplier = fields.Many2One(
        'party.party', "Supplier",
        context={'company': Eval('company', -1)}, depends={'company'})

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_period_from(cls):
        return cls.default_period_to()

    @classmethod
    def default_period_to(cls):
        "The previous month: the one an accountant closes"
        today = Pool().get('ir.date').today()
        return month_start(today) - relativedelta(months=1)

    @fields.depends('period_from', 'period_to')
    def on_change_period_from(self):
        self.period_from = month_start(self.period_from)
        if self.period_from and (
                not self.period_to or self.period_to < self.period_from):
            self.period_to = self.period_from

    @fields.depends('period_to')
    def on_change_period_to(self):
        self.period_to = month_start(self.period_to)


class ReportFilterMixin:
    "What a report reads of housing.report.context"
    __slots__ = ()

    @classmethod
    def report_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def report_periods(cls):
        """The first days of the first and the last month of the report
        (both the previous month when the context has none)"""
        context = Transaction().context
        period_to = month_start(context.get('period_to'))
        if not period_to:
            period_to = ReportContext.default_period_to()
        period_from = month_start(context.get('period_from')) or period_to
        return period_from, period_to

    @classmethod
    def report_dates(cls):
        "The first and the last day the report covers"
        period_from, period_to = cls.report_periods()
        return period_from, (
            period_to + relativedelta(months=1) - datetime.timedelta(days=1))

    @classmethod
    def report_ids(cls, name):
        """The ids the context names in ``name`` (buildings, accounts,
        services), or None: no filter"""
        ids = Transaction().context.get(name)
        return list(ids) if ids else None

    @classmethod
    def report_supplier(cls):
        return Transaction().context.get('supplier')
