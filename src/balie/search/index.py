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

from balie.conversations.models import Conversation, Direction, Message
from balie.search import backends
from balie.search.backends import Entry
from balie.search.models import SearchEntry

__all__ = [
    "INDEXED_DIRECTIONS",
    "index_messages",
    "purge",
    "reindex_all",
    "reindex_message",
    "remove_messages",
    "COPIED",
    "follow_conversations",
]

INDEXED_DIRECTIONS = (Direction.INBOUND, Direction.OUTBOUND, Direction.NOTE)
REINDEX_BATCH = 2000


def _indexable(message: Message) -> bool:
    return (
        message.direction in INDEXED_DIRECTIONS
        and message.deleted_at is None
        and bool(message.body)
    )


# status, channel, team_id, record_class_id: what an entry copies of its conversation
COPIED = ("status", "channel", "team_id", "record_class_id")


def _entries(messages: list[Message], copied: dict[int, tuple] | None = None) -> list[Entry]:
    """Entries of indexable messages, with their conversations' attributes (``COPIED``) as
    they are now in the writer's transaction: ``copied`` when the caller read them there
    (the group commit, under its lock), else read here. Never from the caller's objects,
    which a long-lived socket may have loaded before a colleague moved the conversation."""
    messages = [m for m in messages if _indexable(m)]
    if not messages:
        return []
    ids = {m.conversation_id for m in messages}
    if copied is None:
        copied = {
            row[0]: row[1:]
            for row in Conversation.objects.filter(pk__in=ids).values_list("pk", *COPIED)
        }
    labels = _labels_of(ids) if backends.current().COPIES_LABELS else {}
    entries = []
    for m in messages:
        status, channel, team_id, record_class_id = copied[m.conversation_id]
        entries.append(
            Entry(
                m.pk,
                m.organisation_id,
                m.conversation_id,
                m.created_at,
                m.direction,
                m.body,
                status,
                channel,
                team_id,
                record_class_id,
                labels.get(m.conversation_id, ()),
            )
        )
    return entries


def _labels_of(conversation_ids: set[int]) -> dict[int, tuple[int, ...]]:
    found: dict[int, list[int]] = {}
    rows = Conversation.labels.through.objects.filter(conversation_id__in=conversation_ids)
    for conversation_id, label_id in rows.values_list("conversation_id", "label_id"):
        found.setdefault(conversation_id, []).append(label_id)
    return {pk: tuple(sorted(ids)) for pk, ids in found.items()}


def index_messages(messages: Iterable[Message], copied: dict[int, tuple] | None = None) -> None:
    """Index new messages (one INSERT for all of them): the group commit's batch.
    ``copied``: each conversation's ``COPIED`` attributes, read in this transaction."""
    rows = _entries(list(messages), copied)
    if rows:
        with connection.cursor() as cursor:
            backends.current().write(cursor, rows)


def reindex_message(message: Message) -> None:
    """After an edit or a deletion: the entry follows the message's current text."""
    with connection.cursor() as cursor:
        backend = backends.current()
        backend.delete(cursor, [message.pk])
        backend.write(cursor, _entries([message]))


def follow_conversations(conversation_ids: Iterable[int]) -> None:
    """Conversations' status, channel, team, record class or labels changed: their entries'
    copies follow, from the conversation rows (in the caller's transaction, after the
    change)."""
    ids = sorted(set(conversation_ids))
    if not ids:
        return
    entry = connection.ops.quote_name(SearchEntry._meta.db_table)
    table = connection.ops.quote_name(Conversation._meta.db_table)
    placeholders = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {entry} SET status = c.status, channel = c.channel, "  # noqa: S608
            f"team_id = c.team_id, record_class_id = c.record_class_id FROM {table} AS c "
            f"WHERE c.id = {entry}.conversation_id AND {entry}.conversation_id IN "
            f"({placeholders})",
            ids,
        )
        backends.current().follow_labels(cursor, ids)


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
        rows = Message.objects.filter(pk__in=batch).only(
            "pk",
            "organisation_id",
            "conversation_id",
            "created_at",
            "direction",
            "body",
            "deleted_at",
        )
        with transaction.atomic(), connection.cursor() as cursor:
            backend.delete(cursor, batch)
            backend.write(cursor, _entries(list(rows)))
        done += len(batch)
        yield done
    with connection.cursor() as cursor:
        backend.compact(cursor)
