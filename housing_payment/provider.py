# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""Payment providers: the acquiring services through which residents pay
online. A provider is configured per company; its kind names the protocol
(each protocol module adds its kind and implements the methods below)."""
import ipaddress
from decimal import Decimal
from typing import NamedTuple, Optional

from trytond.i18n import gettext
from trytond.model import DeactivableMixin, ModelSQL, ModelView, fields
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .exceptions import OnlinePaymentError


class ProviderPayment(NamedTuple):
    """A payment as the provider sees it, in our words: status is
    'pending', 'succeeded' or 'cancelled'."""
    reference: str
    status: str
    amount: Decimal
    confirmation_url: Optional[str] = None
    paid_at: Optional[object] = None  # aware datetime of the capture
    refunded_amount: Decimal = Decimal('0.00')


class ProviderRefund(NamedTuple):
    """A refund as the provider sees it: status is 'pending',
    'succeeded' or 'cancelled'."""
    reference: str
    payment_reference: str
    status: str
    amount: Decimal
    created_at: Optional[object] = None


class ProviderEvent(NamedTuple):
    """What a notification is about: the payment (and the refund, for a
    refund event) to ask the provider about. It is never trusted as is."""
    event: str
    payment_reference: str
    refund_reference: Optional[str] = None


class Provider(DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'housing.payment.provider'
    __string__ = "Payment Provider"

    name = fields.Char("Name", required=True)
    company = fields.Many2One('company.company', "Company", required=True)
    kind = fields.Selection([], "Kind", required=True)
    test_mode = fields.Boolean(
        "Test Mode",
        help="The credentials are those of the provider's test shop: "
        "no money moves.")
    base_url = fields.Char(
        "Base URL", required=True,
        help="The address of the provider's API.")
    timeout = fields.Integer(
        "Timeout (s)", required=True,
        domain=[('timeout', '>', 0)],
        help="How long to wait for the provider's answer.")
    allowed_addresses = fields.Text(
        "Notification Addresses",
        help="The IP addresses and networks notifications may come from, "
        "one a line. Leave empty to accept them from anywhere: they are "
        "never trusted before the provider confirms them.")
    account = fields.Many2One(
        'account.account', "Clearing Account", required=True,
        domain=[
            ('company', '=', Eval('company', -1)),
            ('type', '!=', None),
            ('closed', '!=', True),
            ],
        help="Debited by the payments received through the provider until "
        "it transfers the money (e.g. 57 «Переводы в пути»).")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('name', 'ASC'))

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_timeout():
        return 30

    @staticmethod
    def default_test_mode():
        return False

    @classmethod
    def validate_fields(cls, providers, field_names):
        super().validate_fields(providers, field_names)
        if field_names & {'allowed_addresses'}:
            for provider in providers:
                provider.networks()

    @classmethod
    def for_company(cls, company):
        "The active provider residents of company pay through"
        providers = cls.search([('company', '=', company.id)], limit=1)
        if not providers:
            raise OnlinePaymentError(gettext(
                    'housing_payment.msg_online_no_provider',
                    company=company.rec_name))
        return providers[0]

    def networks(self):
        networks = []
        for line in (self.allowed_addresses or '').splitlines():
            line = line.split('#')[0].strip()
            if not line:
                continue
            try:
                networks.append(ipaddress.ip_network(line, strict=False))
            except ValueError:
                raise OnlinePaymentError(gettext(
                        'housing_payment.msg_provider_address_invalid',
                        provider=self.rec_name, address=line))
        return networks

    def accepts_address(self, address):
        "Whether a notification may come from the IP address"
        networks = self.networks()
        if not networks:
            return True
        try:
            address = ipaddress.ip_address(address or '')
        except ValueError:
            return False
        return any(address in network for network in networks)

    def _call(self, name, *args):
        return getattr(self, '_%s_%s' % (self.kind, name))(*args)

    def create_payment(self, online, return_url, idempotence_key):
        """Ask the provider for a payment of online.amount; the payer is to
        be sent to the ProviderPayment's confirmation_url."""
        return self._call('create_payment', online, return_url,
            idempotence_key)

    def get_payment(self, reference):
        "The ProviderPayment as the provider knows it now"
        return self._call('get_payment', reference)

    def create_refund(self, online, idempotence_key):
        "Ask the provider to give online.amount back to the payer"
        return self._call('create_refund', online, idempotence_key)

    def get_refund(self, reference):
        "The ProviderRefund as the provider knows it now"
        return self._call('get_refund', reference)

    def parse_notification(self, data):
        "The ProviderEvent a notification's decoded JSON body is about"
        return self._call('parse_notification', data)
