"""An agent's answer pushes a notification to the resident's browsers: after commit, through
the task, to a push service that checks the VAPID signature and decrypts the payload, which
holds no message text. Gone subscriptions are removed, failing ones after five in a row, and
a conversation gets at most one push per 30 seconds."""

from __future__ import annotations

import os
import stat
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from balie.connectors.webpush import keys, sending
from balie.connectors.webpush.models import PushSubscription
from balie.connectors.webpush.subscriptions import check_subscription, do_subscribe
from balie.conversations import actions
from balie.conversations.models import Direction
from balie.records.destruction import do_approve_destruction, do_propose_destruction
from balie.records.execution import do_execute_destruction
from tests.connectors.webpush.conftest import committed, queued, run_pushes
from tests.factories import make_due, send

pytestmark = pytest.mark.django_db

SECRET_TEXT = "Uw paspoort ligt klaar bij balie 3, BSN 111222333"


def subscribe(conversation, push_service, vapid):
    browser = push_service.subscribe(vapid)
    do_subscribe(conversation, check_subscription(browser))
    return browser


def answer(conversation, agent, text=SECRET_TEXT):
    return send(conversation, text, direction=Direction.OUTBOUND, author=agent)


def test_an_answer_pushes_the_fixed_sentence_and_never_the_text(
    webchat, agent_anna, push_service, vapid, django_capture_on_commit_callbacks
):
    conversation, _token = webchat
    browser = subscribe(conversation, push_service, vapid)
    with committed(django_capture_on_commit_callbacks):
        answer(conversation, agent_anna)
    assert run_pushes() == [{"delivered": 1}]
    assert push_service.payloads == [
        {
            "title": "Gemeente Utrecht",
            "body": "U heeft een nieuw bericht van Gemeente Utrecht",
            "url": "/c/utrecht/",
        }
    ]
    raw = push_service.browser(browser["endpoint"]).raw[0]
    assert b"paspoort" not in raw and b"111222333" not in raw and b"Anna" not in raw
    stored = PushSubscription.objects.get()
    assert stored.last_success_at is not None and stored.failures == 0


def test_in_english_for_a_conversation_in_english(
    utrecht, agent_anna, push_service, vapid, django_capture_on_commit_callbacks
):
    conversation, _token = actions.do_start_webchat(utrecht, language="en")
    subscribe(conversation, push_service, vapid)
    with committed(django_capture_on_commit_callbacks):
        answer(conversation, agent_anna)
    run_pushes()
    assert push_service.payloads == [
        {
            "title": "Gemeente Utrecht",
            "body": "You have a new message from Gemeente Utrecht",
            "url": "/c/utrecht/?lang=en",
        }
    ]


def test_the_residents_own_message_and_an_unsubscribed_chat_push_nothing(
    webchat, utrecht, agent_anna, push_service, vapid, django_capture_on_commit_callbacks
):
    conversation, _token = webchat
    subscribe(conversation, push_service, vapid)
    other, _other_token = actions.do_start_webchat(utrecht)
    with committed(django_capture_on_commit_callbacks):
        send(conversation, "Mijn vraag")
        answer(other, agent_anna)
    assert queued() == []


def test_nothing_is_queued_when_the_answer_is_rolled_back(
    webchat, agent_anna, push_service, vapid, django_capture_on_commit_callbacks
):
    conversation, _token = webchat
    subscribe(conversation, push_service, vapid)
    with (
        committed(django_capture_on_commit_callbacks) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        answer(conversation, agent_anna)
        raise RuntimeError("rolled back")
    assert callbacks == [] and queued() == []


@pytest.mark.parametrize("status", [404, 410])
def test_a_gone_subscription_is_deleted(
    webchat, agent_anna, push_service, vapid, django_capture_on_commit_callbacks, status
):
    conversation, _token = webchat
    gone = subscribe(conversation, push_service, vapid)
    kept = subscribe(conversation, push_service, vapid)
    push_service.answer(gone["endpoint"], status)
    with committed(django_capture_on_commit_callbacks):
        answer(conversation, agent_anna)
    assert run_pushes() == [{"gone": 1, "delivered": 1}]
    assert list(PushSubscription.objects.values_list("endpoint", flat=True)) == [kept["endpoint"]]


def test_other_errors_count_and_the_fifth_in_a_row_deletes(webchat, push_service, vapid):
    conversation, _token = webchat
    browser = subscribe(conversation, push_service, vapid)
    subscription = PushSubscription.objects.get()
    data = sending.payload(conversation)
    push_service.answer(browser["endpoint"], 500)
    for failures in range(1, sending.MAX_FAILURES):
        outcome = sending.send_one(subscription, data)
        assert sending.do_record_outcome(subscription, outcome) == "failed"
        assert PushSubscription.objects.get().failures == failures
    push_service.answer(browser["endpoint"], 201)  # a success in between starts again
    sending.do_record_outcome(subscription, sending.send_one(subscription, data))
    assert PushSubscription.objects.get().failures == 0
    push_service.answer(browser["endpoint"], 503)
    for _failure in range(sending.MAX_FAILURES):
        sending.do_record_outcome(subscription, sending.send_one(subscription, data))
    assert not PushSubscription.objects.exists()


def test_no_answer_at_all_counts_as_a_failure(webchat, push_service, vapid):
    conversation, _token = webchat
    subscribe(conversation, push_service, vapid)
    subscription = PushSubscription.objects.get()
    push_service.stop()
    outcome = sending.send_one(subscription, sending.payload(conversation))
    assert (outcome.status, outcome.code) == (None, "ConnectionError")
    assert sending.do_record_outcome(subscription, outcome) == "failed"


def test_an_endpoint_in_a_network_no_longer_allowed_is_not_called(
    webchat, push_service, vapid, settings
):
    conversation, _token = webchat
    subscribe(conversation, push_service, vapid)
    settings.WEBPUSH_ALLOWED_NETWORKS = []
    outcome = sending.send_one(PushSubscription.objects.get(), sending.payload(conversation))
    assert outcome.code == "address_refused"
    assert push_service.calls == []


def test_at_most_one_push_per_conversation_per_30_seconds(
    webchat, agent_anna, push_service, vapid, django_capture_on_commit_callbacks
):
    conversation, _token = webchat
    subscribe(conversation, push_service, vapid)
    with committed(django_capture_on_commit_callbacks):
        answer(conversation, agent_anna, "Eén")
    assert run_pushes() == [{"delivered": 1}]
    with committed(django_capture_on_commit_callbacks):
        answer(conversation, agent_anna, "Twee")
        answer(conversation, agent_anna, "Drie")
    # the first plans a push for when the 30 s have passed; that push covers the second
    assert run_pushes() == [{"deferred": 1}, {"covered": 1}]
    deferred = queued()
    assert len(deferred) == 1 and deferred[0].run_after is not None
    pushed_at = PushSubscription.objects.get().last_push_at
    assert deferred[0].run_after == pushed_at + sending.COALESCE
    assert len(push_service.payloads) == 1
    # 30 seconds later the worker runs it: the second push, and only that
    PushSubscription.objects.update(
        last_push_at=pushed_at - sending.COALESCE, push_planned_at=pushed_at
    )
    assert run_pushes() == [{"delivered": 1}]
    assert len(push_service.payloads) == 2
    assert PushSubscription.objects.get().push_planned_at is None


def test_an_answer_that_a_later_push_covered_is_not_pushed_again(webchat, push_service, vapid):
    conversation, _token = webchat
    subscribe(conversation, push_service, vapid)
    now = timezone.now()
    PushSubscription.objects.update(last_push_at=now - timedelta(minutes=5))
    assert sending.plan_push(conversation, now - timedelta(minutes=6)) == sending.Plan(push=False)
    assert sending.plan_push(conversation, now).push


def test_the_key_is_generated_once_and_kept_for_its_owner_only(settings, tmp_path):
    settings.VAPID_PRIVATE_KEY = ""
    settings.DATA_DIR = tmp_path
    first = keys.public_key()
    path = tmp_path / keys.KEY_FILE
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert keys.public_key() == first
    assert len(keys.b64url(b"x" * 65)) == len(first) == 87


def test_the_subject_falls_back_to_the_public_https_address(settings):
    settings.VAPID_SUBJECT = ""
    settings.PUBLIC_URL = "https://chat.utrecht.example/"
    assert keys.subject() == "https://chat.utrecht.example"
    settings.PUBLIC_URL = "http://127.0.0.1:8000"
    assert keys.subject() == "mailto:webpush@localhost"


@pytest.mark.parametrize("bad", ["not-a-key", keys.b64url(bytes(31)), "ÿÿÿ"])
def test_a_bad_key_setting_is_reported_by_the_system_check(settings, bad):
    settings.VAPID_PRIVATE_KEY = bad
    assert [error.id for error in keys.check_key()] == ["balie.webpush.E001"]
    settings.VAPID_PRIVATE_KEY = keys.generate_private_key()
    assert keys.check_key() == []


def test_destroying_a_conversation_removes_its_subscriptions(
    utrecht, utrecht_team, webchat, push_service, vapid, lead_lotte, records_rik, records_roos
):
    conversation, _ = webchat
    other, _ = actions.do_start_webchat(utrecht)
    subscribe(conversation, push_service, vapid)
    subscribe(other, push_service, vapid)
    make_due(conversation, actor=lead_lotte)
    proposed = do_propose_destruction(
        utrecht.pk, actor=records_rik, conversation_ids=[conversation.pk], title="Oud"
    )
    do_approve_destruction(proposed, actor=records_roos, note="Gecontroleerd")
    do_execute_destruction(proposed.pk)
    left = list(PushSubscription.objects.values_list("conversation_id", flat=True))
    assert left == [other.pk]
