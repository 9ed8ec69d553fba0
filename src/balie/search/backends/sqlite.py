"""SQLite: an FTS5 table over ``search_entry.terms`` (the stems), kept in step by triggers.

Relevance is FTS5's ``bm25()`` (lower is better, so the score is its negation). It costs about
a microsecond a row, so it is only computed inside the window: FTS5 walks the matches newest
first (rowid = message id, descending) and the walk stops once the window is full.
"""

from __future__ import annotations

from datetime import datetime

from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from balie.search.backends import Entry
from balie.search.query import ParsedQuery, Term
from balie.search.text import index_terms

COLUMNS = (
    "message_id, organisation_id, conversation_id, created_at, direction, status, channel, "
    "team_id, record_class_id, terms"
)


COPIES_LABELS = False  # labels are checked on the conversation (one list per search)


def follow_labels(cursor, conversation_ids: list[int]) -> None:
    """Nothing is copied."""


def labels_condition(label_ids: list[int]) -> None:
    return None


def write(cursor, entries: list[Entry]) -> None:
    adapt = connection.ops.adapt_datetimefield_value
    values = [
        (
            e.message_id,
            e.organisation_id,
            e.conversation_id,
            adapt(e.created_at),
            e.direction,
            e.status,
            e.channel,
            e.team_id,
            e.record_class_id,
            t,
        )
        for e in entries
        if (t := index_terms(e.body))
    ]
    if values:
        placeholders = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"] * len(values))
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


def page(
    entries: QuerySet,
    query: ParsedQuery | None,
    size: int,
    rank: bool,
    period: tuple[datetime | None, datetime | None],
    limit: int,
    offset: int,
    *,
    few: bool = False,
) -> tuple[int, list[tuple[int, int]]]:
    # One statement: the window (walked newest first, bm25 only for its rows), its size as
    # a window function, and the page. Ranking in SQL keeps 10,000 rows out of Python.
    inner, params = _matches(entries, query, size, rank, few)
    order = "w.score DESC, w.message_id DESC" if rank else "w.created_at DESC, w.message_id DESC"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT w.message_id, w.conversation_id, count(*) OVER () "  # noqa: S608 - compiled
            f"FROM ({inner}) AS w ORDER BY {order} LIMIT %s OFFSET %s",
            [*params, limit, offset],
        )
        rows = cursor.fetchall()
        if rows:
            return rows[0][2], [(row[0], row[1]) for row in rows]
        if not offset:
            return 0, []
        cursor.execute(f"SELECT count(*) FROM ({inner}) AS w", params)  # noqa: S608 - compiled
        return cursor.fetchone()[0], []  # past the end: how far it goes


def every(
    entries: QuerySet, query: ParsedQuery | None, *, few: bool = False
) -> list[tuple[int, int]]:
    inner, params = _matches(entries, query, None, False, few)
    with connection.cursor() as cursor:
        cursor.execute(inner, params)
        return [(row[0], row[1]) for row in cursor.fetchall()]


def _matches(
    entries: QuerySet, query: ParsedQuery | None, size: int | None, rank: bool, few: bool
) -> tuple[str, list]:
    """SQL of the window: message_id, conversation_id, created_at and score columns."""
    columns = ("message_id", "conversation_id", "created_at")
    if query is None:
        listed = entries.order_by("-message_id") if size else entries.order_by()
        listed = listed.annotate(score=RawSQL("0.0", ())).values_list(*columns, "score")
        sql, params = (listed[:size] if size else listed).query.sql_with_params()
        return sql, list(params)
    base_sql, base_params = entries.order_by().values_list(*columns).query.sql_with_params()
    # bm25() only works directly on the FTS5 scan, so it is a column of the walk.
    score = "-bm25(search_fts)" if rank else "0.0"
    newest = " ORDER BY search_fts.rowid DESC LIMIT %s" if size else ""
    # Which loop is outside: the words' matches (walked newest first, stopping when the
    # window is full), or, for a handful of conversations, their entries, each looked up in
    # FTS5 by rowid (CROSS JOIN keeps SQLite to that order: 87 -> 1.4 ms at 1M).
    tables = (
        f"({base_sql}) AS b CROSS JOIN search_fts" if few else f"search_fts JOIN ({base_sql}) AS b"
    )
    sql = (
        f"SELECT b.message_id, b.conversation_id, b.created_at, {score} AS score "  # noqa: S608
        f"FROM {tables} ON b.message_id = search_fts.rowid WHERE search_fts MATCH %s{newest}"
    )
    return sql, [*base_params, match_expression(query), *([size] if size else [])]
