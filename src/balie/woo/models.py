"""A Woo request (Woo-verzoek) and the periods it was suspended (opschorting)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from balie.tenants.models import Organisation, TenantQuerySet


class Status(models.TextChoices):
    RECEIVED = "received", _("Received")
    COLLECTING = "collecting", _("Collecting")
    ASSESSING = "assessing", _("Assessing")
    DECIDED = "decided", _("Decided")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_STATUSES = (Status.RECEIVED, Status.COLLECTING, Status.ASSESSING, Status.DECIDED)
CLOSED_STATUSES = (Status.PUBLISHED, Status.WITHDRAWN)


class WooRequest(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    reference = models.CharField(max_length=100, help_text="The request's number, WOO-2026-014.")
    received_on = models.DateField(help_text="The day the request was received.")
    subject = models.CharField(max_length=500)
    scope = models.TextField(blank=True, help_text="What the request asks for, in its words.")
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    # The requester is personal data: shown to Woo coordinators only, never in the archive.
    requester_name = models.CharField(max_length=200, blank=True)
    requester_contact = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RECEIVED)
    extension_days = models.PositiveSmallIntegerField(default=0)
    extension_reason = models.TextField(blank=True)
    decided_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "reference"], name="woo_request_reference_unique"
            )
        ]
        ordering = ["received_on", "pk"]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class Suspension(models.Model):
    """The decision term does not run from ``started_on`` until ``ended_on`` (Awb 4:15):
    the days in between are added to it. An open suspension has no end yet."""

    request = models.ForeignKey(WooRequest, on_delete=models.CASCADE, related_name="suspensions")
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    reason = models.TextField()

    class Meta:
        ordering = ["started_on", "pk"]

    def __str__(self) -> str:
        return f"{self.request} {self.started_on}–{self.ended_on or ''}"
