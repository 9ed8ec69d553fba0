"""The live message rows against what the archive recorded of them (for ``balie verify``).

Registered with :func:`balie.archive.verification.register_live_check` in records'
``AppConfig.ready``: the archive may not know what a conversation is (decision 0018). Each
live message must match its latest archived version: ``message.created`` or
``message.imported`` (seq, direction, body; the author too where the sender was recorded as
the actor), then ``message.edited`` (body) and ``message.deleted`` (body empty, marked
deleted). Events emptied by destruction name no message; their messages are gone as well.
"""

from __future__ import annotations

from balie.archive.models import ArchiveEvent
from balie.conversations.models import Conversation, Message

_TYPES = ("message.created", "message.imported", "message.edited", "message.deleted")
CHUNK = 500  # conversations compared at a time: memory stays flat however large the archive


def archived_messages(organisation_id: int, conversation_ids: list[int]) -> dict[int, dict]:
    """{message id: its latest archived version} for these conversations."""
    versions: dict[int, dict] = {}
    events = (
        ArchiveEvent.objects.filter(
            organisation_id=organisation_id,
            conversation_id__in=conversation_ids,
            event_type__in=_TYPES,
        )
        .order_by("seq")
        .values_list("event_type", "conversation_id", "actor_id", "payload")
    )
    for event_type, conversation_id, actor_id, payload in events:
        message_id = payload.get("message_id") if isinstance(payload, dict) else None
        if not isinstance(message_id, int):
            continue  # emptied by a destruction list
        if event_type in ("message.created", "message.imported"):
            versions[message_id] = {
                "conversation": conversation_id,
                "seq": payload.get("seq"),
                "direction": payload.get("direction"),
                "body": payload.get("body"),
                "author": actor_id if event_type == "message.created" else ...,
                # An import can bring a message that was already deleted in the export.
                "deleted": payload.get("kind") == "deleted",
            }
        elif message_id in versions:
            version = versions[message_id]
            if event_type == "message.edited":
                version["body"] = payload.get("body")
            else:
                version["body"], version["deleted"] = "", True
    return versions


def check_messages(organisation_id: int) -> str | None:
    """The first live message that differs from its archived version, or None."""
    ids = list(
        Conversation.objects.filter(organisation_id=organisation_id)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for start in range(0, len(ids), CHUNK):
        problem = _compare(organisation_id, ids[start : start + CHUNK])
        if problem is not None:
            return problem
    return None


def _compare(organisation_id: int, conversation_ids: list[int]) -> str | None:
    archived = archived_messages(organisation_id, conversation_ids)
    rows = (
        Message.objects.filter(
            organisation_id=organisation_id, conversation_id__in=conversation_ids
        )
        .order_by("conversation_id", "pk")
        .values_list("pk", "conversation_id", "seq", "direction", "body", "author_id", "deleted_at")
    )
    for pk, conversation_id, seq, direction, body, author_id, deleted_at in rows:
        where = f"conversation {conversation_id}, message {pk}"
        version = archived.pop(pk, None)
        if version is None:
            return f"{where}: not in the archive"
        live = {
            "conversation": conversation_id,
            "seq": seq,
            "direction": direction,
            "body": body,
            "author": author_id if version["author"] is not ... else ...,
            "deleted": deleted_at is not None,
        }
        differs = [name for name, value in live.items() if version[name] != value]
        if differs:
            return f"{where}: {', '.join(differs)} differ(s) from the archived version"
    for pk, version in sorted(archived.items()):
        return f"conversation {version['conversation']}, message {pk}: missing from the live rows"
    return None
