"""Outbound delivery to external channels runs as a task enqueued in the send transaction;
its outcome is stored, archived and told to staff through ``do_record_delivery``."""

from __future__ import annotations

import pytest
from django_tasks_db.models import DBTaskResult

from balie.archive.models import ArchiveEvent
from balie.conversations import events, tasks
from balie.conversations.models import Channel, Conversation, DeliveryStatus, Direction
from tests.factories import send


@pytest.fixture
def sms_conversation(webchat):
    conversation, _token = webchat
    # Channel adapters arrive with the connectors issue; until then set the channel directly.
    Conversation.objects.filter(pk=conversation.pk).update(channel=Channel.SMS)
    conversation.refresh_from_db()
    return conversation


@pytest.fixture
def sms_sender():
    sent = []
    tasks.register_sender(Channel.SMS, sent.append)
    yield sent
    tasks.OUTBOUND_SENDERS.pop(Channel.SMS, None)


def test_webchat_reply_needs_no_task(webchat, agent_anna):
    conversation, _token = webchat
    message = send(conversation, "Antwoord", direction=Direction.OUTBOUND, author=agent_anna)
    assert message.delivery_status == DeliveryStatus.SENT
    assert not DBTaskResult.objects.exists()


def test_external_reply_is_pending_until_the_task_delivers_it(
    sms_conversation, agent_anna, sms_sender
):
    message = send(sms_conversation, "Antwoord", direction=Direction.OUTBOUND, author=agent_anna)
    assert message.delivery_status == DeliveryStatus.PENDING
    task_row = DBTaskResult.objects.get()
    assert task_row.args_kwargs["args"] == [message.pk]

    assert tasks.deliver_outbound.call(message.pk) == DeliveryStatus.SENT
    message.refresh_from_db()
    assert message.delivery_status == DeliveryStatus.SENT
    assert sms_sender == [message]
    # Running it again (a retried task) sends nothing twice.
    tasks.deliver_outbound.call(message.pk)
    assert len(sms_sender) == 1


def test_failed_delivery_is_visible(sms_conversation, agent_anna):
    def broken(message):
        raise ConnectionError("provider down")

    tasks.register_sender(Channel.SMS, broken)
    try:
        message = send(
            sms_conversation, "Antwoord", direction=Direction.OUTBOUND, author=agent_anna
        )
        assert tasks.deliver_outbound.call(message.pk) == DeliveryStatus.FAILED
    finally:
        tasks.OUTBOUND_SENDERS.pop(Channel.SMS, None)
    message.refresh_from_db()
    assert message.delivery_status == DeliveryStatus.FAILED


def test_rolled_back_send_leaves_no_task(sms_conversation, agent_anna):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        send(sms_conversation, "Antwoord", direction=Direction.OUTBOUND, author=agent_anna)
        raise RuntimeError("crash before commit")
    assert not DBTaskResult.objects.exists()


def _refuse(message):
    raise ConnectionError("provider down")


@pytest.mark.parametrize(
    ("sender", "status", "error"),
    [(lambda message: None, "sent", ""), (_refuse, "failed", "ConnectionError")],
    ids=["sent", "failed"],
)
def test_delivery_is_stored_archived_and_told_to_staff(
    sms_conversation, agent_anna, django_capture_on_commit_callbacks, sender, status, error
):
    message = send(sms_conversation, "Antwoord", direction=Direction.OUTBOUND, author=agent_anna)
    tasks.register_sender(Channel.SMS, sender)
    try:
        with events.collect_events() as sent, django_capture_on_commit_callbacks(execute=True):
            assert tasks.deliver_outbound.call(message.pk) == status
    finally:
        tasks.OUTBOUND_SENDERS.pop(Channel.SMS, None)

    message.refresh_from_db()
    assert message.delivery_status == status
    archived = ArchiveEvent.objects.get(event_type="message.delivery")
    assert (archived.conversation_id, archived.actor_kind) == (sms_conversation.pk, "system")
    assert archived.payload == {
        "message_id": message.pk,
        "seq": message.seq,
        "status": status,
        "error": error,
    }
    assert sent == [
        (
            {
                "type": "delivery",
                "conversation": sms_conversation.pk,
                "message": message.pk,
                "seq": message.seq,
                "delivery_status": status,
                "error": error,
            },
            [events.staff_group(sms_conversation.pk)],
        )
    ]
