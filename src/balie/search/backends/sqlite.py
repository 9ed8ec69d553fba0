"""SQLite: an FTS5 table over ``search_entry.terms`` (the stems), kept in step by triggers.

Relevance is FTS5's ``bm25()`` (lower is better).
"""

from __future__ import annotations

from balie.search.query import ParsedQuery, Term
from balie.search.text import index_terms


def write(cursor, rows: list[tuple[int, str]]) -> None:
    values = [(pk, terms) for pk, body in rows if (terms := index_terms(body))]
    if values:
        placeholders = ", ".join(["(%s, %s)"] * len(values))
        cursor.execute(
            f"INSERT INTO search_entry (message_id, terms) VALUES {placeholders}",  # noqa: S608
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


def select(base_sql: str, base_params: list, query: ParsedQuery, sort: str):
    # bm25() only works directly on the FTS5 scan: take it as a column, order outside, and
    # count every match in the same pass (a window over the whole result).
    order = "m.score, m.id DESC" if sort == "relevance" else "m.created_at DESC, m.id DESC"
    sql = (
        "SELECT m.id, m.conversation_id, count(*) OVER () FROM ("  # noqa: S608 - compiled
        "SELECT b.id, b.conversation_id, b.created_at, bm25(search_fts) AS score "
        f"FROM search_fts JOIN ({base_sql}) AS b ON b.id = search_fts.rowid "
        f"WHERE search_fts MATCH %s) AS m ORDER BY {order}"
    )
    return sql, [*base_params, match_expression(query)]


def count(base_sql: str, base_params: list, query: ParsedQuery):
    sql = (
        "SELECT count(*) FROM search_fts "  # noqa: S608 - compiled queryset
        f"JOIN ({base_sql}) AS b ON b.id = search_fts.rowid WHERE search_fts MATCH %s"
    )
    return sql, [*base_params, match_expression(query)]
