"""Writing the selected messages of an export: conversations per chat, messages in chunks
with their archive events, search entries and attachments, through the same writer as live
sending (:func:`balie.conversations.actions.storing.store_messages`). Used by ``do_import``
inside its transaction only.

A message's ``client_id`` is a fingerprint of what it is (chat, time, author, kind, text,
attachments, and which occurrence of exactly that it is), so importing the same file again,
or a later export that overlaps, adds only what is new.
"""

from __future__ import annotations

import hashlib
import zipfile
from collections import Counter
from datetime import UTC
from pathlib import Path

from django.core.files.storage import default_storage
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from balie.archive.actions import record_event
from balie.archive.actors import actor_ref
from balie.conversations.actions.storing import store_messages
from balie.conversations.blobs import blob_name, store_blob
from balie.conversations.files import FileRejected, check_upload, clean_filename
from balie.conversations.models import (
    Attachment,
    Channel,
    Contact,
    Conversation,
    ConversationKind,
    DeliveryStatus,
    Direction,
    Message,
    Status,
)
from balie.imports.exports import ImportRefused, limits
from balie.imports.models import ImportedChat, Source, chat_key_of
from balie.imports.parsers.base import Kind, ParsedAttachment, ParsedMessage
from balie.imports.parsers.zips import read_member
from balie.records.record_classes import record_class_for
from balie.search.text import fold

__all__ = ["Writer", "file_sha256", "remove_unreferenced"]

CHUNK = 1000
CHANNELS = {
    Source.WHATSAPP: Channel.WHATSAPP,
    Source.SMS: Channel.SMS,
    Source.TELEGRAM: Channel.TELEGRAM,
}


class Writer:
    """Collects selected messages per chat and writes them in chunks."""

    def __init__(self, batch, export, reviewed, owner, importer, me, stored_blobs):
        self.batch, self.export, self.reviewed = batch, export, reviewed
        self.owner, self.importer = owner, importer
        self.me = {fold(name) for name in me}
        self.stored_blobs = stored_blobs
        self.pending: list[tuple[ParsedMessage, str, str]] = []
        self.occurrences: Counter = Counter()
        self.conversations: dict[str, Conversation] = {}
        self.zip: zipfile.ZipFile | None = None
        self.in_folder: dict[str, list[zipfile.ZipInfo]] | None = None
        self.now = timezone.now()

    def add(self, message: ParsedMessage, chat: str) -> None:
        key = _fingerprint(self.export.source, chat, message)
        self.occurrences[key] += 1
        client_id = hashlib.sha256(f"{key}\x1f{self.occurrences[key]}".encode()).hexdigest()
        self.pending.append((message, chat, client_id))
        self.batch.messages_selected += 1
        if len(self.pending) >= CHUNK:
            self.flush()

    def flush(self) -> None:
        by_chat: dict[str, list[tuple[ParsedMessage, str]]] = {}
        for message, chat, client_id in self.pending:
            by_chat.setdefault(chat, []).append((message, client_id))
        self.pending = []
        for chat, items in by_chat.items():
            self._write(self._conversation(chat), items)

    def _conversation(self, chat: str) -> Conversation:
        if chat in self.conversations:
            return self.conversations[chat]
        organisation_id = self.batch.organisation_id
        found = (
            ImportedChat.objects.filter(
                organisation_id=organisation_id,
                owner=self.owner,
                source=self.export.source,
                chat_key=chat_key_of(self.export.source, chat),
            )
            .select_related("conversation")
            .first()
        )
        if found is not None:
            conversation = found.conversation
        else:
            channel = CHANNELS[Source(self.export.source)]
            is_number = self.export.source == Source.SMS and chat.lstrip("+").isdigit()
            contact = Contact.objects.create(
                organisation_id=organisation_id,
                name=chat[:200],
                phone=chat[:32] if is_number else "",
            )
            conversation = Conversation.objects.create(
                organisation_id=organisation_id,
                contact=contact,
                channel=channel,
                kind=ConversationKind.IMPORTED,
                status=Status.CLOSED,
                subject=f"{self.owner.get_full_name() or self.owner.username}: {chat}"[:200],
                record_class=record_class_for(organisation_id, team=None, channel=channel),
                closed_at=self.now,
            )
            ImportedChat.objects.create(
                organisation_id=organisation_id,
                owner=self.owner,
                source=self.export.source,
                chat_key=chat_key_of(self.export.source, chat),
                conversation=conversation,
            )
            record_event(
                organisation_id=organisation_id,
                conversation_id=conversation.pk,
                event_type="conversation.imported",
                payload={
                    "batch_id": self.batch.pk,
                    "source": self.export.source,
                    "chat": chat,
                    "owner_id": self.owner.pk,
                },
                actor=actor_ref(self.importer),
            )
        if connection.features.has_select_for_update:
            Conversation.objects.select_for_update().filter(pk=conversation.pk).exists()
        conversation.refresh_from_db(fields=["last_seq", "last_message_at"])
        self.conversations[chat] = conversation
        self.batch.conversations_touched += 1
        return conversation

    def _write(self, conversation: Conversation, items: list[tuple[ParsedMessage, str]]) -> None:
        existing = set(
            Message.objects.filter(
                conversation=conversation, client_id__in=[cid for _, cid in items]
            ).values_list("client_id", flat=True)
        )
        new = [(m, cid) for m, cid in items if cid not in existing]
        self.batch.messages_already_archived += len(items) - len(new)
        if not new:
            return
        messages = []
        for parsed, client_id in new:
            conversation.last_seq += 1
            messages.append(self._message(conversation, parsed, client_id))
        latest = max(m.created_at for m in messages)
        if conversation.last_message_at is None or latest > conversation.last_message_at:
            conversation.last_message_at = latest
        Conversation.objects.filter(pk=conversation.pk).update(
            last_seq=conversation.last_seq, last_message_at=conversation.last_message_at
        )
        parsed_of = {
            id(message): parsed for (parsed, _), message in zip(new, messages, strict=True)
        }
        store_messages(
            messages,
            event_type="message.imported",
            actor=lambda _: {
                "actor_id": self.importer.pk,
                "api_key_id": None,
                "actor_kind": "staff",
            },
            attach=lambda stored: self._attachments(
                conversation, [(parsed_of[id(m)], m) for m in stored]
            ),
            extra=lambda message: self._imported(parsed_of[id(message)], message),
            recorded_at=self.now,
        )
        self.batch.messages_added += len(messages)

    def _message(self, conversation, parsed: ParsedMessage, client_id: str) -> Message:
        mine = parsed.outgoing is True or (
            parsed.outgoing is None and parsed.author is not None and fold(parsed.author) in self.me
        )
        if parsed.kind == Kind.SYSTEM:
            direction = Direction.SYSTEM
        else:
            direction = Direction.OUTBOUND if mine else Direction.INBOUND
        at = parsed.timestamp.astimezone(UTC)
        return Message(
            organisation_id=conversation.organisation_id,
            conversation=conversation,
            seq=conversation.last_seq,
            direction=direction,
            author=self.owner if mine else None,
            author_name=(parsed.author or "")[:200],
            body="" if parsed.kind == Kind.DELETED else parsed.text,
            client_id=client_id,
            delivery_status=DeliveryStatus.SENT,
            created_at=at,
            edited_at=at if parsed.kind == Kind.EDITED else None,
            deleted_at=at if parsed.kind == Kind.DELETED else None,
        )

    def _attachments(self, conversation, pairs) -> dict[int, list[Attachment]]:
        stored: dict[int, list[Attachment]] = {}
        for parsed, message in pairs:
            for item in parsed.attachments:
                data = self._bytes(item)
                if data is None:
                    continue
                attachment = self._store(conversation, message, item, data)
                stored.setdefault(message.pk, []).append(attachment)
                self.batch.attachments_added += 1
        return stored

    def _bytes(self, item: ParsedAttachment) -> bytes | None:
        if item.data is not None:
            return item.data
        if item.member is None or not zipfile.is_zipfile(self.export.path):
            return None
        if self.zip is None:
            self.zip = zipfile.ZipFile(self.export.path)
        info = self._member(item.member)
        if info is None:
            return None
        budget = limits().max_attachment_bytes
        if info.file_size > budget:
            raise ImportRefused(
                "attachment_too_large",
                _("%(file)s: %(member)s is too large."),
                params={"file": self.export.file_name, "member": item.member},
            )
        return read_member(self.zip, info.filename, self.export.file_name, budget)

    def _member(self, name: str) -> zipfile.ZipInfo | None:
        """The zip member a message names: itself, or (a WhatsApp export zipped again with
        its folder, where the chat names its files without the folder) the one member of
        that name inside a top folder."""
        assert self.zip is not None
        try:
            return self.zip.getinfo(name)
        except KeyError:
            pass
        if self.in_folder is None:
            self.in_folder = {}
            for info in self.zip.infolist():
                top, _, rest = info.filename.partition("/")
                if top and rest:
                    self.in_folder.setdefault(rest, []).append(info)
        found = self.in_folder.get(name, [])
        return found[0] if len(found) == 1 else None

    def _store(self, conversation, message, item: ParsedAttachment, data: bytes) -> Attachment:
        name = clean_filename(item.name or item.member or "bestand")
        try:
            checked = check_upload(data, name)  # images lose their metadata for display
            content_type, original, display = (
                checked.content_type,
                checked.data,
                checked.display_data,
            )
            width, height = checked.width, checked.height
        except FileRejected:
            # Kept as it came (audio, video, documents): offered only as a download.
            content_type, original, display, width, height = (
                "application/octet-stream",
                data,
                None,
                None,
                None,
            )
        sha256 = store_blob(original)
        self.stored_blobs.append(sha256)
        display_sha256 = store_blob(display) if display else ""
        if display_sha256:
            self.stored_blobs.append(display_sha256)
        return Attachment.objects.create(
            organisation_id=conversation.organisation_id,
            conversation=conversation,
            message=message,
            uploaded_by=self.importer,
            filename=name,
            content_type=content_type,
            size=len(original),
            sha256=sha256,
            display_sha256=display_sha256,
            width=width,
            height=height,
        )

    def _imported(self, parsed: ParsedMessage, message: Message) -> dict:
        """What a ``message.imported`` event adds to the writer's payload; ``omitted``: the
        kinds of file the message had that the export left out ("image", "document", …),
        so the archive tells that a photo was sent even when it was not exported."""
        payload = {
            "batch_id": self.batch.pk,
            "author_name": message.author_name,
            "kind": parsed.kind,
            "sent_at": parsed.timestamp.isoformat(),
            "time_zone": self.reviewed.time_zone,
            "position": parsed.position,
        }
        omitted = [a.omitted for a in parsed.attachments if a.omitted]
        if omitted:
            payload["omitted"] = omitted
        return payload

    def finish(self) -> None:
        if self.zip is not None:
            self.zip.close()
        self.batch.save()
        record_event(
            organisation_id=self.batch.organisation_id,
            event_type="import.completed",
            payload={
                "batch_id": self.batch.pk,
                "source": self.batch.source,
                "file_name": self.batch.file_name,
                "sha256": self.batch.sha256,
                "size": self.batch.size,
                "parser": self.batch.parser,
                "format": self.batch.format,
                "classifier": self.batch.classifier,
                "time_zone": self.batch.time_zone,
                "owner_id": self.batch.owner_id,
                "owner_note": self.batch.owner_note,
                "messages_in_file": self.batch.messages_in_file,
                "messages_selected": self.batch.messages_selected,
                "messages_added": self.batch.messages_added,
                "attachments_added": self.batch.attachments_added,
            },
            actor=actor_ref(self.importer),
        )


def _fingerprint(source: str, chat: str, message: ParsedMessage) -> str:
    parts = [
        source,
        chat,
        message.timestamp.astimezone(UTC).isoformat(),
        message.author or "",
        str(message.kind),
        message.text,
        "|".join(a.name for a in message.attachments),
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def remove_unreferenced(shas: list[str]) -> None:
    """After a failed import: the files it stored that no attachment uses."""
    for sha256 in set(shas):
        used = (
            Attachment.objects.filter(sha256=sha256).exists()
            or Attachment.objects.filter(display_sha256=sha256).exists()
        )
        if not used:
            default_storage.delete(blob_name(sha256))
