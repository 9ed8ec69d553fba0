"""Another municipality's ids reveal nothing: 404 on every endpoint, never in a list."""

from __future__ import annotations

import pytest

from balie.conversations import actions
from tests.api.helpers import png_bytes, stored, upload
from tests.factories import send

# (method, path under /api/v1/ with {conversation} / {contact} / {attachment}, payload, format)
ENDPOINTS = [
    ("get", "conversations/{conversation}/", None, None),
    ("patch", "conversations/{conversation}/", {"subject": "Overgenomen"}, "json"),
    ("get", "conversations/{conversation}/messages/", None, None),
    (
        "post",
        "conversations/{conversation}/messages/",
        {"client_id": "x" * 12, "body": "Hoi"},
        "json",
    ),
    ("post", "conversations/{conversation}/attachments/", "file", "multipart"),
    ("post", "conversations/{conversation}/assign/", {"assignee": None}, "json"),
    ("post", "conversations/{conversation}/status/", {"status": "resolved"}, "json"),
    ("get", "contacts/{contact}/", None, None),
    ("get", "attachments/{attachment}/", None, None),
]


@pytest.fixture
def outsiders(groningen_key, agent_gerrit, groningen_team, as_user):
    return {"groningen_key": groningen_key, "agent_gerrit": as_user(agent_gerrit)}


@pytest.mark.parametrize("who", ["groningen_key", "agent_gerrit"])
@pytest.mark.parametrize(("method", "path", "payload", "fmt"), ENDPOINTS)
def test_utrecht_ids_are_not_found_for_groningen(
    outsiders, webchat, who, method, path, payload, fmt
):
    conversation, _ = webchat
    send(conversation, "Utrechtse vraag")
    attachment = actions.do_store_attachment(conversation, data=png_bytes(), filename="a.png")
    address = "/api/v1/" + path.format(
        conversation=conversation.pk, contact=conversation.contact_id, attachment=attachment.pk
    )
    if payload == "file":
        payload = {"file": upload("foto.png", png_bytes())}
    before = stored()

    response = getattr(outsiders[who], method)(address, payload, format=fmt)

    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "detail": "Niet gevonden.", "fields": {}}
    assert stored() == before
    conversation.refresh_from_db()
    assert conversation.status == "open"


LISTS = [
    ("conversations/", "conversation"),
    ("contacts/", "contact"),
    ("conversations/?organisation=groningen", "conversation"),
    ("contacts/?organisation=groningen", "contact"),
]


@pytest.fixture
def both_tenants(webchat, groningen_webchat):
    utrecht_chat, _ = webchat
    groningen_chat, _ = groningen_webchat
    send(utrecht_chat, "Utrecht")
    send(groningen_chat, "Groningen")
    return {
        "utrecht": {"conversation": utrecht_chat.pk, "contact": utrecht_chat.contact_id},
        "groningen": {"conversation": groningen_chat.pk, "contact": groningen_chat.contact_id},
    }


@pytest.mark.parametrize(("path", "kind"), LISTS)
def test_utrecht_lists_never_include_groningen(
    both_tenants, utrecht_key, lead_lotte, as_user, path, kind
):
    for client in (utrecht_key, as_user(lead_lotte)):
        response = client.get("/api/v1/" + path)
        assert response.status_code == 200
        ids = {row["id"] for row in response.json()["results"]}
        organisations = {row["organisation"] for row in response.json()["results"]}
        assert both_tenants["groningen"][kind] not in ids
        assert organisations <= {"utrecht"}
        if "groningen" not in path:
            assert both_tenants["utrecht"][kind] in ids


@pytest.mark.parametrize(("path", "kind"), LISTS[:2])
def test_groningen_lists_never_include_utrecht(both_tenants, groningen_key, path, kind):
    response = groningen_key.get("/api/v1/" + path)

    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [both_tenants["groningen"][kind]]


def test_utrecht_message_history_has_only_its_own_messages(both_tenants, utrecht_key):
    conversation = both_tenants["utrecht"]["conversation"]

    response = utrecht_key.get(f"/api/v1/conversations/{conversation}/messages/")

    assert response.status_code == 200
    assert [m["body"] for m in response.json()["results"]] == ["Utrecht"]
    assert {m["conversation"] for m in response.json()["results"]} == {conversation}


def test_attachment_of_another_organisation_cannot_be_sent(
    both_tenants, utrecht_key, groningen_key
):
    groningen_chat = both_tenants["groningen"]["conversation"]
    uploaded = groningen_key.post(
        f"/api/v1/conversations/{groningen_chat}/attachments/",
        {"file": upload("foto.png", png_bytes())},
        format="multipart",
    )
    before = stored()

    response = utrecht_key.post(
        f"/api/v1/conversations/{both_tenants['utrecht']['conversation']}/messages/",
        {"client_id": "steal-000001", "attachments": [uploaded.json()["id"]]},
        format="json",
    )

    assert response.status_code == 404
    assert response.json()["code"] == "unknown_attachment"
    assert stored() == before
