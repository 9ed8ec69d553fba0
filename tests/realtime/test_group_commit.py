"""Group commit: sends arriving together share one transaction, each answered on its own."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from channels.db import database_sync_to_async

from balie.conversations import actions
from balie.conversations.models import Direction, Message
from balie.realtime import writer

pytestmark = pytest.mark.django_db(transaction=True)


def _request(conversation, body, client_id=None, **extra):
    return writer.SendRequest(
        conversation_id=conversation.pk,
        direction=Direction.INBOUND,
        body=body,
        client_id=client_id or uuid.uuid4().hex,
        for_resident=True,
        **extra,
    )


def test_a_bad_send_in_a_batch_does_not_take_the_others_down(webchat):
    conversation, _token = webchat
    outcomes, collected = writer.write_batch(
        [
            _request(conversation, "eerste"),
            _request(conversation, "met onbekende bijlage", attachment_ids=[987654]),
            _request(conversation, "derde"),
        ]
    )
    assert isinstance(outcomes[1], actions.UnknownReference)
    assert [o.result.message.seq for o in (outcomes[0], outcomes[2])] == [1, 2]
    assert [m.body for m in Message.objects.order_by("seq")] == ["eerste", "derde"]
    # Fan-out is collected for after the commit: each message to staff and resident, and
    # the conversation once to the inbox.
    groups = [group for _event, event_groups in collected for group in event_groups]
    assert sorted(groups) == sorted(
        [f"conv-{conversation.pk}-staff", f"conv-{conversation.pk}-resident"] * 2
        + [f"org-{conversation.organisation_id}-inbox"]
    )


async def test_concurrent_sends_are_batched_with_gapless_sequences(
    webchat, groningen_webchat, utrecht
):
    conversations = [webchat[0], groningen_webchat[0]]
    requests = [_request(c, f"bericht {i}") for i in range(15) for c in conversations]
    requests.append(requests[0])  # a resend in the same burst

    outcomes = await asyncio.gather(*(writer.submit(r) for r in requests))

    assert outcomes[-1].result.created is False
    assert outcomes[-1].result.message.pk == outcomes[0].result.message.pk
    for conversation in conversations:
        seqs = await database_sync_to_async(
            lambda c=conversation: list(
                Message.objects.filter(conversation=c).values_list("seq", flat=True)
            )
        )()
        assert seqs == list(range(1, 16))


async def test_the_connection_is_kept_from_batch_to_batch_and_closed_when_idle(monkeypatch):
    """Opening a connection costs milliseconds on PostgreSQL: not once per batch."""
    from django.db import connection
    from django.db.backends.signals import connection_created

    from balie.realtime import batching

    monkeypatch.setattr(batching, "IDLE_CLOSE_SECONDS", 0.3)
    opened = []

    def count(sender, connection, **kwargs):
        opened.append(connection)

    def write(items):
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return [item for item in items], []

    connection_created.connect(count)
    try:
        commit = batching.GroupCommit(write, name="idle-test")
        assert await commit.submit(1) == 1
        assert await commit.submit(2) == 2  # a second batch, the same connection
        assert len(opened) == 1
        await asyncio.sleep(0.8)  # idle: closed
        assert await commit.submit(3) == 3
        assert len(opened) == 2
    finally:
        connection_created.disconnect(count)
        await asyncio.sleep(0.6)  # closed by its timer, not left to the garbage collector
