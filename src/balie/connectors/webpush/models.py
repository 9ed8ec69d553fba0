"""A resident's consent to Web Push: one browser's push subscription for one web chat.

The resident page identifies the resident by the device token of their conversation
(decision 0009), so a subscription belongs to that conversation: only the holder of its
token can add or remove it. The endpoint and keys come from the browser's
``PushSubscription``; Balie stores nothing else of the device.
"""

from __future__ import annotations

from django.db import models

from balie.conversations.models import Conversation
from balie.tenants.models import Organisation, TenantQuerySet

MAX_ENDPOINT = 1000  # characters; FCM's and Mozilla's are under 300, Apple's under 200


class PushSubscription(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="push_subscriptions"
    )
    endpoint = models.URLField(max_length=MAX_ENDPOINT)
    p256dh = models.CharField(max_length=100, help_text="the browser's P-256 key, base64url")
    auth = models.CharField(max_length=32, help_text="the 16-byte auth secret, base64url")
    created_at = models.DateTimeField()
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_push_at = models.DateTimeField(
        null=True, blank=True, help_text="the last attempt for its conversation (coalescing)"
    )
    push_planned_at = models.DateTimeField(
        null=True, blank=True, help_text="when a coalesced push for its conversation is due"
    )
    failures = models.PositiveSmallIntegerField(default=0, help_text="consecutive failures")

    objects = TenantQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "endpoint"], name="webpush_one_per_endpoint"
            )
        ]

    def __str__(self) -> str:
        return f"push subscription #{self.pk} of conversation {self.conversation_id}"
