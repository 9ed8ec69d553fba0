"""The audit log page and its CSV export in the console."""

from __future__ import annotations

import csv
import io

from tests.factories import send


def _read_twice(client, user, conversation):
    client.force_login(user)
    client.get(f"/api/v1/conversations/{conversation.pk}/")
    client.get(f"/api/v1/conversations/{conversation.pk}/", HTTP_X_BALIE_PURPOSE="Woo-verzoek 7")


def test_auditor_sees_and_exports_who_read_what(client, webchat, agent_anna, auditor_aziz):
    conversation, _ = webchat
    send(conversation, "Hallo")
    _read_twice(client, agent_anna, conversation)
    client.force_login(auditor_aziz)

    inbox = client.get("/console/utrecht/")
    assert "/console/utrecht/audit/" in inbox.text

    page = client.get("/console/utrecht/audit/?action=conversation.read")
    assert page.status_code == 200
    assert page.text.count(f"conversation.read #{conversation.pk}") == 2
    assert "Woo-verzoek 7" in page.text

    export = client.get("/console/utrecht/audit/export/?action=conversation.read")
    rows = list(csv.DictReader(io.StringIO(export.content.decode())))
    assert [row["purpose"] for row in rows] == ["Woo-verzoek 7", ""]
    assert export["Content-Disposition"].startswith('attachment; filename="auditlog-utrecht-')


def test_date_filters_and_bad_dates(client, webchat, agent_anna, auditor_aziz):
    conversation, _ = webchat
    _read_twice(client, agent_anna, conversation)
    client.force_login(auditor_aziz)
    assert "Geen regels gevonden" in client.get("/console/utrecht/audit/?since=2999-01-01").text
    # A date that is no date is ignored, not an error.
    page = client.get("/console/utrecht/audit/?since=gisteren&action=conversation.read")
    assert page.text.count("conversation.read #") == 2


def test_only_auditors_and_admins_of_that_municipality(
    client, webchat, agent_anna, lead_lotte, agent_gerrit
):
    for user in (agent_anna, lead_lotte, agent_gerrit):
        client.force_login(user)
        assert client.get("/console/utrecht/audit/").status_code == 404
        assert client.get("/console/utrecht/audit/export/").status_code == 404
