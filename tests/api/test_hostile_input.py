"""Texts and numbers no database stores are refused up front, in the API's error shape."""

from __future__ import annotations

import json

import pytest

from tests.api.helpers import stored

BIG = 2**70


@pytest.fixture
def messages_url(webchat) -> str:
    conversation, _ = webchat
    return f"/api/v1/conversations/{conversation.pk}/messages/"


def _post_raw(client, url, data: dict):
    """JSON as a client may write it: a lone surrogate stays the escape \\udc80."""
    return client.post(url, json.dumps(data), content_type="application/json")


@pytest.mark.parametrize(
    ("data", "code", "field"),
    [
        ({"client_id": "hostile-01", "body": "hallo \udc80"}, "invalid_text", "body"),
        ({"client_id": "hostile-01", "body": "hallo \x00 daar"}, "invalid_text", "body"),
        ({"client_id": "hostile-\x00", "body": "hallo"}, "invalid_text", "client_id"),
        (
            {"client_id": "hostile-01", "body": "a", "attachments": [BIG]},
            "invalid_field",
            "attachments.0",
        ),  # noqa: E501
        (
            {"client_id": "hostile-01", "body": "a", "attachments": [1, -BIG]},
            "invalid_field",
            "attachments.1",
        ),  # noqa: E501
        ({"client_id": "hostile-01", "body": "a", "extra": {"\ud800": 1}}, "invalid_text", "extra"),
    ],
)
def test_send_refuses_what_no_database_stores(utrecht_key, messages_url, data, code, field):
    before = stored()

    response = _post_raw(utrecht_key, messages_url, data)

    assert response.status_code == 400
    problem = response.json()
    assert problem["code"] == code and problem["detail"]
    assert list(problem["fields"]) == [field]
    assert stored() == before


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/v1/conversations/{pk}/messages/?after_seq={big}", "after_seq"),
        ("/api/v1/conversations/?team={big}", "team"),
        ("/api/v1/audit/?object_id={big}", "object_id"),
    ],
)
def test_out_of_range_query_numbers_are_400(utrecht_key, webchat, path, field):
    response = utrecht_key.get(path.format(pk=webchat[0].pk, big=BIG))

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_field"
    assert list(response.json()["fields"]) == [field]


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("/api/v1/search/?q=pas%00poort", "invalid_text"),
        ("/api/v1/conversations/?status=%00", "invalid_text"),
        (f"/api/v1/search/?q=paspoort&team={BIG}", "unknown_team"),
        (f"/api/v1/search/?q=paspoort&page={BIG}", "invalid_page"),
    ],
)
def test_bad_query_texts_and_numbers_are_400(utrecht_key, path, code):
    response = utrecht_key.get(path)

    assert response.status_code == 400
    assert response.json()["code"] == code


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/conversations/{big}/",
        "/api/v1/conversations/{big}/messages/",
        "/api/v1/attachments/{big}/",
    ],
)
def test_out_of_range_path_ids_are_json_404(utrecht_key, path):
    response = utrecht_key.get(path.format(big=BIG))

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_out_of_range_offset_is_json(utrecht_key):
    response = utrecht_key.get(f"/api/v1/conversations/?offset={BIG}")

    assert response.status_code in (200, 400)
    assert response["Content-Type"] == "application/json"


def test_oversized_json_body_is_413_json(utrecht_key, messages_url, settings):
    before = stored()
    body = json.dumps({"client_id": "hostile-02", "body": "a" * (3 * 1024 * 1024)})

    response = utrecht_key.post(messages_url, body, content_type="application/json")

    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert set(response.json()) == {"code", "detail", "fields"}
    assert stored() == before
