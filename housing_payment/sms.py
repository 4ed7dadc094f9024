# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""SMS gateways: the interface the notifications send through and the
HTTP API of SMS.ru (https://sms.ru/api/send).

A provider is chosen by trytond's configuration::

    [sms]
    provider = smsru
    api_id = 00000000-0000-0000-0000-000000000000
    from = TSJ           (optional: an approved sender name)
    url = https://sms.ru/sms/send   (optional)
    test = 1             (optional: SMS.ru checks the request, sends nothing)
"""
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from typing import NamedTuple

from trytond import config

PHONE_SEPARATORS = re.compile(r'[\s()\-.]')


def normalize_phone(phone):
    """The Russian mobile number of phone as the gateways want it
    (79XXXXXXXXX), None when it is not one: +7, 7 or 8 and ten digits
    starting with 9, with spaces, brackets and dashes allowed."""
    digits = PHONE_SEPARATORS.sub('', phone or '')
    if digits.startswith('+7'):
        digits = digits[1:]
    elif digits.startswith('8') and len(digits) == 11:
        digits = '7' + digits[1:]
    if re.fullmatch(r'79\d{9}', digits):
        return digits
    return None


class SMSError(Exception):
    "The gateway did not take the message: its status code and text."

    def __init__(self, code, text):
        super().__init__(code, text)
        self.code = code
        self.text = text

    def __str__(self):
        if self.code is None:
            return self.text
        return '%s: %s' % (self.code, self.text)


class Sent(NamedTuple):
    "A message the gateway accepted: its id there."
    message_id: str


class Provider:
    "A gateway that sends one text to one mobile number."

    def send(self, phone, text):
        """Send text to phone (79XXXXXXXXX): the Sent message, or SMSError
        when the gateway refuses it or cannot be reached."""
        raise NotImplementedError


class SMSRu(Provider):
    """SMS.ru's /sms/send with json=1: the answer is
    {"status": "OK"|"ERROR", "status_code": 100 on success, "status_text",
    "sms": {phone: {"status", "status_code", "sms_id" or "status_text"}},
    "balance"}; the request's status says whether the request itself was
    accepted (api_id, sender…), the phone's whether its message was."""
    URL = 'https://sms.ru/sms/send'
    OK = 100

    def __init__(self, api_id, url=None, sender=None, test=False,
            timeout=30):
        self.api_id = api_id
        self.url = url or self.URL
        self.sender = sender
        self.test = test
        self.timeout = timeout

    def parameters(self, phone, text):
        parameters = {
            'api_id': self.api_id, 'to': phone, 'msg': text, 'json': 1}
        if self.sender:
            parameters['from'] = self.sender
        if self.test:
            parameters['test'] = 1
        return parameters

    def send(self, phone, text):
        data = urllib.parse.urlencode(
            self.parameters(phone, text)).encode('utf-8')
        request = urllib.request.Request(self.url, data=data, headers={
                'Content-Type':
                'application/x-www-form-urlencoded; charset=utf-8'})
        try:
            with urllib.request.urlopen(
                    request, timeout=self.timeout) as response:
                answer = json.load(response)
        except urllib.error.HTTPError as error:
            raise SMSError(error.code, error.reason) from error
        except (OSError, ValueError) as error:
            raise SMSError(None, str(error) or repr(error)) from error
        return self.sent(answer, phone)

    def sent(self, answer, phone):
        if answer.get('status') != 'OK':
            raise SMSError(
                answer.get('status_code'), answer.get('status_text', ''))
        message = (answer.get('sms') or {}).get(phone)
        if message is None:
            raise SMSError(None, 'no status for %s in %r' % (phone, answer))
        if (message.get('status') != 'OK'
                or message.get('status_code') != self.OK):
            raise SMSError(
                message.get('status_code'), message.get('status_text', ''))
        return Sent(message.get('sms_id', ''))




def get_provider():
    "The provider of the [sms] configuration, None when there is none."
    name = config.get('sms', 'provider', default=None)
    if not name:
        return None
    if name == 'smsru':
        return SMSRu(
            config.get('sms', 'api_id', default=''),
            url=config.get('sms', 'url', default=None),
            sender=config.get('sms', 'from', default=None),
            test=config.getboolean('sms', 'test', default=False),
            timeout=config.getint('sms', 'timeout', default=30))
    raise ValueError('unknown SMS provider %r' % name)
