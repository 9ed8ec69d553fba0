"""The transcript of a conversation for the e-Depot: every message, as JSON.

It holds the archive's originals, unredacted (it goes to the e-Depot, not to the public): per
message its sequence, time, the author's role, the text as it stands, and for an edited or
deleted message every version the archive's events keep. Texts are kept exactly, control
characters included (JSON escapes them; decoding gives the same text back). Attachments are
named by the files the transfer writes beside it.
"""

from __future__ import annotations

import json
from datetime import datetime

from django.utils import timezone

from balie.archive.models import ArchiveEvent, RecordClass
from balie.conversations.models import Attachment, Conversation, Direction, Message
from balie.tenants.models import Organisation

__all__ = ["EXTENSIONS", "FORMAT", "attachment_file", "transcript"]

FORMAT = "balie-transcript/1"
EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png",
              "image/gif": ".gif", "image/webp": ".webp"}  # fmt: skip
ROLES: dict[str, str] = {Direction.INBOUND: "inwoner", Direction.OUTBOUND: "gemeente",
         Direction.NOTE: "interne notitie", Direction.SYSTEM: "systeem"}  # fmt: skip
# The archive events that hold a message's text: as written, then each change.
VERSION_EVENTS = ("message.created", "message.imported", "message.edited", "message.deleted")


def attachment_file(attachment: Attachment) -> str:
    """The attachment's file name in the export: from its id and sniffed type only."""
    return f"bijlage-{attachment.pk}{EXTENSIONS.get(attachment.content_type, '.bin')}"


def transcript(
    conversation: Conversation,
    messages: list[Message],
    attachments: list[Attachment],
    organisation: Organisation,
) -> bytes:
    """The transcript as UTF-8 JSON."""
    files: dict[int | None, list[dict]] = {}
    for attachment in attachments:
        files.setdefault(attachment.message_id, []).append(_attachment(attachment))
    changed = [message.pk for message in messages if message.edited_at or message.deleted_at]
    versions = _versions(conversation, changed) if changed else {}
    data = {
        "format": FORMAT,
        "conversation": _conversation(conversation),
        "organisation": {"name": organisation.name, "slug": organisation.slug,
                         "gemeentecode": organisation.gemeentecode, "oin": organisation.oin},
        "record_class": _record_class(conversation.record_class),
        "messages": [
            _message(message, versions.get(message.pk, []), files.get(message.pk, []))
            for message in messages
        ],
    }  # fmt: skip
    return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8") + b"\n"


def _conversation(conversation: Conversation) -> dict:
    return {
        "id": conversation.pk,
        "channel": conversation.channel,
        "kind": conversation.kind,
        "subject": conversation.subject,
        "case_reference": conversation.case_reference,
        "language": conversation.language,
        "created_at": _when(conversation.created_at),
        "closed_at": _when(conversation.closed_at),
    }


def _record_class(record_class: RecordClass | None) -> dict | None:
    if record_class is None:
        return None
    return {
        "code": record_class.code,
        "name": record_class.name,
        "selectielijst_reference": record_class.selectielijst_reference,
        "retention": record_class.retention,
        "trigger": record_class.trigger,
        "waardering": record_class.waardering,
    }


def _message(message: Message, versions: list[dict], attachments: list[dict]) -> dict:
    return {
        "seq": message.seq,
        "time": _when(message.created_at),
        "role": ROLES.get(message.direction, message.direction),
        "author_name": message.author_name,
        "text": message.body,
        "edited_at": _when(message.edited_at),
        "deleted_at": _when(message.deleted_at),
        "versions": versions,
        "attachments": attachments,
    }


def _attachment(attachment: Attachment) -> dict:
    return {
        "id": attachment.pk,
        "file": attachment_file(attachment),
        "filename": attachment.filename,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "sha256": attachment.sha256,
    }


def _versions(conversation: Conversation, message_ids: list[int]) -> dict[int, list[dict]]:
    """{message id: its versions as the archive's events hold them, oldest first}."""
    wanted = set(message_ids)
    found: dict[int, list[dict]] = {}
    events = ArchiveEvent.objects.filter(
        organisation_id=conversation.organisation_id,
        conversation_id=conversation.pk,
        event_type__in=VERSION_EVENTS,
    ).order_by("seq")
    for event in events:
        payload = event.payload if isinstance(event.payload, dict) else {}
        if payload.get("message_id") not in wanted:
            continue
        version = {"time": _when(event.created_at), "event": event.event_type}
        if "body" in payload:
            version["text"] = payload["body"]
        found.setdefault(payload["message_id"], []).append(version)
    return found


def _when(moment: datetime | None) -> str | None:
    return timezone.localtime(moment).isoformat() if moment else None
