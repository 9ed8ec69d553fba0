"""The resident chat in headless Chromium on a 360-px phone screen, against the real app.

A resident writes and sends a photo, an agent answers live, the history survives a reload,
the outbox resends after a crash without doubling, a closed chat offers a new one, and the
widget opens the chat on a municipality's own site.
"""

from __future__ import annotations

import io
import json
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from balie.conversations import actions, events
from balie.conversations.models import Attachment, Conversation, Direction, Message, Status
from tests.e2e.conftest import screenshot
from tests.factories import send

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (230, 120, 20)).save(out, "PNG")
    return out.getvalue()


def open_chat(browser_page, asgi_server, query=""):
    page = browser_page(360, 740)
    page.goto(f"{asgi_server.url}/c/utrecht/{query}")
    expect(page.locator("#connection")).to_have_attribute("data-state", "online")
    return page


def the_conversation() -> Conversation:
    return Conversation.objects.get(organisation__slug="utrecht")


def bodies(conversation) -> list[str]:
    """What the resident and the agents wrote (no system lines), in order."""
    messages = conversation.messages.filter(direction__in=[Direction.INBOUND, Direction.OUTBOUND])
    return list(messages.order_by("seq").values_list("body", flat=True))


def set_visibility(page, value: str) -> None:
    """Pretend the tab went to the background (or came back)."""
    page.evaluate(
        """(value) => {
            Object.defineProperty(document, "visibilityState", {value, configurable: true});
            document.dispatchEvent(new Event("visibilitychange"));
        }""",
        value,
    )


def agent_typing(conversation) -> None:
    event = {"type": "typing", "side": "agent", "conversation": conversation.pk}
    events.send_event(event, [events.resident_group(conversation.pk)])


def test_resident_sends_text_and_photo_and_sees_the_reply_live(
    utrecht_team, agent_anna, asgi_server, browser_page
):
    page = open_chat(browser_page, asgi_server)
    assert asgi_server.call(Conversation.objects.count) == 0  # opening the page starts nothing

    composer = page.get_by_label("Uw bericht")
    composer.fill("Er ligt een matras op de stoep.")
    composer.press("Enter")
    own = page.locator("li.message.own")
    expect(own.first).to_contain_text("Er ligt een matras op de stoep.")
    expect(own.first.locator(".status")).to_contain_text("Verstuurd")
    expect(composer).to_be_focused()

    page.locator("#file").set_input_files(
        files=[{"name": "stoep.png", "mimeType": "image/png", "buffer": png()}]
    )
    photo = own.nth(1).get_by_role("img", name="Foto: stoep.png")
    expect(photo).to_be_visible()
    expect(own.nth(1).locator(".status")).to_contain_text("Verstuurd")

    conversation = asgi_server.call(the_conversation)
    assert asgi_server.call(bodies, conversation) == ["Er ligt een matras op de stoep.", ""]
    attachment = asgi_server.call(Attachment.objects.select_related("message").get)
    assert attachment.message.seq == 2 and attachment.filename == "stoep.png"

    asgi_server.call(agent_typing, conversation)
    expect(page.get_by_text("De gemeente typt…")).to_be_visible()
    asgi_server.call(
        send,
        conversation,
        "Dank u, we halen hem morgen op.",
        direction=Direction.OUTBOUND,
        author=agent_anna,
    )
    reply = page.locator("li.message.theirs")
    expect(reply).to_contain_text("Dank u, we halen hem morgen op.")
    expect(reply.locator(".author")).to_contain_text("Anna")
    expect(page.get_by_text("De gemeente typt…")).to_be_hidden()
    expect(page.locator("#announcer")).to_contain_text("Nieuw bericht van Anna")

    # Read receipts both ways: the visible page marks the reply read; the agent reads ours.
    _wait_for(lambda: asgi_server.call(the_conversation).resident_read_seq == 3)
    asgi_server.call(actions.do_mark_read, conversation, side="agent", seq=2)
    expect(own.nth(1).locator(".status")).to_contain_text("Gelezen")
    screenshot(page, "resident-chat-360.png")

    page.reload()
    expect(page.locator("#connection")).to_have_attribute("data-state", "online")
    expect(page.locator("li.message")).to_have_count(3)
    expect(page.locator("li.message.theirs")).to_contain_text("we halen hem morgen op")
    expect(page.get_by_role("img", name="Foto: stoep.png")).to_be_visible()
    expect(own.nth(0).locator(".status")).to_contain_text("Gelezen")
    assert asgi_server.call(Conversation.objects.count) == 1


def test_english_switch_changes_the_interface_and_is_remembered(utrecht, asgi_server, browser_page):
    page = open_chat(browser_page, asgi_server)
    switch = page.get_by_role("button", name="Switch to English")

    switch.click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("button", name="Send")).to_be_visible()
    expect(page.get_by_label("Your message")).to_be_visible()
    expect(page).to_have_title("Chat with Gemeente Utrecht")
    expect(page.get_by_role("button", name="Schakel naar Nederlands")).to_be_focused()
    screenshot(page, "resident-english-360.png")
    page.reload()
    expect(page.get_by_role("button", name="Send")).to_be_visible()


def test_outbox_survives_a_crash_and_is_never_doubled(webchat, asgi_server, browser_page):
    conversation, token = webchat
    # The page crashed twice: once after the server stored "one" but before the ack, and
    # once before "two" left the browser. Both wait in the outbox with their client ids.
    asgi_server.call(send, conversation, "one", client_id="client-id-one")
    outbox = [
        {"client_id": "client-id-one", "body": "one", "attachments": [], "files": []},
        {"client_id": "client-id-two", "body": "two", "attachments": [], "files": []},
    ]
    page = open_chat(browser_page, asgi_server)
    page.evaluate(
        """([token, outbox]) => {
            localStorage.setItem("balie:utrecht:token", JSON.stringify(token));
            localStorage.setItem("balie:utrecht:outbox", JSON.stringify(outbox));
        }""",
        [token, outbox],
    )

    page.reload()

    expect(page.locator("li.message.own[data-seq]")).to_have_count(2)
    expect(page.locator("li.message.pending")).to_have_count(0)
    assert asgi_server.call(bodies, conversation) == ["one", "two"]
    assert json.loads(page.evaluate("localStorage.getItem('balie:utrecht:outbox')")) == []


def test_message_typed_offline_is_sent_after_reconnect(utrecht, asgi_server, browser_page):
    page = browser_page(360, 740)
    outage = {"on": False, "sockets": []}

    def through_or_dropped(socket):
        if outage["on"]:
            socket.close()
            return
        socket.connect_to_server()
        outage["sockets"].append(socket)

    page.route_web_socket(re.compile(r"/ws/c/utrecht/$"), through_or_dropped)
    page.goto(f"{asgi_server.url}/c/utrecht/")
    connection = page.locator("#connection")
    expect(connection).to_have_attribute("data-state", "online")

    outage["on"] = True
    for socket in outage["sockets"]:
        socket.close()
    expect(connection).to_have_attribute("data-state", "offline")
    expect(connection).to_contain_text("Geen verbinding")
    composer = page.get_by_label("Uw bericht")
    composer.fill("Verstuurd zonder verbinding")
    composer.press("Enter")
    expect(page.locator("li.message.pending")).to_contain_text("Wordt verstuurd…")
    page.wait_for_timeout(1500)  # a reconnect attempt or two fails meanwhile

    outage["on"] = False
    sent = page.locator("li.message.own[data-seq]")
    expect(sent).to_contain_text("Verstuurd zonder verbinding", timeout=20_000)
    expect(page.locator("li.message.pending")).to_have_count(0)
    conversation = asgi_server.call(the_conversation)
    assert asgi_server.call(bodies, conversation) == ["Verstuurd zonder verbinding"]


def test_closed_conversation_offers_a_new_one(webchat, agent_anna, asgi_server, browser_page):
    conversation, token = webchat
    asgi_server.call(send, conversation, "Vraag over afval")
    page = open_chat(browser_page, asgi_server)
    page.evaluate(f"localStorage.setItem('balie:utrecht:token', {json.dumps(json.dumps(token))})")
    page.reload()
    expect(page.locator("li.message.own")).to_have_count(1)

    asgi_server.call(actions.do_change_status, conversation, actor=agent_anna, status=Status.CLOSED)
    closed = page.get_by_role("region", name="Dit gesprek is gesloten.")
    expect(closed).to_be_visible()
    expect(closed).to_contain_text("Start dan een nieuw gesprek.")
    expect(page.get_by_label("Uw bericht")).to_be_hidden()
    screenshot(page, "resident-closed-360.png")

    page.get_by_role("button", name="Nieuw gesprek starten").click()
    expect(page.locator("li.message")).to_have_count(0)
    composer = page.get_by_label("Uw bericht")
    expect(composer).to_be_focused()
    composer.fill("Nieuwe vraag")
    composer.press("Enter")
    expect(page.locator("li.message.own[data-seq]")).to_contain_text("Nieuwe vraag")
    newest = asgi_server.call(Conversation.objects.exclude(pk=conversation.pk).get)
    assert asgi_server.call(bodies, newest) == ["Nieuwe vraag"]
    assert asgi_server.call(bodies, conversation) == ["Vraag over afval"]


def test_widget_opens_the_chat_full_screen_on_a_phone(utrecht, asgi_server, browser_page):
    page = browser_page(360, 740)
    page.goto(f"{asgi_server.url}/c/utrecht/embed-example/")
    launcher = page.get_by_role("button", name="Chat met de gemeente")

    launcher.click()

    frame = page.frame_locator("iframe[title='Chat met Gemeente Utrecht']")
    expect(frame.locator("#connection")).to_have_attribute("data-state", "online")
    box = page.locator("iframe").bounding_box()
    assert box["width"] == 360
    screenshot(page, "widget-open-360.png")
    frame.get_by_label("Uw bericht").fill("Via de website")
    frame.get_by_label("Uw bericht").press("Enter")
    expect(frame.locator("li.message.own[data-seq]")).to_contain_text("Via de website")
    assert asgi_server.call(Message.objects.get).body == "Via de website"

    frame.get_by_label("Uw bericht").press("Escape")
    expect(page.locator("iframe")).to_be_hidden()
    expect(launcher).to_be_focused()


def _wait_for(condition, timeout=10.0):
    import time

    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


def test_hidden_tab_counts_unread_replies_in_the_title(
    webchat, agent_anna, asgi_server, browser_page
):
    conversation, token = webchat
    page = open_chat(browser_page, asgi_server)
    page.evaluate(f"localStorage.setItem('balie:utrecht:token', {json.dumps(json.dumps(token))})")
    page.reload()
    expect(page.locator("#connection")).to_have_attribute("data-state", "online")
    set_visibility(page, "hidden")

    for body in ("Eerste antwoord", "Tweede antwoord"):
        asgi_server.call(send, conversation, body, direction=Direction.OUTBOUND, author=agent_anna)
    expect(page).to_have_title("(2) Chat met Gemeente Utrecht")
    assert asgi_server.call(the_conversation).resident_read_seq == 0  # not seen yet

    set_visibility(page, "visible")
    expect(page).to_have_title("Chat met Gemeente Utrecht")
    _wait_for(lambda: asgi_server.call(the_conversation).resident_read_seq == 2)


def test_refused_file_is_explained_in_plain_dutch(utrecht, asgi_server, browser_page):
    page = open_chat(browser_page, asgi_server)

    page.locator("#file").set_input_files(
        files=[{"name": "foto.jpg", "mimeType": "image/jpeg", "buffer": b"<html>niet echt</html>"}]
    )

    expect(page.get_by_role("alert")).to_contain_text("Dit soort bestand kunt u niet sturen.")
    expect(page.locator("li.message")).to_have_count(0)
    assert asgi_server.call(Attachment.objects.count) == 0


def test_resident_edits_and_deletes_own_message(utrecht_team, asgi_server, browser_page):
    page = open_chat(browser_page, asgi_server)
    composer = page.get_by_label("Uw bericht")
    composer.fill("Mijn huisnummer is 12.")
    composer.press("Enter")
    own = page.locator("li.message.own").first
    expect(own.locator(".status")).to_contain_text("Verstuurd")

    page.once("dialog", lambda dialog: dialog.accept("Mijn huisnummer is 21."))
    own.get_by_role("button", name="Wijzigen").click()
    expect(page.locator("li.message.own").first).to_contain_text("Mijn huisnummer is 21.")
    expect(page.locator("li.message.own").first.locator(".edited")).to_have_text("bewerkt")

    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("li.message.own").first.get_by_role("button", name="Verwijderen").click()
    expect(page.locator("li.message.own").first).to_contain_text("Dit bericht is verwijderd.")
    message = asgi_server.call(lambda: the_conversation().messages.get())
    assert message.body == "" and message.deleted_at is not None and message.edited_at is not None


def test_too_many_uploads_are_explained_with_the_wait(
    utrecht_team, asgi_server, browser_page, settings
):
    settings.LIMIT_UPLOADS_PER_TOKEN = 1
    page = open_chat(browser_page, asgi_server)
    file = page.locator("#file")

    file.set_input_files(files=[{"name": "een.png", "mimeType": "image/png", "buffer": png()}])
    expect(page.locator("li.message.own")).to_have_count(1)
    file.set_input_files(files=[{"name": "twee.png", "mimeType": "image/png", "buffer": png()}])

    expect(page.get_by_role("alert")).to_contain_text("U heeft net veel bestanden gestuurd. Wacht")
    expect(page.locator("li.message.own")).to_have_count(1)
    assert asgi_server.call(Attachment.objects.count) == 1
