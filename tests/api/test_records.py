"""Records management over the API: record classes, the due list, holds, destruction lists."""

from __future__ import annotations

import pytest

from balie.accounts.actions import do_create_api_key
from balie.archive.models import (
    ArchiveEvent,
    DestructionList,
    Hold,
    ListStatus,
    RecordClass,
)
from balie.conversations import actions
from balie.records.destruction import do_propose_destruction
from balie.records.holds import do_place_hold
from balie.records.retention import do_review_retention
from tests.factories import make_due


@pytest.fixture
def due(webchat, agent_anna):
    """A Utrecht conversation (default class KCC-VRAAG, P1Y) closed three years ago."""
    return make_due(webchat[0], actor=agent_anna)


@pytest.fixture
def records_key(utrecht, as_key):
    _, secret = do_create_api_key(utrecht, name="archief", scopes=["records:read"])
    return as_key(secret)


def _error(response, status: int, code: str):
    assert response.status_code == status, response.content
    assert response.json()["code"] == code, response.json()
    return response.json()["detail"]


# --- record classes ------------------------------------------------------------------------


def test_records_manager_lists_creates_and_changes_record_classes(as_user, records_rik):
    client = as_user(records_rik)
    listed = client.get("/api/v1/record-classes/").json()
    assert listed["count"] == 5
    assert {row["code"] for row in listed["results"]} >= {"KCC-VRAAG", "BESTUUR"}

    created = client.post(
        "/api/v1/record-classes/",
        {"code": "KCC-WOZ", "name": "WOZ-vragen", "retention": "p5y", "channels": ["email"]},
        format="json",
    )
    assert created.status_code == 201, created.content
    assert (created.json()["retention"], created.json()["organisation"]) == ("P5Y", "utrecht")

    changed = client.patch(
        f"/api/v1/record-classes/{created.json()['id']}/",
        {"retention": "P7Y", "waardering": "bewaren"},
        format="json",
    )
    assert changed.status_code == 200
    assert (changed.json()["retention"], changed.json()["waardering"]) == ("P7Y", "bewaren")
    assert ArchiveEvent.objects.filter(event_type="record_class.saved").count() == 2


@pytest.mark.parametrize(
    ("body", "code", "words"),
    [
        ({"code": "X", "name": "X", "retention": "1 jaar"}, "invalid_retention", "P1Y"),
        ({"code": "X", "name": "X", "retention": "PT5H"}, "invalid_retention", "geen uren"),
        ({"code": "X", "name": "X", "retention": "P0Y"}, "invalid_retention", "nul"),
        (
            {"code": "X", "name": "X", "retention": "P1Y", "colour": "red"},
            "invalid_field",
            "colour",
        ),
        ({"code": "X", "retention": "P1Y"}, "missing_field", "name"),
        ({"code": "KCC-VRAAG", "name": "X", "retention": "P1Y"}, "duplicate_code", "KCC-VRAAG"),
        (
            {"code": "X", "name": "X", "retention": "P1Y", "trigger": "soon"},
            "invalid_field",
            "closed",
        ),
        (["KCC"], "malformed_json", "JSON-object"),
    ],
)
def test_bad_record_classes_are_refused_with_a_precise_message(
    as_user, records_rik, body, code, words
):
    before = RecordClass.objects.count()
    detail = _error(
        as_user(records_rik).post("/api/v1/record-classes/", body, format="json"), 400, code
    )
    assert words in detail
    assert RecordClass.objects.count() == before


def test_who_may_read_and_write_record_classes(
    as_user, records_rik, woo_wim, auditor_aziz, agent_anna, utrecht
):
    vraag = RecordClass.objects.get(organisation=utrecht, code="KCC-VRAAG")
    for reader in (records_rik, woo_wim, auditor_aziz):
        assert as_user(reader).get("/api/v1/record-classes/").status_code == 200
    for reader in (woo_wim, auditor_aziz):
        response = as_user(reader).patch(
            f"/api/v1/record-classes/{vraag.pk}/", {"retention": "P9Y"}, format="json"
        )
        _error(response, 403, "permission_denied")
    _error(as_user(agent_anna).get("/api/v1/record-classes/"), 403, "permission_denied")
    _error(
        as_user(agent_anna).patch(
            f"/api/v1/record-classes/{vraag.pk}/", {"retention": "P9Y"}, format="json"
        ),
        403,
        "permission_denied",
    )
    vraag.refresh_from_db()
    assert vraag.retention == "P1Y"


def test_another_municipality_neither_sees_nor_changes_record_classes(
    as_user, records_gea, utrecht, groningen
):
    vraag = RecordClass.objects.get(organisation=utrecht, code="KCC-VRAAG")
    client = as_user(records_gea)
    listed = client.get("/api/v1/record-classes/").json()["results"]
    assert {row["organisation"] for row in listed} == {"groningen"}
    response = client.patch(
        f"/api/v1/record-classes/{vraag.pk}/", {"retention": "P9Y"}, format="json"
    )
    _error(response, 404, "not_found")
    _error(
        client.post(
            "/api/v1/record-classes/",
            {"organisation": "utrecht", "code": "X", "name": "X", "retention": "P1Y"},
            format="json",
        ),
        404,
        "not_found",
    )


def test_api_keys_read_with_records_read_and_never_write(
    records_key, read_only_key, groningen_key, utrecht
):
    vraag = RecordClass.objects.get(organisation=utrecht, code="KCC-VRAAG")
    assert records_key.get("/api/v1/record-classes/").json()["count"] == 5
    for path in ("/api/v1/record-classes/", "/api/v1/holds/", "/api/v1/retention/due/"):
        _error(read_only_key.get(path), 403, "missing_scope")
    detail = _error(
        records_key.patch(
            f"/api/v1/record-classes/{vraag.pk}/", {"retention": "P9Y"}, format="json"
        ),
        403,
        "permission_denied",
    )
    assert "persoon" in detail
    _error(
        records_key.post(
            "/api/v1/record-classes/", {"code": "X", "name": "X", "retention": "P1Y"}, format="json"
        ),
        403,
        "permission_denied",
    )
    # Groningen's key (every scope) sees only Groningen's classes.
    listed = groningen_key.get("/api/v1/record-classes/").json()["results"]
    assert {row["organisation"] for row in listed} == {"groningen"}
    _error(groningen_key.get("/api/v1/destruction-lists/999999/"), 404, "not_found")


# --- the due list and the daily review --------------------------------------------------


def test_due_list_shows_due_conversations_and_marks_held_ones(
    as_user, records_rik, woo_wim, due, utrecht
):
    other = make_due(actions.do_start_webchat(utrecht)[0], actor=records_rik)
    actions.do_start_webchat(utrecht)  # open: not due
    do_place_hold(
        utrecht.pk, actor=woo_wim, kind="woo", scope="conversation", target_id=other.pk,
        reference="WOO-2026-014", reason="Verzoek over afvalinzameling",
    )  # fmt: skip
    rows = as_user(records_rik).get("/api/v1/retention/due/").json()
    assert rows["count"] == 2
    by_id = {row["conversation"]: row for row in rows["results"]}
    assert by_id[due.pk]["held"] is False
    assert by_id[due.pk]["record_class"]["code"] == "KCC-VRAAG"
    assert by_id[due.pk]["contact"] == due.contact_id
    assert by_id[other.pk]["held"] is True
    assert by_id[other.pk]["held_because"] == "Lopend Woo-verzoek WOO-2026-014"
    # Paged like the other lists.
    page = as_user(records_rik).get("/api/v1/retention/due/?limit=1").json()
    assert len(page["results"]) == 1 and page["next"]


def test_list_query_counts_do_not_grow(as_user, records_rik, woo_wim, utrecht, agent_anna):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = as_user(records_rik)

    def queries(path):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200
        return len(captured)

    def add_one():
        conversation = make_due(actions.do_start_webchat(utrecht)[0], actor=agent_anna)
        do_propose_destruction(
            utrecht.pk, actor=records_rik, conversation_ids=[conversation.pk], title="Q"
        )
        do_place_hold(
            utrecht.pk, actor=woo_wim, kind="legal", scope="contact",
            target_id=conversation.contact_id, reference="Z", reason="r",
        )  # fmt: skip

    add_one()
    paths = ["/api/v1/retention/due/", "/api/v1/holds/", "/api/v1/destruction-lists/"]
    for path in paths:  # the audit log's first entry creates its chain head: not counted
        queries(path)
    before = [queries(path) for path in paths]
    for _ in range(4):
        add_one()
    assert [queries(path) for path in paths] == before


def test_daily_reviews_are_listed(as_user, auditor_aziz, due, utrecht, groningen):
    do_review_retention(utrecht.pk)
    do_review_retention(groningen.pk)
    reviews = as_user(auditor_aziz).get("/api/v1/retention/reviews/").json()["results"]
    assert [(r["organisation"], r["due"], r["held"]) for r in reviews] == [("utrecht", 1, 0)]
    assert reviews[0]["by_class"][0]["code"] == "KCC-VRAAG"


def test_agents_and_other_municipalities_do_not_see_what_is_due(
    as_user, agent_anna, records_gea, due
):
    _error(as_user(agent_anna).get("/api/v1/retention/due/"), 403, "permission_denied")
    assert as_user(records_gea).get("/api/v1/retention/due/").json()["count"] == 0


# --- holds ---------------------------------------------------------------------------------


def test_woo_officer_places_and_releases_a_hold(as_user, woo_wim, due, records_rik):
    client = as_user(woo_wim)
    placed = client.post(
        "/api/v1/holds/",
        {"kind": "woo", "scope": "contact", "target": due.contact_id,
         "reference": "WOO-7", "reason": "Woo-verzoek over deze inwoner"},
        format="json",
    )  # fmt: skip
    assert placed.status_code == 201, placed.content
    hold = placed.json()
    assert (hold["active"], hold["placed_by"]["name"]) == (True, str(woo_wim))
    due_rows = as_user(records_rik).get("/api/v1/retention/due/").json()["results"]
    assert due_rows[0]["held"] is True

    missing = client.post(f"/api/v1/holds/{hold['id']}/release/", {}, format="json")
    assert "reason" in _error(missing, 400, "invalid_field")
    released = client.post(
        f"/api/v1/holds/{hold['id']}/release/", {"reason": "Verzoek afgehandeld"}, format="json"
    )
    assert released.status_code == 200
    assert (released.json()["active"], released.json()["release_reason"]) == (
        False,
        "Verzoek afgehandeld",
    )
    again = client.post(f"/api/v1/holds/{hold['id']}/release/", {"reason": "x"}, format="json")
    _error(again, 400, "already_released")
    listed = client.get("/api/v1/holds/").json()["results"]
    assert [h["active"] for h in listed] == [False]


def test_a_hold_on_a_saved_search(as_user, records_rik, utrecht, due):
    from balie.search.actions import do_save_search

    saved = do_save_search(records_rik, utrecht, name="Kermis", query="kermis", filters={})
    placed = as_user(records_rik).post(
        "/api/v1/holds/",
        {"kind": "legal", "scope": "saved_search", "target": saved.pk,
         "reference": "ZAAK-9", "reason": "Aansprakelijkheid"},
        format="json",
    )  # fmt: skip
    assert placed.status_code == 201, placed.content
    assert placed.json()["saved_search"] == saved.pk


@pytest.mark.parametrize(
    ("changes", "code", "words"),
    [
        ({"kind": "politie"}, "invalid_field", "legal"),
        ({"scope": "everything"}, "invalid_field", "conversation, contact"),
        ({"target": "12"}, "invalid_field", "getal"),
        ({"target": 999999}, "invalid_target", "bestaat niet"),
        ({"reason": "  "}, "invalid_field", "reason is verplicht"),
        ({"colour": "red"}, "invalid_field", "colour"),
    ],
)
def test_bad_holds_are_refused(as_user, woo_wim, due, changes, code, words):
    body = {"kind": "legal", "scope": "conversation", "target": due.pk,
            "reference": "ZAAK-1", "reason": "Rechtszaak", **changes}  # fmt: skip
    detail = _error(as_user(woo_wim).post("/api/v1/holds/", body, format="json"), 400, code)
    assert words in detail
    assert not Hold.objects.exists()


def test_who_may_place_holds(as_user, auditor_aziz, agent_anna, agent_gerrit, records_gea, due):
    body = {"kind": "legal", "scope": "conversation", "target": due.pk,
            "reference": "ZAAK-1", "reason": "Rechtszaak"}  # fmt: skip
    _error(
        as_user(auditor_aziz).post("/api/v1/holds/", body, format="json"), 403, "permission_denied"
    )
    _error(
        as_user(agent_anna).post("/api/v1/holds/", body, format="json"), 403, "permission_denied"
    )
    # Groningen's records manager cannot reach Utrecht's conversation.
    _error(as_user(records_gea).post("/api/v1/holds/", body, format="json"), 400, "invalid_target")
    assert not Hold.objects.exists()


def test_another_municipality_cannot_release_a_hold(as_user, woo_wim, records_gea, due, utrecht):
    hold = do_place_hold(
        utrecht.pk, actor=woo_wim, kind="legal", scope="conversation", target_id=due.pk,
        reference="ZAAK-1", reason="Rechtszaak",
    )  # fmt: skip
    response = as_user(records_gea).post(
        f"/api/v1/holds/{hold.pk}/release/", {"reason": "weg ermee"}, format="json"
    )
    _error(response, 404, "not_found")
    assert as_user(records_gea).get("/api/v1/holds/").json()["count"] == 0
    hold.refresh_from_db()
    assert hold.active


# --- destruction lists ---------------------------------------------------------------------


def _propose(client, ids, title="Vernietiging 2026-Q1"):
    return client.post(
        "/api/v1/destruction-lists/",
        {"title": title, "note": "Eerste ronde", "conversations": ids},
        format="json",
    )


def test_four_eyes_destruction_over_the_api(as_user, records_rik, records_roos, due):
    proposed = _propose(as_user(records_rik), [due.pk])
    assert proposed.status_code == 201, proposed.content
    listed = proposed.json()
    assert (listed["status"], listed["items_count"], listed["record"]) == ("proposed", 1, None)
    assert listed["items"][0]["record_class_code"] == "KCC-VRAAG"

    own = as_user(records_rik).post(
        f"/api/v1/destruction-lists/{listed['id']}/approve/", {}, format="json"
    )
    assert "vier ogen" in _error(own, 400, "four_eyes")

    approved = as_user(records_roos).post(
        f"/api/v1/destruction-lists/{listed['id']}/approve/", {"note": "Akkoord"}, format="json"
    )
    assert approved.status_code == 200
    assert (approved.json()["status"], approved.json()["reviewed_by"]["name"]) == (
        "approved",
        str(records_roos),
    )
    overview = as_user(records_rik).get("/api/v1/destruction-lists/").json()["results"]
    assert [(row["id"], row["status"]) for row in overview] == [(listed["id"], "approved")]


def test_the_destruction_record_after_execution(as_user, records_rik, records_roos, due, utrecht):
    from balie.records.destruction import do_approve_destruction
    from balie.records.execution import do_execute_destruction

    destruction_list = do_propose_destruction(
        utrecht.pk, actor=records_rik, conversation_ids=[due.pk], title="Q1"
    )
    do_approve_destruction(destruction_list, actor=records_roos)
    do_execute_destruction(destruction_list.pk)
    detail = as_user(records_rik).get(f"/api/v1/destruction-lists/{destruction_list.pk}/").json()
    assert detail["status"] == "destroyed"
    assert detail["record"]["conversations_destroyed"] == 1
    assert detail["record"]["record_classes"][0]["code"] == "KCC-VRAAG"
    assert detail["items"][0]["status"] == "destroyed"
    conversation = as_user(records_rik).get(f"/api/v1/conversations/{due.pk}/").json()
    assert conversation["destroyed_at"] is not None


def test_rejecting_needs_a_note(as_user, records_rik, records_roos, due):
    listed = _propose(as_user(records_rik), [due.pk]).json()
    url = f"/api/v1/destruction-lists/{listed['id']}/reject/"
    assert "waarom" in _error(
        as_user(records_roos).post(url, {}, format="json"), 400, "invalid_field"
    )
    rejected = as_user(records_roos).post(url, {"note": "Zaak loopt nog"}, format="json")
    assert (rejected.json()["status"], rejected.json()["review_note"]) == (
        "rejected",
        "Zaak loopt nog",
    )
    _error(as_user(records_roos).post(url, {"note": "x"}, format="json"), 400, "not_proposed")


def test_bad_proposals_are_refused(as_user, records_rik, woo_wim, due, utrecht):
    client = as_user(records_rik)
    open_one = actions.do_start_webchat(utrecht)[0]
    assert str(open_one.pk) in _error(_propose(client, [open_one.pk]), 400, "not_due")
    assert "minstens" in _error(_propose(client, []), 400, "empty_list")
    _error(_propose(client, [due.pk], title=""), 400, "invalid_field")
    _error(_propose(client, "12"), 400, "invalid_field")
    do_place_hold(
        utrecht.pk, actor=woo_wim, kind="woo", scope="conversation", target_id=due.pk,
        reference="WOO-9", reason="Verzoek",
    )  # fmt: skip
    assert "WOO-9" in _error(_propose(client, [due.pk]), 400, "held")
    assert not DestructionList.objects.exists()


def test_who_may_propose_and_approve(
    as_user, records_rik, woo_wim, auditor_aziz, agent_anna, records_gea, due, utrecht
):
    for person in (woo_wim, auditor_aziz):
        _error(_propose(as_user(person), [due.pk]), 403, "permission_denied")
    _error(_propose(as_user(agent_anna), [due.pk]), 403, "permission_denied")
    # Groningen's records manager: Utrecht's conversation does not exist for them.
    _error(_propose(as_user(records_gea), [due.pk]), 400, "not_found")

    listed = do_propose_destruction(
        utrecht.pk, actor=records_rik, conversation_ids=[due.pk], title="Q1"
    )
    url = f"/api/v1/destruction-lists/{listed.pk}/approve/"
    for person in (woo_wim, auditor_aziz):
        assert as_user(person).get(f"/api/v1/destruction-lists/{listed.pk}/").status_code == 200
        _error(as_user(person).post(url, {}, format="json"), 403, "permission_denied")
    _error(
        as_user(agent_anna).get(f"/api/v1/destruction-lists/{listed.pk}/"), 403, "permission_denied"
    )
    _error(as_user(records_gea).post(url, {}, format="json"), 404, "not_found")
    _error(as_user(records_gea).get(f"/api/v1/destruction-lists/{listed.pk}/"), 404, "not_found")
    listed.refresh_from_db()
    assert listed.status == ListStatus.PROPOSED


def test_keys_read_destruction_lists_but_never_approve(records_key, records_rik, due, utrecht):
    listed = do_propose_destruction(
        utrecht.pk, actor=records_rik, conversation_ids=[due.pk], title="Q1"
    )
    assert records_key.get(f"/api/v1/destruction-lists/{listed.pk}/").status_code == 200
    _error(
        records_key.post(f"/api/v1/destruction-lists/{listed.pk}/approve/", {}, format="json"),
        403,
        "permission_denied",
    )
    _error(_propose(records_key, [due.pk]), 403, "permission_denied")


# --- a conversation's record class ---------------------------------------------------------


def test_conversation_shows_and_changes_its_record_class(
    as_user, agent_anna, records_rik, auditor_aziz, webchat, utrecht
):
    conversation, _ = webchat
    melding = RecordClass.objects.get(organisation=utrecht, code="KCC-MELDING")
    shown = as_user(agent_anna).get(f"/api/v1/conversations/{conversation.pk}/").json()
    assert shown["record_class"]["code"] == "KCC-VRAAG"
    assert (shown["closed_at"], shown["destroyed_at"]) == (None, None)

    url = f"/api/v1/conversations/{conversation.pk}/"
    changed = as_user(records_rik).patch(url, {"record_class": melding.pk}, format="json")
    assert changed.status_code == 200, changed.content
    assert changed.json()["record_class"] == {"id": melding.pk, "code": "KCC-MELDING",
                                              "name": melding.name}  # fmt: skip
    assert ArchiveEvent.objects.filter(event_type="conversation.record_class_changed").exists()

    both = as_user(agent_anna).patch(
        url, {"record_class": melding.pk, "subject": "Lantaarnpaal"}, format="json"
    )
    assert both.json()["subject"] == "Lantaarnpaal"
    # Records managers choose the class, not the subject; auditors neither.
    _error(
        as_user(records_rik).patch(url, {"subject": "x"}, format="json"), 403, "permission_denied"
    )
    _error(
        as_user(auditor_aziz).patch(url, {"record_class": melding.pk}, format="json"),
        403,
        "permission_denied",
    )


def test_record_class_changes_that_are_refused(
    as_user, agent_anna, agent_gerrit, utrecht_key, webchat, groningen
):
    conversation, _ = webchat
    url = f"/api/v1/conversations/{conversation.pk}/"
    groningen_class = RecordClass.objects.filter(organisation=groningen).first()
    response = as_user(agent_anna).patch(url, {"record_class": groningen_class.pk}, format="json")
    _error(response, 400, "invalid_record_class")
    response = as_user(agent_anna).patch(url, {"record_class": "KCC-VRAAG"}, format="json")
    assert _error(response, 400, "invalid") and response.json()["fields"]["record_class"]
    _error(
        as_user(agent_gerrit).patch(url, {"record_class": groningen_class.pk}, format="json"),
        404,
        "not_found",
    )
    vraag = conversation.record_class_id
    _error(utrecht_key.patch(url, {"record_class": vraag}, format="json"), 403, "permission_denied")
    assert not ArchiveEvent.objects.filter(event_type="conversation.record_class_changed").exists()
