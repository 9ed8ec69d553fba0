"""The supervisor dashboard in headless Chromium: a team lead filters a known history and
reads the numbers a hand count gives; the queue follows the staff socket at once; no
axe-core violations."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from balie.conversations import actions
from tests.conftest import PASSWORD
from tests.e2e.accessibility import assert_accessible
from tests.factories import make_timed

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def at(hour: int, minute: int) -> datetime:
    return datetime(2026, 3, 2, hour, minute, tzinfo=AMSTERDAM)


def history(utrecht, utrecht_team):
    """Monday 2 March 2026, Dutch time:

    A 08:10 web chat, Algemeen: answered after 30 s, resolved after 600 s, closed
    B 08:50 web chat, Algemeen: answered after 90 s, resolved after 3600 s, closed
    C 13:20 WhatsApp, Afval: answered after 150 s, open, nobody assigned
    D 13:45 WhatsApp, Afval: not answered, open, nobody assigned, waiting since 13:45
    X 09:00 imported chat: counts nowhere
    """
    afval = actions.do_create_team(utrecht, name="Afval")
    make_timed(utrecht, created=at(8, 10), first_response=30, resolved=600, status="closed")
    make_timed(utrecht, created=at(8, 50), first_response=90, resolved=3600, status="closed")
    make_timed(utrecht, created=at(13, 20), first_response=150, team=afval, channel="whatsapp")
    make_timed(utrecht, created=at(13, 45), team=afval, channel="whatsapp",
               waiting_since=at(13, 45))  # fmt: skip
    make_timed(utrecht, created=at(9, 0), first_response=1, kind="imported", status="closed")
    return afval


def test_lead_reads_the_hand_counted_figures(
    lead_lotte, utrecht, utrecht_team, asgi_server, browser_page
):
    asgi_server.call(history, utrecht, utrecht_team)
    page = browser_page(1280, 900)
    page.goto(f"{asgi_server.url}/console/login/")
    page.get_by_label("Gebruikersnaam").fill("lead_lotte")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(f"{asgi_server.url}/console/utrecht/")

    page.get_by_role("link", name="Dashboard").click()
    page.wait_for_url("**/console/utrecht/dashboard/")
    page.get_by_label("Vanaf").fill("2026-03-02")
    page.get_by_label("Tot en met").fill("2026-03-02")
    page.get_by_role("button", name="Toon").click()
    page.wait_for_url("**/dashboard/?since=2026-03-02&until=2026-03-02&team=&channel=")

    # Started: A, B, C, D = 4 (X is imported); 2 in the 08:00 hour and 2 in the 13:00 hour.
    expect(page.get_by_text("Gesprekken begonnen in deze periode: 4")).to_be_visible()
    page.get_by_text("Toon als tabel").click()
    expect(page.locator('td[data-hour="8"]')).to_have_text("2")
    expect(page.locator('td[data-hour="13"]')).to_have_text("2")
    expect(page.locator('td[data-hour="9"]')).to_have_text("0")
    # First answers 30, 90, 150 s: median the middle one, 90 s; p90 at 0.9·2 = 1.8, so
    # 90 + (150 − 90)·0.8 = 138 s.
    first = page.locator('[data-figures="first-response-day"] tr[data-key="02-03"] td')
    expect(first).to_have_text(["3", "1 min 30 s", "2 min 18 s"])
    # Resolved after 600 and 3600 s (C and D are not): median 600 + 3000·0.5 = 2100 s,
    # p90 600 + 3000·0.9 = 3300 s.
    resolved = page.locator('[data-figures="resolution-day"] tr[data-key="02-03"] td')
    expect(resolved).to_have_text(["2", "35 min 00 s", "55 min 00 s"])
    per_channel = page.locator('[data-figures="first-response-channel"] tbody tr')
    expect(per_channel).to_have_count(2)  # web chat 30, 90; WhatsApp 150
    # The queue now: Afval has C and D open without an assignee, D waits; Algemeen is empty.
    queue = page.locator("#queue tbody tr")
    expect(queue).to_have_count(1)
    expect(queue.locator("th, td").nth(0)).to_have_text("Afval")
    expect(queue.locator("td").nth(0)).to_have_text("2")
    expect(queue.locator("td").nth(1)).to_have_text("1")
    expect(page.locator("svg title").first).to_have_text("Gesprekken per uur van de dag")
    assert_accessible(page, "dashboard")

    # A new resident writes: the staff socket tells the page, and the queue shows it at once
    # (well within expect's 5 s; the timer alone would take 30 s).
    expect(page.locator("#queue")).to_have_attribute("data-live", "true")
    asgi_server.call(actions.do_start_webchat, utrecht)
    expect(page.locator("#queue tbody tr")).to_have_count(2)
    expect(page.locator("#queue tr[data-team]").first.locator("th")).to_have_text("Algemeen")
    expect(page.locator("#queue tr[data-team]").first.locator("td").nth(0)).to_have_text("1")

    # And without the socket, the timer (here: the page becoming visible again) catches up.
    asgi_server.call(make_timed, utrecht, created=at(14, 0), waiting_since=at(14, 0))
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    expect(page.locator("#queue tr[data-team]").first.locator("td").nth(0)).to_have_text("2")
