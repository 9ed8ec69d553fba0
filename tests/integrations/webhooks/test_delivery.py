"""Events reach the receiver once each, in the NL GOV CloudEvents shape, without what people
wrote; retries, failures, crashes and replays never lose an event nor change its id."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from balie.conversations import actions
from balie.conversations.actions import SendItem, send_messages
from balie.conversations.models import Direction
from balie.integrations.webhooks import tasks
from balie.integrations.webhooks.models import Delivery, DeliveryState, Subscription
from balie.integrations.webhooks.outcomes import do_claim
from balie.integrations.webhooks.subscriptions import (
    WebhookConflict,
    do_create_subscription,
    do_replay,
    do_update_subscription,
)
from balie.tenants.actions import do_set_identifiers
from tests.factories import send
from tests.integrations.webhooks.conftest import TASK, run_tasks

pytestmark = pytest.mark.django_db

TEXT = "Mijn BSN is 111222333 en ik woon op de Kerkstraat 12"


def _types(receiver) -> list[str]:
    return [event["type"] for event in receiver.events()]


def test_a_message_and_a_status_change_arrive_once_each(webchat, subscribed, receiver, lead_lotte):
    conversation, _token = webchat
    message = send(conversation, TEXT)
    actions.do_change_status(conversation, actor=lead_lotte, status="closed")
    run_tasks()
    run_tasks()  # nothing left to send a second time
    types = _types(receiver)
    assert types.count("nl.balie.message.created") == 2  # the resident's, and the status line
    assert types.count("nl.balie.conversation.status-changed") == 1
    assert len(types) == 3
    ids = [event["id"] for event in receiver.events()]
    assert len(set(ids)) == 3
    created = next(e for e in receiver.events() if e["data"].get("message") == message.pk)
    assert created["data"]["direction"] == "inbound"
    status = next(e for e in receiver.events() if e["type"].endswith("status-changed"))
    assert status["data"] == {
        "organisation": "utrecht", "conversation": conversation.pk, "from": "open",
        "to": "closed",
    }  # fmt: skip
    assert set(Delivery.objects.values_list("state", flat=True)) == {DeliveryState.DELIVERED}


def test_the_event_follows_the_nl_gov_profile(webchat, subscribed, receiver, utrecht, settings):
    settings.PUBLIC_URL = "https://balie.utrecht.example/"
    conversation, _token = webchat
    message = send(conversation, TEXT)
    run_tasks()
    (event,) = receiver.events()
    archived = utrecht.pk, event["sequence"]
    assert event["specversion"] == "1.0"
    assert event["type"] == "nl.balie.message.created"
    assert event["source"] == "https://balie.utrecht.example"  # no OIN: the installation
    assert event["id"] == f"{utrecht.pk}-{int(archived[1])}"
    assert len(event["sequence"]) == 20 and event["sequence"].isdigit()
    assert event["time"].endswith("Z")
    assert event["datacontenttype"] == "application/json"
    assert event["subject"] == f"conversations/{conversation.pk}/messages/{message.pk}"
    assert event["dataref"] == (
        f"https://balie.utrecht.example/api/v1/conversations/{conversation.pk}/messages/"
        f"?after_seq={message.seq - 1}&limit=1"
    )
    assert event["data"] == {
        "organisation": "utrecht", "conversation": conversation.pk, "message": message.pk,
        "message_seq": message.seq, "direction": "inbound", "attachments": 0,
    }  # fmt: skip


def test_an_organisation_with_an_oin_is_the_source(utrecht, webchat, subscribed, receiver):
    do_set_identifiers(utrecht, oin="00000001002220647000")
    conversation, _token = webchat
    send(conversation, "Hallo")
    run_tasks()
    assert receiver.events()[0]["source"] == "urn:nld:oin:00000001002220647000:systeem:balie"


def test_no_text_people_wrote_is_in_any_event(webchat, subscribed, receiver, lead_lotte):
    conversation, _token = webchat
    message = send(conversation, TEXT)
    actions.do_update_details(
        conversation, actor=lead_lotte, subject="Paspoort van Fatima el Amrani",
        case_reference="Z-2026-111222333", labels=["Kerkstraat"],
    )  # fmt: skip
    actions.do_assign(conversation, actor=lead_lotte, assignee=lead_lotte)
    reply = actions.do_send_message(
        conversation, direction=Direction.OUTBOUND, body="Beste Fatima, dat regelen we.",
        client_id="r1", author=lead_lotte,
    ).message  # fmt: skip
    actions.do_edit_message(reply, actor=lead_lotte, body="Beste mevrouw El Amrani, geregeld.")
    run_tasks()
    types = set(_types(receiver))
    assert {
        "nl.balie.message.created", "nl.balie.conversation.details-changed",
        "nl.balie.conversation.assigned", "nl.balie.message.edited",
    } <= types  # fmt: skip
    everything = b"".join(r.body for r in receiver.received).decode()
    for secret in ("111222333", "Kerkstraat", "Fatima", "Amrani", "Paspoort", "Beste", "regel"):
        assert secret not in everything
    stored = "".join(Delivery.objects.values_list("body", flat=True))
    assert "111222333" not in stored and "Fatima" not in stored
    details = next(e for e in receiver.events() if e["type"].endswith("details-changed"))
    assert details["data"]["changed"] == ["case_reference", "labels", "subject"]
    assert message.pk in [e["data"].get("message") for e in receiver.events()]


def test_a_receiver_that_fails_then_recovers_gets_each_event_once(webchat, subscribed, receiver):
    conversation, _token = webchat
    receiver.answers(500, 503, 500)
    for text in ("een", "twee", "drie"):
        send(conversation, text)
    states = run_tasks()
    assert DeliveryState.DELIVERED in states
    accepted = [r.event["id"] for r in receiver.received[3:]]  # after the three failures
    first_tries = [r.event["id"] for r in receiver.received[:3]]
    assert sorted(set(accepted)) == sorted(accepted)  # accepted once each
    assert len(accepted) == 3
    assert set(first_tries) <= set(accepted)  # retried with the same id, none lost
    deliveries = list(Delivery.objects.order_by("pk"))
    assert [d.state for d in deliveries] == [DeliveryState.DELIVERED] * 3
    assert sum(d.attempts for d in deliveries) == 6
    assert {d.event_id for d in deliveries} == set(accepted)


def test_a_retry_waits_its_pause(webchat, subscribed, receiver):
    conversation, _token = webchat
    receiver.answers(500)
    send(conversation, "een")
    first = DBTaskResult.objects.get(task_path=TASK)
    before = timezone.now()
    assert tasks.send_deliveries.call(first.args_kwargs["args"][0]) == [DeliveryState.PENDING]
    delivery = Delivery.objects.get()
    assert delivery.attempts == 1 and delivery.last_status == 500
    retry = DBTaskResult.objects.exclude(pk=first.pk).get(task_path=TASK)
    assert retry.run_after == delivery.next_attempt_at
    assert before + timedelta(seconds=14) < delivery.next_attempt_at  # about 30 s, jittered
    assert delivery.next_attempt_at < before + timedelta(seconds=31)
    # Run before its time (another worker's early pick): nothing is sent.
    assert tasks.send_deliveries.call([delivery.pk]) == []
    assert len(receiver.received) == 1


def test_the_pause_doubles_with_jitter_up_to_its_cap():
    for attempts in range(1, 20):
        ceiling = min(tasks.BACKOFF_CAP, tasks.BACKOFF_BASE * 2 ** (attempts - 1))
        pause = tasks.backoff(attempts).total_seconds()
        assert ceiling / 2 <= pause <= ceiling


def test_after_the_last_attempt_a_delivery_has_failed(webchat, subscribed, receiver):
    conversation, _token = webchat
    receiver.answers(*[502] * tasks.MAX_ATTEMPTS)
    send(conversation, "een")
    run_tasks()
    delivery = Delivery.objects.get()
    assert delivery.state == DeliveryState.FAILED
    assert delivery.attempts == tasks.MAX_ATTEMPTS == len(receiver.received)
    assert delivery.error_code == "refused" and delivery.last_status == 502


def test_a_refusal_fails_at_once_and_a_redirect_is_not_followed(webchat, subscribed, receiver):
    conversation, _token = webchat
    receiver.answers(400)
    send(conversation, "een")
    run_tasks()
    assert Delivery.objects.get().state == DeliveryState.FAILED
    receiver.answers(302)
    receiver.location = receiver.url + "/elders"
    send(conversation, "twee")
    run_tasks()
    latest = Delivery.objects.order_by("-pk").first()
    assert latest.state == DeliveryState.FAILED and latest.error_code == "redirect"
    assert [r.path for r in receiver.received] == ["/balie", "/balie"]  # never /elders


def test_too_many_requests_is_tried_again_after_retry_after(webchat, subscribed, receiver):
    conversation, _token = webchat
    receiver.answers(429)
    send(conversation, "een")
    (task_row,) = DBTaskResult.objects.filter(task_path=TASK)
    before = timezone.now()
    tasks.send_deliveries.call(task_row.args_kwargs["args"][0])
    delivery = Delivery.objects.get()
    assert delivery.state == DeliveryState.PENDING and delivery.last_status == 429
    run_tasks()
    assert Delivery.objects.get().state == DeliveryState.DELIVERED
    assert before < delivery.next_attempt_at


def test_a_slow_receiver_times_out_and_is_tried_again(webchat, subscribed, receiver, monkeypatch):
    from balie.integrations.webhooks import sending

    monkeypatch.setattr(sending, "TIMEOUT", (1.0, 0.3))
    receiver.delay = 1.0
    conversation, _token = webchat
    send(conversation, "een")
    (task_row,) = DBTaskResult.objects.filter(task_path=TASK)
    tasks.send_deliveries.call(task_row.args_kwargs["args"][0])
    delivery = Delivery.objects.get()
    assert delivery.state == DeliveryState.PENDING and delivery.error_code == "timeout"
    receiver.delay = 0
    run_tasks()
    assert Delivery.objects.get().state == DeliveryState.DELIVERED


def test_a_rolled_back_change_sends_nothing(webchat, subscribed, receiver):
    conversation, _token = webchat
    with pytest.raises(RuntimeError), transaction.atomic():
        send(conversation, TEXT)
        raise RuntimeError("crash before commit")
    assert not Delivery.objects.exists()
    assert not DBTaskResult.objects.filter(task_path=TASK).exists()
    run_tasks()
    assert receiver.received == []


def test_a_worker_that_stops_during_an_attempt_loses_nothing(webchat, subscribed, receiver):
    conversation, _token = webchat
    send(conversation, "een")
    delivery = Delivery.objects.get()
    assert do_claim(delivery.pk) is not None  # the worker took it, then stopped
    DBTaskResult.objects.filter(task_path=TASK).delete()  # its task went with it
    assert tasks.send_overdue.call() == 0  # still within its claim
    Delivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() - timedelta(minutes=11)
    )  # the claim ran out long ago
    assert tasks.send_overdue.call() == 1
    run_tasks()
    assert [e["id"] for e in receiver.events()] == [delivery.event_id]
    assert Delivery.objects.get().state == DeliveryState.DELIVERED


def test_the_next_event_picks_up_an_overdue_one(webchat, subscribed, receiver):
    conversation, _token = webchat
    send(conversation, "een")
    lost = Delivery.objects.get()
    DBTaskResult.objects.filter(task_path=TASK).delete()
    Delivery.objects.filter(pk=lost.pk).update(
        next_attempt_at=timezone.now() - timedelta(minutes=11)
    )
    send(conversation, "twee")
    run_tasks()
    assert len(receiver.received) == 2 and receiver.received[0].event["id"] == lost.event_id


def test_sending_again_after_a_lost_answer_keeps_the_id(webchat, subscribed, receiver):
    """The receiver accepted, but the worker stopped before storing it: the event comes
    again, the same id, for the receiver to deduplicate."""
    conversation, _token = webchat
    send(conversation, "een")
    run_tasks()
    delivery = Delivery.objects.get()
    Delivery.objects.filter(pk=delivery.pk).update(
        state=DeliveryState.PENDING, next_attempt_at=timezone.now() - timedelta(minutes=11)
    )  # as it was left: claimed, sent, never recorded
    tasks.send_overdue.call()
    run_tasks()
    first, second = receiver.received
    assert first.body == second.body and first.event["id"] == delivery.event_id


def test_a_replay_sends_the_same_event_again(webchat, subscribed, receiver, admin_ada):
    conversation, _token = webchat
    receiver.answers(404)
    send(conversation, "een")
    run_tasks()
    failed = Delivery.objects.select_related("subscription").get()
    assert failed.state == DeliveryState.FAILED and failed.error_code == "refused"
    replayed = do_replay(failed, actor=admin_ada)
    assert replayed.state == DeliveryState.PENDING and replayed.attempts == 0
    with pytest.raises(WebhookConflict):  # still pending
        do_replay(Delivery.objects.select_related("subscription").get(), actor=admin_ada)
    run_tasks()
    first, second = receiver.received
    assert first.body == second.body
    assert first.headers["Balie-Webhook-Signature"] or second.headers["Balie-Webhook-Signature"]
    delivered = Delivery.objects.select_related("subscription").get()
    assert delivered.state == DeliveryState.DELIVERED
    do_replay(delivered, actor=admin_ada)  # a delivered one can be sent again too
    run_tasks()
    assert len({r.event["id"] for r in receiver.received}) == 1 and len(receiver.received) == 3


def test_a_switched_off_subscription_receives_nothing(webchat, subscribed, receiver, admin_ada):
    subscription, _secret = subscribed
    conversation, _token = webchat
    send(conversation, "een")  # queued while it was on
    do_update_subscription(subscription, actor=admin_ada, enabled=False)
    send(conversation, "twee")  # while it is off: not queued at all
    run_tasks()
    assert receiver.received == []
    (delivery,) = Delivery.objects.select_related("subscription")
    assert delivery.state == DeliveryState.FAILED and delivery.error_code == "disabled"
    with pytest.raises(WebhookConflict):
        do_replay(delivery, actor=admin_ada)


def test_event_type_patterns_choose_what_is_sent(webchat, utrecht, admin_ada, receiver, lead_lotte):
    do_create_subscription(
        utrecht.pk, actor=admin_ada, name="Status", url=receiver.url,
        event_types=["conversation.status-changed"],
    )  # fmt: skip
    do_create_subscription(
        utrecht.pk, actor=admin_ada, name="Berichten", url=receiver.url,
        event_types=["message.*"],
    )  # fmt: skip
    conversation, _token = webchat
    send(conversation, "een")
    actions.do_change_status(conversation, actor=lead_lotte, status="closed")
    run_tasks()
    by_subscription = {
        name: sorted(
            Delivery.objects.filter(subscription__name=name).values_list("event_type", flat=True)
        )  # noqa: E501
        for name in ("Status", "Berichten")
    }
    assert by_subscription == {
        "Status": ["nl.balie.conversation.status-changed"],
        "Berichten": ["nl.balie.message.created", "nl.balie.message.created"],
    }


def test_another_organisations_events_are_not_sent(
    webchat, groningen_webchat, subscribed, receiver
):
    conversation, _token = groningen_webchat
    send(conversation, "Groningen")
    run_tasks()
    assert receiver.received == []
    assert not Delivery.objects.exists()


def test_one_query_per_batch_on_the_group_commit_path(
    webchat, groningen_webchat, subscribed, receiver
):
    utrecht_conversation, _ = webchat
    groningen_conversation, _ = groningen_webchat
    items = [
        SendItem(conversation, direction=Direction.INBOUND, body=f"bericht {n}",
                 client_id=uuid.uuid4().hex)
        for n in range(5)
        for conversation in (utrecht_conversation, groningen_conversation)
    ]  # fmt: skip
    with CaptureQueriesContext(connection) as captured:
        send_messages(items)
    reads = [q["sql"] for q in captured if "webhooks_subscription" in q["sql"]]
    assert len(reads) == 1
    assert Delivery.objects.count() == 5  # Utrecht's five messages
    assert DBTaskResult.objects.filter(task_path=TASK).count() == 1  # one task for the batch
    run_tasks()
    assert len(receiver.received) == 5


def test_events_of_organisations_without_webhooks_cost_one_query(webchat):
    conversation, _token = webchat
    with CaptureQueriesContext(connection) as captured:
        send(conversation, "een")
    assert len([q for q in captured if "webhooks_" in q["sql"]]) == 1
    assert not Delivery.objects.exists()


def test_a_broken_listener_never_undoes_the_change(webchat, subscribed, receiver, monkeypatch):
    from balie.integrations.webhooks import listener

    def broken(*args, **kwargs):
        raise ValueError("a bug of the webhooks")

    monkeypatch.setattr(listener, "from_archive", broken)
    conversation, _token = webchat
    message = send(conversation, "een")
    assert message.pk and not Delivery.objects.exists()


def test_a_ping_reaches_the_receiver_whatever_its_event_types(utrecht, admin_ada, receiver):
    from balie.integrations.webhooks.subscriptions import do_send_ping

    subscription, _secret = do_create_subscription(
        utrecht.pk, actor=admin_ada, name="Alleen status", url=receiver.url,
        event_types=["conversation.status-changed"],
    )  # fmt: skip
    delivery = do_send_ping(subscription, actor=admin_ada)
    run_tasks()
    (event,) = receiver.events()
    assert event["type"] == "nl.balie.webhook.ping" and event["id"] == delivery.event_id
    assert event["data"] == {"organisation": "utrecht", "subscription": subscription.pk}
    assert str(uuid.UUID(event["id"])) == event["id"]


def test_the_stored_body_is_what_was_sent(webchat, subscribed, receiver):
    conversation, _token = webchat
    send(conversation, "een")
    run_tasks()
    assert Delivery.objects.get().body.encode() == receiver.received[0].body
    assert json.loads(receiver.received[0].body)["id"] == Delivery.objects.get().event_id


def test_a_waiting_receiver_gets_the_rest_of_the_batch_later(webchat, subscribed, settings):
    """No connection: the first delivery counts an attempt, the rest wait with it uncounted."""
    subscription, _secret = subscribed
    conversation, _token = webchat
    for text in ("een", "twee", "drie"):
        send(conversation, text)
    ids = sorted(Delivery.objects.values_list("pk", flat=True))
    Delivery.objects.update(next_attempt_at=timezone.now())
    Subscription.objects.filter(pk=subscription.pk).update(url="http://127.0.0.1:9/balie")
    queued = set(DBTaskResult.objects.values_list("pk", flat=True))
    assert tasks.send_deliveries.call(ids) == [DeliveryState.PENDING]
    attempts = dict(Delivery.objects.values_list("pk", "attempts"))
    assert attempts == {ids[0]: 1, ids[1]: 0, ids[2]: 0}
    (waiting,) = DBTaskResult.objects.filter(task_path=TASK, status=TaskResultStatus.READY).exclude(
        pk__in=queued
    )
    assert waiting.args_kwargs["args"][0] == ids
    assert len(set(Delivery.objects.values_list("next_attempt_at", flat=True))) == 1
    assert waiting.run_after == Delivery.objects.first().next_attempt_at


def test_a_new_conversation_is_sent_with_its_channel(utrecht, utrecht_team, subscribed, receiver):
    conversation, _token = actions.do_start_webchat(utrecht)
    run_tasks()
    (event,) = receiver.events()
    assert event["type"] == "nl.balie.conversation.created"
    assert event["subject"] == f"conversations/{conversation.pk}"
    assert event["dataref"].endswith(f"/api/v1/conversations/{conversation.pk}/")
    assert event["data"] == {
        "organisation": "utrecht", "conversation": conversation.pk, "channel": "webchat",
        "team": utrecht_team.pk,
    }  # fmt: skip


def test_the_log_forgets_what_was_done_after_ninety_days(webchat, subscribed, receiver):
    conversation, _token = webchat
    receiver.answers(400)
    send(conversation, "een")
    send(conversation, "twee")
    run_tasks()
    send(conversation, "drie")  # still pending
    Delivery.objects.update(created_at=timezone.now() - timedelta(days=91))
    assert tasks.prune_deliveries.call() == 2
    assert list(Delivery.objects.values_list("state", flat=True)) == [DeliveryState.PENDING]
