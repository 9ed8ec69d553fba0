"""Real-time events: their shapes and the one function that sends them.

Actions call :func:`send_event` from ``transaction.on_commit`` so nobody hears of a change
that was rolled back. The WebSocket consumers in ``balie.realtime`` join the groups named
here and forward each event to their client unchanged. The shapes are documented in
``docs/realtime.md``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core import signing

from balie.conversations import followers
from balie.conversations.models import RESIDENT_VISIBLE, Conversation, Message

__all__ = [
    "conversation_payload",
    "inbox_group",
    "message_payload",
    "resident_group",
    "send_event",
    "staff_group",
]


# Resident attachment links are signed (no cookies in the embedded chat); see web.resident.
RESIDENT_ATTACHMENT_SALT = "balie.resident-attachment"


def staff_group(conversation_id: int) -> str:
    return f"conv-{conversation_id}-staff"


def resident_group(conversation_id: int) -> str:
    return f"conv-{conversation_id}-resident"


def inbox_group(organisation_id: int) -> str:
    return f"org-{organisation_id}-inbox"


_collecting = threading.local()


@contextmanager
def collect_events() -> Iterator[list[tuple[dict[str, Any], list[str]]]]:
    """Within this block, ``send_event`` appends to the yielded list instead of sending.

    The group-commit writer runs a batch of sends in a worker thread under this, then
    delivers the collected events from the event loop: no thread hop per event.
    """
    _collecting.events = []
    try:
        yield _collecting.events
    finally:
        del _collecting.events


def send_event(event: dict[str, Any], groups: list[str]) -> None:
    """Deliver ``event`` to every socket in ``groups`` (best effort, after commit)."""
    pending = getattr(_collecting, "events", None)
    if pending is not None:
        pending.append((event, groups))
        return
    layer = get_channel_layer()
    if layer is None:
        return
    message = {"type": "balie.event", "event": event}
    for group in groups:
        async_to_sync(layer.group_send)(group, message)


def attachment_payload(attachment, *, for_resident: bool) -> dict[str, Any]:
    return {
        "id": attachment.pk,
        "filename": attachment.filename,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "width": attachment.width,
        "height": attachment.height,
        "url": (
            f"/c/a/{signing.dumps(attachment.pk, salt=RESIDENT_ATTACHMENT_SALT)}/"
            if for_resident
            else f"/console/attachments/{attachment.pk}/"
        ),
    }


def message_payload(
    message: Message, *, for_resident: bool, attachments: list | None = None
) -> dict[str, Any]:
    """The documented message object. Pass ``attachments`` when already loaded."""
    if message.deleted_at is not None:
        attachments = []  # a deleted message shows nothing; the archive keeps it
    elif attachments is None:
        attachments = list(message.attachments.all())
    author = None
    if message.direction != "inbound" and message.author is not None:
        # Residents see the agent's first name only.
        author = message.author.first_name if for_resident else str(message.author)
    return {
        "id": message.pk,
        "conversation": message.conversation_id,
        "seq": message.seq,
        "direction": message.direction,
        "author": author,
        **({} if for_resident else {"author_id": message.author_id}),
        "body": message.body,
        "edited": message.edited_at is not None,
        "deleted": message.deleted_at is not None,
        "client_id": message.client_id,
        "delivery_status": message.delivery_status,
        "created_at": message.created_at.isoformat(),
        "attachments": [attachment_payload(a, for_resident=for_resident) for a in attachments],
    }


def conversation_payload(
    conversation: Conversation, *, with_labels: bool = False
) -> dict[str, Any]:
    """The documented conversation object. ``labels`` costs a query, so it is only there on
    request (opening a conversation, changing its details), not in every inbox update."""
    payload = {
        "id": conversation.pk,
        "organisation": conversation.organisation_id,
        "channel": conversation.channel,
        "status": conversation.status,
        "team": conversation.team_id,
        "assignee": conversation.assignee_id,
        "assignee_name": str(conversation.assignee) if conversation.assignee_id else None,
        "subject": conversation.subject,
        "case_reference": conversation.case_reference,
        "contact": str(conversation.contact),
        "last_seq": conversation.last_seq,
        "agent_read_seq": conversation.agent_read_seq,
        "resident_read_seq": conversation.resident_read_seq,
        "last_message_at": (
            conversation.last_message_at.isoformat() if conversation.last_message_at else None
        ),
    }
    if with_labels:
        payload["labels"] = sorted(label.name for label in conversation.labels.all())
        payload.update(_record_class(conversation))
        payload.update(followers.opening_details(conversation))
    return payload


def _record_class(conversation: Conversation) -> dict[str, Any]:
    record_class = conversation.record_class
    return {
        "record_class": (
            {"id": record_class.pk, "code": record_class.code, "name": record_class.name}
            if record_class is not None
            else None
        ),
    }


def publish_message(message: Message, attachments: list, *, inbox: bool = True) -> None:
    """Fan a committed message out to staff, the inbox, and (if visible) the resident."""
    conversation = message.conversation
    send_event(
        {
            "type": "message",
            "message": message_payload(message, for_resident=False, attachments=attachments),
        },
        [staff_group(conversation.pk)],
    )
    if message.direction in RESIDENT_VISIBLE:
        send_event(
            {
                "type": "message",
                "message": message_payload(message, for_resident=True, attachments=attachments),
            },
            [resident_group(conversation.pk)],
        )
    if inbox:
        publish_conversation(conversation)


def publish_conversation(conversation: Conversation) -> None:
    send_event(
        {"type": "conversation", "conversation": conversation_payload(conversation)},
        [inbox_group(conversation.organisation_id)],
    )
