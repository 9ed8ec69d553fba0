"""Small helpers for building test data through the real actions."""

from __future__ import annotations

import uuid

from balie.conversations import actions
from balie.conversations.models import Direction

# What writing one audit entry costs (savepoint, head lock, the head's creation the first
# time, insert, head update, release): list reads add this once per organisation shown.
AUDIT_WRITE_QUERIES = 7


def send(conversation, body, *, direction=Direction.INBOUND, author=None, client_id=None):
    """Helper for tests: one message through the real action."""
    return actions.do_send_message(
        conversation,
        direction=direction,
        body=body,
        client_id=client_id or uuid.uuid4().hex,
        author=author,
    ).message


def make_due(conversation, *, actor, years_ago: int = 3):
    """Close the conversation through the real action, then move its closing date back so
    that its record class's term (P1Y for the default class) has passed."""
    from datetime import timedelta

    from django.utils import timezone

    from balie.conversations.models import Conversation

    actions.do_change_status(conversation, actor=actor, status="closed")
    closed = timezone.now() - timedelta(days=366 * years_ago)
    Conversation.objects.filter(pk=conversation.pk).update(closed_at=closed)
    conversation.refresh_from_db()
    return conversation
