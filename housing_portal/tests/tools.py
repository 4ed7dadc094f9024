# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""Two residents on a real database for the portal's tests: A with
account 1000234567 and B with 1000234568, each a flat, a meter, three
posted months, a payment and a receipt; the pages are requested through
trytond's WSGI application with werkzeug's test client."""
import datetime as dt
import re
import socket
import unittest
from decimal import Decimal
from types import SimpleNamespace

from trytond import config
from trytond.modules.company.tests import create_company, set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, activate_module, drop_db
from trytond.transaction import Transaction, TransactionError
from werkzeug.test import Client

from housing_billing.tests.penalty_tools import (
    GF2_PRICES,
    pay,
    run_month,
    setup_account,
    setup_ledger,
    setup_penalty_service,
)
from housing_billing.tests.tools import (
    create_account,
    create_party,
    create_premises,
)

D = dt.date
PERIODS = [D(2025, 11, 1), D(2025, 12, 1), D(2026, 1, 1)]
CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


class PortalTestCase(unittest.TestCase):
    "A database with the portal and the Russian rules, built once"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        drop_db()
        activate_module(['housing_portal', 'l10n_ru_housing'])
        cls.data = build_residents()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        drop_db()

    def client(self, language='en'):
        """A browser; in English by default: the test database has no
        Russian translations loaded."""
        return Portal(language)


def build_residents():
    "Commit the two residents and return their ids and first passwords."
    return committed(_build_residents)


def committed(function, *args):
    """function(*args) in a transaction committed, retried with the locks
    it asks for (as trytond's with_transaction does)."""
    extras = {}
    while True:
        with Transaction().start(DB_NAME, 0, **extras) as transaction:
            try:
                data = function(*args)
            except TransactionError as error:
                transaction.rollback()
                # The tasks it queued went with it (trytond's dispatcher
                # clears them too).
                del transaction.tasks[:]
                error.fix(extras)
                continue
            transaction.commit()
            return data


def _build_residents():
    if True:
        pool = Pool()
        Account = pool.get('housing.account')
        Meter = pool.get('housing.meter')
        Receipt = pool.get('housing.receipt')
        Reading = pool.get('housing.meter.reading')
        User = pool.get('web.user')
        company = create_company()
        with set_company(company):
            setup_ledger(company, [2025, 2026])
            setup_penalty_service()
            a = setup_account(GF2_PRICES)
            b_flat = create_premises(a.premises.building, '6',
                [(D(2019, 1, 1), Decimal('100'))])
            b = create_account(b_flat, '1000234568',
                [(D(2019, 1, 1), create_party("Петров Пётр"))],
                opened=D(2019, 1, 1))
            Account.write([b], {'services': [('create', [{
                                'service': a.services[0].service.id,
                                'date_from': D(2019, 1, 1)}])]})
            meters = {}
            for account, serial in [(a, 'A-1'), (b, 'B-1')]:
                meter, = Meter.create([{
                            'service': a.services[0].service.id,
                            'building': account.premises.building.id,
                            'premises': account.premises.id,
                            'serial_number': serial,
                            'installation_date': D(2019, 1, 1),
                            'installation_value1': Decimal('100'),
                            }])
                Reading.create([{
                            'meter': meter.id, 'date': D(2025, 12, 20),
                            'value1': Decimal('110'),
                            }])
                meters[account.id] = meter
            for period in PERIODS:
                run_month(period)
            pay(a, D(2026, 1, 20), '3000.00')
            receipts = {}
            for account, amount in [(a, '5000.00'), (b, '4321.09')]:
                receipt, = Receipt.create([{
                            'company': company.id,
                            'account': account.id,
                            'building': account.premises.building.id,
                            'period': PERIODS[-1], 'version': 1,
                            'state': 'current', 'payer': 'x',
                            'amount': Decimal(amount),
                            'qr_payload': 'ST00012|Name=Test|PersAcc=%s'
                            % account.number,
                            'pdf': b'%PDF-1.4 receipt of ' + account.number
                            .encode(),
                            }])
                receipts[account.id] = receipt.id
            passwords = User.ensure_portal_users([a.id, b.id])
        data = SimpleNamespace(
            company=company.id,
            a=SimpleNamespace(id=a.id, number=a.number,
                password=passwords[a.id], meter=meters[a.id].id,
                receipt=receipts[a.id]),
            b=SimpleNamespace(id=b.id, number=b.number,
                password=passwords[b.id], meter=meters[b.id].id,
                receipt=receipts[b.id]))
    return data


def new_resident(number):
    """Another account in A's building with a web user of its own: for the
    tests that change a password."""
    return committed(_new_resident, number)


def _new_resident(number):
    pool = Pool()
    Account = pool.get('housing.account')
    User = pool.get('web.user')
    a, = Account.search([('number', '=', '1000234567')])
    with set_company(a.company):
        flat = create_premises(a.premises.building, number,
            [(D(2019, 1, 1), Decimal('50'))])
        account = create_account(flat, number,
            [(D(2019, 1, 1), create_party("Житель %s" % number))],
            opened=D(2019, 1, 1))
        passwords = User.ensure_portal_users([account.id])
    return SimpleNamespace(id=account.id, number=number,
        password=passwords[account.id])


class Portal:
    "A browser's cookies and the CSRF token of the last page it read."

    def __init__(self, language=None):
        from trytond.wsgi import app
        self.client = Client(app)
        self.token = None
        self.base = '/%s/portal/' % DB_NAME
        if language:
            self.client.set_cookie('portal_lang', language, path=self.base)

    def url(self, path):
        return self.base + path

    def get(self, path, **kwargs):
        response = self.client.get(self.url(path), **kwargs)
        self._remember(response)
        return response

    def post(self, path, data=None, csrf=True, **kwargs):
        data = dict(data or {})
        if csrf and 'csrf_token' not in data:
            data['csrf_token'] = self.token or ''
        response = self.client.post(self.url(path), data=data, **kwargs)
        self._remember(response)
        return response

    def _remember(self, response):
        if response.mimetype == 'text/html':
            match = CSRF.search(response.get_data(as_text=True))
            if match:
                self.token = match.group(1)

    def cookie(self, name):
        cookie = self.client.get_cookie(name, path=self.base)
        return cookie.value if cookie else None

    def log_in(self, login, password):
        self.get('login')
        return self.post('login', {'login': login, 'password': password})


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


class Mailbox:
    "An SMTP server on loopback (aiosmtpd) set as trytond's e-mail URI."

    def __enter__(self):
        from aiosmtpd.controller import Controller
        from aiosmtpd.handlers import Message

        messages = self.messages = []

        class Inbox(Message):
            def handle_message(self, message):
                messages.append(message)

        port = free_port()
        self.controller = Controller(Inbox(), hostname='127.0.0.1',
            port=port)
        self.controller.start()
        if not config.has_section('email'):
            config.add_section('email')
        self.old = {k: config.get('email', k) for k in ['uri', 'from']}
        config.set('email', 'uri', 'smtp://127.0.0.1:%s' % port)
        config.set('email', 'from', 'tsj@example.ru')
        return self

    def __exit__(self, *exc):
        self.controller.stop()
        for key, value in self.old.items():
            config.set('email', key, value)

    def link(self, index=-1):
        body = self.messages[index].get_payload(decode=True).decode()
        return re.search(r'https?://\S+', body).group(0)
