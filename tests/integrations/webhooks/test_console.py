"""Webhooks in the console: the administrator's page, the secret shown once, switching,
rotating, testing, removing, the delivery log and sending again; nobody else sees it."""

from __future__ import annotations

import re

import pytest

from balie.integrations.webhooks.models import Delivery, DeliveryState, Subscription
from balie.integrations.webhooks.subscriptions import do_create_subscription
from tests.factories import send
from tests.integrations.webhooks.conftest import run_tasks

pytestmark = pytest.mark.django_db

PAGE = "/console/utrecht/webhooks/"
SECRET = re.compile(r"whsec_[A-Za-z0-9_-]{40,}")


def _as(client, user):
    client.force_login(user)
    return client


def test_adding_a_receiver_shows_its_secret_once(client, admin_ada, receiver):
    page = _as(client, admin_ada).get(PAGE)
    assert page.status_code == 200 and 'name="url"' in page.text
    added = client.post(
        PAGE + "new/",
        {"name": "CRM", "url": receiver.url, "event_types": ["message.*"], "enabled": "on"},
    )
    assert added.status_code == 200 and added["Cache-Control"] == "no-store"
    (secret,) = set(SECRET.findall(added.text))
    subscription = Subscription.objects.get()
    assert subscription.event_types == ["message.*"] and subscription.enabled
    assert secret not in subscription.secret
    later = client.get(PAGE)
    assert "CRM" in later.text and not SECRET.search(later.text)


def test_a_refused_address_shows_the_form_again(client, admin_ada):
    refused = _as(client, admin_ada).post(
        PAGE + "new/", {"name": "Intern", "url": "https://192.168.1.1/", "event_types": ["*"]}
    )
    assert refused.status_code == 400 and 'role="alert"' in refused.text
    assert "192.168.1.1" in refused.text and not Subscription.objects.exists()


def test_switching_testing_rotating_and_removing(client, utrecht, admin_ada, receiver):
    subscription, old = do_create_subscription(
        utrecht.pk, actor=admin_ada, name="CRM", url=receiver.url
    )
    change = f"{PAGE}{subscription.pk}/"
    _as(client, admin_ada)
    assert client.post(change, {"action": "ping"}).status_code == 302
    run_tasks()
    assert receiver.events()[0]["type"] == "nl.balie.webhook.ping"
    assert client.post(change, {"action": "off"}).status_code == 302
    assert not Subscription.objects.get().enabled
    assert client.post(change, {"action": "ping"}).status_code == 400  # switched off
    assert client.post(change, {"action": "on"}).status_code == 302
    saved = client.post(
        change,
        {"action": "save", "name": "CRM 2", "url": receiver.url, "event_types": ["conversation.*"]},  # noqa: E501
    )
    assert saved.status_code == 302
    assert Subscription.objects.get().event_types == ["conversation.*"]
    rotated = client.post(change, {"action": "rotate"})  # overlap left unchecked
    assert rotated.status_code == 200 and rotated["Cache-Control"] == "no-store"
    (new,) = set(SECRET.findall(rotated.text))
    assert new != old and not Subscription.objects.get().previous_secret
    assert client.post(change, {"action": "delete"}).status_code == 302
    assert not Subscription.objects.exists()
    assert client.post(change, {"action": "on"}).status_code == 404


def test_the_delivery_log_shows_failures_and_sends_again(
    client, webchat, utrecht, admin_ada, receiver
):
    do_create_subscription(utrecht.pk, actor=admin_ada, name="CRM", url=receiver.url)
    conversation, _token = webchat
    receiver.answers(422)
    send(conversation, "Mijn geheime klacht")
    send(conversation, "Nog een")
    run_tasks()
    failed = Delivery.objects.get(state=DeliveryState.FAILED)
    page = _as(client, admin_ada).get(PAGE)
    assert failed.event_id in page.text and "422" in page.text
    assert "geheime" not in page.text
    only_failed = client.get(PAGE + "?state=failed")
    delivered = Delivery.objects.get(state=DeliveryState.DELIVERED)
    assert failed.event_id in only_failed.text and delivered.event_id not in only_failed.text
    detail = client.get(f"{PAGE}deliveries/{failed.pk}/")
    assert detail.status_code == 200 and "specversion" in detail.text
    assert "geheime" not in detail.text
    assert client.post(f"{PAGE}deliveries/{failed.pk}/replay/").status_code == 302
    assert client.post(f"{PAGE}deliveries/{failed.pk}/replay/").status_code == 400  # pending
    run_tasks()
    assert Delivery.objects.get(pk=failed.pk).state == DeliveryState.DELIVERED


def test_nobody_else_sees_the_page(
    client, webchat, utrecht, admin_ada, admin_gijs, agent_anna, auditor_aziz, lead_lotte,
    receiver,
):  # fmt: skip
    subscription, _secret = do_create_subscription(
        utrecht.pk, actor=admin_ada, name="CRM", url=receiver.url
    )
    conversation, _token = webchat
    send(conversation, "een")
    run_tasks()
    delivery = Delivery.objects.get()
    pages = [
        ("get", PAGE),
        ("post", PAGE + "new/"),
        ("post", f"{PAGE}{subscription.pk}/"),
        ("get", f"{PAGE}deliveries/{delivery.pk}/"),
        ("post", f"{PAGE}deliveries/{delivery.pk}/replay/"),
    ]
    for person in (agent_anna, auditor_aziz, lead_lotte, admin_gijs):
        _as(client, person)
        for method, url in pages:
            answer = getattr(client, method)(url, {"action": "delete", "name": "x", "url": "y"})
            assert answer.status_code == 404, (person, url)
    # Groningen's administrator on his own page, with Utrecht's ids: still nothing.
    _as(client, admin_gijs)
    own = "/console/groningen/webhooks/"
    assert client.get(own).status_code == 200
    assert client.post(f"{own}{subscription.pk}/", {"action": "delete"}).status_code == 404
    assert client.get(f"{own}deliveries/{delivery.pk}/").status_code == 404
    assert client.post(f"{own}deliveries/{delivery.pk}/replay/").status_code == 404
    assert "CRM" not in client.get(own).text
    client.logout()
    assert client.get(PAGE).status_code == 302  # to the login page
    assert Subscription.objects.filter(pk=subscription.pk).exists()
    assert Delivery.objects.get().state == DeliveryState.DELIVERED
