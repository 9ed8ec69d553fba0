"""Daily and frequent jobs, enqueued by whichever `balie worker` gets there first.

Each worker checks once a minute; claiming a job is one conditional UPDATE, so with several
workers a daily job still runs once a day and a frequent one once per interval.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
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
    "channel-reports-prune": "balie.connectors.tasks.prune_early_reports",
    "webhooks-overdue": "balie.integrations.webhooks.tasks.send_overdue",
    "webhooks-prune": "balie.integrations.webhooks.tasks.prune_deliveries",
    "notificaties-resume": "balie.integrations.notificaties.tasks.resume_notifications",
    "klantinteracties-waiting": "balie.integrations.klantinteracties.tasks.enqueue_waiting",
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


# name: (task to enqueue, seconds between runs): channels that Balie asks rather than being
# told (mailboxes without a webhook).
FREQUENT_JOBS = {
    "mail-poll": ("balie.connectors.email.tasks.poll_mailboxes", 60),
    # Agents whose console went silent go offline (routing hands their conversations on).
    "agents-offline": ("balie.conversations.tasks.mark_absent_agents_offline", 60),
    # The dashboard's daily summary, for periods longer than a month (statistics).
    "dashboard-figures": ("balie.conversations.tasks.refresh_dashboard_figures", 600),
}


def do_enqueue_frequent_jobs(now: datetime | None = None) -> list[str]:
    """Enqueue the frequent jobs whose interval has passed; return their names."""
    now = now or timezone.now()
    enqueued = []
    for name, (task_path, seconds) in FREQUENT_JOBS.items():
        # A little early counts, so that a worker checking every 60 s runs a 60 s job each time.
        cutoff = now - timedelta(seconds=seconds - 5)
        with transaction.atomic():
            ScheduledJob.objects.bulk_create([ScheduledJob(name=name)], ignore_conflicts=True)
            claimed = (
                ScheduledJob.objects.filter(name=name)
                .filter(Q(last_run_at__isnull=True) | Q(last_run_at__lt=cutoff))
                .update(last_run_at=now)
            )
            if claimed:
                import_string(task_path).enqueue()
                enqueued.append(name)
    return enqueued
