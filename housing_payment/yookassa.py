# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""YooKassa (ЮKassa), by its REST API v3 (yookassa.ru/developers/api):
HTTP Basic authentication with the shop id and the secret key, an
Idempotence-Key on every POST, amounts as strings with two decimals."""
import base64
import datetime as dt
import json
import logging
import socket
import urllib.error
import urllib.request
from decimal import Decimal, InvalidOperation

from trytond.i18n import gettext
from trytond.model import fields
from trytond.pool import PoolMeta
from trytond.pyson import Eval

from . import routes  # noqa: F401 (registers the notification route)
from .exceptions import NotificationError, ProviderError
from .provider import ProviderEvent, ProviderPayment, ProviderRefund

logger = logging.getLogger(__name__)

API_URL = 'https://api.yookassa.ru/v3'
# The addresses YooKassa sends its notifications from
# (yookassa.ru/developers/using-api/webhooks, «IP-адреса»).
NOTIFICATION_ADDRESSES = '\n'.join([
        '185.71.76.0/27',
        '185.71.77.0/27',
        '77.75.153.0/25',
        '77.75.156.11',
        '77.75.156.35',
        '77.75.154.128/25',
        '2a02:5180::/32',
        ])
# waiting_for_capture only happens with capture false, which we never ask.
PAYMENT_STATUSES = {
    'pending': 'pending',
    'waiting_for_capture': 'pending',
    'succeeded': 'succeeded',
    'canceled': 'cancelled',
    }
REFUND_STATUSES = {
    'pending': 'pending',
    'succeeded': 'succeeded',
    'canceled': 'cancelled',
    }
EVENTS = {'payment.succeeded', 'payment.canceled',
    'payment.waiting_for_capture', 'refund.succeeded'}
CURRENCY = 'RUB'
DESCRIPTION_SIZE = 128


class Client:
    "The few calls of YooKassa's API v3 the online payments need"

    def __init__(self, base_url, shop_id, secret_key, timeout, name=''):
        self.base_url = base_url.rstrip('/')
        self.shop_id = shop_id
        self.secret_key = secret_key
        self.timeout = timeout
        self.name = name

    def create_payment(self, amount, return_url, description, metadata,
            idempotence_key):
        return self.request('POST', '/payments', {
                'amount': money_object(amount),
                'capture': True,
                'confirmation': {
                    'type': 'redirect',
                    'return_url': return_url,
                    },
                'description': description[:DESCRIPTION_SIZE],
                'metadata': metadata,
                }, idempotence_key)

    def get_payment(self, payment_id):
        return self.request('GET', '/payments/%s' % quote_id(payment_id))

    def create_refund(self, payment_id, amount, idempotence_key):
        return self.request('POST', '/refunds', {
                'payment_id': payment_id,
                'amount': money_object(amount),
                }, idempotence_key)

    def get_refund(self, refund_id):
        return self.request('GET', '/refunds/%s' % quote_id(refund_id))

    def request(self, method, path, body=None, idempotence_key=None):
        url = self.base_url + path
        credentials = base64.b64encode(
            ('%s:%s' % (self.shop_id, self.secret_key)).encode('utf-8'))
        headers = {
            'Authorization': 'Basic ' + credentials.decode('ascii'),
            'Accept': 'application/json',
            }
        data = None
        if body is not None:
            data = json.dumps(body, ensure_ascii=False).encode('utf-8')
            headers['Content-Type'] = 'application/json'
        if idempotence_key:
            headers['Idempotence-Key'] = idempotence_key
        request = urllib.request.Request(
            url, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(
                    request, timeout=self.timeout) as response:
                content = response.read()
        except urllib.error.HTTPError as error:
            raise self.http_error(url, error)
        except (urllib.error.URLError, socket.timeout, TimeoutError,
                ConnectionError) as error:
            reason = getattr(error, 'reason', error)
            raise ProviderError(gettext(
                    'housing_payment.msg_provider_unreachable',
                    provider=self.name, url=url, error=str(reason)))
        try:
            return json.loads(content)
        except ValueError:
            raise ProviderError(gettext(
                    'housing_payment.msg_provider_bad_answer',
                    provider=self.name, url=url,
                    answer=content[:200].decode('utf-8', 'replace')))

    def http_error(self, url, error):
        "The error YooKassa described in its JSON body, as a ProviderError"
        try:
            body = json.loads(error.read())
        except (ValueError, OSError):
            body = {}
        if not isinstance(body, dict):
            body = {}
        return ProviderError(gettext(
                'housing_payment.msg_provider_http_error',
                provider=self.name, url=url, status=error.code,
                code=body.get('code', ''),
                description=body.get('description', error.reason)))


def quote_id(value):
    return urllib.request.quote(str(value), safe='')


def money_object(amount):
    return {'value': '%.2f' % amount, 'currency': CURRENCY}


def parse_money(value):
    if value.get('currency') != CURRENCY:
        raise ValueError(value)
    return Decimal(value['value']).quantize(Decimal('0.01'))


def parse_datetime(value):
    if not value:
        return None
    return dt.datetime.fromisoformat(value.replace('Z', '+00:00'))


def as_payment(data):
    return ProviderPayment(
        reference=data['id'],
        status=PAYMENT_STATUSES[data['status']],
        amount=parse_money(data['amount']),
        confirmation_url=(data.get('confirmation') or {}).get(
            'confirmation_url'),
        paid_at=parse_datetime(data.get('captured_at')),
        refunded_amount=(parse_money(data['refunded_amount'])
            if data.get('refunded_amount') else Decimal('0.00')))


def as_refund(data):
    return ProviderRefund(
        reference=data['id'],
        payment_reference=data['payment_id'],
        status=REFUND_STATUSES[data['status']],
        amount=parse_money(data['amount']),
        created_at=parse_datetime(data.get('created_at')))


class Provider(metaclass=PoolMeta):
    __name__ = 'housing.payment.provider'

    _yookassa_states = {
        'required': Eval('kind') == 'yookassa',
        'invisible': Eval('kind') != 'yookassa',
        }
    yookassa_shop_id = fields.Char(
        "Shop ID", states=_yookassa_states, strip=True,
        help="The shopId of the YooKassa shop.")
    yookassa_secret_key = fields.Char(
        "Secret Key", states=_yookassa_states, strip=True,
        help="The secret key issued in the YooKassa merchant profile.")
    del _yookassa_states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.kind.selection.append(('yookassa', "YooKassa"))

    @fields.depends('kind', 'base_url', 'allowed_addresses')
    def on_change_kind(self):
        if self.kind == 'yookassa':
            self.base_url = self.base_url or API_URL
            self.allowed_addresses = (
                self.allowed_addresses or NOTIFICATION_ADDRESSES)

    def client(self):
        return Client(
            self.base_url, self.yookassa_shop_id, self.yookassa_secret_key,
            self.timeout, name=self.rec_name)

    def _yookassa_create_payment(self, online, return_url, idempotence_key):
        data = self.client().create_payment(
            online.amount, return_url, online.provider_description(),
            online.provider_metadata(), idempotence_key)
        return self._yookassa_read(as_payment, data)

    def _yookassa_get_payment(self, reference):
        return self._yookassa_read(
            as_payment, self.client().get_payment(reference))

    def _yookassa_create_refund(self, online, idempotence_key):
        data = self.client().create_refund(
            online.provider_reference, online.amount, idempotence_key)
        return self._yookassa_read(as_refund, data)

    def _yookassa_get_refund(self, reference):
        return self._yookassa_read(
            as_refund, self.client().get_refund(reference))

    def _yookassa_read(self, reader, data):
        try:
            return reader(data)
        except (KeyError, TypeError, ValueError, InvalidOperation,
                AttributeError):
            raise ProviderError(gettext(
                    'housing_payment.msg_provider_bad_answer',
                    provider=self.rec_name, url=self.base_url,
                    answer=json.dumps(data, ensure_ascii=False)[:200]))

    def _yookassa_parse_notification(self, data):
        try:
            if data['type'] != 'notification' or data['event'] not in EVENTS:
                raise ValueError(data.get('event'))
            event, obj = data['event'], data['object']
            if event.startswith('refund.'):
                return ProviderEvent(
                    event, str(obj['payment_id']), str(obj['id']))
            return ProviderEvent(event, str(obj['id']))
        except (KeyError, TypeError, ValueError, AttributeError):
            raise NotificationError(gettext(
                    'housing_payment.msg_notification_invalid',
                    provider=self.rec_name,
                    notification=json.dumps(
                        data, ensure_ascii=False)[:200]))

