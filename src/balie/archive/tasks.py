"""Background tasks of the archive (the ledger)."""

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
