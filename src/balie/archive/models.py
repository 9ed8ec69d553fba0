"""The archive: an append-only record of every change to a conversation.

This issue keeps a plain append-only table; the hash chain and the database triggers that
refuse UPDATE/DELETE come with the archive issue.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from balie.tenants.models import Organisation, TenantQuerySet


class ArchiveEvent(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    conversation_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    event_type = models.CharField(max_length=64)
    payload = models.JSONField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    api_key = models.ForeignKey(
        "accounts.ApiKey", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_kind = models.CharField(max_length=16, help_text="staff, resident, api or system")
    created_at = models.DateTimeField()

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.event_type} #{self.pk}"
