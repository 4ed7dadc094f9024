# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""An SMTP server (aiosmtpd) and the SMS.ru stand-in on loopback, and the
server configuration that points the notifications at them."""
import socket
from contextlib import contextmanager, suppress

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message
from trytond import config

from .sms_stand_in import SMSRuStandIn

API_ID = '5C1A7A2B-0000-4000-8000-000000000001'
FROM = 'uk@example.ru'


class Inbox(Message):
    "The messages an SMTP server on loopback received."

    def __init__(self):
        super().__init__()
        self.messages = []

    def handle_message(self, message):
        self.messages.append(message)


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


@contextmanager
def configured(values):
    "trytond's configuration with values {(section, option): value}."
    old = {}
    for (section, option), value in values.items():
        if not config.has_section(section):
            config.add_section(section)
        old[section, option] = config.get(section, option)
        config.set(section, option, value)
    try:
        yield
    finally:
        for (section, option), value in old.items():
            if value is None:
                with suppress(Exception):
                    config.remove_option(section, option)
            else:
                config.set(section, option, value)


class Loopback:
    """An SMTP server and the SMS gateway on 127.0.0.1, and the server's
    configuration pointing at them. stop_smtp() shuts the SMTP server
    down, as when the mail relay is unreachable; start_smtp() starts a new
    one on the same port."""

    def __init__(self):
        self.inbox = Inbox()
        self.port = free_port()
        self.controller = None
        self.sms = SMSRuStandIn(API_ID)
        self._config = configured({
                ('email', 'uri'): 'smtp://127.0.0.1:%s' % self.port,
                ('email', 'from'): FROM,
                ('email', 'retry'): '0',
                ('sms', 'provider'): 'smsru',
                ('sms', 'api_id'): API_ID,
                ('sms', 'url'): self.sms.url,
                ('sms', 'from'): 'UK-Primer',
                })

    def start_smtp(self):
        self.controller = Controller(
            self.inbox, hostname='127.0.0.1', port=self.port)
        self.controller.start()

    def stop_smtp(self):
        if self.controller:
            self.controller.stop()
            self.controller = None

    def __enter__(self):
        self._config.__enter__()
        self.sms.__enter__()
        self.start_smtp()
        return self

    def __exit__(self, *exc):
        self.stop_smtp()
        self.sms.__exit__(*exc)
        self._config.__exit__(*exc)
