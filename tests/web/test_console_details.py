"""Subject, case reference (zaaknummer) and labels from the console."""

from __future__ import annotations

import json

import pytest

from balie.archive.models import ArchiveEvent


def _details(client, conversation, body):
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(
        f"/console/conversations/{conversation.pk}/details/", data, content_type="application/json"
    )


def test_agent_sets_details(client, agent_anna, webchat):
    conversation, _ = webchat
    client.force_login(agent_anna)
    response = _details(
        client,
        conversation,
        {"subject": "Grofvuil", "case_reference": "Z-77", "labels": ["afval", "spoed"]},
    )
    assert response.status_code == 200
    payload = response.json()["conversation"]
    assert (payload["subject"], payload["case_reference"], payload["labels"]) == (
        "Grofvuil",
        "Z-77",
        ["afval", "spoed"],
    )
    assert ArchiveEvent.objects.get(event_type="conversation.details_changed").actor == agent_anna


@pytest.mark.parametrize(
    ("body", "code"),
    [({}, "invalid_field"), ({"labels": "spoed"}, "invalid_labels"), ("{nope", "malformed_json")],
)
def test_bad_details_are_refused(client, agent_anna, webchat, body, code):
    conversation, _ = webchat
    client.force_login(agent_anna)
    response = _details(client, conversation, body)
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert not ArchiveEvent.objects.filter(event_type="conversation.details_changed").exists()


def test_auditor_and_other_tenant_cannot_change_details(
    client, auditor_aziz, agent_gerrit, webchat
):
    conversation, _ = webchat
    client.force_login(auditor_aziz)
    assert _details(client, conversation, {"subject": "x"}).status_code == 403
    client.force_login(agent_gerrit)
    assert _details(client, conversation, {"subject": "x"}).status_code == 404
