"""Operational state: when each scheduled job last ran."""

from __future__ import annotations

from django.db import models


class ScheduledJob(models.Model):
    name = models.CharField(max_length=60, primary_key=True)
    last_run_on = models.DateField(null=True, blank=True)
    last_run_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} (last {self.last_run_on})"
