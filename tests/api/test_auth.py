"""Who may call what: API key scopes, revoked and wrong keys, roles, CSRF on sessions."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from balie.accounts.actions import do_revoke_api_key
from balie.conversations.models import Conversation
from tests.api.helpers import png_bytes, stored, upload

CSRF_SECRET = "k7Qp2Zr9Xw4Lm8Nc3Vb6Ht1Jy5Gd0Fs2"  # 32 letters and digits, as Django makes them

WRITES = [
    ("conversations/{id}/messages/", {"client_id": "scope-000001", "body": "Hoi"}, "json"),
    ("conversations/{id}/attachments/", "file", "multipart"),
    ("conversations/{id}/assign/", {"assignee": None}, "json"),
    ("conversations/{id}/status/", {"status": "pending"}, "json"),
]


def _post(client, conversation, path, payload, fmt):
    if payload == "file":
        payload = {"file": upload("foto.png", png_bytes())}
    return client.post("/api/v1/" + path.format(id=conversation.pk), payload, format=fmt)


@pytest.mark.parametrize(("path", "payload", "fmt"), WRITES)
def test_key_without_write_scope_cannot_post(read_only_key, webchat, path, payload, fmt):
    conversation, _ = webchat
    before = stored()

    response = _post(read_only_key, conversation, path, payload, fmt)

    assert response.status_code == 403
    assert response.json() == {
        "code": "missing_scope",
        "detail": "Deze API-sleutel mist de scope conversations:write.",
        "fields": {},
    }
    assert stored() == before


def test_read_only_key_can_read(read_only_key, webchat):
    conversation, _ = webchat

    response = read_only_key.get(f"/api/v1/conversations/{conversation.pk}/")

    assert response.status_code == 200
    assert response.json()["id"] == conversation.pk


def test_key_without_contacts_scope(utrecht, as_key, webchat):
    from balie.accounts.actions import do_create_api_key

    conversation, _ = webchat
    _, secret = do_create_api_key(utrecht, name="gesprekken", scopes=["conversations:read"])
    client = as_key(secret)

    listing = client.get("/api/v1/contacts/")
    detail = client.get(f"/api/v1/contacts/{conversation.contact_id}/")

    assert listing.status_code == 403
    assert listing.json()["code"] == "missing_scope"
    assert detail.status_code == 403
    assert client.get("/api/v1/conversations/").status_code == 200


def test_key_without_conversations_read(utrecht, as_key, webchat):
    from balie.accounts.actions import do_create_api_key

    conversation, _ = webchat
    _, secret = do_create_api_key(utrecht, name="contacten", scopes=["contacts:read"])

    response = as_key(secret).get(f"/api/v1/conversations/{conversation.pk}/messages/")

    assert response.status_code == 403
    assert response.json()["detail"] == "Deze API-sleutel mist de scope conversations:read."


def test_revoked_key_is_refused(utrecht_api_key, as_key, webchat):
    key, secret = utrecht_api_key
    do_revoke_api_key(key)

    response = as_key(secret).get("/api/v1/conversations/")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert response.json() == {
        "code": "authentication_failed",
        "detail": "Onbekende of ingetrokken API-sleutel.",
        "fields": {},
    }


@pytest.mark.parametrize(
    "header",
    ["Bearer {prefix}.verkeerd-geheim", "Bearer onbekend.geheim", "Bearer {prefix}", "Token x"],
)
def test_wrong_key_is_refused(utrecht_api_key, header):
    key, _ = utrecht_api_key
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header.format(prefix=key.prefix))

    response = client.get("/api/v1/conversations/")

    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_no_credentials(webchat):
    response = APIClient().get("/api/v1/conversations/")

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert "API-sleutel" in response.json()["detail"]


@pytest.mark.parametrize("user", ["auditor_aziz", "woo_wim"])
@pytest.mark.parametrize(("path", "payload", "fmt"), WRITES)
def test_reading_roles_cannot_write(request, as_user, webchat, user, path, payload, fmt):
    conversation, _ = webchat
    client = as_user(request.getfixturevalue(user))
    before = stored()

    response = _post(client, conversation, path, payload, fmt)

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert response.json()["detail"] == "Met uw rol kunt u in dit gesprek niets wijzigen."
    assert stored() == before
    assert Conversation.objects.get(pk=conversation.pk).status == "open"


@pytest.mark.parametrize("user", ["auditor_aziz", "woo_wim"])
def test_reading_roles_can_read(request, as_user, webchat, user):
    conversation, _ = webchat
    client = as_user(request.getfixturevalue(user))

    listing = client.get("/api/v1/conversations/")
    detail = client.get(f"/api/v1/conversations/{conversation.pk}/")
    history = client.get(f"/api/v1/conversations/{conversation.pk}/messages/")

    assert [row["id"] for row in listing.json()["results"]] == [conversation.pk]
    assert detail.status_code == 200
    assert detail.json()["id"] == conversation.pk
    assert history.status_code == 200
    assert history.json() == {"results": [], "has_more": False}


def test_session_post_needs_the_csrf_token(agent_anna, webchat):
    conversation, _ = webchat
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(agent_anna)
    address = f"/api/v1/conversations/{conversation.pk}/status/"

    refused = client.post(address, {"status": "pending"}, format="json")
    client.cookies["csrftoken"] = CSRF_SECRET
    accepted = client.post(
        address, {"status": "pending"}, format="json", HTTP_X_CSRFTOKEN=CSRF_SECRET
    )

    assert refused.status_code == 403
    assert refused.json()["code"] == "csrf_failed"
    assert accepted.status_code == 200
    assert accepted.json()["status"] == "pending"


def test_api_key_needs_no_csrf_token(utrecht_api_key, webchat):
    conversation, _ = webchat
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {utrecht_api_key[1]}")

    response = client.post(
        f"/api/v1/conversations/{conversation.pk}/status/", {"status": "pending"}, format="json"
    )

    assert response.status_code == 200


def test_key_use_is_recorded(utrecht_api_key, utrecht_key):
    key, _ = utrecht_api_key
    assert key.last_used_at is None

    utrecht_key.get("/api/v1/conversations/")

    key.refresh_from_db()
    assert key.last_used_at is not None


def test_session_upload_with_the_csrf_token(agent_anna, webchat):
    conversation, _ = webchat
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(agent_anna)
    client.cookies["csrftoken"] = CSRF_SECRET

    response = client.post(
        f"/api/v1/conversations/{conversation.pk}/attachments/",
        {"file": upload("foto.png", png_bytes())},
        format="multipart",
        HTTP_X_CSRFTOKEN=CSRF_SECRET,
    )

    assert response.status_code == 201
    assert response.json()["content_type"] == "image/png"


def test_key_use_is_written_at_most_once_a_minute(
    utrecht_api_key, utrecht_key, django_assert_max_num_queries
):
    utrecht_key.get("/api/v1/contacts/")
    with django_assert_max_num_queries(3):  # key, count, page: no write
        assert utrecht_key.get("/api/v1/contacts/").status_code == 200
