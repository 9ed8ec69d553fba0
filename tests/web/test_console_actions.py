"""Assign, move and change status from the console: happy paths, bad input, roles."""

from __future__ import annotations

import json

import pytest

from balie.conversations.models import Conversation, Direction, Message


def _post(client, path, body):
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(path, data, content_type="application/json")


@pytest.fixture
def anna(client, agent_anna):
    client.force_login(agent_anna)
    return client


def _assign(conversation):
    return f"/console/conversations/{conversation.pk}/assign/"


def _status(conversation):
    return f"/console/conversations/{conversation.pk}/status/"


def test_assign_to_self(anna, agent_anna, webchat):
    conversation, _ = webchat
    response = _post(anna, _assign(conversation), {"assignee": "me"})
    assert response.status_code == 200
    assert response.json()["conversation"]["assignee"] == agent_anna.pk
    conversation.refresh_from_db()
    assert conversation.assignee == agent_anna
    system = Message.objects.filter(conversation=conversation, direction=Direction.SYSTEM).last()
    assert system.body.startswith("Toegewezen aan Anna")


def test_assign_to_colleague_then_unassign(anna, lead_lotte, webchat):
    conversation, _ = webchat
    assert _post(anna, _assign(conversation), {"assignee": lead_lotte.pk}).status_code == 200
    conversation.refresh_from_db()
    assert conversation.assignee == lead_lotte
    response = _post(anna, _assign(conversation), {"assignee": None})
    assert response.json()["conversation"]["assignee"] is None


def test_move_to_another_team_keeps_the_assignee(anna, agent_anna, utrecht, webchat):
    from balie.conversations import actions

    conversation, _ = webchat
    other = actions.do_create_team(utrecht, name="Afval", members=[agent_anna])
    _post(anna, _assign(conversation), {"assignee": "me"})
    response = _post(anna, _assign(conversation), {"team": other.pk})
    assert response.status_code == 200
    conversation.refresh_from_db()
    assert (conversation.team, conversation.assignee) == (other, agent_anna)


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({}, "invalid_field"),
        ({"assignee": "someone"}, "invalid_assignee"),
        ({"assignee": True}, "invalid_assignee"),
        ({"team": "Afval"}, "invalid_team"),
    ],
)
def test_assign_bad_input(anna, webchat, body, code):
    conversation, _ = webchat
    response = _post(anna, _assign(conversation), body)
    assert response.status_code == 400
    assert response.json()["code"] == code


def test_cannot_assign_to_staff_or_team_of_another_municipality(
    anna, webchat, agent_gerrit, groningen_team
):
    conversation, _ = webchat
    response = _post(anna, _assign(conversation), {"assignee": agent_gerrit.pk})
    assert response.json()["code"] == "invalid_assignee"
    response = _post(anna, _assign(conversation), {"team": groningen_team.pk})
    assert response.json()["code"] == "invalid_team"
    conversation.refresh_from_db()
    assert conversation.assignee is None
    assert conversation.team.organisation_id == conversation.organisation_id


def test_cannot_assign_to_a_read_only_colleague(anna, webchat, auditor_aziz):
    conversation, _ = webchat
    response = _post(anna, _assign(conversation), {"assignee": auditor_aziz.pk})
    assert response.json()["code"] == "invalid_assignee"


def test_change_status(anna, webchat):
    conversation, _ = webchat
    response = _post(anna, _status(conversation), {"status": "resolved"})
    assert response.status_code == 200
    assert response.json()["conversation"]["status"] == "resolved"
    assert Conversation.objects.get(pk=conversation.pk).status == "resolved"


def test_unknown_status(anna, webchat):
    conversation, _ = webchat
    response = _post(anna, _status(conversation), {"status": "archived"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_status"


def test_closed_cannot_be_reopened(anna, webchat):
    conversation, _ = webchat
    _post(anna, _status(conversation), {"status": "closed"})
    response = _post(anna, _status(conversation), {"status": "open"})
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
    assert "Gesloten" in response.json()["detail"]


@pytest.mark.parametrize("body", ["{not json", "[1, 2]", ""])
def test_malformed_json_body(anna, webchat, body):
    conversation, _ = webchat
    for path in (_status(conversation), _assign(conversation)):
        response = _post(anna, path, body)
        assert response.status_code == 400
        assert response.json()["code"] == "malformed_json"


def test_actions_need_csrf(agent_anna, webchat):
    from django.test import Client

    conversation, _ = webchat
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent_anna)
    response = _post(client, _status(conversation), {"status": "resolved"})
    assert response.status_code == 403
    assert Conversation.objects.get(pk=conversation.pk).status == "open"


def test_actions_need_login(client, webchat):
    conversation, _ = webchat
    response = _post(client, _status(conversation), {"status": "resolved"})
    assert response.status_code == 401


@pytest.mark.parametrize("reader", ["auditor_aziz", "woo_wim"])
def test_read_only_roles_get_403(client, webchat, reader, request):
    conversation, _ = webchat
    client.force_login(request.getfixturevalue(reader))
    assert _post(client, _assign(conversation), {"assignee": "me"}).status_code == 403
    assert _post(client, _status(conversation), {"status": "resolved"}).status_code == 403
    conversation.refresh_from_db()
    assert (conversation.assignee, conversation.status) == (None, "open")


def test_actions_are_post_only(anna, webchat):
    conversation, _ = webchat
    assert anna.get(_status(conversation)).status_code == 405
