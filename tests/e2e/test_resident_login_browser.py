"""A resident logs in with DigiD through the local broker (tests/fakes/oidc.py) in headless
Chromium, sees the conversation they had on another device, has the new chat linked to them,
reads the earlier one, and logs out; every page they see passes axe-core."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from balie.accounts.residents import do_configure_resident_sign_on
from balie.conversations import actions
from balie.conversations.models import Contact, Conversation
from tests.e2e.accessibility import assert_accessible
from tests.e2e.conftest import screenshot
from tests.factories import send
from tests.fakes.oidc import DIGID_ACR, FakeOidc

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SUBSTANTIEEL = DIGID_ACR[2]
BSN = "111222333"


@pytest.fixture
def idp():
    with FakeOidc() as fake:
        yield fake
        assert fake.violations == []


@pytest.fixture
def earlier_chat(utrecht, utrecht_team, idp, asgi_server):
    """Utrecht's DigiD login, and a chat the resident had on their phone, linked to them."""
    idp.add_client("balie-utrecht", "s3cret", f"{asgi_server.url}/c/utrecht/login/callback/")
    do_configure_resident_sign_on(
        utrecht,
        issuer=idp.issuer,
        client_id="balie-utrecht",
        client_secret="s3cret",
        acr_values=[SUBSTANTIEEL],
    )
    conversation, _token = actions.do_start_webchat(utrecht)
    send(conversation, "Wanneer wordt het grofvuil opgehaald?")
    contact = actions.do_identify_resident(utrecht.pk, bsn=BSN, method="digid", acr=SUBSTANTIEEL)
    actions.do_link_conversation(conversation, contact)
    return conversation


def contact_of_newest(asgi_server) -> int | None:
    def read():
        newest = Conversation.objects.order_by("-pk").first()
        return newest.contact_id if newest else None

    return asgi_server.call(read)


def test_log_in_with_digid_and_see_the_history(earlier_chat, asgi_server, idp, browser_page):
    page = browser_page(360, 740)
    page.goto(f"{asgi_server.url}/c/utrecht/")
    expect(page.locator("#connection")).to_have_attribute("data-state", "online")
    login = page.get_by_role("link", name="Inloggen met DigiD")
    expect(login).to_be_visible()
    assert_accessible(page, "the resident page with the DigiD login link")
    screenshot(page, "resident-digid-login-360.png")

    idp.login("digid-1", bsn=BSN, acr=SUBSTANTIEEL)
    login.click()
    expect(page.get_by_text("U bent ingelogd met DigiD.")).to_be_visible()
    expect(page.locator("#connection")).to_have_attribute("data-state", "online")
    page.locator(".history-box summary").click()
    earlier = page.locator(".history a")
    expect(earlier).to_have_count(1)
    assert_accessible(page, "the resident page with the history")
    screenshot(page, "resident-digid-history-360.png")

    # a new question from this device is linked to the resident too
    composer = page.get_by_label("Uw bericht")
    composer.fill("En kan ik ook een container bijbestellen?")
    composer.press("Enter")
    expect(page.locator(".message.own")).to_have_count(1)
    contact = asgi_server.call(lambda: Contact.objects.get(bsn_digest__gt="").pk)
    deadline = time.monotonic() + 10
    while contact_of_newest(asgi_server) != contact and time.monotonic() < deadline:
        time.sleep(0.1)
    assert contact_of_newest(asgi_server) == contact
    assert asgi_server.call(lambda: Contact.objects.get(pk=contact).conversations.count()) == 2

    earlier.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Gesprek van")
    expect(page.get_by_text("Wanneer wordt het grofvuil opgehaald?")).to_be_visible()
    assert_accessible(page, "an earlier conversation, read-only")
    screenshot(page, "resident-digid-earlier-360.png")

    page.get_by_role("link", name="Terug naar de chat").click()
    page.get_by_role("button", name="Uitloggen").click()
    expect(page.get_by_role("link", name="Inloggen met DigiD")).to_be_visible()
    assert page.evaluate("() => localStorage.getItem('balie:utrecht:token')") is None


def test_a_refused_login_is_explained(earlier_chat, asgi_server, idp, browser_page):
    page = browser_page(360, 740)
    page.goto(f"{asgi_server.url}/c/utrecht/")
    idp.login("digid-1", bsn=BSN, acr=DIGID_ACR[1])  # midden: too low here
    page.get_by_role("link", name="Inloggen met DigiD").click()
    expect(page.get_by_role("alert")).to_contain_text("te laag")
    assert_accessible(page, "the refused DigiD login")
