"""The dashboard's timings, kept by the write path and the handling actions."""

from __future__ import annotations

import importlib
import uuid

from django.db import connection
from django.test.utils import CaptureQueriesContext

from balie.conversations import actions
from balie.conversations.actions import SendItem, send_messages
from balie.conversations.models import Conversation, Direction
from tests.factories import send


def _fresh(conversation) -> Conversation:
    return Conversation.objects.get(pk=conversation.pk)


def test_first_agent_answer_sets_first_response_once(webchat, agent_anna):
    conversation, _token = webchat
    send(conversation, "Mijn paspoort is verlopen")
    send(conversation, "Collega, weet jij dit?", direction=Direction.NOTE, author=agent_anna)
    actions.do_change_status(conversation, actor=agent_anna, status="pending")  # system line
    assert _fresh(conversation).first_response_at is None

    answer = send(
        conversation, "Maak een afspraak.", direction=Direction.OUTBOUND, author=agent_anna
    )
    send(conversation, "Nog iets.", direction=Direction.OUTBOUND, author=agent_anna)

    assert _fresh(conversation).first_response_at == answer.created_at


def test_waiting_since_is_the_first_unanswered_resident_message(webchat, agent_anna):
    conversation, _token = webchat
    first = send(conversation, "Hallo")
    send(conversation, "Is daar iemand?")
    assert _fresh(conversation).waiting_since == first.created_at

    send(conversation, "Ja, ik help u.", direction=Direction.OUTBOUND, author=agent_anna)
    assert _fresh(conversation).waiting_since is None

    again = send(conversation, "Dank, nog een vraag")
    assert _fresh(conversation).waiting_since == again.created_at


def test_resolving_stamps_resolved_at_and_ends_the_wait_reopening_clears_it(webchat, agent_anna):
    conversation, _token = webchat
    send(conversation, "Vraag")
    actions.do_change_status(conversation, actor=agent_anna, status="resolved")
    resolved = _fresh(conversation)
    assert resolved.resolved_at is not None
    assert resolved.waiting_since is None

    reopening = send(conversation, "Toch nog een vraag")  # the resident reopens it
    reopened = _fresh(conversation)
    assert (reopened.status, reopened.resolved_at) == ("open", None)
    assert reopened.waiting_since == reopening.created_at

    actions.do_change_status(reopened, actor=agent_anna, status="resolved")
    moment = _fresh(conversation).resolved_at
    actions.do_change_status(_fresh(conversation), actor=agent_anna, status="closed")
    assert _fresh(conversation).resolved_at == moment  # closing keeps when it was resolved


def test_closing_an_open_conversation_stamps_resolved_at(webchat, agent_anna):
    conversation, _token = webchat
    actions.do_change_status(conversation, actor=agent_anna, status="closed")
    closed = _fresh(conversation)
    assert closed.resolved_at == closed.closed_at


def test_assigning_stamps_assigned_at_and_unassigning_clears_it(webchat, agent_anna, lead_lotte):
    conversation, _token = webchat
    actions.do_assign(conversation, actor=lead_lotte, assignee=agent_anna)
    first = _fresh(conversation).assigned_at
    assert first is not None

    actions.do_assign(_fresh(conversation), actor=lead_lotte, assignee=agent_anna)  # no change
    assert _fresh(conversation).assigned_at == first

    actions.do_assign(_fresh(conversation), actor=lead_lotte, assignee=lead_lotte)
    assert _fresh(conversation).assigned_at > first
    actions.do_assign(_fresh(conversation), actor=lead_lotte, assignee=None)
    assert _fresh(conversation).assigned_at is None


def test_a_batch_keeps_one_update_for_all_its_conversations(utrecht, utrecht_team, agent_anna):
    chats = [actions.do_start_webchat(utrecht)[0] for _ in range(3)]
    send(chats[1], "Eerder gesteld")  # waiting before the batch
    items = [
        SendItem(chats[0], Direction.INBOUND, "Vraag", uuid.uuid4().hex),
        SendItem(chats[0], Direction.OUTBOUND, "Antwoord", uuid.uuid4().hex, agent_anna),
        SendItem(chats[0], Direction.INBOUND, "Vervolgvraag", uuid.uuid4().hex),
        SendItem(chats[1], Direction.OUTBOUND, "Antwoord", uuid.uuid4().hex, agent_anna),
        SendItem(chats[2], Direction.INBOUND, "Hallo", uuid.uuid4().hex),
    ]
    with CaptureQueriesContext(connection) as queries:
        results = send_messages(items)

    table = Conversation._meta.db_table
    updates = [q["sql"] for q in queries if q["sql"].startswith(f'UPDATE "{table}"')]
    assert len(updates) == 1
    now = results[0].message.created_at
    first, second, third = (_fresh(chat) for chat in chats)
    # Asked, answered and asked again in one batch: answered now, waiting again since now.
    assert (first.first_response_at, first.waiting_since) == (now, now)
    assert (second.first_response_at, second.waiting_since) == (now, None)
    assert (third.first_response_at, third.waiting_since) == (None, now)


def test_backfill_fills_the_timings_of_earlier_conversations_from_their_messages(
    utrecht, utrecht_team, agent_anna, lead_lotte
):
    from django.apps import apps

    backfill = importlib.import_module("balie.conversations.migrations.0011_timings_backfill")
    answered, waiting, closed = (actions.do_start_webchat(utrecht)[0] for _ in range(3))
    send(answered, "Vraag")
    answer = send(answered, "Antwoord", direction=Direction.OUTBOUND, author=agent_anna)
    send(waiting, "Eerste vraag")
    send(waiting, "Antwoord", direction=Direction.OUTBOUND, author=agent_anna)
    asked = send(waiting, "Vervolgvraag")
    send(waiting, "Nog een")
    actions.do_assign(waiting, actor=lead_lotte, assignee=agent_anna)
    actions.do_change_status(closed, actor=agent_anna, status="closed")
    before = {c.pk: c for c in Conversation.objects.all()}
    Conversation.objects.update(
        first_response_at=None, waiting_since=None, resolved_at=None, assigned_at=None
    )

    backfill.fill(apps, None)

    after = {c.pk: c for c in Conversation.objects.all()}
    assert after[answered.pk].first_response_at == answer.created_at
    assert after[answered.pk].waiting_since is None
    assert after[waiting.pk].waiting_since == asked.created_at
    line = waiting.messages.get(body__startswith="Toegewezen aan")  # written just after it
    assert before[waiting.pk].assigned_at <= after[waiting.pk].assigned_at == line.created_at
    assert after[closed.pk].resolved_at == after[closed.pk].closed_at
    assert after[closed.pk].first_response_at is None
