"""PostgreSQL: ``search_entry.document`` = ``to_tsvector('dutch', folded words)``, GIN index.

The GIN index is on ``(document, status, channel, team_id, record_class_id, labels)``
(``btree_gin`` for the plain columns; ``labels`` is a ``bigint[]`` only PostgreSQL has): those
filters are intersected with the words inside the index, so a common word in a few open (or
SMS, or one team's, or labelled) conversations reads only those.

Queries are ``to_tsquery('dutch', …)`` built from the folded words, so PostgreSQL stems them
with the same ``dutch_stem`` it indexed with. The match is a condition on the entry row itself
(with the filters beside it, no join to the messages). Relevance is ``ts_rank`` (higher is
better), computed only over the window.

The entries are partitioned by month (:mod:`balie.search.partitions`). A GIN index hands out
matches in no useful order, so a window is filled from the newest months backwards: one
statement joins a list of periods (month by month for two years, then quarters, then
years) LATERAL to the search, newest first, under a LIMIT of the window. PostgreSQL runs the
search once per period, reading only that period's partitions (run-time pruning), and stops
as soon as the window is full: a broad search reads a month or two, a rare one reaches the
oldest month in a few steps.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from django.db import connection
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL

from balie.search import partitions
from balie.search.backends import Entry
from balie.search.query import ParsedQuery, Term
from balie.search.text import folded_words

COPIES_LABELS = True  # search_entry.labels bigint[], in the GIN index (decision 0017)


def follow_labels(cursor, conversation_ids: list[int]) -> None:
    if conversation_ids:
        cursor.execute(
            "UPDATE search_entry SET labels = ARRAY(SELECT l.label_id FROM "
            "conversations_conversation_labels AS l WHERE l.conversation_id = "
            "search_entry.conversation_id ORDER BY l.label_id) WHERE conversation_id = ANY(%s)",
            [list(conversation_ids)],
        )


def labels_condition(label_ids: list[int]) -> RawSQL:
    """Any of the labels: array overlap, answered by the GIN index."""
    return RawSQL(
        '"search_entry"."labels" && %s::bigint[]',
        (list(label_ids),),
        output_field=BooleanField(),
    )


def write(cursor, entries: list[Entry]) -> None:
    values = [
        (
            e.message_id,
            e.organisation_id,
            e.conversation_id,
            e.created_at,
            e.direction,
            e.status,
            e.channel,
            e.team_id,
            e.record_class_id,
            list(e.label_ids),
            words,
        )
        for e in entries
        if (words := folded_words(e.body))
    ]
    if values:
        partitions.ensure(cursor, {partitions.month_of(row[3]) for row in values})
        placeholders = ", ".join(
            ["(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s::bigint[], '', to_tsvector('dutch', %s))"]
            * len(values)
        )
        cursor.execute(
            "INSERT INTO search_entry (message_id, organisation_id, conversation_id, "  # noqa: S608
            "created_at, direction, status, channel, team_id, record_class_id, labels, terms, "
            "document) "
            f"VALUES {placeholders}",
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
    *,
    few: bool = False,  # PostgreSQL's planner sees it from the estimates
) -> tuple[int, list[tuple[int, int]]]:
    with connection.cursor() as cursor:
        months = [m for m in partitions.months(cursor) if _overlaps(m, *period)]
    if not months:
        return 0, []
    tsq, tsq_params = tsquery(query) if query is not None else ("", [])
    matching = _matching(entries, query)
    by_period = _estimated_rows(matching) >= size // 2
    if by_period:
        # Likely a full window: fill it from the newest periods and stop early. (Estimates
        # of several conditions run low, and reading by period when the window does not
        # fill costs at most about twice one pass; one pass when it would fill early can
        # cost ten times as much. So the periods get the benefit of the doubt.)
        window, window_params = _window_by_period(matching, size, rank, months)
    else:
        window, window_params = _whole_window(matching, size, rank)
    with connection.cursor() as cursor:
        # ts_rank outside the window: only the rows kept are ranked.
        order = (
            f"ts_rank(w.document, {tsq}) DESC, w.message_id DESC"
            if rank
            else "w.created_at DESC, w.message_id DESC"
        )
        cursor.execute(
            "SELECT w.message_id, w.conversation_id, count(*) OVER () "  # noqa: S608 - compiled
            f"FROM ({window}) AS w ORDER BY {order} LIMIT %s OFFSET %s",
            [*window_params, *(tsq_params if rank else []), limit, offset],
        )
        rows = cursor.fetchall()
        if rows:
            return rows[0][2], [(row[0], row[1]) for row in rows]
        if not offset:
            return 0, []
        cursor.execute(f"SELECT count(*) FROM ({window}) AS w", window_params)  # noqa: S608
        return cursor.fetchone()[0], []  # past the end: how far it goes


def every(
    entries: QuerySet, query: ParsedQuery | None, *, few: bool = False
) -> list[tuple[int, int]]:
    matching = _matching(entries, query).order_by()
    return list(matching.values_list("message_id", "conversation_id"))


def _matching(entries: QuerySet, query: ParsedQuery | None) -> QuerySet:
    if query is None:
        return entries
    tsq, tsq_params = tsquery(query)
    return entries.filter(
        # The tsquery SQL is fixed text; the user's words are its parameters.
        RawSQL(f'"search_entry"."document" @@ {tsq}', tsq_params, output_field=BooleanField())  # noqa: S611
    )


def _columns(rank: bool) -> list[str]:
    base = ["message_id", "conversation_id", "created_at"]
    return [*base, "document"] if rank else base


def _whole_window(matching: QuerySet, size: int, rank: bool) -> tuple[str, list]:
    """The window in one pass over every partition: the cheaper plan when the matches are
    fewer than the window anyway (every one must be read to know). The matches are a
    materialized CTE, so the planner joins them as a whole (hash join) instead of planning
    for the LIMIT's early stop row by row."""
    columns = _columns(rank)
    if rank:
        matching = matching.annotate(document=RawSQL('"search_entry"."document"', ()))
    inner, params = matching.order_by().values_list(*columns).query.sql_with_params()
    sql = (
        f"WITH m AS MATERIALIZED ({inner}) SELECT * FROM m "  # noqa: S608 - compiled
        "ORDER BY m.created_at DESC, m.message_id DESC LIMIT %s"
    )
    return sql, [*params, size]


def _window_by_period(
    matching: QuerySet, size: int, rank: bool, months: list[date]
) -> tuple[str, list]:
    """The window filled from the newest periods backwards, stopping when full."""
    in_period = matching.filter(
        created_at__gte=RawSQL("m.lo", ()), created_at__lt=RawSQL("m.hi", ())
    ).order_by("-created_at", "-message_id")
    if rank:
        in_period = in_period.annotate(document=RawSQL('"search_entry"."document"', ()))
    columns = _columns(rank)
    inner, inner_params = in_period.values_list(*columns)[:size].query.sql_with_params()
    slices = _slices(months)
    values = ", ".join(["(%s::timestamptz, %s::timestamptz)"] * len(slices))
    selected = ", ".join(f"s.{column}" for column in columns)
    sql = (
        f"SELECT {selected} FROM (VALUES {values}) AS m(lo, hi) "  # noqa: S608 - compiled
        f"CROSS JOIN LATERAL ({inner}) AS s LIMIT %s"
    )
    return sql, [*(bound for pair in slices for bound in pair), *inner_params, size]


def _estimated_rows(matching: QuerySet) -> float:
    """The planner's estimate of how many entries match (filters included)."""
    sql, params = matching.order_by().values_list("message_id").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    return float((json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]["Plan Rows"])


def _slices(months: list[date]) -> list[tuple[datetime, datetime]]:
    """(from, until) periods over the months (newest first): the newest 24 months one by
    one, then quarters for two years, then years. Each period is one pass over its
    partitions, so small periods waste least where the window usually fills (a month of a
    broad search), and larger ones keep a rare word's walk through 20 years short."""
    slices: list[tuple[datetime, datetime]] = []
    done = 0
    while done < len(months):
        span = 1 if len(slices) < 24 else 3 if len(slices) < 32 else 12
        newest, oldest = months[done], months[min(done + span, len(months)) - 1]
        slices.append((_start(oldest), _start(partitions.next_month(newest))))
        done += span
    return slices


def _start(month: date) -> datetime:
    return datetime(month.year, month.month, 1, tzinfo=UTC)


def _overlaps(month: date, since: datetime | None, until: datetime | None) -> bool:
    return (until is None or _start(month) < until) and (
        since is None or _start(partitions.next_month(month)) > since
    )
