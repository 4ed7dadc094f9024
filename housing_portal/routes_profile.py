# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""The resident's profile: the e-mail address (verified by a link before it
counts for log-in, reset and e-receipts), the e-receipt of each account,
the phone and the notices of each account (which kinds, by e-mail or SMS)
and the language; and the portal's style sheet."""
from markupsafe import Markup
from trytond.protocols.wrappers import HTTPStatus, Response
from trytond.tools.email_ import EmailNotValidError, validate_email
from trytond.transaction import Transaction
from trytond.wsgi import app

from housing_payment.sms import normalize_phone

from .routes_auth import send_mail
from .web import LANGUAGES, _, account_of, field, form, portal_route
from .web_style import STYLE


def profile_body(context, email=None, entered=None):
    """The profile's forms; email and entered ({account id: (phone,
    {(kind, channel)})}): what the resident sent, shown again with the
    error."""
    user = context.user
    parts = []
    status = ''
    if user.email:
        status = _('email_verified') if user.email_valid else _(
            'email_unverified')
    parts.append(Markup('<section class="card"><h2>%s</h2>') % _(
            'email_section'))
    if status:
        parts.append(Markup('<p>%s: %s (%s)</p>') % (
                _('email_label'), user.email, status))
    parts.append(form(context, 'profile/email', field('email',
                _('email_new_label'), email or '', type_='email',
                autocomplete='email'), _('email_submit')))
    parts.append(Markup('</section><section class="card"><h2>%s</h2>') % _(
            'e_receipt_section'))
    if user.email and user.email_valid:
        content = Markup('')
        for link in sorted(user.portal_accounts,
                key=lambda link: link.account.number):
            account = link.account
            checked = bool(account.e_receipt
                and account.email == user.email)
            content += Markup(
                '<p class="check"><input type="checkbox" id="er-%s" '
                'name="e_receipt" value="%s"%s><label for="er-%s">%s</label>'
                '</p>') % (account.id, account.id,
                Markup(' checked') if checked else '', account.id,
                _('e_receipt_label', account=account.number,
                    email=user.email))
        parts.append(form(context, 'profile/e_receipt', content,
                _('save_submit')))
    else:
        parts.append(Markup('<p>%s</p>') % _('e_receipt_needs_email'))
    parts.append(Markup('</section>'))
    for link in sorted(user.portal_accounts,
            key=lambda link: link.account.number):
        parts.append(notifications_form(context, link.account,
                *(entered or {}).get(link.account.id, (None, None))))
    parts.append(Markup('<section class="card"><h2>%s</h2>') % _(
            'language_section'))
    options = Markup('').join(Markup('<option value="%s"%s>%s</option>') % (
            code, Markup(' selected') if code == context.language else '',
            _('language_%s' % code)) for code in LANGUAGES)
    parts.append(form(context, 'profile/language', Markup(
                '<p class="field"><label for="language">%s</label>'
                '<select id="language" name="language">%s</select></p>') % (
                _('language_label'), options), _('save_submit')))
    parts.append(Markup('</section><p><a href="%s">%s</a> · '
            '<a href="%s">%s</a></p>') % (
            context.url('password'), _('password_title'),
            context.url('link'), _('link_title')))
    return Markup('').join(parts)


def notification_kinds(pool):
    "The kinds of notice, as housing_payment's preferences select them."
    Preference = pool.get('housing.notification.preference')
    return [kind for kind, _label in Preference.kind.selection]


def notification_channels(pool):
    Preference = pool.get('housing.notification.preference')
    return [channel for channel, _label in Preference.channel.selection]


def display_phone(phone):
    "+79161234567 for the stored 79161234567; another text as it is."
    if phone and normalize_phone(phone) == phone:
        return '+' + phone
    return phone or ''


def notifications_form(context, account, phone=None, chosen=None):
    """The phone of account and a group of check boxes per kind of notice,
    one per channel: checked as Account.notification_channels reads them,
    or as the resident sent them."""
    pool = context.pool
    Account = pool.get('housing.account')
    kinds = notification_kinds(pool)
    if chosen is None:
        chosen = set()
        for kind in kinds:
            channels = Account.notification_channels_of([account], kind)
            chosen.update((kind, c) for c in channels[account.id])
    if phone is None:
        phone = display_phone(account.phone)
    content = Markup('<input type="hidden" name="account" value="%s">') % (
        account.id)
    content += field('phone', _('phone_label'), phone, type_='tel',
        autocomplete='tel', required=False, id_='phone-%s' % account.id,
        extra=Markup('<small>%s</small>') % _('phone_help'))
    for kind in kinds:
        content += Markup('<fieldset class="kinds"><legend>%s</legend>') % (
            _('notify_kind_%s' % kind))
        for channel in notification_channels(pool):
            box_id = 'n%s-%s-%s' % (account.id, kind, channel)
            content += Markup(
                '<span class="check"><input type="checkbox" id="%s" '
                'name="notify" value="%s:%s"%s><label for="%s">%s</label>'
                '</span>') % (box_id, kind, channel,
                Markup(' checked') if (kind, channel) in chosen else '',
                box_id, _('notify_channel_%s' % channel))
        content += Markup('</fieldset>')
    return Markup('<section class="card" id="notify-%s"><h2>%s</h2>'
        '<p>%s</p>') % (account.id,
        _('notify_section', account=account.number), _('notify_help')) + (
        form(context, 'profile/notifications', content, _('save_submit'))
        + Markup('</section>'))


MESSAGES = {
    'email': 'email_sent',
    'verified': 'email_verified_done',
    'saved': 'saved',
    'notifications': 'notify_saved',
    }


@portal_route(app, 'profile')
def profile(context):
    done = context.request.args.get('done')
    message = _(MESSAGES[done]) if done in MESSAGES else None
    return context.page(_('profile_title'), profile_body(context),
        message=message)


@portal_route(app, 'profile/email', methods=('POST',))
def change_email(context):
    User = context.pool.get('web.user')
    user = context.user
    email = context.request.form.get('email', '').strip().lower()
    error = None
    try:
        validate_email(email)
    except EmailNotValidError:
        error = _('email_invalid', email=email)
    else:
        if User.search([('email', '=', email), ('id', '!=', user.id)],
                limit=1):
            error = _('email_taken', email=email)
    if error:
        return context.page(_('profile_title'), profile_body(context, email),
            status=HTTPStatus.BAD_REQUEST, error=error)
    user.email = email
    user.email_valid = False
    user.set_email_token()
    user.save()
    link = context.absolute_url('verify?token=%s' % user.email_token)
    send_mail(email, _('verify_mail_subject'),
        _('verify_mail_body', link=link))
    return context.redirect('profile?done=email')


@portal_route(app, 'verify', login=False)
def verify_email(context):
    User = context.pool.get('web.user')
    token = context.request.args.get('token', '')
    users = User.validate_email_token([token]) if token else []
    if not users:
        return context.error_page(HTTPStatus.BAD_REQUEST,
            _('verify_invalid'))
    if context.user:
        return context.redirect('profile?done=verified')
    return context.page(_('profile_title'), Markup('<p><a href="%s">%s</a>'
            '</p>') % (context.url('login'), _('login_title')),
        message=_('email_verified_done'))


@portal_route(app, 'profile/e_receipt', methods=('POST',))
def e_receipt(context):
    Account = context.pool.get('housing.account')
    user = context.user
    if not (user.email and user.email_valid):
        return context.error_page(HTTPStatus.BAD_REQUEST,
            _('e_receipt_needs_email'))
    wanted = set(context.request.form.getlist('e_receipt', type=int))
    for link in user.portal_accounts:
        account = link.account
        if account.id in wanted:
            values = {'email': user.email, 'e_receipt': True}
        elif account.email == user.email:
            values = {'e_receipt': False}
        else:
            continue
        Account.write([account], values)
    return context.redirect('profile?done=saved')


@portal_route(app, 'profile/notifications', methods=('POST',))
def notifications(context):
    """The phone and the notices of one of the resident's accounts: another
    account is not found, and nothing is written."""
    pool = context.pool
    Account = pool.get('housing.account')
    Preference = pool.get('housing.notification.preference')
    request = context.request
    account = account_of(context, request.form.get('account', type=int))
    if account is None:
        return context.error_page(HTTPStatus.NOT_FOUND, _('not_found'))
    kinds = notification_kinds(pool)
    channels = notification_channels(pool)
    chosen = set()
    for value in request.form.getlist('notify'):
        kind, _sep, channel = value.partition(':')
        if kind in kinds and channel in channels:
            chosen.add((kind, channel))
    text = request.form.get('phone', '').strip()
    phone = normalize_phone(text) if text else None
    error = None
    if text and not phone:
        error = _('phone_invalid', phone=text)
    elif not phone and any(c == 'sms' for _k, c in chosen):
        error = _('phone_needed_for_sms', account=account.number)
    if error:
        return context.page(_('profile_title'), profile_body(context,
                entered={account.id: (text, chosen)}),
            status=HTTPStatus.BAD_REQUEST, error=error)
    if phone != account.phone:
        Account.write([account], {'phone': phone})
    # Every kind and channel gets its line: the choice stays what the
    # resident saw, whatever the defaults become.
    with Transaction().set_context(active_test=False):
        existing = {(p.kind, p.channel): p for p in Preference.search([
                    ('account', '=', account.id)])}
    to_create, to_write = [], []
    for kind in kinds:
        for channel in channels:
            active = (kind, channel) in chosen
            preference = existing.get((kind, channel))
            if preference is None:
                to_create.append({'account': account.id, 'kind': kind,
                        'channel': channel, 'active': active})
            elif preference.active != active:
                to_write.extend(([preference], {'active': active}))
    if to_create:
        Preference.create(to_create)
    if to_write:
        Preference.write(*to_write)
    return context.redirect('profile?done=notifications#notify-%s'
        % account.id)


@portal_route(app, 'profile/language', methods=('POST',))
def language(context):
    User = context.pool.get('web.user')
    code = context.request.form.get('language')
    if code not in LANGUAGES:
        return context.error_page(HTTPStatus.BAD_REQUEST, _('not_found'))
    User.write([context.user], {'portal_language': code})
    context.new_cookies.append(('portal_lang', code, None))
    return context.redirect('profile?done=saved')


@portal_route(app, 'static/portal.css', login=False)
def style(context):
    response = Response(STYLE, HTTPStatus.OK,
        content_type='text/css; charset=utf-8')
    response.headers['Cache-Control'] = 'public, max-age=3600'
    return response
