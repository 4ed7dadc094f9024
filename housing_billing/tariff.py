# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.pyson import Eval, If
from trytond.transaction import Transaction

from .dated import check_dates, check_no_overlap, most_specific
from .engine.lines import Reason
from .exceptions import TariffError
from .recalculation import RecalculationTriggerMixin

PRICE_DIGITS = (16, 4)
ZONES = [
    (None, ""),
    ('day', "Day"),
    ('night', "Night"),
    ('peak', "Peak"),
    ('half_peak', "Half-Peak"),
    ('water', "Water Component"),
    ('heat', "Heat Component"),
    ]
COMPONENTS = {'water', 'heat'}
ZONES_BY_COUNT = {
    2: {'day', 'night'},
    3: {'peak', 'half_peak', 'night'},
    }


class Tariff(RecalculationTriggerMixin, ModelSQL, ModelView):
    __name__ = 'housing.tariff'
    _recalculation_reason = Reason.TARIFF
    _recalculation_fields = {
        'service', 'building', 'premises', 'date_from', 'date_to',
        'structure', 'rates', 'fixed_amount'}
    __string__ = "Tariff"
    _history = True

    company = fields.Many2One(
        'company.company', "Company", required=True)
    service = fields.Many2One(
        'housing.service', "Service", required=True, ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))])
    building = fields.Many2One(
        'housing.building', "Building", ondelete='CASCADE',
        domain=[('company', '=', Eval('company', -1))],
        help="Leave empty for a tariff of the whole company.")
    premises = fields.Many2One(
        'housing.premises', "Premises", ondelete='CASCADE',
        domain=[If(Eval('building'),
                ('building', '=', Eval('building', -1)), ())],
        help="Fill in for a tariff of one premises only.")
    level = fields.Function(fields.Selection([
                ('company', "Company"),
                ('building', "Building"),
                ('premises', "Premises"),
                ], "Level"), 'on_change_with_level')
    date_from = fields.Date("From", required=True)
    date_to = fields.Date("To")
    structure = fields.Selection([
            ('flat', "Single Price"),
            ('zones', "Time Zones"),
            ('tiers', "Tiers"),
            ('components', "Two Components"),
            ], "Structure", required=True)
    structure_string = structure.translated('structure')
    rates = fields.One2Many('housing.tariff.rate', 'tariff', "Rates")
    fixed_amount = fields.Numeric(
        "Fixed Component", digits=(16, 2),
        domain=['OR',
            ('fixed_amount', '=', None), ('fixed_amount', '>=', 0)],
        help="An amount charged per month on top of the rates.")
    document = fields.Char(
        "Document", help="The order that set the tariff.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t,
                (t.service, Index.Equality()),
                (t.date_from, Index.Range())))
        cls._order.insert(0, ('date_from', 'DESC'))

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_structure():
        return 'flat'

    @fields.depends('building', 'premises')
    def on_change_with_level(self, name=None):
        if self.premises:
            return 'premises'
        elif self.building:
            return 'building'
        return 'company'

    @fields.depends('premises', 'building')
    def on_change_premises(self):
        if self.premises:
            self.building = self.premises.building

    def get_rec_name(self, name):
        return '%s %s' % (self.service.rec_name, self.date_from)

    def recalculation_scope(self):
        if self.premises:
            accounts = self.premises_accounts([self.premises])
            buildings = []
        else:
            accounts = []
            buildings = ([self.building] if self.building
                else self.company_buildings(self.company))
        return (self.company.id, [self.date_from, self.date_to],
            accounts, buildings)

    @classmethod
    def validate(cls, tariffs):
        super().validate(tariffs)
        for tariff in tariffs:
            check_dates(tariff, 'housing_billing.msg_tariff_dates')
            tariff.check_rates()
        check_no_overlap(
            tariffs,
            lambda t: [
                ('service', t.service.id),
                ('building', t.building.id if t.building else None),
                ('premises', t.premises.id if t.premises else None),
                ],
            'housing_billing.msg_tariff_overlap')

    def check_rates(self):
        zones = [r.zone for r in self.rates]
        thresholds = [r.threshold or 0 for r in self.rates]
        if self.structure == 'flat':
            valid = len(self.rates) == 1 and zones == [None]
        elif self.structure == 'zones':
            # A single price may stand beside the zones, for the consumers
            # billed without a zone meter (by normative).
            zoned = [z for z in zones if z]
            valid = (set(zoned) in ZONES_BY_COUNT.values()
                and len(zones) == len(set(zones)))
        elif self.structure == 'components':
            valid = sorted(zones) == sorted(COMPONENTS)
        else:
            valid = (len(self.rates) >= 2
                and zones == [None] * len(zones)
                and 0 in thresholds
                and len(set(thresholds)) == len(thresholds))
        if not valid:
            raise TariffError(gettext(
                    'housing_billing.msg_tariff_rates_invalid',
                    tariff=self.rec_name,
                    structure=self.structure_string,
                    rates=', '.join(r.rec_name for r in self.rates) or '-'))

    def price(self, zone=None):
        "The price of zone (None for a single price)."
        for rate in self.rates:
            if rate.zone == zone:
                return rate.price

    def tiers(self):
        "[(threshold, price), ...] in ascending thresholds."
        return sorted((r.threshold or 0, r.price) for r in self.rates)

    @classmethod
    def find(cls, service, premises, date):
        """The tariff of service in force on date for premises:
        the premises' own, else its building's, else the company's."""
        tariffs = cls.search([
                ('service', '=', service.id),
                ('date_from', '<=', date),
                ['OR', ('date_to', '=', None), ('date_to', '>=', date)],
                ['OR',
                    ('premises', '=', premises.id),
                    [('premises', '=', None),
                        ('building', '=', premises.building.id)],
                    [('premises', '=', None), ('building', '=', None)],
                    ],
                ])
        rank = {'premises': 0, 'building': 1, 'company': 2}
        return most_specific(tariffs, date, lambda t: rank[t.level])


class TariffRate(RecalculationTriggerMixin, ModelSQL, ModelView):
    __name__ = 'housing.tariff.rate'
    _recalculation_reason = Reason.TARIFF
    _recalculation_fields = {'tariff', 'zone', 'threshold', 'price'}
    __string__ = "Tariff Rate"
    _history = True

    tariff = fields.Many2One(
        'housing.tariff', "Tariff", required=True, ondelete='CASCADE')
    zone = fields.Selection(
        ZONES, "Zone",
        states={'invisible': ~Eval('_parent_tariff', {}).get(
                'structure').in_(['zones', 'components'])})
    zone_string = zone.translated('zone')
    threshold = fields.Numeric(
        "From Quantity", digits=(16, 3),
        domain=['OR', ('threshold', '=', None), ('threshold', '>=', 0)],
        states={'invisible': Eval('_parent_tariff', {}).get(
                'structure') != 'tiers'},
        help="The price applies to the consumption above this quantity.")
    price = fields.Numeric(
        "Price", digits=PRICE_DIGITS, required=True,
        domain=[('price', '>=', 0)])

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('threshold', 'ASC NULLS FIRST'), ('id', 'ASC')]

    def get_rec_name(self, name):
        label = self.zone_string if self.zone else (
            '≥ %s' % plain(self.threshold) if self.threshold else '')
        return ('%s %s' % (label, plain(self.price))).strip()

    def recalculation_scope(self):
        company, dates, accounts, buildings = (
            self.tariff.recalculation_scope())
        return company, dates[:1], accounts, buildings


def plain(number):
    "A Decimal without trailing zeros, whatever the backend stored."
    return format(number.normalize(), 'f')
