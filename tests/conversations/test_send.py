"""The write path: idempotent send, monotonic sequence, notes stay internal."""

from __future__ import annotations

import threading
import uuid

import pytest
from django.db import close_old_connections, connection

from balie.archive.models import ArchiveEvent
from balie.conversations import actions, selectors
from balie.conversations.models import Conversation, Direction, Message
from balie.errors import BalieError
from tests.factories import send


def test_send_stores_message_with_next_sequence_and_archive_event(webchat):
    conversation, _token = webchat
    first = send(conversation, "Hallo")
    second = send(conversation, "Is daar iemand?")

    assert (first.seq, second.seq) == (1, 2)
    conversation.refresh_from_db()
    assert conversation.last_seq == 2
    assert conversation.last_message_at == second.created_at
    events = ArchiveEvent.objects.filter(
        conversation_id=conversation.pk, event_type="message.created"
    )
    assert [e.payload["body"] for e in events] == ["Hallo", "Is daar iemand?"]


def test_same_client_id_twice_gives_one_message(webchat):
    conversation, _token = webchat
    once = actions.do_send_message(
        conversation, direction=Direction.INBOUND, body="Paspoort", client_id="client-0001"
    )
    again = actions.do_send_message(
        conversation, direction=Direction.INBOUND, body="Paspoort", client_id="client-0001"
    )

    assert once.created and not again.created
    assert again.message.pk == once.message.pk
    assert Message.objects.filter(conversation=conversation).count() == 1
    assert ArchiveEvent.objects.filter(event_type="message.created").count() == 1


def test_note_is_never_delivered_to_resident(webchat, agent_anna):
    conversation, _token = webchat
    send(conversation, "Mijn container is niet geleegd")
    send(
        conversation, "Collega, kun jij dit oppakken?", direction=Direction.NOTE, author=agent_anna
    )
    send(conversation, "We gaan ernaar kijken.", direction=Direction.OUTBOUND, author=agent_anna)

    for_resident = selectors.messages_after(conversation, 0, for_resident=True)
    for_staff = selectors.messages_after(conversation, 0, for_resident=False)

    assert [m.body for m in for_resident] == [
        "Mijn container is niet geleegd",
        "We gaan ernaar kijken.",
    ]
    assert len(for_staff) == 3


def test_resident_message_reopens_pending_conversation(webchat, agent_anna):
    conversation, _token = webchat
    send(conversation, "Vraag")
    actions.do_change_status(conversation, actor=agent_anna, status="pending")
    send(conversation, "Nog een vraag")
    conversation.refresh_from_db()
    assert conversation.status == "open"


def test_closed_conversation_refuses_new_messages(webchat, agent_anna):
    conversation, _token = webchat
    actions.do_change_status(conversation, actor=agent_anna, status="closed")
    with pytest.raises(BalieError) as error:
        send(conversation, "Hallo?")
    assert error.value.code == "conversation_closed"


def test_resend_after_closing_returns_the_stored_message(webchat, agent_anna):
    conversation, _token = webchat
    first = send(conversation, "Laatste vraag", client_id="client-late-1")
    actions.do_change_status(conversation, actor=agent_anna, status="closed")
    again = actions.do_send_message(
        conversation, direction=Direction.INBOUND, body="Laatste vraag", client_id="client-late-1"
    )
    assert not again.created and again.message.pk == first.pk


def test_messages_from_a_connected_system_are_attributed_to_its_key(webchat, utrecht_api_key):
    conversation, _token = webchat
    key, _secret = utrecht_api_key
    message = send(conversation, "Uw afspraak staat", direction=Direction.OUTBOUND, author=key)
    assert message.author is None and message.sent_by_api_key == key
    event = ArchiveEvent.objects.get(event_type="message.created")
    assert (event.actor_kind, event.api_key_id, event.actor_id) == ("api", key.pk, None)


@pytest.mark.parametrize(
    ("body", "client_id", "attachments", "code"),
    [
        ("hoi", "short", [], "invalid_client_id"),
        ("hoi", None, [], "invalid_client_id"),
        (12, "client-0001", [], "invalid_body"),
        ("x" * 4001, "client-0001", [], "body_too_long"),
        ("   ", "client-0001", [], "empty_message"),
        ("hoi", "client-0001", ["1"], "invalid_attachments"),
        ("hoi", "client-0001", [True], "invalid_attachments"),
        ("hoi", "client-0001", list(range(11)), "too_many_attachments"),
    ],
)
def test_check_send_message_rejects_bad_input(webchat, body, client_id, attachments, code):
    conversation, _token = webchat
    with pytest.raises(actions.ActionError) as error:
        actions.check_send_message(
            conversation,
            direction=Direction.INBOUND,
            body=body,
            client_id=client_id,
            attachment_ids=attachments,
        )
    assert error.value.code == code


def test_unknown_attachment_rolls_back_whole_send(webchat):
    conversation, _token = webchat
    before = (Message.objects.count(), ArchiveEvent.objects.count())
    with pytest.raises(BalieError):
        actions.do_send_message(
            conversation,
            direction=Direction.INBOUND,
            body="met bijlage",
            client_id="client-attach",
            attachment_ids=[999999],
        )
    conversation.refresh_from_db()
    assert (Message.objects.count(), ArchiveEvent.objects.count()) == before
    assert conversation.last_seq == 0


def _concurrently(count: int, target) -> list:
    results: list = []
    errors: list = []
    barrier = threading.Barrier(count)

    def run(i):
        try:
            barrier.wait()
            results.append(target(i))
        except Exception as error:  # surfaced by the assertion below
            errors.append(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


@pytest.mark.django_db(transaction=True)
def test_sequence_is_monotonic_and_gapless_under_concurrent_sends(webchat):
    conversation, _token = webchat

    def one(i):
        fresh = Conversation.objects.get(pk=conversation.pk)
        return send(fresh, f"bericht {i}").seq

    seqs = _concurrently(8, one)

    assert sorted(seqs) == list(range(1, 9))
    stored = list(Message.objects.filter(conversation=conversation).values_list("seq", flat=True))
    assert stored == list(range(1, 9))


@pytest.mark.django_db(transaction=True)
def test_concurrent_resends_of_one_client_id_store_one_message(webchat):
    conversation, _token = webchat
    client_id = uuid.uuid4().hex

    def one(_i):
        fresh = Conversation.objects.get(pk=conversation.pk)
        return actions.do_send_message(
            fresh, direction=Direction.INBOUND, body="dubbel?", client_id=client_id
        ).message.pk

    pks = _concurrently(6, one)

    assert len(set(pks)) == 1
    assert Message.objects.filter(conversation=conversation).count() == 1
