"""Holds: what must not be destroyed while a legal matter or a Woo request is open.

A hold covers one conversation, every conversation of one contact, or every conversation a
saved search finds at the time of destruction. Released holds stay, with who and why.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from balie.tenants.models import Organisation, TenantQuerySet


class HoldKind(models.TextChoices):
    LEGAL = "legal", _("Legal hold")
    WOO = "woo", _("Open Woo request")


class HoldScope(models.TextChoices):
    CONVERSATION = "conversation", _("Conversation")
    CONTACT = "contact", _("Contact person")
    SAVED_SEARCH = "saved_search", _("Saved search")


class Hold(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=HoldKind.choices)
    scope = models.CharField(max_length=16, choices=HoldScope.choices)
    conversation = models.ForeignKey(
        "conversations.Conversation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="holds",
    )
    contact = models.ForeignKey(
        "conversations.Contact", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    saved_search = models.ForeignKey(
        "search.SavedSearch", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reference = models.CharField(
        max_length=100, help_text="Case or Woo request number, e.g. WOO-2026-014."
    )
    reason = models.TextField()
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    placed_at = models.DateTimeField()
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    released_at = models.DateTimeField(null=True, blank=True)
    release_reason = models.TextField(blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-placed_at", "-id"]
        indexes = [models.Index(fields=["organisation", "released_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.reference}"

    @property
    def active(self) -> bool:
        return self.released_at is None
