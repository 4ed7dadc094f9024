# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""Meter readings from the resident: the account's meters with their last
reading and the reading window, a form per meter and zone, checked by the
very code the accountant's readings go through (housing_billing/reading.py),
and three years of history with a consumption chart per meter."""
import datetime as dt
from collections import defaultdict

from markupsafe import Markup
from trytond.exceptions import UserError
from trytond.pool import Pool
from trytond.protocols.wrappers import HTTPStatus
from trytond.transaction import Transaction
from trytond.wsgi import app

from housing_billing.meter import ZONE_FIELDS
from housing_billing.reading import parse_value

from .chart import consumption_chart
from .figures import consumption_by_month
from .web import _, account_of, date, form, number, portal_route, table

HISTORY_YEARS = 3
ZONE_LABELS = {
    1: ['zone_single'],
    2: ['zone_day', 'zone_night'],
    3: ['zone_peak', 'zone_night', 'zone_half_peak'],
    }


def today():
    return Pool().get('ir.date').today()


def account_meters(account, on_date):
    "The individual meters of the account's premises in service on_date."
    Meter = Pool().get('housing.meter')
    return Meter.search([
            ('premises', '=', account.premises.id),
            ('kind', '=', 'individual'),
            ('installation_date', '<=', on_date),
            ['OR', ('removal_date', '=', None),
                ('removal_date', '>=', on_date)],
            ], order=[('service', 'ASC'), ('serial_number', 'ASC')])


def last_readings(meters):
    "{meter id: its last reading} in one query."
    Reading = Pool().get('housing.meter.reading')
    result = {}
    if not meters:
        return result
    for reading in Reading.search([
                ('meter', 'in', [m.id for m in meters]),
                ('date', '>=', today() - dt.timedelta(days=400)),
                ], order=[('date', 'DESC'), ('id', 'DESC')]):
        result.setdefault(reading.meter.id, reading)
    return result


def counts_for_next_period(account, on_date):
    """Whether a reading of on_date comes too late for the period: its
    receipts were generated, or the window of the month has closed."""
    pool = Pool()
    Receipt = pool.get('housing.receipt')
    Configuration = pool.get('housing.configuration')
    day_to = Configuration(1).reading_day_to
    if day_to and on_date.day > day_to:
        return True
    return bool(Receipt.search([
                ('account', '=', account.id),
                ('period', '=', on_date.replace(day=1)),
                ], limit=1))


def next_month(on_date):
    first = on_date.replace(day=1)
    return (first + dt.timedelta(days=32)).replace(day=1)


def zone_labels(meter):
    return [_(name) for name in ZONE_LABELS[meter.zones]]


def meter_form(context, account, meter, values=None):
    values = values or {}
    content = Markup('<input type="hidden" name="meter" value="%s">') % (
        meter.id)
    for name, label in zip(ZONE_FIELDS, zone_labels(meter)):
        field_id = 'm%s-%s' % (meter.id, name)
        content += Markup(
            '<p class="field"><label for="%s">%s</label>'
            '<input id="%s" name="%s" value="%s" inputmode="decimal" '
            'autocomplete="off" required></p>') % (
            field_id, label, field_id, name, values.get(name, ''))
    return form(context, 'a/%s/readings' % account.id, content,
        _('reading_submit'))


@portal_route(app, 'a/<int:account_id>/readings', methods=('GET', 'POST'))
def readings(context, account_id):
    account = account_of(context, account_id)
    if account is None:
        return context.error_page(HTTPStatus.NOT_FOUND, _('not_found'))
    on_date = today()
    meters = account_meters(account, on_date)
    request = context.request
    error = message = None
    status = HTTPStatus.OK
    entered = {}
    if request.method == 'POST':
        meter_id = request.form.get('meter', type=int)
        meter = next((m for m in meters if m.id == meter_id), None)
        if meter is None:
            return context.error_page(HTTPStatus.NOT_FOUND, _('not_found'))
        entered[meter.id] = {name: request.form.get(name, '')
            for name in meter.zone_fields}
        try:
            reading = submit(meter, on_date, entered[meter.id])
        except UserError as exception:
            error = exception.message
            status = HTTPStatus.BAD_REQUEST
        else:
            return context.redirect('a/%s/readings?sent=%s' % (
                    account.id, reading.id))
    else:
        sent = request.args.get('sent', type=int)
        if sent:
            message = confirmation(context, meters, sent)
    return context.page(_('readings_title'),
        readings_body(context, account, meters, on_date, entered),
        status=status, account=account, message=message, error=error)


def submit(meter, on_date, texts):
    """The resident's reading of meter on on_date: a second one the same day
    replaces the first (kept as a revision). A refused reading leaves
    nothing behind: the savepoint is rolled back."""
    Reading = Pool().get('housing.meter.reading')
    values = {'meter': meter.id, 'date': on_date, 'source': 'portal'}
    for name, label in zip(meter.zone_fields, zone_labels(meter)):
        values[name] = parse_value(texts.get(name, ''), field=label)
    cursor = Transaction().connection.cursor()
    connection = Transaction().connection
    if getattr(connection, 'in_transaction', True) is False:
        cursor.execute('BEGIN')
    cursor.execute('SAVEPOINT housing_portal_reading')
    try:
        reading, = Reading.create([values])
    except Exception:
        cursor.execute('ROLLBACK TO SAVEPOINT housing_portal_reading')
        raise
    cursor.execute('RELEASE SAVEPOINT housing_portal_reading')
    return reading


def confirmation(context, meters, reading_id):
    Reading = context.pool.get('housing.meter.reading')
    readings = Reading.search([
            ('id', '=', reading_id),
            ('meter', 'in', [m.id for m in meters]),
            ], limit=1)
    if not readings:
        return None
    reading, = readings
    language = context.language
    text = _('reading_accepted', meter=reading.meter.rec_name,
        date=date(reading.date, language),
        value=' / '.join(number(v, language) for v in reading.values))
    if reading.review == 'pending':
        text += ' ' + _('reading_to_review')
    return text


def readings_body(context, account, meters, on_date, entered):
    pool = context.pool
    Configuration = pool.get('housing.configuration')
    configuration = Configuration(1)
    language = context.language
    parts = []
    if configuration.reading_day_from and configuration.reading_day_to:
        parts.append(Markup('<p>%s</p>') % _('reading_window',
                day_from=configuration.reading_day_from,
                day_to=configuration.reading_day_to))
    if counts_for_next_period(account, on_date):
        parts.append(Markup('<p class="note">%s</p>') % _(
                'reading_next_period',
                period=next_month(on_date).strftime('%m.%Y')))
    if not meters:
        parts.append(Markup('<p>%s</p>') % _('no_meters'))
    last = last_readings(meters)
    for meter in meters:
        reading = last.get(meter.id)
        parts.append(Markup('<section class="card"><h2>%s</h2>') % (
                meter.rec_name))
        if reading:
            parts.append(Markup('<p>%s</p>') % _('last_reading',
                    date=date(reading.date, language),
                    value=' / '.join(number(v, language)
                        for v in reading.values)))
        parts.append(meter_form(context, account, meter,
                entered.get(meter.id)))
        parts.append(Markup('</section>'))
    return Markup('').join(parts)


@portal_route(app, 'a/<int:account_id>/history')
def history(context, account_id):
    account = account_of(context, account_id)
    if account is None:
        return context.error_page(HTTPStatus.NOT_FOUND, _('not_found'))
    Reading = context.pool.get('housing.meter.reading')
    language = context.language
    end = today()
    start = end.replace(year=end.year - HISTORY_YEARS, day=1)
    meters = account_meters_since(account, start)
    by_meter = defaultdict(list)
    before = {}
    for reading in Reading.search([
                ('meter', 'in', [m.id for m in meters]),
                ], order=[('date', 'ASC'), ('id', 'ASC')]):
        if reading.date < start:
            before[reading.meter.id] = reading
        else:
            by_meter[reading.meter.id].append(reading)
    parts = []
    for meter in meters:
        readings = by_meter.get(meter.id, [])
        previous = before.get(meter.id)
        previous_total = (sum(previous.values) if previous
            else sum(v or 0 for v in meter.installation_values()))
        months = consumption_by_month(
            [(r.date, sum(r.values)) for r in readings], previous_total)
        parts.append(Markup('<section class="card"><h2>%s</h2>') % (
                meter.rec_name))
        parts.append(consumption_chart(months, start, end,
                _('chart_label', meter=meter.rec_name), language))
        rows = []
        last_total = previous_total
        for reading in readings:
            total = sum(reading.values)
            rows.append((date(reading.date, language),
                    ' / '.join(number(v, language) for v in reading.values),
                    number(total - last_total, language)
                    if total >= last_total else '',
                    _('source_%s' % reading.source)))
            last_total = total
        rows.reverse()
        parts.append(table(_('history_caption', meter=meter.rec_name),
                [_('col_date'), _('col_reading'), _('col_consumption'),
                    _('col_source')], rows, numeric={1, 2})
            if rows else Markup('<p>%s</p>') % _('none'))
        parts.append(Markup('</section>'))
    if not meters:
        parts.append(Markup('<p>%s</p>') % _('no_meters'))
    return context.page(_('history_title'), Markup('').join(parts),
        account=account)


def account_meters_since(account, start):
    Meter = Pool().get('housing.meter')
    return Meter.search([
            ('premises', '=', account.premises.id),
            ('kind', '=', 'individual'),
            ['OR', ('removal_date', '=', None),
                ('removal_date', '>=', start)],
            ], order=[('service', 'ASC'), ('serial_number', 'ASC')])

