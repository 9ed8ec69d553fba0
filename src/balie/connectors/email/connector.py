"""The e-mail connector: a mailbox of an organisation as a channel.

Inbound mail comes from the mailbox over IMAP (:mod:`~balie.connectors.email.imap`: `balie
mail poll` with IDLE, or the worker's ``poll_mailboxes`` task) or is posted to the account's
webhook (:mod:`~balie.connectors.email.webhook`); either way
:func:`~balie.connectors.email.receiving.take` takes it. Answers go out over SMTP
(:mod:`~balie.connectors.email.smtp`). The e-mail part of docs/channels.md describes the
setup.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from balie.connectors.email import config, smtp, webhook
from balie.connectors.email.headers import normalise_address
from balie.connectors.models import ChannelAccount
from balie.connectors.registry import Connector, WebhookRequest, WebhookResponse
from balie.conversations.models import Channel, Message
from balie.errors import Invalid

__all__ = ["EmailConnector"]


class EmailConnector(Connector):
    kind = Channel.EMAIL
    settings = config.SETTINGS
    secrets = config.SECRETS

    def clean_settings(self, settings: dict[str, str]) -> dict[str, str]:
        return config.clean(settings)

    def address(self, raw: str) -> str:
        try:
            return normalise_address(raw)
        except ValueError:
            raise Invalid("invalid_address", _("This is not an e-mail address.")) from None

    def contact(self, address: str) -> dict[str, str]:
        return {"email": address}

    def handle_webhook(self, account: ChannelAccount, request: WebhookRequest) -> WebhookResponse:
        return webhook.handle(account, request)

    def send(self, account: ChannelAccount, message: Message, *, address: str) -> str:
        return smtp.send_mail(account, message, address=address)
