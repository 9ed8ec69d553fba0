"""One small module per database: the SQL that differs between SQLite FTS5 and PostgreSQL.

Each module has the same functions:

- ``COPIES_LABELS``: whether entries keep the conversation's labels (PostgreSQL: an array
  in the GIN index; SQLite checks labels on the conversation);
- ``write(cursor, entries)``: index new :class:`Entry` rows with one INSERT;
- ``follow_labels(cursor, conversation_ids)``: the conversations' labels changed;
- ``labels_condition(label_ids)``: the entry's own condition for "any of these labels", or
  None when the backend does not copy them;
- ``delete(cursor, ids)``: remove entries;
- ``compact(cursor)``: after a purge, rewrite the index so no trace of removed terms is left;
- ``page(entries, query, size, rank, period, limit, offset, *, few)``: of the search entries in
  ``entries`` (a queryset: the actor's scope and the filters) that match a parsed query
  (``None``: every entry), take the window of the newest ``size`` — SQLite: the most recently
  added, PostgreSQL: the newest by time — and return how many it holds and one page of it
  as ``(message_id, conversation_id)`` pairs, best first (``rank``) or newest first. The walk
  stops when the window is full, so the work is bounded by ``size``, not by the matches.
  ``few``: the entries are of a handful of conversations (a contact, a zaaknummer), so
  starting from them beats starting from the words (SQLite's planner cannot tell);
- ``every(entries, query, *, few)``: every matching ``(message_id, conversation_id)``, in
  no order.
"""

from __future__ import annotations

from datetime import datetime
from types import ModuleType
from typing import NamedTuple

from django.db import connection


class Entry(NamedTuple):
    """What an index entry is made of: the message's fixed attributes, its text and the
    copies of its conversation's attributes."""

    message_id: int
    organisation_id: int
    conversation_id: int
    created_at: datetime
    direction: str
    body: str
    status: str
    channel: str
    team_id: int | None
    record_class_id: int | None
    label_ids: tuple[int, ...] = ()  # read only where the backend COPIES_LABELS


def current() -> ModuleType:
    """The module for the default database."""
    if connection.vendor == "postgresql":
        from balie.search.backends import postgres

        return postgres
    from balie.search.backends import sqlite

    return sqlite
