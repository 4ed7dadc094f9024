# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""The notification URL of YooKassa: it answers 200 once the notification
is taken into account (YooKassa sends it again on any other answer for a
day), 403 to an address outside the provider's allow-list, 400 to what is
not a notification and 503 when the provider cannot confirm it now."""
import json
import logging

from trytond.protocols.wrappers import (
    HTTPStatus,
    Response,
    abort,
    with_pool,
    with_transaction,
)
from trytond.wsgi import app

from .exceptions import NotificationError, ProviderError

logger = logging.getLogger(__name__)


@app.route(
    '/<database_name>/housing_payment/yookassa/<int:provider_id>/notify',
    methods={'POST'})
@with_pool
@with_transaction()
def yookassa_notify(request, pool, provider_id):
    Provider = pool.get('housing.payment.provider')
    Online = pool.get('housing.payment.online')
    providers = Provider.search([
            ('id', '=', provider_id),
            ('kind', '=', 'yookassa'),
            ])
    if not providers:
        abort(HTTPStatus.NOT_FOUND)
    provider, = providers
    if not provider.accepts_address(request.remote_addr):
        logger.warning(
            "notification for %s refused from %s",
            provider.rec_name, request.remote_addr)
        abort(HTTPStatus.FORBIDDEN)
    try:
        data = json.loads(request.get_data())
        event = provider.parse_notification(data)
    except (ValueError, NotificationError) as error:
        abort(HTTPStatus.BAD_REQUEST, str(error))
    try:
        Online.notify(provider, event)
    except ProviderError as error:
        logger.warning("notification %s not confirmed: %s", event, error)
        abort(HTTPStatus.SERVICE_UNAVAILABLE, str(error))
    return Response(status=HTTPStatus.OK)
