"""PostgreSQL: ``search_entry.document`` = ``to_tsvector('dutch', folded words)``, GIN index.

Queries are ``to_tsquery('dutch', …)`` built from the folded words, so PostgreSQL stems them
with the same ``dutch_stem`` it indexed with. The match is a condition on the entry row itself
(with the filters beside it, no join to the messages); relevance is ``ts_rank`` (higher is
better), computed only over the window of the most recently added matches.
"""

from __future__ import annotations

from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL

from balie.search.backends import Entry, Matches
from balie.search.query import ParsedQuery, Term
from balie.search.text import folded_words


def write(cursor, entries: list[Entry]) -> None:
    values = [
        (e.message_id, e.organisation_id, e.conversation_id, e.created_at, e.direction, words)
        for e in entries
        if (words := folded_words(e.body))
    ]
    if values:
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


def matches(entries: QuerySet, query: ParsedQuery, window: int | None, rank: bool) -> Matches:
    tsq, tsq_params = tsquery(query)
    found = entries.filter(
        # The tsquery SQL is fixed text; the user's words are its parameters.
        RawSQL(f'"search_entry"."document" @@ {tsq}', tsq_params, output_field=BooleanField())  # noqa: S611
    )
    columns = ["message_id", "conversation_id", "created_at"]
    if rank:
        found = found.annotate(document=RawSQL('"search_entry"."document"', ()))
        columns.append("document")
    found = found.order_by("-message_id") if window else found.order_by()
    listed = found.values_list(*columns)
    sql, params = (listed[:window] if window else listed).query.sql_with_params()
    if not rank:
        return Matches(sql, list(params))
    return Matches(
        sql, list(params), f"ts_rank(w.document, {tsq}) DESC, w.message_id DESC", tuple(tsq_params)
    )
