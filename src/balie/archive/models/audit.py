"""The audit log of reads and its chain heads."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from balie.tenants.models import Organisation, TenantQuerySet


class AuditEntry(models.Model):
    """One read of records by staff or a connected system: who, what, when, from where, why.

    Written by the selectors, the one place where records are read. Chained per organisation
    like the archive (``chain.py``), so a removed or changed entry shows.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    seq = models.BigIntegerField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    api_key = models.ForeignKey(
        "accounts.ApiKey", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=40, help_text="e.g. conversation.read")
    object_type = models.CharField(max_length=40)
    object_id = models.BigIntegerField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    channel = models.CharField(max_length=16, help_text="api, console, socket or cli")
    ip = models.GenericIPAddressField(null=True, blank=True)
    purpose = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()
    previous_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["organisation", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "seq"], name="unique_audit_seq")
        ]
        indexes = [models.Index(fields=["organisation", "created_at"])]

    def __str__(self) -> str:
        return f"{self.action} {self.object_type}#{self.object_id}"


class AuditHead(models.Model):
    organisation = models.OneToOneField(
        Organisation, on_delete=models.PROTECT, primary_key=True, related_name="+"
    )
    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"{self.organisation_id}#{self.last_seq}"
