# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""Residents' log-ins: Tryton's web users, each owning the personal accounts
it may see. An account gets a web user and a first password when its
receipt is prepared; the password is kept in clear only until the resident
logs in the first time and changes it, so that the receipt can print it
(and, being readable anyway, it is not hashed: Tryton's hash costs a third
of a second, hours for the first receipts of a large company)."""
import datetime
import hmac
import secrets

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Unique, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.tools import grouped_slice

from .exceptions import PortalError

# No 0/O, 1/l/I: the password is read off paper and typed by hand.
PASSWORD_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789'
FIRST_PASSWORD_LENGTH = 10


def new_first_password():
    return ''.join(secrets.choice(PASSWORD_ALPHABET)
        for _ in range(FIRST_PASSWORD_LENGTH))


class WebUser(metaclass=PoolMeta):
    __name__ = 'web.user'

    login_account = fields.Many2One(
        'housing.account', "Log-in Account", ondelete='CASCADE',
        readonly=True,
        help="The personal account whose number is this user's log-in.")
    first_password = fields.Char(
        "First Password", readonly=True, strip=False,
        help="Printed on the receipt until the resident's first log-in.")
    password_expired = fields.Boolean(
        "Password Must Change", readonly=True,
        help="The resident must choose a password at the next log-in.")
    portal_accounts = fields.One2Many(
        'housing.portal.account', 'user', "Personal Accounts")
    portal_language = fields.Selection([
            ('ru', "Russian"),
            ('en', "English"),
            ], "Portal Language", required=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        # A resident may log in with the account number alone.
        cls.email.states = cls.email.states.copy()
        cls.email.states['required'] = (
            Eval('active', True) & ~Eval('login_account'))
        cls.email.depends = set(cls.email.depends) | {'login_account'}
        cls._sql_constraints += [
            ('login_account_unique', Unique(t, t.login_account),
                'housing_portal.msg_login_account_unique'),
            ]
        cls._sql_indexes.add(Index(t, (t.login_account, Index.Equality()),
                where=t.login_account != None))  # noqa: E711

    @staticmethod
    def default_password_expired():
        return False

    @staticmethod
    def default_portal_language():
        return 'ru'

    @classmethod
    def ensure_portal_users(cls, account_ids):
        """{account id: first password} of account_ids: a web user with a
        new first password for each account that no web user sees yet, the
        first password still unused of the others that have one."""
        pool = Pool()
        Link = pool.get('housing.portal.account')
        seen = set()
        passwords = {}
        for sub_ids in grouped_slice(list(account_ids), 1000):
            sub_ids = list(sub_ids)
            for link in Link.search([('account', 'in', sub_ids)]):
                seen.add(link.account.id)
            for user in cls.search([
                        ('login_account', 'in', sub_ids),
                        ('first_password', '!=', None),
                        ]):
                passwords[user.login_account.id] = user.first_password
        values = []
        for account_id in account_ids:
            if account_id in seen:
                continue
            password = new_first_password()
            passwords[account_id] = password
            values.append({
                    'login_account': account_id,
                    'first_password': password,
                    'password_expired': True,
                    'portal_accounts': [('create', [{
                                    'account': account_id}])],
                    })
            seen.add(account_id)
        if values:
            cls.create(values)
        return passwords

    def check_portal_password(self, password):
        """Whether password is the user's: the first password as stored
        until it is changed, else Tryton's hash. Returns (valid, new hash
        to store or None)."""
        if not self.password_hash and self.first_password:
            return hmac.compare_digest(
                (password or '').encode('utf-8'),
                self.first_password.encode('utf-8')), None
        if not self.password_hash:
            return False, None
        return self.check_password(password or '', self.password_hash)

    @classmethod
    def portal_user(cls, login):
        """The active web user of login: a personal account number, or a
        verified e-mail address."""
        login = (login or '').strip()
        if not login:
            return None
        if '@' in login:
            users = cls.search([
                    ('email', '=', login.lower()),
                    ('email_valid', '=', True),
                    ], limit=1)
        else:
            users = cls.search([
                    ('login_account.number', '=', login),
                    ], limit=2)
            if len(users) > 1:
                # The same number in two companies: not a log-in.
                users = []
        return users[0] if users else None

    def get_rec_name(self, name):
        if self.email:
            return self.email
        if self.login_account:
            return self.login_account.number
        return str(self.id)

    def change_portal_password(self, password):
        "Set the resident's own password: the first one is forgotten."
        check_password_rules(password, self)
        self.password_hash = self.hash_password(password)
        self.first_password = None
        self.password_expired = False
        self.save()

    def reset_pending(self):
        "Whether a reset link sent earlier is still valid (no resend)."
        expire = self.reset_password_token_expire
        return bool(expire and expire > datetime.datetime.now())

    def portal_account_ids(self):
        return [link.account.id for link in self.portal_accounts]


def check_password_rules(password, user=None):
    "Tryton's password rules, and at least eight characters."
    pool = Pool()
    ResUser = pool.get('res.user')
    if len(password or '') < 8:
        raise PortalError(gettext(
                'housing_portal.msg_password_too_short', length=8))
    if user and user.first_password and password == user.first_password:
        raise PortalError(gettext('housing_portal.msg_password_same'))
    ResUser.validate_password(password, [user] if user else [])


class PortalAccount(ModelSQL, ModelView):
    "A personal account a web user sees on the portal."
    __name__ = 'housing.portal.account'
    __string__ = "Portal Account"

    user = fields.Many2One(
        'web.user', "Web User", required=True, ondelete='CASCADE')
    account = fields.Many2One(
        'housing.account', "Personal Account", required=True,
        ondelete='CASCADE')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('user_account_unique', Unique(t, t.user, t.account),
                'housing_portal.msg_portal_account_unique'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.user, Index.Equality())),
                Index(t, (t.account, Index.Equality())),
                })

    def get_rec_name(self, name):
        return '%s: %s' % (self.user.rec_name, self.account.rec_name)

