"""Turning notifications on and off: ``POST``/``DELETE /c/<slug>/push/`` with the device
token. Every bad part of a subscription is refused with its own code; a resident reaches
only their own conversation's subscriptions, never another device's or organisation's."""

from __future__ import annotations

import base64
import json

import pytest

from balie.connectors.webpush.models import PushSubscription
from balie.connectors.webpush.subscriptions import MAX_PER_CONVERSATION
from balie.conversations import actions

pytestmark = pytest.mark.django_db

P256DH = base64.urlsafe_b64encode(b"\x04" + bytes(range(64))).rstrip(b"=").decode()
AUTH = base64.urlsafe_b64encode(bytes(16)).rstrip(b"=").decode()


def subscription(endpoint="https://127.0.0.1:8443/push/abc", p256dh=P256DH, auth=AUTH):
    return {"endpoint": endpoint, "expirationTime": None, "keys": {"p256dh": p256dh, "auth": auth}}


def call(client, method, body, token, slug="utrecht"):
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return client.generic(
        method,
        f"/c/{slug}/push/",
        data,
        content_type="application/json",
        headers={"X-Balie-Token": token} if token else {},
    )


@pytest.fixture
def loopback_allowed(settings):
    settings.WEBPUSH_ALLOWED_NETWORKS = ["127.0.0.0/8"]


def test_turning_on_stores_the_subscription_for_the_conversation(client, webchat, loopback_allowed):
    conversation, token = webchat
    answer = call(client, "POST", subscription(), token)
    assert answer.status_code == 201
    assert answer.json() == {"subscribed": True}
    stored = PushSubscription.objects.get()
    assert (stored.organisation_id, stored.conversation_id) == (
        conversation.organisation_id,
        conversation.pk,
    )
    assert (stored.endpoint, stored.p256dh, stored.auth) == (
        "https://127.0.0.1:8443/push/abc",
        P256DH,
        AUTH,
    )


def test_the_same_browser_again_replaces_its_keys(client, webchat, loopback_allowed):
    _conversation, token = webchat
    call(client, "POST", subscription(), token)
    other_auth = base64.urlsafe_b64encode(b"\x01" * 16).rstrip(b"=").decode()
    assert call(client, "POST", subscription(auth=other_auth), token).status_code == 201
    assert list(PushSubscription.objects.values_list("auth", flat=True)) == [other_auth]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b"{not json", 400, "malformed_json"),
        ([subscription()], 400, "malformed_json"),
        ({"endpoint": "https://127.0.0.1/push/a"}, 400, "invalid_keys"),
        (subscription(endpoint=None), 400, "invalid_endpoint"),
        (subscription(endpoint=""), 400, "invalid_endpoint"),
        (subscription(endpoint="ftp://127.0.0.1/push/a"), 400, "invalid_endpoint"),
        (subscription(endpoint="https://user:pw@127.0.0.1/push/a"), 400, "invalid_endpoint"),
        (subscription(endpoint="https://127.0.0.1/push/a#x"), 400, "invalid_endpoint"),
        (subscription(endpoint="https://127.0.0.1:port/push/a"), 400, "invalid_endpoint"),
        (subscription(endpoint="https://127.0.0.1/push/a b"), 400, "invalid_endpoint"),
        (subscription(endpoint="http://93.184.215.14/push/a"), 400, "invalid_endpoint"),
        (subscription(endpoint="https://127.0.0.1/" + "a" * 1000), 400, "endpoint_too_long"),
        (subscription(endpoint="https://10.1.2.3/push/a"), 400, "address_refused"),
        (subscription(endpoint="https://169.254.169.254/latest"), 400, "address_refused"),
        (subscription(endpoint="https://[::ffff:192.168.1.1]/push/a"), 400, "address_refused"),
        (subscription(p256dh=P256DH[:-4]), 400, "invalid_p256dh"),
        (subscription(p256dh="AQID" * 22), 400, "invalid_p256dh"),  # 66 bytes, no 0x04
        (subscription(p256dh="!" * 87), 400, "invalid_p256dh"),
        (subscription(p256dh=12), 400, "invalid_p256dh"),
        (subscription(auth=AUTH + "AA"), 400, "invalid_auth"),
        (subscription(auth=""), 400, "invalid_auth"),
        ({"endpoint": "https://127.0.0.1/a", "keys": {"p256dh": P256DH}}, 400, "invalid_auth"),
        ({**subscription(), "padding": "x" * 5000}, 413, "too_large"),
    ],
)
def test_bad_input_is_refused_precisely(client, webchat, loopback_allowed, body, status, code):
    _conversation, token = webchat
    answer = call(client, "POST", body, token)
    assert (answer.status_code, answer.json()["code"]) == (status, code)
    assert answer.json()["detail"]
    assert not PushSubscription.objects.exists()


def test_loopback_is_refused_unless_the_installation_allows_it(client, webchat):
    _conversation, token = webchat
    answer = call(client, "POST", subscription(), token)
    assert (answer.status_code, answer.json()["code"]) == (400, "address_refused")
    assert answer.json()["detail"].startswith("Dit adres")  # in Dutch, the page's language


def test_the_field_is_named(client, webchat, loopback_allowed):
    _conversation, token = webchat
    answer = call(client, "POST", subscription(auth="x"), token)
    assert list(answer.json()["fields"]) == ["keys.auth"]


def test_without_the_device_token_nothing_is_found(client, webchat, loopback_allowed):
    for token in (None, "not-a-real-token-but-long-enough-123"):
        answer = call(client, "POST", subscription(), token)
        assert (answer.status_code, answer.json()["code"]) == (404, "not_found")
    assert not PushSubscription.objects.exists()


def test_another_organisations_page_does_not_know_the_token(
    client, webchat, groningen, loopback_allowed
):
    _conversation, token = webchat
    for method in ("POST", "DELETE"):
        answer = call(client, method, subscription(), token, slug="groningen")
        assert (answer.status_code, answer.json()["code"]) == (404, "not_found")


def test_at_most_five_browsers_per_device_token(client, webchat, loopback_allowed):
    _conversation, token = webchat
    for number in range(MAX_PER_CONVERSATION):
        endpoint = f"https://127.0.0.1/push/{number}"
        assert call(client, "POST", subscription(endpoint=endpoint), token).status_code == 201
    answer = call(client, "POST", subscription(endpoint="https://127.0.0.1/push/6"), token)
    assert (answer.status_code, answer.json()["code"]) == (409, "too_many_subscriptions")
    assert PushSubscription.objects.count() == MAX_PER_CONVERSATION


def test_turning_off_removes_only_that_browser(client, webchat, loopback_allowed):
    _conversation, token = webchat
    call(client, "POST", subscription(endpoint="https://127.0.0.1/push/phone"), token)
    call(client, "POST", subscription(endpoint="https://127.0.0.1/push/laptop"), token)
    answer = call(client, "DELETE", {"endpoint": "https://127.0.0.1/push/phone"}, token)
    assert answer.status_code == 204
    assert list(PushSubscription.objects.values_list("endpoint", flat=True)) == [
        "https://127.0.0.1/push/laptop"
    ]
    again = call(client, "DELETE", {"endpoint": "https://127.0.0.1/push/phone"}, token)
    assert (again.status_code, again.json()["code"]) == (404, "subscription_not_found")


def test_one_resident_cannot_turn_off_anothers_notifications(
    client, webchat, utrecht, loopback_allowed
):
    _conversation, token = webchat
    _other, other_token = actions.do_start_webchat(utrecht)
    call(client, "POST", subscription(endpoint="https://127.0.0.1/push/anna"), token)
    answer = call(client, "DELETE", {"endpoint": "https://127.0.0.1/push/anna"}, other_token)
    assert (answer.status_code, answer.json()["code"]) == (404, "subscription_not_found")
    assert PushSubscription.objects.filter(endpoint="https://127.0.0.1/push/anna").exists()


def test_turning_off_needs_an_endpoint(client, webchat):
    _conversation, token = webchat
    answer = call(client, "DELETE", {"endpoint": 5}, token)
    assert (answer.status_code, answer.json()["code"]) == (400, "invalid_endpoint")


def test_only_post_and_delete(client, webchat):
    assert client.get("/c/utrecht/push/").status_code == 405
