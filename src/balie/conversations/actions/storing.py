"""The one writer of new messages: the rows, their archive events and their search entries.

Live sending (the group commit, :mod:`balie.conversations.actions.sending`) and imports of
officials' chats (:mod:`balie.imports.writer`) both store messages through
:func:`store_messages`, inside the caller's transaction: one INSERT for the messages, the
caller's attachments linked to them, one INSERT for their archive events (each payload names
the message, its sequence, direction, text, client id and attachments, plus what the caller
adds), and one for their search entries. What differs between the two is passed in: the
event type, who is recorded as the actor, the extra payload and when the event is recorded.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from balie.archive.actions import record_events
from balie.conversations import followers
from balie.conversations.models import Attachment, Direction, Message

__all__ = ["Attach", "store_messages", "actor_of_sender"]

Attach = Callable[[list[Message]], dict[int, list[Attachment]]]


def actor_of_sender(message: Message) -> dict[str, Any]:
    """The archive's actor of a sent message: the resident, an API key, staff or the
    system."""
    if message.direction == Direction.INBOUND:
        kind = "resident"
    elif message.sent_by_api_key_id:
        kind = "api"
    else:
        kind = "staff" if message.author_id else "system"
    return {
        "actor_id": message.author_id,
        "api_key_id": message.sent_by_api_key_id,
        "actor_kind": kind,
    }


def store_messages(
    messages: list[Message],
    *,
    event_type: str,
    actor: Callable[[Message], dict[str, Any]] = actor_of_sender,
    attach: Attach | None = None,
    extra: Callable[[Message], dict[str, Any]] | None = None,
    recorded_at: datetime | None = None,
    copied: dict[int, tuple] | None = None,
) -> dict[int, list[Attachment]]:
    """Insert ``messages`` (sequence numbers already given), link their attachments
    (``attach`` gets the inserted messages and returns ``{message id: attachments}``),
    record one archive event each and index them. ``copied``: each conversation's
    attributes that search entries copy, when the caller read them under its lock.
    Returns the attachments by message id."""
    if not messages:
        return {}
    Message.objects.bulk_create(messages)
    attachments = attach(messages) if attach is not None else {}
    record_events(
        [
            {
                "organisation_id": message.organisation_id,
                "conversation_id": message.conversation_id,
                "event_type": event_type,
                "payload": {
                    "message_id": message.pk,
                    "seq": message.seq,
                    "direction": message.direction,
                    "body": message.body,
                    "client_id": message.client_id,
                    "attachments": [
                        {"id": a.pk, "sha256": a.sha256, "filename": a.filename}
                        for a in attachments.get(message.pk, [])
                    ],
                    **(extra(message) if extra is not None else {}),
                },
                **actor(message),
                "created_at": recorded_at or message.created_at,
            }
            for message in messages
        ]
    )
    followers.index().index_messages(messages, copied)
    return attachments
