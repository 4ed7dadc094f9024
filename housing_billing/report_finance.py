# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""Reports of finance and ledger (reports.md, G1, G2) and the annual report
per building (H2), from the posted ledger and the posted charges as the
reports of group B (report_debt)."""
from sql import Cast, Literal, Null, Union
from sql.aggregate import Min, Sum
from sql.conditionals import Case, Coalesce
from sql.operators import Like
from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool

from .penalty import (
    CAPITAL_REPAIR,
    HOUSING,
    METHODS,
    penalty_receivable_by_base,
)
from .report_debt import (
    LEDGER,
    PAID,
    RECALCULATION,
    ReportReadMixin,
    _money,
    events,
    penalty_account_ids,
    split_payments,
    wide_id,
)

ACCRUED = ('charge',) + RECALCULATION


class LedgerReconciliation(ReportReadMixin, ModelSQL, ModelView):
    """G1 Sub-ledger to Ledger Reconciliation

    Settlements with residents: the posted charges less the posted
    payments against the balance of the receivable accounts the personal
    accounts are on (every line, with a personal account or not);
    penalties against the penalty receivable account; each credit account
    of the services (revenue, supplier liability): the charges of the
    months against the credit turnover of the accrual moves."""
    __name__ = 'housing.report.ledger_reconciliation'
    __string__ = "Sub-ledger to Ledger Reconciliation"

    kind = fields.Selection([
            ('receivable', "Settlements with Residents"),
            ('penalty', "Penalties Receivable"),
            ('credit', "Accrued Revenue and Liabilities"),
            ], "Kind", readonly=True)
    ledger_account = fields.Many2One(
        'account.account', "Ledger Account", readonly=True)
    billing = _money("By Billing")
    ledger = _money("By Ledger")
    difference = _money("Difference")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('id', 'ASC')]

    @classmethod
    def credit_accounts(cls):
        "{service id: the ledger account its charges are credited to}"
        pool = Pool()
        Service = pool.get('housing.service')
        Run = pool.get('housing.accrual.run')
        from .accrual import CreditSum
        result = {}
        for service in Service.search(
                [('company', '=', cls.report_company())]):
            try:
                account, _ = Run().credit_key(CreditSum(service, None, 0))
            except Exception:
                continue
            if account:
                result[service.id] = account.id
        return result

    @classmethod
    def table_query(cls):
        pool = Pool()
        line = pool.get('account.move.line').__table__()
        move = pool.get('account.move').__table__()
        charge = pool.get('housing.charge').__table__()
        run = pool.get('housing.accrual.run').__table__()
        payment = pool.get('housing.payment').__table__()
        company = cls.report_company()
        date_from, date_to = cls.report_dates()
        period_from, period_to = cls.report_periods()
        penalties = penalty_account_ids(company)
        by_base = penalty_receivable_by_base(company)
        penalty = Case(
            (charge.method == METHODS[CAPITAL_REPAIR],
                Literal(by_base[CAPITAL_REPAIR] or -1)),
            else_=Literal(by_base[HOUSING] or -1))
        zero = Literal(0)
        # typed: PostgreSQL resolves the types of a UNION pair by pair
        no_account = Cast(Literal(None), 'INTEGER')
        posted = (move.company == company) & (move.state == 'posted') & (
            move.date <= date_to)
        receivables = line.join(move, condition=line.move == move.id
            ).select(line.account,
                where=posted & (line.housing_account != Null)
                & ~line.account.in_(penalties))
        charges = charge.join(run, condition=charge.run == run.id).select(
            charge.service, charge.kind, charge.period, charge.amount,
            penalty.as_('penalty_account'),
            where=(run.company == company) & (run.state == 'posted')
            & (charge.period <= period_to))
        rows = [
            # the billing side
            charges.select(
                Literal('receivable').as_('kind'),
                no_account.as_('account'),
                charges.amount.as_('billing'), zero.as_('ledger'),
                where=charges.kind != 'penalty'),
            payment.select(
                Literal('receivable').as_('kind'), no_account,
                -payment.amount, zero,
                where=(payment.company == company)
                & (payment.state == 'posted') & (payment.date <= date_to)),
            charges.select(
                Literal('penalty').as_('kind'), charges.penalty_account,
                charges.amount, zero,
                where=charges.kind == 'penalty'),
            # the ledger side
            line.join(move, condition=line.move == move.id).select(
                Literal('receivable').as_('kind'), no_account, zero,
                line.debit - line.credit,
                where=posted & line.account.in_(receivables)),
            line.join(move, condition=line.move == move.id).select(
                Literal('penalty').as_('kind'), line.account, zero,
                line.debit - line.credit,
                where=posted & line.account.in_(penalties)),
            ]
        credit_accounts = cls.credit_accounts()
        if credit_accounts:
            mapped = Case(*[(charges.service == s, a)
                    for s, a in credit_accounts.items()], else_=Null)
            rows.append(charges.select(
                    Literal('credit').as_('kind'), mapped, charges.amount,
                    zero,
                    where=(charges.period >= period_from)))
            rows.append(line.join(move, condition=line.move == move.id
                ).select(
                    Literal('credit').as_('kind'), line.account, zero,
                    line.credit - line.debit,
                    where=posted & (move.date >= date_from)
                    & Like(Coalesce(move.origin, ''),
                        'housing.accrual.run,%')
                    & line.account.in_(list(set(credit_accounts.values())))))
        union = Union(*rows, all_=True)
        order = Case((union.kind == 'receivable', 1),
            (union.kind == 'penalty', 2), else_=3)
        sub = union.select(
            union.kind, union.account, Min(order).as_('order'),
            Sum(union.billing).as_('billing'), Sum(union.ledger).as_('ledger'),
            group_by=[union.kind, union.account])
        return sub.select(
            wide_id(Coalesce(sub.account, 0), 10, sub.order).as_('id'),
            sub.kind, sub.account.as_('ledger_account'),
            sub.billing, sub.ledger,
            (sub.billing - sub.ledger).as_('difference'))


class SupplierSettlement(ReportReadMixin, ModelSQL, ModelView):
    """G2 Supplier Settlement (agent report)

    The charges of the supplier's services to the residents, what the
    residents paid for them (the payments allocated to a billing period
    split between its services in proportion to their charges) and the
    supplier's payable in the ledger: the accrual credits it and the
    transfers to the supplier debit it."""
    __name__ = 'housing.report.supplier_settlement'
    __string__ = "Supplier Settlement (Agent Report)"

    supplier = fields.Many2One('party.party', "Supplier", readonly=True)
    opening = _money(
        "Opening Debt to Supplier",
        help="The supplier's payable balance before the period.")
    accrued = _money("Accrued to Residents")
    recalculated = _money("Recalculated")
    collected = _money("Collected")
    transferred = _money("Transferred")
    closing = _money("Closing Debt to Supplier")
    uncollected = _money(
        "Not Collected",
        help="Accrued and recalculated less collected in the period.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('supplier', 'ASC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        pool = Pool()
        service = pool.get('housing.service').__table__()
        line = pool.get('account.move.line').__table__()
        move = pool.get('account.move').__table__()
        account = pool.get('account.account').__table__()
        type_ = pool.get('account.account.type').__table__()
        company = cls.report_company()
        date_from, date_to = cls.report_dates()
        zero = Literal(0)
        ev = Union(events(company, date_to),
            split_payments(company, date_to, date_from), all_=True)
        in_period = ev.date >= date_from
        where = (service.company == company) & (service.supplier != Null)
        supplier = cls.report_supplier()
        if supplier:
            where &= service.supplier == supplier
        service_ids = cls.report_ids('services')
        if service_ids:
            where &= service.id.in_(service_ids)

        def total(condition, sign=1):
            return Case((condition, ev.amount * sign), else_=zero)
        billing = ev.join(service, condition=ev.service == service.id
            ).select(
                service.supplier,
                zero.as_('opening'),
                total((ev.src == 'charge') & in_period).as_('accrued'),
                total(ev.src.in_(RECALCULATION) & in_period
                    ).as_('recalculated'),
                total(ev.src == 'paid', -1).as_('collected'),
                zero.as_('transferred'), zero.as_('closing'),
                where=where)
        suppliers = service.select(service.supplier, where=where)
        is_run = Like(Coalesce(move.origin, ''), 'housing.accrual.run,%')
        balance = line.credit - line.debit
        ledger = line.join(move, condition=line.move == move.id
            ).join(account, condition=line.account == account.id
            ).join(type_, condition=account.type == type_.id
            ).select(
                line.party.as_('supplier'),
                Case((move.date < date_from, balance), else_=zero),
                zero, zero, zero,
                Case(((move.date >= date_from) & ~is_run, -balance),
                    else_=zero),
                balance,
                where=(move.company == company) & (move.state == 'posted')
                & (move.date <= date_to) & (type_.payable == Literal(True))
                & line.party.in_(suppliers))
        rows = Union(billing, ledger, all_=True)
        names = ['opening', 'accrued', 'recalculated', 'collected',
            'transferred', 'closing']
        sub = rows.select(rows.supplier,
            *[Sum(getattr(rows, n)).as_(n) for n in names],
            group_by=[rows.supplier])
        return sub.select(
            sub.supplier.as_('id'), sub.supplier,
            *[getattr(sub, n) for n in names],
            (sub.accrued + sub.recalculated - sub.collected
                ).as_('uncollected'))


class BuildingAnnual(ReportReadMixin, ModelSQL, ModelView):
    """H2 Annual Report per Building

    The owners' money of each building over the report's months: the
    debt (advance negative) at the start, the charges by kind of service,
    the penalties, the payments and the debt at the end; the closing is
    opening + accrued + penalties − received."""
    __name__ = 'housing.report.building_annual'
    __string__ = "Annual Report per Building"

    building = fields.Many2One('housing.building', "Building", readonly=True)
    opening = _money("Opening Debt")
    accrued_maintenance = _money("Accrued: Maintenance")
    accrued_utilities = _money("Accrued: Utilities")
    accrued_capital_repair = _money("Accrued: Capital Repair")
    accrued_other = _money("Accrued: Other")
    penalty = _money("Penalty")
    received = _money("Received")
    closing = _money("Closing Debt")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('building', 'ASC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        pool = Pool()
        account = pool.get('housing.account').__table__()
        premises = pool.get('housing.premises').__table__()
        service = pool.get('housing.service').__table__()
        company = cls.report_company()
        date_from, date_to = cls.report_dates()
        ev = events(company, date_to)
        in_period = ev.date >= date_from
        accrued = ev.src.in_(ACCRUED) & in_period
        zero = Literal(0)

        def total(condition, sign=1):
            return Sum(Case((condition, ev.amount * sign), else_=zero))
        kinds = {
            'maintenance': ['maintenance'],
            'utilities': ['utility', 'agent'],
            'capital_repair': ['capital_repair'],
            }
        other = [k for ks in kinds.values() for k in ks]
        where = cls.account_filter(account, premises)
        sub = ev.join(account, condition=ev.account == account.id
            ).join(premises, condition=account.premises == premises.id
            ).join(service, 'LEFT', condition=ev.service == service.id
            ).select(
                premises.building,
                total(ev.src.in_(LEDGER) & (ev.date < date_from)
                    ).as_('opening'),
                *[total(accrued & service.kind.in_(v)).as_('accrued_' + k)
                    for k, v in kinds.items()],
                total(accrued & ~service.kind.in_(other)
                    ).as_('accrued_other'),
                total((ev.src == 'penalty') & in_period).as_('penalty'),
                total(ev.src.in_(PAID) & in_period, -1).as_('received'),
                where=where, group_by=[premises.building])
        return sub.select(
            sub.building.as_('id'), sub.building, sub.opening,
            sub.accrued_maintenance, sub.accrued_utilities,
            sub.accrued_capital_repair, sub.accrued_other, sub.penalty,
            sub.received,
            (sub.opening + sub.accrued_maintenance + sub.accrued_utilities
                + sub.accrued_capital_repair + sub.accrued_other
                + sub.penalty - sub.received).as_('closing'))
