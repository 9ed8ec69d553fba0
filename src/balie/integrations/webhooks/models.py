"""An organisation's webhook subscriptions and the deliveries made to them.

A :class:`Subscription` is a receiver's address, the event types it wants and its signing
secret (sealed with ``balie.tenants.secrets``; shown once, never again). A :class:`Delivery`
is one CloudEvent for one subscription: written in the transaction that records the archive
event it reports (a transactional outbox), then sent by a task until the receiver accepts it
or the attempts run out. Its ``body`` is the JSON exactly as sent, so a retry or a replay
sends the same bytes with the same CloudEvents ``id``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from balie.tenants.models import Organisation, TenantQuerySet


class Subscription(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=100, help_text="What the receiver is, for people.")
    url = models.URLField(max_length=500, help_text="Where events are POSTed (https).")
    secret = models.TextField(help_text="The signing secret, sealed; never shown again.")
    previous_secret = models.TextField(
        blank=True, help_text="The secret before the last rotation, sealed, while it overlaps."
    )
    previous_until = models.DateTimeField(
        null=True, blank=True, help_text="Until when events are signed with both secrets."
    )
    event_types = models.JSONField(
        default=list, help_text='Patterns such as "message.*" or "conversation.status-changed".'
    )
    enabled = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["organisation", "name", "pk"]
        # The archive listener's one query per batch: enabled subscriptions of organisations.
        indexes = [models.Index(fields=["organisation", "enabled"], name="webhooks_sub_org")]

    def __str__(self) -> str:
        return self.name


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


class Delivery(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    event_id = models.CharField(max_length=100, help_text="The CloudEvents id.")
    event_type = models.CharField(max_length=100, help_text="The CloudEvents type.")
    subject = models.CharField(max_length=200, blank=True, help_text="The CloudEvents subject.")
    seq = models.BigIntegerField(
        null=True, blank=True, help_text="The archive event's sequence number; none for a ping."
    )
    body = models.TextField(help_text="The CloudEvent as JSON, exactly as sent.")
    state = models.CharField(
        max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(
        null=True, blank=True, help_text="While pending: not sent before this moment."
    )
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="The receiver's HTTP status at the last attempt."
    )
    error_code = models.CharField(max_length=40, blank=True)
    last_error = models.CharField(
        max_length=300, blank=True, help_text="What went wrong last, capped; never a secret."
    )
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "event_id"], name="webhooks_one_delivery_per_event"
            )
        ]
        indexes = [
            models.Index(fields=["organisation", "state"], name="webhooks_delivery_log"),
            models.Index(fields=["state", "next_attempt_at"], name="webhooks_delivery_due"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id} ({self.state})"
