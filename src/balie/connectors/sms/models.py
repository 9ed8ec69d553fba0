"""What the SMS connector keeps between webhooks: the parts of a long message until it is
complete, and delivery reports that came before Balie knew which message they are about.

Both are a staging area, not a record: the archived record is the message stored through
``balie.connectors.inbound``. A part's text is emptied once its message is stored (only its
hash stays, to recognise a late repeat), and the rows go after a day
(:mod:`balie.connectors.sms.tasks`).
"""

from __future__ import annotations

from django.db import models

from balie.connectors.models import ChannelAccount

__all__ = ["EarlyReport", "SmsPart"]


class SmsPart(models.Model):
    """One part of a concatenated SMS: the UDH's reference, its place (``index`` from 1)
    and the number of parts, from the resident at ``address`` (E.164). Pending while
    ``delivered_at`` is empty."""

    account = models.ForeignKey(ChannelAccount, on_delete=models.PROTECT, related_name="+")
    external_id = models.CharField(max_length=255)
    address = models.CharField(max_length=32)
    ref = models.PositiveIntegerField()
    index = models.PositiveSmallIntegerField()
    total = models.PositiveSmallIntegerField()
    text = models.TextField(blank=True)
    text_sha256 = models.CharField(max_length=64)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "external_id"], name="sms_part_once")
        ]
        indexes = [
            models.Index(fields=["account", "address", "ref", "total"], name="sms_part_group"),
            models.Index(fields=["delivered_at", "created_at"], name="sms_part_age"),
        ]

    def __str__(self) -> str:
        return f"{self.external_id} ({self.index}/{self.total})"


class EarlyReport(models.Model):
    """A delivery report for a provider id Balie did not know yet: the report came while
    the provider's answer to the send was still on its way. Applied when the send returns
    that id (``connector.SmsConnector.send``)."""

    account = models.ForeignKey(ChannelAccount, on_delete=models.PROTECT, related_name="+")
    external_id = models.CharField(max_length=255)
    status = models.CharField(max_length=16)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["account", "external_id"], name="sms_early_report")]

    def __str__(self) -> str:
        return f"{self.external_id}: {self.status}"
