"""Assigning and status changes over the API."""

from __future__ import annotations

from balie.conversations import actions
from balie.conversations.models import Conversation, Message
from tests.api.helpers import stored


def test_supervisor_assigns_to_an_agent(as_user, lead_lotte, agent_anna, webchat):
    conversation, _ = webchat

    response = as_user(lead_lotte).post(
        f"/api/v1/conversations/{conversation.pk}/assign/",
        {"assignee": agent_anna.pk},
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert body["assignee"] == agent_anna.pk
    assert body["assignee_name"] == "Anna"
    assert body["team_name"] == "Algemeen"  # no "team" sent: the team stays
    conversation.refresh_from_db()
    assert conversation.assignee == agent_anna
    system = Message.objects.filter(conversation=conversation).last()
    assert system.body == "Toegewezen aan Anna"


def test_api_key_moves_to_another_team_and_unassigns(utrecht_key, utrecht, agent_anna, webchat):
    conversation, _ = webchat
    actions.do_assign(conversation, actor=agent_anna, assignee=agent_anna)
    vergunningen = actions.do_create_team(utrecht, name="Vergunningen")

    response = utrecht_key.post(
        f"/api/v1/conversations/{conversation.pk}/assign/",
        {"assignee": None, "team": vergunningen.pk},
        format="json",
    )

    assert response.status_code == 200
    assert (response.json()["assignee"], response.json()["team"]) == (None, vergunningen.pk)
    conversation.refresh_from_db()
    assert (conversation.assignee, conversation.team) == (None, vergunningen)


def test_team_null_removes_the_team(utrecht_key, webchat):
    conversation, _ = webchat

    response = utrecht_key.post(
        f"/api/v1/conversations/{conversation.pk}/assign/",
        {"assignee": None, "team": None},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["team"] is None


def test_assign_to_someone_of_another_organisation_is_refused(
    utrecht_key, agent_gerrit, groningen_team, webchat
):
    conversation, _ = webchat
    before = stored()

    response = utrecht_key.post(
        f"/api/v1/conversations/{conversation.pk}/assign/",
        {"assignee": agent_gerrit.pk, "team": groningen_team.pk},
        format="json",
    )

    # Another municipality's person is not there for this key: 404, about the first field.
    assert response.status_code == 404
    assert response.json()["code"] == "invalid_assignee"
    assert set(response.json()["fields"]) == {"assignee"}
    assert stored() == before
    assert Conversation.objects.get(pk=conversation.pk).assignee is None


def test_change_status(as_user, agent_anna, utrecht_key, webchat):
    conversation, _ = webchat

    pending = as_user(agent_anna).post(
        f"/api/v1/conversations/{conversation.pk}/status/", {"status": "pending"}, format="json"
    )
    resolved = utrecht_key.post(
        f"/api/v1/conversations/{conversation.pk}/status/", {"status": "resolved"}, format="json"
    )

    assert pending.status_code == 200
    assert pending.json()["status"] == "pending"
    assert resolved.status_code == 200
    assert resolved.json()["status"] == "resolved"
    conversation.refresh_from_db()
    assert conversation.status == "resolved"


def test_unknown_status_and_impossible_transition(as_user, agent_anna, webchat):
    conversation, _ = webchat
    client = as_user(agent_anna)
    address = f"/api/v1/conversations/{conversation.pk}/status/"
    actions.do_change_status(conversation, actor=agent_anna, status="closed")
    before = stored()

    unknown = client.post(address, {"status": "gearchiveerd"}, format="json")
    reopen = client.post(address, {"status": "open"}, format="json")

    assert unknown.status_code == 400
    assert unknown.json()["code"] == "invalid"
    assert unknown.json()["fields"]["status"][0]["code"] == "invalid_status"
    assert reopen.status_code == 409  # well formed, but not from the current status
    assert reopen.json()["code"] == "invalid_transition"
    assert "Gesloten" in reopen.json()["detail"]
    assert stored() == before


def test_agent_moves_a_conversation_out_of_her_own_queue(as_user, agent_anna, utrecht, webchat):
    conversation, _ = webchat
    vergunningen = actions.do_create_team(utrecht, name="Vergunningen")
    client = as_user(agent_anna)

    response = client.post(
        f"/api/v1/conversations/{conversation.pk}/assign/",
        {"assignee": None, "team": vergunningen.pk},
        format="json",
    )

    assert response.status_code == 200
    assert (response.json()["team_name"], response.json()["assignee"]) == ("Vergunningen", None)
    assert client.get(f"/api/v1/conversations/{conversation.pk}/").status_code == 404
