"""Retention: which conversations are due for destruction, and the daily review of them.

A conversation becomes *due* when it is closed and its record class's term (``terms.py``) has
passed since the trigger date. Only classes with waardering *vernietigen* lead to destruction;
*bewaren* classes are kept permanently. The classes themselves are in ``record_classes.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import QuerySet
from django.utils import timezone

from balie.archive.models import RecordClass, RetentionReview, Trigger, Waardering
from balie.conversations.models import Conversation, Status
from balie.records.terms import Retention


def trigger_date(conversation: Conversation, trigger: str) -> datetime | None:
    """The date the term runs from; None while the conversation is not closed."""
    if conversation.status != Status.CLOSED or conversation.closed_at is None:
        return None
    if trigger == Trigger.LAST_MESSAGE:
        return conversation.last_message_at or conversation.closed_at
    if trigger == Trigger.CREATED:
        return conversation.created_at
    return conversation.closed_at


_TRIGGER_FIELD = {
    Trigger.CLOSED: "closed_at",
    Trigger.LAST_MESSAGE: "last_message_at",
    Trigger.CREATED: "created_at",
}


@dataclass(frozen=True)
class DueRecord:
    conversation: Conversation
    record_class: RecordClass
    trigger_date: datetime
    due_on: date


def due_conversations(
    organisation_id: int, *, now: datetime | None = None, limit: int | None = None
) -> list[DueRecord]:
    """Closed, not yet destroyed conversations whose term has passed (vernietigen only),
    oldest first."""
    now = now or timezone.now()
    due: list[DueRecord] = []
    for record_class in RecordClass.objects.filter(
        organisation_id=organisation_id, waardering=Waardering.DESTROY
    ):
        field = _TRIGGER_FIELD[Trigger(record_class.trigger)]
        retention = Retention.parse(record_class.retention)
        cutoff = retention.before(now)
        conversations: QuerySet[Conversation] = (
            Conversation.objects.filter(
                organisation_id=organisation_id,
                record_class=record_class,
                status=Status.CLOSED,
                closed_at__isnull=False,
                destroyed_at__isnull=True,
                **{f"{field}__lte": cutoff},
            )
            .select_related("contact", "team")
            .order_by(field, "pk")
        )
        if limit is not None:
            conversations = conversations[:limit]
        for conversation in conversations:
            start = trigger_date(conversation, record_class.trigger)
            if start is not None:
                due.append(_due(conversation, record_class, start, retention.after(start)))
    due.sort(key=lambda record: (record.due_on, record.conversation.pk))
    return due[:limit] if limit is not None else due


def is_due(conversation: Conversation, *, now: datetime | None = None) -> DueRecord | None:
    record_class = conversation.record_class
    if (
        record_class is None
        or record_class.waardering != Waardering.DESTROY
        or conversation.destroyed_at is not None
    ):
        return None
    start = trigger_date(conversation, record_class.trigger)
    if start is None:
        return None
    end = Retention.parse(record_class.retention).after(start)
    if end > (now or timezone.now()):
        return None
    return _due(conversation, record_class, start, end)


def _due(conversation, record_class, start: datetime, end: datetime) -> DueRecord:
    return DueRecord(conversation, record_class, start, timezone.localtime(end).date())


def do_review_retention(organisation_id: int, *, now: datetime | None = None) -> RetentionReview:
    """The daily list of what is due, kept as a RetentionReview the records manager sees."""
    from balie.records.holds import holds_covering

    now = now or timezone.now()
    due = due_conversations(organisation_id, now=now)
    held = holds_covering(organisation_id, [record.conversation.pk for record in due])
    by_class: dict[str, dict] = {}
    for record in due:
        entry = by_class.setdefault(
            record.record_class.code,
            {"code": record.record_class.code, "name": record.record_class.name, "due": 0,
             "held": 0},
        )  # fmt: skip
        entry["due"] += 1
        entry["held"] += record.conversation.pk in held
    return RetentionReview.objects.create(
        organisation_id=organisation_id,
        ran_at=now,
        due=len(due),
        held=sum(entry["held"] for entry in by_class.values()),
        by_class=sorted(by_class.values(), key=lambda entry: entry["code"]),
    )
