# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
from decimal import Decimal

from trytond.model import ModelSingleton, ModelSQL, ModelView, fields
from trytond.modules.company.model import (
    CompanyMultiValueMixin,
    CompanyValueMixin,
)
from trytond.pool import Pool
from trytond.pyson import Eval

# Ledger and penalty settings kept per company (housing.configuration.ledger)
LEDGER_FIELDS = {
    'payment_cash_account', 'payment_bank_account',
    'penalty_receivable_account', 'penalty_service',
    'capital_repair_penalty_receivable_account',
    'capital_repair_penalty_service', 'shift_due_date_to_workday',
    }


def _company_account(string, help):
    return fields.Many2One(
        'account.account', string, help=help,
        domain=[
            ('company', '=', Eval('company', -1)),
            ('type', '!=', None),
            ('closed', '!=', True),
            ])


class Configuration(
        ModelSingleton, ModelSQL, ModelView, CompanyMultiValueMixin):
    __name__ = 'housing.configuration'
    __string__ = "Housing Configuration"

    implausible_jump_factor = fields.Numeric(
        "Implausible Jump Factor", digits=(16, 2),
        domain=['OR',
            ('implausible_jump_factor', '=', None),
            ('implausible_jump_factor', '>', 0),
            ],
        help="A reading whose consumption exceeds this multiple of the "
        "meter's average is accepted but flagged for review. "
        "Leave empty to flag nothing.")
    reading_day_from = fields.Integer(
        "Readings Accepted From Day",
        domain=[('reading_day_from', '>=', 1), ('reading_day_from', '<=', 31)])
    reading_day_to = fields.Integer(
        "Readings Accepted To Day",
        domain=[('reading_day_to', '>=', 1),
            ('reading_day_to', '<=', 31)])
    annual_correction_month = fields.Integer(
        "Annual Correction Month",
        domain=[('annual_correction_month', '>=', 1),
            ('annual_correction_month', '<=', 3)],
        help="The month (1 to 3) of the next year whose accrual run "
        "corrects last year's heating billed evenly (Decree 354 p. 42(1)) "
        "and starts the twelve monthly parts of last year's common "
        "property recalculation (Decree 480).")

    accrual_journal = fields.Many2One(
        'account.journal', "Accrual Journal",
        domain=[('type', '=', 'revenue')],
        help="The journal the accrual runs are posted in.")
    payment_journal = fields.Many2One(
        'account.journal', "Payment Journal",
        domain=[('type', '=', 'cash')],
        help="The journal the manual payments are posted in.")
    payment_cash_account = fields.MultiValue(fields.Many2One(
            'account.account', "Cash Desk Account",
            domain=[
                ('company', '=', Eval('context', {}).get('company', -1)),
                ('type', '!=', None),
                ('closed', '!=', True),
                ],
            help="Debited by the payments taken at the cash desk."))
    payment_bank_account = fields.MultiValue(fields.Many2One(
            'account.account', "Bank Account",
            domain=[
                ('company', '=', Eval('context', {}).get('company', -1)),
                ('type', '!=', None),
                ('closed', '!=', True),
                ],
            help="Debited by the payments received by bank transfer."))
    penalty_receivable_account = fields.MultiValue(fields.Many2One(
            'account.account', "Penalty Receivable Account",
            domain=[
                ('company', '=', Eval('context', {}).get('company', -1)),
                ('type.receivable', '=', True),
                ('party_required', '=', True),
                ('closed', '!=', True),
                ],
            help="Debited by the penalties of the accrual runs, apart from "
            "the receivable of the services."))
    penalty_service = fields.MultiValue(fields.Many2One(
            'housing.service', "Penalty Service",
            domain=[
                ('company', '=', Eval('context', {}).get('company', -1)),
                ],
            help="The service of the penalty lines; its credit account "
            "receives the penalty revenue. Leave empty to charge no "
            "penalties."))
    capital_repair_penalty_receivable_account = fields.MultiValue(
        fields.Many2One(
            'account.account', "Capital Repair Penalty Receivable Account",
            domain=[
                ('company', '=', Eval('context', {}).get('company', -1)),
                ('type.receivable', '=', True),
                ('party_required', '=', True),
                ('closed', '!=', True),
                ],
            help="Debited by the penalties on capital repair contributions "
            "(Housing Code art. 155 p. 14.1); empty: the penalty "
            "receivable account."))
    capital_repair_penalty_service = fields.MultiValue(fields.Many2One(
            'housing.service', "Capital Repair Penalty Service",
            domain=[
                ('company', '=', Eval('context', {}).get('company', -1)),
                ],
            help="The service of the penalty lines on capital repair "
            "contributions; its credit account receives them (they belong "
            "to the capital repair fund, Housing Code art. 170 p. 1). "
            "Empty: the penalty service."))
    shift_due_date_to_workday = fields.MultiValue(fields.Boolean(
            "Shift Due Date to Working Day",
            help="A due date on a non-working day moves to the next "
            "working day (Civil Code art. 193)."))

    @classmethod
    def multivalue_model(cls, field):
        if field in LEDGER_FIELDS:
            return Pool().get('housing.configuration.ledger')
        return super().multivalue_model(field)

    @classmethod
    def default_shift_due_date_to_workday(cls, **pattern):
        return True

    @staticmethod
    def default_implausible_jump_factor():
        return Decimal(3)

    @staticmethod
    def default_reading_day_from():
        return 15

    @staticmethod
    def default_reading_day_to():
        return 25

    @staticmethod
    def default_annual_correction_month():
        return 1


class ConfigurationLedger(ModelSQL, CompanyValueMixin):
    __name__ = 'housing.configuration.ledger'
    __string__ = "Housing Configuration Ledger"

    payment_cash_account = _company_account(
        "Cash Desk Account",
        "Debited by the payments taken at the cash desk.")
    payment_bank_account = _company_account(
        "Bank Account",
        "Debited by the payments received by bank transfer.")
    penalty_receivable_account = fields.Many2One(
        'account.account', "Penalty Receivable Account",
        domain=[
            ('company', '=', Eval('company', -1)),
            ('type.receivable', '=', True),
            ('party_required', '=', True),
            ('closed', '!=', True),
            ])
    penalty_service = fields.Many2One(
        'housing.service', "Penalty Service",
        domain=[('company', '=', Eval('company', -1))])
    capital_repair_penalty_receivable_account = fields.Many2One(
        'account.account', "Capital Repair Penalty Receivable Account",
        domain=[
            ('company', '=', Eval('company', -1)),
            ('type.receivable', '=', True),
            ('party_required', '=', True),
            ('closed', '!=', True),
            ])
    capital_repair_penalty_service = fields.Many2One(
        'housing.service', "Capital Repair Penalty Service",
        domain=[('company', '=', Eval('company', -1))])
    shift_due_date_to_workday = fields.Boolean(
        "Shift Due Date to Working Day")

    @classmethod
    def default_shift_due_date_to_workday(cls):
        return True
