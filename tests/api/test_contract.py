"""What the contract run found (schemathesis against openapi.yaml on a running server,
tests/contract/run.py, decision 0022), one behaviour per test, so each stays fixed without
starting a server."""

from __future__ import annotations

import json

import pytest
from django.test import RequestFactory
from django.urls import URLPattern, get_resolver

from balie.api.errors import server_error
from balie.api.query import declared_parameters
from balie.conversations import actions
from balie.conversations.files import CONTENT_TYPES
from tests.api.helpers import png_bytes, stored
from tests.api.openapi import assert_matches_contract, contract
from tests.factories import send

HUGE = 112070370531255224963417767936  # what schemathesis sent as a limit


# --- query parameters: only the declared ones, each checked -----------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/conversations/?colour=red",
        "/api/v1/contacts/?colour=red",
        "/api/v1/audit/?colour=red",
        "/api/v1/holds/?colour=red",
        "/api/v1/search/?q=paspoort&colour=red",
        "/api/v1/saved-searches/?colour=red",
    ],
)
def test_an_undeclared_query_parameter_is_a_json_400(utrecht_key, path):
    response = utrecht_key.get(path)

    assert response.status_code == 400
    assert response.json()["code"] == "unknown_parameter"
    assert response.json()["fields"]["colour"][0]["code"] == "unknown_parameter"


def test_a_query_parameter_on_a_post_is_refused(utrecht_key, webchat):
    conversation, _ = webchat
    before = stored()

    response = utrecht_key.post(
        f"/api/v1/conversations/{conversation.pk}/messages/?internal=true",
        {"client_id": "query-000001", "body": "Hallo"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["code"] == "unknown_parameter"
    assert stored() == before


def test_a_parameter_given_twice_is_refused(utrecht_key):
    response = utrecht_key.get("/api/v1/conversations/?status=open&status=closed")

    assert response.status_code == 400
    assert response.json()["code"] == "repeated_parameter"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("offset=null", "offset"),
        ("offset=0.0", "offset"),
        ("limit=%205", "limit"),
        ("offset=-1", "offset"),
        ("limit=0", "limit"),
        ("limit=501", "limit"),
        (f"offset=-210&limit={HUGE}", "limit"),
    ],
)
def test_limit_and_offset_are_checked(utrecht_key, webchat, query, field):
    response = utrecht_key.get(f"/api/v1/contacts/?{query}")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert field in response.json()["fields"]


def test_an_empty_moment_is_not_ignored(utrecht_key):
    response = utrecht_key.get("/api/v1/audit/?until=")

    assert response.status_code == 400
    assert "until" in response.json()["fields"]


def _api_views():
    for pattern in get_resolver().url_patterns:
        if str(pattern.pattern) == "api/v1/":
            for inner in pattern.url_patterns:
                if isinstance(inner, URLPattern) and hasattr(inner.callback, "view_class"):
                    yield "/api/v1/" + str(inner.pattern), inner.callback.view_class


def test_every_accepted_parameter_is_in_the_contract():
    checked = 0
    for route, view in _api_views():
        path = route.replace("<str:", "{").replace(">", "}")
        for method, documented in contract()["paths"].get(path, {}).items():
            in_schema = {p["name"] for p in documented.get("parameters", []) if p["in"] == "query"}
            assert set(declared_parameters(view, method.upper())) == in_schema, (method, path)
            checked += 1
    assert checked == 85  # with GET and PUT of agents/me/status (issue 17)


# --- schema-valid bodies are accepted; what only the data decides is 404 or 409 ---------


def test_a_message_with_only_an_attachment_is_sent(utrecht_key, webchat):
    conversation, _ = webchat
    url = f"/api/v1/conversations/{conversation.pk}/"
    uploaded = utrecht_key.post(url + "attachments/", {"file": _png()}, format="multipart")

    response = utrecht_key.post(
        url + "messages/",
        {"client_id": "only-a-file-1", "body": "", "attachments": [uploaded.json()["id"]]},
        format="json",
    )

    assert response.status_code == 201
    assert_matches_contract(response, "/api/v1/conversations/{conversation_id}/messages/", "post")


def test_a_status_the_conversation_cannot_take_is_a_conflict(utrecht_key, webchat, agent_anna):
    conversation, _ = webchat
    actions.do_change_status(conversation, actor=agent_anna, status="closed")

    response = utrecht_key.post(
        f"/api/v1/conversations/{conversation.pk}/status/", {"status": "resolved"}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
    assert_matches_contract(response, "/api/v1/conversations/{conversation_id}/status/", "post")


@pytest.mark.parametrize(("team", "status"), [(0, 400), (987654, 404)])
def test_a_team_id_out_of_range_is_invalid_and_one_not_there_not_found(
    utrecht_key, webchat, team, status
):
    conversation, _ = webchat

    response = utrecht_key.post(
        f"/api/v1/conversations/{conversation.pk}/assign/",
        {"assignee": None, "team": team},
        format="json",
    )

    assert response.status_code == status
    assert "team" in response.json()["fields"]


def test_unknown_body_fields_are_refused_and_blank_labels_dropped(utrecht_key, webchat):
    conversation, _ = webchat
    url = f"/api/v1/conversations/{conversation.pk}/"

    unknown = utrecht_key.patch(url, {"subject": "Paspoort", "colour": "red"}, format="json")
    blank = utrecht_key.patch(url, {"labels": ["", "  ", "paspoort"]}, format="json")

    assert unknown.status_code == 400
    assert unknown.json()["fields"]["colour"][0]["code"] == "unknown_field"
    assert blank.status_code == 200
    assert blank.json()["labels"] == ["paspoort"]


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ({"from": "2026-01-01T00:00:00Z", "q": "hallo"}, 200),
        ({"from": "1353-06-26", "q": "hallo"}, 200),
        ({"from": "0001-01-01T00:00:00+01:00"}, 200),
        ({"to": "9999-12-31"}, 200),
        ({"sort": "relevance"}, 200),  # no query and no filter: the newest messages
        ({"from": "0"}, 400),
        ({"to": ""}, 400),  # not left out: the contract says a date
        ({"to": " "}, 400),
        ({"channel": ""}, 400),
        ({"q": " "}, 200),
        ({"q": "hallo", "from": "2196-04-25", "to": "0210-05-11T07:07:03+01:10"}, 200),
        ({"q": "hallo", "page": "173"}, 404),
    ],
)
def test_search_accepts_what_the_contract_says(utrecht_key, webchat, query, status):
    conversation, _ = webchat
    send(conversation, "Hallo, ik heb een vraag")

    response = utrecht_key.get("/api/v1/search/", query)

    assert response.status_code == status, response.json()
    assert_matches_contract(response, "/api/v1/search/")


# --- responses as documented ---------------------------------------------------------------


def test_an_audit_entry_of_a_key_has_no_actor(utrecht_key, webchat):
    conversation, _ = webchat
    utrecht_key.get(f"/api/v1/conversations/{conversation.pk}/")

    response = utrecht_key.get("/api/v1/audit/")

    assert response.json()["results"][0]["actor"] is None
    assert response.json()["results"][0]["api_key"]
    assert_matches_contract(response, "/api/v1/audit/")


def test_a_contact_without_email_matches_the_contract(utrecht_key, webchat):
    conversation, _ = webchat

    listed = utrecht_key.get("/api/v1/contacts/")
    one = utrecht_key.get(f"/api/v1/contacts/{conversation.contact_id}/")

    assert one.json()["email"] == ""
    assert_matches_contract(listed, "/api/v1/contacts/")
    assert_matches_contract(one, "/api/v1/contacts/{contact_id}/")


def test_a_download_has_a_documented_content_type(utrecht_key, webchat):
    conversation, _ = webchat
    attachment = actions.do_store_attachment(conversation, data=png_bytes(), filename="a.png")

    response = utrecht_key.get(f"/api/v1/attachments/{attachment.pk}/")

    assert response["Content-Type"] == "image/png"
    assert_matches_contract(response, "/api/v1/attachments/{attachment_id}/")
    documented = contract()["paths"]["/api/v1/attachments/{attachment_id}/"]["get"]
    assert set(documented["responses"]["200"]["content"]) == set(CONTENT_TYPES)


# --- never an HTML 500 under /api/ ---------------------------------------------------------


def test_the_sequence_that_gave_an_html_500_is_a_json_400(utrecht_key, webchat):
    """The contract run's stateful phase: list the contacts, then page with a limit past
    what SQLite's integers hold (an OverflowError, answered with Django's HTML page)."""
    first = utrecht_key.get("/api/v1/contacts/")
    then = utrecht_key.get(f"/api/v1/contacts/?offset=-210&limit={HUGE}")
    holds = utrecht_key.get("/api/v1/holds/?limit=15883946245140582400&offset=-1290")

    assert first.status_code == 200
    for response in (then, holds):
        assert response.status_code == 400
        assert response["Content-Type"] == "application/json"
        assert set(response.json()["fields"]) == {"limit", "offset"}


def test_an_unexpected_error_in_a_view_is_a_json_500(utrecht_key, monkeypatch, caplog):
    def broken(actor):
        raise RuntimeError("a bug")

    monkeypatch.setattr("balie.api.contacts.selectors.contacts_visible_to", broken)

    response = utrecht_key.get("/api/v1/contacts/")

    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "code": "server_error",
        "detail": "Er ging bij ons iets mis. Probeer het later opnieuw.",
        "fields": {},
    }
    assert "Internal Server Error: /api/v1/contacts/" in caplog.text


def test_an_error_outside_a_view_is_json_under_api_only():
    api = server_error(RequestFactory().get("/api/v1/contacts/"))
    page = server_error(RequestFactory().get("/console/"))

    assert api.status_code == page.status_code == 500
    assert api["Content-Type"] == "application/json"
    assert json.loads(api.content)["code"] == "server_error"
    assert page["Content-Type"].startswith("text/html")


def _png():
    from tests.api.helpers import upload

    return upload("foto.png", png_bytes())
