"""The archive: an append-only, hash-chained record of every change to a conversation.

Each event holds the SHA-256 of its payload and of the previous event of the same
organisation, so any change or removal shows up in ``balie verify``. Database triggers refuse
UPDATE and DELETE on the table (migration 0004) outside the destruction procedure.
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
    # The chain, per organisation: seq 1, 2, 3 …; previous_hash of seq 1 is GENESIS.
    seq = models.BigIntegerField(default=0)
    payload_hash = models.CharField(max_length=64, default="")
    previous_hash = models.CharField(max_length=64, default="")
    event_hash = models.CharField(max_length=64, default="")

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["organisation", "seq"])]

    def __str__(self) -> str:
        return f"{self.event_type} #{self.pk}"


class ChainHead(models.Model):
    """The newest event of an organisation's chain; locked while appending to it."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.PROTECT, primary_key=True, related_name="+"
    )
    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"{self.organisation_id}#{self.last_seq}"


class DestructionPermit(models.Model):
    """While a row exists here, the triggers let UPDATE/DELETE on archive events through.

    Only the destruction procedure inserts one, inside its own transaction, and deletes it
    again before committing; other transactions never see it.
    """

    reason = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.reason


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
    channel = models.CharField(max_length=16, help_text="api, console or socket")
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

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.started_at:%Y-%m-%d}: {'ok' if self.ok else 'BROKEN'}"
