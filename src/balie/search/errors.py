"""The one error of a search request that cannot be run."""

from __future__ import annotations


class SearchError(ValueError):
    """Bad search input: ``code`` for programs, the message (Dutch) for people, and the
    request ``field`` it is about ("q", "team", "page", …)."""

    def __init__(self, code: str, detail: str, *, field: str = "non_field_errors") -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.field = field
