"""Contacts, teams, conversations, messages and their attachments.

Writes go through ``actions.py``; reads with their permission checks through ``selectors.py``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from balie.tenants.models import Organisation, TenantQuerySet


class Team(models.Model):
    """A queue / inbox of an organisation, e.g. "Burgerzaken" or "Afval"."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(max_length=100)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="teams", blank=True)
    is_default = models.BooleanField(default=False, help_text="New web chats land here.")
    record_class = models.ForeignKey(
        "archive.RecordClass",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The record class of this team's conversations (else the channel's).",
    )

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="unique_team_name")
        ]

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    """A resident or business the organisation talks to. Web chat contacts may be anonymous."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name or f"Inwoner #{self.pk}"


class Label(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="labels")
    name = models.CharField(max_length=60)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="unique_label_name")
        ]

    def __str__(self) -> str:
        return self.name


class Channel(models.TextChoices):
    WEBCHAT = "webchat", _("Web chat")
    WHATSAPP = "whatsapp", _("WhatsApp")
    SMS = "sms", _("SMS")
    EMAIL = "email", _("Email")
    TELEGRAM = "telegram", _("Telegram")


class Status(models.TextChoices):
    OPEN = "open", _("Open")
    PENDING = "pending", _("Waiting for resident")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


# open → pending → resolved → closed; a resident's new message reopens pending/resolved.
STATUS_TRANSITIONS: dict[str, frozenset[str]] = {
    Status.OPEN: frozenset({Status.PENDING, Status.RESOLVED, Status.CLOSED}),
    Status.PENDING: frozenset({Status.OPEN, Status.RESOLVED, Status.CLOSED}),
    Status.RESOLVED: frozenset({Status.OPEN, Status.CLOSED}),
    Status.CLOSED: frozenset(),
}


class ConversationKind(models.TextChoices):
    LIVE = "live", _("Conversation in Balie")
    IMPORTED = "imported", _("Imported from a phone")


class Conversation(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="conversations"
    )
    channel = models.CharField(max_length=16, choices=Channel.choices, default=Channel.WEBCHAT)
    kind = models.CharField(
        max_length=16,
        choices=ConversationKind.choices,
        default=ConversationKind.LIVE,
        help_text="Imported: an official's chat from a phone's export (balie.imports).",
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="conversations")
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="conversations"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_conversations",
    )
    subject = models.CharField(max_length=200, blank=True)
    labels = models.ManyToManyField(Label, blank=True, related_name="conversations")
    case_reference = models.CharField(max_length=100, blank=True, help_text="Zaaknummer.")
    # Highest message sequence handed out; bumped inside the send transaction.
    last_seq = models.BigIntegerField(default=0)
    # Highest sequence each side has read (read receipts, unread counts).
    agent_read_seq = models.BigIntegerField(default=0)
    resident_read_seq = models.BigIntegerField(default=0)
    # SHA-256 of the resident's device token (web chat); the token itself is never stored.
    resident_token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    language = models.CharField(max_length=8, default="nl")
    created_at = models.DateTimeField(auto_now_add=True)
    last_message_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Retention: the record class decides when the conversation may be destroyed.
    record_class = models.ForeignKey(
        "archive.RecordClass",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="conversations",
    )
    record_class_chosen = models.BooleanField(
        default=False, help_text="Set by a person; a team change then leaves it alone."
    )
    # Content removed by an executed destruction list; the row stays as a tombstone.
    destroyed_at = models.DateTimeField(null=True, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-last_message_at", "-id"]
        indexes = [models.Index(fields=["organisation", "status", "team"])]

    def __str__(self) -> str:
        return self.subject or f"Gesprek #{self.pk}"


class Direction(models.TextChoices):
    INBOUND = "inbound", _("From resident")
    OUTBOUND = "outbound", _("To resident")
    NOTE = "note", _("Internal note")
    SYSTEM = "system", _("System")


# What the resident receives; notes and system messages stay with staff.
RESIDENT_VISIBLE = (Direction.INBOUND, Direction.OUTBOUND)


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("delivery status", "Sending")
    SENT = "sent", pgettext_lazy("delivery status", "Sent")
    DELIVERED = "delivered", pgettext_lazy("delivery status", "Delivered")
    READ = "read", pgettext_lazy("delivery status", "Read")
    FAILED = "failed", pgettext_lazy("delivery status", "Failed")


class Message(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    seq = models.BigIntegerField(help_text="Monotonic per conversation, starting at 1.")
    direction = models.CharField(max_length=16, choices=Direction.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sent_by_api_key = models.ForeignKey(
        "accounts.ApiKey",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The connected system that sent it, when not a person.",
    )
    body = models.TextField(blank=True)
    author_name = models.CharField(
        max_length=200, blank=True, help_text="The author as an imported export names them."
    )
    client_id = models.CharField(max_length=64, help_text="Idempotency key chosen by the sender.")
    delivery_error = models.CharField(
        max_length=300,
        blank=True,
        help_text="Why an external channel has not taken it (yet): its own error, never the text.",
    )
    delivery_status = models.CharField(
        max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.SENT
    )
    created_at = models.DateTimeField()
    # Shown as "bewerkt" / "verwijderd"; the original text stays in the archive's events.
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["seq"]
        constraints = [
            models.UniqueConstraint(fields=["conversation", "seq"], name="unique_message_seq"),
            models.UniqueConstraint(
                fields=["conversation", "client_id"], name="unique_message_client_id"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.conversation_id}#{self.seq}"


class Attachment(models.Model):
    """A file in a conversation, stored content-addressed by its SHA-256.

    ``sha256`` is the original as uploaded (kept for the archive); for images,
    ``display_sha256`` is a copy without EXIF/GPS metadata, the one staff are shown.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="attachments"
    )
    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    uploaded_by_resident = models.BooleanField(default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    uploaded_by_api_key = models.ForeignKey(
        "accounts.ApiKey", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100, help_text="Sniffed from the bytes.")
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    display_sha256 = models.CharField(max_length=64, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantQuerySet.as_manager()

    def __str__(self) -> str:
        return self.filename

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class DeliveryAttempt(models.Model):
    """An outbound message handed to its channel and not yet answered.

    Written and committed before the channel is called, removed once its answer is stored.
    One that is still there when the delivery task runs again means an earlier run stopped in
    between (its worker was killed): whether the channel took the message is unknown, so it is
    marked failed for staff to check and send again, never sent blindly a second time."""

    message = models.OneToOneField(
        Message, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    started_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"delivery of message {self.message_id} since {self.started_at}"
