"""What an import leaves in the database: where each export came from, and which phone chat
became which archive conversation. Never the messages that were not selected."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from balie.conversations.models import Conversation
from balie.tenants.models import Organisation, TenantQuerySet


class Source(models.TextChoices):
    WHATSAPP = "whatsapp", _("WhatsApp")
    SMS = "sms", _("SMS (SMS Backup & Restore)")
    TELEGRAM = "telegram", _("Telegram")


class ImportBatch(models.Model):
    """One export file handed over by (or for) an official: the provenance of what it added."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=16, choices=Source.choices)
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.PositiveBigIntegerField()
    parser = models.CharField(max_length=100, help_text="The module that read the file.")
    format = models.CharField(max_length=100, help_text="The layout the parser detected.")
    classifier = models.CharField(
        max_length=40,
        blank=True,
        help_text="The version of the business-or-private model that made the proposal.",
    )
    time_zone = models.CharField(max_length=64, help_text="The zone the export's times are in.")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The official whose phone the chats are from.",
    )
    owner_note = models.TextField(blank=True, help_text="Device and owner, as the importer noted.")
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(max_length=8, default="cli", help_text="cli or console.")
    created_at = models.DateTimeField(auto_now_add=True)
    messages_in_file = models.PositiveIntegerField(default=0)
    messages_selected = models.PositiveIntegerField(default=0)
    messages_added = models.PositiveIntegerField(default=0)
    messages_already_archived = models.PositiveIntegerField(default=0)
    attachments_added = models.PositiveIntegerField(default=0)
    conversations_touched = models.PositiveIntegerField(default=0)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.source} {self.file_name}"


class ImportedChat(models.Model):
    """A chat on an official's phone and the archive conversation it became; a later export
    of the same chat adds its new messages to the same conversation."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=16, choices=Source.choices)
    chat_key = models.CharField(
        max_length=64,
        help_text="SHA-256 of the source and the chat's name or address (see chat_key_of): "
        "no personal data stays here once the conversation is destroyed.",
    )
    conversation = models.OneToOneField(
        Conversation, on_delete=models.CASCADE, related_name="imported_chat"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "owner", "source", "chat_key"], name="unique_imported_chat"
            )
        ]

    def __str__(self) -> str:
        return f"{self.source} chat {self.chat_key[:12]}"


def chat_key_of(source: str, chat: str) -> str:
    """How an imported chat is recognised in a later export, without keeping its name."""
    return hashlib.sha256(f"{source}\x1f{chat}".encode()).hexdigest()


class ImportUpload(models.Model):
    """An export uploaded in the console and waiting for the official's review. The file is
    kept only until the import is confirmed or cancelled (or a day has passed); this row
    holds the choices so far, as message numbers — never text."""

    token = models.CharField(max_length=32, unique=True)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    source = models.CharField(max_length=16, choices=Source.choices)
    file_name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    time_zone = models.CharField(max_length=64, default="Europe/Amsterdam")
    date_order = models.CharField(max_length=3, blank=True)
    owner_note = models.TextField(blank=True)
    me = models.JSONField(default=list, blank=True, help_text="The official's names in it.")
    family = models.JSONField(
        default=list, blank=True, help_text="Authors the official marked as family."
    )
    include = models.JSONField(default=list, blank=True, help_text="Message numbers chosen.")
    exclude = models.JSONField(default=list, blank=True, help_text="Message numbers left out.")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantQuerySet.as_manager()

    def __str__(self) -> str:
        return f"upload {self.file_name}"
