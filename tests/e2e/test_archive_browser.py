"""The archive's staff pages in headless Chromium: an agent searches and opens what was
found; two records managers destroy a conversation with four eyes and print the record."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from balie.archive.models import DestructionList
from balie.conversations import actions
from balie.conversations.models import Message
from balie.records.execution import do_execute_destruction
from tests.conftest import PASSWORD
from tests.factories import make_due, send

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(browser_page):
    return browser_page(1280, 900)


def _log_in(page, base_url, username):
    page.goto(f"{base_url}/console/login/")
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(f"{base_url}/console/utrecht/")


def _log_out(page):
    page.context.clear_cookies()


def test_agent_searches_narrows_and_opens_the_conversation(
    agent_anna, utrecht, webchat, asgi_server, page
):
    conversation, _ = webchat
    asgi_server.call(send, conversation, "Mijn vergunningen voor het café zijn verlopen.")
    other, _ = asgi_server.call(actions.do_start_webchat, utrecht)
    asgi_server.call(send, other, "Ik wil een vergunning voor een terras bij de cafe.")
    asgi_server.call(actions.do_change_status, other, actor=agent_anna, status="pending")

    _log_in(page, asgi_server.url, "agent_anna")
    page.goto(f"{asgi_server.url}/console/utrecht/search/")
    page.get_by_label("Zoekvraag").fill("vergunning cafe")
    page.get_by_role("button", name="Zoeken").click()
    expect(page.get_by_role("status")).to_contain_text("2 berichten gevonden")
    marks = page.locator(".search-results mark")
    expect(marks.first).to_be_visible()
    assert {text.lower() for text in marks.all_inner_texts()} >= {"café", "cafe"}

    page.locator("details summary").first.click()
    page.get_by_label("Status").select_option("pending")
    page.get_by_role("button", name="Zoeken").click()
    expect(page.get_by_role("status")).to_contain_text("1 bericht gevonden")
    page.locator(".search-results a").first.click()
    page.wait_for_url(f"**/console/utrecht/?status=all&open={other.pk}")
    pane = page.locator(f'section.pane[data-conversation="{other.pk}"]')
    expect(pane).to_contain_text("terras")


def test_four_eyes_destruction_and_its_printable_record(
    agent_anna, records_rik, records_roos, webchat, asgi_server, page
):
    conversation, _ = webchat
    asgi_server.call(send, conversation, "Mijn afvalpas is kwijt, graag een nieuwe.")
    asgi_server.call(make_due, conversation, actor=agent_anna)

    _log_in(page, asgi_server.url, "records_rik")
    page.goto(f"{asgi_server.url}/console/utrecht/records/#due")
    page.locator(f"#due-{conversation.pk}").check()
    page.get_by_label("Titel").fill("Vernietiging KCC-vragen 2023")
    page.get_by_role("button", name="Voorstellen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Vernietiging KCC-vragen 2023")
    # The proposer cannot approve: the second pair of eyes must.
    expect(page.get_by_role("button", name="Goedkeuren en vernietigen")).to_have_count(0)

    list_url = page.url
    _log_out(page)
    _log_in(page, asgi_server.url, "records_roos")
    page.goto(list_url)
    page.get_by_role("button", name="Goedkeuren en vernietigen").click()
    proposed = asgi_server.call(lambda: DestructionList.objects.get())
    asgi_server.call(do_execute_destruction, proposed.pk)  # what the worker's task runs

    page.goto(list_url)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Verklaring van vernietiging")
    expect(page.locator(".record-facts").first).to_contain_text("Roos")
    expect(page.get_by_role("button", name="Afdrukken").first).to_be_visible()
    gone = asgi_server.call(lambda: Message.objects.filter(conversation=conversation).count())
    assert gone == 0
