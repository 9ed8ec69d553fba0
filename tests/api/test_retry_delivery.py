"""Sending a failed outbound message again, over the API and from the console: only a failed
message of one's own organisation; the channel gets it once more."""

from __future__ import annotations

import pytest

from balie.conversations import tasks
from balie.conversations.models import Channel, Conversation, DeliveryStatus, Direction
from tests.api.openapi import assert_matches_contract
from tests.factories import send


@pytest.fixture
def failed(webchat, agent_anna):
    conversation, _token = webchat
    Conversation.objects.filter(pk=conversation.pk).update(channel=Channel.SMS)
    conversation.refresh_from_db()

    def refuse(message):
        raise tasks.DeliveryFailed("outage", "provider down", retryable=False)

    tasks.register_sender(Channel.SMS, refuse)
    try:
        message = send(conversation, "Antwoord", direction=Direction.OUTBOUND, author=agent_anna)
        tasks.deliver_outbound.call(message.pk)
    finally:
        tasks.OUTBOUND_SENDERS.pop(Channel.SMS, None)
    message.refresh_from_db()
    assert message.delivery_status == DeliveryStatus.FAILED
    return message


def test_over_the_api(failed, utrecht_key, groningen_key):
    url = f"/api/v1/conversations/{failed.conversation_id}/messages/{failed.pk}/retry/"
    assert groningen_key.post(url).status_code == 404
    answer = utrecht_key.post(url)
    assert_matches_contract(
        answer, "/api/v1/conversations/{conversation_id}/messages/{message_id}/retry/", "post"
    )
    assert answer.status_code == 202 and answer.json()["delivery_status"] == "pending"
    again = utrecht_key.post(url)
    assert again.status_code == 409 and again.json()["code"] == "not_failed"


def test_from_the_console(failed, client, agent_anna, agent_gerrit):
    url = f"/console/conversations/{failed.conversation_id}/messages/{failed.pk}/retry/"
    client.force_login(agent_gerrit)
    assert client.post(url, "{}", content_type="application/json").status_code == 404
    client.force_login(agent_anna)
    done = client.post(url, "{}", content_type="application/json")
    assert done.status_code == 200 and done.json()["message"]["delivery_status"] == "pending"
    failed.refresh_from_db()
    assert failed.delivery_status == DeliveryStatus.PENDING
