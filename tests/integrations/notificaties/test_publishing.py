"""Publishing conversation events as notificaties: written with the event, sent by the task
to the fake Notificaties API (which checks every call against the contract), retried after
failures without being lost or sent twice."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.db import connection as db
from django.db import transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from rest_framework.test import APIClient

from balie.archive.models import ArchiveEvent
from balie.conversations import actions
from balie.conversations.actions.sending import SendItem, send_messages
from balie.conversations.models import Direction
from balie.integrations.notificaties import listener, tasks
from balie.integrations.notificaties.connection import do_configure_connection
from balie.integrations.notificaties.models import SentNotification, State
from balie.integrations.notificaties.outcomes import NotSent, do_retry
from balie.integrations.notificaties.selectors import sent_notifications, sent_view
from tests.factories import send
from tests.integrations.notificaties.conftest import CLIENT_ID, PUBLIC_URL, TASK, run_queued

pytestmark = pytest.mark.django_db

PRIVATE = "Mijn BSN is 111222333, ik woon op de Oudegracht 12 in Utrecht."


@pytest.fixture
def chat(webchat, connected):
    """A Utrecht web chat started before Utrecht began to publish."""
    return webchat[0]


def _conversation_url(conversation) -> str:
    return f"{PUBLIC_URL}/api/v1/conversations/{conversation.pk}/"


def _run_ready_once() -> None:
    """One pass of a worker over the tasks that are ready now (retries wait)."""
    for row in DBTaskResult.objects.ready().filter(task_path=TASK):
        row.claim("test")
        row.set_successful(tasks.send_notifications.call(*row.args_kwargs["args"]))


def _identities(nrc) -> list[tuple[str, str, str]]:
    return [(n["resourceUrl"], n["actie"], n["aanmaakdatum"]) for n in nrc.notificaties]


def test_a_status_change_is_published_without_personal_data(
    connected, utrecht, utrecht_team, lead_lotte, agent_anna, nrc
):
    conversation, token = actions.do_start_webchat(utrecht)
    message = send(conversation, PRIVATE)
    actions.do_change_status(conversation, actor=lead_lotte, status="resolved")

    assert run_queued() == [{"sent": 1}, {"sent": 1}, {"sent": 1}]

    url = _conversation_url(conversation)
    created, said, resolved = nrc.notificaties
    assert (created["resource"], created["actie"], created["resourceUrl"]) == (
        "conversation", "create", url,
    )  # fmt: skip
    assert created["kenmerken"] == {"kanaal": "webchat", "status": "open"}
    assert said["resource"] == "message" and said["actie"] == "create"
    assert said["hoofdObject"] == url
    assert said["resourceUrl"] == f"{url}messages/?after_seq={message.seq - 1}&limit=1"
    assert said["kenmerken"] == {"kanaal": "webchat", "status": "open", "richting": "inbound"}
    event = ArchiveEvent.objects.get(event_type="conversation.status_changed")
    assert resolved == {
        "kanaal": "balie-gesprekken",
        "hoofdObject": url,
        "resource": "conversation",
        "resourceUrl": url,
        "actie": "update",
        "aanmaakdatum": event.created_at.isoformat(),
        "kenmerken": {"kanaal": "webchat", "status": "resolved"},
    }
    # The system line "Status: …" is not announced; the change itself is.
    assert SentNotification.objects.count() == 3
    # Nothing of the resident went out: not the text, not the token, not a name.
    sent = b"".join(nrc.bodies).decode()
    for private in ("111222333", "Oudegracht", "BSN", token, "Lotte", "Anna"):
        assert private not in sent
    # hoofdObject is the conversation in Balie's API, a message's resourceUrl that message.
    answer = APIClient()
    answer.force_login(agent_anna)
    assert answer.get(url.removeprefix(PUBLIC_URL)).json()["id"] == conversation.pk
    found = answer.get(said["resourceUrl"].removeprefix(PUBLIC_URL)).json()["results"]
    assert [m["seq"] for m in found] == [message.seq]


def test_an_assignment_is_an_update(chat, lead_lotte, agent_anna, nrc):
    conversation = chat
    actions.do_assign(conversation, actor=lead_lotte, assignee=agent_anna)
    run_queued()
    assert [(n["resource"], n["actie"]) for n in nrc.notificaties] == [("conversation", "update")]
    assert "anna" not in repr(nrc.notificaties).lower()


def test_internal_notes_and_system_lines_are_not_announced(chat, lead_lotte, nrc):
    send(chat, "Notitie: bel haar terug", direction=Direction.NOTE, author=lead_lotte)
    send(chat, "Systeemregel", direction=Direction.SYSTEM)
    send(chat, "Wij bellen u morgen.", direction=Direction.OUTBOUND, author=lead_lotte)
    run_queued()
    assert [n["kenmerken"]["richting"] for n in nrc.notificaties] == ["outbound"]


def test_one_batch_of_messages_is_one_task(chat, nrc):
    conversation = chat
    send_messages([
        SendItem(conversation, Direction.INBOUND, f"bericht {n}", uuid.uuid4().hex)
        for n in range(5)
    ])  # fmt: skip
    assert DBTaskResult.objects.filter(task_path=TASK).count() == 1
    assert run_queued() == [{"sent": 5}]
    assert [n["resourceUrl"].rsplit("?", 1)[1] for n in nrc.notificaties] == [
        f"after_seq={seq}&limit=1" for seq in range(5)
    ]


def test_a_batch_waits_after_the_first_failure_instead_of_trying_each(chat, nrc):
    nrc.fail_always("notificaties_create", "drop")
    send_messages([
        SendItem(chat, Direction.INBOUND, f"bericht {n}", uuid.uuid4().hex) for n in range(5)
    ])  # fmt: skip
    _run_ready_once()
    assert nrc.calls.count("notificaties_create") == 1
    assert set(SentNotification.objects.values_list("state", "error_code")) == {
        (State.QUEUED, "notificaties_unreachable")
    }
    nrc.heal()
    run_queued()
    assert len(nrc.notificaties) == 5 and len(set(_identities(nrc))) == 5


def test_organisations_that_do_not_publish_cost_one_query(
    connected, groningen_webchat, utrecht, nrc
):
    conversation, _token = groningen_webchat
    with CaptureQueriesContext(db) as queries:
        send(conversation, "Hallo Groningen")
    ours = [q["sql"] for q in queries.captured_queries if "notificaties_" in q["sql"]]
    assert len(ours) == 1 and "notificaties_connection" in ours[0]
    assert not SentNotification.objects.exists()


def test_events_that_are_not_announced_cost_nothing(connected):
    event = ArchiveEvent(organisation_id=connected.organisation_id, event_type="hold.placed",
                         payload={}, conversation_id=None)  # fmt: skip
    with CaptureQueriesContext(db) as queries:
        listener.do_queue_notifications([event])
    assert queries.captured_queries == []


def test_a_change_that_rolls_back_is_not_announced(chat, lead_lotte, nrc):
    conversation = chat
    with pytest.raises(RuntimeError), transaction.atomic():
        actions.do_change_status(conversation, actor=lead_lotte, status="resolved")
        assert SentNotification.objects.count() == 1  # in the same transaction
        raise RuntimeError("the change fails after all")
    assert not SentNotification.objects.exists()
    assert not DBTaskResult.objects.filter(task_path=TASK).exists()


@pytest.mark.parametrize("mode", ["drop", "500"])
def test_the_api_down_then_up_sends_each_exactly_once(
    chat, lead_lotte, agent_anna, admin_ada, utrecht, nrc, mode
):
    conversation = chat
    nrc.fail_always("notificaties_create", mode)
    send(conversation, "Eerste vraag")
    actions.do_assign(conversation, actor=lead_lotte, assignee=agent_anna)
    send(conversation, "Tweede vraag")
    _run_ready_once()

    rows = [sent_view(r) for r in sent_notifications(admin_ada, utrecht.pk)]
    assert len(rows) == 3 and {r["state"] for r in rows} == {State.QUEUED}
    assert {r["attempts"] for r in rows} == {1} and all(r["next_attempt_at"] for r in rows)
    expected = "notificaties_unreachable" if mode == "drop" else "notificaties_refused"
    assert {r["error_code"] for r in rows} == {expected} and all(r["error"] for r in rows)
    assert nrc.notificaties == []
    retries = DBTaskResult.objects.filter(task_path=TASK, status=TaskResultStatus.READY)
    assert retries.count() == 3 and all(r.run_after > timezone.now() for r in retries)

    nrc.heal()
    run_queued()

    assert len(nrc.notificaties) == 3 and len(set(_identities(nrc))) == 3
    assert set(SentNotification.objects.values_list("state", "attempts")) == {(State.SENT, 2)}
    assert not SentNotification.objects.exclude(error_code="").exists()


def test_an_answer_lost_after_the_api_took_it_sends_the_same_notificatie_again(chat, nrc):
    """The remaining risk: the API has no idempotency key, so a notificatie it took but
    whose answer never arrived is sent again on the retry — identical, aanmaakdatum and
    all, so a subscriber can recognise it."""
    conversation = chat
    nrc.fail_operation("notificaties_create", "lost")
    send(conversation, "Is de milieustraat open?")
    run_queued()
    first, again = nrc.notificaties
    assert first == again
    assert SentNotification.objects.get().state == State.SENT


def test_an_api_that_keeps_failing_leaves_a_visible_failure_to_send_again(
    chat, admin_ada, utrecht, nrc, monkeypatch
):
    monkeypatch.setattr(tasks, "MAX_ATTEMPTS", 3)
    conversation = chat
    nrc.fail_always("notificaties_create", "500")
    send(conversation, "Hallo")
    assert run_queued() == [{"queued": 1}, {"queued": 1}, {"failed": 1}]

    (row,) = [sent_view(r) for r in sent_notifications(admin_ada, utrecht.pk)]
    assert row["state"] == State.FAILED and row["attempts"] == 3
    assert row["error_status"] == 500 and row["next_attempt_at"] is None
    assert "500" in row["error"] and "Er is een interne fout opgetreden." in row["error"]

    nrc.heal()
    retried = do_retry(utrecht.pk, row["id"], actor=admin_ada)
    assert retried.state == State.QUEUED and retried.attempts == 0
    tasks.send_notifications.enqueue([retried.pk])
    run_queued()
    assert len(nrc.notificaties) == 1
    assert SentNotification.objects.get().state == State.SENT
    with pytest.raises(NotSent) as refused:
        do_retry(utrecht.pk, row["id"], actor=admin_ada)
    assert refused.value.code == "not_failed"


def test_a_refusal_fails_at_once(chat, nrc):
    nrc.kanalen.clear()  # the kanaal disappeared at the other end
    conversation = chat
    send(conversation, "Hallo")
    assert run_queued() == [{"failed": 1}]
    row = SentNotification.objects.get()
    assert (row.attempts, row.error_status) == (1, 400)
    assert "bestaat niet" in sent_view(row)["error"]


def test_nothing_is_written_without_a_registered_kanaal_or_with_publishing_off(
    configured, utrecht, admin_ada, webchat, nrc
):
    conversation, _token = webchat
    send(conversation, "Niet geregistreerd")
    do_configure_connection(
        utrecht.pk, actor=admin_ada, url=nrc.root, client_id=CLIENT_ID, enabled=False
    )
    send(conversation, "Uitgeschakeld")
    assert not SentNotification.objects.exists()


def test_switched_off_while_queued_fails_without_a_call(utrecht, admin_ada, chat, nrc):
    conversation = chat
    send(conversation, "Hallo")
    do_configure_connection(
        utrecht.pk, actor=admin_ada, url=nrc.root, client_id=CLIENT_ID, enabled=False
    )
    assert run_queued() == [{"failed": 1}]
    assert SentNotification.objects.get().error_code == "publishing_off"
    assert "notificaties_create" not in nrc.calls


def test_a_lost_task_is_taken_up_by_the_daily_job(chat, nrc):
    conversation = chat
    send(conversation, "Hallo")
    DBTaskResult.objects.filter(task_path=TASK).delete()  # the task row is gone
    # As an insider: long enough ago for the grace period to have passed.
    SentNotification.objects.update(updated_at=timezone.now() - datetime.timedelta(minutes=6))
    assert tasks.resume_notifications.call() == 1
    run_queued()
    assert len(nrc.notificaties) == 1 and SentNotification.objects.get().state == State.SENT
    assert tasks.resume_notifications.call() == 0


def test_a_worker_that_stopped_mid_send_is_taken_up_by_the_next_task(chat, nrc):
    conversation = chat
    send(conversation, "Eerste")
    DBTaskResult.objects.filter(task_path=TASK).delete()
    # As an insider: a worker claimed it and stopped before the call.
    SentNotification.objects.update(
        state=State.SENDING, attempts=1, updated_at=timezone.now() - datetime.timedelta(hours=1)
    )
    send(conversation, "Tweede")  # its task takes the first one up too
    assert run_queued() == [{"sent": 2}]
    assert len(nrc.notificaties) == 2 and len(set(_identities(nrc))) == 2
