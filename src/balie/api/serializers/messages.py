"""Messages and attachments: what is returned, and what a client sends."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from balie.api.fields import StrictBooleanField, StrictCharField, StrictIntegerField
from balie.conversations.models import Attachment, Message


class AttachmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Attachment
        fields = [
            "id",
            "conversation",
            "message",
            "filename",
            "content_type",
            "size",
            "sha256",
            "width",
            "height",
            "created_at",
        ]
        read_only_fields = fields


class MessageSerializer(serializers.ModelSerializer):
    author_name = serializers.SerializerMethodField(
        help_text="The staff member who wrote it, or the author an imported chat names."
    )
    attachments = serializers.SerializerMethodField()
    edited = serializers.SerializerMethodField(help_text="Changed by its author after sending.")
    deleted = serializers.SerializerMethodField(
        help_text="Deleted by its author: body and attachments are gone here, kept in the archive."
    )

    @extend_schema_field(AttachmentSerializer(many=True))
    def get_attachments(self, message: Message) -> list:
        if message.deleted_at is not None:
            return []
        return AttachmentSerializer(message.attachments.all(), many=True).data

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_author_name(self, message: Message) -> str | None:
        if message.author is not None:
            return str(message.author)
        return message.author_name or None

    def get_edited(self, message: Message) -> bool:
        return message.edited_at is not None

    def get_deleted(self, message: Message) -> bool:
        return message.deleted_at is not None

    class Meta:
        model = Message
        fields = [
            "id",
            "conversation",
            "seq",
            "direction",
            "author",
            "author_name",
            "body",
            "edited",
            "deleted",
            "client_id",
            "delivery_status",
            "created_at",
            "attachments",
        ]
        read_only_fields = fields


class MessageHistorySerializer(serializers.Serializer):
    results = MessageSerializer(many=True)
    has_more = serializers.BooleanField(
        help_text="More messages follow; ask again after the last seq."
    )


class MessageQuerySerializer(serializers.Serializer):
    after_seq = serializers.IntegerField(
        required=False, default=0, min_value=0, help_text="Only messages with a higher seq."
    )
    limit = serializers.IntegerField(
        required=False, default=100, min_value=1, max_value=500, help_text="At most this many."
    )


class SendMessageSerializer(serializers.Serializer):
    client_id = StrictCharField(
        trim_whitespace=False,
        help_text="Your idempotency key, 8 to 64 characters: a resend returns the stored message.",
    )
    body = StrictCharField(
        required=False,
        default="",
        allow_blank=True,
        trim_whitespace=False,
        help_text="The text; at most BALIE_MAX_MESSAGE_CHARS characters (4000 by default).",
    )
    attachments = serializers.ListField(
        child=StrictIntegerField(),
        required=False,
        default=list,
        help_text="Ids of attachments uploaded to this conversation and not yet sent (max 10).",
    )
    internal = StrictBooleanField(
        required=False, default=False, help_text="An internal note: never shown to the resident."
    )


class UploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        allow_empty_file=True,
        use_url=False,
        help_text="A JPEG, PNG, GIF or WebP image, or a PDF (the type is read from the bytes).",
    )
