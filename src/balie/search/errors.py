"""The one error of a search request that cannot be run."""

from __future__ import annotations

from typing import Any

from balie.errors import Invalid, Text


class SearchError(Invalid):
    """Bad search input: ``code`` for programs, the message for people, and the request
    ``field`` it is about ("q", "team", "page", …)."""

    def __init__(
        self,
        code: str,
        detail: Text,
        *,
        field: str = "non_field_errors",
        params: dict[str, Any] | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(code, detail, field=field, params=params, status=status)


NOT_FOUND = 404  # a filter that names a team, contact, label or record class not there
