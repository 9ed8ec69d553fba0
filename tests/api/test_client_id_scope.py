"""The API's idempotency is per sender: another sender's client_id is a 409, not a 200."""

from __future__ import annotations

from balie.conversations.models import Direction, Message
from tests.factories import send


def test_a_client_id_a_resident_used_first_answers_409(utrecht_key, webchat):
    conversation, _ = webchat
    send(conversation, "ik was eerst", client_id="crm-0001")

    response = utrecht_key.post(
        f"/api/v1/conversations/{conversation.pk}/messages/",
        {"client_id": "crm-0001", "body": "officieel antwoord"},
        format="json",
    )

    assert response.status_code == 409
    assert response.json()["code"] == "client_id_conflict"
    assert list(response.json()["fields"]) == ["client_id"]
    assert "ik was eerst" not in response.content.decode()


def test_a_note_is_never_returned_to_another_sender(utrecht_key, webchat, agent_anna):
    conversation, _ = webchat
    send(conversation, "notitie", direction=Direction.NOTE, author=agent_anna, client_id="nt-00001")

    response = utrecht_key.post(
        f"/api/v1/conversations/{conversation.pk}/messages/",
        {"client_id": "nt-00001", "body": "x", "internal": True},
        format="json",
    )

    assert response.status_code == 409
    assert Message.objects.count() == 1
