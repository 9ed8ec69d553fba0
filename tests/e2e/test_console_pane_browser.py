"""The conversation pane in Chromium for what a channel and an integration add to it:
WhatsApp's 24-hour window (the composer shut with the reason outside it, a template sent
instead, the window opening again when the resident answers, closing while the page is open,
and the server's refusals shown in the pane) on a phone's 360 px, and the conversation's
registration in Klantinteracties (Open Klant) with its link. Each state passes axe-core.

No delivery task runs here (there is no worker): answers stay *being sent*, and what the
channel would report is recorded through the delivery action as the task would.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from balie.accounts.actions import do_create_staff_user, do_set_membership
from balie.accounts.models import Role
from balie.connectors import accounts
from balie.connectors.inbound import Inbound, do_receive
from balie.connectors.models import ChannelThread
from balie.connectors.whatsapp.models import TemplateMessage
from balie.connectors.whatsapp.templates import do_add_template, do_update_template
from balie.conversations import actions
from balie.conversations.delivery import do_record_delivery
from balie.conversations.models import DeliveryStatus, Direction, Message
from balie.integrations.klantinteracties import client, tasks
from balie.integrations.klantinteracties.connection import do_configure_connection
from balie.integrations.klantinteracties.models import Registration
from tests.conftest import PASSWORD
from tests.e2e.accessibility import assert_accessible
from tests.e2e.conftest import screenshot
from tests.factories import send
from tests.integrations.klantinteracties.fake_openklant import FakeOpenKlant

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

RESIDENT = "31612345678"
TEMPLATE = "Beste {{1}}, wij wachten nog op uw antwoord."
OPEN_KLANT_TOKEN = "ok-token-e2e-pane"  # noqa: S105 - test data
TEMPLATE_FORM = "Goedgekeurd sjabloon sturen"


@pytest.fixture
def whatsapp(utrecht, utrecht_team):
    """Utrecht's WhatsApp number (Meta is never called: no delivery task runs) and one
    approved template."""
    account = accounts.do_add_channel(
        utrecht.pk, actor=None, kind="whatsapp", name="WhatsApp Gemeente Utrecht",
        settings={"phone_number_id": "106540352242922", "graph_url": "http://127.0.0.1:9/v21.0"},
        secrets={"access_token": "e2e-token", "app_secret": "e2e-app-secret",
                 "verify_token": "e2e-verify"},
    )  # fmt: skip
    template = do_add_template(
        account, actor=None, name="herinnering", language="nl", body=TEMPLATE, approved=True
    )
    return account, template


def _resident_writes(account, external_id: str, body: str) -> int:
    message = do_receive(account, Inbound(external_id, RESIDENT, body, name="Fatima Bakker"))
    return message.conversation_id


def _whatsapp_chat(account, *, written_ago: timedelta) -> int:
    """A resident's WhatsApp message that Balie received ``written_ago``."""
    conversation_id = _resident_writes(account, "wamid.first", "Mijn container is niet geleegd.")
    ChannelThread.objects.filter(conversation_id=conversation_id).update(
        last_inbound_at=timezone.now() - written_ago
    )
    return conversation_id


def _refused_outside_the_window(conversation_id: int) -> None:
    """What the delivery task records when WhatsApp says the 24 hours have passed."""
    ChannelThread.objects.filter(conversation_id=conversation_id).update(
        last_inbound_at=timezone.now() - timedelta(days=2)
    )
    message = Message.objects.get(conversation_id=conversation_id, direction=Direction.OUTBOUND)
    do_record_delivery(
        message,
        DeliveryStatus.FAILED,
        error="outside_window: het laatste bericht van de inwoner is meer dan 24 uur oud",
    )


def _templates_sent(conversation_id: int) -> list[tuple[str, list[str]]]:
    rows = TemplateMessage.objects.filter(message__conversation_id=conversation_id)
    return [(row.template.name, row.parameters) for row in rows.select_related("template")]


def _log_in(page, base_url: str) -> None:
    page.goto(f"{base_url}/console/login/")
    page.get_by_label("Gebruikersnaam").fill("agent_anna")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(f"{base_url}/console/utrecht/")
    expect(page.locator("#connection")).to_have_text("Verbonden")


def _open(page, conversation_id: int):
    page.locator(f'li.row[data-id="{conversation_id}"]').get_by_role("link").click()
    pane = page.locator(f'section.pane[data-conversation="{conversation_id}"]')
    expect(pane.locator("li.msg-inbound").first).to_be_visible()
    return pane


def _fits(page, width: int) -> None:
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width


def test_outside_the_window_the_agent_sends_a_template(
    agent_anna, whatsapp, asgi_server, browser_page
):
    account, template = whatsapp
    conversation = asgi_server.call(_whatsapp_chat, account, written_ago=timedelta(hours=30))
    page = browser_page(360, 740)
    _log_in(page, asgi_server.url)
    pane = _open(page, conversation)

    composer = pane.get_by_label("Uw bericht")
    expect(composer).to_be_disabled()
    why = pane.locator(".wa-closed")
    expect(why).to_contain_text("U kunt nu niet vrij antwoorden via WhatsApp.")
    expect(why).to_contain_text(
        "WhatsApp laat u alleen vrij antwoorden binnen 24 uur na het laatste bericht van de "
        "inwoner."
    )
    expect(why).to_contain_text("alleen een sjabloon sturen dat WhatsApp heeft goedgekeurd")
    form = pane.get_by_role("form", name=TEMPLATE_FORM)
    expect(form.get_by_label("Sjabloon", exact=True)).to_have_value(str(template.pk))
    value = form.get_by_label("Waarde 1")
    value.fill("mevrouw Bakker")
    expect(form.locator(".wa-preview")).to_contain_text(
        "Beste mevrouw Bakker, wij wachten nog op uw antwoord."
    )
    _fits(page, 360)
    assert_accessible(page, "a WhatsApp conversation outside the 24-hour window")
    screenshot(page, "whatsapp-window-closed.png")

    value.press("Enter")  # the form sends from the keyboard
    expect(pane.locator("li.msg-outbound .body")).to_have_text(
        ["Beste mevrouw Bakker, wij wachten nog op uw antwoord."]
    )
    expect(value).to_have_value("")
    expect(composer).to_be_disabled()  # a template does not open the window
    assert asgi_server.call(_templates_sent, conversation) == [("herinnering", ["mevrouw Bakker"])]

    # The resident answers: the window opens again, live.
    asgi_server.call(_resident_writes, account, "wamid.second", "Ik ben morgen thuis.")
    expect(composer).to_be_enabled()
    expect(pane.locator(".wa-open")).to_contain_text("WhatsApp: u kunt vrij antwoorden tot")
    expect(form).to_be_hidden()
    assert_accessible(page, "a WhatsApp conversation whose window opened again")


def test_inside_the_window_the_composer_works_as_for_any_channel(
    agent_anna, whatsapp, asgi_server, browser_page
):
    account, _template = whatsapp
    conversation = asgi_server.call(_whatsapp_chat, account, written_ago=timedelta(minutes=5))
    page = browser_page(360, 740)
    _log_in(page, asgi_server.url)
    pane = _open(page, conversation)

    expect(pane.locator(".wa-open")).to_contain_text("WhatsApp: u kunt vrij antwoorden tot")
    expect(pane.get_by_role("form", name=TEMPLATE_FORM)).to_be_hidden()
    composer = pane.get_by_label("Uw bericht")
    expect(composer).to_be_focused()
    composer.fill("We komen morgen langs.")
    composer.press("Enter")
    expect(pane.locator("li.msg-outbound .body")).to_have_text(["We komen morgen langs."])
    _fits(page, 360)
    assert_accessible(page, "a WhatsApp conversation inside the 24-hour window")
    screenshot(page, "whatsapp-window-open.png")

    # WhatsApp refused it after all (the 24 hours had passed by then): the pane says so and
    # offers the templates.
    asgi_server.call(_refused_outside_the_window, conversation)
    expect(pane.locator(".notice")).to_have_text(
        "WhatsApp heeft een bericht niet afgeleverd, omdat de 24 uur voorbij waren. Stuur in "
        "plaats daarvan een goedgekeurd sjabloon."
    )
    expect(pane.locator("li.msg-outbound .delivery")).to_contain_text("Niet afgeleverd")
    expect(composer).to_be_disabled()
    expect(pane.get_by_role("form", name=TEMPLATE_FORM)).to_be_visible()


def test_the_window_closes_while_the_page_is_open(agent_anna, whatsapp, asgi_server, browser_page):
    account, _template = whatsapp
    page = browser_page(360, 740)
    _log_in(page, asgi_server.url)
    almost = timedelta(hours=24) - timedelta(seconds=8)  # it closes in 8 seconds
    conversation = asgi_server.call(_whatsapp_chat, account, written_ago=almost)
    pane = _open(page, conversation)
    expect(pane.locator(".wa-open")).to_be_visible()

    composer = pane.get_by_label("Uw bericht")
    expect(composer).to_be_disabled(timeout=15_000)
    expect(pane.locator(".wa-closed")).to_contain_text("Die 24 uur zijn voorbij sinds")
    expect(pane.get_by_label("Sjabloon", exact=True)).to_be_focused()  # was typing: moved on

    # An internal note is still possible: the resident never receives it.
    pane.get_by_label("Interne notitie (inwoner ziet dit niet)").check()
    expect(composer).to_be_enabled()
    composer.fill("Inwoner gebeld, belt morgen terug.")
    composer.press("Enter")
    expect(pane.locator("li.msg-note .body")).to_have_text(["Inwoner gebeld, belt morgen terug."])


def test_a_refused_template_is_shown_in_the_pane(agent_anna, whatsapp, asgi_server, browser_page):
    account, template = whatsapp
    conversation = asgi_server.call(_whatsapp_chat, account, written_ago=timedelta(days=3))
    page = browser_page(360, 740)
    _log_in(page, asgi_server.url)
    pane = _open(page, conversation)
    form = pane.get_by_role("form", name=TEMPLATE_FORM)
    form.get_by_label("Waarde 1").fill("meneer De Vries")

    # Meanwhile Meta paused the template and the administrator's Balie heard of it.
    asgi_server.call(do_update_template, template, actor=None, approved=False)
    form.get_by_role("button", name="Sjabloon sturen").click()
    expect(form.get_by_role("alert")).to_have_text(
        "Het sjabloon is niet verstuurd: Dit sjabloon bestaat niet of is niet goedgekeurd."
    )
    expect(form).to_contain_text("Er zijn nog geen goedgekeurde sjablonen")
    expect(pane.locator("li.msg-outbound")).to_have_count(0)
    assert_accessible(page, "a WhatsApp conversation whose template was refused")


@pytest.fixture
def openklant(monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setattr(client, "TIMEOUT", (2.0, 2.0))
    with FakeOpenKlant(OPEN_KLANT_TOKEN) as fake:
        yield fake
    assert fake.violations == [], "\n".join(fake.violations)


def _registered_chat(organisation, agent, admin, url: str, token: str, body: str) -> int:
    """A web chat resolved and registered (or refused by Open Klant) as a worker would."""
    do_configure_connection(organisation.pk, actor=admin, url=url, token=token)
    conversation, _ = actions.do_start_webchat(organisation)
    send(conversation, body)
    actions.do_change_status(conversation, actor=agent, status="resolved")
    tasks.register_conversation.call(Registration.objects.get(conversation=conversation).pk)
    return conversation.pk


def _klantcontact(conversation_id: int) -> str:
    return Registration.objects.get(conversation_id=conversation_id).klantcontact_url


@pytest.fixture
def admin_ada(utrecht):
    """Utrecht's application administrator, who sets the connection up."""
    user = do_create_staff_user(username="admin_ada", password=PASSWORD, first_name="Ada")
    do_set_membership(user, utrecht, Role.ADMIN)
    return user


def test_the_pane_shows_the_registration_in_klantinteracties(
    utrecht, utrecht_team, agent_anna, admin_ada, openklant, asgi_server, browser_page
):
    api = openklant.api + "/"
    registered = asgi_server.call(
        _registered_chat, utrecht, agent_anna, admin_ada, api, OPEN_KLANT_TOKEN,
        "Mijn container is niet geleegd.",
    )  # fmt: skip
    refused = asgi_server.call(
        _registered_chat, utrecht, agent_anna, admin_ada, api, "a-wrong-token",
        "Wanneer is het stadskantoor open?",
    )  # fmt: skip
    page = browser_page(1280, 900)
    _log_in(page, asgi_server.url)
    page.goto(f"{asgi_server.url}/console/utrecht/?status=all&open={registered},{refused}")

    first = page.locator(f'section.pane[data-conversation="{registered}"] .pane-registration')
    expect(first).to_contain_text("Klantinteracties: geregistreerd")
    link = first.get_by_role("link", name="Klantcontact openen (opent in een nieuw tabblad)")
    expect(link).to_have_attribute("href", asgi_server.call(_klantcontact, registered))
    expect(link).to_have_attribute("target", "_blank")
    expect(link).to_have_attribute("rel", "noopener")
    details = first.get_by_role("link", name="Details van de registratie")
    expect(details).to_have_attribute(
        "href", f"/console/utrecht/klantinteracties/conversations/{registered}/"
    )

    second = page.locator(f'section.pane[data-conversation="{refused}"] .pane-registration')
    expect(second).to_contain_text("registratie mislukt")
    expect(second).to_contain_text("Open Klant antwoordde met status 401")
    expect(second.get_by_role("link", name="Klantcontact openen")).to_have_count(0)
    assert_accessible(page, "conversations registered in Klantinteracties, and refused")
    screenshot(page, "klantinteracties-pane.png")

    details.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"{registered}")
