"""One small module per database: the SQL that differs between SQLite FTS5 and PostgreSQL.

Each module has the same functions:

- ``write(cursor, rows)``: index ``(message_id, body)`` rows (new ids) with one INSERT;
- ``delete(cursor, ids)``: remove entries;
- ``compact(cursor)``: after a purge, rewrite the index so no trace of removed terms is left;
- ``select(base_sql, query, sort)``: SQL (and its parameters) listing ``id`` and
  ``conversation_id`` of the rows of ``base_sql`` that match the parsed query, best first
  (``relevance``) or newest first (``date``);
- ``count(base_sql, query)``: SQL counting them.

``base_sql`` is a compiled queryset of messages (the actor's scope and the filters) that
selects ``id``, ``created_at`` and ``conversation_id``.
"""

from __future__ import annotations

from types import ModuleType

from django.db import connection


def current() -> ModuleType:
    """The module for the default database."""
    if connection.vendor == "postgresql":
        from balie.search.backends import postgres

        return postgres
    from balie.search.backends import sqlite

    return sqlite
