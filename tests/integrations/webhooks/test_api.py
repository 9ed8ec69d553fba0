"""The webhooks API: subscriptions, the secret shown once, the delivery log and replays; for
an organisation's administrators only, and never across organisations."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from balie.archive.models import ArchiveEvent
from balie.integrations.webhooks.models import Delivery, DeliveryState, Subscription
from balie.integrations.webhooks.subscriptions import do_create_subscription
from tests.factories import send
from tests.integrations.webhooks.conftest import run_tasks

pytestmark = pytest.mark.django_db

API = "/api/v1/webhooks/"


def _as(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def _key(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


@pytest.fixture
def created(admin_ada, receiver):
    answer = _as(admin_ada).post(
        API + "subscriptions/",
        {"name": "CRM", "url": receiver.url, "event_types": ["message.*"]},
        format="json",
    )
    assert answer.status_code == 201, answer.json()
    return answer


def test_the_secret_is_shown_once_and_stored_sealed(created, admin_ada):
    body = created.json()
    secret = body["secret"]
    assert secret.startswith("whsec_") and len(secret) > 40
    assert created["Cache-Control"] == "no-store"
    assert body["organisation"] == "utrecht" and body["event_types"] == ["message.*"]
    stored = Subscription.objects.get()
    assert secret not in stored.secret and secret not in str(list(Subscription.objects.values()))
    client = _as(admin_ada)
    for url in (API + "subscriptions/", API + f"subscriptions/{body['id']}/"):
        shown = client.get(url)
        assert (
            shown.status_code == 200 and secret not in shown.text and "secret" not in shown.json()
        )  # noqa: E501
    archived = "".join(str(p) for p in ArchiveEvent.objects.values_list("payload", flat=True))
    assert secret not in archived and "/balie" not in archived  # the host only


def test_rotating_answers_a_new_secret_once(created, admin_ada):
    subscription_id, old = created.json()["id"], created.json()["secret"]
    client = _as(admin_ada)
    rotated = client.post(API + f"subscriptions/{subscription_id}/secret/", {}, format="json")
    assert rotated.status_code == 200 and rotated["Cache-Control"] == "no-store"
    new = rotated.json()["secret"]
    assert new != old and rotated.json()["previous_secret_until"] is not None
    detail = client.get(API + f"subscriptions/{subscription_id}/").json()
    assert new not in str(detail) and detail["previous_secret_until"] is not None
    again = client.post(
        API + f"subscriptions/{subscription_id}/secret/", {"overlap": False}, format="json"
    )
    assert again.json()["previous_secret_until"] is None
    stored = Subscription.objects.get()
    assert new not in stored.secret + stored.previous_secret and not stored.previous_secret


def test_changing_and_removing_a_subscription(created, admin_ada):
    subscription_id = created.json()["id"]
    client = _as(admin_ada)
    changed = client.patch(
        API + f"subscriptions/{subscription_id}/",
        {"enabled": False, "event_types": ["conversation.*", "message.created"]},
        format="json",
    )
    assert changed.status_code == 200
    assert changed.json()["enabled"] is False
    assert changed.json()["event_types"] == ["conversation.*", "message.created"]
    assert client.delete(API + f"subscriptions/{subscription_id}/").status_code == 204
    assert not Subscription.objects.exists()
    assert client.get(API + f"subscriptions/{subscription_id}/").status_code == 404


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"name": "Intern", "url": "https://10.0.0.1/hook"}, "address_refused"),
        ({"name": "Meta", "url": "https://169.254.169.254/"}, "address_refused"),
        ({"name": "Plat", "url": "http://93.184.215.14/hook"}, "invalid_field"),
        ({"name": "Soort", "url": "https://93.184.215.14/", "event_types": ["alles"]},
         "invalid_field"),
        ({"name": "", "url": "https://93.184.215.14/"}, None),
        ({"name": "X", "url": "https://93.184.215.14/", "secret": "mine"}, None),
        ({"name": "X", "url": 12}, None),
    ],
)  # fmt: skip
def test_a_refused_subscription_answers_400(admin_ada, body, code):
    answer = _as(admin_ada).post(API + "subscriptions/", body, format="json")
    assert answer.status_code == 400, answer.json()
    if code:
        assert answer.json()["code"] == code
    assert not Subscription.objects.exists()


def test_other_roles_and_api_keys_are_refused(
    utrecht, agent_anna, auditor_aziz, utrecht_api_key, created
):
    subscription_id = created.json()["id"]
    for client in (_as(agent_anna), _as(auditor_aziz), _key(utrecht_api_key[1])):
        assert client.get(API + "subscriptions/").status_code == 403
        assert client.post(
            API + "subscriptions/", {"name": "X", "url": "https://93.184.215.14/"}, format="json"
        ).status_code == 403  # fmt: skip
        assert client.get(API + f"subscriptions/{subscription_id}/").status_code == 403
        assert client.delete(API + f"subscriptions/{subscription_id}/").status_code == 403
        assert client.get(API + "deliveries/").status_code == 403
    assert APIClient().get(API + "subscriptions/").status_code in (401, 403)
    assert Subscription.objects.count() == 1


def test_another_organisation_sees_nothing_of_it(
    created, webchat, admin_ada, admin_gijs, groningen_api_key, receiver
):
    subscription_id = created.json()["id"]
    conversation, _token = webchat
    send(conversation, "een")
    run_tasks()
    delivery_id = Delivery.objects.get().pk
    gijs = _as(admin_gijs)
    assert gijs.get(API + "subscriptions/").json() == []  # his own: none
    assert gijs.get(API + "subscriptions/?organisation=utrecht").status_code == 404
    assert gijs.get(API + "deliveries/?organisation=utrecht").status_code == 404
    assert gijs.get(API + "deliveries/").json()["results"] == []
    for method, url in (
        ("get", f"subscriptions/{subscription_id}/"),
        ("patch", f"subscriptions/{subscription_id}/"),
        ("delete", f"subscriptions/{subscription_id}/"),
        ("post", f"subscriptions/{subscription_id}/secret/"),
        ("post", f"subscriptions/{subscription_id}/ping/"),
        ("get", f"deliveries/{delivery_id}/"),
        ("post", f"deliveries/{delivery_id}/replay/"),
    ):
        answer = getattr(gijs, method)(API + url, {}, format="json")
        assert answer.status_code == 404, (method, url)
        key_answer = getattr(_key(groningen_api_key[1]), method)(API + url, {}, format="json")
        assert key_answer.status_code == 403, (method, url)
    created_for_other = gijs.post(
        API + "subscriptions/",
        {"organisation": "utrecht", "name": "X", "url": "https://93.184.215.14/"},
        format="json",
    )
    assert created_for_other.status_code == 404
    assert Subscription.objects.count() == 1 and Delivery.objects.count() == 1


def test_the_delivery_log_latest_first_failed_only_and_replay(
    created, webchat, admin_ada, receiver
):
    conversation, _token = webchat
    receiver.answers(410)
    send(conversation, "een")
    send(conversation, "twee")
    run_tasks()
    client = _as(admin_ada)
    log = client.get(API + "deliveries/").json()
    assert [d["id"] for d in log["results"]] == sorted(
        Delivery.objects.values_list("pk", flat=True), reverse=True
    )
    failed = client.get(API + "deliveries/?state=failed").json()["results"]
    assert len(failed) == 1 and failed[0]["last_status"] == 410 and failed[0]["error"]
    assert "event" not in failed[0]
    detail = client.get(API + f"deliveries/{failed[0]['id']}/").json()
    assert detail["event"]["id"] == failed[0]["event_id"]
    assert "een" not in str(detail["event"])
    replayed = client.post(API + f"deliveries/{failed[0]['id']}/replay/")
    assert replayed.status_code == 202 and replayed.json()["state"] == "pending"
    assert client.post(API + f"deliveries/{failed[0]['id']}/replay/").status_code == 409
    run_tasks()
    assert Delivery.objects.get(pk=failed[0]["id"]).state == DeliveryState.DELIVERED
    assert receiver.received[0].body == receiver.received[-1].body
    assert client.get(API + "deliveries/?state=sent").status_code == 400
    assert client.get(API + "deliveries/?colour=red").status_code == 400


def test_a_ping_through_the_api(created, admin_ada, receiver):
    subscription_id = created.json()["id"]
    answer = _as(admin_ada).post(API + f"subscriptions/{subscription_id}/ping/")
    assert answer.status_code == 202 and answer.json()["event_type"] == "nl.balie.webhook.ping"
    run_tasks()
    assert receiver.events()[0]["type"] == "nl.balie.webhook.ping"


def test_the_delivery_log_reads_in_constant_queries(utrecht, admin_ada, receiver, webchat):
    for name in ("A", "B", "C"):
        do_create_subscription(utrecht.pk, actor=admin_ada, name=name, url=receiver.url)
    conversation, _token = webchat
    client = _as(admin_ada)
    counts = []
    for messages in (1, 4):
        for n in range(messages):
            send(conversation, f"bericht {n}")
        with CaptureQueriesContext(connection) as captured:
            answer = client.get(API + "deliveries/")
        assert answer.status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]
    assert len(answer.json()["results"]) == 15


def test_an_administrator_of_two_organisations_names_one(utrecht, groningen, admin_ada):
    from balie.accounts.actions import do_set_membership
    from balie.accounts.models import Role

    do_set_membership(admin_ada, groningen, Role.ADMIN)
    client = _as(admin_ada)
    assert client.get(API + "subscriptions/").status_code == 400
    made = client.post(
        API + "subscriptions/",
        {"organisation": "groningen", "name": "G", "url": "https://93.184.215.14/"},
        format="json",
    )
    assert made.status_code == 201 and made.json()["organisation"] == "groningen"
    assert client.get(API + "subscriptions/?organisation=utrecht").json() == []
