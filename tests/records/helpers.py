"""Helpers for the archive's retention and destruction tests."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from balie.conversations import actions
from balie.conversations.models import Conversation


def close_in_the_past(conversation, actor, *, days: int) -> None:
    """Close the conversation, then move its closing date ``days`` back."""
    actions.do_change_status(conversation, actor=actor, status="closed")
    Conversation.objects.filter(pk=conversation.pk).update(
        closed_at=timezone.now() - timedelta(days=days)
    )
    conversation.refresh_from_db()
