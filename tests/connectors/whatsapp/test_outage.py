"""A WhatsApp outage: the Graph API answers 500 for a while, then recovers. Every message
staff wrote meanwhile reaches the resident exactly once after the recovery, none is lost,
and the console showed each one's state (tried again, failed) while it lasted."""

from __future__ import annotations

import pytest
from django_tasks_db.models import DBTaskResult

from balie.connectors.inbound import Inbound, do_receive
from balie.conversations import actions, events, tasks
from balie.conversations.models import DeliveryStatus, Direction, Message
from tests.connectors.whatsapp import payloads
from tests.connectors.whatsapp.conftest import RESIDENT, post

REPLIES = ("Eerste antwoord", "Tweede antwoord", "Derde antwoord")


def _waiting_deliveries() -> list[DBTaskResult]:
    return list(
        DBTaskResult.objects.filter(
            task_path__endswith="conversations.tasks.deliver_outbound", status="READY"
        ).order_by("enqueued_at")
    )


def _run_waiting() -> list[str]:
    """What a worker does once the pauses have passed: run every waiting delivery once."""
    outcomes = []
    for row in _waiting_deliveries():
        row.delete()
        outcomes.append(tasks.deliver_outbound.call(*row.args_kwargs["args"]))
    return outcomes


def _delivery_frames(collected) -> list[tuple[int, str, str]]:
    return [
        (event["message"], event["delivery_status"], event["error"])
        for event, groups in collected
        if event["type"] == "delivery" and groups == [events.staff_group(event["conversation"])]
    ]


def test_an_outage_delivers_every_message_exactly_once_after_recovery(
    client, account, agent_anna, fake_graph, django_capture_on_commit_callbacks
):
    conversation = do_receive(account, Inbound("wamid.START", RESIDENT, "Vraag")).conversation
    fake_graph.fail_always("sendMessage", "500")
    with events.collect_events() as collected, django_capture_on_commit_callbacks(execute=True):
        replies = [
            actions.do_send_message(
                conversation, direction=Direction.OUTBOUND, body=body, client_id=f"outage-{n}-abc",
                author=agent_anna,
            ).message
            for n, body in enumerate(REPLIES)
        ]  # fmt: skip
        # The outage: every attempt fails and is tried again later.
        for _ in range(3):
            assert set(_run_waiting()) == {"retrying"}
        # The resident still reaches Balie meanwhile (inbound does not need the Graph API).
        news = payloads.notification(messages=[payloads.text("wamid.DURING", RESIDENT, "Hallo?")])
        assert post(client, account, news).status_code == 200
        # The first message uses up its attempts: it is failed, visibly.
        first = _waiting_deliveries()[0]
        first.delete()
        assert tasks.deliver_outbound.call(replies[0].pk, tasks.MAX_ATTEMPTS) == "failed"

    frames = _delivery_frames(collected)
    shown = {(pk, status) for pk, status, _error in frames}
    assert {(r.pk, DeliveryStatus.PENDING) for r in replies} <= shown  # "tried again" shown
    assert (replies[0].pk, DeliveryStatus.FAILED) in shown
    pending_errors = [error for pk, status, error in frames if status == DeliveryStatus.PENDING]
    assert all(e.startswith("2: Service temporarily unavailable") for e in pending_errors)
    assert "(retry 1/7)" in pending_errors[0]
    failed = Message.objects.get(pk=replies[0].pk)
    payload = events.message_payload(failed, for_resident=False)  # what the console shows
    assert payload["delivery_status"] == "failed"
    assert payload["delivery_error"].startswith("2: Service temporarily unavailable")
    assert fake_graph.sent == []

    # The recovery: the waiting ones go out with their next attempt, staff send the failed
    # one again.
    fake_graph.heal()
    assert _run_waiting() == [DeliveryStatus.SENT, DeliveryStatus.SENT]
    actions.do_retry_delivery(failed, actor=agent_anna)
    assert _run_waiting() == [DeliveryStatus.SENT]
    assert _run_waiting() == []

    bodies = sorted(s["text"]["body"] for s in fake_graph.sent)
    assert bodies == sorted(REPLIES)  # each exactly once, none lost
    for reply in replies:
        reply.refresh_from_db()
        assert (reply.delivery_status, reply.delivery_error) == (DeliveryStatus.SENT, "")
    assert Message.objects.filter(body="Hallo?", direction=Direction.INBOUND).count() == 1


@pytest.mark.parametrize("mode", ["drop", "500"])
def test_a_single_failure_is_retried_and_sent_once(account, agent_anna, fake_graph, mode):
    conversation = do_receive(account, Inbound("wamid.S", RESIDENT, "Vraag")).conversation
    fake_graph.fail_operation("sendMessage", mode)
    reply = actions.do_send_message(
        conversation, direction=Direction.OUTBOUND, body="Antwoord", client_id="single-1-abc",
        author=agent_anna,
    ).message  # fmt: skip
    assert _run_waiting() == ["retrying"]
    assert _run_waiting() == [DeliveryStatus.SENT]
    assert [s["text"]["body"] for s in fake_graph.sent] == ["Antwoord"]
    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.SENT
