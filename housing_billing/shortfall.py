# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""Shortfalls of a service: interruptions and poor quality (ПП354 п. 98–101,
Appendix 1), and the Appendix 1 norms the reduction is measured against.

An accountant records each shortfall once, for buildings or for premises;
the accrual run turns it into the kernel's QualityEvent for every personal
account in its scope, counting the hours that fall in the billing month
(a shortfall across two months counts in each for its own hours, split at
midnight in the company's time zone).

The Appendix 1 norms are a model of their own, housing.shortfall.norm, one
record per service (admin-maintained data, read-only for accountants): a new
record is filled from the defaults of the service's resource (APPENDIX_1),
and a service without a record is measured against those defaults."""
import datetime as dt
from collections import defaultdict
from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Unique, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.tools import grouped_slice
from trytond.tools import timezone as tz
from trytond.transaction import Transaction

from .engine import snapshot as engine
from .engine.lines import Reason
from .exceptions import ShortfallError
from .recalculation import RecalculationTriggerMixin

CHUNK = 1000
HOURS_DIGITS = (16, 4)
DEGREES_DIGITS = (16, 1)
PERCENT_DIGITS = (16, 4)
SECONDS_PER_HOUR = Decimal(3600)

KINDS = [
    ('interruption', "Interruption"),
    ('water_temperature', "Hot Water Temperature Deviation"),
    ('water_below_40', "Hot Water below 40 °C"),
    ('room_temperature', "Room Temperature below Normative"),
    ]
# The kinds whose reduction depends on the deviation in degrees.
TEMPERATURE_KINDS = {'water_temperature', 'room_temperature'}
SCOPES = [
    ('buildings', "Buildings"),
    ('premises', "Premises"),
    ]

# Appendix 1 defaults by resource (domain-spec §3); the norm records are
# created from them and edited as data.  A service without a norm record is
# measured against the defaults of its resource.
APPENDIX_1 = {
    'cold_water': {'monthly_limit_hours': 8, 'event_limit_hours': 4},
    'hot_water': {'monthly_limit_hours': 8, 'event_limit_hours': 4},
    'hot_water_heat': {'monthly_limit_hours': 8, 'event_limit_hours': 4},
    'sewage': {'monthly_limit_hours': 8, 'event_limit_hours': 4},
    # Two independent sources of supply; 24 h with one source.
    'electricity': {'monthly_limit_hours': 2, 'event_limit_hours': 2},
    'gas': {'monthly_limit_hours': 4, 'event_limit_hours': 4},
    # At +12 °C up to the normative room temperature.
    'heating': {'monthly_limit_hours': 24, 'event_limit_hours': 16},
    }
NORM_FIELDS = [
    'monthly_limit_hours', 'event_limit_hours', 'percent_per_hour',
    'percent_per_degree_hour', 'temperature_step', 'percent_per_step_hour',
    'allowed_deviation_day', 'allowed_deviation_night',
    ]


def appendix_1_defaults(resource):
    "{field: Decimal} of the Appendix 1 norm of a resource"
    default = engine.QualityNorm()
    values = {f: getattr(default, f) for f in NORM_FIELDS}
    values.update({
            f: Decimal(v) for f, v in APPENDIX_1.get(resource, {}).items()})
    return values


def hours_between(start, end):
    "Decimal hours from start to end, 0 when they do not overlap."
    if end <= start:
        return Decimal(0)
    delta = end - start
    seconds = delta.days * 86400 + delta.seconds
    return Decimal(seconds) / SECONDS_PER_HOUR


def period_bounds(period):
    "The first moment of the period and of the month after it (naive)."
    start = dt.datetime.combine(period.start, dt.time())
    end = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time())
    return start, end


class ShortfallNorm(ModelSQL, ModelView):
    __name__ = 'housing.shortfall.norm'
    __string__ = "Shortfall Norm"

    company = fields.Many2One(
        'company.company', "Company", required=True)
    service = fields.Many2One(
        'housing.service', "Service", required=True, ondelete='CASCADE',
        domain=[('company', '=', Eval('company', -1))])
    monthly_limit_hours = fields.Numeric(
        "Monthly Limit (h)", digits=HOURS_DIGITS, required=True,
        domain=[('monthly_limit_hours', '>=', 0)],
        help="The interruption hours a month allowed without reduction.")
    event_limit_hours = fields.Numeric(
        "Single Interruption Limit (h)", digits=HOURS_DIGITS, required=True,
        domain=[('event_limit_hours', '>=', 0)],
        help="The hours of one interruption allowed without reduction.")
    percent_per_hour = fields.Numeric(
        "Percent per Excess Hour", digits=PERCENT_DIGITS, required=True,
        domain=[('percent_per_hour', '>=', 0)])
    percent_per_degree_hour = fields.Numeric(
        "Percent per Degree and Hour", digits=PERCENT_DIGITS, required=True,
        domain=[('percent_per_degree_hour', '>=', 0)],
        help="For the room temperature below the normative.")
    temperature_step = fields.Numeric(
        "Temperature Step (°C)", digits=DEGREES_DIGITS, required=True,
        domain=[('temperature_step', '>', 0)],
        help="The hot water reduction counts full steps of this size.")
    percent_per_step_hour = fields.Numeric(
        "Percent per Step and Hour", digits=PERCENT_DIGITS, required=True,
        domain=[('percent_per_step_hour', '>=', 0)])
    allowed_deviation_day = fields.Numeric(
        "Allowed Deviation by Day (°C)", digits=DEGREES_DIGITS,
        required=True, domain=[('allowed_deviation_day', '>=', 0)])
    allowed_deviation_night = fields.Numeric(
        "Allowed Deviation at Night (°C)", digits=DEGREES_DIGITS,
        required=True, domain=[('allowed_deviation_night', '>=', 0)])

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('service_unique', Unique(t, t.service),
                'housing_billing.msg_shortfall_norm_service_unique'),
            ]
        cls._order.insert(0, ('service', 'ASC'))

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @classmethod
    def default_get(cls, fields_names=None, with_rec_name=True):
        values = super().default_get(
            fields_names, with_rec_name=with_rec_name)
        for name, value in appendix_1_defaults(None).items():
            if fields_names is None or name in fields_names:
                values.setdefault(name, value)
        return values

    @fields.depends('service', *NORM_FIELDS)
    def on_change_service(self):
        if self.service:
            for name, value in appendix_1_defaults(
                    self.service.resource).items():
                setattr(self, name, value)

    def get_rec_name(self, name):
        return self.service.rec_name

    def quality_norm(self):
        return engine.QualityNorm(
            **{f: getattr(self, f) for f in NORM_FIELDS})

    @classmethod
    def quality_norms(cls, company):
        """{service code: QualityNorm} of every service of the company: its
        norm record, else the Appendix 1 defaults of its resource."""
        Service = Pool().get('housing.service')
        norms = {n.service.id: n for n in cls.search([
                    ('company', '=', company.id)])}
        result = {}
        for service in Service.search([('company', '=', company.id)]):
            if service.id in norms:
                result[service.code] = norms[service.id].quality_norm()
            else:
                result[service.code] = engine.QualityNorm(
                    **appendix_1_defaults(service.resource))
        return result


class Shortfall(RecalculationTriggerMixin, ModelSQL, ModelView):
    __name__ = 'housing.shortfall'
    _recalculation_reason = Reason.QUALITY
    _recalculation_fields = {
        'service', 'kind', 'start', 'end', 'degrees', 'night', 'scope',
        'buildings', 'premises'}
    __string__ = "Service Shortfall"

    company = fields.Many2One(
        'company.company', "Company", required=True)
    service = fields.Many2One(
        'housing.service', "Service", required=True, ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))])
    kind = fields.Selection(KINDS, "Kind", required=True)
    kind_string = kind.translated('kind')
    start = fields.DateTime("Start", required=True)
    end = fields.DateTime("End", required=True)
    hours = fields.Function(
        fields.Numeric("Hours", digits=HOURS_DIGITS), 'get_hours')
    degrees = fields.Numeric(
        "Deviation (°C)", digits=DEGREES_DIGITS,
        states={
            'required': Eval('kind').in_(list(TEMPERATURE_KINDS)),
            'invisible': ~Eval('kind').in_(list(TEMPERATURE_KINDS)),
            },
        help="How many degrees the measured temperature was off the "
        "normative: for hot water below 60 °C or above 75 °C, for rooms "
        "below the normative room temperature (e.g. 60 − 52 = 8).")
    night = fields.Boolean(
        "At Night",
        states={'invisible': Eval('kind') != 'water_temperature'},
        help="Between 00:00 and 05:00, when a larger deviation is allowed.")
    scope = fields.Selection(SCOPES, "Scope", required=True)
    scope_string = scope.translated('scope')
    buildings = fields.Many2Many(
        'housing.shortfall-housing.building', 'shortfall', 'building',
        "Buildings",
        domain=[('company', '=', Eval('company', -1))],
        states={'invisible': Eval('scope') != 'buildings'})
    premises = fields.Many2Many(
        'housing.shortfall-housing.premises', 'shortfall', 'premises',
        "Premises",
        domain=[('company', '=', Eval('company', -1))],
        states={'invisible': Eval('scope') != 'premises'})
    reason = fields.Char(
        "Reason", required=True,
        help="What happened, as the act or the dispatcher's log says.")
    description = fields.Text("Description")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t,
                (t.company, Index.Equality()), (t.start, Index.Range())))
        cls._order = [('start', 'DESC'), ('id', 'DESC')]

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_kind():
        return 'interruption'

    @staticmethod
    def default_scope():
        return 'buildings'

    @staticmethod
    def default_night():
        return False

    @fields.depends('scope', 'buildings', 'premises')
    def on_change_scope(self):
        if self.scope == 'buildings':
            self.premises = []
        elif self.scope == 'premises':
            self.buildings = []

    @fields.depends('kind', 'degrees', 'night')
    def on_change_kind(self):
        if self.kind not in TEMPERATURE_KINDS:
            self.degrees = None
        if self.kind != 'water_temperature':
            self.night = False

    def get_hours(self, name):
        if self.start and self.end:
            return hours_between(self.start, self.end)

    def get_rec_name(self, name):
        return '%s: %s %s' % (
            self.service.rec_name, self.start.strftime('%d.%m.%Y %H:%M'),
            self.reason)

    def recalculation_scope(self):
        if self.scope == 'premises':
            accounts, buildings = self.premises_accounts(self.premises), []
        else:
            accounts, buildings = [], list(self.buildings)
        return (self.company.id, [self.start.date(), self.end.date()],
            accounts, buildings)

    @classmethod
    def validate(cls, shortfalls):
        super().validate(shortfalls)
        for shortfall in shortfalls:
            shortfall.check_dates()
            shortfall.check_degrees()
            shortfall.check_scope()

    def check_dates(self):
        if self.end <= self.start:
            raise ShortfallError(gettext(
                    'housing_billing.msg_shortfall_dates',
                    shortfall=self.rec_name,
                    start=self.start.isoformat(' ', 'minutes'),
                    end=self.end.isoformat(' ', 'minutes')))

    def check_degrees(self):
        if self.kind in TEMPERATURE_KINDS and not (
                self.degrees and self.degrees > 0):
            raise ShortfallError(gettext(
                    'housing_billing.msg_shortfall_degrees',
                    shortfall=self.rec_name,
                    kind=self.kind_string, degrees=self.degrees))

    def check_scope(self):
        chosen = (self.buildings if self.scope == 'buildings'
            else self.premises)
        if not chosen:
            raise ShortfallError(gettext(
                    'housing_billing.msg_shortfall_no_scope',
                    shortfall=self.rec_name, scope=self.scope_string))

    def local_bounds(self, timezone):
        "start and end as naive times of the company's time zone"
        if not timezone:
            return self.start, self.end
        return tuple(
            value.replace(tzinfo=tz.UTC).astimezone(timezone).replace(
                tzinfo=None) for value in (self.start, self.end))

    def hours_in(self, period, timezone=None):
        "The hours of the shortfall that fall in the billing period."
        start, end = self.local_bounds(timezone)
        first, after = period_bounds(period)
        return hours_between(max(start, first), min(end, after))

    def quality_event(self, period, timezone=None):
        hours = self.hours_in(period, timezone)
        if not hours:
            return None
        return engine.QualityEvent(
            service=self.service.code, kind=self.kind, hours=hours,
            degrees=self.degrees or Decimal(0),
            night=bool(self.night and self.kind == 'water_temperature'))

    @classmethod
    def overlapping(cls, company, period):
        "The shortfalls of the company that may touch the period."
        first, after = period_bounds(period)
        # A day of margin each side for the company's time zone.
        margin = dt.timedelta(days=1)
        return cls.search([
                ('company', '=', company.id),
                ('start', '<', after + margin),
                ('end', '>', first - margin),
                ], order=[('start', 'ASC'), ('id', 'ASC')])

    @classmethod
    def quality_events(cls, accounts, period, company=None, places=None,
            shortfalls=None):
        """{account id: tuple of QualityEvent} of the personal accounts for
        the engine period, in time order: every shortfall whose buildings
        or premises hold the account's premises, for a service the account
        has during the period.

        places: {account id: (premises id, building id)} when the caller
        has them already; shortfalls: overlapping(company, period) when
        the caller has read them already."""
        result = defaultdict(list)
        if not accounts:
            return {}
        company = company or accounts[0].company
        timezone = (tz.get_tzinfo(company.timezone)
            if company.timezone else None)
        if shortfalls is None:
            shortfalls = cls.overlapping(company, period)
        if not shortfalls:
            return {}
        services = cls.account_services(accounts, period)
        by_building, by_premises = defaultdict(list), defaultdict(list)
        for shortfall in shortfalls:
            event = shortfall.quality_event(period, timezone)
            if not event:
                continue
            if shortfall.scope == 'buildings':
                for building in shortfall.buildings:
                    by_building[building.id].append((shortfall, event))
            else:
                for premises in shortfall.premises:
                    by_premises[premises.id].append((shortfall, event))
        if places is None:
            places = {a.id: (a.premises.id, a.premises.building.id)
                for a in accounts}
        for account in accounts:
            premises, building = places[account.id]
            found = (by_building.get(building, [])
                + by_premises.get(premises, []))
            found.sort(key=lambda p: (p[0].start, p[0].id))
            result[account.id] = tuple(
                event for shortfall, event in found
                if shortfall.service.id in services[account.id])
        return dict(result)

    @classmethod
    def account_services(cls, accounts, period):
        "{account id: {service id}} of the services in force in the period"
        AccountService = Pool().get('housing.account.service')
        result = defaultdict(set)
        for sub_accounts in grouped_slice(accounts, CHUNK):
            for line in AccountService.search_read([
                        ('account', 'in', [a.id for a in sub_accounts]),
                        ('date_from', '<=', period.end),
                        ['OR', ('date_to', '=', None),
                            ('date_to', '>=', period.start)],
                        ], fields_names=['account', 'service']):
                result[line['account']].add(line['service'])
        return result


class ShortfallBuilding(ModelSQL):
    __name__ = 'housing.shortfall-housing.building'
    __string__ = "Shortfall - Building"
    shortfall = fields.Many2One(
        'housing.shortfall', "Shortfall", required=True, ondelete='CASCADE')
    building = fields.Many2One(
        'housing.building', "Building", required=True, ondelete='CASCADE')


class ShortfallPremises(ModelSQL):
    __name__ = 'housing.shortfall-housing.premises'
    __string__ = "Shortfall - Premises"
    shortfall = fields.Many2One(
        'housing.shortfall', "Shortfall", required=True, ondelete='CASCADE')
    premises = fields.Many2One(
        'housing.premises', "Premises", required=True, ondelete='CASCADE')
