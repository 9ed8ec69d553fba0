"""Archive events, their chain heads, and the permit the destruction procedure holds."""

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
    """The one key past the append-only triggers, for one destruction list in one transaction.

    The destruction procedure inserts it naming the list it carries out and deletes it again
    before committing. The triggers accept it only while it is the sole permit and its list
    is being carried out (status approved); on PostgreSQL also only in the transaction that
    wrote it (``txid``, set by a trigger). ``balie verify`` reports any permit it finds: one
    that is visible outside its transaction outlived it.
    """

    reason = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    destruction_list = models.ForeignKey(
        "archive.DestructionList", on_delete=models.PROTECT, null=True, related_name="+"
    )
    txid = models.BigIntegerField(
        null=True, blank=True, help_text="PostgreSQL: txid_current() of the writing transaction."
    )

    def __str__(self) -> str:
        return self.reason
