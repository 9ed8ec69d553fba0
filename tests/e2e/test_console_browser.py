"""The agent console in headless Chromium against a real ASGI server.

An agent logs in, sees an unread resident message, opens the conversation, receives a new
resident message live, replies, writes an internal note, and works in two conversations at
once. Data made during the test is written on the server's own event loop, as a request
would, so its events reach the sockets through the in-memory channel layer (and because
the Playwright sync API keeps an event loop running in the test's own thread).
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from PIL import Image
from playwright.sync_api import expect

from balie.archive.models import RecordClass
from balie.conversations import actions, events
from balie.conversations.models import Conversation, Direction, Message
from tests.conftest import PASSWORD
from tests.factories import send

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def console_server(asgi_server):
    return asgi_server


@pytest.fixture
def page(browser_page):
    return browser_page(1500, 900)


def _log_in(page, base_url):
    page.goto(f"{base_url}/console/login/")
    page.get_by_label("Gebruikersnaam").fill("agent_anna")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(f"{base_url}/console/utrecht/")
    expect(page.locator("#connection")).to_have_text("Verbonden")


def test_agent_handles_two_conversations_live(agent_anna, utrecht, webchat, console_server, page):
    waste, _ = webchat
    parking = console_server.call(_chat, utrecht, "Hoe vraag ik een parkeervergunning aan?")
    console_server.call(send, waste, "Mijn container is niet geleegd.")

    _log_in(page, console_server.url)
    waste_row = page.locator(f'li.row[data-id="{waste.pk}"]')
    expect(waste_row.locator(".badge.unread")).to_have_text("1")

    waste_row.get_by_role("link").click()
    pane = page.locator(f'section.pane[data-conversation="{waste.pk}"]')
    expect(pane.locator("li.msg-inbound")).to_contain_text("Mijn container is niet geleegd.")
    expect(waste_row.locator(".badge.unread")).to_have_text("0")  # read on opening

    console_server.call(send, waste, "Hij staat nog steeds vol.")
    expect(pane.locator("li.msg-inbound").last).to_contain_text("Hij staat nog steeds vol.")

    composer = pane.get_by_label("Uw bericht")
    composer.fill("We sturen vandaag iemand langs.")
    composer.press("Enter")
    expect(pane.locator("li.msg-outbound").last).to_contain_text("We sturen vandaag iemand langs.")
    pane.get_by_label("Interne notitie (inwoner ziet dit niet)").check()
    composer.fill("Route 12 heeft vertraging.")
    composer.press("Enter")
    note = pane.locator("li.msg-note").last
    expect(note).to_contain_text("Route 12 heeft vertraging.")
    expect(note).to_contain_text("Interne notitie")
    expect(pane.locator("li.pending")).to_have_count(0)

    page.locator(f'li.row[data-id="{parking.pk}"]').get_by_role("link").click()
    second = page.locator(f'section.pane[data-conversation="{parking.pk}"]')
    expect(second.locator("li.msg-inbound")).to_contain_text("parkeervergunning")
    expect(page.locator("section.pane")).to_have_count(2)
    expect(pane).to_be_visible()

    # The resident types and reads; the agent sends a photo in the second conversation.
    console_server.call(events.send_event, _resident_typing(waste), [events.staff_group(waste.pk)])
    expect(pane.locator(".typing")).to_have_text("Inwoner typt…")
    console_server.call(_resident_reads_everything, waste)
    expect(pane.locator("li.msg-outbound .read-mark")).to_be_visible()
    second.locator("input[type=file]").set_input_files(
        files=[{"name": "foto.png", "mimeType": "image/png", "buffer": _png()}]
    )
    expect(second.locator(".chips .done")).to_be_visible()
    second.get_by_label("Uw bericht").press("Enter")
    expect(second.locator("li.msg-outbound img[alt='foto.png']")).to_be_visible()

    expect(page.locator("[data-team-unread]").first).to_have_text("0")  # both read now

    stored = console_server.call(_directions_and_authors, waste)
    assert stored["We sturen vandaag iemand langs."] == (Direction.OUTBOUND, agent_anna.pk)
    assert stored["Route 12 heeft vertraging."] == (Direction.NOTE, agent_anna.pk)
    _screenshot(page, "console.png")


def test_new_conversation_appears_in_the_inbox_live(
    agent_anna, utrecht, utrecht_team, console_server, page
):
    _log_in(page, console_server.url)
    expect(page.locator("li.row")).to_have_count(0)

    conversation = console_server.call(
        _chat, utrecht, "Is het stadskantoor morgen open?", "Ik wil een paspoort ophalen."
    )
    row = page.locator(f'li.row[data-id="{conversation.pk}"]')
    expect(row.locator(".badge.unread")).to_have_text("2")
    expect(page.locator(f'[data-team-unread="{utrecht_team.pk}"]')).to_have_text("2")


def test_console_resumes_and_resends_after_the_connection_drops(
    agent_anna, webchat, console_server, page
):
    waste, _ = webchat
    console_server.call(send, waste, "Eerste vraag.")
    sockets = {"blocked": False, "open": []}

    def route(ws):
        if sockets["blocked"]:  # the network is down: refuse the reconnect
            ws.close(code=4000, reason="offline")
            return
        ws.connect_to_server()
        sockets["open"].append(ws)

    page.route_web_socket(re.compile(r"/ws/agent/$"), route)
    _log_in(page, console_server.url)
    page.locator(f'li.row[data-id="{waste.pk}"]').get_by_role("link").click()
    pane = page.locator(f'section.pane[data-conversation="{waste.pk}"]')
    expect(pane.locator("li.msg-inbound .body")).to_have_text(["Eerste vraag."])

    sockets["blocked"] = True
    sockets["open"][-1].close(code=4000, reason="offline")
    expect(page.locator("#connection")).to_contain_text("Verbinding verbroken")
    console_server.call(send, waste, "Bericht tijdens de storing.")
    composer = pane.get_by_label("Uw bericht")
    composer.fill("Antwoord tijdens de storing.")
    composer.press("Enter")
    expect(pane.locator("li.pending")).to_contain_text("Wordt verzonden")

    sockets["blocked"] = False
    expect(pane.locator("li.pending")).to_have_count(0, timeout=20_000)
    expect(pane.locator("li.msg-inbound .body")).to_have_text(
        ["Eerste vraag.", "Bericht tijdens de storing."]
    )
    expect(pane.locator("li.msg-outbound .body")).to_have_text(["Antwoord tijdens de storing."])
    stored = console_server.call(_directions_and_authors, waste)
    assert stored["Antwoord tijdens de storing."] == (Direction.OUTBOUND, agent_anna.pk)


def _resident_typing(conversation):
    return {"type": "typing", "side": "resident", "conversation": conversation.pk}


def _resident_reads_everything(conversation):
    conversation.refresh_from_db()
    actions.do_mark_read(conversation, side="resident", seq=conversation.last_seq)


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), (20, 120, 200)).save(buffer, "PNG")
    return buffer.getvalue()


def _chat(organisation, *bodies):
    conversation, _ = actions.do_start_webchat(organisation)
    for body in bodies:
        send(conversation, body)
    return conversation


def _directions_and_authors(conversation) -> dict[str, tuple[str, int | None]]:
    rows = Message.objects.filter(conversation=conversation)
    return {
        body: (direction, author)
        for body, direction, author in rows.values_list("body", "direction", "author_id")
    }


def _screenshot(page, name):
    target = Path(settings.DATA_DIR) / name
    target.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(target), full_page=False)


def test_agent_records_case_reference_and_labels(agent_anna, webchat, console_server, page):
    conversation, _ = webchat
    console_server.call(send, conversation, "Mijn paspoort is gestolen.")
    _log_in(page, console_server.url)
    page.locator(f'li.row[data-id="{conversation.pk}"]').get_by_role("link").click()
    pane = page.locator(f'section.pane[data-conversation="{conversation.pk}"]')
    pane.get_by_text("Onderwerp, zaaknummer, labels").click()
    pane.get_by_label("Onderwerp").fill("Paspoort gestolen")
    pane.get_by_label("Zaaknummer").fill("Z-2026-0099")
    pane.get_by_label("Labels (met komma's)").fill("paspoort, aangifte")
    pane.get_by_role("button", name="Opslaan").click()
    expect(pane.locator(".pane-sub")).to_contain_text("Z-2026-0099")
    expect(pane.locator(".pane-sub")).to_contain_text("#aangifte")
    stored = console_server.call(
        lambda: Conversation.objects.prefetch_related("labels").get(pk=conversation.pk)
    )
    assert (stored.subject, stored.case_reference) == ("Paspoort gestolen", "Z-2026-0099")
    assert sorted(label.name for label in stored.labels.all()) == ["aangifte", "paspoort"]


def test_agent_chooses_the_record_class(agent_anna, webchat, console_server, page):
    conversation, _ = webchat
    console_server.call(send, conversation, "De lantaarnpaal is kapot.")
    melding = console_server.call(
        lambda: RecordClass.objects.get(organisation=conversation.organisation, code="KCC-MELDING")
    )
    _log_in(page, console_server.url)
    page.locator(f'li.row[data-id="{conversation.pk}"]').get_by_role("link").click()
    pane = page.locator(f'section.pane[data-conversation="{conversation.pk}"]')
    chooser = pane.get_by_label("Categorie (bewaartermijn)")
    expect(chooser).to_have_value(str(conversation.record_class_id))
    with page.expect_response(lambda response: "/record-class/" in response.url) as answer:
        chooser.select_option(str(melding.pk))
    assert answer.value.status == 200
    stored = console_server.call(lambda: Conversation.objects.get(pk=conversation.pk))
    assert stored.record_class_id == melding.pk


def test_agent_edits_and_deletes_own_reply(agent_anna, webchat, console_server, page):
    conversation, _ = webchat
    console_server.call(send, conversation, "Wanneer wordt het grofvuil opgehaald?")
    _log_in(page, console_server.url)
    page.locator(f'li.row[data-id="{conversation.pk}"]').get_by_role("link").click()
    pane = page.locator(f'section.pane[data-conversation="{conversation.pk}"]')
    composer = pane.get_by_label("Uw bericht")
    composer.fill("Op dinsdag.")
    composer.press("Enter")
    reply = pane.locator("li.msg-outbound").last
    expect(reply).to_contain_text("Op dinsdag.")

    page.once("dialog", lambda dialog: dialog.accept("Op woensdag."))
    reply.get_by_role("button", name="Bewerken").click()
    expect(reply).to_contain_text("Op woensdag.")
    expect(pane.locator("li.msg-outbound").last.locator(".edited")).to_have_text("bewerkt")

    page.once("dialog", lambda dialog: dialog.accept())
    pane.locator("li.msg-outbound").last.get_by_role("button", name="Verwijderen").click()
    expect(pane.locator("li.msg-outbound").last).to_contain_text("Dit bericht is verwijderd.")
    stored = console_server.call(
        lambda: Message.objects.get(conversation=conversation, direction=Direction.OUTBOUND)
    )
    assert stored.body == "" and stored.deleted_at is not None


def test_console_switches_to_english_script_texts_included(
    agent_anna, utrecht, console_server, page
):
    _log_in(page, console_server.url)

    page.get_by_role("button", name="Taal: English").click()

    page.wait_for_url(f"{console_server.url}/console/utrecht/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#connection")).to_have_text("Connected")  # console.js, via jsi18n
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    page.reload()
    expect(page.locator("#connection")).to_have_text("Connected")


def test_a_live_update_moves_the_conversation_to_the_top(agent_anna, utrecht, console_server, page):
    """The page renders times with the local offset (+01:00), live updates in UTC: the inbox
    sorts by time, not by the text (a finding of issue 10)."""
    older = console_server.call(_chat, utrecht, "Een oude vraag.")
    newer = console_server.call(_chat, utrecht, "Een nieuwere vraag.")
    console_server.call(_set_last, older, minutes=120)
    console_server.call(_set_last, newer, minutes=5)

    _log_in(page, console_server.url)
    rows = page.locator("li.row")
    expect(rows.first).to_have_attribute("data-id", str(newer.pk))

    console_server.call(send, older, "Nu weer actueel.")
    expect(rows.first).to_have_attribute("data-id", str(older.pk))


def _set_last(conversation, *, minutes: int) -> None:
    from datetime import timedelta

    from django.utils import timezone

    Conversation.objects.filter(pk=conversation.pk).update(
        last_message_at=timezone.now() - timedelta(minutes=minutes)
    )
