"""Layout in headless Chromium (issue 10, finding 10): the newest message stays in view after
a reload, the search and import pages have the console's margins, an empty search is no list
item, and the console fits a 390-px phone without scrolling sideways."""

from __future__ import annotations

import io
import json

import pytest
from PIL import Image
from playwright.sync_api import expect

from balie.conversations import actions
from balie.conversations.models import Direction
from tests.factories import send

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
