"""PostgreSQL: ``search_entry.document`` = ``to_tsvector('dutch', folded words)``, GIN index.

Queries are ``to_tsquery('dutch', …)`` built from the folded words, so PostgreSQL stems them
with the same ``dutch_stem`` it indexed with. Relevance is ``ts_rank`` (higher is better).
"""

from __future__ import annotations

from balie.search.query import ParsedQuery, Term
from balie.search.text import folded_words


def write(cursor, rows: list[tuple[int, str]]) -> None:
    values = [(pk, words) for pk, body in rows if (words := folded_words(body))]
    if values:
        placeholders = ", ".join(["(%s, '', to_tsvector('dutch', %s))"] * len(values))
        cursor.execute(
            "INSERT INTO search_entry (message_id, terms, document) "  # noqa: S608
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
    return " && ".join(parts), params


def _term(term: Term) -> str:
    # Folded words are letters and digits only, so quoting them is safe.
    lexemes = [f"'{word}'" for word in term.folded]
    text = lexemes[0] if len(lexemes) == 1 else "(" + " <-> ".join(lexemes) + ")"
    return f"!{text}" if term.exclude else text


def _prefix(term: Term) -> str:
    text = "(" + " | ".join(f"'{p}':*" for p in term.prefixes) + ")"
    return f"!{text}" if term.exclude else text


def select(base_sql: str, base_params: list, query: ParsedQuery, sort: str):
    order = (
        "ts_rank(e.document, tq.q) DESC, b.id DESC"
        if sort == "relevance"
        else "b.created_at DESC, b.id DESC"
    )
    tsq, tsq_params = tsquery(query)
    sql = (
        "SELECT b.id, b.conversation_id, count(*) OVER () FROM search_entry e "  # noqa: S608 - compiled queryset
        f"JOIN ({base_sql}) AS b ON b.id = e.message_id "
        f"CROSS JOIN (SELECT {tsq} AS q) AS tq "
        f"WHERE e.document @@ tq.q ORDER BY {order}"
    )
    return sql, [*base_params, *tsq_params]


def count(base_sql: str, base_params: list, query: ParsedQuery):
    tsq, tsq_params = tsquery(query)
    sql = (
        "SELECT count(*) FROM search_entry e "  # noqa: S608 - compiled queryset
        f"JOIN ({base_sql}) AS b ON b.id = e.message_id "
        f"WHERE e.document @@ ({tsq})"
    )
    return sql, [*base_params, *tsq_params]
