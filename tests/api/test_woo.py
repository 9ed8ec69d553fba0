"""Woo requests over the API: register, handle, collect, review, decide and fetch the
package; every answer checked against the committed contract; roles, API keys, tenants and
bad input."""

from __future__ import annotations

import io
import zipfile

import pytest

from balie.archive.models import AuditEntry, Hold
from balie.conversations import actions
from balie.search.actions import do_save_search
from balie.woo.models import Redaction, RedactionState, WooRequest
from tests.api.openapi import assert_matches_contract
from tests.factories import send

BASE = "/api/v1/woo/requests/"
BODY = "Ik ben Fatima el Amrani, bel mij op 06-12345678 over de kermis."


@pytest.fixture
def registered(as_user, woo_wim, utrecht, utrecht_team):
    client = as_user(woo_wim)
    answer = client.post(BASE, {"reference": "WOO-2026-040", "received_on": "2026-11-03",
                                "subject": "Kermis", "requester_name": "J. Jansen"},
                         format="json")  # fmt: skip
    assert answer.status_code == 201, answer.content
    assert_matches_contract(answer, "/api/v1/woo/requests/", "post")
    return client, answer.json()


def _conversation(utrecht, text=BODY):
    conversation, _ = actions.do_start_webchat(utrecht)
    send(conversation, text)
    return conversation


def test_register_read_and_list(registered, as_user, auditor_aziz):
    client, created = registered
    assert created["due"] == "2026-12-01" and created["requester_name"] == "J. Jansen"
    assert created["progress"] == {"documents": 0, "decided": 0, "proposed": 0}
    listed = client.get(BASE)
    assert_matches_contract(listed, "/api/v1/woo/requests/")
    assert [r["reference"] for r in listed.json()] == ["WOO-2026-040"]
    # An auditor reads, without the requester.
    auditor = as_user(auditor_aziz)
    read = auditor.get(f"{BASE}{created['id']}/")
    assert_matches_contract(read, "/api/v1/woo/requests/{request_id}/")
    assert read.status_code == 200 and "requester_name" not in read.json()
    assert "requester_name" not in auditor.get(BASE).json()[0]
    refused = auditor.post(f"{BASE}{created['id']}/status/", {"status": "collecting"},
                           format="json")  # fmt: skip
    assert refused.status_code == 403


def test_handling_the_term(registered):
    client, created = registered
    url = f"{BASE}{created['id']}/"
    moved = client.post(url + "status/", {"status": "collecting"}, format="json")
    assert_matches_contract(moved, "/api/v1/woo/requests/{request_id}/status/", "post")
    assert moved.json()["status"] == "collecting"
    extended = client.post(url + "extension/", {"days": 14, "reason": "Veel documenten"},
                           format="json")  # fmt: skip
    assert extended.json()["due"] == "2026-12-15"
    again = client.post(url + "extension/", {"days": 1, "reason": "Nog eens"}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "already_extended"
    pause = {"started_on": "2026-11-10", "reason": "Zienswijze"}
    suspended = client.post(url + "suspension/", pause, format="json")
    assert (
        suspended.json()["due"] is None and suspended.json()["suspensions"][0]["ended_on"] is None
    )
    resumed = client.post(url + "suspension/end/", {"ended_on": "2026-11-17"}, format="json")
    assert resumed.status_code == 200 and resumed.json()["due"] == "2026-12-22"
    assert_matches_contract(resumed, "/api/v1/woo/requests/{request_id}/suspension/end/", "post")


def test_collect_review_decide_and_package(registered, utrecht, woo_wim):
    client, created = registered
    url = f"{BASE}{created['id']}/"
    first, second = _conversation(utrecht), _conversation(utrecht, "Kermis: graag een vergunning.")
    saved = do_save_search(woo_wim, utrecht, name="Kermis", query="kermis", filters={})
    collected = client.post(url + "documents/", {"saved_search": saved.pk}, format="json")
    assert_matches_contract(collected, "/api/v1/woo/requests/{request_id}/documents/", "post")
    assert collected.json() == {"added": [1, 2]}
    again = client.post(url + "documents/", {"conversations": [second.pk, first.pk]}, format="json")
    assert again.json() == {"added": []}  # duplicates merged
    assert Hold.objects.filter(reference="WOO-2026-040", released_at__isnull=True).count() == 3

    proposed = client.post(url + "proposals/")
    assert proposed.status_code == 200 and proposed.json()["count"] >= 2
    document = client.get(url + "documents/1/")
    assert_matches_contract(document, "/api/v1/woo/requests/{request_id}/documents/{number}/")
    data = document.json()
    phone = next(r for r in data["redactions"] if r["category"] == "phone")
    assert data["messages"][0]["body"][phone["start"] : phone["end"]] == "06-12345678"
    assert AuditEntry.objects.filter(action="woo.document").count() == 1

    path = "/api/v1/woo/requests/{request_id}/redactions/{redaction_id}/"
    rejected = client.patch(f"{url}redactions/{phone['id']}/", {"state": "rejected"}, format="json")
    assert_matches_contract(rejected, path, "patch")
    assert rejected.json()["state"] == "rejected" and rejected.json()["updated_by"]
    start = BODY.index("kermis")
    added = client.post(url + "documents/1/redactions/", {
        "message": data["messages"][0]["id"], "start": start, "end": start + 6,
        "ground": "5.1.2e"}, format="json")  # fmt: skip
    assert added.status_code == 201 and added.json()["source"] == "reviewer"
    everywhere = client.post(url + "everywhere/", {"text": "vergunning", "ground": "5.1.2e"},
                             format="json")  # fmt: skip
    assert everywhere.json() == {"count": 1}
    decided = client.post(url + "documents/1/decision/", {"decision": "deels_openbaar",
                          "grounds": ["5.1.2e"], "explanation": "Namen weggelakt."},
                          format="json")  # fmt: skip
    assert_matches_contract(
        decided, "/api/v1/woo/requests/{request_id}/documents/{number}/decision/", "post"
    )
    client.post(
        url + "documents/2/decision/", {"decision": "openbaar", "grounds": []}, format="json"
    )
    detail = client.get(url).json()
    assert detail["progress"]["decided"] == 2

    package = client.get(url + "package/")
    assert package.status_code == 200 and package["Content-Type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(package.content)).namelist()
    assert "WOO-2026-040-001.pdf" in names and "WOO-2026-040-inventarislijst.csv" in names
    part = client.get(url + "package/WOO-2026-040-inventarislijst.csv")
    assert part.status_code == 200 and b"deels openbaar" in part.content
    assert b"Fatima" not in part.content
    assert client.get(url + "package/WOO-2026-040-999.pdf").status_code == 404


def test_bad_input_gets_precise_errors(registered):
    client, created = registered
    url = f"{BASE}{created['id']}/"
    cases = [
        (BASE, {"reference": "W", "received_on": "3 november", "subject": "x"}, "invalid_field"),
        (BASE, {"reference": "W", "received_on": "2026-11-03", "subject": "x", "extra": 1},
         "invalid_field"),
        (url + "status/", {"status": "klaar"}, "invalid_field"),
        (url + "extension/", {"days": 30, "reason": "x"}, "invalid_field"),
        (url + "extension/", {"days": "7", "reason": "x"}, "invalid_field"),
        (url + "documents/", {"saved_search": 1, "conversations": [1]}, "invalid_field"),
        (url + "documents/", {"conversations": ["1"]}, "invalid_field"),
        (url + "documents/", {"conversations": "1,2"}, "invalid_field"),
        (url + "everywhere/", {"text": "x" * 201, "ground": "5.1.2e"}, "invalid_field"),
        (url + "everywhere/", {"text": "x", "ground": "geheim"}, "invalid_field"),
    ]  # fmt: skip
    for path, body, code in cases:
        answer = client.post(path, body, format="json")
        assert answer.status_code == 400, (path, body, answer.content)
        assert answer.json()["code"] == code, (path, body, answer.json())
        assert answer.json()["detail"]
    assert client.post(BASE, "[1]", content_type="application/json").status_code == 400
    assert client.get(f"{BASE}abc/").status_code == 404
    assert client.get(f"{BASE}99999999999999999999999/").status_code == 404
    assert client.get(url + "documents/1/").status_code == 404
    assert (
        client.patch(url + "redactions/1/", {"state": "accepted"}, format="json").status_code == 404
    )


def test_keys_and_other_organisations_see_nothing(
    registered, utrecht_key, as_user, agent_anna, groningen_woo, groningen
):
    client, created = registered
    url = f"{BASE}{created['id']}/"
    assert utrecht_key.get(BASE).status_code == 403
    assert utrecht_key.get(url).status_code == 403
    assert as_user(agent_anna).get(BASE).json() == []
    assert as_user(agent_anna).get(url).status_code == 404
    other = as_user(groningen_woo)
    assert other.get(BASE).json() == []
    for method, path, body in [
        ("get", url, None), ("get", url + "package/", None),
        ("post", url + "status/", {"status": "withdrawn"}),
        ("post", url + "proposals/", None), ("get", url + "documents/1/", None),
    ]:  # fmt: skip
        answer = getattr(other, method)(path, body, format="json")
        assert answer.status_code == 404, (path, answer.content)
    # Groningen registers its own request with the same reference: both exist, apart.
    own = other.post(BASE, {"reference": "WOO-2026-040", "received_on": "2026-11-03",
                            "subject": "Markt"}, format="json")  # fmt: skip
    assert own.status_code == 201
    assert [r["subject"] for r in other.get(BASE).json()] == ["Markt"]
    assert WooRequest.objects.get(pk=created["id"]).status == "received"
    assert not Redaction.objects.exclude(state=RedactionState.PROPOSED).exists()
