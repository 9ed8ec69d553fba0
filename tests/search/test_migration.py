"""Migrations search.0004 and 0005 rebuild the index of messages that already exist."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from balie.conversations.actions import do_change_status, do_update_details
from balie.conversations.models import Direction, Status
from balie.search.models import SearchEntry
from tests.factories import send
from tests.search.helpers import ids

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("search", "0003_index_existing_messages")]
AFTER = [("search", "0005_entry_conversation_attributes")]


def _migrate(target) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)


def test_existing_messages_are_indexed_again_with_their_columns(
    webchat, woo_wim, utrecht, agent_anna
):
    conversation, _ = webchat
    kept = send(conversation, "Vraag over de hondenbelasting")
    note = send(conversation, "Notitie: hondenbelasting al betaald", direction=Direction.NOTE)
    do_change_status(conversation, actor=agent_anna, status=Status.PENDING)
    do_update_details(conversation, actor=agent_anna, labels=["honden"])
    _migrate(BEFORE)
    _migrate(AFTER)
    assert ids(woo_wim, utrecht, "hondenbelasting") == {kept.pk, note.pk}
    entry = SearchEntry.objects.get(message=note)
    assert (entry.conversation_id, entry.direction, entry.status) == (
        conversation.pk,
        Direction.NOTE,
        Status.PENDING,
    )
    assert ids(woo_wim, utrecht, "hondenbelasting", status="pending") == {kept.pk, note.pk}
    assert ids(woo_wim, utrecht, "hondenbelasting", label="honden") == {kept.pk, note.pk}
    conversation.refresh_from_db()
    assert (entry.channel, entry.team_id, entry.record_class_id) == (
        "webchat",
        conversation.team_id,
        conversation.record_class_id,
    )
    assert ids(woo_wim, utrecht, "hondenbelasting", direction="note") == {note.pk}
    later = send(conversation, "Nog een vraag over de hondenbelasting")  # triggers are back
    assert later.pk in ids(woo_wim, utrecht, "hondenbelasting")
