# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
from decimal import Decimal

from trytond.model import ModelSingleton, ModelSQL, ModelView, fields


class Configuration(ModelSingleton, ModelSQL, ModelView):
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

    accrual_journal = fields.Many2One(
        'account.journal', "Accrual Journal",
        domain=[('type', '=', 'revenue')],
        help="The journal the accrual runs are posted in.")

    @staticmethod
    def default_implausible_jump_factor():
        return Decimal(3)

    @staticmethod
    def default_reading_day_from():
        return 15

    @staticmethod
    def default_reading_day_to():
        return 25
