"""Results of the integrity checks."""

from __future__ import annotations

from django.db import models

from balie.tenants.models import Organisation, TenantQuerySet


class VerificationRun(models.Model):
    """One check of an organisation's chains (``balie verify --record`` or the daily task)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    events_checked = models.BigIntegerField()
    audit_checked = models.BigIntegerField()
    ok = models.BooleanField()
    problem = models.TextField(blank=True, help_text="The first break, when not ok.")
    trigger = models.CharField(max_length=16, help_text="daily or manual")
    # The heads this run saw (the next run checks that its chains still hold them).
    events_seq = models.BigIntegerField(null=True, blank=True)
    events_hash = models.CharField(max_length=64, blank=True)
    audit_seq = models.BigIntegerField(null=True, blank=True)
    audit_hash = models.CharField(max_length=64, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.started_at:%Y-%m-%d}: {'ok' if self.ok else 'BROKEN'}"
