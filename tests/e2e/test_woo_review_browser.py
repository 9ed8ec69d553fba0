"""Two Woo coordinators review the same document in headless Chromium: the detector's
proposals are marked with their reasons; one accepts and rejects from the keyboard and the
other sees it live without reloading; a selection is blacked out (after an emoji: positions in
code points); the decision is saved; the page passes axe."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from balie.conversations import actions
from balie.woo.actions import do_register_request
from balie.woo.models import Redaction, RedactionState
from balie.woo.review import do_collect, do_propose_redactions
from tests.conftest import PASSWORD
from tests.e2e.accessibility import assert_accessible
from tests.factories import send

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

BODY = "Ik ben Fatima el Amrani 🎡, bel mij op 06-12345678 over de kermis in Zuilen."


def _login(page, base, username):
    page.goto(f"{base}/console/login/")
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(f"{base}/console/utrecht/")


def test_two_reviewers_see_each_others_work_live(
    utrecht, woo_wim, woo_wanda, utrecht_team, asgi_server, browser_page
):
    def prepare():
        request = do_register_request(
            utrecht.pk, actor=woo_wim, reference="WOO-2026-030", received_on="2026-11-03",
            subject="Kermis",
        )  # fmt: skip
        conversation, _ = actions.do_start_webchat(utrecht)
        send(conversation, BODY)
        do_collect(request, actor=woo_wim, conversation_ids=[conversation.pk], found_by="test")
        do_propose_redactions(request, actor=woo_wim)

    asgi_server.call(prepare)
    base = asgi_server.url
    url = f"{base}/console/utrecht/woo/WOO-2026-030/documents/1/"

    wim, wanda = browser_page(1280, 900), browser_page(1280, 900)
    for page, name in ((wim, "woo_wim"), (wanda, "woo_wanda")):
        _login(page, base, name)
        page.goto(url)
        expect(page.locator(".woo-redaction").first).to_be_visible()
    marks = wim.locator("mark.woo-mark")
    expect(marks.filter(has_text="06-12345678")).to_have_count(1)
    expect(wim.locator("#woo-redactions")).to_contain_text("Telefoonnummer")
    expect(wim.locator("#woo-progress")).to_contain_text("0 van 1 documenten besloten")
    assert_accessible(wim, "the Woo review page")

    # Wim: j to the first redaction (the name), a accepts it; then j, r rejects the phone.
    wim.locator("body").press("j")
    wim.keyboard.press("a")
    expect(wim.locator(".woo-redaction.state-accepted")).to_have_count(1)
    # Wanda's page shows it without a reload.
    expect(wanda.locator(".woo-redaction.state-accepted")).to_have_count(1)
    expect(wanda.locator("mark.state-accepted")).to_contain_text("Fatima")
    phone = wim.locator(".woo-redaction", has_text="06-12345678")
    phone.focus()
    wim.keyboard.press("r")
    expect(wanda.locator(".woo-redaction.state-rejected")).to_contain_text("06-12345678")
    expect(wanda.locator(".woo-redaction.state-rejected")).to_contain_text("Wim")
    # Wanda changes her mind on the phone number: the last change wins, on both pages.
    wanda.locator(".woo-redaction", has_text="06-12345678").get_by_role(
        "button", name="Zwartmaken"
    ).click()
    expect(wim.locator(".woo-redaction.state-accepted", has_text="06-12345678")).to_have_count(1)

    # A selection after the emoji, blacked out with x.
    wim.evaluate(
        """() => {
          const body = document.querySelector('.woo-body');
          const walker = document.createTreeWalker(body, NodeFilter.SHOW_TEXT);
          let node; while ((node = walker.nextNode()) && !node.data.includes('Zuilen')) {}
          const range = document.createRange();
          const at = node.data.indexOf('Zuilen');
          range.setStart(node, at); range.setEnd(node, at + 6);
          getSelection().removeAllRanges(); getSelection().addRange(range);
        }"""
    )
    wim.locator("body").press("x")
    expect(wanda.locator("mark.state-accepted", has_text="Zuilen")).to_have_count(1)
    added = asgi_server.call(
        lambda: Redaction.objects.values("start", "end").get(source="reviewer")
    )
    assert BODY[added["start"] : added["end"]] == "Zuilen"

    # The decision, seen live on the other page.
    wim.locator("#woo-decision-value").select_option("deels_openbaar")
    wim.locator("#woo-decision-grounds").fill("5.1.2e")
    wim.get_by_role("button", name="Beslissing opslaan").click()
    expect(wanda.locator("#woo-progress")).to_contain_text("1 van 1 documenten besloten")
    expect(wanda.locator("#woo-decision-grounds")).to_have_value("5.1.2e")
    phone = asgi_server.call(lambda: Redaction.objects.get(category="phone").state)
    assert phone == RedactionState.ACCEPTED

    # The request's page and the dashboard, with the publicatiebank form, pass axe too.
    wim.goto(f"{base}/console/utrecht/woo/WOO-2026-030/")
    expect(wim.get_by_role("heading", level=1)).to_contain_text("WOO-2026-030")
    assert_accessible(wim, "a Woo request's page")
    wim.goto(f"{base}/console/utrecht/woo/")
    expect(wim.get_by_role("heading", name="Publicatiebank (GPP-Woo)")).to_be_visible()
    assert_accessible(wim, "the Woo dashboard")
