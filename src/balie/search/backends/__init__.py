"""One small module per database: the SQL that differs between SQLite FTS5 and PostgreSQL.

Each module has the same functions:

- ``write(cursor, entries)``: index new :class:`Entry` rows with one INSERT;
- ``delete(cursor, ids)``: remove entries;
- ``compact(cursor)``: after a purge, rewrite the index so no trace of removed terms is left;
- ``window(entries, query, size, rank)``: the :class:`Found` rows of a queryset of search
  entries (the actor's scope and the filters) that match a parsed query (``None``: every
  entry), at most ``size`` of them (``None``: all), the newest first — SQLite: the most
  recently added, PostgreSQL: the newest by time — with a relevance score (higher is better)
  when ``rank``. The walk stops when the window is full, so the work is bounded by ``size``
  rather than by the number of matches.
"""

from __future__ import annotations

from datetime import datetime
from types import ModuleType
from typing import NamedTuple

from django.db import connection


class Entry(NamedTuple):
    """What an index entry is made of: the message's fixed attributes and its text."""

    message_id: int
    organisation_id: int
    conversation_id: int
    created_at: datetime
    direction: str
    body: str


class Found(NamedTuple):
    message_id: int
    conversation_id: int
    created_at: datetime | str  # as the database returns it: it only orders rows
    score: float  # relevance, higher is better (0 when not ranked)


def current() -> ModuleType:
    """The module for the default database."""
    if connection.vendor == "postgresql":
        from balie.search.backends import postgres

        return postgres
    from balie.search.backends import sqlite

    return sqlite
