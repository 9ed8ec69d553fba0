"""A channel account of an organisation (a WhatsApp number, a mailbox, an SMS number), the
threads that tie a resident's address on it to a conversation, and the channel's own message
ids that make inbound idempotent and let status reports find their message."""

from __future__ import annotations

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from balie.conversations.models import Channel, Conversation, Message
from balie.tenants.models import Organisation, TenantQuerySet

__all__ = ["ChannelAccount", "ChannelThread", "ExternalMessage"]


def _public_id() -> str:
    return secrets.token_urlsafe(18)


class ChannelAccount(models.Model):
    """One channel of one organisation. ``settings`` holds what may be shown (a phone number
    id, an IMAP host); ``secrets`` holds each secret sealed (``balie.tenants.secrets``),
    never shown back. ``public_id`` is the unguessable part of its webhook address."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=Channel.choices)
    name = models.CharField(max_length=100, help_text=_("How staff recognise it."))
    public_id = models.CharField(max_length=32, unique=True, default=_public_id, editable=False)
    settings = models.JSONField(default=dict, blank=True)
    secrets = models.JSONField(default=dict, blank=True)
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["organisation_id", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "kind", "name"], name="channel_name")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.name}"


class ChannelThread(models.Model):
    """A resident's address on a channel account (a WhatsApp id, a phone number in E.164, an
    e-mail address) and the conversation it runs in. A closed conversation ends its thread:
    the resident's next message starts a new conversation and thread."""

    account = models.ForeignKey(ChannelAccount, on_delete=models.PROTECT, related_name="threads")
    address = models.CharField(max_length=320)
    conversation = models.OneToOneField(
        Conversation, on_delete=models.CASCADE, related_name="channel_thread"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_inbound_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["account", "address", "-created_at"], name="thread_find")]

    def __str__(self) -> str:
        return f"{self.account}: {self.address}"


class ExternalMessage(models.Model):
    """A message as the channel knows it: its id there (a WhatsApp ``wamid``, an e-mail
    Message-ID, an SMS provider's id). Unique per account: the same inbound delivered twice is
    stored once; a status report finds the outbound message it is about."""

    account = models.ForeignKey(ChannelAccount, on_delete=models.PROTECT, related_name="+")
    external_id = models.CharField(max_length=255)
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="+")
    inbound = models.BooleanField()
    created_at = models.DateTimeField(auto_now_add=True)
    # When the channel says the resident sent it (WhatsApp's timestamp, a mail's Date):
    # kept beside Balie's own time of receipt, which the message carries.
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "external_id"], name="external_message")
        ]

    def __str__(self) -> str:
        return self.external_id


class EarlyReport(models.Model):
    """A channel's status report on an id Balie does not know yet: a report that overtook
    the delivery task storing the channel's id of the message it sent (the channel answered
    the send, reported *delivered* at once, and the report arrived first). Applied and
    removed when that id is stored; the daily job removes those never claimed after
    :data:`balie.connectors.inbound.EARLY_REPORT_DAYS` days."""

    account = models.ForeignKey(ChannelAccount, on_delete=models.CASCADE, related_name="+")
    external_id = models.CharField(max_length=255)
    status = models.CharField(max_length=16)
    error = models.CharField(max_length=300, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["account", "external_id"], name="early_report_find")]

    def __str__(self) -> str:
        return f"{self.external_id}: {self.status}"
