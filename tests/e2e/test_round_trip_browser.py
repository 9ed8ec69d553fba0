"""The whole conversation in two real browsers: a resident on a phone, an agent at a desk.

The resident sends text and a photo; the agent sees both live, replies and adds a note; the
resident sees the reply (never the note); after a reload the resident's history is intact.
"""

from __future__ import annotations

import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from balie.conversations.models import Attachment, Conversation, Direction
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (120, 80), (40, 120, 200)).save(out, "JPEG")
    return out.getvalue()


def _stored() -> list[tuple[str, str, int]]:
    return list(
        Conversation.objects.get()
        .messages.exclude(direction=Direction.SYSTEM)
        .order_by("seq")
        .values_list("direction", "body", "attachments__pk")
    )


def test_resident_and_agent_talk_in_two_browsers(
    utrecht_team, agent_anna, asgi_server, browser_page
):
    resident = browser_page(360, 740)
    resident.goto(f"{asgi_server.url}/c/utrecht/")
    expect(resident.locator("#connection")).to_have_attribute("data-state", "online")
    resident.get_by_label("Uw bericht").fill("De lantaarnpaal bij nummer 12 is kapot.")
    resident.get_by_label("Uw bericht").press("Enter")
    resident.locator("#file").set_input_files(
        files=[{"name": "paal.jpg", "mimeType": "image/jpeg", "buffer": _photo()}]
    )
    expect(resident.locator("li.message.own .status").last).to_contain_text("Verstuurd")

    agent = browser_page(1400, 900)
    agent.goto(f"{asgi_server.url}/console/login/")
    agent.get_by_label("Gebruikersnaam").fill("agent_anna")
    agent.get_by_label("Wachtwoord").fill(PASSWORD)
    agent.get_by_role("button", name="Inloggen").click()
    agent.wait_for_url(f"{asgi_server.url}/console/utrecht/")
    conversation = asgi_server.call(Conversation.objects.get)
    row = agent.locator(f'li.row[data-id="{conversation.pk}"]')
    expect(row.locator(".badge.unread")).to_have_text("2")
    row.get_by_role("link").click()
    pane = agent.locator(f'section.pane[data-conversation="{conversation.pk}"]')
    expect(pane.locator("li.msg-inbound").first).to_contain_text("lantaarnpaal bij nummer 12")
    expect(pane.locator("li.msg-inbound img[alt='paal.jpg']")).to_be_visible()

    composer = pane.get_by_label("Uw bericht")
    composer.fill("Dank u. We repareren hem deze week.")
    composer.press("Enter")
    pane.get_by_label("Interne notitie (inwoner ziet dit niet)").check()
    composer.fill("Doorgezet naar openbare verlichting.")
    composer.press("Enter")
    expect(pane.locator("li.msg-note")).to_contain_text("Doorgezet naar openbare verlichting.")

    reply = resident.locator("li.message.theirs")
    expect(reply).to_contain_text("We repareren hem deze week.")
    expect(resident.locator("li.message.own .status").first).to_contain_text("Gelezen")

    resident.reload()
    expect(resident.locator("#connection")).to_have_attribute("data-state", "online")
    expect(resident.locator("li.message")).to_have_count(3)
    expect(resident.get_by_role("img", name="Foto: paal.jpg")).to_be_visible()
    expect(resident.locator("li.message.theirs")).to_contain_text("We repareren hem deze week.")
    expect(resident.get_by_text("Doorgezet naar openbare verlichting.")).to_have_count(0)

    photo = asgi_server.call(Attachment.objects.get)
    assert asgi_server.call(_stored) == [
        ("inbound", "De lantaarnpaal bij nummer 12 is kapot.", None),
        ("inbound", "", photo.pk),
        ("outbound", "Dank u. We repareren hem deze week.", None),
        ("note", "Doorgezet naar openbare verlichting.", None),
    ]
