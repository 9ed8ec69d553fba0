"""An official imports a work chat in headless Chromium: upload, review the proposal with its
reasons, change a choice, confirm; only the chosen messages are in the archive."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from balie.conversations.models import Message
from balie.imports.models import ImportBatch
from tests.conftest import PASSWORD
from tests.imports.helpers import export_of
from tests.imports.test_import_actions import BUSINESS, PRIVATE, _mixed

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _stored(server) -> set[str]:
    return server.call(lambda: set(Message.objects.values_list("body", flat=True)))


def test_official_imports_a_work_chat(
    monkeypatch, tmp_path, agent_anna, utrecht, asgi_server, browser_page
):
    export = export_of(monkeypatch, tmp_path, _mixed())  # the parser's output, in process
    page = browser_page(1400, 900)
    base = asgi_server.url
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
    expect(page.locator("table.import-messages")).to_contain_text(BUSINESS[0])
    expect(page.locator("table.import-messages")).to_contain_text("Gaat over gemeentezaken")
    keep = page.get_by_label("Bewaren #5")
    expect(keep).not_to_be_checked()  # private, outside working hours: not proposed
    expect(page.get_by_label("Bewaren #0")).to_be_checked()
    page.get_by_label("Bewaren #4").uncheck()
    page.get_by_role("button", name="Gekozen berichten in het archief zetten").click()

    expect(page.locator("[role=status]")).to_contain_text("Klaar: 2 nieuwe berichten")
    assert _stored(asgi_server) == {BUSINESS[0], BUSINESS[1]}
    assert not _stored(asgi_server) & set(PRIVATE)
    batch = asgi_server.call(lambda: ImportBatch.objects.get())
    assert (batch.channel, batch.owner_note) == ("console", "Werktelefoon")
