"""Layout in headless Chromium (issue 10, finding 10): the newest message stays in view after
a reload, the search and import pages have the console's margins, an empty search is no list
item, and the console fits a 390-px phone without scrolling sideways."""

from __future__ import annotations

import io
import json

import pytest
from PIL import Image
from playwright.sync_api import expect

from balie.accounts.actions import do_create_staff_user, do_set_membership
from balie.accounts.models import Role
from balie.conversations import actions
from balie.conversations.models import Direction
from tests.conftest import PASSWORD
from tests.factories import make_due, send
from tests.imports.helpers import export_of
from tests.imports.test_import_actions import _mixed

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def jpeg(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (20, 120, 200)).save(buffer, "JPEG")
    return buffer.getvalue()


def a_long_conversation_ending_in_a_photo(conversation, agent) -> None:
    """Enough to scroll; the newest message a 4:3 photo, as a real one would be."""
    for n in range(1, 16):
        send(conversation, f"Vraag {n}: waar kan ik mijn grofvuil kwijt?")
        reply = f"Antwoord {n}: bij het afvalbrengstation."
        send(conversation, reply, direction=Direction.OUTBOUND, author=agent)
    photo = actions.do_store_attachment(
        conversation, data=jpeg(1600, 1200), filename="kaart.jpg", uploaded_by=agent
    )
    actions.do_send_message(
        conversation, direction=Direction.OUTBOUND, body="Hier is de kaart.",
        client_id="photo", author=agent, attachment_ids=[photo.pk],
    )  # fmt: skip


def after_layout(page) -> None:
    """Wait two animation frames: resize observers have run and the page has been laid out."""
    page.evaluate(
        "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"
    )


def test_resident_sees_the_newest_message_after_a_reload(
    webchat, agent_anna, asgi_server, browser_page
):
    conversation, token = webchat
    asgi_server.call(a_long_conversation_ending_in_a_photo, conversation, agent_anna)
    page = browser_page(360, 740)
    page.goto(f"{asgi_server.url}/c/utrecht/")
    page.evaluate(f"localStorage.setItem('balie:utrecht:token', {json.dumps(json.dumps(token))})")

    page.reload()

    expect(page.locator("li.message")).to_have_count(31)
    photo = page.locator("li.message").last.get_by_role("img", name="Foto: kaart.jpg")
    expect(photo).to_be_visible()
    loaded = "(image) => image.complete && image.naturalWidth > 0"
    page.wait_for_function(loaded, arg=photo.element_handle())
    after_layout(page)
    newest = page.locator("li.message").last.bounding_box()
    composer = page.locator("#composer").bounding_box()
    assert newest["y"] + newest["height"] <= composer["y"], (newest, composer)


@pytest.fixture
def admin_ada(utrecht, utrecht_team):
    """Utrecht's application administrator: sees every console page."""
    user = do_create_staff_user(username="admin_ada", password=PASSWORD, first_name="Ada")
    do_set_membership(user, utrecht, Role.ADMIN)
    return user


def log_in(page, base_url, username="admin_ada"):
    page.goto(f"{base_url}/console/login/")
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(f"{base_url}/console/utrecht/")


def left_of_heading(page) -> float:
    return page.get_by_role("heading", level=1).bounding_box()["x"]


def test_search_and_import_pages_have_the_console_margins(
    monkeypatch, tmp_path, admin_ada, asgi_server, browser_page
):
    export = export_of(monkeypatch, tmp_path, _mixed())
    page = browser_page(1280, 900)
    log_in(page, asgi_server.url)
    console = f"{asgi_server.url}/console/utrecht"
    page.goto(f"{console}/audit/")
    margin = left_of_heading(page)
    assert margin >= 16

    for path in ("search/", "search/?q=container", "imports/"):
        page.goto(f"{console}/{path}")
        assert left_of_heading(page) == margin, path
    page.get_by_label("Soort export").select_option("whatsapp")
    page.get_by_label("Bestand").set_input_files(str(export.path))
    page.get_by_role("button", name="Uploaden en bekijken").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Berichten kiezen")
    assert left_of_heading(page) == margin, "import review"


def test_an_empty_search_says_so_without_a_list(admin_ada, webchat, asgi_server, browser_page):
    conversation, _ = webchat
    asgi_server.call(send, conversation, "Mijn container is niet geleegd.")
    page = browser_page(1280, 900)
    log_in(page, asgi_server.url)

    page.goto(f"{asgi_server.url}/console/utrecht/search/?q=paspoort")

    expect(page.get_by_role("status")).to_contain_text("0 berichten gevonden")
    expect(page.get_by_text("Geen berichten gevonden.")).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text="Geen berichten gevonden")).to_have_count(0)
    expect(page.locator(".search-results")).to_have_count(0)


def scroll_width(page) -> int:
    return page.evaluate("() => document.documentElement.scrollWidth")


def test_the_console_fits_a_phone(
    monkeypatch, tmp_path, admin_ada, agent_anna, utrecht, webchat, asgi_server, browser_page
):
    conversation, _ = webchat
    asgi_server.call(a_long_conversation_ending_in_a_photo, conversation, agent_anna)
    asgi_server.call(make_due, conversation, actor=agent_anna)
    other, _ = asgi_server.call(actions.do_start_webchat, utrecht)
    asgi_server.call(send, other, "Een vraag over een heel-lang-woord-zonder-spaties-" * 3)
    export = export_of(monkeypatch, tmp_path, _mixed())
    page = browser_page(390, 844)
    log_in(page, asgi_server.url)
    console = f"{asgi_server.url}/console/utrecht"
    expect(page.locator("#connection")).to_have_text("Verbonden")
    assert scroll_width(page) <= 390, "inbox"

    page.locator(f'li.row[data-id="{other.pk}"]').get_by_role("link").click()
    pane = page.locator(f'section.pane[data-conversation="{other.pk}"]')
    expect(pane.locator("li.msg-inbound")).to_contain_text("zonder-spaties")
    after_layout(page)
    assert scroll_width(page) <= 390, "open conversation"

    for path in ("search/", "search/?q=grofvuil", "search/?q=paspoort", "imports/", "records/",
                 "audit/", "integrity/"):  # fmt: skip
        page.goto(f"{console}/{path}")
        # Filters and forms folded away must fit as well.
        page.evaluate(
            "() => document.querySelectorAll('details').forEach((d) => { d.open = true; })"
        )
        assert scroll_width(page) <= 390, path
    page.goto(f"{console}/imports/")
    page.get_by_label("Soort export").select_option("whatsapp")
    page.get_by_label("Bestand").set_input_files(str(export.path))
    page.get_by_role("button", name="Uploaden en bekijken").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Berichten kiezen")
    assert scroll_width(page) <= 390, "import review"
