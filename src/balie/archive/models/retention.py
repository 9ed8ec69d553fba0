"""Record classes: how long a conversation is kept, from when, and what happens after.

A record class (a category of the organisation's selectielijst) names a retention term as an
ISO 8601 duration (``P1Y``, ``P10Y``, ``P6M``), the trigger the term runs from, and the
waardering: *vernietigen* (destroy when the term has passed) or *bewaren* (keep permanently and
transfer to the archive repository). Every conversation has one.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from balie.tenants.models import Organisation, TenantQuerySet


class Trigger(models.TextChoices):
    CLOSED = "closed", _("Date of closing")
    LAST_MESSAGE = "last_message", _("Date of the last message")
    CREATED = "created", _("Date of first contact")


class Waardering(models.TextChoices):
    DESTROY = "vernietigen", _("Destroy after the retention period")
    KEEP = "bewaren", _("Keep permanently")


class RecordClass(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="record_classes"
    )
    code = models.CharField(max_length=20, help_text="Short code, e.g. KCC-1.")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    selectielijst_reference = models.CharField(
        max_length=200, blank=True, help_text="The selectielijst category this class follows."
    )
    retention = models.CharField(
        max_length=20, help_text="ISO 8601 duration, e.g. P1Y, P10Y, P6M, P1Y6M."
    )
    trigger = models.CharField(max_length=16, choices=Trigger.choices, default=Trigger.CLOSED)
    waardering = models.CharField(
        max_length=16, choices=Waardering.choices, default=Waardering.DESTROY
    )
    is_default = models.BooleanField(
        default=False, help_text="For conversations that no team or channel default covers."
    )
    channels = models.JSONField(
        default=list, blank=True, help_text="Channels whose conversations get this class."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["organisation", "code"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "code"], name="unique_record_class")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class RetentionReview(models.Model):
    """The daily list of what is due: counts per record class, kept for the records manager."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    ran_at = models.DateTimeField()
    due = models.PositiveIntegerField(help_text="Closed conversations past their term.")
    held = models.PositiveIntegerField(help_text="Of those, blocked by a hold or Woo request.")
    by_class = models.JSONField(default=list)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-ran_at"]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.ran_at:%Y-%m-%d}: {self.due} due"
