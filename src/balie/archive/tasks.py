"""Background tasks of the archive."""

from __future__ import annotations

from django_tasks import task

from balie.archive.checks import check_organisation, do_record_check
from balie.tenants.models import Organisation


@task()
def verify_archives() -> dict[str, bool]:
    """The daily integrity check of every organisation; results in VerificationRun."""
    outcome = {}
    for organisation in Organisation.objects.order_by("slug"):
        result = check_organisation(organisation.pk)
        do_record_check(organisation.pk, result, trigger="daily")
        outcome[organisation.slug] = result.ok
    return outcome


@task()
def execute_destruction_list(destruction_list_id: int) -> dict[str, int]:
    """Run an approved destruction list (enqueued when the second person approves)."""
    from balie.archive.destruction import do_execute_destruction

    done = do_execute_destruction(destruction_list_id)
    return {"destroyed": done.conversations_destroyed, "blocked": done.conversations_blocked}


@task()
def review_retention() -> dict[str, int]:
    """The daily list of what is due, per organisation; also retries file removals that a
    destruction left pending."""
    from balie.archive.destruction import do_remove_destroyed_files
    from balie.archive.models import DestructionList
    from balie.archive.retention import do_review_retention

    for pk, pending in DestructionList.objects.values_list("pk", "files_pending"):
        if pending:
            do_remove_destroyed_files(pk)
    return {
        organisation.slug: do_review_retention(organisation.pk).due
        for organisation in Organisation.objects.order_by("slug")
    }
