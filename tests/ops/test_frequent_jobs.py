"""Frequent jobs (polling mailboxes) run once per interval, however many workers ask."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from balie.ops import schedule


def test_once_per_interval_whatever_the_number_of_workers(db, monkeypatch):
    monkeypatch.setattr(
        schedule, "FREQUENT_JOBS", {"poll": ("balie.conversations.tasks.remove_unsent_uploads", 60)}
    )
    now = timezone.now()
    assert schedule.do_enqueue_frequent_jobs(now) == ["poll"]
    assert schedule.do_enqueue_frequent_jobs(now) == []  # a second worker, same minute
    assert schedule.do_enqueue_frequent_jobs(now + timedelta(seconds=30)) == []
    assert schedule.do_enqueue_frequent_jobs(now + timedelta(seconds=60)) == ["poll"]
    assert DBTaskResult.objects.count() == 2


def test_the_mail_poll_is_registered():
    task_path, seconds = schedule.FREQUENT_JOBS["mail-poll"]
    assert task_path == "balie.connectors.email.tasks.poll_mailboxes" and seconds == 60
