"""Reviewing a Woo document in the console: the page's data, the JSON endpoints that accept,
reject, re-ground, select and black out everywhere, the decision, one package part; roles,
tenants, bad input and the audit of every view."""

from __future__ import annotations

import json

import pytest

from balie.archive.models import AuditEntry
from balie.conversations import actions
from balie.woo.actions import do_register_request
from balie.woo.models import Redaction, RedactionState
from balie.woo.review import do_collect, do_propose_redactions
from tests.factories import send

WOO = "/console/utrecht/woo/WOO-2026-020/"
BODY = "Ik ben Fatima el Amrani, bel mij op 06-12345678 over de kermis 🎡 in Zuilen."


@pytest.fixture
def reviewed(utrecht, woo_wim, utrecht_team):
    request = do_register_request(
        utrecht.pk, actor=woo_wim, reference="WOO-2026-020", received_on="2026-11-03",
        subject="Kermis", requester_name="J. Jansen",
    )  # fmt: skip
    conversation, _ = actions.do_start_webchat(utrecht)
    send(conversation, BODY)
    do_collect(request, actor=woo_wim, conversation_ids=[conversation.pk], found_by="test")
    do_propose_redactions(request, actor=woo_wim)
    return request


def _post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def test_the_review_page_and_its_data(client, reviewed, woo_wim):
    client.force_login(woo_wim)
    page = client.get(WOO + "documents/1/")
    assert page.status_code == 200 and 'id="woo-config"' in page.text
    assert "woo_review.js" in page.text and "J. Jansen" not in page.text
    data = client.get(WOO + "documents/1/data/").json()
    assert data["can_write"] is True and data["document"]["number"] == 1
    assert data["messages"][0]["body"] == BODY
    categories = {r["category"] for r in data["redactions"]}
    assert {"name", "phone"} <= categories
    assert data["progress"] == {"documents": 1, "decided": 0, "proposed": len(data["redactions"])}
    phone = next(r for r in data["redactions"] if r["category"] == "phone")
    assert BODY[phone["start"] : phone["end"]] == "06-12345678"
    assert phone["source"] and phone["ground"] == "5.1.2e" and phone["state"] == "proposed"
    # Every view of a document is in the audit log.
    seen = AuditEntry.objects.filter(
        action="woo.document", organisation_id=reviewed.organisation_id
    )
    assert seen.count() == 2 and seen.first().detail["document"] == 1
    assert client.get(WOO + "documents/2/").status_code == 404
    assert client.get(WOO + "documents/x/data/").status_code == 404


def test_accept_reject_reground_and_the_last_change_wins(client, reviewed, woo_wim, woo_wanda):
    other = woo_wanda
    redaction = Redaction.objects.filter(document__request=reviewed, category="phone").get()
    url = f"{WOO}redactions/{redaction.pk}/"
    client.force_login(woo_wim)
    done = _post(client, url, {"state": "accepted", "ground": "5.1.1e"})
    assert done.status_code == 200
    assert done.json()["redaction"]["state"] == "accepted"
    client.force_login(other)
    assert _post(client, url, {"state": "rejected"}).status_code == 200
    redaction.refresh_from_db()
    assert redaction.state == RedactionState.REJECTED and redaction.ground == "5.1.1e"
    assert redaction.updated_by == other
    bad = _post(client, url, {"state": "gone"})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_field"
    assert _post(client, url, {"state": "accepted", "ground": "art. 10"}).status_code == 400
    assert client.post(url, "[1]", content_type="application/json").status_code == 400
    assert client.post(url, "{", content_type="application/json").status_code == 400
    assert _post(client, f"{WOO}redactions/999999/", {"state": "accepted"}).status_code == 404


def test_a_selection_in_code_points_and_everywhere(client, reviewed, woo_wim):
    client.force_login(woo_wim)
    message = client.get(WOO + "documents/1/data/").json()["messages"][0]
    start = BODY.index("Zuilen")  # after an emoji: code points, not UTF-16 units
    selection = {"message": message["id"], "start": start, "end": start + 6, "ground": "5.1.2e"}
    added = _post(client, WOO + "documents/1/redactions/", selection)
    assert added.status_code == 201 and added.json()["redaction"]["source"] == "reviewer"
    wrongs = [{"start": 5, "end": 500}, {"start": 9, "end": 2}, {"start": "1", "end": 4},
              {"start": True, "end": 4}, {"message": 999999, "start": 0, "end": 2}]  # fmt: skip
    for wrong in wrongs:
        body = {"message": message["id"], "ground": "5.1.2e", **wrong}
        assert _post(client, WOO + "documents/1/redactions/", body).status_code in (400, 404)
    everywhere = _post(client, WOO + "everywhere/", {"text": "kermis", "ground": "5.1.2e"})
    assert everywhere.status_code == 200 and everywhere.json()["count"] == 1
    assert _post(client, WOO + "everywhere/", {"text": "", "ground": "5.1.2e"}).status_code == 400


def test_the_decision_as_json(client, reviewed, woo_wim):
    client.force_login(woo_wim)
    url = WOO + "documents/1/decision/"
    refused = _post(client, url, {"decision": "niet_openbaar", "grounds": []})
    assert refused.status_code == 409 and refused.json()["code"] == "grounds_required"
    done = _post(client, url, {"decision": "deels_openbaar", "grounds": ["5.1.2e"],
                               "explanation": "Namen en nummers zijn weggelakt."})  # fmt: skip
    assert done.status_code == 200 and done.json()["document"]["grounds"] == ["5.1.2e"]
    assert (
        _post(client, url, {"decision": "deels_openbaar", "grounds": "5.1.2e"}).status_code == 400
    )


def test_readers_and_outsiders(client, reviewed, auditor_aziz, agent_anna, groningen_woo):
    redaction = Redaction.objects.filter(document__request=reviewed).first()
    client.force_login(auditor_aziz)
    assert client.get(WOO + "documents/1/").status_code == 200
    assert client.get(WOO + "documents/1/data/").json()["can_write"] is False
    assert (
        _post(client, f"{WOO}redactions/{redaction.pk}/", {"state": "accepted"}).status_code == 403
    )
    for outsider in (agent_anna, groningen_woo):
        client.force_login(outsider)
        assert client.get(WOO + "documents/1/").status_code == 404
        assert client.get(WOO + "documents/1/data/").status_code == 404
        answer = _post(client, f"{WOO}redactions/{redaction.pk}/", {"state": "rejected"})
        assert answer.status_code == 404
    redaction.refresh_from_db()
    assert redaction.state == RedactionState.PROPOSED
    client.logout()
    assert (
        _post(client, f"{WOO}redactions/{redaction.pk}/", {"state": "accepted"}).status_code == 401
    )


def test_one_part_of_the_package(client, reviewed, woo_wim):
    client.force_login(woo_wim)
    listed = client.get(WOO).text
    assert "package/WOO-2026-020-inventarislijst.csv" in listed
    assert "package/WOO-2026-020-besluit-concept.pdf" in listed
    csv = client.get(WOO + "package/WOO-2026-020-inventarislijst.csv")
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    assert "attachment" in csv["Content-Disposition"]
    assert client.get(WOO + "package/nothing.pdf").status_code == 404
    assert client.get(WOO + "package/..%2f..%2fsettings.py").status_code == 404
