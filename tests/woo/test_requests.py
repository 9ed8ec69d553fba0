"""Registering and handling Woo requests: who may, the status flow, deadlines, holds."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.management import call_command

from balie.archive.models import ArchiveEvent, Hold
from balie.conversations.actions.errors import ActionError, StateConflict
from balie.records.destruction import do_propose_destruction
from balie.records.permissions import RecordsNotAllowed
from balie.search.actions import do_save_search
from balie.woo.actions import (
    do_add_saved_search,
    do_end_suspension,
    do_extend,
    do_register_request,
    do_set_status,
    do_suspend,
)
from balie.woo.models import Status
from balie.woo.selectors import list_requests
from tests.records.test_destruction import _conversation_with_content

pytestmark = pytest.mark.django_db


def _register(organisation, actor, reference="WOO-2026-014", received=date(2026, 11, 3)):
    return do_register_request(
        organisation.pk,
        actor=actor,
        reference=reference,
        received_on=received.isoformat(),
        subject="Alle berichten over de kermis",
        requester_name="J. Jansen",
        requester_contact="j.jansen@example.org",
    )


def test_a_woo_coordinator_registers_a_request_and_sees_its_deadline(utrecht, woo_wim):
    request = _register(utrecht, woo_wim)
    (view,) = list_requests(woo_wim, utrecht.pk, today=date(2026, 11, 20))
    assert view.request == request
    assert view.deadline.due == date(2026, 12, 1)
    assert not view.overdue and view.show_requester
    event = ArchiveEvent.objects.get(event_type="woo.registered")
    assert "Jansen" not in str(event.payload)  # the requester never goes into the archive


def test_only_woo_coordinators_write_and_auditors_read_without_the_requester(
    utrecht, woo_wim, auditor_aziz, agent_anna, records_rik
):
    for person in (agent_anna, auditor_aziz, records_rik):
        with pytest.raises(RecordsNotAllowed):
            _register(utrecht, person)
    _register(utrecht, woo_wim)
    (view,) = list_requests(auditor_aziz, utrecht.pk)
    assert not view.show_requester
    with pytest.raises(RecordsNotAllowed):
        list_requests(agent_anna, utrecht.pk)


def test_requests_of_one_organisation_are_not_anothers(utrecht, groningen, woo_wim, agent_gerrit):
    request = _register(utrecht, woo_wim)
    assert list_requests(None, groningen.pk) == []
    with pytest.raises(RecordsNotAllowed):
        list_requests(woo_wim, groningen.pk)
    with pytest.raises(RecordsNotAllowed):
        do_extend(request, actor=agent_gerrit, days=7, reason="Veel stukken")


def test_bad_input_is_refused_with_the_reason(utrecht, woo_wim):
    with pytest.raises(ActionError, match="JJJJ-MM-DD"):  # Dutch, the default language
        do_register_request(
            utrecht.pk, actor=woo_wim, reference="W-1", received_on="3 nov", subject="x"
        )
    with pytest.raises(ActionError):
        do_register_request(
            utrecht.pk, actor=woo_wim, reference="W-1", received_on="2999-01-01", subject="x"
        )
    _register(utrecht, woo_wim)
    with pytest.raises(StateConflict) as taken:
        _register(utrecht, woo_wim)
    assert taken.value.code == "reference_taken"


def test_one_extension_of_at_most_two_weeks_with_a_reason(utrecht, woo_wim):
    request = _register(utrecht, woo_wim)
    with pytest.raises(ActionError):
        do_extend(request, actor=woo_wim, days=15, reason="Veel stukken")
    with pytest.raises(ActionError):
        do_extend(request, actor=woo_wim, days=7, reason=" ")
    do_extend(request, actor=woo_wim, days=14, reason="Veel stukken, derden gehoord")
    with pytest.raises(StateConflict):
        do_extend(request, actor=woo_wim, days=1, reason="Nog eens")
    (view,) = list_requests(woo_wim, utrecht.pk)
    assert view.deadline.due == date(2026, 12, 15)


def test_a_suspension_stops_the_term_until_it_ends(utrecht, woo_wim):
    request = _register(utrecht, woo_wim)
    do_suspend(request, actor=woo_wim, started_on="2026-11-10", reason="Verzoek verduidelijken")
    with pytest.raises(StateConflict):
        do_suspend(request, actor=woo_wim, started_on="2026-11-11", reason="Nog eens")
    (view,) = list_requests(woo_wim, utrecht.pk, today=date(2026, 12, 20))
    assert view.deadline.due is None and not view.overdue
    with pytest.raises(ActionError):
        do_end_suspension(request, actor=woo_wim, ended_on="2026-11-01")
    do_end_suspension(request, actor=woo_wim, ended_on="2026-11-17")
    (view,) = list_requests(woo_wim, utrecht.pk, today=date(2026, 12, 20))
    assert view.deadline.due == date(2026, 12, 8)
    assert view.overdue


def test_the_status_flow(utrecht, woo_wim):
    request = _register(utrecht, woo_wim)
    with pytest.raises(StateConflict):
        do_set_status(request, actor=woo_wim, status=Status.PUBLISHED)
    with pytest.raises(ActionError):
        do_set_status(request, actor=woo_wim, status="lost")
    for status in (Status.COLLECTING, Status.ASSESSING, Status.DECIDED, Status.PUBLISHED):
        do_set_status(request, actor=woo_wim, status=status)
    assert request.closed_at is not None and request.decided_on is not None
    with pytest.raises(StateConflict):
        do_extend(request, actor=woo_wim, days=3, reason="Te laat")


def test_what_an_open_request_covers_cannot_be_destroyed_until_it_closes(
    utrecht, woo_wim, lead_lotte, records_rik
):
    covered, _ = _conversation_with_content(utrecht, lead_lotte, text="Klacht over de kermis")
    saved = do_save_search(woo_wim, utrecht, name="Kermis", query="kermis", filters={})
    request = _register(utrecht, woo_wim)
    do_add_saved_search(request, actor=woo_wim, saved_search_id=saved.pk)
    (view,) = list_requests(woo_wim, utrecht.pk)
    assert view.holds == 1
    with pytest.raises(ActionError, match="WOO-2026-014") as refused:
        do_propose_destruction(
            utrecht.pk, actor=records_rik, conversation_ids=[covered.pk], title="Lijst"
        )
    assert refused.value.code == "held"
    do_set_status(request, actor=woo_wim, status=Status.WITHDRAWN)
    assert not Hold.objects.filter(reference="WOO-2026-014", released_at__isnull=True).exists()
    assert do_propose_destruction(
        utrecht.pk, actor=records_rik, conversation_ids=[covered.pk], title="Lijst"
    )


def test_balie_woo_list(utrecht, woo_wim):
    _register(utrecht, woo_wim, reference="WOO-2026-002", received=date(2026, 10, 1))
    _register(utrecht, woo_wim, reference="WOO-2026-003", received=date(2026, 11, 3))
    out = io.StringIO()
    call_command("woo", "list", "--organisation", "utrecht", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("WOO-2026-002\treceived\t2026-10-29")
    assert lines[1].startswith("WOO-2026-003\treceived\t2026-12-01")
