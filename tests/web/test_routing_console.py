"""The routing page, the header's availability control, and the REST status of an agent."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from balie.accounts.actions import do_set_membership
from balie.accounts.models import Role
from balie.conversations import actions
from balie.conversations.models import AgentStatus, Routing, Team


def _json(client, path, body):
    return client.post(path, json.dumps(body), content_type="application/json")


@pytest.fixture
def anna(client, agent_anna, utrecht_team):
    client.force_login(agent_anna)
    return client


@pytest.fixture
def lotte(client, lead_lotte, utrecht_team):
    client.force_login(lead_lotte)
    return client


# --- the page ---------------------------------------------------------------------------------
def test_agents_see_the_rule_members_and_queue_without_forms(anna, utrecht_team, lead_lotte):
    actions.do_set_team_routing(utrecht_team, Routing.CAPACITY, actor=lead_lotte)
    actions.do_start_webchat(utrecht_team.organisation)  # nobody online: it waits
    response = anna.get("/console/utrecht/routing/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-rule="capacity"' in page and "Capaciteit" in page
    assert '<span class="routing-queue">1</span>' in page
    assert "Anna" in page and "Lotte" in page
    assert "/routing/teams/" not in page and "/routing/agents/" not in page  # no forms
    assert 'id="availability-select"' in page  # the header's control


def test_leads_get_the_forms_and_change_rule_and_capacity(lotte, utrecht_team, agent_anna):
    page = lotte.get("/console/utrecht/routing/").content.decode()
    assert f"/console/utrecht/routing/teams/{utrecht_team.pk}/" in page
    assert f"/console/utrecht/routing/agents/{agent_anna.pk}/" in page
    response = lotte.post(f"/console/utrecht/routing/teams/{utrecht_team.pk}/",
                          {"routing": "round_robin"})  # fmt: skip
    assert response.status_code == 302
    assert Team.objects.get(pk=utrecht_team.pk).routing == Routing.ROUND_ROBIN
    response = lotte.post(f"/console/utrecht/routing/agents/{agent_anna.pk}/", {"max_open": "8"})
    assert response.status_code == 302
    assert AgentStatus.objects.get(user=agent_anna).max_open == 8
    shown = lotte.get(response["Location"]).content.decode()
    assert "8 open" in shown  # the confirmation


def test_bad_capacity_is_explained_on_the_page(lotte, agent_anna):
    response = lotte.post(f"/console/utrecht/routing/agents/{agent_anna.pk}/", {"max_open": "99"})
    assert response.status_code == 400
    assert "1 tot en met 50" in response.content.decode()


def test_an_agent_cannot_change_the_rule_or_a_capacity(anna, utrecht_team, agent_anna):
    response = anna.post(f"/console/utrecht/routing/teams/{utrecht_team.pk}/",
                         {"routing": "capacity"})  # fmt: skip
    assert response.status_code == 403
    response = anna.post(f"/console/utrecht/routing/agents/{agent_anna.pk}/", {"max_open": "9"})
    assert response.status_code == 403
    assert Team.objects.get(pk=utrecht_team.pk).routing == Routing.MANUAL
    assert not AgentStatus.objects.filter(user=agent_anna).exists()


def test_roles_that_handle_no_conversations_do_not_see_the_page(client, auditor_aziz):
    client.force_login(auditor_aziz)
    assert client.get("/console/utrecht/routing/").status_code == 403


def test_another_organisation_s_routing_is_not_found(client, agent_gerrit, utrecht_team):
    client.force_login(agent_gerrit)
    assert client.get("/console/utrecht/routing/").status_code == 404
    team = f"/console/utrecht/routing/teams/{utrecht_team.pk}/"
    assert client.post(team, {"routing": "capacity"}).status_code == 404
    assert _json(client, "/console/utrecht/routing/availability/",
                 {"availability": "online"}).status_code == 404  # fmt: skip


def test_a_team_of_another_organisation_is_not_found(lotte, groningen_team):
    response = lotte.post(f"/console/utrecht/routing/teams/{groningen_team.pk}/",
                          {"routing": "capacity"})  # fmt: skip
    assert response.status_code == 404
    assert Team.objects.get(pk=groningen_team.pk).routing == Routing.MANUAL


def test_login_required(client):
    assert client.get("/console/utrecht/routing/").status_code == 302


# --- the availability control -----------------------------------------------------------------
def test_availability_as_json_and_as_a_form(anna, agent_anna):
    response = _json(anna, "/console/utrecht/routing/availability/", {"availability": "online"})
    assert response.status_code == 200
    assert response.json() == {"user": agent_anna.pk, "availability": "online", "label": "Online"}
    response = anna.post("/console/utrecht/routing/availability/",
                         {"availability": "away", "next": "/console/utrecht/"})  # fmt: skip
    assert response.status_code == 302 and response["Location"] == "/console/utrecht/"
    assert AgentStatus.objects.get(user=agent_anna).availability == "away"
    off_site = {"availability": "offline", "next": "https://elders.example/"}
    response = anna.post("/console/utrecht/routing/availability/", off_site)
    assert response["Location"] == "/console/utrecht/routing/"  # never off-site


def test_availability_refuses_bad_values_and_other_agents(anna, agent_bram):
    response = _json(anna, "/console/utrecht/routing/availability/", {"availability": "busy"})
    assert response.status_code == 400 and response.json()["code"] == "invalid_availability"
    response = _json(anna, "/console/utrecht/routing/availability/",
                     {"availability": "online", "user": agent_bram.pk})  # fmt: skip
    assert response.status_code == 403 and response.json()["code"] == "not_team_lead"


def test_a_lead_sets_another_agents_availability(lotte, agent_anna):
    response = lotte.post("/console/utrecht/routing/availability/",
                          {"availability": "away", "user": str(agent_anna.pk)})  # fmt: skip
    assert response.status_code == 302
    assert AgentStatus.objects.get(user=agent_anna).availability == "away"


def test_inbox_has_the_control_and_the_rule_for_the_pane(anna, utrecht_team, lead_lotte):
    actions.do_set_team_routing(utrecht_team, Routing.ROUND_ROBIN, actor=lead_lotte)
    page = anna.get("/console/utrecht/").content.decode()
    assert 'id="availability-select"' in page and "availability.js" in page
    assert "/console/utrecht/routing/" in page
    assert "Toewijzing: round-robin" in page  # the conversation pane's line, in the config


def test_inbox_of_a_reader_has_no_control(client, auditor_aziz, utrecht_team):
    client.force_login(auditor_aziz)
    page = client.get("/console/utrecht/").content.decode()
    assert 'id="availability-select"' not in page


# --- REST API: /api/v1/agents/me/status/ ------------------------------------------------------
@pytest.fixture
def api(agent_anna):
    client = APIClient()
    client.force_login(agent_anna)
    return client


def test_api_reads_and_sets_own_status(api, agent_anna):
    response = api.get("/api/v1/agents/me/status/")
    assert response.status_code == 200
    assert response.json() == {"organisation": "utrecht", "user": agent_anna.pk,
                               "availability": "offline", "max_open": 5, "open": 0,
                               "last_seen_at": None}  # fmt: skip
    response = api.put("/api/v1/agents/me/status/", {"availability": "online"}, format="json")
    assert response.status_code == 200
    assert response.json()["availability"] == "online" and response.json()["last_seen_at"]


def test_api_refuses_bad_input_and_capacity_for_agents(api):
    bad = api.put("/api/v1/agents/me/status/", {"availability": "busy"}, format="json")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_availability"
    unknown = api.put("/api/v1/agents/me/status/", {"mood": "good"}, format="json")
    assert unknown.status_code == 400
    empty = api.put("/api/v1/agents/me/status/", {}, format="json")
    assert empty.status_code == 400
    capacity = api.put("/api/v1/agents/me/status/", {"max_open": 20}, format="json")
    assert capacity.status_code == 403


def test_api_other_organisation_is_not_found(api, groningen):
    response = api.get("/api/v1/agents/me/status/?organisation=groningen")
    assert response.status_code == 404
    response = api.put("/api/v1/agents/me/status/",
                       {"availability": "online", "organisation": "groningen"},
                       format="json")  # fmt: skip
    assert response.status_code == 404
    assert not AgentStatus.objects.filter(organisation=groningen).exists()


def test_api_staff_of_two_organisations_name_one(api, agent_anna, groningen):
    do_set_membership(agent_anna, groningen, Role.AGENT)
    response = api.get("/api/v1/agents/me/status/")
    assert response.status_code == 400 and response.json()["code"] == "organisation_required"
    response = api.get("/api/v1/agents/me/status/?organisation=groningen")
    assert response.json()["organisation"] == "groningen"


def test_api_keys_are_no_agents(utrecht_api_key):
    _key, secret = utrecht_api_key
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert client.get("/api/v1/agents/me/status/").status_code == 403


def test_a_page_without_the_socket_reports_the_console_alive(anna, agent_anna, client):
    actions.do_set_availability(agent_anna.memberships.get().organisation, agent_anna, "online",
                                actor=agent_anna)  # fmt: skip
    long_ago = timezone.now() - timedelta(minutes=4)
    AgentStatus.objects.filter(user=agent_anna).update(last_seen_at=long_ago)
    assert anna.post("/console/utrecht/routing/seen/").status_code == 200
    assert AgentStatus.objects.get(user=agent_anna).last_seen_at > long_ago
    assert anna.post("/console/groningen/routing/seen/").status_code == 404
