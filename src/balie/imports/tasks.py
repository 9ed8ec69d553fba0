"""Background tasks of imports."""

from __future__ import annotations

from django_tasks import task

from balie.imports.staging import do_cleanup_uploads


@task()
def cleanup_uploads() -> int:
    """Daily: remove console uploads left unconfirmed for more than a day."""
    return do_cleanup_uploads()
