"""Bad input gets a clear error code, and nothing is stored."""

from __future__ import annotations

import pytest

from tests.api.helpers import stored


@pytest.fixture
def messages_url(webchat) -> str:
    conversation, _ = webchat
    return f"/api/v1/conversations/{conversation.pk}/messages/"


@pytest.mark.parametrize(
    "raw", [b'{"client_id": "abcdefgh", "body": ', b"{'body': 'hoi'}", b"\xff\xfe", b"NaN"]
)
def test_malformed_json(utrecht_key, messages_url, raw):
    before = stored()

    response = utrecht_key.post(messages_url, raw, content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {
        "code": "malformed_json",
        "detail": "De JSON in de aanvraag is ongeldig.",
        "fields": {},
    }
    assert stored() == before


def test_body_too_long(utrecht_key, messages_url, settings):
    before = stored()

    response = utrecht_key.post(
        messages_url,
        {"client_id": "long-0000001", "body": "a" * (settings.MAX_MESSAGE_CHARS + 1)},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["code"] == "body_too_long"
    assert str(settings.MAX_MESSAGE_CHARS) in response.json()["detail"]
    assert stored() == before


@pytest.mark.parametrize(
    ("payload", "field", "code"),
    [
        ({"client_id": 12345678, "body": "hoi"}, "client_id", "wrong_type"),
        ({"client_id": "types-000001", "body": 42}, "body", "wrong_type"),
        ({"client_id": "types-000001", "body": "hoi", "internal": "ja"}, "internal", "wrong_type"),
        ({"client_id": "types-000001", "body": "hoi", "internal": 1}, "internal", "wrong_type"),
        ({"client_id": "types-000001", "attachments": "1"}, "attachments", "not_a_list"),
        ({"client_id": "types-000001", "attachments": ["1"]}, "attachments.0", "wrong_type"),
        ({"client_id": "types-000001", "attachments": [True]}, "attachments.0", "wrong_type"),
        ({"body": "hoi"}, "client_id", "required"),
        ({"client_id": None, "body": "hoi"}, "client_id", "null"),
    ],
)
def test_wrong_types(utrecht_key, messages_url, payload, field, code):
    before = stored()

    response = utrecht_key.post(messages_url, payload, format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert [e["code"] for e in body["fields"][field]] == [code]
    assert stored() == before


def test_json_that_is_not_an_object(utrecht_key, messages_url):
    response = utrecht_key.post(messages_url, [1, 2], format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert response.json()["fields"]["non_field_errors"][0]["code"] == "invalid"


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"client_id": "kort", "body": "hoi"}, "invalid_client_id"),
        ({"client_id": "empty-000001", "body": "   "}, "empty_message"),
        ({"client_id": "files-000001", "attachments": list(range(1, 12))}, "too_many_attachments"),
    ],
)
def test_refused_by_the_send_check(utrecht_key, messages_url, payload, code):
    before = stored()

    response = utrecht_key.post(messages_url, payload, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == code
    assert response.json()["fields"] == {}
    assert stored() == before


def test_form_encoded_body_is_refused(utrecht_key, messages_url):
    response = utrecht_key.post(messages_url, {"client_id": "form-0000001", "body": "hoi"})

    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


def test_wrong_method(utrecht_key, messages_url):
    response = utrecht_key.delete(messages_url)

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


@pytest.mark.parametrize("query", ["after_seq=-1", "after_seq=abc", "limit=0", "limit=501"])
def test_bad_history_parameters(utrecht_key, messages_url, query):
    response = utrecht_key.get(f"{messages_url}?{query}")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert set(response.json()["fields"]) == {query.split("=")[0]}


def test_assign_with_wrong_types(utrecht_key, webchat, agent_anna):
    conversation, _ = webchat
    before = stored()

    response = utrecht_key.post(
        f"/api/v1/conversations/{conversation.pk}/assign/",
        {"assignee": str(agent_anna.pk), "team": "Algemeen"},
        format="json",
    )

    assert response.status_code == 400
    fields = response.json()["fields"]
    assert (fields["assignee"][0]["code"], fields["team"][0]["code"]) == (
        "wrong_type",
        "wrong_type",
    )
    assert stored() == before


def test_assign_needs_the_assignee_key(utrecht_key, webchat):
    conversation, _ = webchat

    response = utrecht_key.post(
        f"/api/v1/conversations/{conversation.pk}/assign/", {}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["fields"]["assignee"][0]["code"] == "required"
