# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""The resident's accounts: the dashboard, payments, receipts (the stored
PDFs), the ledger movements with their running balance and the payment
page with the receipt's QR code."""
from decimal import Decimal, InvalidOperation

import zxingcpp
from markupsafe import Markup
from trytond.exceptions import UserError
from trytond.protocols.wrappers import HTTPStatus, Response
from trytond.transaction import Transaction
from trytond.wsgi import app

from housing_billing.payment import CHARGES, PURPOSES, is_payment_origin

from .figures import dues, last_receipts, movements, penalty_dues
from .web import _, account_of, date, field, form, money, portal_route, table


def not_found(context):
    return context.error_page(HTTPStatus.NOT_FOUND, _('not_found'))


@portal_route(app, '')
def dashboard(context):
    language = context.language
    accounts = [link.account for link in context.user.portal_accounts]
    figures = dues(accounts)
    receipts = last_receipts([a.id for a in accounts])
    parts = []
    for account in sorted(accounts, key=lambda a: a.number):
        balance, penalties = figures[account.id]
        receipt = receipts.get(account.id)
        rows = [
            (_('balance_label'), money(balance, language)),
            (_('penalties_label'), money(penalties, language)),
            ]
        if receipt:
            rows.append((_('last_receipt_label'), _('last_receipt_value',
                        period=date(receipt.period, language)[3:]
                        if language == 'ru'
                        else receipt.period.strftime('%m.%Y'),
                        amount=money(receipt.amount, language))))
        parts.append(Markup(
                '<section class="card" aria-labelledby="acc-%s">'
                '<h2 id="acc-%s">%s %s</h2><p>%s</p><dl>') % (
                account.id, account.id, _('account_label'), account.number,
                account_address(account)))
        for label, value in rows:
            parts.append(Markup('<dt>%s</dt><dd>%s</dd>') % (label, value))
        parts.append(Markup('</dl><p class="actions">'))
        for path, label in [('readings', 'nav_readings'),
                ('history', 'nav_history'), ('pay', 'nav_pay'),
                ('receipts', 'nav_receipts')]:
            parts.append(Markup('<a class="button" href="%s">%s</a> ') % (
                    context.url('a/%s/%s' % (account.id, path)), _(label)))
        parts.append(Markup('</p></section>'))
    parts.append(Markup('<p><a href="%s">%s</a></p>') % (
            context.url('link'), _('link_title')))
    args = context.request.args
    message = None
    if args.get('changed'):
        message = _('password_changed')
    elif args.get('linked'):
        message = _('link_done')
    return context.page(_('dashboard_title'), Markup('').join(parts),
        message=message)


def account_address(account):
    premises = account.premises
    return '%s, %s' % (premises.building.address, premises.number)


@portal_route(app, 'a/<int:account_id>/payments')
def payments(context, account_id):
    account = account_of(context, account_id)
    if account is None:
        return not_found(context)
    Payment = context.pool.get('housing.payment')
    language = context.language
    rows = [(date(p.date, language), money(p.amount, language),
            _('purpose_%s' % p.purpose), _('channel_%s' % p.channel),
            p.reference or '',
            date(p.period, language)[3:] if p.period else '')
        for p in Payment.search([
                ('account', '=', account.id), ('state', '=', 'posted')])]
    body = table(_('payments_caption'), [_('col_date'), _('col_amount'),
            _('col_paid_for'), _('col_channel'), _('col_reference'),
            _('col_period_paid')],
        rows, numeric={1}) if rows else Markup('<p>%s</p>') % _('none')
    return context.page(_('payments_title'), body, account=account)


@portal_route(app, 'a/<int:account_id>/receipts')
def receipts(context, account_id):
    account = account_of(context, account_id)
    if account is None:
        return not_found(context)
    Receipt = context.pool.get('housing.receipt')
    language = context.language
    rows = []
    for receipt in Receipt.search([('account', '=', account.id)]):
        link = Markup('<a href="%s" download>%s</a>') % (
            context.url('receipt/%s/%s' % (
                    receipt.id, receipt_file_name(receipt))),
            _('download_pdf'))
        rows.append((receipt.period.strftime('%m.%Y'), str(receipt.version),
                _('receipt_%s' % receipt.state),
                money(receipt.amount, language), link))
    body = table(_('receipts_caption'), [_('col_period'), _('col_version'),
            _('col_state'), _('col_amount'), _('col_file')],
        rows, numeric={3}) if rows else Markup('<p>%s</p>') % _('none')
    return context.page(_('receipts_title'), body, account=account)


def receipt_file_name(receipt):
    return 'epd-%s-%s-v%s.pdf' % (receipt.account.number,
        receipt.period.strftime('%Y-%m'), receipt.version)


@portal_route(app, 'receipt/<int:receipt_id>/<name>')
def receipt_pdf(context, receipt_id, name):
    "The stored PDF, for the residents of its account only."
    Receipt = context.pool.get('housing.receipt')
    receipts = Receipt.search([('id', '=', receipt_id)], limit=1)
    if not receipts or account_of(
            context, receipts[0].account.id) is None:
        return not_found(context)
    receipt, = receipts
    response = Response(receipt.pdf, HTTPStatus.OK,
        content_type='application/pdf')
    response.headers['Content-Disposition'] = (
        'attachment; filename="%s"' % receipt_file_name(receipt))
    return context.finish(response)


@portal_route(app, 'a/<int:account_id>/movements')
def account_movements(context, account_id):
    account = account_of(context, account_id)
    if account is None:
        return not_found(context)
    language = context.language
    rows = []
    balance = None
    for date_, origin, debit, credit, penalty, balance in movements(account):
        if penalty:
            label = _('movement_penalty')
        elif is_payment_origin(origin):
            label = _('movement_payment')
        elif origin == 'housing.accrual.run':
            label = _('movement_accrual')
        else:
            label = _('movement_other')
        rows.append((date(date_, language), label,
                money(debit, language) if debit else '',
                money(credit, language) if credit else '',
                money(balance, language)))
    body = table(_('movements_caption'), [_('col_date'), _('col_movement'),
            _('col_debit'), _('col_credit'), _('col_balance')],
        rows, numeric={2, 3, 4}) if rows else Markup('<p>%s</p>') % _('none')
    if balance is not None:
        body = Markup('<p class="total">%s: <strong>%s</strong></p>') % (
            _('balance_label'), money(balance, language)) + body
    return context.page(_('movements_title'), body, account=account)


@portal_route(app, 'a/<int:account_id>/pay')
def pay(context, account_id):
    account = account_of(context, account_id)
    if account is None:
        return not_found(context)
    language = context.language
    balance, penalties = dues([account])[account.id]
    receipt = last_receipts([account.id]).get(account.id)
    due = max(balance - penalties, 0)
    parts = [Markup('<dl class="due"><dt>%s</dt><dd><strong>%s</strong></dd>'
            '<dt>%s</dt><dd>%s</dd></dl>') % (
            _('due_label'), money(due, language),
            _('penalties_apart_label'), money(penalties, language))]
    if balance < 0:
        parts.append(Markup('<p>%s</p>') % _('advance_note',
                amount=money(-balance, language)))
    if receipt and receipt.qr_payload:
        parts.append(Markup(
                '<figure class="qr"><img src="%s" width="232" height="232" '
                'alt="%s"><figcaption>%s</figcaption></figure>') % (
                context.url('a/%s/qr.svg' % account.id),
                _('qr_alt', period=receipt.period.strftime('%m.%Y')),
                _('qr_caption', period=receipt.period.strftime('%m.%Y'),
                    amount=money(receipt.amount, language))))
    parts.append(online_payment_form(context, account, due))
    parts.append(online_penalty_forms(context, account))
    return context.page(_('pay_title'), Markup('').join(parts),
        account=account)


def online_payments(context):
    "housing_payment's online payments, if its provider is there."
    try:
        return context.pool.get('housing.payment.online')
    except KeyError:
        return None


def online_payment_form(context, account, due, amount=None):
    if online_payments(context) is None:
        return Markup('')
    value = amount if amount is not None else (
        '%.2f' % due if due > 0 else '')
    return Markup('<section class="card"><h2>%s</h2>') % _(
        'online_title') + form(context, 'a/%s/pay/online' % account.id,
        field('amount', _('online_amount_label'), value,
            inputmode='decimal'),
        _('online_submit')) + Markup('</section>')


def online_penalty_forms(context, account):
    """A form per penalty base the account owes: penalties are paid only
    by money designated for them (domain spec §4.5 p. 3)."""
    owed = penalty_dues(account)
    if online_payments(context) is None or not owed:
        return Markup('')
    forms = [Markup('<section class="card"><h2>%s</h2><p>%s</p>') % (
            _('penalty_pay_title'), _('penalty_pay_note'))]
    for purpose, amount in sorted(owed.items()):
        forms.append(form(context, 'a/%s/pay/online' % account.id,
                field('amount', _('purpose_%s' % purpose),
                    '%.2f' % amount, inputmode='decimal',
                    id_='amount_%s' % purpose)
                + Markup('<input type="hidden" name="purpose" value="%s">')
                % purpose,
                _('penalty_pay_submit')))
    forms.append(Markup('</section>'))
    return Markup('').join(forms)


@portal_route(app, 'a/<int:account_id>/pay/online', methods=('POST',))
def pay_online(context, account_id):
    """Start an online payment with the company's provider and send the
    resident to its confirmation page; nothing is kept if it refuses."""
    account = account_of(context, account_id)
    Online = online_payments(context)
    if account is None or Online is None:
        return not_found(context)
    text = context.request.form.get('amount', '')
    purpose = context.request.form.get('purpose') or CHARGES
    try:
        amount = parse_amount(text)
        online = Online.start(account, amount,
            context.absolute_url('a/%s/pay/return' % account.id),
            purpose=parse_purpose(purpose))
    except UserError as error:
        balance, penalties = dues([account])[account.id]
        due = max(balance - penalties, 0)
        return context.page(_('pay_title'),
            online_payment_form(context, account, due, amount=text),
            status=HTTPStatus.BAD_REQUEST, account=account,
            error=error.message)
    response = Response('', HTTPStatus.SEE_OTHER)
    response.headers['Location'] = online.confirmation_url
    return context.finish(response)


def parse_purpose(text):
    from .exceptions import PortalError
    if text not in dict(PURPOSES):
        raise PortalError(_('online_purpose_invalid', purpose=text))
    return text


def parse_amount(text):
    from .exceptions import PortalError
    cleaned = (text or '').strip().replace(' ', '').replace(
        '\u00a0', '').replace(',', '.')
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or amount <= 0:
        raise PortalError(_('online_amount_invalid', amount=text))
    return amount


@portal_route(app, 'a/<int:account_id>/pay/return')
def pay_return(context, account_id):
    """Back from the provider: its status of the resident's last online
    payment of the account, synchronised now."""
    account = account_of(context, account_id)
    Online = online_payments(context)
    if account is None or Online is None:
        return not_found(context)
    onlines = Online.search([('account', '=', account.id)],
        order=[('id', 'DESC')], limit=1)
    if not onlines:
        return not_found(context)
    online, = onlines
    error = None
    try:
        Online.sync([online])
    except UserError as exception:
        # The provider could not be asked: nothing of the attempt is kept
        # and the page says what is known.
        Transaction().rollback()
        error = exception.message
    online = Online(online.id)
    language = context.language
    text = _('online_state_%s' % online.state,
        amount=money(online.amount, language))
    body = Markup('<p class="%s" role="status">%s</p><p><a href="%s">%s'
        '</a></p>') % ('message' if online.state == 'succeeded' else 'note',
        text, context.url('a/%s/movements' % account.id),
        _('nav_movements'))
    return context.page(_('pay_title'), body, account=account, error=error)


@portal_route(app, 'a/<int:account_id>/qr.svg')
def qr_image(context, account_id):
    account = account_of(context, account_id)
    if account is None:
        return not_found(context)
    receipt = last_receipts([account.id]).get(account.id)
    if not receipt or not receipt.qr_payload:
        return not_found(context)
    return context.respond(qr_svg(receipt.qr_payload).encode('utf-8'),
        content_type='image/svg+xml')


def qr_svg(payload):
    "The payment QR of payload (ГОСТ Р 56042) as SVG, drawn by zxing-cpp."
    barcode = zxingcpp.create_barcode(
        payload, zxingcpp.BarcodeFormat.QRCode, ec_level='M')
    return barcode.to_svg(scale=6, add_quiet_zones=True)
