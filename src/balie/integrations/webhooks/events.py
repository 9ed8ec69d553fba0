"""Archive events as CloudEvents 1.0, following the NL GOV profile for CloudEvents.

Which archive events are sent, and as what:

==================================== ==========================================
archive event                        CloudEvents ``type``
==================================== ==========================================
conversation.created                 nl.balie.conversation.created
conversation.assigned                nl.balie.conversation.assigned
conversation.status_changed          nl.balie.conversation.status-changed
conversation.details_changed         nl.balie.conversation.details-changed
conversation.record_class_changed    nl.balie.conversation.record-class-changed
message.created                      nl.balie.message.created
message.edited                       nl.balie.message.edited
message.deleted                      nl.balie.message.deleted
message.delivery                     nl.balie.message.delivery
==================================== ==========================================

Imported chats (``conversation.imported``, ``message.imported``) are archive records of
officials' phones, not customer contact, and are not sent.

The attributes:

- ``id``: ``<organisation id>-<archive sequence number>``. The archive's sequence number
  identifies the event for good (the profile asks for such an id when there is one), so a
  retry, a replay, and every subscription that receives the event carry the same ``id``:
  receivers deduplicate on ``source`` + ``id``.
- ``source``: ``urn:nld:oin:<OIN>:systeem:balie`` when the organisation has an OIN (the
  profile's recommendation), otherwise the installation's public address (``PUBLIC_URL``).
- ``time``: when the archive recorded the event (the profile asks for the logging time).
- ``subject``: ``conversations/<id>`` or ``conversations/<id>/messages/<id>``.
- ``dataref``: where the API gives what changed (the conversation, or the message).
- ``sequence``: the archive's sequence number, zero-padded to 20 digits so that it sorts as
  text; it orders one organisation's events (there are gaps: not every archive event is sent).

The ``data`` carries references and codes only, never what people wrote: no message text,
subject, case reference, label, file name or contact details ("informatiearm notificeren").
A receiver that needs the content fetches it from ``dataref`` with its own API key, so the
API decides what it may see and the read is in the audit log.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.utils import timezone

from balie.tenants.models import Organisation

__all__ = [
    "PING_TYPE",
    "PREFIX",
    "TYPES",
    "CloudEvent",
    "from_archive",
    "matches",
    "ping",
    "short_name",
]

PREFIX = "nl.balie."
PING_TYPE = PREFIX + "webhook.ping"
DOMAINS = ("conversation", "message")
DETAILS = ("subject", "case_reference", "labels")

Payload = dict[str, Any]


def _created(payload: Payload) -> Payload:
    return {"channel": payload.get("channel"), "team": payload.get("team")}


def _assigned(payload: Payload) -> Payload:
    return {"assignee": payload.get("assignee"), "team": payload.get("team")}


def _moved(payload: Payload) -> Payload:
    return {"from": payload.get("from"), "to": payload.get("to")}


def _details(payload: Payload) -> Payload:
    # Which fields changed, never their new values (a subject can name a resident).
    return {"changed": sorted(name for name in DETAILS if name in payload)}


def _message_created(payload: Payload) -> Payload:
    return {
        "direction": payload.get("direction"),
        "attachments": len(payload.get("attachments") or []),
    }


def _delivery(payload: Payload) -> Payload:
    return {"status": payload.get("status")}


def _nothing(payload: Payload) -> Payload:
    return {}


# archive event type: (is it about a message, what its data adds)
SENT: dict[str, tuple[bool, Callable[[Payload], Payload]]] = {
    "conversation.created": (False, _created),
    "conversation.assigned": (False, _assigned),
    "conversation.status_changed": (False, _moved),
    "conversation.details_changed": (False, _details),
    "conversation.record_class_changed": (False, _moved),
    "message.created": (True, _message_created),
    "message.edited": (True, _nothing),
    "message.deleted": (True, _nothing),
    "message.delivery": (True, _delivery),
    "message.delivery_retried": (True, _delivery),
}


def short_name(archive_type: str) -> str:
    """The CloudEvents type without its prefix: ``conversation.status-changed``."""
    return archive_type.replace("_", "-")


TYPES = tuple(short_name(name) for name in SENT)


def matches(patterns: Iterable[str], name: str) -> bool:
    """Whether a subscription's patterns (``*``, ``message.*``, or an exact short name) take
    the event type ``name`` (a short name)."""
    for pattern in patterns:
        if pattern == "*" or pattern == name:
            return True
        if pattern.endswith(".*") and name.startswith(pattern[:-1]):
            return True
    return False


@dataclass(frozen=True)
class CloudEvent:
    """One CloudEvent, serialised once: ``body`` is what is sent and signed, every time."""

    id: str
    type: str
    subject: str
    seq: int | None
    body: str


def source_of(organisation: Organisation) -> str:
    if organisation.oin:
        return f"urn:nld:oin:{organisation.oin}:systeem:balie"
    return _site()


def _site() -> str:
    return str(settings.PUBLIC_URL).rstrip("/")


def _time(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def from_archive(event: Any, organisation: Organisation) -> CloudEvent | None:
    """The CloudEvent for an archive event (``ArchiveEvent``), or None for one not sent."""
    kind = SENT.get(event.event_type)
    if kind is None or event.conversation_id is None:
        return None
    about_message, extra = kind
    payload = event.payload if isinstance(event.payload, dict) else {}
    conversation = event.conversation_id
    api = f"{_site()}/api/v1/conversations/{conversation}/"
    data: Payload = {"organisation": organisation.slug, "conversation": conversation}
    if about_message:
        message, message_seq = payload.get("message_id"), payload.get("seq")
        data.update(message=message, message_seq=message_seq)
        subject = f"conversations/{conversation}/messages/{message}"
        after = max(message_seq - 1, 0) if isinstance(message_seq, int) else 0
        dataref = f"{api}messages/?after_seq={after}&limit=1"
    else:
        subject, dataref = f"conversations/{conversation}", api
    data.update(extra(payload))
    name = short_name(event.event_type)
    attributes = {
        "specversion": "1.0",
        "type": PREFIX + name,
        "source": source_of(organisation),
        "id": f"{organisation.pk}-{event.seq}",
        "time": _time(event.created_at),
        "subject": subject,
        "dataref": dataref,
        "sequence": f"{event.seq:020d}",
        "datacontenttype": "application/json",
        "data": data,
    }
    return _built(attributes, seq=event.seq)


def ping(organisation: Organisation, subscription_id: int) -> CloudEvent:
    """A test event for one subscription: a random id (it reports no archive event)."""
    attributes = {
        "specversion": "1.0",
        "type": PING_TYPE,
        "source": source_of(organisation),
        "id": str(uuid.uuid4()),
        "time": _time(timezone.now()),
        "subject": f"subscriptions/{subscription_id}",
        "datacontenttype": "application/json",
        "data": {"organisation": organisation.slug, "subscription": subscription_id},
    }
    return _built(attributes, seq=None)


def _built(attributes: dict[str, Any], *, seq: int | None) -> CloudEvent:
    return CloudEvent(
        id=attributes["id"],
        type=attributes["type"],
        subject=attributes["subject"],
        seq=seq,
        body=json.dumps(attributes, separators=(",", ":")),
    )
