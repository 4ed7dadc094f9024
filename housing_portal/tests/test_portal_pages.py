# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""The resident's pages: readings through the staff's checks, history,
payments, receipts, movements whose balance is the ledger's, the payment
QR; linking a second account; and the probes of another resident's data
(IDOR) and of forms without their CSRF token."""
import datetime as dt
import re
from decimal import Decimal

import zxingcpp
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME
from trytond.transaction import Transaction

from .tools import PortalTestCase, committed, new_resident

PASSWORD = 'my-own-password-1'


def ledger_balance(account_id):
    Line = Pool().get('account.move.line')
    return sum((line.debit - line.credit for line in Line.search([
                    ('housing_account', '=', account_id),
                    ('move.state', '=', 'posted'),
                    ])), Decimal(0))


def text(response):
    return response.get_data(as_text=True)


class PortalPagesTestCase(PortalTestCase):
    "Test the portal's pages"

    def logged_in(self, resident):
        "A portal session of the resident, the password changed once."
        portal = self.client()
        portal.log_in(resident.number, getattr(
                resident, 'own_password', resident.password))
        if not getattr(resident, 'own_password', None):
            portal.get('password')
            response = portal.post('password', {
                    'current': resident.password,
                    'password': PASSWORD, 'confirm': PASSWORD})
            self.assertEqual(response.status_code, 303)
            resident.own_password = PASSWORD
        portal.get('')
        return portal

    def test_dashboard_and_movements_equal_ledger(self):
        "The dashboard's and the movements' balance is the ledger's"
        a = self.data.a
        portal = self.logged_in(a)
        page = text(portal.get(''))
        with Transaction().start(DB_NAME, 0):
            balance = ledger_balance(a.id)
        self.assertNotEqual(balance, 0)
        shown = '{:,.2f}'.format(balance)
        self.assertIn(shown, page)
        self.assertNotIn(self.data.b.number, page)
        page = text(portal.get('a/%s/movements' % a.id))
        rows = re.findall(r'<tr><td>(.*?)</td></tr>', page)
        self.assertGreaterEqual(len(rows), 4)
        # The last running balance is the ledger's balance.
        self.assertTrue(rows[-1].endswith('₽%s' % shown), rows[-1])
        self.assertIn('Payment', page)
        self.assertIn('Penalties', page)

    def test_payments_receipts_pay(self):
        "Payments, receipts with their PDF, the QR of the receipt"
        a = self.data.a
        portal = self.logged_in(a)
        page = text(portal.get('a/%s/payments' % a.id))
        self.assertIn('₽3,000.00', page)
        self.assertIn('ПП-2026-01-20', page)
        page = text(portal.get('a/%s/receipts' % a.id))
        link, = re.findall(r'href="/[^"]*/portal/(receipt/[^"]+)"', page)
        response = portal.get(link)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.mimetype, 'application/pdf')
        self.assertEqual(response.data, b'%PDF-1.4 receipt of ' + a.number
            .encode())
        page = text(portal.get('a/%s/pay' % a.id))
        self.assertIn('Penalties (paid apart)', page)
        response = portal.get('a/%s/qr.svg' % a.id)
        self.assertEqual(response.mimetype, 'image/svg+xml')
        self.assertIn(b'<svg', response.data)

    def test_qr_svg_decodes(self):
        "The payment QR drawn as SVG reads back as the receipt's payload"
        from ..routes_account import qr_svg
        payload = ('ST00012|Name=ООО «УК»|PersonalAcc=40702810200000012345'
            '|Sum=500000|PersAcc=1000234567')
        svg = qr_svg(payload)
        size = int(re.search(r'width="(\d+)"', svg).group(1))
        image = rasterize(svg, size)
        text_, = [b.text for b in zxingcpp.read_barcodes(image)]
        self.assertEqual(text_, payload)

    def test_reading_submission(self):
        "A reading goes through the staff's checks; the last of a day wins"
        resident = self.data.a
        portal = self.logged_in(resident)
        meter = resident.meter
        path = 'a/%s/readings' % resident.id
        page = text(portal.get(path))
        self.assertIn('A-1', page)
        self.assertIn('Last reading: 110', page)
        # Lower than the previous reading: the staff's message.
        response = portal.post(path, {'meter': meter, 'value1': '105'})
        self.assertEqual(response.status_code, 400)
        self.assertIn('lower', text(response))
        self.assertIn('value="105"', text(response))
        response = portal.post(path, {'meter': meter, 'value1': '120,12345'})
        self.assertEqual(response.status_code, 400)
        self.assertIn('decimal places', text(response))
        response = portal.post(path, {'meter': meter, 'value1': 'abc'})
        self.assertEqual(response.status_code, 400)
        response = portal.post(path, {'meter': meter, 'value1': '120,5'})
        self.assertEqual(response.status_code, 303)
        page = text(portal.get(response.headers['Location'].split(
                    '/portal/', 1)[1]))
        self.assertIn('received: 120.5', page)
        response = portal.post(path, {'meter': meter, 'value1': '121'})
        self.assertEqual(response.status_code, 303)

        def stored():
            pool = Pool()
            Reading = pool.get('housing.meter.reading')
            Revision = pool.get('housing.meter.reading.revision')
            today = pool.get('ir.date').today()
            readings = Reading.search([
                    ('meter', '=', meter), ('date', '=', today)])
            revisions = Revision.search([
                    ('meter', '=', meter), ('date', '=', today)])
            return ([(r.value1, r.source) for r in readings],
                [r.value1 for r in revisions])
        readings, revisions = committed(stored)
        self.assertEqual(readings, [(Decimal('121'), 'portal')])
        self.assertEqual(revisions, [Decimal('120.5')])
        page = text(portal.get('a/%s/history' % resident.id))
        self.assertIn('<svg class="chart"', page)
        self.assertIn('Consumption of', page)
        # 121 − 110 since the reading of 20 December 2025.
        self.assertIn('<td class="num">11</td>', page)

    def test_reading_after_receipts_counts_next_period(self):
        "After the month's receipts a reading counts for the next one"
        resident = new_resident('201')

        def receipt_this_month():
            pool = Pool()
            Receipt = pool.get('housing.receipt')
            Account = pool.get('housing.account')
            Meter = pool.get('housing.meter')
            account = Account(resident.id)
            today = pool.get('ir.date').today()
            Receipt.create([{
                        'company': account.company.id,
                        'account': account.id,
                        'building': account.premises.building.id,
                        'period': today.replace(day=1), 'version': 1,
                        'state': 'current', 'amount': Decimal('10.00'),
                        }])
            meter, = Meter.create([{
                        'service': Pool().get('housing.service').search(
                            [])[0].id,
                        'building': account.premises.building.id,
                        'premises': account.premises.id,
                        'serial_number': 'N-1',
                        'installation_date': dt.date(2019, 1, 1),
                        'installation_value1': Decimal('0'),
                        }])
            following = (today.replace(day=1)
                + dt.timedelta(days=32)).replace(day=1)
            return meter.id, following.strftime('%m.%Y')
        meter, following = committed(receipt_this_month)
        portal = self.logged_in(resident)
        path = 'a/%s/readings' % resident.id
        page = text(portal.get(path))
        self.assertIn('counts for %s' % following, page)
        response = portal.post(path, {'meter': meter, 'value1': '5'})
        self.assertEqual(response.status_code, 303)

    def test_link_second_account(self):
        "An owner links a second flat by its number and last amount"
        resident = new_resident('301')
        b = self.data.b
        portal = self.logged_in(resident)
        portal.get('link')
        response = portal.post('link', {'number': b.number,
                'amount': '4 321,00'})
        self.assertEqual(response.status_code, 400)
        self.assertNotIn(b.number, text(portal.get('')))
        response = portal.post('link', {'number': b.number,
                'amount': '4 321,09'})
        self.assertEqual(response.status_code, 303)
        page = text(portal.get(''))
        self.assertIn(b.number, page)
        self.assertIn(resident.number, page)
        self.assertEqual(portal.get(
                'a/%s/payments' % b.id).status_code, 200)

    def test_idor_probes(self):
        "Resident A reaches none of B's data through any URL or field"
        a, b = self.data.a, self.data.b
        portal = self.logged_in(a)
        for path in ['a/%s/readings', 'a/%s/history', 'a/%s/payments',
                'a/%s/receipts', 'a/%s/movements', 'a/%s/pay',
                'a/%s/qr.svg']:
            response = portal.get(path % b.id)
            self.assertEqual(response.status_code, 404, path)
            self.assertNotIn(b.number, text(response))
        response = portal.get('receipt/%s/x.pdf' % b.receipt)
        self.assertEqual(response.status_code, 404)
        self.assertNotIn(b'receipt of', response.data)
        # B's meter through A's account, and through B's account.
        portal.get('a/%s/readings' % a.id)
        for account in [a.id, b.id]:
            response = portal.post('a/%s/readings' % account,
                {'meter': b.meter, 'value1': '999'})
            self.assertEqual(response.status_code, 404)
        # The confirmation of B's reading is not shown to A.
        page = text(portal.get('a/%s/readings?sent=%s' % (a.id, 1)))
        self.assertNotIn('B-1', page)
        # E-receipts of B's account through the profile form.
        portal.get('profile')
        portal.post('profile/e_receipt', {'e_receipt': str(b.id)})

        def b_state():
            pool = Pool()
            Reading = pool.get('housing.meter.reading')
            Account = pool.get('housing.account')
            account = Account(b.id)
            return (len(Reading.search([('meter', '=', b.meter)])),
                account.email, account.e_receipt)
        self.assertEqual(committed(b_state), (1, None, False))

    def test_notification_preferences(self):
        "The phone and the notices chosen are what the notifications read"
        a = self.data.a
        portal = self.logged_in(a)
        page = text(portal.get('profile'))
        form = notification_form(page, a.id)
        # Without a choice: e-mail on, SMS off, for every kind.
        self.assertIn('value="debt:email" checked', form)
        self.assertIn('value="debt:sms">', form)
        self.assertIn('Reminders to send meter readings', form)
        response = portal.post('profile/notifications', {
                'account': str(a.id), 'phone': '8 (916) 123-45-67',
                'notify': ['debt:sms', 'meeting:email',
                    'reading_window:email', 'reading_window:sms',
                    'unknown:email', 'debt:fax'],
                })
        self.assertEqual(response.status_code, 303)
        location = response.headers['Location'].split('/portal/', 1)[1]
        page = text(portal.get(location))
        self.assertIn('Your phone and notice settings are saved.', page)
        form = notification_form(page, a.id)
        self.assertIn('value="+79161234567"', form)
        self.assertIn('value="debt:sms" checked', form)
        self.assertIn('value="debt:email">', form)

        def stored():
            pool = Pool()
            Account = pool.get('housing.account')
            Preference = pool.get('housing.notification.preference')
            account = Account(a.id)
            with Transaction().set_context(active_test=False):
                preferences = Preference.search([
                        ('account', '=', a.id)])
            return (account.phone,
                {kind: account.notification_channels(kind)
                    for kind in ['debt', 'meeting', 'inspection', 'outage',
                        'verification', 'reading_window']},
                len(preferences))
        phone, channels, count = committed(stored)
        self.assertEqual(phone, '79161234567')
        self.assertEqual(channels, {
                'debt': ['sms'], 'meeting': ['email'], 'inspection': [],
                'outage': [], 'verification': [],
                'reading_window': ['email', 'sms']})
        # A line per kind and channel.
        self.assertEqual(count, 12)
        # Changed again: the lines are updated, none added.
        response = portal.post('profile/notifications', {
                'account': str(a.id), 'phone': '+7 916 123-45-67',
                'notify': ['outage:email']})
        self.assertEqual(response.status_code, 303)
        phone, channels, count = committed(stored)
        self.assertEqual(phone, '79161234567')
        self.assertEqual(channels['outage'], ['email'])
        self.assertEqual(channels['debt'], [])
        self.assertEqual(count, 12)

    def test_notification_phone_invalid(self):
        "A phone that is not a mobile number is refused, naming it"
        resident = new_resident('401')
        portal = self.logged_in(resident)
        portal.get('profile')
        response = portal.post('profile/notifications', {
                'account': str(resident.id), 'phone': '12-34 abc',
                'notify': ['debt:email']})
        self.assertEqual(response.status_code, 400)
        page = text(response)
        self.assertIn('&#34;12-34 abc&#34; is not a mobile phone number',
            page)
        # What was sent is shown again.
        self.assertIn('value="12-34 abc"', notification_form(page,
                resident.id))
        # SMS needs a phone.
        response = portal.post('profile/notifications', {
                'account': str(resident.id), 'phone': '',
                'notify': ['debt:sms']})
        self.assertEqual(response.status_code, 400)
        self.assertIn('Enter a mobile phone number to receive the notices '
            'of account 401 by SMS', text(response))

        def stored():
            pool = Pool()
            Account = pool.get('housing.account')
            Preference = pool.get('housing.notification.preference')
            with Transaction().set_context(active_test=False):
                return (Account(resident.id).phone, Preference.search_count(
                        [('account', '=', resident.id)]))
        self.assertEqual(committed(stored), (None, 0))

    def test_notification_idor(self):
        "Another resident's account is not found and keeps its settings"
        a, b = self.data.a, self.data.b
        portal = self.logged_in(a)
        page = text(portal.get('profile'))
        self.assertNotIn('notify-%s"' % b.id, page)
        response = portal.post('profile/notifications', {
                'account': str(b.id), 'phone': '+7 999 000-00-00',
                'notify': ['debt:sms']})
        self.assertEqual(response.status_code, 404)
        self.assertNotIn(b.number, text(response))
        for account in ['', 'x', '-1']:
            response = portal.post('profile/notifications', {
                    'account': account, 'phone': '+7 999 000-00-00'})
            self.assertEqual(response.status_code, 404)
        # Without the form's token, on A's own account: refused too.
        response = portal.post('profile/notifications', {
                'account': str(a.id), 'phone': '+7 999 000-00-00'},
            csrf=False)
        self.assertEqual(response.status_code, 403)

        def stored():
            pool = Pool()
            Account = pool.get('housing.account')
            Preference = pool.get('housing.notification.preference')
            with Transaction().set_context(active_test=False):
                return ([Account(i).phone for i in [a.id, b.id]],
                    Preference.search_count([('account', '=', b.id)]),
                    Account(b.id).notification_channels('debt'))
        phones, count, channels = committed(stored)
        self.assertNotIn('79990000000', phones)
        self.assertEqual(count, 0)
        self.assertEqual(channels, ['email'])

    def test_csrf_refused(self):
        "A form without its token, or with another's, changes nothing"
        a = self.data.a
        portal = self.logged_in(a)
        path = 'a/%s/readings' % a.id
        response = portal.post(path, {'meter': a.meter, 'value1': '500'},
            csrf=False)
        self.assertEqual(response.status_code, 403)
        other = self.logged_in(self.data.b)
        response = portal.post(path, {'meter': a.meter, 'value1': '500',
                'csrf_token': other.token})
        self.assertEqual(response.status_code, 403)
        response = portal.post('logout', {'csrf_token': 'x'})
        self.assertEqual(response.status_code, 403)
        self.assertEqual(portal.get('').status_code, 200)
        anonymous = self.client()
        response = anonymous.post('login', {'login': a.number,
                'password': PASSWORD}, csrf=False)
        self.assertEqual(response.status_code, 403)

        def values():
            Reading = Pool().get('housing.meter.reading')
            return [r.value1 for r in Reading.search(
                    [('meter', '=', a.meter)])]
        self.assertNotIn(Decimal('500'), committed(values))

    def test_headers_and_language(self):
        "Security headers; Russian by default, English on request"
        portal = self.client(language=None)
        response = portal.get('login')
        self.assertIn("frame-ancestors 'none'",
            response.headers['Content-Security-Policy'])
        self.assertEqual(response.headers['X-Frame-Options'], 'DENY')
        self.assertIn('lang="ru"', text(response))
        response = portal.get('login?lang=en')
        self.assertIn('lang="en"', text(response))
        self.assertIn('Log in', text(response))
        self.assertEqual(portal.cookie('portal_lang'), 'en')


def notification_form(page, account_id):
    "The section of the profile with the notices of account_id."
    match = re.search(r'<section class="card" id="notify-%s">(.*?)</section>'
        % account_id, page, re.S)
    assert match, page
    return match.group(1)


def rasterize(svg, size):
    """The SVG of zxing-cpp (rectangles and a path of h/v/Z moves) painted
    on a PIL image, enough to decode it again."""
    from PIL import Image, ImageDraw
    image = Image.new('L', (size, size), 255)
    draw = ImageDraw.Draw(image)
    for path in re.findall(r' d="([^"]+)"', svg):
        for x, y, moves in re.findall(r'M(\d+) (\d+)([^M]*)', path):
            points = [(int(x), int(y))]
            for move, value in re.findall(r'([hv])(-?\d+)', moves):
                px, py = points[-1]
                points.append((px + int(value), py) if move == 'h'
                    else (px, py + int(value)))
            draw.polygon(points, fill=0)
    return image
