"""Keeping the search index in step with the messages: every write is here.

Called by the conversation actions inside their transaction (a message and its index entry
commit together, as do a status change and its entries' copy of it), by
``balie search-reindex``, and by the destruction procedure (:func:`purge`).
A message is indexed when it is written by a resident, an agent or as an internal note, is not
deleted, and has words; system lines are not indexed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.db import connection, transaction

from balie.conversations.models import Direction, Message
from balie.search import backends
from balie.search.backends import Entry

__all__ = [
    "INDEXED_DIRECTIONS",
    "index_messages",
    "purge",
    "reindex_all",
    "reindex_message",
    "remove_messages",
    "set_status",
]

INDEXED_DIRECTIONS = (Direction.INBOUND, Direction.OUTBOUND, Direction.NOTE)
REINDEX_BATCH = 2000


def _indexable(message: Message) -> bool:
    return (
        message.direction in INDEXED_DIRECTIONS
        and message.deleted_at is None
        and bool(message.body)
    )


def _entry(message: Message) -> Entry:
    return Entry(
        message.pk,
        message.organisation_id,
        message.conversation_id,
        message.created_at,
        message.direction,
        message.body,
        message.conversation.status,  # the callers hold the conversation they wrote to
    )


def index_messages(messages: Iterable[Message]) -> None:
    """Index new messages (one INSERT for all of them): the group commit's batch."""
    rows = [_entry(m) for m in messages if _indexable(m)]
    if rows:
        with connection.cursor() as cursor:
            backends.current().write(cursor, rows)


def reindex_message(message: Message) -> None:
    """After an edit or a deletion: the entry follows the message's current text."""
    with connection.cursor() as cursor:
        backend = backends.current()
        backend.delete(cursor, [message.pk])
        if _indexable(message):
            backend.write(cursor, [_entry(message)])


def set_status(conversation_ids: Iterable[int], status: str) -> None:
    """A conversation's status changed: its entries follow (in the caller's transaction)."""
    ids = sorted(set(conversation_ids))
    if ids:
        with connection.cursor() as cursor:
            backends.current().set_status(cursor, ids, status)


def remove_messages(message_ids: list[int]) -> None:
    with connection.cursor() as cursor:
        backends.current().delete(cursor, list(message_ids))


def purge(message_ids: list[int]) -> None:
    """For the destruction procedure: remove the entries and leave no trace of their terms.

    On SQLite the FTS5 segments are merged afterwards (``optimize``), so the deleted rows'
    terms are no longer in any shadow table; on PostgreSQL the rows are deleted.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        backend = backends.current()
        for start in range(0, len(message_ids), REINDEX_BATCH):
            backend.delete(cursor, list(message_ids[start : start + REINDEX_BATCH]))
        backend.compact(cursor)


def reindex_all(organisation_id: int | None = None) -> Iterator[int]:
    """Rebuild the entries of every message (of one organisation); yields the count done."""
    messages = Message.objects.order_by("pk")
    if organisation_id is not None:
        messages = messages.filter(organisation_id=organisation_id)
    ids = list(messages.values_list("pk", flat=True))
    done = 0
    backend = backends.current()
    for start in range(0, len(ids), REINDEX_BATCH):
        batch = ids[start : start + REINDEX_BATCH]
        rows = (
            Message.objects.filter(pk__in=batch)
            .select_related("conversation")
            .only(
                "pk",
                "organisation_id",
                "conversation_id",
                "created_at",
                "direction",
                "body",
                "deleted_at",
                "conversation__status",
            )
        )
        with transaction.atomic(), connection.cursor() as cursor:
            backend.delete(cursor, batch)
            backend.write(cursor, [_entry(m) for m in rows if _indexable(m)])
        done += len(batch)
        yield done
    with connection.cursor() as cursor:
        backend.compact(cursor)
