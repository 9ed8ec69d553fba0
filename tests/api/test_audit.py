"""GET /api/v1/audit/ and /audit/export/: auditors read who read what; nobody else does."""

from __future__ import annotations

import csv
import io

import pytest

from balie.accounts.actions import do_create_api_key, do_create_staff_user, do_set_membership
from balie.archive.tasks import verify_archives
from tests.conftest import PASSWORD
from tests.factories import send


@pytest.fixture
def reads(webchat, agent_anna, as_user):
    """agent_anna opened the conversation twice, once with a stated purpose."""
    conversation, _ = webchat
    send(conversation, "Hallo")
    client = as_user(agent_anna)
    client.get(f"/api/v1/conversations/{conversation.pk}/")
    client.get(f"/api/v1/conversations/{conversation.pk}/", HTTP_X_BALIE_PURPOSE="=Woo 12")
    return conversation


def test_auditor_lists_and_filters_reads(reads, auditor_aziz, agent_anna, as_user):
    auditor = as_user(auditor_aziz)
    body = auditor.get("/api/v1/audit/").json()
    assert body["count"] == 2
    newest = body["results"][0]
    assert (newest["actor"], newest["action"], newest["object_id"], newest["purpose"]) == (
        "agent_anna",
        "conversation.read",
        reads.pk,
        "=Woo 12",
    )
    filtered = auditor.get(f"/api/v1/audit/?actor={agent_anna.pk}&object_type=conversation")
    assert filtered.json()["count"] == 2
    assert auditor.get("/api/v1/audit/?action=attachment.read").json()["count"] == 0
    assert auditor.get("/api/v1/audit/?since=2999-01-01T00:00:00Z").json()["count"] == 0
    assert auditor.get("/api/v1/audit/?since=yesterday").status_code == 400


def test_export_is_csv_and_defuses_formulas(reads, auditor_aziz, as_user):
    response = as_user(auditor_aziz).get("/api/v1/audit/export/")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [row["purpose"] for row in rows] == ["'=Woo 12", ""]
    assert {row["actor"] for row in rows} == {"agent_anna"}


def test_agents_and_keys_without_scope_may_not_read_the_audit_log(
    reads, agent_anna, lead_lotte, as_user, utrecht, as_key
):
    for client in (as_user(agent_anna), as_user(lead_lotte)):
        assert client.get("/api/v1/audit/").status_code == 403
        assert client.get("/api/v1/audit/export/").status_code == 403
    _, secret = do_create_api_key(utrecht, name="zonder audit", scopes=["conversations:read"])
    response = as_key(secret).get("/api/v1/audit/")
    assert response.status_code == 403 and response.json()["code"] == "missing_scope"


def test_key_with_audit_scope_reads_only_its_organisation(reads, groningen, as_key, utrecht):
    _, utrecht_secret = do_create_api_key(utrecht, name="audit", scopes=["audit:read"])
    _, groningen_secret = do_create_api_key(groningen, name="audit", scopes=["audit:read"])
    assert as_key(utrecht_secret).get("/api/v1/audit/").json()["count"] == 2
    assert as_key(groningen_secret).get("/api/v1/audit/").json()["count"] == 0
    assert as_key(groningen_secret).get("/api/v1/audit/?organisation=utrecht").json()["count"] == 0


def test_integrity_results_for_records_managers_and_keys(
    webchat, utrecht, groningen, as_user, as_key
):
    verify_archives.call()
    records_rik = do_create_staff_user(username="records_rik", password=PASSWORD)
    do_set_membership(records_rik, utrecht, "records_manager")
    rows = as_user(records_rik).get("/api/v1/integrity/").json()["results"]
    assert [(r["organisation"], r["ok"], r["trigger"]) for r in rows] == [
        ("utrecht", True, "daily")
    ]

    _, secret = do_create_api_key(groningen, name="audit", scopes=["audit:read"])
    rows = as_key(secret).get("/api/v1/integrity/").json()["results"]
    assert [r["organisation"] for r in rows] == ["groningen"]


def test_agents_do_not_see_integrity_results(webchat, agent_anna, as_user):
    assert as_user(agent_anna).get("/api/v1/integrity/").status_code == 403
