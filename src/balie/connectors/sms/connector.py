"""The SMS channel: one connector for the ``sms`` kind, whose account setting ``provider``
says which provider adapter speaks to the gateway (``generic``: Balie's own documented
format; ``twilio``). The connector does what is the same for every provider: refusing what
is not signed or not well-formed (403, 400, with nothing stored), joining long messages,
storing through ``balie.connectors.inbound``, applying delivery reports, and sending.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import replace

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from balie.connectors.accounts import webhook_url
from balie.connectors.inbound import InboundFile
from balie.connectors.models import ChannelAccount, ExternalMessage
from balie.connectors.registry import Connector, Field, WebhookRequest, WebhookResponse
from balie.connectors.sms import joining, reports
from balie.connectors.sms.numbers import normalise
from balie.connectors.sms.providers.base import InboundSms, OutboundSms, Provider, Report
from balie.connectors.sms.providers.generic import Generic
from balie.connectors.sms.providers.twilio import Twilio
from balie.connectors.sms.segments import count_segments
from balie.conversations.models import Channel, Message
from balie.conversations.tasks import DeliveryFailed
from balie.errors import BalieError, Invalid

__all__ = ["PROVIDERS", "SmsConnector", "idempotency_key"]

logger = logging.getLogger(__name__)

PROVIDERS: dict[str, Provider] = {p.name: p for p in (Generic(), Twilio())}


def provider_of(account: ChannelAccount) -> Provider:
    return PROVIDERS[account.settings.get("provider", "generic")]


def idempotency_key(account: ChannelAccount, message: Message) -> str:
    """Balie's key for ``message`` on ``account``: the same on every attempt."""
    digest = hashlib.sha256(f"{account.pk}:{message.pk}".encode()).hexdigest()[:32]
    return f"balie-{digest}"


def _refusal(error: BalieError) -> WebhookResponse:
    """The webhook's one mapping of a refusal: its status and ``{"code", "detail"}``."""
    body = json.dumps({"code": error.code, "detail": error.message}, ensure_ascii=False)
    return WebhookResponse(error.status, body.encode("utf-8"), "application/json")


class SmsConnector(Connector):
    kind = Channel.SMS
    settings = (
        Field("provider", "generic (Balie's own format) or twilio."),
        Field("number", "The account's own number (E.164); Twilio sends from it.", False),
        Field("url", "generic: where Balie POSTs outbound messages (https).", False),
        Field("account_sid", "twilio: the Account SID (AC…).", False),
        Field("messaging_service_sid", "twilio: send through this Messaging Service.", False),
        Field("api_base", "twilio: the API's address (default https://api.twilio.com).", False),
    )
    secrets = (
        Field(
            "secret",
            "generic: the shared secret both sides sign with; twilio: the Auth Token.",
        ),
    )

    def clean_settings(self, settings: dict[str, str]) -> dict[str, str]:
        name = settings.get("provider")
        if name not in PROVIDERS:
            raise Invalid(
                "invalid_field",
                _("%(name)s is one of: %(choices)s."),
                field="provider",
                params={"name": "provider", "choices": ", ".join(PROVIDERS)},
            )
        return {"provider": name, **PROVIDERS[name].clean(settings)}

    def address(self, raw: str) -> str:
        return normalise(raw, name="address")

    def contact(self, address: str) -> dict[str, str]:
        # A number in E.164; an alphanumeric sender (a company's name) is no phone number.
        return {"phone": address} if address.startswith("+") else {}

    def handle_webhook(self, account: ChannelAccount, request: WebhookRequest) -> WebhookResponse:
        if request.method != "POST":
            return WebhookResponse(405, headers={"Allow": "POST"})
        provider = provider_of(account)
        try:
            provider.verify(account, request)
            parsed = provider.parse(account, request)
        except BalieError as refused:
            return _refusal(refused)
        if isinstance(parsed, Report):
            reports.do_apply_report(account, parsed)
        else:
            joining.do_receive_sms(account, *self._fetched(account, provider, parsed))
        return provider.answer(parsed)

    def _fetched(
        self, account: ChannelAccount, provider: Provider, sms: InboundSms
    ) -> tuple[InboundSms, tuple[InboundFile, ...]]:
        """``sms`` with its MMS files; one that cannot be fetched is named in the text.
        Nothing is fetched for a message already stored (a webhook delivered again)."""
        if (
            not sms.media
            or ExternalMessage.objects.filter(account=account, external_id=sms.external_id).exists()
        ):
            return sms, ()
        files, notes = [], []
        for media in sms.media:
            fetched = provider.fetch(account, media)
            if fetched is None:
                notes.append(f"[{media.filename}: {gettext('the file could not be fetched')}]")
            else:
                files.append(fetched)
        text = "\n".join([sms.text, *notes]).strip()
        return replace(sms, text=text), tuple(files)

    def send(self, account: ChannelAccount, message: Message, *, address: str) -> str:
        if message.attachments.exists():
            raise DeliveryFailed(
                "attachments_not_supported", "SMS carries text only", retryable=False
            )
        provider = provider_of(account)
        outbound = OutboundSms(
            idempotency_key(account, message), address, message.body, webhook_url(account)
        )
        external_id = provider.send(account, outbound)
        logger.info(
            "sms sent",
            extra={"message_id": message.pk, "segments": count_segments(message.body).count},
        )
        reports.apply_early_reports(account, external_id, message)
        return external_id
