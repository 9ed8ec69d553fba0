"""Routing in headless Chromium: the header's availability control, a team lead's change
arriving live, the routing page with its rule, and the rule on the conversation pane."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from balie.conversations import actions
from balie.conversations.models import AgentStatus, Routing
from tests.conftest import PASSWORD
from tests.e2e.accessibility import assert_accessible

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(browser_page):
    return browser_page(1500, 900)


def _log_in(page, base_url, username: str):
    page.goto(f"{base_url}/console/login/")
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(f"{base_url}/console/utrecht/")
    expect(page.locator("#connection")).to_have_text("Verbonden")


def _status(user) -> str:
    return AgentStatus.objects.get(user=user).availability


def test_availability_control_and_routing_page(
    agent_anna, lead_lotte, utrecht, utrecht_team, asgi_server, page
):
    asgi_server.call(actions.do_set_team_routing, utrecht_team, Routing.ROUND_ROBIN,
                     actor=lead_lotte)  # fmt: skip
    _log_in(page, asgi_server.url, "agent_anna")
    control = page.get_by_label("Mijn beschikbaarheid")
    expect(control).to_have_value("offline")

    control.select_option("online")
    expect(page.locator(".availability-state")).to_have_text("Online")
    assert asgi_server.call(_status, agent_anna) == "online"

    # A new web chat goes to Anna (round robin) and its pane shows the rule.
    conversation, _token = asgi_server.call(actions.do_start_webchat, utrecht)
    assert conversation.assignee_id == agent_anna.pk
    page.goto(f"{asgi_server.url}/console/utrecht/?open={conversation.pk}")
    pane = page.locator(f'section.pane[data-conversation="{conversation.pk}"]')
    expect(pane.locator(".pane-sub")).to_contain_text("Toewijzing: round-robin")

    # The team lead sets Anna away: her header follows live, over the socket.
    expect(page.locator("#connection")).to_have_text("Verbonden")
    asgi_server.call(actions.do_set_availability, utrecht, agent_anna, "away", actor=lead_lotte)
    expect(control).to_have_value("away")

    page.get_by_role("link", name="Toewijzing").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Toewijzing")
    team = page.locator(f'section[data-team="{utrecht_team.pk}"]')
    expect(team.locator(".routing-rule")).to_have_text(
        "Om de beurt: op volgorde naar de beschikbare medewerkers"
    )
    expect(team.locator(".routing-rule")).to_have_attribute("data-rule", "round_robin")
    expect(team.locator(f'tr[data-user="{agent_anna.pk}"]')).to_contain_text("1 / 5")
    assert_accessible(page, "the routing page of an agent")


def test_team_lead_changes_rule_and_capacity(
    agent_anna, lead_lotte, utrecht, utrecht_team, asgi_server, page
):
    _log_in(page, asgi_server.url, "lead_lotte")
    page.goto(f"{asgi_server.url}/console/utrecht/routing/")
    team = page.locator(f'section[data-team="{utrecht_team.pk}"]')
    expect(team.locator(".routing-rule")).to_have_attribute("data-rule", "manual")
    assert_accessible(page, "the routing page of a team lead")

    team.get_by_label("Regel van team Algemeen").select_option("capacity")
    team.get_by_role("button", name="Opslaan").first.click()
    expect(page.locator(".notice-ok")).to_contain_text("Team Algemeen: capaciteit.")
    expect(team.locator(".routing-rule")).to_have_attribute("data-rule", "capacity")

    team.get_by_label("Hoogstens open voor Anna").fill("7")
    team.locator(f'tr[data-user="{agent_anna.pk}"]').get_by_role("button", name="Opslaan").click()
    expect(page.locator(".notice-ok")).to_contain_text("Anna krijgt hoogstens 7 open gesprekken.")
    expect(team.locator(f'tr[data-user="{agent_anna.pk}"]')).to_contain_text("0 / 7")
    assert_accessible(page, "the routing page after a change")

    # Live, without a reload: Anna goes online elsewhere and a resident's chat reaches her
    # (capacity); the page follows the staff socket.
    expect(page.locator("main.routing")).to_have_attribute("data-live", "true")
    row = team.locator(f'tr[data-user="{agent_anna.pk}"]')
    asgi_server.call(actions.do_set_availability, utrecht, agent_anna, "online", actor=agent_anna)
    expect(row.locator("td").first).to_have_text("Online")
    expect(row.get_by_label("Beschikbaarheid van Anna")).to_have_value("online")
    asgi_server.call(actions.do_start_webchat, utrecht)
    expect(row).to_contain_text("1 / 7")
    expect(team.locator(".routing-queue")).to_have_text("0")
    # A form being filled in is left alone: a typed maximum stays while the figures change.
    team.get_by_label("Hoogstens open voor Anna").fill("9")
    asgi_server.call(actions.do_start_webchat, utrecht)
    expect(row).to_contain_text("2 / 7")
    expect(team.get_by_label("Hoogstens open voor Anna")).to_have_value("9")
