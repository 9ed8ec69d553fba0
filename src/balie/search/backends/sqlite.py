"""SQLite: an FTS5 table over ``search_entry.terms`` (the stems), kept in step by triggers.

Relevance is FTS5's ``bm25()`` (lower is better, so the score is its negation). It costs about
a microsecond a row, so it is only computed inside the window: FTS5 walks the matches newest
first (rowid = message id, descending) and the walk stops once the window is full.
"""

from __future__ import annotations

from datetime import datetime

from django.db import connection
from django.db.models import QuerySet

from balie.search.backends import Entry, Found
from balie.search.query import ParsedQuery, Term
from balie.search.text import index_terms

COLUMNS = "message_id, organisation_id, conversation_id, created_at, direction, terms"


def write(cursor, entries: list[Entry]) -> None:
    adapt = connection.ops.adapt_datetimefield_value
    values = [
        (e.message_id, e.organisation_id, e.conversation_id, adapt(e.created_at), e.direction, t)
        for e in entries
        if (t := index_terms(e.body))
    ]
    if values:
        placeholders = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(values))
        cursor.execute(
            f"INSERT INTO search_entry ({COLUMNS}) VALUES {placeholders}",  # noqa: S608
            [v for row in values for v in row],
        )


def delete(cursor, ids: list[int]) -> None:
    if ids:
        placeholders = ", ".join(["%s"] * len(ids))
        cursor.execute(
            f"DELETE FROM search_entry WHERE message_id IN ({placeholders})",  # noqa: S608
            ids,
        )


def compact(cursor) -> None:
    """Merge every FTS5 segment into one: deleted rows' terms are dropped from the b-trees."""
    cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('optimize')")


def match_expression(query: ParsedQuery) -> str:
    """The FTS5 query: positive terms ANDed, then NOT each excluded one."""
    expression = " AND ".join(_term(t) for t in query.positive)
    for term in query.excluded:
        expression = f"({expression}) NOT {_term(term)}"
    return expression


def _term(term: Term) -> str:
    # Stems are letters and digits only, so quoting them is safe.
    if term.prefix:
        return "(" + " OR ".join(f'"{p}"*' for p in term.prefixes) + ")"
    return f'"{" ".join(term.stems)}"'


def window(
    entries: QuerySet,
    query: ParsedQuery | None,
    size: int | None,
    rank: bool,
    period: tuple[datetime | None, datetime | None] = (None, None),
) -> list[Found]:
    columns = ("message_id", "conversation_id", "created_at")
    if query is None:
        listed = (entries.order_by("-message_id") if size else entries.order_by()).values_list(
            *columns
        )
        return [Found(pk, conversation, at, 0.0) for pk, conversation, at in listed[:size]]
    base_sql, base_params = entries.order_by().values_list(*columns).query.sql_with_params()
    # bm25() only works directly on the FTS5 scan, so it is a column of the walk.
    score = "-bm25(search_fts)" if rank else "0.0"
    newest = " ORDER BY search_fts.rowid DESC LIMIT %s" if size else ""
    sql = (
        f"SELECT b.message_id, b.conversation_id, b.created_at, {score} "  # noqa: S608 - compiled
        f"FROM search_fts JOIN ({base_sql}) AS b ON b.message_id = search_fts.rowid "
        f"WHERE search_fts MATCH %s{newest}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*base_params, match_expression(query), *([size] if size else [])])
        return [Found(*row) for row in cursor.fetchall()]
