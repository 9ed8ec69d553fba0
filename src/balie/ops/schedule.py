"""Daily jobs, enqueued by whichever `balie worker` gets there first.

Each worker checks once a minute; claiming a job is one conditional UPDATE, so with several
workers a job still runs once a day.
"""

from __future__ import annotations

from datetime import datetime, time

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from balie.ops.models import ScheduledJob

# name: task to enqueue, every day at or after BALIE_DAILY_JOBS_HOUR (local time).
DAILY_JOBS = {
    "verify-archives": "balie.archive.tasks.verify_archives",
    "review-retention": "balie.records.tasks.review_retention",
    "search-partitions": "balie.search.tasks.make_search_partitions",
    "imports-cleanup": "balie.imports.tasks.cleanup_uploads",
    "unsent-uploads": "balie.conversations.tasks.remove_unsent_uploads",
}


def do_enqueue_due_jobs(now: datetime | None = None) -> list[str]:
    """Enqueue the daily jobs that have not run today; return their names."""
    local = timezone.localtime(now or timezone.now())
    if local.time() < time(settings.DAILY_JOBS_HOUR):
        return []
    today = local.date()
    enqueued = []
    for name, task_path in DAILY_JOBS.items():
        with transaction.atomic():
            ScheduledJob.objects.bulk_create([ScheduledJob(name=name)], ignore_conflicts=True)
            claimed = (
                ScheduledJob.objects.filter(name=name)
                .exclude(last_run_on=today)
                .update(last_run_on=today)
            )
            if claimed:
                import_string(task_path).enqueue()
                enqueued.append(name)
    return enqueued
