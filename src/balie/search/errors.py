"""The one error of a search request that cannot be run."""

from __future__ import annotations

from balie.errors import Invalid


class SearchError(Invalid):
    """Bad search input: ``code`` for programs, the message for people, and the request
    ``field`` it is about ("q", "team", "page", …)."""

    def __init__(self, code: str, detail: str, *, field: str = "non_field_errors") -> None:
        super().__init__(code, detail, field=field)
