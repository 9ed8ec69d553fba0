"""Background tasks of search."""

from __future__ import annotations

from django_tasks import task

from balie.search import partitions


@task()
def make_search_partitions() -> list[str]:
    """Daily: the search index's partitions for this month and the next two (PostgreSQL; on
    SQLite nothing), so that no message waits for one to be made."""
    return [f"{month:%Y-%m}" for month in partitions.ensure_ahead()]
