# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""Notification campaigns sent to a real SMTP server (aiosmtpd) and to the
SMS.ru stand-in on loopback: debt above the threshold, opt-out, once per
event, failure then retry, scope by buildings, meters due for
verification, the reading window."""
import datetime as dt
import unittest
from decimal import Decimal
from email.header import decode_header, make_header

from trytond.modules.company.tests import create_company, set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import (
    activate_module,
    drop_db,
    with_transaction,
)

from housing_billing.tests.penalty_tools import (
    GF2_PRICES,
    run_month,
    setup_account,
    setup_ledger,
)
from housing_billing.tests.tools import (
    create_account,
    create_building,
    create_party,
    create_premises,
    create_service,
    run_queue,
)

from ..exceptions import NoticeError
from .notification_tools import FROM, Loopback

D = dt.date


class NotificationTestCase(unittest.TestCase):
    "Test the notifications by e-mail and SMS"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        drop_db()
        activate_module(['housing_payment', 'l10n_ru_housing'])

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        drop_db()


def header(value):
    "An e-mail header as the reader sees it."
    return str(make_header(decode_header(value)))


def new_campaign(kind, name="Уведомление", **values):
    "A campaign with the default texts of its kind, saved."
    Campaign = Pool().get('housing.notification.campaign')
    campaign = Campaign(kind=kind, name=name, date=values.pop('date'))
    campaign.on_change_kind()
    for field, value in values.items():
        setattr(campaign, field, value)
    campaign.save()
    return campaign


def send(campaign):
    "Press Send and run the queue's tasks as a worker would."
    Campaign = Pool().get('housing.notification.campaign')
    Campaign.send([campaign])
    run_queue()
    return Campaign(campaign.id)


def prefer(account, kind, channel, active):
    Preference = Pool().get('housing.notification.preference')
    Preference.create([{'account': account.id, 'kind': kind,
                'channel': channel, 'active': active}])


def setup_debtors(company):
    """G-F2's flat 5 (Иванов, 1000234567): November and December 2025
    posted unpaid, 4 200.00 + 4 650.00 = 8 850.00 owed; flat 6 (Петров,
    1000234568) is charged nothing and owes nothing."""
    Account = Pool().get('housing.account')
    setup_ledger(company, [2025, 2026])
    ivanov = setup_account(GF2_PRICES)
    flat = create_premises(
        ivanov.premises.building, '6', [(D(2019, 1, 1), Decimal('50'))])
    petrov = create_account(flat, '1000234568',
        [(D(2019, 1, 1), create_party("Петров Пётр Петрович"))],
        opened=D(2019, 1, 1))
    for period in [D(2025, 11, 1), D(2025, 12, 1)]:
        run_month(period)
    Account.write([ivanov], {
            'email': 'ivanov@example.ru', 'phone': '+7 912 345-67-89'})
    Account.write([petrov], {'email': 'petrov@example.ru'})
    return ivanov, petrov


def flat_account(building, number, email=None, phone=None):
    Account = Pool().get('housing.account')
    flat = create_premises(building, number, [(D(2019, 1, 1), Decimal(50))])
    account = create_account(flat, '20%s%s' % (building.id, number),
        [(D(2019, 1, 1), create_party("Жилец %s" % number))],
        opened=D(2019, 1, 1))
    Account.write([account], {'email': email, 'phone': phone})
    return account


class NotificationCampaignTestCase(NotificationTestCase):

    @with_transaction()
    def test_default_channels_and_preferences(self):
        "No preference: e-mail on, SMS off; a line turns either on or off"
        company = create_company()
        with set_company(company):
            account = flat_account(create_building(), '1')
            self.assertEqual(account.notification_channels('debt'),
                ['email'])
            prefer(account, 'debt', 'sms', True)
            prefer(account, 'debt', 'email', False)
            self.assertEqual(account.notification_channels('debt'), ['sms'])
            self.assertEqual(account.notification_channels('meeting'),
                ['email'])

    @with_transaction()
    def test_phone_checked(self):
        "A phone that is not a Russian mobile number is refused by name"
        Account = Pool().get('housing.account')
        company = create_company()
        with set_company(company):
            account = flat_account(create_building(), '1')
            with self.assertRaises(NoticeError) as context:
                Account.write([account], {'phone': '+7 495 123-45-67'})
            self.assertIn('+7 495 123-45-67', context.exception.message)
            Account.write([account], {'phone': '8 (912) 345-67-89'})
            self.assertEqual(account.notification_address('sms'),
                '79123456789')

    @with_transaction()
    def test_template_checked(self):
        "An unknown placeholder or a broken brace is refused, named"
        company = create_company()
        with set_company(company):
            with self.assertRaises(NoticeError) as context:
                new_campaign('meeting', date=D(2026, 2, 1),
                    date_from=D(2026, 2, 20), text="Долг {dolg}")
            self.assertIn('{dolg}', context.exception.message)
            with self.assertRaises(NoticeError):
                new_campaign('meeting', date=D(2026, 2, 1),
                    date_from=D(2026, 2, 20), subject="Собрание {date")
            with self.assertRaises(NoticeError):
                new_campaign('debt', date=D(2026, 2, 1),
                    threshold=Decimal('-1'))

    @with_transaction()
    def test_debt_threshold_email_and_sms_once(self):
        "Debts above the threshold by e-mail and SMS, each event once"
        Campaign = Pool().get('housing.notification.campaign')
        company = create_company()
        with set_company(company), Loopback() as loopback:
            ivanov, petrov = setup_debtors(company)
            prefer(ivanov, 'debt', 'sms', True)

            # 8 850.00 is not above a threshold of 8 850.00.
            campaign = new_campaign('debt', date=D(2026, 1, 10),
                threshold=Decimal('8850.00'))
            Campaign.preview([campaign])
            self.assertEqual(campaign.recipients, ())

            campaign = new_campaign('debt', date=D(2026, 1, 10),
                threshold=Decimal('8849.99'))
            Campaign.preview([campaign])
            self.assertEqual(
                [(r.account, r.channel, r.address, r.state)
                    for r in campaign.recipients],
                [(ivanov, 'email', 'ivanov@example.ru', 'to_send'),
                    (ivanov, 'sms', '79123456789', 'to_send')])
            text = ("Уважаемый(ая) Иванов Иван Иванович! По лицевому счёту "
                "1000234567 (ул. Садовая, д. 1, кв. 5) на 10.01.2026 "
                "задолженность 8 850,00 руб. Просим оплатить её. "
                "%s" % company.rec_name)
            self.assertEqual({r.text for r in campaign.recipients}, {text})

            campaign = send(campaign)
            self.assertEqual(
                (campaign.state, campaign.sent, campaign.failed),
                ('done', 2, 0))
            mail, = loopback.inbox.messages
            self.assertEqual(mail['To'], 'ivanov@example.ru')
            self.assertEqual(mail['From'], FROM)
            self.assertEqual(header(mail['Subject']),
                "Задолженность по лицевому счёту 1000234567")
            self.assertEqual(mail.get_payload(decode=True).decode('utf-8'),
                text + '\n')
            sms, = loopback.sms.messages
            self.assertEqual((sms['to'], sms['msg'], sms['from']),
                ('79123456789', text, 'UK-Primer'))
            self.assertEqual(
                sorted((log.channel, log.state, log.event_key,
                        log.message_id, log.attempts)
                    for log in campaign.logs),
                [('email', 'sent', 'debt:2026-01', mail['Message-ID'], 1),
                    ('sms', 'sent', 'debt:2026-01', sms['id'], 1)])

            # Another campaign for January's debts: the event is logged.
            again = new_campaign('debt', date=D(2026, 1, 20),
                threshold=Decimal('0'))
            Campaign.preview([again])
            self.assertEqual([r.state for r in again.recipients],
                ['sent', 'sent'])
            again = send(again)
            chunk, = again.chunks
            self.assertEqual((chunk.sent, chunk.failed, chunk.skipped),
                (0, 0, 2))
            self.assertEqual(len(loopback.inbox.messages), 1)
            self.assertEqual(len(loopback.sms.messages), 1)

            # February is a new event.
            february = send(new_campaign('debt', date=D(2026, 2, 10),
                    threshold=Decimal('0')))
            self.assertEqual(february.sent, 2)
            self.assertEqual(len(loopback.inbox.messages), 2)

    @with_transaction()
    def test_opt_out(self):
        "An account that turned the debt e-mails off gets none"
        Campaign = Pool().get('housing.notification.campaign')
        company = create_company()
        with set_company(company), Loopback() as loopback:
            ivanov, _ = setup_debtors(company)
            prefer(ivanov, 'debt', 'email', False)
            self.assertEqual(ivanov.notification_channels('debt'), [])
            campaign = new_campaign('debt', date=D(2026, 1, 10),
                threshold=Decimal('0'))
            Campaign.preview([campaign])
            self.assertEqual(campaign.recipients, ())
            campaign = send(campaign)
            self.assertEqual((campaign.chunks, campaign.logs), ((), ()))
            self.assertEqual(loopback.inbox.messages, [])

            # The other kinds still come by e-mail.
            meeting = send(new_campaign('meeting', date=D(2026, 1, 10),
                    date_from=D(2026, 1, 25)))
            self.assertEqual(
                sorted(m['To'] for m in loopback.inbox.messages),
                ['ivanov@example.ru', 'petrov@example.ru'])
            self.assertEqual(meeting.sent, 2)

    @with_transaction()
    def test_failure_then_retry(self):
        "Relay down and a number refused: failed, then sent by Send again"
        company = create_company()
        with set_company(company), Loopback() as loopback:
            building = create_building()
            account = flat_account(building, '1', email='a1@example.ru',
                phone='+79120000001')
            prefer(account, 'outage', 'sms', True)
            loopback.stop_smtp()
            loopback.sms.refused.add('79120000001')

            campaign = send(new_campaign('outage', date=D(2026, 2, 1),
                    date_from=D(2026, 2, 3), date_to=D(2026, 2, 4)))
            self.assertEqual(
                (campaign.state, campaign.sent, campaign.failed),
                ('done', 0, 2))
            errors = {log.channel: log.error for log in campaign.logs}
            self.assertIn('Connection refused', errors['email'])
            self.assertTrue(errors['sms'].startswith('207: '))
            self.assertEqual(
                [r.state for r in campaign.recipients], ['failed', 'failed'])

            loopback.start_smtp()
            loopback.sms.refused.clear()
            campaign = send(campaign)
            self.assertEqual((campaign.sent, campaign.failed), (2, 0))
            self.assertEqual(
                sorted((log.channel, log.state, log.attempts, log.error)
                    for log in campaign.logs),
                [('email', 'sent', 2, None), ('sms', 'sent', 2, None)])
            self.assertEqual(len(loopback.inbox.messages), 1)
            self.assertEqual(len(loopback.sms.messages), 1)

            # Nothing left to send: a third press sends nothing.
            campaign = send(campaign)
            self.assertEqual(len(loopback.inbox.messages), 1)
            self.assertEqual(len(loopback.sms.messages), 1)

    @with_transaction()
    def test_outage_for_buildings(self):
        "An outage for two buildings of three: their accounts, by building"
        company = create_company()
        with set_company(company), Loopback() as loopback:
            first = create_building("ул. Ленина, д. 1")
            second = create_building("ул. Ленина, д. 3")
            third = create_building("ул. Мира, д. 2")
            for building in [first, second, third]:
                flat_account(building, '1',
                    email='b%s@example.ru' % building.id)
            campaign = send(new_campaign('outage', date=D(2026, 2, 1),
                    date_from=D(2026, 2, 3), date_to=D(2026, 2, 4),
                    buildings=[first, second]))
            self.assertEqual([c.building for c in campaign.chunks],
                [first, second])
            self.assertEqual(sorted(m['To'] for m in loopback.inbox.messages),
                sorted(['b%s@example.ru' % first.id,
                        'b%s@example.ru' % second.id]))
            texts = {m.get_payload(decode=True).decode('utf-8').strip()
                for m in loopback.inbox.messages}
            self.assertIn("Уважаемые жители дома ул. Ленина, д. 3! С "
                "03.02.2026 по 04.02.2026 плановое отключение. %s"
                % company.rec_name, texts)

    @with_transaction()
    def test_verification_due(self):
        "One notice per meter falling due in the window, keyed by its date"
        pool = Pool()
        Campaign = pool.get('housing.notification.campaign')
        Meter = pool.get('housing.meter')
        company = create_company()
        with set_company(company), Loopback():
            building = create_building()
            account = flat_account(building, '1', email='a1@example.ru')
            service = create_service('HVS')
            meters = Meter.create([{
                        'service': service.id, 'building': building.id,
                        'premises': account.premises.id,
                        'serial_number': serial,
                        'installation_date': D(2020, 1, 10),
                        'installation_value1': Decimal(0),
                        'verification_due': due,
                        } for serial, due in [
                        ('ХВ-1', D(2026, 3, 15)), ('ХВ-2', D(2026, 9, 1))]])
            campaign = new_campaign('verification', date=D(2026, 2, 1),
                date_from=D(2026, 2, 1), date_to=D(2026, 4, 30))
            Campaign.preview([campaign])
            recipient, = campaign.recipients
            self.assertEqual(recipient.event_key,
                'verification:%s:2026-03-15' % meters[0].id)
            self.assertEqual(recipient.text,
                "Лицевой счёт %s: срок поверки счётчика № ХВ-1 истекает "
                "15.03.2026. Поверьте или замените его. %s"
                % (account.number, company.rec_name))
            campaign = send(campaign)
            self.assertEqual(campaign.sent, 1)

            # Verified: a new due date is a new event.
            Meter.write([meters[0]], {'verification_due': D(2026, 4, 1)})
            later = send(new_campaign('verification', date=D(2026, 2, 2),
                    date_from=D(2026, 2, 1), date_to=D(2026, 4, 30)))
            self.assertEqual(later.sent, 1)

    @with_transaction()
    def test_reading_window(self):
        "The reading window comes from the housing configuration"
        pool = Pool()
        Campaign = pool.get('housing.notification.campaign')
        Configuration = pool.get('housing.configuration')
        company = create_company()
        with set_company(company):
            configuration = Configuration(1)
            configuration.reading_day_from = 20
            configuration.reading_day_to = 31
            configuration.save()
            account = flat_account(create_building(), '1',
                email='a1@example.ru')
            campaign = new_campaign('reading_window', date=D(2026, 2, 10))
            self.assertEqual((campaign.date_from, campaign.date_to),
                (D(2026, 2, 20), D(2026, 2, 28)))
            Campaign.preview([campaign])
            recipient, = campaign.recipients
            self.assertEqual(recipient.event_key, 'reading_window:2026-02')
            self.assertEqual(recipient.text,
                "Лицевой счёт %s: передайте показания счётчиков с "
                "20.02.2026 по 28.02.2026. %s"
                % (account.number, company.rec_name))
