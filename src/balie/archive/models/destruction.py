"""Destruction lists: proposed by one records manager, approved by another, then executed.

An executed list is the destruction record (vernietigingsverklaring): what was destroyed,
under which record classes, by whose proposal and approval, and when.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from balie.tenants.models import Organisation, TenantQuerySet


class ListStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    REJECTED = "rejected", _("Rejected")
    APPROVED = "approved", _("Approved, being carried out")
    DESTROYED = "destroyed", _("Destroyed")


class ItemStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    DESTROYED = "destroyed", _("Destroyed")
    BLOCKED = "blocked", _("Not destroyed")


class DestructionList(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200)
    status = models.CharField(
        max_length=16, choices=ListStatus.choices, default=ListStatus.PROPOSED
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField()
    note = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)
    executed_at = models.DateTimeField(null=True, blank=True)
    # The destruction record, filled in when executed.
    conversations_destroyed = models.PositiveIntegerField(default=0)
    conversations_blocked = models.PositiveIntegerField(default=0)
    messages_destroyed = models.PositiveIntegerField(default=0)
    attachments_destroyed = models.PositiveIntegerField(default=0)
    events_emptied = models.PositiveIntegerField(default=0)
    record_classes = models.JSONField(default=list, blank=True)
    # Files still to remove from storage after the commit (emptied once they are gone).
    files_pending = models.JSONField(default=list, blank=True)
    files_removed = models.PositiveIntegerField(default=0)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-proposed_at", "-id"]

    def __str__(self) -> str:
        return f"Vernietigingslijst {self.pk}: {self.title}"


class DestructionItem(models.Model):
    destruction_list = models.ForeignKey(
        DestructionList, on_delete=models.PROTECT, related_name="items"
    )
    conversation = models.ForeignKey(
        "conversations.Conversation", on_delete=models.PROTECT, related_name="+"
    )
    record_class_code = models.CharField(max_length=20)
    record_class_name = models.CharField(max_length=200)
    retention = models.CharField(max_length=20)
    trigger_date = models.DateTimeField()
    due_on = models.DateField()
    status = models.CharField(max_length=16, choices=ItemStatus.choices, default=ItemStatus.PENDING)
    blocked_reason = models.CharField(max_length=300, blank=True)
    messages = models.PositiveIntegerField(default=0)
    attachments = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["destruction_list", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["destruction_list", "conversation"], name="unique_destruction_item"
            )
        ]

    def __str__(self) -> str:
        return f"{self.destruction_list_id}: conversation {self.conversation_id}"
