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


def test_a_refusal_fails_at_once_with_the_channels_error(sms_conversation, agent_anna):
    def broken(message):
        raise tasks.DeliveryFailed("invalid_number", "number not on the network", retryable=False)

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
    assert message.delivery_error == "invalid_number: number not on the network"


def test_rolled_back_send_leaves_no_task(sms_conversation, agent_anna):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        send(sms_conversation, "Antwoord", direction=Direction.OUTBOUND, author=agent_anna)
        raise RuntimeError("crash before commit")
    assert not DBTaskResult.objects.exists()


def _refuse(message):
    raise tasks.DeliveryFailed("rejected", "number blocked", retryable=False)


@pytest.mark.parametrize(
    ("sender", "status", "error"),
    [(lambda message: None, "sent", ""), (_refuse, "failed", "rejected: number blocked")],
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


def test_an_outage_is_retried_then_delivered_once(sms_conversation, agent_anna):
    """The channel is down for three attempts, then recovers: the message stays pending with
    the error shown meanwhile, is retried after a pause, and is sent exactly once."""
    calls = []

    def flaky(message):
        calls.append(message.pk)
        if len(calls) <= 3:
            raise ConnectionError("provider down")

    tasks.register_sender(Channel.SMS, flaky)
    try:
        message = send(
            sms_conversation, "Antwoord", direction=Direction.OUTBOUND, author=agent_anna
        )
        assert tasks.deliver_outbound.call(message.pk) == "retrying"
        message.refresh_from_db()
        assert message.delivery_status == DeliveryStatus.PENDING
        assert message.delivery_error.startswith("ConnectionError (retry 1/")
        for attempt in (2, 3, 4):
            row = DBTaskResult.objects.filter(status="READY").order_by("-enqueued_at").first()
            assert row.args_kwargs["args"] == [message.pk, attempt] and row.run_after is not None
            row.delete()
            tasks.deliver_outbound.call(message.pk, attempt)
    finally:
        tasks.OUTBOUND_SENDERS.pop(Channel.SMS, None)
    message.refresh_from_db()
    assert message.delivery_status == DeliveryStatus.SENT and message.delivery_error == ""
    assert len(calls) == 4
    assert tasks.deliver_outbound.call(message.pk, 5) == DeliveryStatus.SENT  # a late duplicate
    assert len(calls) == 4


def test_after_the_last_attempt_failed_and_staff_send_it_again(sms_conversation, agent_anna):
    from balie.conversations.actions import do_retry_delivery

    def down(message):
        raise ConnectionError("provider down")

    tasks.register_sender(Channel.SMS, down)
    try:
        message = send(
            sms_conversation, "Antwoord", direction=Direction.OUTBOUND, author=agent_anna
        )
        assert tasks.deliver_outbound.call(message.pk, tasks.MAX_ATTEMPTS) == "failed"
    finally:
        tasks.OUTBOUND_SENDERS.pop(Channel.SMS, None)
    message.refresh_from_db()
    assert message.delivery_status == DeliveryStatus.FAILED
    tasks.register_sender(Channel.SMS, lambda m: None)
    try:
        do_retry_delivery(message, actor=agent_anna)
        assert message.delivery_status == DeliveryStatus.PENDING
        row = DBTaskResult.objects.filter(status="READY").order_by("-enqueued_at").first()
        assert row.args_kwargs["args"] == [message.pk]
        assert tasks.deliver_outbound.call(message.pk) == DeliveryStatus.SENT
    finally:
        tasks.OUTBOUND_SENDERS.pop(Channel.SMS, None)
    types = list(
        ArchiveEvent.objects.filter(conversation_id=message.conversation_id)
        .order_by("seq")
        .values_list("event_type", flat=True)
    )
    assert "message.retry_requested" in types


def test_channel_statuses_in_any_order_never_go_back(sms_conversation, agent_anna):
    from balie.conversations.actions import do_record_channel_status

    message = send(sms_conversation, "Antwoord", direction=Direction.OUTBOUND, author=agent_anna)
    assert do_record_channel_status(message, "read")
    assert not do_record_channel_status(message, "delivered")  # late
    assert not do_record_channel_status(message, "sent")
    assert not do_record_channel_status(message, "failed", error="late failure")
    message.refresh_from_db()
    assert message.delivery_status == "read"
    other = send(sms_conversation, "Nog een", direction=Direction.OUTBOUND, author=agent_anna)
    assert do_record_channel_status(other, "failed", error="131026: undeliverable")
    assert not do_record_channel_status(other, "sent")
    assert do_record_channel_status(other, "delivered")  # it did arrive after all
    other.refresh_from_db()
    assert (other.delivery_status, other.delivery_error) == ("delivered", "")
