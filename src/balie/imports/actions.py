"""Storing an official's selected chat messages in the archive: the one write path of
imports.

An export is read three times, never kept in memory whole: a first pass sums up its chats
(who writes, how many messages), a second proposes and applies the official's selection, and
only the selected messages are stored, in one transaction. A message's ``client_id`` is a
fingerprint of what it is (chat, time, author, kind, text, attachments, and which
occurrence of exactly that it is), so importing the same file again, or a later export that
overlaps, adds only what is new.

What is not selected is not written anywhere: not to the database, not to the file store,
not to a log (only counts are logged).
"""

from __future__ import annotations

import hashlib
import logging
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from balie.archive.actions import record_event, record_events
from balie.archive.actors import actor_ref
from balie.archive.record_classes import record_class_for
from balie.conversations.blobs import store_blob
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
from balie.imports import parsers
from balie.imports.models import ImportBatch, ImportedChat, Source, chat_key_of
from balie.imports.parsers.base import Kind, Limits, ParsedAttachment, ParsedMessage
from balie.imports.selection import ChatSummary, Context, Proposal, Rules, propose, summarize
from balie.search import index as search_index
from balie.search.text import fold

__all__ = ["Export", "ImportRefused", "Reviewed", "context_for", "do_import", "review"]

log = logging.getLogger(__name__)

CHUNK = 1000
CHANNELS = {
    Source.WHATSAPP: Channel.WHATSAPP,
    Source.SMS: Channel.SMS,
    Source.TELEGRAM: Channel.TELEGRAM,
}


class ImportRefused(ValueError):
    def __init__(self, code: str, message: str):
        self.code, self.message = code, message
        super().__init__(message)


@dataclass(frozen=True)
class Export:
    """An export file on disk and how to read it."""

    path: Path
    source: str
    file_name: str
    time_zone: str = "Europe/Amsterdam"
    date_order: str | None = None  # WhatsApp only: "dmy", "mdy" or "ymd"
    owner_name: str = ""  # SMS only: how the official's own messages are signed

    def parse(self) -> parsers.ParsedChat:
        options: dict = {"time_zone": self.time_zone, "limits": limits()}
        if self.source == Source.WHATSAPP:
            options["date_order"] = self.date_order
        if self.source == Source.SMS:
            options["owner_name"] = self.owner_name
        if self.source not in Source.values:
            raise ImportRefused("unknown_source", f"Onbekende soort export: {self.source}.")
        return parsers.parse(self.path, self.source, file_name=self.file_name, **options)


def limits() -> Limits:
    return Limits(max_bytes=settings.IMPORT_MAX_BYTES)


@dataclass
class Reviewed:
    """An export read once: its chats, and what it is."""

    format: str
    title: str
    time_zone: str
    summaries: dict[str, ChatSummary]
    messages: int
    warnings: list[str] = field(default_factory=list)


def review(export: Export) -> Reviewed:
    """The first pass: every chat with its authors and counts (no text is kept)."""
    chat = export.parse()
    summaries = summarize(chat.messages, chat.title)
    return Reviewed(
        chat.format,
        chat.title,
        chat.time_zone,
        summaries,
        sum(s.messages for s in summaries.values()),
        list(chat.warnings),
    )


def context_for(organisation, owner, source: str) -> Context:
    """What the proposal knows: the organisation's staff and matters, and the official's
    earlier choices."""
    from balie.accounts.models import Membership
    from balie.conversations.models import Label, Team

    colleagues = {}
    members = Membership.objects.filter(organisation=organisation).select_related("user")
    for membership in members.exclude(user=owner):
        name = membership.user.get_full_name().strip()
        if name:
            colleagues[fold(name)] = name
    extra = [
        organisation.name,
        *Team.objects.filter(organisation=organisation).values_list("name", flat=True),
        *Label.objects.filter(organisation=organisation).values_list("name", flat=True),
    ]
    matters = Context().matters + tuple(
        word for text in extra for word in fold(text).split() if len(word) > 3
    )
    earlier = ImportedChat.objects.filter(
        organisation=organisation, owner=owner, source=source, conversation__last_seq__gt=0
    ).values_list("chat_key", flat=True)
    return Context(
        matters=matters, colleagues=colleagues, earlier_chats=frozenset(earlier), source=source
    )


def proposals(
    export: Export, reviewed: Reviewed, context: Context
) -> Iterator[tuple[ParsedMessage, str, Proposal]]:
    """The second pass: every message with its chat and the proposal for it."""
    for message in export.parse().messages:
        chat = message.chat or reviewed.title
        yield message, chat, propose(message, reviewed.summaries[chat], context)


def do_import(
    export: Export,
    *,
    organisation,
    owner,
    importer,
    rules: Rules,
    me: frozenset[str] = frozenset(),
    owner_note: str = "",
    channel: str = "cli",
    progress: Callable[[int], None] | None = None,
) -> ImportBatch:
    """Store the selected messages of ``export`` as imported conversations; one transaction.

    ``me``: the author names that are the official (their messages are stored as sent by
    them); SMS exports say so themselves.
    """
    _check_people(organisation, owner, importer)
    data = export.path.stat().st_size
    digest = _sha256(export.path)
    reviewed = review(export)
    context = context_for(organisation, owner, export.source)
    stored_blobs: list[str] = []
    try:
        with transaction.atomic():
            batch = ImportBatch.objects.create(
                organisation=organisation,
                source=export.source,
                file_name=export.file_name[:255],
                sha256=digest,
                size=data,
                parser=f"balie.imports.parsers.{export.source}",
                format=reviewed.format[:100],
                time_zone=reviewed.time_zone,
                owner=owner,
                owner_note=owner_note,
                imported_by=importer,
                channel=channel,
                messages_in_file=reviewed.messages,
            )
            writer = _Writer(batch, export, reviewed, owner, importer, me, stored_blobs)
            seen = 0
            for message, chat, proposal in proposals(export, reviewed, context):
                seen += 1
                if rules.selects(message, chat, proposal):
                    writer.add(message, chat)
                if progress and seen % CHUNK == 0:
                    progress(seen)
            writer.flush()
            writer.finish()
            if progress:
                progress(seen)
    except BaseException:
        _remove_unreferenced(stored_blobs)
        raise
    log.info(
        "import.done",
        extra={
            "batch": batch.pk,
            "selected": batch.messages_selected,
            "added": batch.messages_added,
        },
    )
    return batch


def _check_people(organisation, owner, importer) -> None:
    """The owner works for the organisation; officials import their own chats, records
    managers and administrators may import for someone else."""
    from balie.accounts.models import RECORDS_ROLES
    from balie.conversations.selectors import role_in

    if role_in(owner, organisation.pk) is None:
        raise ImportRefused(
            "owner_not_member", f"{owner.username} werkt niet voor {organisation.name}."
        )
    if importer != owner and role_in(importer, organisation.pk) not in RECORDS_ROLES:
        raise ImportRefused(
            "not_allowed",
            "Alleen de eigenaar van de telefoon, een archiefbeheerder of een beheerder mag "
            "deze chats importeren.",
        )


class _Writer:
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
        Message.objects.bulk_create(messages)
        latest = max(m.created_at for m in messages)
        if conversation.last_message_at is None or latest > conversation.last_message_at:
            conversation.last_message_at = latest
        Conversation.objects.filter(pk=conversation.pk).update(
            last_seq=conversation.last_seq, last_message_at=conversation.last_message_at
        )
        attachments = self._attachments(conversation, list(zip(new, messages, strict=True)))
        self._archive(conversation, new, messages, attachments)
        search_index.index_messages(messages)
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
        for (parsed, _), message in pairs:
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
        try:
            info = self.zip.getinfo(item.member)
        except KeyError:
            return None
        if info.file_size > limits().max_attachment_bytes:
            raise ImportRefused(
                "attachment_too_large", f"{self.export.file_name}: {item.member} is te groot."
            )
        return self.zip.read(info)

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

    def _archive(self, conversation, new, messages, attachments) -> None:
        record_events(
            [
                {
                    "organisation_id": conversation.organisation_id,
                    "conversation_id": conversation.pk,
                    "event_type": "message.imported",
                    "payload": {
                        "batch_id": self.batch.pk,
                        "message_id": message.pk,
                        "seq": message.seq,
                        "direction": message.direction,
                        "author_name": message.author_name,
                        "body": message.body,
                        "kind": parsed.kind,
                        "sent_at": parsed.timestamp.isoformat(),
                        "time_zone": self.reviewed.time_zone,
                        "position": parsed.position,
                        "client_id": message.client_id,
                        "attachments": [
                            {"id": a.pk, "sha256": a.sha256, "filename": a.filename}
                            for a in attachments.get(message.pk, [])
                        ],
                    },
                    "actor_id": self.importer.pk,
                    "api_key_id": None,
                    "actor_kind": "staff",
                    "created_at": self.now,
                }
                for (parsed, _), message in zip(new, messages, strict=True)
            ]
        )

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


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def _remove_unreferenced(shas: list[str]) -> None:
    """After a failed import: the files it stored that no attachment uses."""
    from django.core.files.storage import default_storage

    from balie.conversations.blobs import blob_name

    for sha256 in set(shas):
        used = (
            Attachment.objects.filter(sha256=sha256).exists()
            or Attachment.objects.filter(display_sha256=sha256).exists()
        )
        if not used:
            default_storage.delete(blob_name(sha256))
