# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
from fractions import Fraction

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Unique, fields
from trytond.pyson import Eval

from .building import AREA_DIGITS
from .dated import AreasMixin, in_force
from .exceptions import ShareError

PREMISES_KINDS = [
    ('apartment', "Apartment"),
    ('room', "Room in a Shared Flat"),
    ('non_residential', "Non-Residential"),
    ('parking', "Parking Space"),
    ]
OWNERSHIP_FORMS = [
    ('private', "Private"),
    ('municipal', "Municipal"),
    ('state', "State"),
    ]


class Premises(AreasMixin, ModelSQL, ModelView):
    __name__ = 'housing.premises'
    __string__ = "Premises"
    _history = True

    building = fields.Many2One(
        'housing.building', "Building", required=True, ondelete='RESTRICT')
    company = fields.Function(
        fields.Many2One('company.company', "Company"),
        'on_change_with_company', searcher='search_company')
    number = fields.Char("Number", required=True)
    entrance = fields.Integer("Entrance")
    floor = fields.Integer("Floor")
    kind = fields.Selection(PREMISES_KINDS, "Kind", required=True)
    rooms = fields.Integer("Rooms", domain=['OR',
            ('rooms', '=', None), ('rooms', '>=', 0)])
    ownership_form = fields.Selection(
        OWNERSHIP_FORMS, "Form of Ownership", required=True)
    areas = fields.One2Many(
        'housing.premises.area', 'premises', "Areas",
        help="The areas of the premises, each in force from its date.")
    total_area = fields.Function(
        fields.Numeric("Total Area", digits=AREA_DIGITS), 'get_area')
    living_area = fields.Function(
        fields.Numeric("Living Area", digits=AREA_DIGITS), 'get_area')
    accounts = fields.One2Many('housing.account', 'premises', "Accounts")
    owners = fields.One2Many('housing.owner', 'premises', "Owners")
    meters = fields.One2Many(
        'housing.meter', 'premises', "Meters",
        filter=[('kind', '=', 'individual')])

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('building_number_unique', Unique(t, t.building, t.number),
                'housing_billing.msg_premises_number_unique'),
            ]
        cls._sql_indexes.add(Index(t, (t.building, Index.Equality())))
        cls._order = [
            ('building', 'ASC'),
            ('entrance', 'ASC NULLS FIRST'),
            ('floor', 'ASC NULLS FIRST'),
            ('number', 'ASC'),
            ('id', 'ASC'),
            ]

    @staticmethod
    def default_kind():
        return 'apartment'

    @staticmethod
    def default_ownership_form():
        return 'private'

    @fields.depends('building', '_parent_building.company')
    def on_change_with_company(self, name=None):
        return self.building.company if self.building else None

    @classmethod
    def search_company(cls, name, clause):
        return [('building.company',) + tuple(clause[1:])]

    def get_rec_name(self, name):
        return '%s, %s' % (self.building.rec_name, self.number)

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, value = clause[:3]
        bool_op = 'AND' if operator.startswith('!') else 'OR'
        return [bool_op,
            ('number', operator, value),
            ('building.address', operator, value),
            ]


    def owners_at(self, date):
        return [o for o in self.owners if in_force(o, date)]

    def residents_at(self, date):
        return [r for a in self.accounts for r in a.residents_at(date)]


class PremisesArea(ModelSQL, ModelView):
    __name__ = 'housing.premises.area'
    __string__ = "Premises Areas"
    _history = True

    premises = fields.Many2One(
        'housing.premises', "Premises", required=True, ondelete='CASCADE')
    date_from = fields.Date("From", required=True)
    total_area = fields.Numeric(
        "Total Area", digits=AREA_DIGITS, required=True,
        domain=[('total_area', '>=', 0)],
        help="S_i: as in the ЕГРН, without balconies and loggias.")
    living_area = fields.Numeric(
        "Living Area", digits=AREA_DIGITS,
        domain=['OR',
            ('living_area', '=', None),
            ('living_area', '<=', Eval('total_area', 0)),
            ])
    document = fields.Char("Document")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('premises_date_unique', Unique(t, t.premises, t.date_from),
                'housing_billing.msg_area_date_unique'),
            ]
        cls._order.insert(0, ('date_from', 'DESC'))

    def get_rec_name(self, name):
        return '%s @ %s' % (self.premises.rec_name, self.date_from)


class Owner(ModelSQL, ModelView):
    __name__ = 'housing.owner'
    __string__ = "Owner"
    _history = True

    premises = fields.Many2One(
        'housing.premises', "Premises", required=True, ondelete='CASCADE')
    party = fields.Many2One(
        'party.party', "Owner", required=True, ondelete='RESTRICT')
    share_numerator = fields.Integer(
        "Share Numerator", required=True,
        domain=[('share_numerator', '>', 0)])
    share_denominator = fields.Integer(
        "Share Denominator", required=True,
        domain=[('share_denominator', '>=', Eval('share_numerator', 1))])
    date_from = fields.Date("From", required=True)
    date_to = fields.Date(
        "To",
        domain=['OR',
            ('date_to', '=', None),
            ('date_to', '>=', Eval('date_from', None)),
            ])
    document_kind = fields.Selection([
            (None, ""),
            ('egrn', "ЕГРН Extract"),
            ('certificate', "Ownership Certificate"),
            ('contract', "Contract"),
            ('inheritance', "Inheritance Certificate"),
            ('court', "Court Decision"),
            ('other', "Other"),
            ], "Document Kind")
    document_number = fields.Char("Document Number")
    document_date = fields.Date("Document Date")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('date_from', 'DESC'))

    @staticmethod
    def default_share_numerator():
        return 1

    @staticmethod
    def default_share_denominator():
        return 1

    @property
    def share(self):
        return Fraction(self.share_numerator, self.share_denominator)

    def get_rec_name(self, name):
        return '%s %s/%s (%s)' % (
            self.party.rec_name, self.share_numerator,
            self.share_denominator, self.premises.rec_name)

    @classmethod
    def validate(cls, owners):
        super().validate(owners)
        for premises in {o.premises for o in owners}:
            cls.check_shares(premises)

    @classmethod
    def check_shares(cls, premises):
        "On no date may the owners' shares of one premises exceed the whole."
        owners = cls.search([('premises', '=', premises.id)])
        for date in {o.date_from for o in owners}:
            total = sum((o.share for o in owners if in_force(o, date)),
                Fraction(0))
            if total > 1:
                raise ShareError(gettext(
                        'housing_billing.msg_owner_shares_exceed',
                        premises=premises.rec_name, date=date.isoformat(),
                        total='%s/%s' % (total.numerator, total.denominator)))
