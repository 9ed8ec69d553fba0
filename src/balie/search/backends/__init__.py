"""One small module per database: the SQL that differs between SQLite FTS5 and PostgreSQL.

Each module has the same functions:

- ``write(cursor, entries)``: index new :class:`Entry` rows with one INSERT;
- ``delete(cursor, ids)``: remove entries;
- ``compact(cursor)``: after a purge, rewrite the index so no trace of removed terms is left;
- ``matches(entries, query, window, rank)``: the :class:`Matches` of a queryset of search
  entries (the actor's scope and the filters) for a parsed query: the SQL of the matching
  entries, most recently added first and at most ``window`` of them (``None``: all), with
  columns ``message_id``, ``conversation_id`` and ``created_at``, and how to order them best
  first.
"""

from __future__ import annotations

from dataclasses import dataclass
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


@dataclass(frozen=True)
class Matches:
    sql: str
    params: list
    best_first: str = ""  # ORDER BY terms over the columns of ``sql`` (relevance)
    best_first_params: tuple = ()


def current() -> ModuleType:
    """The module for the default database."""
    if connection.vendor == "postgresql":
        from balie.search.backends import postgres

        return postgres
    from balie.search.backends import sqlite

    return sqlite
