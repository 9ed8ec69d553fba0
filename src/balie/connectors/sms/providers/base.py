"""What an SMS provider adapter hands the connector, and what it is asked to do.

A provider checks a webhook's signature (:meth:`Provider.verify`), reads it into an
:class:`InboundSms` or a :class:`Report` (:meth:`Provider.parse`), answers as the provider
expects, and sends an :class:`OutboundSms`, returning its own id for it. Everything else —
joining long messages, storing, applying reports — is the connector's, the same for every
provider.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar, Protocol
from urllib.parse import urlsplit

from django.utils.translation import gettext_lazy as _

from balie.connectors.inbound import InboundFile
from balie.connectors.registry import WebhookRequest, WebhookResponse
from balie.errors import Invalid, NotAllowed

if TYPE_CHECKING:
    from balie.connectors.models import ChannelAccount

__all__ = [
    "CONTROL",
    "MAX_ID",
    "MAX_TEXT",
    "TIMEOUT",
    "USER_AGENT",
    "InboundSms",
    "Malformed",
    "Media",
    "OutboundSms",
    "Part",
    "Provider",
    "Report",
    "SignatureRefused",
    "checked_url",
    "short_detail",
]

MAX_ID = 200  # a provider's message id; Balie adds a suffix to joined and split ones
MAX_TEXT = 16_000  # the longest text one webhook may carry (about 100 SMS)
TIMEOUT = (5.0, 15.0)  # seconds to connect, seconds between bytes of the answer
USER_AGENT = "Balie-SMS/1"
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]+")


class SignatureRefused(NotAllowed):
    """The webhook is not signed by whom the account trusts, or the signature is stale."""

    default_code = "invalid_signature"
    default_message = _("The request's signature is missing, wrong or expired.")


class Malformed(Invalid):
    """The webhook's body is not what the provider's format says."""

    default_code = "malformed"
    default_message = _("The request is malformed: %(reason)s")


@dataclass(frozen=True)
class Part:
    """A part of a concatenated SMS as its UDH says: the reference shared by the parts,
    this part's place from 1, and how many parts there are."""

    ref: int
    index: int
    total: int


@dataclass(frozen=True)
class Media:
    """A file the provider keeps for an inbound MMS: where to fetch it, its stated type,
    the name Balie gives it."""

    url: str
    content_type: str
    filename: str


@dataclass(frozen=True)
class InboundSms:
    external_id: str
    sender: str  # E.164
    text: str
    sent_at: datetime | None = None
    part: Part | None = None
    media: tuple[Media, ...] = ()


@dataclass(frozen=True)
class Report:
    """A delivery report: ``status`` is a ``DeliveryStatus`` value (sent, delivered, read,
    failed), or None for one that changes nothing in Balie (queued, sending)."""

    external_id: str
    status: str | None
    error: str = ""


@dataclass(frozen=True)
class OutboundSms:
    """``key``: Balie's idempotency key for the message, the same on every attempt."""

    key: str
    to: str
    text: str
    status_url: str


class Provider(Protocol):
    name: ClassVar[str]

    def clean(self, settings: Mapping[str, str]) -> dict[str, str]:
        """The settings this provider uses, checked; the others left out."""
        ...

    def verify(self, account: ChannelAccount, request: WebhookRequest) -> None:
        """Raise :class:`SignatureRefused` unless the provider signed ``request``."""
        ...

    def parse(self, account: ChannelAccount, request: WebhookRequest) -> InboundSms | Report:
        """Raise :class:`Malformed` (or another ``Invalid``) for what is not the format."""
        ...

    def fetch(self, account: ChannelAccount, media: Media) -> InboundFile | None:
        """An MMS file's bytes, or None when it could not be fetched."""
        ...

    def answer(self, parsed: InboundSms | Report) -> WebhookResponse: ...

    def send(self, account: ChannelAccount, sms: OutboundSms) -> str:
        """The provider's id for ``sms``; ``DeliveryFailed`` otherwise."""
        ...


def checked_url(value: str, name: str) -> str:
    """An address Balie connects to: https, or http on this machine only (for testing)."""
    split = urlsplit(value)
    local = split.hostname in ("127.0.0.1", "localhost", "::1")
    if split.scheme not in ("https", "http") or not split.hostname or split.username:
        raise Invalid(
            "invalid_field", _("%(name)s is not a URL."), field=name, params={"name": name}
        )
    if split.scheme == "http" and not local:
        raise Invalid(
            "invalid_field",
            _("%(name)s must use https."),
            field=name,
            params={"name": name},
        )
    return value


def short_detail(text: object, limit: int = 200) -> str:
    """A provider's error text, kept short and on one line (it is shown to staff)."""
    return CONTROL.sub(" ", str(text))[:limit].strip()
