"""Reads of holds and destruction lists are in the audit log like every other read (issue 10,
finding 10); writes to them are in the archive instead, not logged as reads."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from balie.archive.models import AuditEntry
from balie.conversations import actions
from balie.records.destruction import do_propose_destruction
from balie.records.holds import do_place_hold
from tests.factories import make_due

pytestmark = pytest.mark.django_db


@pytest.fixture
def held_and_listed(webchat, agent_anna, records_rik, utrecht):
    first = make_due(webchat[0], actor=agent_anna)
    hold = do_place_hold(
        utrecht.pk, actor=records_rik, kind="legal", scope="conversation", target_id=first.pk,
        reference="ZAAK-1", reason="Bezwaarprocedure",
    )  # fmt: skip
    second, _token = actions.do_start_webchat(utrecht)
    make_due(second, actor=agent_anna)
    proposed = do_propose_destruction(
        utrecht.pk, actor=records_rik, conversation_ids=[second.pk], title="Lijst 1"
    )
    return hold, proposed


def _reads(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("seq"))


def _api(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def test_api_reads_of_holds_and_lists_are_audited(held_and_listed, records_rik):
    hold, proposed = held_and_listed
    client = _api(records_rik)
    assert client.get("/api/v1/holds/").status_code == 200
    assert client.get("/api/v1/destruction-lists/").status_code == 200
    assert client.get(f"/api/v1/destruction-lists/{proposed.pk}/").status_code == 200
    (holds,) = _reads("hold.list")
    assert (holds.actor_id, holds.detail["ids"], holds.channel) == (
        records_rik.pk,
        [hold.pk],
        "api",
    )
    (lists,) = _reads("destruction_list.list")
    assert lists.detail["ids"] == [proposed.pk]
    (one,) = _reads("destruction_list.read")
    assert (one.object_id, one.detail["items"]) == (proposed.pk, 1)


def test_console_reads_of_holds_and_lists_are_audited(held_and_listed, records_rik):
    hold, proposed = held_and_listed
    client = Client()
    client.force_login(records_rik)
    assert client.get("/console/utrecht/records/").status_code == 200
    assert client.get(f"/console/utrecht/records/destruction/{proposed.pk}/").status_code == 200
    assert _reads("hold.list")[0].detail["ids"] == [hold.pk]
    assert _reads("destruction_list.list")[0].detail["ids"] == [proposed.pk]
    assert _reads("destruction_list.read")[0].object_id == proposed.pk


def test_writes_are_not_logged_as_reads(held_and_listed, records_rik, records_roos):
    hold, proposed = held_and_listed
    released = _api(records_rik).post(
        f"/api/v1/holds/{hold.pk}/release/", {"reason": "Afgerond"}, format="json"
    )
    assert released.status_code == 200
    approved = _api(records_roos).post(
        f"/api/v1/destruction-lists/{proposed.pk}/approve/", {}, format="json"
    )
    assert approved.status_code == 200, approved.content
    assert not AuditEntry.objects.filter(action__in=["hold.read", "destruction_list.read"]).exists()
