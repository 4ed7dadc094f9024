# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""What every page of the portal shares: the resident's session in a
cookie, the CSRF token of the forms, the language, the layout and the
responses with their security headers."""
import datetime
import hashlib
import hmac
import logging
import secrets
from decimal import Decimal
from functools import wraps

from markupsafe import Markup
from trytond import backend, config
from trytond.i18n import gettext
from trytond.protocols.wrappers import (
    HTTPStatus,
    Response,
    redirect,
    with_pool,
    with_transaction,
)
from trytond.transaction import Transaction
from werkzeug.exceptions import ServiceUnavailable

logger = logging.getLogger(__name__)

SESSION_COOKIE = 'portal_session'
ANONYMOUS_COOKIE = 'portal_anonymous'
LANGUAGE_COOKIE = 'portal_lang'
LANGUAGES = ['ru', 'en']
CSRF_FIELD = 'csrf_token'
# Seconds a browser is told to wait when the database cannot be reached.
RETRY_AFTER = 30
CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")


def _(name, **variables):
    return gettext('housing_portal.msg_' + name, **variables)


def session_timeout():
    "Seconds a session lives without a request."
    return config.getint('housing_portal', 'session_timeout', default=1800)


def secure_cookies():
    return config.getboolean('housing_portal', 'secure_cookies',
        default=False)


class Context:
    "The request as a page sees it: who, in which language, where."

    def __init__(self, request, pool, database_name):
        self.request = request
        self.pool = pool
        self.database = database_name
        self.user = None
        self.session_key = None
        self.new_cookies = []
        self.language = self._language()

    def _language(self):
        language = self.request.args.get('lang')
        if language in LANGUAGES:
            self.new_cookies.append((LANGUAGE_COOKIE, language, None))
            return language
        language = self.request.cookies.get(LANGUAGE_COOKIE)
        return language if language in LANGUAGES else 'ru'

    def url(self, path=''):
        return '/%s/portal/%s' % (self.database, path)

    def absolute_url(self, path=''):
        return self.request.host_url.rstrip('/') + self.url(path)

    @property
    def cookie_path(self):
        return '/%s/portal/' % self.database

    # Sessions
    def load_session(self):
        "The web user of the session cookie if it has not expired."
        pool = self.pool
        Session = pool.get('web.user.session')
        key = self.request.cookies.get(SESSION_COOKIE)
        if not key:
            return None
        sessions = Session.search([('key', '=', key)], limit=1)
        if not sessions:
            return None
        session, = sessions
        idle = (datetime.datetime.now()
            - session.last_modified_at).total_seconds()
        if idle > session_timeout() or not session.user.active:
            Session.delete([session])
            return None
        if idle > 60:
            Session.write([session], {})
        self.user = session.user
        self.session_key = key
        return self.user

    def open_session(self, user):
        """A new session key for user: a key the browser had before is
        never kept, so that no one can fix it in advance."""
        Session = self.pool.get('web.user.session')
        self.close_session()
        key = Session.add(user)
        self.user = user
        self.session_key = key
        self.new_cookies.append((SESSION_COOKIE, key, session_timeout()))
        if LANGUAGE_COOKIE not in self.request.cookies:
            self.language = user.portal_language or self.language
            self.new_cookies.append((LANGUAGE_COOKIE, self.language, None))

    def close_session(self):
        Session = self.pool.get('web.user.session')
        key = self.request.cookies.get(SESSION_COOKIE)
        if key:
            Session.delete(Session.search([('key', '=', key)]))
        self.user = None
        self.session_key = None
        self.new_cookies.append((SESSION_COOKIE, '', 0))

    # CSRF
    def anonymous_key(self):
        "A random value bound to the browser, for the forms before log-in."
        key = self.request.cookies.get(ANONYMOUS_COOKIE)
        if not key or len(key) != 32:
            for name, value, _ in self.new_cookies:
                if name == ANONYMOUS_COOKIE:
                    return value
            key = secrets.token_hex(16)
            self.new_cookies.append((ANONYMOUS_COOKIE, key, None))
        return key

    def csrf_token(self):
        secret = self.session_key or self.anonymous_key()
        return hmac.new(secret.encode(), b'housing_portal csrf',
            hashlib.sha256).hexdigest()

    def csrf_valid(self):
        sent = self.request.form.get(CSRF_FIELD, '')
        if self.session_key:
            secret = self.session_key
        else:
            secret = self.request.cookies.get(ANONYMOUS_COOKIE)
            if not secret:
                return False
        expected = hmac.new(secret.encode(), b'housing_portal csrf',
            hashlib.sha256).hexdigest()
        return hmac.compare_digest(sent, expected)

    def csrf_field(self):
        return Markup('<input type="hidden" name="%s" value="%s">') % (
            CSRF_FIELD, self.csrf_token())

    # Responses
    def respond(self, body, status=HTTPStatus.OK, content_type='text/html'):
        if not isinstance(body, bytes):
            body = str(body)
        response = Response(body, status,
            content_type=content_type
            + ('; charset=utf-8' if content_type.startswith('text/')
                else ''))
        return self.finish(response)

    def redirect(self, path):
        return self.finish(redirect(self.url(path), HTTPStatus.SEE_OTHER))

    def finish(self, response):
        headers = response.headers
        headers['Content-Security-Policy'] = CSP
        headers['X-Frame-Options'] = 'DENY'
        headers['X-Content-Type-Options'] = 'nosniff'
        headers['Referrer-Policy'] = 'same-origin'
        headers.setdefault('Cache-Control', 'no-store')
        for name, value, max_age in self.new_cookies:
            response.set_cookie(name, value, max_age=max_age,
                path=self.cookie_path, httponly=True, samesite='Lax',
                secure=secure_cookies())
        return response

    def page(self, title, body, status=HTTPStatus.OK, account=None,
            message=None, error=None):
        return self.respond(layout(self, title, body, account=account,
                message=message, error=error), status)

    def error_page(self, status, text):
        body = Markup('<p>%s</p><p><a href="%s">%s</a></p>') % (
            text, self.url(), _('back_home'))
        return self.page(_('error_title'), body, status=status, error=None)


def portal_route(app, rule, methods=('GET',), login=True):
    """A page of the portal: the pool and a transaction as root, the
    resident's session loaded (else the log-in page) and every POST
    refused without the form's CSRF token. Every transaction may write, a
    GET too: it keeps the session alive or ends it."""
    def decorator(func):
        @wraps(func)
        def page(request, pool, **kwargs):
            database_name = pool.database_name
            try:
                pool.get('housing.portal.account')
            except KeyError:
                return Response('Not Found', HTTPStatus.NOT_FOUND)
            context = Context(request, pool, database_name)
            with Transaction().set_context(language=context.language):
                user = context.load_session()
                if login and user is None:
                    if request.method == 'POST':
                        return context.error_page(
                            HTTPStatus.FORBIDDEN, _('session_expired'))
                    return context.redirect('login')
                if (login and user.password_expired
                        and func.__name__ != 'change_password'
                        and func.__name__ != 'logout'):
                    return context.redirect('password')
                if request.method == 'POST' and not context.csrf_valid():
                    return context.error_page(
                        HTTPStatus.FORBIDDEN, _('csrf_invalid'))
                return func(context, **kwargs)
        page = with_transaction(readonly=False)(page)
        page = unavailable_without_database(page)
        page = with_pool(page)
        app.route('/<database_name>/portal/' + rule,
            methods=list(methods))(page)
        return func
    return decorator


def unavailable_without_database(func):
    """The database out of reach or its transaction retried in vain
    (PostgreSQL restarting, no connection within the pool's wait): 503
    with Retry-After, as trytond answers its RPC, rather than the 500 that
    with_pool makes of any error; the page needs no database. Nothing of
    the request is kept: its transaction was not committed."""
    @wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except backend.DatabaseOperationalError as error:
            logger.warning("portal: database unavailable: %s", error)
            raise ServiceUnavailable(retry_after=RETRY_AFTER) from error
    return wrapper


def account_of(context, account_id):
    """The personal account account_id if the resident sees it, else
    None: the pages answer 404 alike for another's account and none."""
    Link = context.pool.get('housing.portal.account')
    links = Link.search([
            ('user', '=', context.user.id),
            ('account', '=', account_id),
            ], limit=1)
    return links[0].account if links else None


def money(value, language):
    if value is None:
        return ''
    value = Decimal(value).quantize(Decimal('0.01'))
    sign = '−' if value < 0 else ''
    whole, cents = ('%.2f' % abs(value)).split('.')
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    if language == 'ru':
        return '%s%s,%s\u00a0₽' % (sign, '\u00a0'.join(groups), cents)
    return '%s₽%s.%s' % (sign, ','.join(groups), cents)


def number(value, language):
    if value is None:
        return ''
    text = format(Decimal(value).normalize(), 'f')
    return text.replace('.', ',') if language == 'ru' else text


def date(value, language):
    if value is None:
        return ''
    if language == 'ru':
        return value.strftime('%d.%m.%Y')
    return value.isoformat()


NAVIGATION = [
    ('readings', 'nav_readings'),
    ('history', 'nav_history'),
    ('payments', 'nav_payments'),
    ('receipts', 'nav_receipts'),
    ('movements', 'nav_movements'),
    ('pay', 'nav_pay'),
    ]


def layout(context, title, body, account=None, message=None, error=None):
    language = context.language
    other = [code for code in LANGUAGES if code != language][0]
    parts = [Markup(
            '<!DOCTYPE html><html lang="%s"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, '
            'initial-scale=1"><title>%s — %s</title>'
            '<link rel="stylesheet" href="%s"></head><body>'
            '<header><a class="brand" href="%s">%s</a>'
            '<nav class="top" aria-label="%s">') % (
            language, title, _('portal_name'),
            context.url('static/portal.css'),
            context.url(), _('portal_name'), _('nav_label_top'))]
    # The page itself in the other language, the start page after a form.
    here = (context.request.path if context.request.method == 'GET'
        else context.url())
    parts.append(Markup(
            '<a href="%s?lang=%s" lang="%s" hreflang="%s">%s</a>') % (
            here, other, other, other, _('language_switch_%s' % other)))
    if context.user:
        parts.append(Markup(
                '<a href="%s">%s</a><form method="post" action="%s" '
                'class="inline">%s<button type="submit">%s</button>'
                '</form>') % (
                context.url('profile'), _('nav_profile'),
                context.url('logout'), context.csrf_field(), _('logout')))
    parts.append(Markup('</nav></header>'))
    if account is not None:
        parts.append(Markup(
                '<nav class="account" aria-label="%s"><span class="number">'
                '%s %s</span>') % (_('nav_label_account'),
                _('account_label'), account.number))
        for path, label in NAVIGATION:
            parts.append(Markup('<a href="%s">%s</a>') % (
                    context.url('a/%s/%s' % (account.id, path)), _(label)))
        parts.append(Markup('</nav>'))
    parts.append(Markup('<main><h1>%s</h1>') % title)
    if message:
        parts.append(Markup(
                '<p class="message" role="status">%s</p>') % message)
    if error:
        parts.append(Markup('<p class="error" role="alert">%s</p>') % error)
    parts.append(Markup(body))
    parts.append(Markup('</main></body></html>'))
    return Markup('').join(parts)


def field(name, label, value='', type_='text', autocomplete=None,
        required=True, inputmode=None, extra='', id_=None):
    "A labelled input; id_ when the page has several fields of name."
    id_ = id_ or name
    attributes = Markup('')
    if autocomplete:
        attributes += Markup(' autocomplete="%s"') % autocomplete
    if inputmode:
        attributes += Markup(' inputmode="%s"') % inputmode
    if required:
        attributes += Markup(' required')
    return Markup(
        '<p class="field"><label for="%s">%s</label>'
        '<input id="%s" name="%s" type="%s" value="%s"%s>%s</p>') % (
        id_, label, id_, name, type_, value, attributes, extra)


def form(context, action, content, submit):
    return Markup('<form method="post" action="%s">%s%s'
        '<p><button type="submit">%s</button></p></form>') % (
        context.url(action), context.csrf_field(), content, submit)


def table(caption, headers, rows, numeric=()):
    "An accessible table; numeric: the indexes of right-aligned columns."
    parts = [Markup('<div class="scroll"><table><caption>%s</caption>'
            '<thead><tr>') % caption]
    for index, header in enumerate(headers):
        parts.append(Markup('<th scope="col"%s>%s</th>') % (
                Markup(' class="num"') if index in numeric else '', header))
    parts.append(Markup('</tr></thead><tbody>'))
    for row in rows:
        parts.append(Markup('<tr>'))
        for index, cell in enumerate(row):
            parts.append(Markup('<td%s>%s</td>') % (
                    Markup(' class="num"') if index in numeric else '',
                    cell))
        parts.append(Markup('</tr>'))
    parts.append(Markup('</tbody></table></div>'))
    return Markup('').join(parts)

