"""Imported chats are records like any other: kept by their record class, destroyed by the
four-eyes procedure, after which nothing of them (not even the chat's name) remains."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from balie.conversations.models import Conversation
from balie.imports.actions import do_import
from balie.imports.models import ImportedChat
from balie.imports.parsers.base import Kind
from balie.imports.selection import Rules
from balie.records.destruction import (
    do_approve_destruction,
    do_propose_destruction,
)
from balie.records.execution import do_execute_destruction
from tests.imports.helpers import export_of, msg, photo
from tests.records.test_destruction import _every_text_in_the_database

pytestmark = pytest.mark.django_db


def test_a_destroyed_import_leaves_no_trace_of_the_chat(
    monkeypatch, tmp_path, utrecht, agent_anna, records_rik, records_roos,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    who = "Zeldzaam Jansen"
    messages = [
        msg(0, "2021-03-04T10:00:00", who, "De motie over de Kwartelweg", chat=who),
        msg(1, "2021-03-04T10:01:00", who, "", Kind.MEDIA, chat=who,
            attachments=[photo(name="kwartelweg.jpg")]),
    ]  # fmt: skip
    export = export_of(monkeypatch, tmp_path, messages, name="sms.xml", source="sms")
    do_import(
        export, organisation=utrecht, owner=agent_anna, importer=agent_anna, rules=Rules(base="all")
    )
    conversation = ImportedChat.objects.get().conversation
    Conversation.objects.filter(pk=conversation.pk).update(
        closed_at=timezone.now() - timedelta(days=800)
    )
    listed = do_propose_destruction(
        utrecht.pk, actor=records_rik, conversation_ids=[conversation.pk], title="Oude chats"
    )
    do_approve_destruction(listed, actor=records_roos, note="Gecontroleerd")
    with django_capture_on_commit_callbacks(execute=True):
        done = do_execute_destruction(listed.pk)
    assert done.conversations_destroyed == 1
    everything = _every_text_in_the_database()
    for fragment in ("Zeldzaam", "Kwartelweg", "kwartelweg.jpg"):
        assert fragment not in everything
    call_command("verify", organisation="utrecht")
