"""Operational state: when each scheduled job last ran."""

from __future__ import annotations

from django.db import models


class ScheduledJob(models.Model):
    name = models.CharField(max_length=60, primary_key=True)
    last_run_on = models.DateField(null=True, blank=True)
    last_run_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} (last {self.last_run_on})"


class WorkerBeat(models.Model):
    """A `balie worker` that is alive: it writes ``beat_at`` every few seconds.

    A task the database says is running, claimed by a worker whose beats stopped, was
    abandoned (the worker was killed, or its machine went away) and is queued again
    (``ops.workers``)."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    beat_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.worker_id} (beat {self.beat_at:%Y-%m-%d %H:%M:%S})"
