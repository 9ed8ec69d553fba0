"""Canned answers: who writes them, what is refused, how they are filled in and found, and
that one organisation never sees another's (actions, console page, the composer's search)."""

from __future__ import annotations

import pytest

from balie.archive.models import ArchiveEvent
from balie.conversations import actions, selectors
from balie.conversations.models import CannedAnswer, Contact
from balie.errors import Conflict, Invalid, NotAllowed


def _create(organisation, actor, **fields):
    values = {
        "shortcut": "openingstijden",
        "title": "Openingstijden",
        "body_nl": "Beste {resident_name}",
    }
    return actions.do_create_canned_answer(organisation, actor=actor, **{**values, **fields})


def test_a_team_lead_writes_and_the_archive_records_it(utrecht, lead_lotte):
    answer = _create(utrecht, lead_lotte, body_en="Dear {resident_name}")
    assert (answer.shortcut, answer.created_by) == ("openingstijden", lead_lotte)
    event = ArchiveEvent.objects.get(event_type="canned_answer.created")
    assert event.payload["shortcut"] == "openingstijden"
    actions.do_update_canned_answer(answer, actor=lead_lotte, title="Open")
    actions.do_delete_canned_answer(answer, actor=lead_lotte)
    kinds = list(
        ArchiveEvent.objects.filter(event_type__startswith="canned_answer").values_list(
            "event_type", flat=True
        )
    )
    assert kinds == ["canned_answer.created", "canned_answer.changed", "canned_answer.deleted"]
    assert not CannedAnswer.objects.exists()


def test_an_agent_uses_but_does_not_write(utrecht, agent_anna, lead_lotte):
    with pytest.raises(NotAllowed):
        _create(utrecht, agent_anna)
    answer = _create(utrecht, lead_lotte)
    with pytest.raises(NotAllowed):
        actions.do_update_canned_answer(answer, actor=agent_anna, title="Anders")
    with pytest.raises(NotAllowed):
        actions.do_delete_canned_answer(answer, actor=agent_anna)


def test_another_organisations_lead_cannot_write_here(utrecht, groningen):
    from balie.accounts.actions import do_create_staff_user, do_set_membership
    from balie.accounts.models import Role
    from tests.conftest import PASSWORD

    greet = do_create_staff_user(username="lead_greet", password=PASSWORD, first_name="Greet")
    do_set_membership(greet, groningen, Role.SUPERVISOR)
    with pytest.raises(NotAllowed):
        _create(utrecht, greet)


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({"shortcut": "Openingstijden"}, "invalid_shortcut", "shortcut"),
        ({"shortcut": "open tijden"}, "invalid_shortcut", "shortcut"),
        ({"shortcut": "-open"}, "invalid_shortcut", "shortcut"),
        ({"shortcut": "x" * 41}, "invalid_shortcut", "shortcut"),
        ({"shortcut": 7}, "invalid_shortcut", "shortcut"),
        ({"title": ""}, "invalid_field", None),
        ({"title": "x" * 101}, "invalid_field", None),
        ({"body_nl": "", "body_en": ""}, "required", "body_nl"),
        ({"body_nl": "Hallo {naam}"}, "unknown_placeholder", "body_nl"),
        ({"body_en": "Hi {0.__class__}"}, "unknown_placeholder", "body_en"),
        ({"body_nl": "a\x00b"}, "invalid_text", None),
        ({"body_nl": "x" * 4001}, "invalid_field", None),
    ],
)
def test_bad_input_gets_a_precise_error(utrecht, lead_lotte, fields, code, field):
    with pytest.raises(Invalid) as refused:
        _create(utrecht, lead_lotte, **fields)
    assert refused.value.code == code
    if field:
        assert refused.value.field == field
    assert not CannedAnswer.objects.exists()


def test_unknown_placeholder_names_the_allowed_ones(utrecht, lead_lotte):
    with pytest.raises(Invalid) as refused:
        _create(utrecht, lead_lotte, body_nl="Hallo {naam}")
    assert "{naam}" in refused.value.message and "{resident_name}" in refused.value.message


def test_a_shortcut_once_per_organisation_and_per_team(utrecht, lead_lotte, utrecht_team):
    _create(utrecht, lead_lotte)
    with pytest.raises(Conflict) as taken:
        _create(utrecht, lead_lotte)
    assert taken.value.code == "shortcut_taken"
    _create(utrecht, lead_lotte, team=utrecht_team)  # a team's own version may exist
    with pytest.raises(Conflict):
        _create(utrecht, lead_lotte, team=utrecht_team)


def test_a_team_of_another_organisation_is_refused(utrecht, lead_lotte, groningen_team):
    with pytest.raises(Invalid) as refused:
        _create(utrecht, lead_lotte, team=groningen_team)
    assert refused.value.code == "invalid_team"


def test_filled_in_for_the_conversation_and_agent(utrecht, lead_lotte, agent_anna, webchat):
    conversation, _ = webchat
    answer = _create(
        utrecht,
        lead_lotte,
        body_nl=(
            "Beste {resident_name}, ik ben {agent_first_name} ({agent_name}) van {organisation}, "
            "team {team}, gesprek {conversation_number}. {onbekend"
        ),
    )
    text = actions.fill_canned_answer(answer, conversation=conversation, agent=agent_anna)
    assert text == (
        f"Beste inwoner, ik ben Anna (Anna) van Gemeente Utrecht, team Algemeen, "
        f"gesprek {conversation.pk}. {{onbekend"
    )
    Contact.objects.filter(pk=conversation.contact_id).update(name="Fatima el Amrani")
    conversation.refresh_from_db()
    text = actions.fill_canned_answer(answer, conversation=conversation, agent=agent_anna)
    assert text.startswith("Beste Fatima el Amrani,")


def test_the_conversations_language_and_the_other_when_empty(utrecht, lead_lotte, agent_anna):
    conversation, _ = actions.do_start_webchat(utrecht, language="en")
    both = _create(
        utrecht, lead_lotte, body_nl="Beste {resident_name}", body_en="Dear {resident_name}"
    )
    dutch_only = _create(utrecht, lead_lotte, shortcut="alleen-nl", body_nl="Alleen Nederlands")
    assert actions.fill_canned_answer(both, conversation=conversation, agent=agent_anna) == (
        "Dear resident"
    )
    assert actions.fill_canned_answer(dutch_only, conversation=conversation, agent=agent_anna) == (
        "Alleen Nederlands"
    )


def test_search_by_shortcut_or_title_and_the_team_version_first(
    utrecht, lead_lotte, utrecht_team, webchat
):
    conversation, _ = webchat
    _create(utrecht, lead_lotte, body_nl="Algemeen")
    _create(utrecht, lead_lotte, team=utrecht_team, body_nl="Voor het team")
    _create(utrecht, lead_lotte, shortcut="paspoort", title="Paspoort kwijt", body_nl="Pas")
    found = selectors.canned_answers_for(conversation, "open")
    assert [(a.shortcut, a.body_nl) for a in found] == [("openingstijden", "Voor het team")]
    assert [a.shortcut for a in selectors.canned_answers_for(conversation, "KWIJT")] == ["paspoort"]
    assert [a.shortcut for a in selectors.canned_answers_for(conversation, "")] == [
        "openingstijden",
        "paspoort",
    ]
    assert selectors.canned_answers_for(conversation, None) == selectors.canned_answers_for(
        conversation, ""
    )


def test_another_teams_answers_are_not_offered(utrecht, lead_lotte, agent_anna, webchat):
    conversation, _ = webchat
    other = actions.do_create_team(utrecht, name="Afval", members=[agent_anna])
    _create(utrecht, lead_lotte, shortcut="grofvuil", team=other)
    assert selectors.canned_answers_for(conversation, "grof") == []


# --- the console ----------------------------------------------------------------------------
@pytest.fixture
def answer(utrecht, lead_lotte):
    return _create(utrecht, lead_lotte, body_nl="Beste {resident_name}, groet {agent_first_name}")


def test_console_search_answers_filled_in(client, agent_anna, webchat, answer):
    conversation, _ = webchat
    client.force_login(agent_anna)
    response = client.get(f"/console/conversations/{conversation.pk}/canned/?q=open")
    assert response.status_code == 200
    (found,) = response.json()["answers"]
    assert found["shortcut"] == "openingstijden"
    assert found["text"] == "Beste inwoner, groet Anna"


def test_console_search_is_scoped_to_the_users_organisations(
    client, agent_gerrit, webchat, answer, groningen_webchat
):
    conversation, _ = webchat
    client.force_login(agent_gerrit)
    response = client.get(f"/console/conversations/{conversation.pk}/canned/?q=")
    assert response.status_code == 404
    own, _ = groningen_webchat
    assert client.get(f"/console/conversations/{own.pk}/canned/?q=").json()["answers"] == []


def test_console_search_needs_a_writing_role(client, auditor_aziz, webchat, answer):
    conversation, _ = webchat
    client.force_login(auditor_aziz)
    assert client.get(f"/console/conversations/{conversation.pk}/canned/").status_code == 403


def test_console_page_for_agents_to_read_and_leads_to_write(
    client, agent_anna, lead_lotte, auditor_aziz, agent_gerrit, answer, utrecht_team
):
    client.force_login(agent_anna)
    page = client.get("/console/utrecht/canned/")
    assert page.status_code == 200 and b"/openingstijden" in page.content
    assert b'name="body_nl"' not in page.content  # no forms for an agent
    refused = client.post(
        "/console/utrecht/canned/add/", {"shortcut": "x", "title": "X", "body_nl": "X"}
    )
    assert refused.status_code == 403
    client.force_login(lead_lotte)
    created = client.post(
        "/console/utrecht/canned/add/",
        {
            "shortcut": "afval",
            "title": "Afval",
            "body_nl": "Zie de afvalkalender",
            "team": str(utrecht_team.pk),
        },
    )
    assert created.status_code == 302
    assert CannedAnswer.objects.get(shortcut="afval").team == utrecht_team
    bad = client.post(
        "/console/utrecht/canned/add/", {"shortcut": "Fout!", "title": "X", "body_nl": "X"}
    )
    assert bad.status_code == 400 and b'role="alert"' in bad.content
    changed = client.post(
        f"/console/utrecht/canned/{answer.pk}/",
        {
            "action": "save",
            "shortcut": "open",
            "title": "Open",
            "body_nl": "Wij zijn open",
            "team": "",
        },
    )
    assert changed.status_code == 302
    answer.refresh_from_db()
    assert (answer.shortcut, answer.body_nl) == ("open", "Wij zijn open")
    assert (
        client.post(f"/console/utrecht/canned/{answer.pk}/", {"action": "delete"}).status_code
        == 302
    )
    assert not CannedAnswer.objects.filter(pk=answer.pk).exists()
    client.force_login(auditor_aziz)  # reads the archive, handles no conversations
    assert client.get("/console/utrecht/canned/").status_code == 404
    client.force_login(agent_gerrit)  # another organisation
    assert client.get("/console/utrecht/canned/").status_code == 404


def test_console_cannot_change_another_organisations_answer(client, groningen, answer):
    from balie.accounts.actions import do_create_staff_user, do_set_membership
    from balie.accounts.models import Role
    from tests.conftest import PASSWORD

    greet = do_create_staff_user(username="lead_greet", password=PASSWORD, first_name="Greet")
    do_set_membership(greet, groningen, Role.SUPERVISOR)
    client.force_login(greet)
    response = client.post(f"/console/groningen/canned/{answer.pk}/", {"action": "delete"})
    assert response.status_code == 404
    assert CannedAnswer.objects.filter(pk=answer.pk).exists()
