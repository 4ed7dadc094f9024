# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""Log-in with the receipt's number and first password, its change, the
session (a new id at log-in, log-out, expiry), log-in by verified e-mail,
reset by e-mail through an SMTP server on loopback, and throttling."""
import datetime as dt
from types import SimpleNamespace
from urllib.parse import urlsplit

from trytond import config
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME
from trytond.transaction import Transaction

from .tools import Mailbox, PortalTestCase, committed, new_resident

NEW_PASSWORD = 'kvartira-2026'


class PortalAuthTestCase(PortalTestCase):
    "Test the portal's log-in"

    def first_login(self, resident, password=NEW_PASSWORD):
        portal = self.client()
        response = portal.log_in(resident.number, resident.password)
        self.assertEqual(response.status_code, 303)
        self.assertTrue(response.headers['Location'].endswith('/password'))
        response = portal.get('password')
        self.assertIn('first log-in', response.get_data(as_text=True))
        response = portal.post('password', {'current': resident.password,
                'password': password, 'confirm': password})
        self.assertEqual(response.status_code, 303)
        return portal

    def test_first_password_must_change(self):
        "The first password opens the portal only to be changed"
        data = SimpleNamespace(b=new_resident('101'))
        portal = self.client()
        portal.log_in(data.b.number, data.b.password)
        # Every page leads to the password form until it is changed.
        response = portal.get('')
        self.assertTrue(response.headers['Location'].endswith('/password'))
        portal.get('password')
        response = portal.post('password', {'current': data.b.password,
                'password': data.b.password, 'confirm': data.b.password})
        self.assertEqual(response.status_code, 400)
        self.assertIn('other than the one printed',
            response.get_data(as_text=True))
        response = portal.post('password', {'current': data.b.password,
                'password': 'short', 'confirm': 'short'})
        self.assertIn('at least 8', response.get_data(as_text=True))
        response = portal.post('password', {'current': data.b.password,
                'password': NEW_PASSWORD, 'confirm': NEW_PASSWORD + 'x'})
        self.assertIn('differ', response.get_data(as_text=True))
        response = portal.post('password', {'current': data.b.password,
                'password': NEW_PASSWORD, 'confirm': NEW_PASSWORD})
        self.assertEqual(response.status_code, 303)
        page = portal.get('').get_data(as_text=True)
        self.assertIn(data.b.number, page)
        with Transaction().start(DB_NAME, 0):
            User = Pool().get('web.user')
            user, = User.search([('login_account', '=', data.b.id)])
            # Not printed any more: the receipt shows no password.
            self.assertIsNone(user.first_password)
            self.assertFalse(user.password_expired)
        # The first password is gone, the new one works.
        other = self.client()
        self.assertEqual(other.log_in(
                data.b.number, data.b.password).status_code, 401)
        self.assertEqual(other.log_in(
                data.b.number, NEW_PASSWORD).status_code, 303)

    def test_session_rotates_and_ends(self):
        "A session id set before log-in is replaced; log-out ends it"
        portal = self.client()
        portal.get('login')
        portal.client.set_cookie('portal_session', 'fixed-by-attacker',
            path=portal.base)
        response = portal.post('login', {'login': self.data.a.number,
                'password': self.data.a.password})
        self.assertEqual(response.status_code, 303)
        session = portal.cookie('portal_session')
        self.assertTrue(session)
        self.assertNotEqual(session, 'fixed-by-attacker')
        set_cookie = response.headers['Set-Cookie']
        self.assertIn('HttpOnly', ''.join(
                response.headers.getlist('Set-Cookie')))
        self.assertIn('SameSite=Lax', set_cookie)
        # A second log-in gives another id again.
        portal.get('password')
        self.assertEqual(portal.post('logout').status_code, 303)
        self.assertFalse(portal.cookie('portal_session'))
        response = portal.get('')
        self.assertTrue(response.headers['Location'].endswith('/login'))
        portal.log_in(self.data.a.number, self.data.a.password)
        self.assertNotIn(portal.cookie('portal_session'), {None, session})
        # The old id opens nothing.
        thief = self.client()
        thief.client.set_cookie('portal_session', session, path=thief.base)
        response = thief.get('')
        self.assertTrue(response.headers['Location'].endswith('/login'))

    def test_session_expires(self):
        "A session idle longer than the timeout is closed"
        portal = self.client()
        portal.log_in(self.data.a.number, self.data.a.password)
        if not config.has_section('housing_portal'):
            config.add_section('housing_portal')
        config.set('housing_portal', 'session_timeout', '-1')
        try:
            response = portal.get('password')
        finally:
            config.set('housing_portal', 'session_timeout', '1800')
        self.assertEqual(response.status_code, 303)
        self.assertTrue(response.headers['Location'].endswith('/login'))

    def test_wrong_password_throttled(self):
        "After five failures the log-in is refused, even the right password"
        portal = self.client()
        number = self.data.b.number
        for _ in range(5):
            self.assertEqual(
                portal.log_in(number, 'wrong-password').status_code, 401)
        response = portal.log_in(number, self.data.b.password)
        self.assertEqual(response.status_code, 429)
        self.assertIn('Too many', response.get_data(as_text=True))
        with Transaction().start(DB_NAME, 0) as transaction:
            Attempt = Pool().get('web.user.authenticate.attempt')
            Attempt.remove('portal:' + number)
            transaction.commit()
        self.assertEqual(
            portal.log_in(number, self.data.b.password).status_code, 303)

    def test_unknown_login(self):
        "An unknown number gets the same answer as a wrong password"
        response = self.client().log_in('999', 'whatever-pass')
        self.assertEqual(response.status_code, 401)
        self.assertIn('log-in or the password is wrong',
            response.get_data(as_text=True))

    def test_email_verify_login_and_reset(self):
        "A verified e-mail logs in and resets the password by a mailed link"
        resident = new_resident('102')
        portal = self.first_login(resident)
        with Mailbox() as mailbox:
            response = portal.post('profile/email',
                {'email': 'Ivanov@Example.ru'})
            self.assertEqual(response.status_code, 303)
            message, = mailbox.messages
            self.assertEqual(message['To'], 'ivanov@example.ru')
            link = mailbox.link()
            # Not verified yet: no log-in by e-mail.
            other = self.client()
            self.assertEqual(other.log_in(
                    'ivanov@example.ru', NEW_PASSWORD).status_code, 401)
            parts = urlsplit(link)
            response = other.get(parts.path.split('/portal/', 1)[1]
                + '?' + parts.query)
            self.assertIn('is confirmed', response.get_data(as_text=True))
            self.assertEqual(other.log_in(
                    'ivanov@example.ru', NEW_PASSWORD).status_code, 303)

            # Reset: the same answer for an unknown address, no mail.
            anonymous = self.client()
            anonymous.get('reset')
            response = anonymous.post('reset',
                {'email': 'nobody@example.ru'})
            self.assertIn('If this address', response.get_data(as_text=True))
            self.assertEqual(len(mailbox.messages), 1)
            anonymous.post('reset', {'email': 'ivanov@example.ru'})
            self.assertEqual(len(mailbox.messages), 2)
            parts = urlsplit(mailbox.link())
            path = parts.path.split('/portal/', 1)[1] + '?' + parts.query
            response = anonymous.get(path)
            self.assertEqual(response.status_code, 200)
            query = dict(p.split('=', 1) for p in parts.query.split('&'))
            from urllib.parse import unquote
            response = anonymous.post('reset/confirm', {
                    'token': 'wrong', 'email': unquote(query['email']),
                    'password': 'reset-password-1',
                    'confirm': 'reset-password-1'})
            self.assertEqual(response.status_code, 400)
        # A wrong token consumed the reset (web.user's rule): ask again.
        with Transaction().start(DB_NAME, 0) as transaction:
            User = Pool().get('web.user')
            user, = User.search([('email', '=', 'ivanov@example.ru')])
            user.set_reset_password_token()
            user.save()
            token = user.reset_password_token
            transaction.commit()
        response = anonymous.post('reset/confirm', {
                'token': token, 'email': 'ivanov@example.ru',
                'password': 'reset-password-1',
                'confirm': 'reset-password-1'})
        self.assertEqual(response.status_code, 303)
        self.assertEqual(self.client().log_in(
                'ivanov@example.ru', 'reset-password-1').status_code, 303)
        self.assertEqual(self.client().log_in(
                resident.number, NEW_PASSWORD).status_code, 401)

    def test_session_kept_alive(self):
        "A page opened after a pause renews the session, a GET too"
        portal = self.client()
        portal.log_in(self.data.a.number, self.data.a.password)
        key = portal.cookie('portal_session')
        before = dt.datetime.now() - dt.timedelta(seconds=600)

        def age():
            Session = Pool().get('web.user.session')
            table = Session.__table__()
            cursor = Transaction().connection.cursor()
            cursor.execute(*table.update([table.create_date,
                        table.write_date], [before, before],
                    where=table.key == key))

        def last():
            Session = Pool().get('web.user.session')
            session, = Session.search([('key', '=', key)])
            return session.last_modified_at
        committed(age)
        self.assertEqual(portal.get('password').status_code, 200)
        self.assertGreater(committed(last), before)
