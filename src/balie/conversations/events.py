"""Real-time fan-out: the groups, the objects events carry, and the one way to send.

Actions call :func:`send_event` from ``transaction.on_commit`` so nobody hears of a change
that was rolled back; code on the event loop (the group-commit writer, the inbox batcher, the
consumers' typing relay) awaits :func:`asend_event` instead, with the same envelope and no
thread hop. Nothing else calls ``group_send`` with a Balie event. The WebSocket consumers in
``balie.realtime`` join the groups named here and forward each event to their client. Each
event type is built in :mod:`balie.conversations.event_types`; the shapes are documented in
``docs/realtime.md``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core import signing

from balie.conversations import event_types, followers
from balie.conversations.models import RESIDENT_VISIBLE, Attachment, Conversation, Message

__all__ = [
    "asend_event",
    "asend_events",
    "attachment_payload",
    "collect_events",
    "conversation_payload",
    "inbox_group",
    "message_payload",
    "publish_conversation",
    "publish_message",
    "publish_message_updated",
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
    outer = getattr(_collecting, "events", None)  # a block inside another collects apart
    _collecting.events = []
    try:
        yield _collecting.events
    finally:
        if outer is None:
            del _collecting.events
        else:
            _collecting.events = outer


def send_event(event: dict[str, Any], groups: list[str]) -> None:
    """Deliver ``event`` to every socket in ``groups`` (best effort, after commit)."""
    pending = getattr(_collecting, "events", None)
    if pending is not None:
        pending.append((event, groups))
        return
    layer = get_channel_layer()
    if layer is None:
        return
    message = _envelope(event)
    send_now = getattr(layer, "send_now", None)  # several nodes: one publish, no event loop
    if send_now is not None:
        send_now([(group, message) for group in groups])
        return
    for group in groups:
        async_to_sync(layer.group_send)(group, message)


async def asend_event(event: dict[str, Any], groups: list[str]) -> None:
    """:func:`send_event` for code on the event loop (no thread hop)."""
    await asend_events([(event, groups)])


async def asend_events(collected: list[tuple[dict[str, Any], list[str]]]) -> None:
    """Several events at once, as a batch collected them: on several nodes one publish for
    all of them (``realtime.layers.RedisFanoutLayer.group_send_many``)."""
    layer = get_channel_layer()
    if layer is None or not collected:
        return
    pairs = [(group, _envelope(event)) for event, groups in collected for group in groups]
    send_many = getattr(layer, "group_send_many", None)
    if send_many is not None:
        await send_many(pairs)
        return
    for group, message in pairs:
        await layer.group_send(group, message)


def _envelope(event: dict[str, Any]) -> dict[str, Any]:
    """The channel-layer message; the consumers' ``balie_event`` handler receives it."""
    return {"type": "balie.event", "event": event}


AttachmentUrl = Callable[[Attachment], str]


def attachment_payload(
    attachment: Attachment, *, for_resident: bool, url: AttachmentUrl | None = None
) -> dict[str, Any]:
    """The documented attachment object. ``url`` gives the link where the surface differs
    (the REST API links to its own download); by default the console's or the resident's."""
    if url is not None:
        link = url(attachment)
    elif for_resident:
        link = f"/c/a/{signing.dumps(attachment.pk, salt=RESIDENT_ATTACHMENT_SALT)}/"
    else:
        link = f"/console/attachments/{attachment.pk}/"
    return {
        "id": attachment.pk,
        "filename": attachment.filename,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "width": attachment.width,
        "height": attachment.height,
        "url": link,
    }


def message_payload(
    message: Message,
    *,
    for_resident: bool,
    attachments: list | None = None,
    attachment_url: AttachmentUrl | None = None,
) -> dict[str, Any]:
    """The documented message object, the same over the sockets and the REST API.

    Pass ``attachments`` when already loaded. Staff see ``author`` (the display name: the
    staff member, or the author an imported chat names) and ``author_id``; residents see an
    agent's first name only, and no ``author_id``.
    """
    if message.deleted_at is not None:
        attachments = []  # a deleted message shows nothing; the archive keeps it
    elif attachments is None:
        attachments = list(message.attachments.all())
    return {
        "id": message.pk,
        "conversation": message.conversation_id,
        "seq": message.seq,
        "direction": message.direction,
        "author": _author(message, for_resident=for_resident),
        **({} if for_resident else {"author_id": message.author_id}),
        "body": message.body,
        "edited": message.edited_at is not None,
        "deleted": message.deleted_at is not None,
        "client_id": message.client_id,
        "delivery_status": message.delivery_status,
        **({} if for_resident else {"delivery_error": message.delivery_error}),
        "created_at": message.created_at.isoformat(),
        "attachments": [
            attachment_payload(a, for_resident=for_resident, url=attachment_url)
            for a in attachments
        ],
    }


def _author(message: Message, *, for_resident: bool) -> str | None:
    if for_resident:
        # Residents see the agent's first name only, and nothing for their own messages.
        if message.direction == "inbound" or message.author is None:
            return None
        return message.author.first_name
    if message.author is not None:
        return str(message.author)
    return message.author_name or None


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
    staff = message_payload(message, for_resident=False, attachments=attachments)
    send_event(event_types.message_event(staff), [staff_group(conversation.pk)])
    if message.direction in RESIDENT_VISIBLE:
        resident = message_payload(message, for_resident=True, attachments=attachments)
        send_event(event_types.message_event(resident), [resident_group(conversation.pk)])
    if inbox:
        publish_conversation(conversation)


def publish_message_updated(message: Message) -> None:
    """Fan an edited or deleted message out to staff and (if visible) the resident."""
    attachments = [] if message.deleted_at else list(message.attachments.all())
    audiences = [(staff_group(message.conversation_id), False)]
    if message.direction in RESIDENT_VISIBLE:
        audiences.append((resident_group(message.conversation_id), True))
    for group, for_resident in audiences:
        payload = message_payload(message, for_resident=for_resident, attachments=attachments)
        send_event(event_types.message_updated_event(payload), [group])


def publish_conversation(conversation: Conversation) -> None:
    send_event(
        event_types.conversation_event(conversation_payload(conversation)),
        [inbox_group(conversation.organisation_id)],
    )
