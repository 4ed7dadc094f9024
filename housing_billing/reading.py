# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
import datetime as dt
from decimal import Decimal, InvalidOperation

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Unique, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access

from .engine.lines import Reason
from .exceptions import ReadingError
from .meter import READING_DIGITS, ZONE_FIELDS
from .recalculation import RecalculationTriggerMixin

MAX_DECIMALS = 4
# A counter that shows less than this part of its capacity after a higher
# value most likely rolled over rather than went backwards.
ROLLOVER_WINDOW = Decimal('0.1')
# History the average consumption needs before a jump can be judged.
MIN_HISTORY_DAYS = 28
HISTORY_DAYS = 365

SOURCES = [
    ('accountant', "Accountant"),
    ('portal', "Portal"),
    ('import', "Import"),
    ('estimated', "Estimated"),
    ]


def parse_value(text, field="value"):
    """The Decimal a person typed, with a dot or a comma as the separator.

    >>> parse_value('123,45')
    Decimal('123.45')
    >>> parse_value(' 1 234.5 ')
    Decimal('1234.5')
    """
    cleaned = str(text).strip().replace('\u00a0', '').replace(' ', '')
    cleaned = cleaned.replace(',', '.')
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or cleaned.count('.') > 1:
        raise ReadingError(gettext(
                'housing_billing.msg_reading_not_a_number',
                field=field, value=text))
    return value


def decimal_places(value):
    return max(0, -value.normalize().as_tuple().exponent)


class Reading(RecalculationTriggerMixin, ModelSQL, ModelView):
    __name__ = 'housing.meter.reading'
    _recalculation_reason = Reason.LATE_READINGS
    _recalculation_fields = {'meter', 'date', 'value1', 'value2', 'value3'}
    __string__ = "Meter Reading"
    _history = True

    meter = fields.Many2One(
        'housing.meter', "Meter", required=True, ondelete='CASCADE')
    zones = fields.Function(
        fields.Integer("Zones"), 'on_change_with_zones')
    date = fields.Date("Date", required=True)
    value1 = fields.Numeric("Value", digits=READING_DIGITS, required=True)
    value2 = fields.Numeric(
        "Value Zone 2", digits=READING_DIGITS,
        states={
            'invisible': Eval('zones', 1) < 2,
            'required': Eval('zones', 1) >= 2,
            })
    value3 = fields.Numeric(
        "Value Zone 3", digits=READING_DIGITS,
        states={
            'invisible': Eval('zones', 1) < 3,
            'required': Eval('zones', 1) >= 3,
            })
    rollover = fields.Boolean(
        "Roll-Over",
        help="Confirms that the counter passed its last value "
        "and started again from zero.")
    source = fields.Selection(SOURCES, "Source", required=True)
    entered_by = fields.Many2One('res.user', "Entered By", readonly=True)
    consumption = fields.Function(
        fields.Numeric("Consumption", digits=READING_DIGITS),
        'get_consumption')
    verification_overdue = fields.Boolean(
        "Verification Overdue", readonly=True,
        help="The meter was past its verification date: "
        "the reading is accepted but flagged.")
    review = fields.Selection([
            (None, ""),
            ('pending', "To Review"),
            ('accepted', "Reviewed"),
            ], "Review", readonly=True)
    review_reason = fields.Char("Review Reason", readonly=True)
    comment = fields.Text("Comment")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('meter_date_unique', Unique(t, t.meter, t.date),
                'housing_billing.msg_reading_unique'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.meter, Index.Equality()),
                    (t.date, Index.Range(order='DESC'))),
                Index(t, (t.review, Index.Equality(cardinality='low')),
                    where=t.review == 'pending'),
                })
        cls._order = [('date', 'DESC'), ('id', 'DESC')]
        cls._buttons.update({
                'accept_review': {
                    'invisible': Eval('review') != 'pending',
                    'depends': ['review'],
                    },
                })

    @staticmethod
    def default_source():
        return 'accountant'

    @staticmethod
    def default_entered_by():
        return Transaction().user

    @staticmethod
    def default_rollover():
        return False

    @staticmethod
    def default_verification_overdue():
        return False

    @fields.depends('meter', '_parent_meter.zones')
    def on_change_with_zones(self, name=None):
        return self.meter.zones if self.meter else 1

    def get_rec_name(self, name):
        return '%s %s' % (self.meter.rec_name, self.date)

    def recalculation_scope(self):
        company, _, accounts, buildings = self.meter.recalculation_scope()
        return company, [self.date], accounts, buildings

    @property
    def values(self):
        return tuple(getattr(self, f) for f in self.meter.zone_fields)

    def previous(self):
        "(date, values) of the reading before this one, else installation."
        readings = self.search([
                ('meter', '=', self.meter.id),
                ('date', '<', self.date),
                ], order=[('date', 'DESC')], limit=1)
        if readings:
            reading, = readings
            return reading.date, reading.values
        return self.meter.installation_date, self.meter.installation_values()

    def next(self):
        "The reading after this one, or None."
        readings = self.search([
                ('meter', '=', self.meter.id),
                ('date', '>', self.date),
                ], order=[('date', 'ASC')], limit=1)
        return readings[0] if readings else None

    def zone_consumption(self, previous_value, value):
        if self.rollover and value < previous_value:
            return self.meter.capacity - previous_value + value
        return value - previous_value

    def get_consumption(self, name):
        _, previous_values = self.previous()
        return sum(
            (self.zone_consumption(p, v)
                for p, v in zip(previous_values, self.values)
                if p is not None and v is not None),
            Decimal(0))

    @classmethod
    def create(cls, vlist):
        vlist = [v.copy() for v in vlist]
        for values in vlist:
            cls.check_input(values)
            values.setdefault('entered_by', Transaction().user)
        cls.replace_same_day(vlist)
        readings = super().create(vlist)
        cls.set_flags(readings)
        return readings

    @classmethod
    def write(cls, *args):
        actions = iter(args)
        for _, values in zip(actions, actions):
            cls.check_input(values)
        super().write(*args)
        cls.set_flags(sum(args[0:None:2], []))

    @classmethod
    def check_input(cls, values):
        "Reject what no reading can be, before anything is written."
        Meter = Pool().get('housing.meter')
        meter = Meter(values['meter']) if values.get('meter') else None
        for name in ZONE_FIELDS:
            value = values.get(name)
            if value is None:
                continue
            label = cls.zone_label(name)
            if value < 0:
                raise ReadingError(gettext(
                        'housing_billing.msg_reading_negative',
                        field=label, value=value,
                        meter=meter.rec_name if meter else ''))
            if decimal_places(value) > MAX_DECIMALS:
                raise ReadingError(gettext(
                        'housing_billing.msg_reading_decimals',
                        field=label, value=value, decimals=MAX_DECIMALS,
                        meter=meter.rec_name if meter else ''))

    @classmethod
    def zone_label(cls, name):
        return getattr(cls, name).string

    @classmethod
    def replace_same_day(cls, vlist):
        """One reading per meter and day: the last one entered wins and
        the one it replaces is kept as a revision."""
        Revision = Pool().get('housing.meter.reading.revision')
        keys = {(v.get('meter'), v.get('date')) for v in vlist}
        replaced = []
        for meter, date in keys:
            if meter is None or date is None:
                continue
            replaced.extend(cls.search([
                        ('meter', '=', meter), ('date', '=', date)]))
        if replaced:
            with without_check_access():
                Revision.create([r.revision_values() for r in replaced])
                super().delete(replaced)

    def revision_values(self):
        values = {
            'meter': self.meter.id,
            'date': self.date,
            'source': self.source,
            'entered_by': self.entered_by.id if self.entered_by else None,
            'entered_at': self.write_date or self.create_date,
            'replaced_by': Transaction().user,
            'replaced_at': dt.datetime.now(),
            }
        for name in ZONE_FIELDS:
            values[name] = getattr(self, name)
        return values

    @classmethod
    def validate(cls, readings):
        super().validate(readings)
        today = Pool().get('ir.date').today()
        for reading in readings:
            reading.check_date(today)
            reading.check_zones()
            reading.check_sequence()

    def check_date(self, today):
        meter = self.meter
        if self.date > today:
            raise ReadingError(gettext(
                    'housing_billing.msg_reading_future',
                    meter=meter.rec_name, date=self.date.isoformat(),
                    today=today.isoformat()))
        if self.date < meter.installation_date:
            raise ReadingError(gettext(
                    'housing_billing.msg_reading_before_installation',
                    meter=meter.rec_name, date=self.date.isoformat(),
                    installation=meter.installation_date.isoformat()))
        if meter.removal_date and self.date > meter.removal_date:
            raise ReadingError(gettext(
                    'housing_billing.msg_reading_after_removal',
                    meter=meter.rec_name, date=self.date.isoformat(),
                    removal=meter.removal_date.isoformat()))

    def check_zones(self):
        for zone, name in enumerate(ZONE_FIELDS, 1):
            value = getattr(self, name)
            if zone <= self.meter.zones and value is None:
                raise ReadingError(gettext(
                        'housing_billing.msg_reading_zone_missing',
                        meter=self.meter.rec_name, zones=self.meter.zones,
                        field=self.zone_label(name),
                        date=self.date.isoformat()))
            if zone > self.meter.zones and value is not None:
                raise ReadingError(gettext(
                        'housing_billing.msg_reading_zone_extra',
                        meter=self.meter.rec_name, zones=self.meter.zones,
                        field=self.zone_label(name), value=value,
                        date=self.date.isoformat()))

    def check_sequence(self):
        "Readings only go up, except where the counter rolled over."
        meter = self.meter
        previous_date, previous_values = self.previous()
        went_down = False
        for name, previous, value in zip(
                meter.zone_fields, previous_values, self.values):
            if previous is None or value >= previous:
                continue
            went_down = True
            if not self.rollover:
                message = ('housing_billing.msg_reading_lower_rollover'
                    if self.looks_like_rollover(previous, value)
                    else 'housing_billing.msg_reading_lower')
                raise ReadingError(gettext(
                        message, meter=meter.rec_name,
                        field=self.zone_label(name), value=value,
                        date=self.date.isoformat(), previous=previous,
                        previous_date=previous_date.isoformat(),
                        digits=meter.digits))
        if self.rollover and not went_down:
            raise ReadingError(gettext(
                    'housing_billing.msg_reading_rollover_not_lower',
                    meter=meter.rec_name, date=self.date.isoformat(),
                    value=self.value1, previous=previous_values[0],
                    previous_date=previous_date.isoformat()))
        following = self.next()
        if following and not following.rollover:
            for name, value, later in zip(
                    meter.zone_fields, self.values, following.values):
                if later < value:
                    raise ReadingError(gettext(
                            'housing_billing.msg_reading_higher_than_next',
                            meter=meter.rec_name,
                            field=self.zone_label(name), value=value,
                            date=self.date.isoformat(), next=later,
                            next_date=following.date.isoformat()))

    def looks_like_rollover(self, previous, value):
        return (value < previous
            and self.meter.capacity - previous + value
            < self.meter.capacity * ROLLOVER_WINDOW)

    @classmethod
    def set_flags(cls, readings):
        "Flag, without refusing, what an accountant should look at."
        for reading in readings:
            values = reading.flag_values()
            if any(getattr(reading, k) != v for k, v in values.items()):
                super().write([reading], values)

    def flag_values(self):
        meter = self.meter
        values = {
            'verification_overdue': bool(
                meter.verification_due
                and self.date > meter.verification_due),
            }
        if self.review != 'accepted':
            reason = self.jump_reason()
            values['review'] = 'pending' if reason else None
            values['review_reason'] = reason
        return values

    def jump_reason(self):
        """Why the consumption looks implausible: more than the configured
        multiple of the average daily consumption over the past year."""
        Configuration = Pool().get('housing.configuration')
        factor = Configuration(1).implausible_jump_factor
        if not factor:
            return
        previous_date, _ = self.previous()
        days = (self.date - previous_date).days
        average = self.meter_average_daily(previous_date)
        if not days or average is None:
            return
        expected = average * days
        consumption = self.consumption
        if consumption > factor * expected:
            return gettext(
                'housing_billing.msg_reading_jump',
                consumption=consumption, days=days, factor=factor,
                expected=expected.quantize(Decimal('0.001')))

    def meter_average_daily(self, until):
        "Average daily consumption of the meter over the year before until."
        readings = self.search([
                ('meter', '=', self.meter.id),
                ('date', '<=', until),
                ('date', '>=', until - dt.timedelta(days=HISTORY_DAYS)),
                ], order=[('date', 'ASC')])
        if not readings:
            return
        start, previous_values = readings[0].previous()
        days = (until - start).days
        if days < MIN_HISTORY_DAYS:
            return
        # A reading's previous is the one before it in the list (one
        # reading a day): their consumption without a query each.
        total = Decimal(0)
        for reading in readings:
            values = reading.values
            total += sum(
                (reading.zone_consumption(p, v)
                    for p, v in zip(previous_values, values)
                    if p is not None and v is not None),
                Decimal(0))
            previous_values = values
        return total / days

    @classmethod
    @ModelView.button
    def accept_review(cls, readings):
        super().write(readings, {'review': 'accepted'})


class ReadingRevision(ModelSQL, ModelView):
    __name__ = 'housing.meter.reading.revision'
    __string__ = "Replaced Meter Reading"

    meter = fields.Many2One(
        'housing.meter', "Meter", required=True, readonly=True,
        ondelete='CASCADE')
    date = fields.Date("Date", required=True, readonly=True)
    value1 = fields.Numeric("Value", digits=READING_DIGITS, readonly=True)
    value2 = fields.Numeric(
        "Value Zone 2", digits=READING_DIGITS, readonly=True)
    value3 = fields.Numeric(
        "Value Zone 3", digits=READING_DIGITS, readonly=True)
    source = fields.Selection(SOURCES, "Source", readonly=True)
    entered_by = fields.Many2One('res.user', "Entered By", readonly=True)
    entered_at = fields.DateTime("Entered At", readonly=True)
    replaced_by = fields.Many2One('res.user', "Replaced By", readonly=True)
    replaced_at = fields.DateTime("Replaced At", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t,
                (t.meter, Index.Equality()), (t.date, Index.Range())))
        cls._order = [('replaced_at', 'DESC'), ('id', 'DESC')]
