"""The installable resident app in headless Chromium, against the real app.

The manifest is valid and its icons load at their sizes; the service worker is registered,
active and controls the chat; with the network gone the chat still opens from its cache and a
message typed then is delivered once when the network is back. For Web Push, Chromium's own
push service is replaced: the page's ``PushManager.subscribe`` returns a subscription at the
local push service (tests/fakes/webpush.py) with keys this test holds; that service checks
the VAPID signature and decrypts what Balie sends, and the test hands the decrypted payload
to the service worker over the DevTools protocol (``ServiceWorker.deliverPushMessage``), as
Chromium's push service would.
"""

from __future__ import annotations

import base64
import json

import pytest
from playwright.sync_api import expect

from balie.connectors.webpush.models import PushSubscription
from balie.conversations.models import Conversation, Direction
from tests.connectors.webpush.conftest import PRIVATE_KEY, run_pushes
from tests.e2e.accessibility import assert_accessible
from tests.e2e.conftest import screenshot
from tests.factories import send
from tests.fakes.webpush import FakePushService

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

MANIFEST_MEMBERS = ("name", "short_name", "start_url", "scope", "display", "icons", "lang")
SECRET_TEXT = "Uw rijbewijs ligt klaar, BSN 111222333"

# Replaces the browser's push service: the page subscribes at the local one.
FAKE_PUSH_MANAGER = """(subscription) => {
    let current = null;
    const made = () => ({
        endpoint: subscription.endpoint,
        expirationTime: null,
        options: {userVisibleOnly: true},
        toJSON: () => subscription,
        unsubscribe: async () => { current = null; return true; },
    });
    PushManager.prototype.subscribe = async function (options) {
        const key = new Uint8Array(options.applicationServerKey);
        window.__applicationServerKey = btoa(String.fromCharCode(...key));
        window.__userVisibleOnly = options.userVisibleOnly;
        current = made();
        return current;
    };
    PushManager.prototype.getSubscription = async function () { return current; };
}"""


def open_chat(page, url: str):
    page.goto(f"{url}/c/utrecht/")
    expect(page.locator("#connection")).to_have_attribute("data-state", "online")
    return page


def wait_for_control(page) -> None:
    """Until the service worker is active and controls the page (it claims it)."""
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")


def say(page, text: str) -> None:
    composer = page.get_by_label("Uw bericht")
    composer.fill(text)
    composer.press("Enter")


def the_conversation() -> Conversation:
    return Conversation.objects.get(organisation__slug="utrecht")


def inbound_bodies(conversation) -> list[str]:
    return list(
        conversation.messages.filter(direction=Direction.INBOUND)
        .order_by("seq")
        .values_list("body", flat=True)
    )


def test_the_manifest_is_valid_and_its_icons_load(utrecht, asgi_server, browser_page):
    page = open_chat(browser_page(360, 740), asgi_server.url)
    href = page.locator('link[rel="manifest"]').get_attribute("href")
    manifest = page.evaluate("(href) => fetch(href).then((r) => r.json())", href)
    assert all(member in manifest for member in MANIFEST_MEMBERS)
    assert manifest["display"] == "standalone" and manifest["name"] == "Gemeente Utrecht"
    assert manifest["start_url"].startswith(manifest["scope"])
    sizes = page.evaluate(
        """(icons) => Promise.all(icons.map((icon) => new Promise((resolve) => {
            const image = new Image();
            image.onload = () => resolve(`${image.naturalWidth}x${image.naturalHeight}`);
            image.onerror = () => resolve("failed");
            image.src = icon.src;
        })))""",
        manifest["icons"],
    )
    assert sizes == [icon["sizes"] for icon in manifest["icons"]]
    assert {icon["purpose"] for icon in manifest["icons"]} == {"any", "maskable"}


def test_the_service_worker_is_registered_and_active(utrecht, asgi_server, browser_page):
    page = open_chat(browser_page(360, 740), asgi_server.url)
    wait_for_control(page)
    registration = page.evaluate(
        """navigator.serviceWorker.ready.then((r) => ({
            scope: r.scope, state: r.active && r.active.state, script: r.active.scriptURL}))"""
    )
    assert registration == {
        "scope": f"{asgi_server.url}/c/utrecht/",
        "state": "activated",
        "script": f"{asgi_server.url}/c/utrecht/sw.js",
    }
    cached = page.evaluate(
        "caches.keys().then((names) => caches.open(names[0]))"
        ".then((cache) => cache.keys()).then((keys) => keys.map((k) => new URL(k.url).pathname))"
    )
    assert "/c/utrecht/" in cached and "/static/balie/resident/chat.js" in cached
    assert not [path for path in cached if "/ws/" in path or "/upload/" in path]


def test_offline_the_chat_opens_from_its_cache_and_the_outbox_is_sent_once(
    webchat, asgi_server, browser_page
):
    conversation, token = webchat
    asgi_server.call(send, conversation, "Eerste vraag")
    page = browser_page(360, 740)
    page.add_init_script(
        f"localStorage.setItem('balie:utrecht:token', {json.dumps(json.dumps(token))})"
    )
    open_chat(page, asgi_server.url)
    wait_for_control(page)

    page.context.set_offline(True)
    page.reload()  # served by the service worker: the network is gone
    expect(page.get_by_role("heading", level=1)).to_contain_text("Gemeente Utrecht")
    expect(page.locator("#connection")).to_have_attribute("data-state", "offline")
    say(page, "Getypt zonder verbinding")
    expect(page.locator("li.message.pending")).to_contain_text("Getypt zonder verbinding")
    page.reload()  # a reload while offline loses nothing: the outbox is kept
    expect(page.locator("li.message.pending")).to_contain_text("Getypt zonder verbinding")
    screenshot(page, "pwa-offline-360.png")
    assert asgi_server.call(inbound_bodies, conversation) == ["Eerste vraag"]

    page.context.set_offline(False)
    expect(page.locator("li.message.pending")).to_have_count(0, timeout=20_000)
    expect(page.locator("li.message.own[data-seq]").last).to_contain_text(
        "Getypt zonder verbinding"
    )
    page.reload()
    expect(page.locator("li.message.own[data-seq]")).to_have_count(2)
    assert asgi_server.call(inbound_bodies, conversation) == [
        "Eerste vraag",
        "Getypt zonder verbinding",
    ]


def test_without_a_cached_chat_the_offline_page_is_shown(utrecht, asgi_server, browser_page):
    page = open_chat(browser_page(360, 740), asgi_server.url)
    wait_for_control(page)
    page.context.set_offline(True)
    page.goto(f"{asgi_server.url}/c/utrecht/embed-example/")
    expect(page.get_by_role("heading", name="Geen verbinding")).to_be_visible()
    expect(page.get_by_role("heading", name="No connection")).to_be_visible()
    page.context.set_offline(False)
    assert_accessible(page, "the offline page")


@pytest.fixture
def push_service(settings):
    settings.VAPID_PRIVATE_KEY = PRIVATE_KEY
    settings.VAPID_SUBJECT = "mailto:beheer@utrecht.example"
    settings.WEBPUSH_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    with FakePushService() as service:
        yield service
    assert service.violations == []


def notifications(context) -> list[dict]:
    worker = context.service_workers[0]
    return worker.evaluate(
        """self.registration.getNotifications().then((shown) => shown.map((n) => ({
            title: n.title, body: n.body, url: n.data && n.data.url})))"""
    )


def test_a_push_while_the_chat_is_not_visible_shows_a_notification_without_the_text(
    webchat, agent_anna, asgi_server, browser_page, push_service
):
    from balie.connectors.webpush import keys

    conversation, token = webchat
    asgi_server.call(send, conversation, "Waar is mijn rijbewijs?")
    vapid_key = asgi_server.call(keys.public_key)
    browser_subscription = push_service.subscribe(vapid_key)
    page = browser_page(360, 740)
    context = page.context
    context.grant_permissions(["notifications"], origin=asgi_server.url)
    page.add_init_script(f"({FAKE_PUSH_MANAGER})({json.dumps(browser_subscription)})")
    page.add_init_script(
        f"localStorage.setItem('balie:utrecht:token', {json.dumps(json.dumps(token))})"
    )
    open_chat(page, asgi_server.url)
    wait_for_control(page)

    switch = page.get_by_role("button", name="Meldingen aan")
    expect(switch).to_be_visible()
    assert_accessible(page, "the resident chat with the notifications switch")
    switch.click()
    expect(page.get_by_role("button", name="Meldingen uit")).to_be_visible()
    expect(page.locator("#pwa-status")).to_contain_text("Meldingen staan aan")
    given = base64.b64decode(page.evaluate("window.__applicationServerKey"))
    assert base64.urlsafe_b64encode(given).rstrip(b"=").decode() == vapid_key
    assert page.evaluate("window.__userVisibleOnly") is True
    stored = asgi_server.call(lambda: list(PushSubscription.objects.values_list("endpoint")))
    assert stored == [(browser_subscription["endpoint"],)]

    # The worker gets the push while the chat is in view: it shows nothing.
    session = context.new_cdp_session(page)
    registrations: list[dict] = []
    session.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda event: registrations.extend(event["registrations"]),
    )
    session.send("ServiceWorker.enable")
    page.wait_for_timeout(200)
    registration_id = next(r["registrationId"] for r in registrations if not r["isDeleted"])

    def deliver(data: bytes) -> None:
        session.send(
            "ServiceWorker.deliverPushMessage",
            {"origin": asgi_server.url, "registrationId": registration_id, "data": data.decode()},
        )

    asgi_server.call(
        send, conversation, SECRET_TEXT, direction=Direction.OUTBOUND, author=agent_anna
    )
    assert asgi_server.call(run_pushes) == [{"delivered": 1}]
    first = push_service.browser(browser_subscription["endpoint"]).raw[-1]
    deliver(first)
    page.wait_for_timeout(500)
    assert notifications(context) == []

    # The chat's tab in the background. Headless Chromium reports every page as visible
    # (minimising or covering it changes nothing), so the worker is shown the chat window as
    # a background tab reports it: visibilityState "hidden". The push shows.
    worker = context.service_workers[0]
    worker.evaluate(
        """(() => {
            const real = self.clients.matchAll.bind(self.clients);
            self.__realMatchAll = real;
            self.clients.matchAll = async (options) => (await real(options)).map(
                (client) => ({ url: client.url, visibilityState: "hidden" }));
        })()"""
    )
    asgi_server.call(
        lambda: PushSubscription.objects.update(last_push_at=None)  # past the 30 s
    )
    asgi_server.call(
        send, conversation, SECRET_TEXT + " (1)", direction=Direction.OUTBOUND, author=agent_anna
    )
    assert asgi_server.call(run_pushes) == [{"delivered": 1}]
    deliver(push_service.browser(browser_subscription["endpoint"]).raw[-1])
    page.wait_for_timeout(500)
    assert [(n["title"], n["body"]) for n in notifications(context)] == [
        ("Gemeente Utrecht", "U heeft een nieuw bericht van Gemeente Utrecht")
    ]
    worker.evaluate(
        """self.registration.getNotifications().then((shown) => {
            shown.forEach((n) => n.close());
            self.clients.matchAll = self.__realMatchAll;
        })"""
    )

    # The resident put the chat away (no window of the chat is visible): the push shows.
    other = context.new_page()
    other.goto("about:blank")
    session = context.new_cdp_session(other)
    session.send("ServiceWorker.enable")
    page.close()
    asgi_server.call(
        lambda: PushSubscription.objects.update(last_push_at=None)  # past the 30 s
    )
    asgi_server.call(
        send, conversation, SECRET_TEXT + " (2)", direction=Direction.OUTBOUND, author=agent_anna
    )
    assert asgi_server.call(run_pushes) == [{"delivered": 1}]
    second = push_service.browser(browser_subscription["endpoint"]).raw[-1]
    assert b"rijbewijs" not in second and b"111222333" not in second
    deliver(second)
    other.wait_for_timeout(500)
    shown = notifications(context)
    assert shown == [
        {
            "title": "Gemeente Utrecht",
            "body": "U heeft een nieuw bericht van Gemeente Utrecht",
            "url": "/c/utrecht/",
        }
    ]


def test_turning_notifications_off_removes_the_subscription(
    webchat, asgi_server, browser_page, push_service
):
    from balie.connectors.webpush import keys

    conversation, token = webchat
    asgi_server.call(send, conversation, "Vraag")
    browser_subscription = push_service.subscribe(asgi_server.call(keys.public_key))
    page = browser_page(360, 740)
    page.context.grant_permissions(["notifications"], origin=asgi_server.url)
    page.add_init_script(f"({FAKE_PUSH_MANAGER})({json.dumps(browser_subscription)})")
    page.add_init_script(
        f"localStorage.setItem('balie:utrecht:token', {json.dumps(json.dumps(token))})"
    )
    open_chat(page, asgi_server.url)
    page.get_by_role("button", name="Meldingen aan").click()
    page.get_by_role("button", name="Meldingen uit").click()
    expect(page.get_by_role("button", name="Meldingen aan")).to_be_visible()
    assert asgi_server.call(PushSubscription.objects.count) == 0


INSTALL_PROMPT = """() => {
    const offer = new Event("beforeinstallprompt", {cancelable: true});
    offer.prompt = () => { window.__prompted = (window.__prompted || 0) + 1; };
    offer.userChoice = Promise.resolve({outcome: "dismissed"});
    window.dispatchEvent(offer);
}"""


def test_the_app_is_offered_after_the_first_answer_and_not_again_for_30_days(
    webchat, agent_anna, asgi_server, browser_page
):
    conversation, token = webchat
    asgi_server.call(send, conversation, "Vraag over parkeren")
    page = browser_page(360, 740)
    page.add_init_script(
        f"localStorage.setItem('balie:utrecht:token', {json.dumps(json.dumps(token))})"
    )
    open_chat(page, asgi_server.url)
    page.evaluate(INSTALL_PROMPT)  # the browser says the app can be installed
    offer = page.locator("#install")
    page.wait_for_timeout(300)
    expect(offer).to_be_hidden()  # no answer yet: not now

    asgi_server.call(
        send, conversation, "Dat kan online.", direction=Direction.OUTBOUND, author=agent_anna
    )
    expect(offer).to_be_visible()
    expect(offer).to_contain_text("beginscherm")
    assert_accessible(page, "the resident chat offering the app")
    screenshot(page, "pwa-install-offer-360.png")
    page.get_by_role("button", name="Niet nu").click()
    expect(offer).to_be_hidden()
    assert page.evaluate("window.__prompted") is None
    dismissed = int(page.evaluate("localStorage.getItem('balie:utrecht:install-dismissed')"))

    page.reload()  # the answer is there at once, and the browser offers again: we do not
    expect(page.locator("li.message.theirs")).to_have_count(1)
    page.evaluate(INSTALL_PROMPT)
    page.wait_for_timeout(300)
    expect(offer).to_be_hidden()

    # 31 days later it may be offered once more; accepting asks the browser's own prompt
    page.evaluate(
        "(when) => localStorage.setItem('balie:utrecht:install-dismissed', String(when))",
        dismissed - 31 * 24 * 3600 * 1000,
    )
    page.reload()
    expect(page.locator("li.message.theirs")).to_have_count(1)
    page.evaluate(INSTALL_PROMPT)
    expect(offer).to_be_visible()
    page.get_by_role("button", name="Op beginscherm zetten").click()
    expect(offer).to_be_hidden()
    assert page.evaluate("window.__prompted") == 1
