"""Outbound delivery to external channels runs as a task enqueued in the send transaction."""

from __future__ import annotations

import pytest
from django_tasks_db.models import DBTaskResult

from balie.conversations import tasks
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
