"""The connector interface: what a channel adapter implements, and where it registers.

An adapter (``balie.connectors.whatsapp``, ``.email``, ``.sms``) subclasses
:class:`Connector` and registers one instance in its ``AppConfig.ready``. Balie's side of a
channel is then the same for every channel: inbound goes through
``balie.connectors.inbound.do_receive`` (the web chat's actions, idempotent on the channel's
own message id), outbound through the conversations' delivery task (retries, failed state),
status reports through ``do_channel_status``. docs/contributing.md says how to add one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from balie.connectors.inbound import Inbound, Received
    from balie.connectors.models import ChannelAccount
    from balie.conversations.models import Message
    from balie.errors import BalieError

__all__ = [
    "Connector",
    "Field",
    "Notification",
    "StatusReport",
    "WebhookRequest",
    "WebhookResponse",
    "connector_for",
    "connectors",
    "register",
]


@dataclass(frozen=True)
class Field:
    """A setting or secret of a channel account: its key, the CLI flag, a help text."""

    name: str
    help: str
    required: bool = True


@dataclass(frozen=True)
class WebhookRequest:
    """What reached the channel's webhook: the raw body (signatures are computed over it),
    headers with lower-case names, the query parameters."""

    method: str
    headers: Mapping[str, str]
    query: Mapping[str, str]
    body: bytes


@dataclass(frozen=True)
class WebhookResponse:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/plain; charset=utf-8"
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class StatusReport:
    """A channel's report on a message Balie sent: sent, delivered, read or failed."""

    external_id: str
    status: str
    error: str = ""


@dataclass(frozen=True)
class Notification:
    """What a webhook request brought, checked and read but not yet stored (see
    :meth:`Connector.read_webhook`): the answer the channel gets once it is stored, the
    residents' messages, the status reports, and ``then``: the connector's own work after
    the messages are stored, given what became of each (in the same transaction)."""

    response: WebhookResponse
    messages: Sequence[Inbound] = ()
    statuses: Sequence[StatusReport] = ()
    then: Callable[[list[Received | BalieError]], None] | None = None


class Connector:
    """A channel adapter. ``kind`` is a ``conversations.models.Channel`` value."""

    kind: ClassVar[str]
    settings: ClassVar[tuple[Field, ...]] = ()
    secrets: ClassVar[tuple[Field, ...]] = ()
    # The largest webhook body this channel sends (bytes); None: the upload limit.
    max_webhook_bytes: ClassVar[int | None] = None

    def clean_settings(self, settings: dict[str, str]) -> dict[str, str]:
        """The settings as stored; raise ``balie.errors.Invalid`` naming a bad one."""
        return settings

    def address(self, raw: str) -> str:
        """A resident's id on this channel in its one stored form (E.164, lower-case …);
        raise ``balie.errors.Invalid`` when it is none."""
        return raw.strip()

    def contact(self, address: str) -> dict[str, str]:
        """What a resident's address says of them for the contact of a new conversation:
        ``phone`` (E.164) and/or ``email``."""
        return {}

    def handle_webhook(self, account: ChannelAccount, request: WebhookRequest) -> WebhookResponse:
        """Check, parse and hand over what the channel sent (``do_receive``,
        ``do_channel_status``); answer as the channel expects."""
        return WebhookResponse(404)

    def read_webhook(self, account: ChannelAccount, request: WebhookRequest) -> Notification | None:
        """Check and read a webhook request without storing anything; the intake stores
        what several concurrent requests brought in one transaction (group commit). None:
        this connector stores in :meth:`handle_webhook` itself, one request at a time."""
        return None

    def send(self, account: ChannelAccount, message: Message, *, address: str) -> str:
        """Deliver ``message`` to ``address``; return the channel's id for it. Raise
        ``balie.conversations.tasks.DeliveryFailed`` with the channel's error otherwise."""
        raise NotImplementedError


_registry: dict[str, Connector] = {}


def register(connector: Connector) -> None:
    _registry[connector.kind] = connector


def connector_for(kind: str) -> Connector | None:
    return _registry.get(kind)


def connectors() -> dict[str, Connector]:
    return dict(_registry)
