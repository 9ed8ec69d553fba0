"""Who sees which conversation: tenants, teams and roles, decided in the selectors."""

from __future__ import annotations

import pytest

from balie.conversations import actions, selectors
from tests.factories import send


def visible_ids(actor, organisation_id=None):
    return set(
        selectors.conversations_visible_to(actor, organisation_id).values_list("pk", flat=True)
    )


@pytest.fixture
def team_chat(webchat):
    return webchat[0]


@pytest.fixture
def other_team_chat(utrecht, lead_lotte):
    team = actions.do_create_team(utrecht, name="Afval")
    conversation, _token = actions.do_start_webchat(utrecht)
    return actions.do_assign(conversation, actor=lead_lotte, team=team, change_team=True)


def test_agent_sees_own_teams_and_unrouted_conversations(
    team_chat, other_team_chat, agent_anna, lead_lotte, utrecht
):
    unrouted, _token = actions.do_start_webchat(utrecht)
    unrouted = actions.do_assign(unrouted, actor=lead_lotte, team=None, change_team=True)
    assert visible_ids(agent_anna) == {team_chat.pk, unrouted.pk}
    assert other_team_chat.pk not in visible_ids(agent_anna)


def test_agent_sees_what_is_assigned_to_them_in_another_team(
    other_team_chat, agent_anna, lead_lotte
):
    actions.do_assign(other_team_chat, actor=lead_lotte, assignee=agent_anna)
    assert other_team_chat.pk in visible_ids(agent_anna)


@pytest.mark.parametrize("person", ["lead_lotte", "woo_wim", "auditor_aziz"])
def test_organisation_wide_roles_see_every_team(team_chat, other_team_chat, person, request):
    actor = request.getfixturevalue(person)
    assert {team_chat.pk, other_team_chat.pk} <= visible_ids(actor)


def test_nobody_sees_another_municipality(team_chat, groningen_webchat, agent_gerrit, lead_lotte):
    assert team_chat.pk not in visible_ids(agent_gerrit)
    assert groningen_webchat[0].pk not in visible_ids(lead_lotte)
    with pytest.raises(selectors.ConversationNotFound):
        selectors.access_conversation(agent_gerrit, team_chat.pk)


def test_api_key_sees_only_its_organisation(team_chat, groningen_webchat, utrecht_api_key):
    key, _secret = utrecht_api_key
    assert visible_ids(key) == {team_chat.pk}
    assert visible_ids(key, groningen_webchat[0].organisation_id) == set()


def test_read_only_roles_cannot_write(team_chat, woo_wim, auditor_aziz, agent_anna):
    for person in (woo_wim, auditor_aziz):
        assert selectors.access_conversation(person, team_chat.pk).pk == team_chat.pk
        with pytest.raises(selectors.NotAllowed):
            selectors.access_conversation(person, team_chat.pk, write=True)
    assert selectors.access_conversation(agent_anna, team_chat.pk, write=True)


@pytest.mark.parametrize("bad_id", [None, "abc", "1; DROP TABLE", 10**12, -1])
def test_odd_ids_are_simply_not_found(agent_anna, bad_id):
    with pytest.raises(selectors.ConversationNotFound):
        selectors.access_conversation(agent_anna, bad_id)


def test_unread_counts_follow_the_agents_read_marker(
    team_chat, agent_anna, django_assert_num_queries
):
    for text in ["een", "twee", "drie"]:
        send(team_chat, text)
    actions.do_mark_read(team_chat, side="agent", seq=1)
    with django_assert_num_queries(2):  # memberships, then the annotated list
        rows = list(selectors.with_unread_counts(selectors.conversations_visible_to(agent_anna)))
    assert [(r.pk, r.unread) for r in rows] == [(team_chat.pk, 2)]
