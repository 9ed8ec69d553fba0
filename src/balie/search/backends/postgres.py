"""PostgreSQL: ``search_entry.document`` = ``to_tsvector('dutch', folded words)``, GIN index.

Queries are ``to_tsquery('dutch', …)`` built from the folded words, so PostgreSQL stems them
with the same ``dutch_stem`` it indexed with. The match is a condition on the entry row itself
(with the filters beside it, no join to the messages). Relevance is ``ts_rank`` (higher is
better), computed only over the window.

The entries are partitioned by month (:mod:`balie.search.partitions`). A GIN index hands out
matches in no useful order, so a window is filled from the newest months backwards, in
slices of 1, 2, 4, … months: a broad search stops after the newest month or two, a rare one
reaches the oldest month in a few queries.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from django.db import connection
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL

from balie.search import partitions
from balie.search.backends import Entry, Found, ranked_page
from balie.search.query import ParsedQuery, Term
from balie.search.text import folded_words


def write(cursor, entries: list[Entry]) -> None:
    values = [
        (e.message_id, e.organisation_id, e.conversation_id, e.created_at, e.direction, words)
        for e in entries
        if (words := folded_words(e.body))
    ]
    if values:
        partitions.ensure(cursor, {partitions.month_of(row[3]) for row in values})
        placeholders = ", ".join(
            ["(%s, %s, %s, %s, %s, '', to_tsvector('dutch', %s))"] * len(values)
        )
        cursor.execute(
            "INSERT INTO search_entry (message_id, organisation_id, conversation_id, "  # noqa: S608
            f"created_at, direction, terms, document) VALUES {placeholders}",
            [v for row in values for v in row],
        )


def delete(cursor, ids: list[int]) -> None:
    if ids:
        cursor.execute("DELETE FROM search_entry WHERE message_id = ANY(%s)", [list(ids)])


def compact(cursor) -> None:
    """Nothing to do: a deleted row's tsvector is gone with the row (VACUUM reclaims it)."""


def tsquery(query: ParsedQuery) -> tuple[str, list[str]]:
    """SQL for the tsquery and its parameters.

    Words and phrases go through ``to_tsquery('dutch', …)``, which stems them. Prefix terms
    go through ``to_tsquery('simple', …)`` with the prefixes as typed and stemmed (see
    ``Term.prefixes``), as ``dutch`` would stem "parkeer:*" to "parker:*" only.
    """
    words = [_term(t) for t in query.terms if not t.prefix]
    prefixes = [_prefix(t) for t in query.terms if t.prefix]
    parts, params = [], []
    for config, terms in (("dutch", words), ("simple", prefixes)):
        if terms:
            parts.append(f"to_tsquery('{config}', %s)")
            params.append(" & ".join(terms))
    return "(" + " && ".join(parts) + ")", params


def _term(term: Term) -> str:
    # Folded words are letters and digits only, so quoting them is safe.
    lexemes = [f"'{word}'" for word in term.folded]
    text = lexemes[0] if len(lexemes) == 1 else "(" + " <-> ".join(lexemes) + ")"
    return f"!{text}" if term.exclude else text


def _prefix(term: Term) -> str:
    text = "(" + " | ".join(f"'{p}':*" for p in term.prefixes) + ")"
    return f"!{text}" if term.exclude else text


def page(
    entries: QuerySet,
    query: ParsedQuery | None,
    size: int,
    rank: bool,
    period: tuple[datetime | None, datetime | None],
    limit: int,
    offset: int,
) -> tuple[int, list[tuple[int, int]]]:
    tsq, tsq_params = tsquery(query) if query is not None else ("", [])
    found = _window(_matching(entries, query), size, rank, period, tsq, tsq_params)
    return ranked_page(found, rank, limit, offset)


def every(entries: QuerySet, query: ParsedQuery | None) -> list[tuple[int, int]]:
    found = _fetch(_matching(entries, query).order_by(), False, "", [])
    return [(row.message_id, row.conversation_id) for row in found]


def _matching(entries: QuerySet, query: ParsedQuery | None) -> QuerySet:
    if query is None:
        return entries
    tsq, tsq_params = tsquery(query)
    return entries.filter(
        # The tsquery SQL is fixed text; the user's words are its parameters.
        RawSQL(f'"search_entry"."document" @@ {tsq}', tsq_params, output_field=BooleanField())  # noqa: S611
    )


def _window(
    entries: QuerySet,
    size: int,
    rank: bool,
    period: tuple[datetime | None, datetime | None],
    tsq: str,
    tsq_params: list,
) -> list[Found]:
    """The newest ``size`` entries, from the newest months backwards in growing slices."""
    with connection.cursor() as cursor:
        months = [m for m in partitions.months(cursor) if _overlaps(m, *period)]
    found: list[Found] = []
    done, span = 0, 1
    while done < len(months) and len(found) < size:
        newest, oldest = months[done], months[min(done + span, len(months)) - 1]
        in_slice = entries.filter(
            created_at__gte=_start(oldest), created_at__lt=_start(partitions.next_month(newest))
        ).order_by("-created_at", "-message_id")
        found += _fetch(in_slice[: size - len(found)], rank, tsq, tsq_params)
        done, span = done + span, span * 2
    return found


def _fetch(entries: QuerySet, rank: bool, tsq: str, tsq_params: list) -> list[Found]:
    columns = ["message_id", "conversation_id", "created_at"]
    if rank:
        entries = entries.annotate(document=RawSQL('"search_entry"."document"', ()))
        columns.append("document")
    sql, params = entries.values_list(*columns).query.sql_with_params()
    # ts_rank outside the window's subquery: only the rows kept are ranked.
    score = f"ts_rank(w.document, {tsq})" if rank else "0.0"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT w.message_id, w.conversation_id, w.created_at, {score} FROM ({sql}) AS w",  # noqa: S608
            [*(tsq_params if rank else []), *params],  # the score's come first in the SQL
        )
        return [Found(*row) for row in cursor.fetchall()]


def _start(month: date) -> datetime:
    return datetime(month.year, month.month, 1, tzinfo=UTC)


def _overlaps(month: date, since: datetime | None, until: datetime | None) -> bool:
    return (until is None or _start(month) < until) and (
        since is None or _start(partitions.next_month(month)) > since
    )
