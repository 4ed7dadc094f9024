# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""Log-in, log-out, the password (first change, reset by e-mail) and the
link of another personal account to the same log-in."""
from decimal import Decimal, InvalidOperation
from email.message import EmailMessage

from markupsafe import Markup
from trytond import config
from trytond.exceptions import UserError
from trytond.protocols.wrappers import HTTPStatus
from trytond.sendmail import send_message_transactional
from trytond.wsgi import app

from .web import _, field, form, portal_route

_dummy_hash = None


def dummy_hash(User):
    "A hash to check against when the log-in is unknown: the same time."
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = User.hash_password('housing portal unknown log-in')
    return _dummy_hash


def max_attempts():
    return config.getint('session', 'max_attempt', default=5)


def authenticate(context, login, password):
    """The web user of login and password, None if they do not match;
    raises RateLimited after too many failures for the log-in or the
    network."""
    pool = context.pool
    User = pool.get('web.user')
    Attempt = pool.get('web.user.authenticate.attempt')
    key = 'portal:' + login.strip().lower()
    if Attempt.count_ip() > config.getint(
            'session', 'max_attempt_ip_network', default=300):
        raise RateLimited
    if Attempt.count(key) >= max_attempts():
        Attempt.add(key)
        raise RateLimited
    user = User.portal_user(login)
    if user and (user.password_hash or user.first_password):
        valid, new_hash = user.check_portal_password(password)
    else:
        # The same time as a known log-in.
        User.check_password(password, dummy_hash(User))
        valid = new_hash = None
    if valid:
        if new_hash:
            User.write([user], {'password_hash': new_hash})
        Attempt.remove(key)
        return user
    Attempt.add(key)
    return None


class RateLimited(Exception):
    pass


def login_form(context, login=''):
    content = (
        field('login', _('login_label'), login, autocomplete='username',
            extra=Markup('<small id="login-help">%s</small>')
            % _('login_help'))
        + field('password', _('password_label'), type_='password',
            autocomplete='current-password'))
    return form(context, 'login', content, _('login_submit')) + Markup(
        '<p><a href="%s">%s</a></p>') % (
        context.url('reset'), _('forgot_password'))


@portal_route(app, 'login', methods=('GET', 'POST'), login=False)
def login(context):
    request = context.request
    if request.method == 'GET':
        if context.user:
            return context.redirect('')
        return context.page(_('login_title'), login_form(context))
    login_ = request.form.get('login', '').strip()
    password = request.form.get('password', '')
    try:
        user = authenticate(context, login_, password)
    except RateLimited:
        return context.page(_('login_title'), login_form(context, login_),
            status=HTTPStatus.TOO_MANY_REQUESTS,
            error=_('login_rate_limited'))
    if user is None:
        return context.page(_('login_title'), login_form(context, login_),
            status=HTTPStatus.UNAUTHORIZED, error=_('login_failed'))
    context.open_session(user)
    if user.password_expired:
        return context.redirect('password')
    return context.redirect('')


@portal_route(app, 'logout', methods=('POST',))
def logout(context):
    context.close_session()
    return context.redirect('login')


def password_form(context, action, hidden=Markup(''), current=True):
    content = hidden
    if current:
        content += field('current', _('current_password_label'),
            type_='password', autocomplete='current-password')
    content += field('password', _('new_password_label'), type_='password',
        autocomplete='new-password',
        extra=Markup('<small>%s</small>') % _('password_rules'))
    content += field('confirm', _('confirm_password_label'),
        type_='password', autocomplete='new-password')
    return form(context, action, content, _('password_submit'))


def new_password(request):
    "The new password of the form, or raise UserError."
    from .exceptions import PortalError
    password = request.form.get('password', '')
    if password != request.form.get('confirm', ''):
        raise PortalError(_('password_mismatch'))
    return password


@portal_route(app, 'password', methods=('GET', 'POST'))
def change_password(context):
    user = context.user
    title = _('password_title')
    message = _('password_first') if user.password_expired else None
    if context.request.method == 'GET':
        return context.page(title, password_form(context, 'password'),
            message=message)
    valid, _new = user.check_portal_password(
        context.request.form.get('current', ''))
    if not valid:
        return context.page(title, password_form(context, 'password'),
            status=HTTPStatus.BAD_REQUEST, message=message,
            error=_('password_current_wrong'))
    try:
        user.change_portal_password(new_password(context.request))
    except UserError as error:
        return context.page(title, password_form(context, 'password'),
            status=HTTPStatus.BAD_REQUEST, message=message,
            error=error.message)
    # A new password ends every other session of the user.
    Session = context.pool.get('web.user.session')
    Session.delete(Session.search([
                ('user', '=', user.id),
                ('key', '!=', context.session_key),
                ]))
    return context.redirect('?changed=1')


def send_mail(to, subject, body):
    msg = EmailMessage()
    msg['From'] = config.get('email', 'from')
    msg['To'] = to
    msg['Subject'] = subject
    msg.set_content(body)
    send_message_transactional(msg, strict=True)


@portal_route(app, 'reset', methods=('GET', 'POST'), login=False)
def reset_request(context):
    User = context.pool.get('web.user')
    title = _('reset_title')
    content = field('email', _('email_label'), type_='email',
        autocomplete='email')
    page = form(context, 'reset', content, _('reset_submit'))
    if context.request.method == 'GET':
        return context.page(title, Markup('<p>%s</p>') % _('reset_help')
            + page)
    email = context.request.form.get('email', '').strip().lower()
    users = User.search([
            ('email', '=', email), ('email_valid', '=', True)], limit=1)
    if users and not users[0].reset_pending():
        user, = users
        user.set_reset_password_token()
        user.save()
        link = context.absolute_url('reset/confirm?' + _query(
                token=user.reset_password_token, email=user.email))
        send_mail(user.email, _('reset_mail_subject'),
            _('reset_mail_body', link=link))
    # The same answer whether the address is known or not.
    return context.page(title, Markup(''), message=_('reset_sent'))


def _query(**params):
    from urllib.parse import urlencode
    return urlencode(sorted(params.items()))


@portal_route(app, 'reset/confirm', methods=('GET', 'POST'), login=False)
def reset_confirm(context):
    User = context.pool.get('web.user')
    request = context.request
    values = request.form if request.method == 'POST' else request.args
    token, email = values.get('token', ''), values.get('email', '')
    hidden = (Markup('<input type="hidden" name="token" value="%s">'
            '<input type="hidden" name="email" value="%s">') % (
            token, email))
    title = _('reset_title')
    page = password_form(context, 'reset/confirm', hidden, current=False)
    if request.method == 'GET':
        return context.page(title, page)
    from .user import check_password_rules
    try:
        password = new_password(request)
        check_password_rules(password)
    except UserError as error:
        return context.page(title, page, status=HTTPStatus.BAD_REQUEST,
            error=error.message)
    if not (token and email and User.set_password_token(
                email, token, password)):
        return context.page(title, Markup(''), status=HTTPStatus.BAD_REQUEST,
            error=_('reset_invalid'))
    user, = User.search([('email', '=', email.lower())], limit=1)
    User.write([user], {'first_password': None, 'password_expired': False})
    Session = context.pool.get('web.user.session')
    Session.delete(Session.search([('user', '=', user.id)]))
    context.open_session(user)
    return context.redirect('?changed=1')


def link_form(context, number=''):
    content = (field('number', _('link_number_label'), number,
            inputmode='numeric')
        + field('amount', _('link_amount_label'), inputmode='decimal',
            extra=Markup('<small>%s</small>') % _('link_amount_help')))
    return form(context, 'link', content, _('link_submit'))


@portal_route(app, 'link', methods=('GET', 'POST'))
def link_account(context):
    """Another personal account seen with the same log-in: proved by its
    number and the amount to pay of its last receipt."""
    pool = context.pool
    Account = pool.get('housing.account')
    Link = pool.get('housing.portal.account')
    Attempt = pool.get('web.user.authenticate.attempt')
    title = _('link_title')
    request = context.request
    if request.method == 'GET':
        return context.page(title, link_form(context))
    number = request.form.get('number', '').strip()
    key = 'portal-link:%s' % context.user.id
    if Attempt.count(key) >= max_attempts():
        Attempt.add(key)
        return context.page(title, link_form(context, number),
            status=HTTPStatus.TOO_MANY_REQUESTS,
            error=_('login_rate_limited'))
    try:
        amount = Decimal(request.form.get('amount', '').strip()
            .replace(' ', '').replace('\u00a0', '').replace(',', '.'))
    except InvalidOperation:
        amount = None
    from .figures import last_receipts
    accounts = Account.search([('number', '=', number)]) if number else []
    receipts = last_receipts([a.id for a in accounts])
    matching = [a for a in accounts if a.id in receipts
        and amount is not None and receipts[a.id].amount == amount]
    if len(matching) != 1:
        Attempt.add(key)
        return context.page(title, link_form(context, number),
            status=HTTPStatus.BAD_REQUEST, error=_('link_failed'))
    account, = matching
    Attempt.remove(key)
    if not Link.search([('user', '=', context.user.id),
                ('account', '=', account.id)]):
        Link.create([{'user': context.user.id, 'account': account.id}])
    return context.redirect('?linked=%s' % account.id)
