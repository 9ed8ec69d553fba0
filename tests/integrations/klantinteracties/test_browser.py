"""The Klantinteracties pages of the console in Chromium: axe-core finds no violation, empty
and filled, and the settings form works as an administrator uses it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from balie.conversations import actions
from balie.integrations.klantinteracties import tasks
from balie.integrations.klantinteracties.models import Registration
from tests.conftest import PASSWORD
from tests.e2e.accessibility import assert_accessible, axe_source
from tests.factories import send

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _axe_installed():
    axe_source()


def _log_in(page, base_url):
    page.goto(f"{base_url}/console/login/")
    page.get_by_label("Gebruikersnaam").fill("admin_ada")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(f"{base_url}/console/utrecht/")


def test_the_klantinteracties_pages(
    utrecht,
    utrecht_team,
    admin_ada,
    agent_anna,
    openklant,
    asgi_server,
    browser_page,
):
    page = browser_page(1280, 900)
    _log_in(page, asgi_server.url)
    page.goto(f"{asgi_server.url}/console/utrecht/klantinteracties/")
    assert_accessible(page, "the Klantinteracties page, not set up")

    form = page.locator("form[action$='/klantinteracties/connection/']")
    form.locator("input[name=url]").fill(openklant.api)
    form.locator("input[name=token]").fill("a-wrong-token")
    form.locator("button[type=submit]").click()
    expect(page.locator(".notice-ok")).to_be_visible()
    assert_accessible(page, "the Klantinteracties page, set up")

    def a_failed_registration():
        conversation, _token = actions.do_start_webchat(utrecht)
        send(conversation, "Mijn container is niet geleegd.")
        actions.do_change_status(conversation, actor=agent_anna, status="resolved")
        registration = Registration.objects.get(conversation=conversation)
        tasks.register_conversation.call(registration.pk)
        return conversation.pk

    number = asgi_server.call(a_failed_registration)
    page.goto(f"{asgi_server.url}/console/utrecht/klantinteracties/")
    expect(page.locator("form[action$='/retry/'] button")).to_be_visible()
    assert_accessible(page, "the Klantinteracties page with a failed registration")
    page.goto(f"{asgi_server.url}/console/utrecht/klantinteracties/conversations/{number}/")
    expect(page.locator(".notice-error")).to_contain_text("401")
    assert_accessible(page, "a conversation's registration, failed")
