# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""The dated calculation methods of a building (domain spec §1.8, §1.9):
the heating mode (Decree 354 p. 42(1)) and the method of the utility
resources for common property (Rules 491 p. 29(2)-29(3))."""
from typing import NamedTuple

from trytond.model import ModelSQL, ModelView, Unique, fields
from trytond.pool import Pool
from trytond.transaction import Transaction

from .dated import effective

HEATING_MODES = [
    ('season', "In the Heating Season"),
    ('even', "Evenly over the Year"),
    ]
SOI_METHODS = [
    ('normative_annual_recalc', "By Normative, Recalculated Yearly"),
    ('average_annual_recalc', "By Last Year's Average, Recalculated Yearly"),
    ('monthly_actual', "Monthly by the Common-House Meter"),
    ]
DEFAULT_HEATING_MODE = 'season'
DEFAULT_SOI_METHOD = 'normative_annual_recalc'


class BuildingMethod(ModelSQL, ModelView):
    __name__ = 'housing.building.method'
    __string__ = "Building Calculation Method"
    _history = True

    building = fields.Many2One(
        'housing.building', "Building", required=True, ondelete='CASCADE')
    date_from = fields.Date("From", required=True)
    heating_mode = fields.Selection(
        HEATING_MODES, "Heating Mode", required=True)
    soi_method = fields.Selection(
        SOI_METHODS, "Common Property Method", required=True)
    document = fields.Char(
        "Document", help="The decision of the region or of the owners' "
        "general meeting.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('building_date_unique', Unique(t, t.building, t.date_from),
                'housing_billing.msg_building_method_date_unique'),
            ]
        cls._order.insert(0, ('date_from', 'DESC'))

    @staticmethod
    def default_heating_mode():
        return DEFAULT_HEATING_MODE

    @staticmethod
    def default_soi_method():
        return DEFAULT_SOI_METHOD

    def get_rec_name(self, name):
        return '%s @ %s' % (self.building.rec_name, self.date_from)


def method_at(building, date):
    "The building's method record in force on date, or None."
    return effective(building.methods, date)


class MethodAt(NamedTuple):
    "What the kernel uses of a building's method record"
    heating_mode: str
    soi_method: str


def sql_method_at(building, date):
    """method_at read with one query (the latest record from date or
    before, (building, date from) being unique) rather than through the
    building's methods."""
    method = Pool().get('housing.building.method').__table__()
    cursor = Transaction().connection.cursor()
    cursor.execute(*method.select(
            method.heating_mode, method.soi_method,
            where=(method.building == building.id)
            & (method.date_from <= date),
            order_by=[method.date_from.desc], limit=1))
    row = cursor.fetchone()
    return MethodAt(*row) if row else None
