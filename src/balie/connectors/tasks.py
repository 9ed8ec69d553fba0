"""The connector core's background work: the daily removal of status reports on ids that
never became known (:func:`balie.connectors.inbound.do_prune_early_reports`)."""

from __future__ import annotations

from django_tasks import task

from balie.connectors.inbound import do_prune_early_reports

__all__ = ["prune_early_reports"]


@task()
def prune_early_reports() -> int:
    return do_prune_early_reports()
