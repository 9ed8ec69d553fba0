"""Message history and sending over the API: order, paging, idempotency, internal notes."""

from __future__ import annotations

from balie.api.serializers.messages import MessageSerializer
from balie.conversations import selectors
from balie.conversations.models import Direction, Message
from tests.api.helpers import stored
from tests.factories import send


def test_history_in_seq_order_with_paging(as_user, agent_anna, webchat):
    conversation, _ = webchat
    for text in ("een", "twee", "drie"):
        send(conversation, text)
    client = as_user(agent_anna)

    first = client.get(f"/api/v1/conversations/{conversation.pk}/messages/?limit=2")
    rest = client.get(f"/api/v1/conversations/{conversation.pk}/messages/?after_seq=2&limit=2")

    assert first.status_code == 200
    assert [(m["seq"], m["body"]) for m in first.json()["results"]] == [(1, "een"), (2, "twee")]
    assert first.json()["has_more"] is True
    assert rest.status_code == 200
    assert [(m["seq"], m["body"]) for m in rest.json()["results"]] == [(3, "drie")]
    assert rest.json()["has_more"] is False


def test_history_with_api_key_includes_notes(utrecht_key, agent_anna, webchat):
    conversation, _ = webchat
    send(conversation, "vraag")
    send(conversation, "intern", direction=Direction.NOTE, author=agent_anna)

    response = utrecht_key.get(f"/api/v1/conversations/{conversation.pk}/messages/")

    assert response.status_code == 200
    rows = response.json()["results"]
    assert [(m["direction"], m["body"], m["author"], m["author_id"]) for m in rows] == [
        ("inbound", "vraag", None, None),
        ("note", "intern", "Anna", agent_anna.pk),
    ]


def test_agent_sends_a_message(as_user, agent_anna, webchat):
    conversation, _ = webchat

    response = as_user(agent_anna).post(
        f"/api/v1/conversations/{conversation.pk}/messages/",
        {"client_id": "anna-0000001", "body": "  Goedemorgen!  "},
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert body["seq"] == 1
    assert body["direction"] == "outbound"
    assert body["body"] == "Goedemorgen!"
    assert (body["author"], body["author_id"]) == ("Anna", agent_anna.pk)
    assert body["client_id"] == "anna-0000001"
    assert body["attachments"] == []
    message = Message.objects.get(pk=body["id"])
    assert (message.author, message.body) == (agent_anna, "Goedemorgen!")


def test_api_key_sends_without_a_person_as_author(utrecht_key, webchat):
    conversation, _ = webchat

    response = utrecht_key.post(
        f"/api/v1/conversations/{conversation.pk}/messages/",
        {"client_id": "crm-00000001", "body": "Uw melding is ontvangen."},
        format="json",
    )

    assert response.status_code == 201
    assert (response.json()["author"], response.json()["author_id"]) == (None, None)
    assert response.json()["direction"] == "outbound"
    assert Message.objects.get(pk=response.json()["id"]).author is None


def test_resend_with_the_same_client_id_returns_the_stored_message(utrecht_key, webchat):
    conversation, _ = webchat
    address = f"/api/v1/conversations/{conversation.pk}/messages/"
    payload = {"client_id": "retry-000001", "body": "Eén keer, graag."}

    first = utrecht_key.post(address, payload, format="json")
    before = stored()
    again = utrecht_key.post(address, payload, format="json")

    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json() == first.json()
    assert stored() == before
    assert Message.objects.filter(conversation=conversation).count() == 1


def test_internal_note_never_reaches_the_resident(as_user, agent_anna, webchat):
    conversation, _ = webchat
    send(conversation, "Ik wil een nieuwe container.")

    response = as_user(agent_anna).post(
        f"/api/v1/conversations/{conversation.pk}/messages/",
        {"client_id": "note-0000001", "body": "Adres klopt niet met BRP", "internal": True},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["direction"] == "note"
    for_resident = selectors.messages_after(conversation, 0, for_resident=True)
    assert [m.body for m in for_resident] == ["Ik wil een nieuwe container."]
    for_staff = selectors.messages_after(conversation, 0, for_resident=False)
    assert [m.body for m in for_staff][-1] == "Adres klopt niet met BRP"


def test_send_with_an_uploaded_attachment(as_user, agent_anna, webchat):
    from tests.api.helpers import png_bytes, upload

    conversation, _ = webchat
    client = as_user(agent_anna)
    uploaded = client.post(
        f"/api/v1/conversations/{conversation.pk}/attachments/",
        {"file": upload("foto.png", png_bytes())},
        format="multipart",
    )
    attachment_id = uploaded.json()["id"]

    response = client.post(
        f"/api/v1/conversations/{conversation.pk}/messages/",
        {"client_id": "with-file-01", "body": "", "attachments": [attachment_id]},
        format="json",
    )

    assert response.status_code == 201
    (attachment,) = response.json()["attachments"]
    assert attachment["id"] == attachment_id
    assert attachment["content_type"] == "image/png"
    assert attachment["url"] == f"/api/v1/attachments/{attachment_id}/"
    assert client.get(attachment["url"]).status_code == 200


def test_sending_to_a_closed_conversation_is_refused(as_user, agent_anna, webchat):
    from balie.conversations import actions

    conversation, _ = webchat
    actions.do_change_status(conversation, actor=agent_anna, status="closed")
    before = stored()

    response = as_user(agent_anna).post(
        f"/api/v1/conversations/{conversation.pk}/messages/",
        {"client_id": "closed-00001", "body": "Nog iets"},
        format="json",
    )

    assert response.status_code == 409
    assert response.json()["code"] == "conversation_closed"
    assert stored() == before


def test_the_schema_names_exactly_the_keys_of_a_message(webchat, agent_anna):
    # The shape is written once (events.message_payload); the serializer only describes it.
    conversation, _ = webchat
    message = send(conversation, "Vraag")
    assert set(MessageSerializer().fields) == set(MessageSerializer(message).data)
