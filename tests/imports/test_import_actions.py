"""Storing the selected messages of an export: privacy of the rest, idempotence, overlap,
provenance, one transaction, and who may import."""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from balie.archive.models import ArchiveEvent
from balie.conversations.models import Attachment, ConversationKind, Direction, Message
from balie.imports.actions import ImportRefused, do_import
from balie.imports.models import ImportBatch, ImportedChat
from balie.imports.parsers.base import Kind, ParsedAttachment
from balie.imports.selection import Rules
from tests.imports.helpers import JPEG, export_of, msg, photo
from tests.search.helpers import ids

pytestmark = pytest.mark.django_db

BUSINESS = [
    "Morgen stemt de raad over de motie over het bestemmingsplan.",
    "Kun je het raadsvoorstel over de begroting nog even lezen?",
    "De wethouder wil het besluit over de vergunning uitstellen.",
]
PRIVATE = [
    "Zullen we zaterdag met de kinderen naar het strand?",
    "Vergeet de verjaardag van oma niet, taart halen!",
    "Lekker gegeten gisteren, dank je wel!",
]


def _mixed():
    messages = []
    for n, (work, home) in enumerate(zip(BUSINESS, PRIVATE, strict=True)):
        messages.append(msg(2 * n, f"2024-03-0{n + 4}T10:00:00", "Jan Jansen", work))
        messages.append(msg(2 * n + 1, f"2024-03-0{n + 4}T21:30:00", "Petra", home))
    return messages


def _everything_stored() -> bytes:
    """Every text column of every table, as bytes."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            if table.startswith("search_fts") or table == "sqlite_sequence":
                continue
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - names from introspection
            for row in cursor.fetchall():
                chunks += [v if isinstance(v, bytes) else str(v).encode() for v in row]
    return b"\x00".join(chunks)


def _files_stored() -> bytes:
    root = Path(settings.STORAGES["default"]["OPTIONS"]["location"])
    return b"\x00".join(p.read_bytes() for p in root.rglob("*") if p.is_file())


def test_only_the_selected_messages_are_stored_anywhere(
    monkeypatch, tmp_path, caplog, utrecht, agent_anna, woo_wim
):
    caplog.set_level(logging.DEBUG)
    messages = _mixed()
    secret = photo(name="strand.jpg", data=JPEG + b"prive-foto")
    messages.append(msg(6, "2024-03-09T22:00:00", "Petra", "", Kind.MEDIA, attachments=[secret]))
    export = export_of(monkeypatch, tmp_path, messages)
    batch = do_import(
        export,
        organisation=utrecht,
        owner=agent_anna,
        importer=agent_anna,
        rules=Rules(doubt="drop"),
    )
    assert (batch.messages_in_file, batch.messages_selected, batch.messages_added) == (7, 3, 3)
    stored, files = _everything_stored(), _files_stored()
    logs = caplog.text.encode()
    for text in PRIVATE:
        for place in (stored, files, logs):
            assert text.encode() not in place
    assert b"prive-foto" not in files and b"strand.jpg" not in stored
    for text in BUSINESS:
        assert text.encode() in stored
    assert ids(woo_wim, utrecht, "bestemmingsplan")  # searchable
    assert not ids(woo_wim, utrecht, "verjaardag")


def test_imported_conversation_and_provenance(monkeypatch, tmp_path, utrecht, agent_anna):
    messages = [
        msg(0, "2024-03-04T10:00:00", "Anna Agent", "Ik stuur het raadsvoorstel door."),
        msg(1, "2024-03-04T10:05:00", "Jan Jansen", "Dank, de motie komt morgen."),
        msg(2, "2024-03-04T10:06:00", None, "Jan heeft de groep aangemaakt", Kind.SYSTEM),
        msg(3, "2024-03-04T10:07:00", "Jan Jansen", "", Kind.DELETED),
        msg(4, "2024-03-04T10:08:00", "Jan Jansen", "Besluit genomen", Kind.EDITED),
    ]
    export = export_of(monkeypatch, tmp_path, messages)
    batch = do_import(
        export,
        organisation=utrecht,
        owner=agent_anna,
        importer=agent_anna,
        rules=Rules(base="all"),
        me=frozenset({"Anna Agent"}),
        owner_note="Werktelefoon, Samsung A54",
    )
    chat = ImportedChat.objects.get()
    conversation = chat.conversation
    assert (conversation.kind, conversation.channel, conversation.status) == (
        ConversationKind.IMPORTED,
        "whatsapp",
        "closed",
    )
    stored = list(conversation.messages.order_by("seq"))
    assert [m.direction for m in stored] == [
        Direction.OUTBOUND,
        Direction.INBOUND,
        Direction.SYSTEM,
        Direction.INBOUND,
        Direction.INBOUND,
    ]
    assert stored[0].author == agent_anna and stored[1].author_name == "Jan Jansen"
    assert stored[3].deleted_at is not None and stored[3].body == ""
    assert stored[4].edited_at is not None
    assert stored[1].created_at.isoformat() == "2024-03-04T09:05:00+00:00"  # Amsterdam +1
    assert (batch.sha256, batch.size) == (
        __import__("hashlib").sha256(export.path.read_bytes()).hexdigest(),
        export.path.stat().st_size,
    )
    assert (batch.format, batch.owner_note, batch.time_zone) == (
        "test/layout",
        "Werktelefoon, Samsung A54",
        "Europe/Amsterdam",
    )
    done = ArchiveEvent.objects.get(event_type="import.completed")
    assert done.payload["sha256"] == batch.sha256 and done.payload["messages_added"] == 5
    imported = ArchiveEvent.objects.filter(event_type="message.imported")
    assert imported.count() == 5
    assert imported.first().payload["time_zone"] == "Europe/Amsterdam"
    call_command("verify")  # the chain holds


def test_importing_again_adds_nothing_and_an_overlapping_export_only_the_new(
    monkeypatch, tmp_path, utrecht, agent_anna
):
    first = _mixed()
    export = export_of(monkeypatch, tmp_path, first)
    all_of_it = Rules(base="all")
    do_import(export, organisation=utrecht, owner=agent_anna, importer=agent_anna, rules=all_of_it)
    again = do_import(
        export, organisation=utrecht, owner=agent_anna, importer=agent_anna, rules=all_of_it
    )
    assert (again.messages_added, again.messages_already_archived) == (0, 6)
    later = [*first[2:], msg(6, "2024-03-10T10:00:00", "Jan Jansen", "Nieuwe motie ingediend.")]
    later = [dataclasses.replace(m, index=i) for i, m in enumerate(later)]
    export = export_of(monkeypatch, tmp_path, later, name="later.txt")
    overlap = do_import(
        export, organisation=utrecht, owner=agent_anna, importer=agent_anna, rules=all_of_it
    )
    assert (overlap.messages_added, overlap.messages_already_archived) == (1, 4)
    assert Message.objects.count() == 7
    assert ImportedChat.objects.count() == 1
    assert [m.seq for m in Message.objects.order_by("seq")] == list(range(1, 8))


def test_the_same_words_twice_in_a_minute_are_two_messages(
    monkeypatch, tmp_path, utrecht, agent_anna
):
    twice = [
        msg(0, "2024-03-04T10:00:00", "Jan Jansen", "Oké, de raad is akkoord"),
        msg(1, "2024-03-04T10:00:00", "Jan Jansen", "Oké, de raad is akkoord"),
    ]
    export = export_of(monkeypatch, tmp_path, twice)
    rules = Rules(base="all")
    first = do_import(
        export, organisation=utrecht, owner=agent_anna, importer=agent_anna, rules=rules
    )
    second = do_import(
        export, organisation=utrecht, owner=agent_anna, importer=agent_anna, rules=rules
    )
    assert (first.messages_added, second.messages_added) == (2, 0)


def test_selected_attachments_are_stored_with_metadata_stripped(
    monkeypatch, tmp_path, utrecht, agent_anna
):
    messages = [
        msg(0, "2024-03-04T10:00:00", "Jan", "Foto raadszaal", Kind.MEDIA, attachments=[photo()]),
        msg(1, "2024-03-04T10:01:00", "Jan", "Spraakbericht over de motie", Kind.MEDIA,
            attachments=[photo(name="PTT-20240304-WA0002.opus", data=b"OggS\x00opus-bytes")]),
    ]  # fmt: skip
    export = export_of(monkeypatch, tmp_path, messages)
    batch = do_import(
        export, organisation=utrecht, owner=agent_anna, importer=agent_anna, rules=Rules(base="all")
    )
    assert batch.attachments_added == 2
    image, voice = Attachment.objects.order_by("pk")
    assert image.content_type == "image/jpeg" and image.display_sha256
    assert voice.content_type == "application/octet-stream" and voice.filename.endswith(".opus")


def test_a_failure_leaves_nothing_half_imported(monkeypatch, tmp_path, utrecht, agent_anna):
    messages = [
        msg(0, "2024-03-04T10:00:00", "Jan", "Raadsvoorstel", Kind.MEDIA, attachments=[photo()]),
        msg(1, "2024-03-04T10:01:00", "Jan", "De motie"),
    ]  # fmt: skip
    export = export_of(monkeypatch, tmp_path, messages)
    from balie.imports import writer

    def broken(self, *args):
        raise RuntimeError("disk full")

    monkeypatch.setattr(writer.Writer, "_imported", broken)  # after the files are stored
    with pytest.raises(RuntimeError):
        do_import(
            export,
            organisation=utrecht,
            owner=agent_anna,
            importer=agent_anna,
            rules=Rules(base="all"),
        )
    assert not Message.objects.exists() and not ImportBatch.objects.exists()
    assert not ImportedChat.objects.exists()
    assert _files_stored() == b""


def test_who_may_import(
    monkeypatch, tmp_path, utrecht, agent_anna, agent_bram, records_rik, agent_gerrit
):
    export = export_of(monkeypatch, tmp_path, _mixed())
    with pytest.raises(ImportRefused) as refused:
        do_import(
            export,
            organisation=utrecht,
            owner=agent_anna,
            importer=agent_bram,
            rules=Rules(doubt="drop"),
        )
    assert refused.value.code == "not_allowed"
    with pytest.raises(ImportRefused) as refused:
        do_import(
            export,
            organisation=utrecht,
            owner=agent_gerrit,
            importer=records_rik,
            rules=Rules(doubt="drop"),
        )
    assert refused.value.code == "owner_not_member"
    batch = do_import(
        export,
        organisation=utrecht,
        owner=agent_anna,
        importer=records_rik,
        rules=Rules(doubt="drop"),
    )
    assert batch.imported_by == records_rik and batch.owner == agent_anna


def test_an_imported_conversation_is_read_only(monkeypatch, tmp_path, utrecht, agent_anna):
    from balie.conversations import actions
    from balie.conversations.actions.errors import StateConflict

    export = export_of(monkeypatch, tmp_path, _mixed())
    do_import(
        export,
        organisation=utrecht,
        owner=agent_anna,
        importer=agent_anna,
        rules=Rules(doubt="drop"),
    )
    conversation = ImportedChat.objects.get().conversation
    with pytest.raises(StateConflict) as refused:  # 409 on the API
        actions.do_change_status(conversation, actor=agent_anna, status="open")
    assert refused.value.code == "imported_conversation"
    [result] = actions.send_messages(
        [actions.SendItem(conversation, Direction.OUTBOUND, "Hallo Jan", "c1", agent_anna)]
    )
    assert isinstance(result, StateConflict) and result.code == "imported_conversation"
    assert conversation.messages.count() == 3


def test_a_file_the_export_left_out_is_recorded_with_its_message(
    monkeypatch, tmp_path, utrecht, agent_anna
):
    left_out = ParsedAttachment(name="", omitted="image")
    messages = [
        msg(0, "2024-03-04T10:00:00", "Jan Jansen", "Foto van de bouwtekening", Kind.MEDIA,
            attachments=[left_out]),
        msg(1, "2024-03-04T10:01:00", "Jan Jansen", "Ontvangen?"),
    ]  # fmt: skip
    export = export_of(monkeypatch, tmp_path, messages)
    do_import(
        export, organisation=utrecht, owner=agent_anna, importer=agent_anna, rules=Rules(base="all")
    )
    payloads = [
        e.payload for e in ArchiveEvent.objects.filter(event_type="message.imported").order_by("pk")
    ]
    assert payloads[0]["omitted"] == ["image"] and "omitted" not in payloads[1]
    assert Attachment.objects.count() == 0
