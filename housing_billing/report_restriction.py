# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""C4 Restriction candidates (reports.md; Decree 354 para. 117-119, 122).

A utility may be restricted when its debt exceeds two monthly payments
computed from the normative, whether or not a meter exists (para. 118),
the consumer has no installment agreement in force and does not dispute
the debt. Heating, and cold water in an apartment building, are never
restricted (para. 122).

«Долг по услуге»: the overdue principal of each billing period on the
report's day (B5's open periods: payments and advances applied), split
between the period's services in proportion to their charges, as B2 splits
payments. «Месячный размер платы»: the person normative in force (the
building's own, else the general one) × the residents registered on the
account (else the owners of the premises) × the tariff's price (the single
price, else the highest zone's); a utility without a person normative has
none, and is listed only among the excluded (the report cannot judge it)."""
import datetime as dt

from dateutil.relativedelta import relativedelta
from sql import Cast, Literal, Null
from sql.aggregate import Count, Max, Sum
from sql.conditionals import Case, Coalesce
from sql.functions import Round
from sql.operators import Greater
from trytond import backend
from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.transaction import Transaction

from .bulk import as_decimal
from .report_context import ReportContext, month_start
from .report_debt import (
    MONEY,
    DebtAgeing,
    ReportReadMixin,
    context_date,
    due_cutoffs,
    wide_id,
)

RESTRICTABLE = ('hot_water', 'electricity', 'gas', 'sewage')


class RestrictionContext(ReportContext):
    "Housing Restriction Report Context"
    __name__ = 'housing.report.restriction.context'
    __string__ = "Restriction Report Context"

    date = fields.Date(
        "As of",
        help="The day the debt is read on (default: the last day of the "
        "report's last month).")
    excluded = fields.Boolean(
        "Show Excluded",
        help="Also the debts of two months or less and the accounts with "
        "an installment agreement or an open dispute.")


class RestrictionCandidate(ReportReadMixin, ModelSQL, ModelView):
    "C4 Restriction Candidates"
    __name__ = 'housing.report.restriction_candidate'
    __string__ = "Restriction Candidates"

    account = fields.Many2One(
        'housing.account', "Personal Account", readonly=True)
    building = fields.Many2One('housing.building', "Building", readonly=True)
    service = fields.Many2One('housing.service', "Service", readonly=True)
    persons = fields.Integer(
        "Persons", readonly=True,
        help="The residents registered on the account (else the owners).")
    normative = fields.Numeric(
        "Normative", digits=(16, 6), readonly=True,
        help="Per person and month.")
    price = fields.Numeric("Tariff", digits=(16, 4), readonly=True)
    monthly = fields.Numeric(
        "Monthly Payment (Normative)", digits=MONEY, readonly=True)
    debt = fields.Numeric("Service Debt", digits=MONEY, readonly=True)
    multiple = fields.Numeric(
        "Multiple", digits=MONEY, readonly=True,
        help="The debt in monthly payments.")
    installment = fields.Many2One(
        'housing.installment', "Installment Agreement", readonly=True)
    dispute = fields.Many2One('housing.dispute', "Dispute", readonly=True)
    candidate = fields.Boolean("Candidate", readonly=True)
    notice = fields.Many2One(
        'housing.debt.notice', "Notice", readonly=True,
        help="The last restriction warning sent by the report's day.")
    notice_date = fields.Function(
        fields.Date("Notice Date"), 'get_notice')
    restriction_date = fields.Function(
        fields.Date("Possible Restriction"), 'get_notice')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('multiple', 'DESC'), ('account', 'ASC'),
            ('service', 'ASC'), ('id', 'ASC')]

    @classmethod
    def read(cls, ids, fields_names):
        # The normative and the price keep their digits: ReportReadMixin
        # would round them as money.
        exact = {'normative', 'price'} & set(fields_names)
        rows = super().read(ids, [n for n in fields_names if n not in exact])
        if exact:
            values = {r['id']: r for r in super(ReportReadMixin, cls).read(
                    ids, list(exact))}
            for row in rows:
                for name in exact:
                    value = values[row['id']][name]
                    row[name] = (
                        as_decimal(value) if value is not None else None)
        return rows

    @classmethod
    def service_debts(cls, company, date):
        "(account, service, debt): the overdue principal by utility."
        pool = Pool()
        charge = pool.get('housing.charge').__table__()
        run = pool.get('housing.accrual.run').__table__()
        service = pool.get('housing.service').__table__()
        # The runs whose moves (dated the last day of their month) are in,
        # as in B5.
        last_period = month_start(date + dt.timedelta(days=1)
            ) - relativedelta(months=1)
        opened = DebtAgeing.open_periods(company, date)
        overdue = due_cutoffs(company, date)[0]
        charged = ((run.company == company) & (run.state == 'posted')
            & (charge.kind != 'penalty') & (run.period <= last_period))
        by_service = charge.join(run, condition=charge.run == run.id).select(
            charge.account, charge.period, charge.service,
            Sum(charge.amount).as_('amount'),
            where=charged,
            group_by=[charge.account, charge.period, charge.service])
        by_period = charge.join(run, condition=charge.run == run.id).select(
            charge.account, charge.period, Sum(charge.amount).as_('amount'),
            where=charged,
            group_by=[charge.account, charge.period])
        divisor = by_period.amount
        if backend.name == 'sqlite':
            # SQLite keeps whole kopeck-less sums as integers, and divides
            # integers as integers.
            divisor = Cast(divisor, 'REAL')
        return (opened
            .join(by_period, condition=(opened.account == by_period.account)
                & (opened.period == by_period.period))
            .join(by_service,
                condition=(opened.account == by_service.account)
                & (opened.period == by_service.period))
            .join(service, condition=by_service.service == service.id)
            .select(
                opened.account.as_('account'),
                by_service.service.as_('service'),
                Sum(opened.amount * by_service.amount / divisor
                    ).as_('debt'),
                where=(opened.period < overdue) & (opened.amount > 0)
                & (by_period.amount != 0)
                & (service.kind == 'utility')
                & service.resource.in_(list(RESTRICTABLE)),
                group_by=[opened.account, by_service.service]))

    @classmethod
    def table_query(cls):
        pool = Pool()
        account = pool.get('housing.account').__table__()
        premises = pool.get('housing.premises').__table__()
        resident = pool.get('housing.resident').__table__()
        owner = pool.get('housing.owner').__table__()
        installment = pool.get('housing.installment').__table__()
        dispute = pool.get('housing.dispute').__table__()
        notice = pool.get('housing.debt.notice').__table__()
        company = cls.report_company() or -1
        date = context_date(cls)
        debts = cls.service_debts(company, date)

        def in_force(table, start, end):
            return ((getattr(table, start) <= date)
                & ((getattr(table, end) == Null)
                    | (getattr(table, end) >= date)))
        residents = resident.select(Count(resident.id),
            where=(resident.account == account.id)
            & in_force(resident, 'registered_from', 'registered_to'))
        owners = owner.select(Count(owner.id),
            where=(owner.premises == premises.id)
            & in_force(owner, 'date_from', 'date_to'))
        persons = Case((Greater(residents, 0), residents), else_=owners)
        normative = Coalesce(
            cls.normative_query(debts.service, premises.building, date),
            cls.normative_query(debts.service, None, date))
        price = Coalesce(
            cls.price_query(debts.service, 'premises', premises.id, date),
            cls.price_query(
                debts.service, 'building', premises.building, date),
            cls.price_query(debts.service, None, None, date))
        agreement = installment.select(Max(installment.id),
            where=(installment.account == account.id)
            & (installment.state == 'active') & (installment.date <= date))
        disputed = dispute.select(Max(dispute.id),
            where=(dispute.account == account.id)
            & ((dispute.service == debts.service) | (dispute.service == Null))
            & (dispute.opened <= date)
            & ((dispute.closed == Null) | (dispute.closed > date)))
        warned = notice.select(notice.id,
            where=(notice.account == account.id)
            & (notice.kind == 'restriction')
            & ((notice.service == debts.service) | (notice.service == Null))
            & (notice.date <= date),
            order_by=[notice.date.desc, notice.id.desc], limit=1)
        rows = debts.join(account, condition=debts.account == account.id
            ).join(premises, condition=account.premises == premises.id
            ).select(
                debts.account, premises.building, debts.service,
                persons.as_('persons'), normative.as_('normative'),
                price.as_('price'), debts.debt,
                agreement.as_('installment'), disputed.as_('dispute'),
                warned.as_('notice'),
                where=cls.account_filter(account, premises))
        service_ids = cls.report_ids('services')
        if service_ids:
            rows.where &= debts.service.in_(service_ids)
        monthly = Round(rows.normative * rows.persons * rows.price, 2)
        candidate = ((rows.installment == Null) & (rows.dispute == Null)
            & (monthly > 0) & (rows.debt > monthly * 2))
        where = rows.debt > 0
        if not Transaction().context.get('excluded'):
            where &= candidate
        return rows.select(
            wide_id(rows.account, 100000, rows.service).as_('id'),
            rows.account, rows.building, rows.service, rows.persons,
            rows.normative, rows.price, monthly.as_('monthly'), rows.debt,
            Case((monthly > 0, rows.debt / monthly),
                else_=Null).as_('multiple'),
            rows.installment, rows.dispute,
            Case((candidate, Literal(True)),
                else_=Literal(False)).as_('candidate'),
            rows.notice,
            where=where)

    @classmethod
    def normative_query(cls, service, building, date):
        "The person normative of service in force on date for building."
        normative = Pool().get('housing.normative').__table__()
        where = ((normative.service == service)
            & (normative.kind == 'person') & (normative.date_from <= date)
            & ((normative.date_to == Null) | (normative.date_to >= date)))
        if building is None:
            where &= normative.building == Null
        else:
            where &= normative.building == building
        return normative.select(normative.value, where=where,
            order_by=[normative.date_from.desc], limit=1)

    @classmethod
    def price_query(cls, service, level, target, date):
        """The price of the tariff of service on date at level (premises,
        building, None: the company's): the single price, else the
        highest."""
        pool = Pool()
        tariff = pool.get('housing.tariff').__table__()
        rate = pool.get('housing.tariff.rate').__table__()
        where = ((tariff.service == service) & (tariff.date_from <= date)
            & ((tariff.date_to == Null) | (tariff.date_to >= date)))
        if level == 'premises':
            where &= tariff.premises == target
        elif level == 'building':
            where &= (tariff.premises == Null) & (tariff.building == target)
        else:
            where &= (tariff.premises == Null) & (tariff.building == Null)
        in_force = tariff.select(tariff.id, where=where,
            order_by=[tariff.date_from.desc], limit=1)
        single = rate.select(rate.price,
            where=(rate.tariff == in_force) & (rate.zone == Null),
            order_by=[Coalesce(rate.threshold, 0).asc], limit=1)
        highest = rate.select(Max(rate.price),
            where=(rate.tariff == in_force) & (rate.zone != 'heat'))
        return Coalesce(single, highest)

    @classmethod
    def get_notice(cls, records, names):
        result = {n: {} for n in names}
        for record in records:
            notice = record.notice
            if 'notice_date' in result:
                result['notice_date'][record.id] = (
                    notice.date if notice else None)
            if 'restriction_date' in result:
                result['restriction_date'][record.id] = (
                    notice.restriction_date if notice else None)
        return result
