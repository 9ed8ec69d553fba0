"""The index follows the messages: new ones, edits, deletions, purge and reindex."""

from __future__ import annotations

import pytest
from django.db import connection

from balie.archive.models import ArchiveEvent
from balie.conversations import actions
from balie.conversations.models import Conversation, Direction, Status
from balie.search import index
from balie.search.models import SearchEntry
from tests.factories import send
from tests.search.helpers import ids

pytestmark = pytest.mark.django_db


def test_a_batch_of_sends_is_indexed_in_its_transaction(webchat, woo_wim, utrecht):
    conversation, _ = webchat
    items = [
        actions.SendItem(conversation, Direction.INBOUND, f"Vraag {n} over de bijstand", f"c{n}")
        for n in range(5)
    ]
    results = actions.send_messages(items)
    assert ids(woo_wim, utrecht, "bijstand") == {r.message.pk for r in results}


def test_an_edit_is_found_by_its_new_words_only(webchat, agent_anna, woo_wim, utrecht):
    conversation, _ = webchat
    message = send(
        conversation, "Graag een rijbewijs", direction=Direction.OUTBOUND, author=agent_anna
    )
    actions.do_edit_message(message, actor=agent_anna, body="Graag een paspoort")
    assert ids(woo_wim, utrecht, "paspoort") == {message.pk}
    assert ids(woo_wim, utrecht, "rijbewijs") == set()


def test_a_deleted_message_is_not_found_but_stays_in_the_archive(webchat, woo_wim, utrecht):
    conversation, _ = webchat
    message = send(conversation, "Mijn BSN staat in het verkeerde bericht, sorry")
    actions.do_delete_message(message, actor=None)
    assert ids(woo_wim, utrecht, "verkeerde") == set()
    assert not SearchEntry.objects.filter(message=message).exists()
    created = ArchiveEvent.objects.get(event_type="message.created", payload__message_id=message.pk)
    assert "verkeerde" in created.payload["body"]


def _shadow_bytes() -> bytes:
    """Everything the full-text index stores, as bytes."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            chunks = []
            for table in (
                "search_fts_data",
                "search_fts_idx",
                "search_fts_docsize",
                "search_entry",
            ):
                cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - constant names
                for row in cursor.fetchall():
                    chunks += [v if isinstance(v, bytes) else str(v).encode() for v in row]
            return b"\x00".join(chunks)
        cursor.execute("SELECT document::text FROM search_entry")
        return "\x00".join(row[0] for row in cursor.fetchall()).encode()


def test_purge_leaves_no_trace_of_the_terms(webchat, woo_wim, utrecht):
    conversation, _ = webchat
    keep = send(conversation, "Een vraag over de afvalkalender")
    purged = send(conversation, "Xylofoonlessen voor kwartelkoning")
    for _ in range(3):  # several segments
        send(conversation, "Nog een vraag over de afvalkalender")
    assert b"xylofoonless" in _shadow_bytes() or b"xylofoonlessen" in _shadow_bytes()
    index.purge([purged.pk])
    assert ids(woo_wim, utrecht, "xylofoonlessen") == set()
    assert ids(woo_wim, utrecht, "kwartelkoning") == set()
    stored = _shadow_bytes()
    assert b"xylofoon" not in stored and b"kwartelkon" not in stored
    assert keep.pk in ids(woo_wim, utrecht, "afvalkalender")


def test_reindex_rebuilds_every_entry(webchat, woo_wim, utrecht):
    conversation, _ = webchat
    message = send(conversation, "Vraag over de hondenbelasting")
    SearchEntry.objects.all().delete()
    assert ids(woo_wim, utrecht, "hondenbelasting") == set()
    assert list(index.reindex_all())[-1] >= 1
    assert ids(woo_wim, utrecht, "hondenbelasting") == {message.pk}
    list(index.reindex_all(utrecht.pk))  # twice: no duplicates
    assert ids(woo_wim, utrecht, "hondenbelasting") == {message.pk}


def test_an_entry_carries_its_messages_fixed_attributes(webchat, agent_anna):
    conversation, _ = webchat
    message = send(conversation, "Een notitie over de WOZ", direction=Direction.NOTE)
    entry = SearchEntry.objects.get(message=message)
    assert (entry.organisation_id, entry.conversation_id, entry.created_at, entry.direction) == (
        message.organisation_id,
        message.conversation_id,
        message.created_at,
        Direction.NOTE,
    )
    list(index.reindex_all())
    assert SearchEntry.objects.get(message=message).created_at == message.created_at


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's table layout")
def test_on_sqlite_the_message_id_is_the_entrys_rowid():
    # One b-tree search per match instead of two; Django would declare the column bigint.
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA table_info(search_entry)")
        columns = {row[1]: (row[2].lower(), row[5]) for row in cursor.fetchall()}
    assert columns["message_id"] == ("integer", 1)


def test_entries_follow_their_conversations_status(webchat, agent_anna, woo_wim, utrecht):
    conversation, _ = webchat
    first = send(conversation, "Vraag over de hondenbelasting")
    actions.do_change_status(conversation, actor=agent_anna, status=Status.PENDING)
    assert set(SearchEntry.objects.values_list("status", flat=True)) == {Status.PENDING}
    assert ids(woo_wim, utrecht, "hondenbelasting", status="pending") == {first.pk}
    assert ids(woo_wim, utrecht, "hondenbelasting", status="open") == set()
    # A resident writing again reopens it: the old entry and the new one say so.
    second = send(conversation, "Nog een vraag over de hondenbelasting")
    assert ids(woo_wim, utrecht, "hondenbelasting", status="open") == {first.pk, second.pk}
    assert ids(woo_wim, utrecht, "hondenbelasting", status="pending") == set()
    actions.do_change_status(conversation, actor=agent_anna, status=Status.RESOLVED)
    # An edit writes the entry again, with the status of the moment.
    actions.do_edit_message(first, actor=None, body="Vraag over de hondenbelasting 2026")
    assert ids(woo_wim, utrecht, "hondenbelasting", status="resolved") == {first.pk, second.pk}
    SearchEntry.objects.all().delete()
    list(index.reindex_all())  # a rebuild takes the status from the conversation
    assert ids(woo_wim, utrecht, "hondenbelasting", status="resolved") == {first.pk, second.pk}


def test_a_status_change_touches_only_that_conversations_entries(webchat, agent_anna, utrecht):
    conversation, _ = webchat
    other, _ = actions.do_start_webchat(utrecht)
    send(conversation, "Over de hondenbelasting")
    send(other, "Over de afvalcontainer")
    actions.do_change_status(conversation, actor=agent_anna, status=Status.PENDING)
    assert dict(SearchEntry.objects.values_list("conversation_id", "status")) == {
        conversation.pk: Status.PENDING,
        other.pk: Status.OPEN,
    }


def test_entries_follow_team_and_record_class(webchat, agent_anna, woo_wim, utrecht, utrecht_team):
    from balie.archive.models import RecordClass
    from balie.records.record_classes import do_set_record_class

    conversation, _ = webchat
    stale = Conversation.objects.get(pk=conversation.pk)  # as a resident's socket holds it
    first = send(conversation, "Vraag over de hondenbelasting")
    other = actions.do_create_team(utrecht, name="Belastingen", members=[])
    actions.do_assign(conversation, actor=agent_anna, team=other, change_team=True)
    assert ids(woo_wim, utrecht, "hondenbelasting", team=str(other.pk)) == {first.pk}
    assert ids(woo_wim, utrecht, "hondenbelasting", team=str(utrecht_team.pk)) == set()
    # Sent through an object loaded before the move: the entry has the team of now.
    second = send(stale, "Nog een vraag over de hondenbelasting")
    assert ids(woo_wim, utrecht, "hondenbelasting", team=str(other.pk)) == {first.pk, second.pk}
    chosen = RecordClass.objects.filter(organisation=utrecht).exclude(
        pk=Conversation.objects.get(pk=conversation.pk).record_class_id
    )[0]
    do_set_record_class(conversation, actor=agent_anna, record_class_id=chosen.pk)
    found = ids(woo_wim, utrecht, "hondenbelasting", record_class=str(chosen.pk))
    assert found == {first.pk, second.pk}
    assert set(SearchEntry.objects.values_list("team_id", "record_class_id", "channel")) == {
        (other.pk, chosen.pk, "webchat")
    }


def test_entries_follow_labels(webchat, agent_anna, woo_wim, utrecht):
    conversation, _ = webchat
    message = send(conversation, "Klacht over de hondenbelasting")
    other, _ = actions.do_start_webchat(utrecht)
    actions.do_update_details(other, actor=agent_anna, labels=["klacht"])  # the label exists
    assert ids(woo_wim, utrecht, "hondenbelasting", label="klacht") == set()
    actions.do_update_details(conversation, actor=agent_anna, labels=["klacht", "spoed"])
    later = send(conversation, "Nog een klacht over de hondenbelasting")
    assert ids(woo_wim, utrecht, "hondenbelasting", label="spoed") == {message.pk, later.pk}
    actions.do_update_details(conversation, actor=agent_anna, labels=["spoed"])
    assert ids(woo_wim, utrecht, "hondenbelasting", label="klacht") == set()
    assert ids(woo_wim, utrecht, "hondenbelasting", label=["klacht", "spoed"]) == {
        message.pk,
        later.pk,
    }
    if connection.vendor == "postgresql":  # the copy in the GIN index
        with connection.cursor() as cursor:
            cursor.execute("SELECT DISTINCT labels FROM search_entry")
            spoed = list(utrecht.labels.filter(name="spoed").values_list("pk", flat=True))
            assert cursor.fetchall() == [(spoed,)]
