# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
from trytond.model import Index, ModelSQL, ModelView, Unique, fields
from trytond.pyson import Eval, If
from trytond.transaction import Transaction

from .dated import AreasMixin, check_dates, in_force

AREA_DIGITS = (16, 2)


class Building(AreasMixin, ModelSQL, ModelView):
    __name__ = 'housing.building'
    __string__ = "Building"
    _history = True
    _rec_name = 'address'

    company = fields.Many2One(
        'company.company', "Company", required=True)
    address = fields.Char("Address", required=True)
    fias_code = fields.Char(
        "FIAS Code", size=36,
        help="The house's ФИАС / ГАР identifier (GUID).")
    gis_code = fields.Char(
        "GIS Housing Code",
        help="The house's code in ГИС ЖКХ.")
    year_built = fields.Integer("Year Built")
    floors = fields.Integer("Floors")
    entrances = fields.Integer("Entrances")
    management_start = fields.Date("Management Start", required=True)
    management_end = fields.Date(
        "Management End",
        domain=[If(Eval('management_end') & Eval('management_start'),
                ('management_end', '>=', Eval('management_start')), ())])
    areas = fields.One2Many(
        'housing.building.area', 'building', "Areas",
        help="The areas of the building, each in force from its date.")
    total_area = fields.Function(
        fields.Numeric("Total Area", digits=AREA_DIGITS), 'get_area')
    residential_area = fields.Function(
        fields.Numeric("Residential Area", digits=AREA_DIGITS), 'get_area')
    non_residential_area = fields.Function(
        fields.Numeric("Non-Residential Area", digits=AREA_DIGITS),
        'get_area')
    common_area = fields.Function(
        fields.Numeric("Common Property Area", digits=AREA_DIGITS),
        'get_area')
    premises = fields.One2Many('housing.premises', 'building', "Premises")
    meters = fields.One2Many(
        'housing.meter', 'building', "Meters",
        filter=[('kind', 'in', ['common_house', 'group'])])

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('address', 'ASC'))
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.company, Index.Equality())))

    @staticmethod
    def default_company():
        return Transaction().context.get('company')


    def is_managed(self, date):
        return in_force(
            self, date, start='management_start', end='management_end')

    @classmethod
    def validate(cls, buildings):
        super().validate(buildings)
        for building in buildings:
            check_dates(
                building, 'housing_billing.msg_management_dates',
                start='management_start', end='management_end')


class BuildingArea(ModelSQL, ModelView):
    __name__ = 'housing.building.area'
    __string__ = "Building Areas"
    _history = True

    building = fields.Many2One(
        'housing.building', "Building", required=True, ondelete='CASCADE')
    date_from = fields.Date("From", required=True)
    total_area = fields.Numeric(
        "Total Area", digits=AREA_DIGITS, required=True,
        domain=[('total_area', '>=', 0)],
        help="S_об: all residential and non-residential premises, "
        "common areas excluded, as in the ЕГРН.")
    residential_area = fields.Numeric(
        "Residential Area", digits=AREA_DIGITS, required=True,
        domain=[('residential_area', '>=', 0)])
    non_residential_area = fields.Numeric(
        "Non-Residential Area", digits=AREA_DIGITS, required=True,
        domain=[('non_residential_area', '>=', 0)])
    common_area = fields.Numeric(
        "Common Property Area", digits=AREA_DIGITS, required=True,
        domain=[('common_area', '>=', 0)],
        help="S_ои: premises in common property.")
    document = fields.Char("Document")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('building_date_unique', Unique(t, t.building, t.date_from),
                'housing_billing.msg_area_date_unique'),
            ]
        cls._order.insert(0, ('date_from', 'DESC'))

    def get_rec_name(self, name):
        return '%s @ %s' % (self.building.rec_name, self.date_from)
