"""The administrator's pages for channels and integrations pass axe-core, empty and with a
channel set up: Kanalen (with every connector's form), Webhooks, Notificaties API and
Klantinteracties; and the inbox links to them."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from balie.accounts.actions import do_create_staff_user, do_set_membership
from balie.accounts.models import Role
from tests.conftest import PASSWORD
from tests.e2e.accessibility import assert_accessible, axe_source

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _axe_installed():
    axe_source()


@pytest.fixture
def admin_ada(utrecht, utrecht_team):
    user = do_create_staff_user(username="admin_ada", password=PASSWORD, first_name="Ada")
    do_set_membership(user, utrecht, Role.ADMIN)
    return user


def test_channel_and_integration_pages_are_accessible(admin_ada, asgi_server, browser_page):
    page = browser_page(1280, 900)
    base = asgi_server.url
    page.goto(f"{base}/console/login/")
    page.get_by_label("Gebruikersnaam").fill("admin_ada")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(f"{base}/console/utrecht/")

    page.get_by_role("link", name="Kanalen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kanalen")
    assert_accessible(page, "the channels page, empty")
    sms = page.locator("form", has=page.locator("input[name=kind][value=sms]"))
    sms.get_by_label("Naam").fill("SMS Utrecht")
    sms.get_by_label("provider").fill("generic")
    sms.get_by_label("number").fill("+3197010203040")
    sms.get_by_label("url").fill("https://sms-gateway.example.nl/send")
    sms.get_by_label("secret").fill("gedeeld-geheim-1234567890")
    sms.get_by_role("button", name="Toevoegen").click()
    expect(page.get_by_role("heading", name="sms: SMS Utrecht")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("gedeeld-geheim-1234567890")
    assert_accessible(page, "the channels page with an SMS channel")

    for link, name in (
        ("Webhooks", "the webhooks page"),
        ("Notificaties API", "the Notificaties API page"),
        ("Klantinteracties (Open Klant)", "the Klantinteracties page"),
    ):
        page.goto(f"{base}/console/utrecht/")
        page.get_by_role("link", name=link).click()
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert_accessible(page, name)
