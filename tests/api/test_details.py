"""PATCH /api/v1/conversations/{id}/: subject, case reference and labels."""

from __future__ import annotations

import pytest

from balie.archive.models import ArchiveEvent
from tests.api.helpers import stored


def test_key_sets_subject_case_reference_and_labels(webchat, utrecht_key, utrecht_api_key):
    conversation, _ = webchat
    response = utrecht_key.patch(
        f"/api/v1/conversations/{conversation.pk}/",
        {"subject": "Paspoort kwijt", "case_reference": "Z-2026-0042", "labels": ["paspoort"]},
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["subject"], body["case_reference"], body["labels"]) == (
        "Paspoort kwijt",
        "Z-2026-0042",
        ["paspoort"],
    )
    event = ArchiveEvent.objects.get(event_type="conversation.details_changed")
    assert (event.actor_kind, event.api_key_id) == ("api", utrecht_api_key[0].pk)
    # Leaving fields out keeps them; the label list filter finds it.
    utrecht_key.patch(
        f"/api/v1/conversations/{conversation.pk}/", {"subject": "Paspoort"}, format="json"
    )
    listed = utrecht_key.get("/api/v1/conversations/?label=paspoort").json()["results"]
    assert [(c["subject"], c["case_reference"]) for c in listed] == [("Paspoort", "Z-2026-0042")]


def test_read_only_role_cannot_change_details(webchat, auditor_aziz, as_user):
    conversation, _ = webchat
    response = as_user(auditor_aziz).patch(
        f"/api/v1/conversations/{conversation.pk}/", {"subject": "x"}, format="json"
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"subject": "x" * 201}, "subject"),
        ({"subject": 12}, "subject"),
        ({"labels": "spoed"}, "labels"),
        ({"labels": [1]}, "labels"),
    ],
)
def test_bad_details_are_refused_and_nothing_changes(webchat, utrecht_key, payload, field):
    conversation, _ = webchat
    before = stored()
    response = utrecht_key.patch(
        f"/api/v1/conversations/{conversation.pk}/", payload, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()["fields"] or any(
        key.startswith(field) for key in response.json()["fields"]
    )
    assert stored() == before
