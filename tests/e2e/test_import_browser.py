"""An official imports a work chat in headless Chromium: upload, review the proposal chat by
chat with its reasons, decide from the keyboard, try to confirm with a doubt left open (refused,
nothing stored), decide it, confirm; only the chosen messages are in the archive. The review
page passes axe."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from balie.conversations.models import Message
from balie.imports.models import ImportBatch, ImportUpload
from tests.conftest import PASSWORD
from tests.e2e.accessibility import assert_accessible
from tests.imports.helpers import export_of
from tests.imports.test_import_actions import BUSINESS, PRIVATE, _mixed

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _stored(server) -> set[str]:
    return server.call(lambda: set(Message.objects.values_list("body", flat=True)))


def _review(page, base, export) -> None:
    page.goto(f"{base}/console/login/")
    page.get_by_label("Gebruikersnaam").fill("agent_anna")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(f"{base}/console/utrecht/")
    page.get_by_role("link", name="Werkchats importeren").click()
    page.get_by_label("Soort export").select_option("whatsapp")
    page.get_by_label("Bestand").set_input_files(str(export.path))
    page.get_by_label("Notitie over telefoon").fill("Werktelefoon")
    page.get_by_role("button", name="Uploaden en bekijken").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Berichten kiezen")


def test_official_decides_from_the_keyboard(
    monkeypatch, tmp_path, agent_anna, utrecht, asgi_server, browser_page
):
    # The model's proposal for _mixed(): 0, 2, 4 work; 1 and 3 private; 5 doubt.
    export = export_of(monkeypatch, tmp_path, _mixed())  # the parser's output, in process
    page = browser_page(1400, 900)
    base = asgi_server.url
    _review(page, base, export)
    messages = page.locator("table.import-messages")
    expect(messages).to_contain_text(BUSINESS[0])
    expect(messages).to_contain_text("Woorden die op werk wijzen")
    expect(messages).to_contain_text("twijfel")
    expect(page.get_by_label("Bewaren #0", exact=True)).to_be_checked()
    expect(page.get_by_label("Niet bewaren #1", exact=True)).to_be_checked()
    doubt = page.locator("tr.undecided")
    expect(doubt).to_have_count(1)
    expect(page.get_by_label("Bewaren #5", exact=True)).not_to_be_checked()
    expect(page.get_by_label("Niet bewaren #5", exact=True)).not_to_be_checked()
    assert_accessible(page, "the import review")

    # A doubt left open: refused, nothing stored, back on the review.
    page.get_by_role("button", name="Gekozen berichten in het archief zetten").click()
    expect(page.locator("[role=status]")).to_contain_text("1 bericht staat op 'twijfel'")
    assert not _stored(asgi_server)

    # j moves to the first message; four more to #4; n leaves it out, then b keeps #5.
    page.locator("body").press("j")
    for _ in range(4):
        page.keyboard.press("j")
    page.keyboard.press("n")
    page.keyboard.press("b")
    expect(page.get_by_label("Niet bewaren #4", exact=True)).to_be_checked()
    expect(page.get_by_label("Bewaren #5", exact=True)).to_be_checked()
    expect(doubt).to_have_count(0)
    page.get_by_role("button", name="Gekozen berichten in het archief zetten").click()

    expect(page.locator("[role=status]")).to_contain_text("Klaar: 3 nieuwe berichten")
    assert _stored(asgi_server) == {BUSINESS[0], BUSINESS[1], PRIVATE[2]}
    batch = asgi_server.call(lambda: ImportBatch.objects.get())
    assert (batch.channel, batch.owner_note) == ("console", "Werktelefoon")
    assert batch.classifier


def test_a_whole_chat_at_once_then_an_exception(
    monkeypatch, tmp_path, agent_anna, utrecht, asgi_server, browser_page
):
    export = export_of(monkeypatch, tmp_path, _mixed())
    page = browser_page(1400, 900)
    base = asgi_server.url
    _review(page, base, export)
    page.get_by_role("button", name="Niets van dit gesprek bewaren").click()
    expect(page.locator("[role=status]")).to_contain_text("6 berichten aangepast")
    expect(page.get_by_label("Niet bewaren #0", exact=True)).to_be_checked()
    page.get_by_label("Bewaren #2", exact=True).check()
    page.get_by_role("button", name="Opslaan", exact=True).click()
    upload = asgi_server.call(lambda: ImportUpload.objects.get())
    # only what differs from the proposal is kept: 1 and 3 are private by the proposal
    assert (upload.include, upload.exclude) == ([], [0, 4, 5])
    page.get_by_role("button", name="Gekozen berichten in het archief zetten").click()
    expect(page.locator("[role=status]")).to_contain_text("Klaar: 1 nieuwe berichten")
    assert _stored(asgi_server) == {BUSINESS[1]}
