# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""A stand-in of YooKassa's API v3 on loopback, for the tests: it checks
what the real one checks (HTTP Basic shopId:secretKey, an Idempotence-Key
on every POST — the same key and body give back the same object, the same
key with another body is refused —, the JSON shapes) and keeps payments and
refunds with YooKassa's status transitions. The test plays the payer and
the office with :meth:`pay`, :meth:`cancel` and :meth:`refund`, and gets
the notifications YooKassa would send with :meth:`notification`."""
import base64
import copy
import datetime as dt
import json
import re
import threading
import uuid
from decimal import Decimal, InvalidOperation
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

AMOUNT = re.compile(r'^\d+\.\d{2}$')


class APIError(Exception):
    def __init__(self, status, code, description, parameter=None):
        super().__init__(description)
        self.status = status
        self.body = {
            'type': 'error',
            'id': str(uuid.uuid4()),
            'code': code,
            'description': description,
            }
        if parameter:
            self.body['parameter'] = parameter


def invalid(parameter, description):
    return APIError(
        HTTPStatus.BAD_REQUEST, 'invalid_request', description, parameter)


def iso(moment):
    return moment.astimezone(dt.timezone.utc).strftime(
        '%Y-%m-%dT%H:%M:%S.%f')[:-3] + 'Z'


def check_amount(body, parameter='amount'):
    amount = body.get('amount')
    if (not isinstance(amount, dict)
            or set(amount) != {'value', 'currency'}
            or not isinstance(amount['value'], str)
            or not AMOUNT.match(amount['value'])):
        raise invalid(parameter, "amount must be {value: 'N.NN', currency}")
    if amount['currency'] != 'RUB':
        raise invalid(parameter + '.currency', "unsupported currency")
    try:
        value = Decimal(amount['value'])
    except InvalidOperation:
        raise invalid(parameter + '.value', "not a number")
    if value <= 0:
        raise invalid(parameter + '.value', "must be positive")
    return value


class YooKassaStandIn:
    "The shop's side of YooKassa: start(), then the API at self.url"

    def __init__(self, shop_id='100500', secret_key='test_secret'):
        self.shop_id = shop_id
        self.secret_key = secret_key
        self.payments = {}
        self.refunds = {}
        self.idempotence = {}
        self.requests = []
        self.failures = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.server = None
        self.thread = None

    def start(self):
        self.server = ThreadingHTTPServer(('127.0.0.1', 0), self.handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(
            target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self):
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()

    @property
    def url(self):
        host, port = self.server.server_address
        return 'http://%s:%s/v3' % (host, port)

    def fail_next(self, status, code='internal_server_error',
            description="Internal server error", delay=0):
        """The next request is answered with this error, after delay
        seconds (longer than the client's timeout: no answer at all)."""
        with self.lock:
            self.failures.append((status, code, description, delay))

    # The payer and the office

    def pay(self, payment_id, at):
        "The payer confirms: pending → succeeded, captured at the instant"
        with self.lock:
            payment = self.payments[payment_id]
            assert payment['status'] == 'pending', payment['status']
            payment.update({
                    'status': 'succeeded', 'paid': True,
                    'captured_at': iso(at), 'refundable': True,
                    'refunded_amount': {
                        'value': '0.00', 'currency': 'RUB'},
                    'payment_method': {
                        'type': 'bank_card', 'id': str(uuid.uuid4()),
                        'saved': False, 'title': 'Bank card *4477'},
                    })
            payment.pop('confirmation', None)

    def cancel(self, payment_id, reason='expired_on_confirmation'):
        "The payer gave up: pending → canceled"
        with self.lock:
            payment = self.payments[payment_id]
            assert payment['status'] == 'pending', payment['status']
            payment.update({
                    'status': 'canceled',
                    'cancellation_details': {
                        'party': 'yoo_money', 'reason': reason},
                    })
            payment.pop('confirmation', None)

    def refund(self, payment_id, amount=None, at=None):
        "A refund made in the merchant's office, not through the API"
        with self.lock:
            payment = self.payments[payment_id]
            value = amount or payment['amount']['value']
            return self.new_refund(
                payment, Decimal(value), at or dt.datetime.now(
                    dt.timezone.utc))

    def notification(self, event, object_id):
        "The body YooKassa posts for the event of the object, as it is now"
        with self.lock:
            kind = event.split('.')[0]
            objects = self.payments if kind == 'payment' else self.refunds
            return {
                'type': 'notification',
                'event': event,
                'object': copy.deepcopy(objects[object_id]),
                }

    # The API

    def handler(self):
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format, *args):
                pass

            def do_GET(self):
                stand_in.serve(self, 'GET')

            def do_POST(self):
                stand_in.serve(self, 'POST')

        return Handler

    def serve(self, request, method):
        length = int(request.headers.get('Content-Length') or 0)
        raw = request.rfile.read(length) if length else b''
        with self.lock:
            self.requests.append({
                    'method': method, 'path': request.path,
                    'headers': dict(request.headers), 'body': raw,
                    })
            failure = self.failures.pop(0) if self.failures else None
        if failure:
            status, code, description, delay = failure
            if delay:
                # Longer than the client waits: it never hears an answer.
                self.stopping.wait(delay)
                return
            self.answer(request, status, APIError(
                    status, code, description).body)
            return
        try:
            self.authenticate(request)
            with self.lock:
                status, body = self.route(request, method, raw)
        except APIError as error:
            status, body = error.status, error.body
        self.answer(request, status, body)

    def answer(self, request, status, body):
        content = json.dumps(body).encode('utf-8')
        try:
            request.send_response(status)
            request.send_header('Content-Type', 'application/json')
            request.send_header('Content-Length', str(len(content)))
            request.end_headers()
            request.wfile.write(content)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def authenticate(self, request):
        expected = 'Basic ' + base64.b64encode(
            ('%s:%s' % (self.shop_id, self.secret_key)).encode()).decode()
        if request.headers.get('Authorization') != expected:
            raise APIError(
                HTTPStatus.UNAUTHORIZED, 'invalid_credentials',
                "Login or password is incorrect")

    def route(self, request, method, raw):
        path = request.path.split('?')[0]
        if method == 'POST':
            if path == '/v3/payments':
                return self.idempotent(request, raw, self.create_payment)
            if path == '/v3/refunds':
                return self.idempotent(request, raw, self.create_refund)
        elif method == 'GET':
            match = re.fullmatch(r'/v3/(payments|refunds)/([\w-]+)', path)
            if match:
                objects = getattr(self, match.group(1))
                if match.group(2) not in objects:
                    raise APIError(
                        HTTPStatus.NOT_FOUND, 'not_found',
                        "Object not found")
                return HTTPStatus.OK, copy.deepcopy(
                    objects[match.group(2)])
        raise APIError(HTTPStatus.NOT_FOUND, 'not_found', "Unknown path")

    def idempotent(self, request, raw, create):
        key = request.headers.get('Idempotence-Key')
        if not key or len(key) > 64:
            raise invalid('Idempotence-Key', "Idempotence-Key is required")
        if key in self.idempotence:
            body, answer = self.idempotence[key]
            if body != raw:
                raise invalid(
                    'Idempotence-Key',
                    "Idempotence key duplicated with another request")
            return answer
        try:
            data = json.loads(raw)
        except ValueError:
            raise invalid(None, "Body is not JSON")
        if not isinstance(data, dict):
            raise invalid(None, "Body is not a JSON object")
        answer = HTTPStatus.OK, copy.deepcopy(create(data))
        self.idempotence[key] = raw, answer
        return answer

    def create_payment(self, data):
        check_amount(data)
        confirmation = data.get('confirmation')
        if (not isinstance(confirmation, dict)
                or confirmation.get('type') != 'redirect'
                or not confirmation.get('return_url')):
            raise invalid('confirmation', "redirect with return_url needed")
        description = data.get('description', '')
        if not isinstance(description, str) or len(description) > 128:
            raise invalid('description', "at most 128 characters")
        metadata = data.get('metadata', {})
        if (not isinstance(metadata, dict) or len(metadata) > 16
                or not all(isinstance(v, str) for v in metadata.values())):
            raise invalid('metadata', "at most 16 string values")
        if not isinstance(data.get('capture', False), bool):
            raise invalid('capture', "boolean")
        payment_id = str(uuid.uuid4())
        payment = {
            'id': payment_id,
            'status': 'pending',
            'paid': False,
            'amount': data['amount'],
            'confirmation': {
                'type': 'redirect',
                'return_url': confirmation['return_url'],
                'confirmation_url': self.url.replace(
                    '/v3', '/checkout/%s' % payment_id),
                },
            'created_at': iso(dt.datetime.now(dt.timezone.utc)),
            'description': description,
            'metadata': metadata,
            'recipient': {'account_id': self.shop_id, 'gateway_id': '1'},
            'refundable': False,
            'test': True,
            }
        self.payments[payment_id] = payment
        return payment

    def create_refund(self, data):
        value = check_amount(data)
        payment = self.payments.get(data.get('payment_id'))
        if not payment:
            raise invalid('payment_id', "Payment not found")
        if payment['status'] != 'succeeded':
            raise APIError(
                HTTPStatus.BAD_REQUEST, 'invalid_request',
                "Payment is not succeeded", 'payment_id')
        return self.new_refund(
            payment, value, dt.datetime.now(dt.timezone.utc))

    def new_refund(self, payment, value, at):
        refunded = Decimal(payment['refunded_amount']['value'])
        if refunded + value > Decimal(payment['amount']['value']):
            raise invalid('amount', "More than the payment's remainder")
        refund_id = str(uuid.uuid4())
        refund = {
            'id': refund_id,
            'payment_id': payment['id'],
            'status': 'succeeded',
            'created_at': iso(at),
            'amount': {'value': '%.2f' % value, 'currency': 'RUB'},
            }
        payment['refunded_amount']['value'] = '%.2f' % (refunded + value)
        self.refunds[refund_id] = refund
        return refund
