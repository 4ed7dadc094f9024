# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"The SMS.ru provider against its stand-in on loopback; phone numbers."
import unittest

from ..sms import SMSError, SMSRu, normalize_phone
from .notification_tools import API_ID, free_port
from .sms_stand_in import SMSRuStandIn


class NormalizePhoneTestCase(unittest.TestCase):
    "Test the mobile numbers the gateways take"

    def test_forms_of_a_number(self):
        "+7, 7 and 8 with spaces, brackets and dashes give 79XXXXXXXXX"
        for phone in ['+7 (912) 345-67-89', '8 912 345 67 89',
                '79123456789', '+79123456789', '8(912)345.67.89']:
            with self.subTest(phone=phone):
                self.assertEqual(normalize_phone(phone), '79123456789')

    def test_not_a_mobile(self):
        "Landlines, short and foreign numbers and text are refused"
        for phone in ['+7 495 123-45-67', '912 345 67 89', '+380501234567',
                '7912345678', '791234567890', 'телефон', '', None]:
            with self.subTest(phone=phone):
                self.assertIsNone(normalize_phone(phone))


class SMSRuTestCase(unittest.TestCase):
    "Test the SMS.ru provider against a stand-in on loopback"

    def setUp(self):
        self.stand_in = SMSRuStandIn(API_ID).__enter__()
        self.addCleanup(self.stand_in.__exit__, None, None, None)

    def test_send(self):
        "A message accepted: the gateway's id, the parameters it got"
        provider = SMSRu(API_ID, url=self.stand_in.url, sender='UK-Primer')
        sent = provider.send('79123456789', 'Отключение воды 3 февраля')
        self.assertEqual(sent.message_id, '000000-00000001')
        self.assertEqual(self.stand_in.messages, [{
                    'to': '79123456789', 'msg': 'Отключение воды 3 февраля',
                    'from': 'UK-Primer', 'id': '000000-00000001'}])

    def test_wrong_api_id(self):
        "The request refused: its status code and text"
        provider = SMSRu('wrong', url=self.stand_in.url)
        with self.assertRaises(SMSError) as context:
            provider.send('79123456789', 'Текст')
        self.assertEqual(context.exception.code, 200)
        self.assertEqual(str(context.exception), '200: Неправильный api_id')
        self.assertEqual(self.stand_in.messages, [])

    def test_number_refused(self):
        "The request accepted but not the number: the number's code"
        self.stand_in.refused.add('79123456789')
        provider = SMSRu(API_ID, url=self.stand_in.url)
        with self.assertRaises(SMSError) as context:
            provider.send('79123456789', 'Текст')
        self.assertEqual(context.exception.code, 207)
        self.assertEqual(self.stand_in.messages, [])

    def test_unreachable(self):
        "Nothing listens: an error without a gateway code"
        provider = SMSRu(
            API_ID, url='http://127.0.0.1:%s/sms/send' % free_port(),
            timeout=5)
        with self.assertRaises(SMSError) as context:
            provider.send('79123456789', 'Текст')
        self.assertIsNone(context.exception.code)
