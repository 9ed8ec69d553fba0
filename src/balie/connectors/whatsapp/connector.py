"""The WhatsApp Business Platform (Cloud API) connector: one account per organisation's
WhatsApp number, its webhook at ``/hooks/<public id>/``.

- GET: Meta's verification handshake with the account's verify token.
- POST: refused without the ``X-Hub-Signature-256`` of the raw body with the account's app
  secret (401 when missing, 403 when wrong); 400 for a body that is not a WhatsApp
  notification, with nothing stored; otherwise the residents' messages are stored once
  each and the status reports applied (:mod:`.receiving`, through the intake's group
  commit with the other notifications that arrived together), and Meta gets 200.
- Sending: :mod:`.sending` (the 24-hour window, templates, files).

The resident is known by their WhatsApp id, digits only.
"""

from __future__ import annotations

import logging

import phonenumbers
from django.utils.translation import gettext_lazy as _

from balie.connectors.accounts import secret_of
from balie.connectors.models import ChannelAccount
from balie.connectors.registry import Connector, Notification, WebhookRequest, WebhookResponse
from balie.connectors.whatsapp import account as settings_of
from balie.connectors.whatsapp import sending
from balie.connectors.whatsapp.parsing import Malformed, normalise_address, parse
from balie.connectors.whatsapp.receiving import read
from balie.connectors.whatsapp.webhook import SIGNATURE_HEADER, handshake, signature_valid
from balie.conversations.models import Channel, Message
from balie.errors import Invalid

__all__ = ["WhatsAppConnector"]

log = logging.getLogger(__name__)


class WhatsAppConnector(Connector):
    kind = Channel.WHATSAPP
    settings = settings_of.SETTINGS
    secrets = settings_of.SECRETS
    max_webhook_bytes = 3 * 1024 * 1024  # Meta: a notification is at most 3 MB

    def clean_settings(self, settings: dict[str, str]) -> dict[str, str]:
        return settings_of.clean_settings(settings)

    def address(self, raw: str) -> str:
        address = normalise_address(raw)
        if not address:
            raise Invalid("invalid_address", _("This is not a WhatsApp id."))
        return address

    def contact(self, address: str) -> dict[str, str]:
        """A WhatsApp id is the resident's phone number without "+" (WhatsApp's "wa_id")."""
        try:
            number = phonenumbers.parse(f"+{address}")
        except phonenumbers.NumberParseException:
            return {}
        if not phonenumbers.is_possible_number(number):
            return {}
        return {"phone": phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)}

    def read_webhook(self, account: ChannelAccount, request: WebhookRequest) -> Notification:
        if request.method == "GET":
            return Notification(handshake(request.query, secret_of(account, "verify_token")))
        header = request.headers.get(SIGNATURE_HEADER)
        if not header:
            return Notification(WebhookResponse(401, b"signature missing"))
        if not signature_valid(request.body, header, secret_of(account, "app_secret")):
            log.warning("whatsapp webhook with a wrong signature", extra={"account": account.pk})
            return Notification(WebhookResponse(403, b"signature wrong"))
        try:
            batch = parse(
                request.body,
                settings_of.phone_number_id(account),
                str(account.settings.get("business_account_id", "")),
            )
        except Malformed as malformed:
            log.warning(
                "whatsapp webhook malformed",
                extra={"account": account.pk, "code": malformed.code},
            )
            return Notification(WebhookResponse(400, b"malformed"))
        return read(account, batch)

    def send(self, account: ChannelAccount, message: Message, *, address: str) -> str:
        return sending.send(account, message, address=address)
