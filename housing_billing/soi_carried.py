# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""Negative КР на СОИ carried to the next period (domain spec §1.9, policy
``soi_negative = carry_forward``): the amount of each account decided by a
month's run, billed by the run of the next month once the first is
posted."""
import datetime as dt
from decimal import Decimal

from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.transaction import Transaction, without_check_access

from .engine import snapshot as engine
from .engine.lines import Reason
from .engine.periods import Period

AMOUNT_DIGITS = (16, 2)
QUANTITY_DIGITS = (16, 6)
QUANTUM = Decimal('0.000001')


class SoiCarried(ModelSQL, ModelView):
    __name__ = 'housing.soi.carried'
    __string__ = "Carried Common Property Amount"

    run = fields.Many2One(
        'housing.accrual.run', "Run", required=True, readonly=True,
        ondelete='CASCADE')
    account = fields.Many2One(
        'housing.account', "Account", required=True, readonly=True,
        ondelete='CASCADE')
    building = fields.Many2One(
        'housing.building', "Building", required=True, readonly=True,
        ondelete='CASCADE')
    service = fields.Many2One(
        'housing.service', "Service", required=True, readonly=True,
        ondelete='RESTRICT')
    period = fields.Date(
        "Period", required=True, readonly=True,
        help="The month whose negative balance is carried.")
    quantity = fields.Numeric(
        "Quantity", digits=QUANTITY_DIGITS, required=True, readonly=True)
    unit = fields.Char("Unit", readonly=True)
    amount = fields.Numeric(
        "Amount", digits=AMOUNT_DIGITS, required=True, readonly=True)
    reason = fields.Char("Reason", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.run, Index.Equality()),
                    (t.building, Index.Equality())),
                Index(t, (t.account, Index.Equality()),
                    (t.period, Index.Range())),
                })

    @classmethod
    def store(cls, run, account, amounts):
        "Keep the CarriedAmounts the run decided for account."
        services = {s.code: s.id for s in company_services(run)} if (
            amounts) else {}
        with without_check_access():
            cls.create([{
                        'run': run.id, 'account': account.id,
                        'building': account.premises.building.id,
                        'service': services[a.service],
                        'period': a.from_period.start,
                        'quantity': a.quantity.quantize(QUANTUM),
                        'unit': a.unit,
                        'amount': a.amount, 'reason': a.reason,
                        } for a in amounts])

    @classmethod
    def carried_accounts(cls, period):
        """The ids of the personal accounts with an amount carried from the
        month before period, whatever the run's state: one query for a
        task's buildings, so that to_bill searches only those accounts."""
        previous = period.start - dt.timedelta(days=1)
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.select(table.account,
                where=table.period == previous.replace(day=1),
                group_by=[table.account]))
        return {a for a, in cursor}

    @classmethod
    def to_bill(cls, accounts, period):
        """{account id: (CarriedAmount, ...)} decided for the month before
        period by posted runs."""
        previous = period.start - dt.timedelta(days=1)
        with without_check_access():
            records = cls.search([
                    ('account', 'in', [a.id for a in accounts]),
                    ('period', '=', previous.replace(day=1)),
                    ('reason', '!=', Reason.SOI_ANNUAL),
                    ('run.state', '=', 'posted'),
                    ], order=[('id', 'ASC')])
        result = {}
        for record in records:
            result.setdefault(record.account.id, []).append(
                engine.CarriedAmount(
                    service=record.service.code, amount=record.amount,
                    from_period=Period(previous.year, previous.month),
                    reason=record.reason, quantity=record.quantity,
                    unit=record.unit or 'm3'))
        return {k: tuple(v) for k, v in result.items()}


def company_services(run):
    return Pool().get('housing.service').search([
            ('company', '=', run.company.id),
            ('active', 'in', [True, False]),
            ])
