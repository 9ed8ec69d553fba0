"""One small module per database: the SQL that differs between SQLite FTS5 and PostgreSQL.

Each module has the same functions:

- ``write(cursor, entries)``: index new :class:`Entry` rows with one INSERT;
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


def current() -> ModuleType:
    """The module for the default database."""
    if connection.vendor == "postgresql":
        from balie.search.backends import postgres

        return postgres
    from balie.search.backends import sqlite

    return sqlite
