"""Records management in the console: the overview, holds, proposing and reviewing
destruction lists, the printable destruction record, and a conversation's record class."""

from __future__ import annotations

import json

import pytest

from balie.archive.models import DestructionList, Hold, ListStatus, RecordClass
from balie.conversations import actions
from balie.conversations.events import conversation_payload
from balie.records.destruction import (
    do_approve_destruction,
    do_propose_destruction,
)
from balie.records.execution import do_execute_destruction
from balie.records.holds import do_place_hold
from balie.records.retention import do_review_retention
from tests.factories import make_due

RECORDS = "/console/utrecht/records/"


@pytest.fixture
def due(webchat, agent_anna):
    return make_due(webchat[0], actor=agent_anna)


def _as(client, user):
    client.force_login(user)
    return client


def test_records_manager_sees_the_overview(client, records_rik, due, utrecht):
    do_review_retention(utrecht.pk)
    page = _as(client, records_rik).get(RECORDS)
    assert page.status_code == 200
    text = page.text
    assert "Categorieën en bewaartermijnen" in text and "KCC-VRAAG" in text
    assert "Laatste dagelijkse controle" in text and "1 te vernietigen" in text
    assert f'name="conversation" value="{due.pk}"' in text  # can select it
    assert "Vernietigingslijst voorstellen" in text
    assert 'name="retention"' in text  # may create and edit classes
    assert RECORDS in client.get("/console/utrecht/").text  # the link in the inbox


def test_a_long_due_list_comes_in_pages(client, records_rik, utrecht, agent_anna, monkeypatch):
    from balie.web.console import records as records_page

    monkeypatch.setattr(records_page, "MAX_DUE_SHOWN", 2)
    due = [make_due(actions.do_start_webchat(utrecht)[0], actor=agent_anna) for _ in range(5)]
    shown = [
        {c.pk for c in due if f'name="conversation" value="{c.pk}"' in page.text}
        for page in [_as(client, records_rik).get(RECORDS, {"due_page": n}) for n in (1, 2, 3)]
    ]
    assert [len(found) for found in shown] == [2, 2, 1]
    assert set().union(*shown) == {c.pk for c in due}  # every one on exactly one page
    first = client.get(RECORDS).text
    assert "Gesprekken 1 tot en met 2 van 5." in first and "?due_page=2#due" in first
    last = client.get(RECORDS, {"due_page": "99"}).text  # a stale link: the last page
    assert "Gesprekken 5 tot en met 5 van 5." in last and "?due_page=2#due" in last
    assert "Gesprekken 1 tot en met 2" in client.get(RECORDS, {"due_page": "x"}).text


def test_auditor_reads_but_gets_no_forms(client, auditor_aziz, due):
    page = _as(client, auditor_aziz).get(RECORDS)
    assert page.status_code == 200 and f"#{due.pk}" in page.text
    assert 'name="conversation"' not in page.text
    assert 'name="retention"' not in page.text
    assert "Hold plaatsen" not in page.text
    assert RECORDS in client.get("/console/utrecht/").text
    response = client.post(
        f"{RECORDS}holds/",
        {"kind": "legal", "scope": "conversation", "target": due.pk, "reference": "Z",
         "reason": "r"},
    )  # fmt: skip
    assert response.status_code == 403
    assert not Hold.objects.exists()


def test_woo_officer_places_and_releases_holds_but_proposes_nothing(client, woo_wim, due):
    page = _as(client, woo_wim).get(RECORDS)
    assert "Hold plaatsen" in page.text and 'name="conversation"' not in page.text
    response = client.post(
        f"{RECORDS}holds/",
        {"kind": "woo", "scope": "conversation", "target": str(due.pk),
         "reference": "WOO-2026-014", "reason": "Verzoek over afval"},
    )  # fmt: skip
    assert response.status_code == 302
    hold = Hold.objects.get()
    page = client.get(RECORDS)
    assert "Lopend Woo-verzoek WOO-2026-014" in page.text  # the due row says why it is held
    assert f'id="due-{due.pk}"' not in page.text  # no checkbox for Woo officers

    missing = client.post(f"{RECORDS}holds/{hold.pk}/release/", {"reason": " "})
    assert missing.status_code == 400
    assert "reason is verplicht" in missing.text and f'id="release-{hold.pk}-error"' in missing.text
    released = client.post(f"{RECORDS}holds/{hold.pk}/release/", {"reason": "Afgehandeld"})
    assert released.status_code == 302
    hold.refresh_from_db()
    assert not hold.active and hold.release_reason == "Afgehandeld"

    proposal = client.post(f"{RECORDS}destruction/", {"title": "X", "conversation": [due.pk]})
    assert proposal.status_code == 403
    assert not DestructionList.objects.exists()


def test_bad_hold_shows_the_message_next_to_the_form(client, records_rik, due):
    response = _as(client, records_rik).post(
        f"{RECORDS}holds/",
        {"kind": "legal", "scope": "conversation", "target": "999999", "reference": "Z-1",
         "reason": "Rechtszaak"},
    )  # fmt: skip
    assert response.status_code == 400
    assert 'id="hold-error" role="alert"' in response.text
    assert "bestaat niet" in response.text
    assert 'value="Z-1"' in response.text  # what was typed stays


def test_record_class_forms_show_validation_errors(client, records_rik, utrecht):
    client = _as(client, records_rik)
    bad = client.post(
        f"{RECORDS}record-classes/",
        {"code": "KCC-WOZ", "name": "WOZ", "retention": "5 jaar", "trigger": "closed",
         "waardering": "vernietigen"},
    )  # fmt: skip
    assert bad.status_code == 400
    assert 'id="rc-new-error" role="alert"' in bad.text and "ISO 8601" in bad.text
    assert 'value="5 jaar"' in bad.text
    good = client.post(
        f"{RECORDS}record-classes/",
        {"code": "KCC-WOZ", "name": "WOZ", "retention": "P5Y", "trigger": "closed",
         "waardering": "vernietigen", "channels": ["email"]},
    )  # fmt: skip
    assert good.status_code == 302
    woz = RecordClass.objects.get(organisation=utrecht, code="KCC-WOZ")
    assert woz.channels == ["email"]
    edit = client.post(
        f"{RECORDS}record-classes/",
        {"record_class": woz.pk, "code": "KCC-WOZ", "name": "WOZ", "retention": "P7Y",
         "trigger": "closed", "waardering": "bewaren"},
    )  # fmt: skip
    assert edit.status_code == 302
    woz.refresh_from_db()
    assert (woz.retention, woz.waardering, woz.channels) == ("P7Y", "bewaren", [])


def test_proposing_and_the_four_eyes_review(client, records_rik, records_roos, due):
    response = _as(client, records_rik).post(
        f"{RECORDS}destruction/",
        {"title": "Vernietiging Q1", "note": "Eerste ronde", "conversation": [due.pk]},
    )
    destruction_list = DestructionList.objects.get()
    assert response["Location"] == f"{RECORDS}destruction/{destruction_list.pk}/"

    own = client.get(response["Location"])
    assert "zelf voorgesteld" in own.text and 'value="approve"' not in own.text
    refused = client.post(f"{response['Location']}review/", {"decision": "approve"})
    assert refused.status_code == 400 and "vier ogen" in refused.text

    second = _as(client, records_roos).get(response["Location"])
    assert 'value="approve"' in second.text and 'value="reject"' in second.text
    approved = client.post(f"{response['Location']}review/", {"decision": "approve", "note": "Ok"})
    assert approved.status_code == 302
    destruction_list.refresh_from_db()
    assert (destruction_list.status, destruction_list.reviewed_by) == (
        ListStatus.APPROVED,
        records_roos,
    )
    assert "wordt nu uitgevoerd" in client.get(response["Location"]).text
    overview = client.get(RECORDS).text
    assert "Vernietiging Q1" in overview and "Roos" in overview


def test_rejecting_needs_a_note(client, records_rik, records_roos, due, utrecht):
    listed = do_propose_destruction(
        utrecht.pk, actor=records_rik, conversation_ids=[due.pk], title="Q"
    )
    url = f"{RECORDS}destruction/{listed.pk}/review/"
    refused = _as(client, records_roos).post(url, {"decision": "reject", "note": ""})
    assert refused.status_code == 400 and "waarom" in refused.text
    assert client.post(url, {"decision": "reject", "note": "Zaak loopt"}).status_code == 302
    listed.refresh_from_db()
    assert listed.status == ListStatus.REJECTED


def test_bad_proposals_are_shown_with_their_reason(client, records_rik, due, utrecht):
    client = _as(client, records_rik)
    open_one = actions.do_start_webchat(utrecht)[0]
    not_due = client.post(f"{RECORDS}destruction/", {"title": "Q", "conversation": [open_one.pk]})
    assert not_due.status_code == 400
    assert 'id="propose-error"' in not_due.text and "niet te vernietigen" in not_due.text
    nothing = client.post(f"{RECORDS}destruction/", {"title": "Q"})
    assert nothing.status_code == 400 and "minstens" in nothing.text
    assert not DestructionList.objects.exists()


def test_the_printable_destruction_record(client, records_rik, records_roos, due, utrecht):
    listed = do_propose_destruction(
        utrecht.pk, actor=records_rik, conversation_ids=[due.pk], title="Q1"
    )
    do_approve_destruction(listed, actor=records_roos)
    do_execute_destruction(listed.pk)
    page = _as(client, records_rik).get(f"{RECORDS}destruction/{listed.pk}/")
    assert page.status_code == 200
    text = page.text
    assert "Verklaring van vernietiging" in text
    assert "Rik" in text and "Roos" in text and "KCC-VRAAG" in text
    assert "data-print" in text and "records.js" in text and "<script>" not in text


def test_destroyed_conversation_shows_when_and_by_which_list(
    records_rik, records_roos, due, utrecht
):
    listed = do_propose_destruction(
        utrecht.pk, actor=records_rik, conversation_ids=[due.pk], title="Q1"
    )
    do_approve_destruction(listed, actor=records_roos)
    do_execute_destruction(listed.pk)
    due.refresh_from_db()
    payload = conversation_payload(due, with_labels=True)
    assert payload["destroyed_at"] and payload["destruction_list"] == listed.pk
    assert payload["record_class"]["code"] == "KCC-VRAAG"


def test_blocked_items_say_why(client, records_rik, records_roos, woo_wim, due, utrecht):
    listed = do_propose_destruction(
        utrecht.pk, actor=records_rik, conversation_ids=[due.pk], title="Q1"
    )
    do_place_hold(
        utrecht.pk, actor=woo_wim, kind="woo", scope="conversation", target_id=due.pk,
        reference="WOO-5", reason="Verzoek",
    )  # fmt: skip
    do_approve_destruction(listed, actor=records_roos)
    do_execute_destruction(listed.pk)
    text = _as(client, records_rik).get(f"{RECORDS}destruction/{listed.pk}/").text
    assert "Niet vernietigd" in text and "WOO-5" in text


def test_agents_and_other_municipalities_get_404(
    client, agent_anna, lead_lotte, records_gea, records_rik, due, utrecht
):
    listed = do_propose_destruction(
        utrecht.pk, actor=records_rik, conversation_ids=[due.pk], title="Q1"
    )
    for user in (agent_anna, lead_lotte, records_gea):
        _as(client, user)
        assert client.get(RECORDS).status_code == 404
        assert client.get(f"{RECORDS}destruction/{listed.pk}/").status_code == 404
        assert (
            client.post(
                f"{RECORDS}destruction/{listed.pk}/review/", {"decision": "approve"}
            ).status_code
            == 404
        )
    hold = do_place_hold(
        utrecht.pk, actor=records_rik, kind="legal", scope="contact", target_id=due.contact_id,
        reference="Z-1", reason="Rechtszaak",
    )  # fmt: skip
    for user in (agent_anna, records_gea):
        response = _as(client, user).post(f"{RECORDS}holds/{hold.pk}/release/", {"reason": "x"})
        assert response.status_code == 404
    groningen_release = f"/console/groningen/records/holds/{hold.pk}/release/"
    assert client.post(groningen_release, {"reason": "x"}).status_code == 404
    hold.refresh_from_db()
    assert hold.active
    assert RECORDS not in _as(client, agent_anna).get("/console/utrecht/").text
    # Groningen's own page does not show Utrecht's list either.
    page = _as(client, records_gea).get("/console/groningen/records/")
    assert page.status_code == 200 and "Q1" not in page.text
    assert client.get(f"/console/groningen/records/destruction/{listed.pk}/").status_code == 404
    listed.refresh_from_db()
    assert listed.status == ListStatus.PROPOSED


# --- a conversation's record class in the console ------------------------------------------


def _choose(client, conversation, record_class_id):
    return client.post(
        f"/console/conversations/{conversation.pk}/record-class/",
        json.dumps({"record_class": record_class_id}),
        content_type="application/json",
    )


def test_conversation_record_class_in_the_console(
    client, agent_anna, records_rik, auditor_aziz, agent_gerrit, webchat, utrecht
):
    conversation, _ = webchat
    melding = RecordClass.objects.get(organisation=utrecht, code="KCC-MELDING")
    inbox = _as(client, agent_anna).get("/console/utrecht/")
    config = inbox.context["config"]
    assert config["canChooseRecordClass"] is True
    assert "KCC-MELDING" in {rc["code"] for rc in config["recordClasses"]}

    answer = _choose(client, conversation, melding.pk)
    assert answer.status_code == 200
    assert answer.json()["conversation"]["record_class"]["code"] == "KCC-MELDING"
    assert _choose(_as(client, records_rik), conversation, melding.pk).status_code == 200
    refused = _choose(_as(client, auditor_aziz), conversation, melding.pk)
    assert refused.status_code == 403
    bad = _choose(_as(client, agent_anna), conversation, "KCC")
    assert bad.json()["code"] == "invalid_record_class"
    assert _choose(_as(client, agent_gerrit), conversation, melding.pk).status_code == 404
