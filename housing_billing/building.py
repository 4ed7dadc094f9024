# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
from trytond.model import Index, ModelSQL, ModelView, Unique, fields
from trytond.pyson import Eval, If
from trytond.transaction import Transaction

from .dated import AreasMixin, check_dates, in_force

AREA_DIGITS = (16, 2)
MONTHS = [(m, str(m)) for m in range(1, 13)]
SOI_NEGATIVE = [
    ('carry_forward', "Carry to the Next Period"),
    ('zero', "Zero"),
    ('distribute', "Distribute as a Credit"),
    ]
HEAT_SOURCES = [
    ('normative', "Normative"),
    ('metered', "Common-House Heat Meter"),
    ]


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
    region = fields.Many2One(
        'country.subdivision', "Region",
        help="The subject of the Russian Federation whose laws apply, "
        "such as the due day of capital repair contributions.")
    capital_repair_payee = fields.Many2One(
        'party.party', "Capital Repair Payee",
        context={'company': Eval('company', -1)}, depends={'company'},
        help="The regional operator, or the owner of the building's "
        "special account, the capital repair contributions are paid to.")
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
    methods = fields.One2Many(
        'housing.building.method', 'building', "Calculation Methods",
        help="The heating mode and the common property method, "
        "each in force from its date.")
    heating_season_start = fields.Integer(
        "Heating Season Start", required=True,
        domain=[('heating_season_start', '>=', 1),
            ('heating_season_start', '<=', 12)],
        help="The first month of the heating season (1-12).")
    heating_season_end = fields.Integer(
        "Heating Season End", required=True,
        domain=[('heating_season_end', '>=', 1),
            ('heating_season_end', '<=', 12)],
        help="The last month of the heating season (1-12).")
    soi_cap_by_normative = fields.Boolean(
        "Cap Common Property by Normative",
        help="Bill at most the common property normative; the excess is "
        "borne by the management (Decree 354 p. 44).")
    soi_negative = fields.Selection(
        SOI_NEGATIVE, "Negative Common Property Volume", required=True,
        help="What to do when the common-house meter shows less than "
        "the premises.")
    hot_water_heat_source = fields.Selection(
        HEAT_SOURCES, "Heat for Hot Water", required=True,
        help="Where the heat per m³ of the two-component hot water "
        "tariff comes from.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('address', 'ASC'))
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.company, Index.Equality())))

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_heating_season_start():
        return 10

    @staticmethod
    def default_heating_season_end():
        return 5

    @staticmethod
    def default_soi_cap_by_normative():
        return True

    @staticmethod
    def default_soi_negative():
        return 'carry_forward'

    @staticmethod
    def default_hot_water_heat_source():
        return 'normative'

    @property
    def heating_season_months(self):
        "The months of the heating season, wrapping over the new year."
        start, end = self.heating_season_start, self.heating_season_end
        if start <= end:
            return frozenset(range(start, end + 1))
        return frozenset(range(start, 13)) | frozenset(range(1, end + 1))

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
    lighting_area = fields.Numeric(
        "Common Property Area (Electricity)", digits=AREA_DIGITS,
        domain=['OR', ('lighting_area', '=', None),
            ('lighting_area', '>=', 0)],
        help="S_ои for electricity (lit areas, attics and basements "
        "included); empty: the common property area.")
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
