"""Two agents and one resident in Chromium: the second agent sees who else has the
conversation open and who types, a reply where someone else is assigned asks first (the team
warns) or is refused (the team blocks); the resident's earlier conversations beside the pane;
a canned answer found with "/" and filled in. Each state passes axe-core."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from balie.conversations import actions
from balie.conversations.models import Channel, Collision, Direction, Message, Team
from tests.conftest import PASSWORD
from tests.e2e.accessibility import assert_accessible
from tests.factories import send

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _log_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/console/login/")
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(f"{base_url}/console/utrecht/")
    expect(page.locator("#connection")).to_have_text("Verbonden")


def _open(page, conversation_id: int):
    page.goto(page.url.split("?")[0] + f"?open={conversation_id}")
    pane = page.locator(f'section.pane[data-conversation="{conversation_id}"]')
    expect(pane.locator("li.msg-inbound").first).to_be_visible()
    return pane


def _lottes_conversation(organisation, lead):
    """An SMS resident with an earlier conversation; the new one assigned to Lotte."""
    earlier = actions.do_start_conversation(organisation, channel=Channel.SMS, phone="+31612345678")
    actions.do_update_details(earlier, actor=lead, subject="Paspoort verlengen")
    send(earlier, "Hoe verleng ik mijn paspoort?")
    conversation = actions.do_start_conversation(
        earlier.organisation, channel=Channel.SMS, name="Fatima Bakker", phone="+31612345678"
    )
    send(conversation, "Mijn container is niet geleegd.")
    actions.do_assign(conversation, actor=lead, assignee=lead)
    return conversation.pk, earlier.pk


def _canned(organisation, lead):
    actions.do_create_canned_answer(
        organisation,
        actor=lead,
        shortcut="container",
        title="Container niet geleegd",
        body_nl="Beste {resident_name}, ik ben {agent_first_name}. We sturen de wagen opnieuw.",
    )


def test_two_agents_one_conversation(
    utrecht, utrecht_team, agent_anna, lead_lotte, asgi_server, browser_page
):
    conversation, earlier = asgi_server.call(_lottes_conversation, utrecht, lead_lotte)
    asgi_server.call(_canned, utrecht, lead_lotte)
    lotte = browser_page(1280, 800)
    _log_in(lotte, asgi_server.url, "lead_lotte")
    lotte_pane = _open(lotte, conversation)
    anna = browser_page(1280, 800)
    _log_in(anna, asgi_server.url, "agent_anna")
    pane = _open(anna, conversation)

    # Each sees the other has it open (Lotte was there first: she answers Anna's question).
    expect(pane.locator(".presence")).to_have_text("Ook open bij: Lotte.")
    expect(lotte_pane.locator(".presence")).to_have_text("Ook open bij: Anna.")
    # Lotte types: Anna sees it before she answers herself.
    lotte_pane.get_by_label("Uw bericht").press_sequentially("Ik kijk ernaar", delay=20)
    expect(pane.locator(".presence")).to_contain_text("Lotte typt een antwoord.")
    expect(pane.locator(".assigned-hint")).to_have_text(
        "Toegewezen aan Lotte. Als u antwoordt, vragen we eerst om bevestiging."
    )
    # The resident's earlier conversation, beside this one.
    history = pane.locator(".pane-history")
    expect(history.locator("summary")).to_have_text("Eerdere gesprekken van deze inwoner (1)")
    history.locator("summary").click()
    expect(history.get_by_role("link")).to_contain_text(f"#{earlier} Paspoort verlengen")
    assert_accessible(anna, "a conversation another agent has open and types in")

    # "/" finds the canned answer, filled in for this resident and agent.
    composer = pane.get_by_label("Uw bericht")
    composer.press_sequentially("/cont", delay=20)
    option = pane.locator(".canned-list").get_by_role("option")
    expect(option).to_have_count(1)
    expect(option).to_contain_text("/container")
    expect(composer).to_have_attribute("aria-activedescendant", option.get_attribute("id"))
    assert_accessible(anna, "the canned answers offered in the composer")
    composer.press("Enter")
    expect(composer).to_have_value("Beste Fatima Bakker, ik ben Anna. We sturen de wagen opnieuw.")

    # Sending asks first: nothing reaches the resident until Anna confirms.
    composer.press("Enter")
    pending = pane.locator("li.failed")
    expect(pending).to_contain_text("Dit gesprek is toegewezen aan Lotte.")
    assert asgi_server.call(_outbound_count, conversation) == 0
    pending.get_by_role("button", name="Toch versturen").click()
    expect(pane.locator("li.msg-outbound")).to_contain_text("We sturen de wagen opnieuw.")
    assert asgi_server.call(_outbound_count, conversation) == 1

    # Lotte closes the conversation: Anna no longer sees her.
    lotte_pane.get_by_role("button", name="Sluiten").first.click()
    expect(pane.locator(".presence")).to_be_hidden()


def test_a_blocking_team_refuses_the_reply(
    utrecht, utrecht_team, agent_anna, lead_lotte, asgi_server, browser_page
):
    conversation, _ = asgi_server.call(_lottes_conversation, utrecht, lead_lotte)
    asgi_server.call(_block, utrecht_team.pk)
    anna = browser_page(360, 740)
    _log_in(anna, asgi_server.url, "agent_anna")
    pane = _open(anna, conversation)
    expect(pane.locator(".assigned-hint")).to_contain_text(
        "In dit team antwoordt alleen die persoon."
    )
    composer = pane.get_by_label("Uw bericht")
    composer.fill("Ik help u")
    composer.press("Enter")
    refused = pane.locator("li.failed")
    expect(refused).to_contain_text("Neem het gesprek eerst over.")
    expect(refused.get_by_role("button", name="Toch versturen")).to_have_count(0)
    refused.get_by_role("button", name="Verwijderen").click()
    expect(composer).to_have_value("Ik help u")
    assert asgi_server.call(_outbound_count, conversation) == 0
    assert_accessible(anna, "a reply refused by the team's rule")


def test_canned_answers_page(utrecht, lead_lotte, asgi_server, browser_page):
    asgi_server.call(_canned, utrecht, lead_lotte)
    page = browser_page(1280, 800)
    _log_in(page, asgi_server.url, "lead_lotte")
    page.goto(f"{asgi_server.url}/console/utrecht/canned/")
    expect(page.get_by_role("heading", name="Standaardantwoorden")).to_be_visible()
    page.get_by_label("Snelkoppeling (na /)").last.fill("Fout!")
    page.get_by_label("Titel").last.fill("Fout")
    page.get_by_label("Tekst in het Nederlands").last.fill("x")
    page.evaluate("() => document.querySelectorAll('form').forEach((f) => f.noValidate = true)")
    page.get_by_role("button", name="Opslaan").last.click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Een snelkoppeling is 1 tot 40 kleine letters"
    )
    assert_accessible(page, "the canned answers page with an error")


def _block(team_id: int) -> None:
    Team.objects.filter(pk=team_id).update(collision=Collision.BLOCK)


def _outbound_count(conversation_id: int) -> int:
    return Message.objects.filter(
        conversation_id=conversation_id, direction=Direction.OUTBOUND
    ).count()
