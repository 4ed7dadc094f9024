# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.pyson import Bool, Eval

from .dated import context_date, in_force, selected
from .engine.lines import Reason
from .exceptions import MeterError
from .recalculation import RecalculationTriggerMixin

READING_DIGITS = (16, 4)
MAX_ZONES = 3
ZONE_FIELDS = ['value%s' % z for z in range(1, MAX_ZONES + 1)]


def zone_states(zone, required=False):
    states = {'invisible': Eval('zones', 1) < zone}
    if required:
        states['required'] = Eval('zones', 1) >= zone
    return states


class Meter(RecalculationTriggerMixin, ModelSQL, ModelView):
    __name__ = 'housing.meter'
    _recalculation_reason = Reason.METER
    _recalculation_fields = {
        'kind', 'service', 'building', 'premises', 'group_premises',
        'zones', 'digits', 'installation_date', 'removal_date',
        'installation_value1', 'installation_value2',
        'installation_value3', 'removal_value1', 'removal_value2',
        'removal_value3', 'verification_due', 'executor_use'}
    __string__ = "Meter"
    _history = True
    _rec_name = 'serial_number'

    kind = fields.Selection([
            ('individual', "Individual"),
            ('common_house', "Common-House"),
            ('group', "Group"),
            ], "Kind", required=True)
    service = fields.Many2One(
        'housing.service', "Service", required=True, ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))])
    building = fields.Many2One(
        'housing.building', "Building", required=True, ondelete='RESTRICT')
    company = fields.Function(
        fields.Many2One('company.company', "Company"),
        'on_change_with_company', searcher='search_company')
    premises = fields.Many2One(
        'housing.premises', "Premises", ondelete='RESTRICT',
        domain=[('building', '=', Eval('building', -1))],
        states={
            'required': Eval('kind') == 'individual',
            'invisible': Eval('kind') != 'individual',
            })
    group_premises = fields.Many2Many(
        'housing.meter-housing.premises', 'meter', 'premises',
        "Premises Served",
        domain=[('building', '=', Eval('building', -1))],
        states={'invisible': Eval('kind') != 'group'})
    serial_number = fields.Char("Serial Number", required=True)
    model = fields.Char("Model")
    zones = fields.Integer(
        "Zones", required=True,
        domain=[('zones', '>=', 1), ('zones', '<=', MAX_ZONES)])
    digits = fields.Integer(
        "Digits", required=True,
        domain=[('digits', '>=', 1), ('digits', '<=', 12)],
        help="The whole digits of the counter: after 99999 "
        "a five-digit meter rolls over to 00000.")
    installation_date = fields.Date("Installation Date", required=True)
    installation_value1 = fields.Numeric(
        "Installation Reading", digits=READING_DIGITS, required=True)
    installation_value2 = fields.Numeric(
        "Installation Reading Zone 2", digits=READING_DIGITS,
        states=zone_states(2, required=True))
    installation_value3 = fields.Numeric(
        "Installation Reading Zone 3", digits=READING_DIGITS,
        states=zone_states(3, required=True))
    removal_date = fields.Date(
        "Removal Date",
        domain=['OR',
            ('removal_date', '=', None),
            ('removal_date', '>=', Eval('installation_date', None)),
            ])
    removal_value1 = fields.Numeric(
        "Removal Reading", digits=READING_DIGITS,
        states={'required': Bool(Eval('removal_date'))})
    removal_value2 = fields.Numeric(
        "Removal Reading Zone 2", digits=READING_DIGITS,
        states={
            'required': Bool(Eval('removal_date')) & (Eval('zones', 1) >= 2),
            'invisible': Eval('zones', 1) < 2,
            })
    removal_value3 = fields.Numeric(
        "Removal Reading Zone 3", digits=READING_DIGITS,
        states={
            'required': Bool(Eval('removal_date')) & (Eval('zones', 1) >= 3),
            'invisible': Eval('zones', 1) < 3,
            })
    verification_due = fields.Date(
        "Verification Due",
        help="After this date the meter's readings are flagged "
        "until it is verified again.")
    executor_use = fields.Boolean(
        "Executor's Own Use",
        states={'invisible': Eval('kind') != 'common_house'},
        help="The meter measures what the executor uses itself (V_кр, "
        "e.g. the cold water heated into hot water), deducted from the "
        "common property balance of its resource.")
    seal_number = fields.Char("Seal Number")
    seal_date = fields.Date("Seal Date")
    readings = fields.One2Many('housing.meter.reading', 'meter', "Readings")
    state = fields.Function(fields.Selection([
                ('active', "Active"),
                ('removed', "Removed"),
                ], "State"), 'get_state', searcher='search_state')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.premises, Index.Equality())),
                Index(t, (t.building, Index.Equality())),
                Index(t, (t.serial_number, Index.Similarity())),
                })
        cls._order.insert(0, ('serial_number', 'ASC'))

    @staticmethod
    def default_kind():
        return 'individual'

    @staticmethod
    def default_executor_use():
        return False

    @staticmethod
    def default_zones():
        return 1

    @staticmethod
    def default_digits():
        return 5

    @fields.depends('building', '_parent_building.company')
    def on_change_with_company(self, name=None):
        return self.building.company if self.building else None

    @classmethod
    def search_company(cls, name, clause):
        return [('building.company',) + tuple(clause[1:])]

    @fields.depends('premises', '_parent_premises.building')
    def on_change_premises(self):
        if self.premises:
            self.building = self.premises.building

    def get_rec_name(self, name):
        return '%s № %s' % (self.service.rec_name, self.serial_number)

    def recalculation_scope(self):
        premises = ([self.premises] if self.premises else []) + list(
            self.group_premises)
        return (self.building.company.id,
            [self.installation_date, self.removal_date],
            self.premises_accounts(premises),
            [self.building] if self.kind == 'common_house'
            or self.shares_common_house_volume() else [])

    def shares_common_house_volume(self):
        """Whether the building has a common-house meter of the same
        resource: then the individual volumes change every account's common
        property share."""
        return bool(self.search([
                    ('building', '=', self.building.id),
                    ('kind', '=', 'common_house'),
                    ('service.resource', '=', self.service.resource),
                    ('id', '!=', self.id),
                    ], limit=1))

    @classmethod
    def search_rec_name(cls, name, clause):
        return ['OR',
            ('serial_number',) + tuple(clause[1:]),
            ('service.name',) + tuple(clause[1:]),
            ]

    def get_state(self, name):
        return 'active' if self.is_active(context_date()) else 'removed'

    @classmethod
    def search_state(cls, name, clause):
        date = context_date()
        _, operator, value = clause[:3]
        active = ['AND',
            ('installation_date', '<=', date),
            ['OR', ('removal_date', '=', None), ('removal_date', '>=', date)],
            ]
        positive = selected('active', operator, value)
        removed = ['OR',
            ('installation_date', '>', date), ('removal_date', '<', date)]
        return active if positive else removed

    def is_active(self, date):
        return in_force(
            self, date, start='installation_date', end='removal_date')

    @property
    def capacity(self):
        "The first value the counter cannot show: 10 ** digits."
        return Decimal(10) ** self.digits

    def installation_values(self):
        return tuple(
            getattr(self, 'installation_' + f) for f in self.zone_fields)

    def removal_values(self):
        return tuple(getattr(self, 'removal_' + f) for f in self.zone_fields)

    @property
    def zone_fields(self):
        return ZONE_FIELDS[:self.zones]

    @classmethod
    def validate(cls, meters):
        super().validate(meters)
        for meter in meters:
            meter.check_location()

    def check_location(self):
        if (self.kind == 'individual'
                and self.premises
                and self.premises.building != self.building):
            raise MeterError(gettext(
                    'housing_billing.msg_meter_premises_building',
                    meter=self.rec_name, premises=self.premises.rec_name,
                    building=self.building.rec_name))


class MeterPremises(ModelSQL):
    __name__ = 'housing.meter-housing.premises'
    __string__ = "Meter - Premises"
    meter = fields.Many2One(
        'housing.meter', "Meter", required=True, ondelete='CASCADE')
    premises = fields.Many2One(
        'housing.premises', "Premises", required=True, ondelete='CASCADE')
