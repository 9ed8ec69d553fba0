"""axe-core finds no violation on the pages residents and staff use (issue 10, finding 11).

Each test opens pages in the states people see them in — empty and filled, a conversation
open, a search with results and without — and runs axe-core over them (see accessibility.py
for the rules). The failure message names the rule, its impact and the elements.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from balie.accounts.actions import do_create_staff_user, do_set_membership
from balie.accounts.models import Role
from balie.conversations import actions
from balie.conversations.models import Conversation, Direction, Status
from balie.records.destruction import do_propose_destruction
from tests.conftest import PASSWORD
from tests.e2e.accessibility import assert_accessible, axe_source
from tests.factories import make_due, send
from tests.imports.helpers import export_of
from tests.imports.test_import_actions import _mixed

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _axe_installed():
    """Skip (or, with CI=true, fail) before opening pages when axe-core is not installed."""
    axe_source()


@pytest.fixture
def admin_ada(utrecht, utrecht_team):
    """Utrecht's application administrator: sees every console page."""
    user = do_create_staff_user(username="admin_ada", password=PASSWORD, first_name="Ada")
    do_set_membership(user, utrecht, Role.ADMIN)
    return user


def log_in(page, base_url, username="admin_ada"):
    page.goto(f"{base_url}/console/login/")
    assert_accessible(page, "the login page")
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(f"{base_url}/console/utrecht/")


def a_conversation(organisation, agent):
    conversation, _ = actions.do_start_webchat(organisation)
    send(conversation, "Mijn container is niet geleegd.")
    send(
        conversation, "Dat spijt ons. We komen morgen.", direction=Direction.OUTBOUND, author=agent
    )
    return conversation


def test_resident_chat(utrecht_team, agent_anna, asgi_server, browser_page):
    page = browser_page(360, 740)
    page.goto(f"{asgi_server.url}/c/utrecht/")
    expect(page.locator("#connection")).to_have_attribute("data-state", "online")
    assert_accessible(page, "the resident chat, empty")

    composer = page.get_by_label("Uw bericht")
    composer.fill("Er ligt een matras op de stoep.")
    composer.press("Enter")
    expect(page.locator("li.message.own .status")).to_contain_text("Verstuurd")
    conversation = asgi_server.call(Conversation.objects.get)
    asgi_server.call(
        send, conversation, "We halen hem op.", direction=Direction.OUTBOUND, author=agent_anna
    )
    expect(page.locator("li.message.theirs")).to_contain_text("We halen hem op.")
    assert_accessible(page, "the resident chat with messages")
    asgi_server.call(actions.do_change_status, conversation, actor=agent_anna, status=Status.CLOSED)
    expect(page.get_by_role("region", name="Dit gesprek is gesloten.")).to_be_visible()
    assert_accessible(page, "the resident chat, closed")


def test_embed(utrecht, asgi_server, browser_page):
    page = browser_page(1280, 800)
    page.goto(f"{asgi_server.url}/c/utrecht/embed-example/")
    assert_accessible(page, "the embed example, closed")
    page.get_by_role("button", name="Chat met de gemeente").click()
    frame = page.frame_locator("iframe[title='Chat met Gemeente Utrecht']")
    expect(frame.locator("#connection")).to_have_attribute("data-state", "online")
    assert_accessible(page, "the embed example with the chat open (frame included)")
    page.goto(f"{asgi_server.url}/c/utrecht/?embed=1")  # the frame's page on its own
    expect(page.locator("#connection")).to_have_attribute("data-state", "online")
    assert_accessible(page, "the chat as the widget's frame shows it")


def test_console_inbox_and_open_conversation(
    admin_ada, agent_anna, utrecht, asgi_server, browser_page
):
    conversation = asgi_server.call(a_conversation, utrecht, agent_anna)
    page = browser_page(1400, 900)
    log_in(page, asgi_server.url)
    expect(page.locator("#connection")).to_have_text("Verbonden")
    assert_accessible(page, "the console inbox")

    page.locator(f'li.row[data-id="{conversation.pk}"]').get_by_role("link").click()
    pane = page.locator(f'section.pane[data-conversation="{conversation.pk}"]')
    expect(pane.locator("li.msg-outbound")).to_contain_text("We komen morgen.")
    assert_accessible(page, "the console with a conversation open")


def test_search_with_and_without_results(admin_ada, agent_anna, utrecht, asgi_server, browser_page):
    asgi_server.call(a_conversation, utrecht, agent_anna)
    page = browser_page(1400, 900)
    log_in(page, asgi_server.url)
    base = f"{asgi_server.url}/console/utrecht/search/"
    page.goto(base)
    assert_accessible(page, "the search page")
    page.goto(f"{base}?q=container")
    expect(page.get_by_role("status")).to_contain_text("1 bericht gevonden")
    assert_accessible(page, "search results")
    page.goto(f"{base}?q=paspoort")
    expect(page.get_by_role("status")).to_contain_text("0 berichten gevonden")
    assert_accessible(page, "a search without results")


def test_imports(monkeypatch, tmp_path, admin_ada, utrecht, asgi_server, browser_page):
    export = export_of(monkeypatch, tmp_path, _mixed())
    page = browser_page(1400, 900)
    log_in(page, asgi_server.url)
    page.goto(f"{asgi_server.url}/console/utrecht/imports/")
    assert_accessible(page, "the imports page")
    page.get_by_label("Soort export").select_option("whatsapp")
    page.get_by_label("Bestand").set_input_files(str(export.path))
    page.get_by_role("button", name="Uploaden en bekijken").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Berichten kiezen")
    assert_accessible(page, "an import's review page")
    confirm = page.get_by_role("button", name="Gekozen berichten in het archief zetten")
    confirm.click()  # a doubt left open: refused, with its message
    expect(page.locator("[role=status]")).to_contain_text("twijfel")
    assert_accessible(page, "an import's review page with an error")
    page.get_by_role("button", name="Twijfelgevallen niet bewaren").click()
    confirm.click()
    expect(page.locator("[role=status]")).to_contain_text("Klaar")
    page.goto(f"{asgi_server.url}/console/utrecht/imports/")
    assert_accessible(page, "the imports page with an earlier import")


def test_records_and_audit(admin_ada, agent_anna, utrecht, webchat, asgi_server, browser_page):
    conversation, _ = webchat
    asgi_server.call(send, conversation, "Mijn afvalpas is kwijt.")
    asgi_server.call(make_due, conversation, actor=agent_anna)
    destruction = asgi_server.call(
        do_propose_destruction,
        utrecht.pk,
        actor=admin_ada,
        title="Vernietiging 2023",
        conversation_ids=[conversation.pk],
    )
    page = browser_page(1400, 900)
    log_in(page, asgi_server.url)
    page.goto(f"{asgi_server.url}/console/utrecht/records/")
    assert_accessible(page, "the records page")
    page.goto(f"{asgi_server.url}/console/utrecht/records/destruction/{destruction.pk}/")
    assert_accessible(page, "a destruction list")
    page.goto(f"{asgi_server.url}/console/utrecht/audit/")
    expect(page.locator(".audit-table tbody tr").first).to_be_visible()
    assert_accessible(page, "the audit log")
    page.goto(f"{asgi_server.url}/console/utrecht/integrity/")
    assert_accessible(page, "the archive integrity page")
