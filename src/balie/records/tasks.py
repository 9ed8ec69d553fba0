"""Background tasks of records management: executing approved destruction lists and the
daily review of what is due."""

from __future__ import annotations

from django_tasks import task

from balie.archive.models import DestructionList
from balie.records.execution import do_execute_destruction, do_remove_destroyed_files
from balie.records.retention import do_review_retention
from balie.tenants.models import Organisation


@task()
def execute_destruction_list(destruction_list_id: int) -> dict[str, int]:
    """Run an approved destruction list (enqueued when the second person approves)."""
    done = do_execute_destruction(destruction_list_id)
    return {"destroyed": done.conversations_destroyed, "blocked": done.conversations_blocked}


@task()
def review_retention() -> dict[str, int]:
    """The daily list of what is due, per organisation; also retries file removals that a
    destruction left pending."""
    for pk, pending in DestructionList.objects.values_list("pk", "files_pending"):
        if pending:
            do_remove_destroyed_files(pk)
    return {
        organisation.slug: do_review_retention(organisation.pk).due
        for organisation in Organisation.objects.order_by("slug")
    }
