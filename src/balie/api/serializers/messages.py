"""Messages and attachments: what is returned, and what a client sends."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse
from rest_framework import serializers

from balie.api.fields import (
    BoundedIntegerField,
    ClosedSerializer,
    DigitsIntegerField,
    IdField,
    StrictBooleanField,
    StrictCharField,
)
from balie.conversations import events
from balie.conversations.actions import (
    MAX_ATTACHMENTS,
    check_attachment_ids,
    check_client_id,
    clean_body,
)
from balie.conversations.models import Attachment, DeliveryStatus, Direction, Message


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


class MessageAttachmentSerializer(serializers.Serializer):
    """An attachment as a message carries it (the same object as on the staff socket)."""

    id = serializers.IntegerField(read_only=True)
    filename = serializers.CharField(read_only=True)
    content_type = serializers.CharField(read_only=True)
    size = serializers.IntegerField(read_only=True)
    width = serializers.IntegerField(read_only=True, allow_null=True)
    height = serializers.IntegerField(read_only=True, allow_null=True)
    url = serializers.CharField(
        read_only=True, help_text="Where to download it: GET /api/v1/attachments/{id}/."
    )


class MessageSerializer(serializers.Serializer):
    """A message: the same object as the staff socket's (docs/realtime.md)."""

    # The shape is written once, in events.message_payload; these fields describe it for the
    # schema, and tests/api/test_messages.py checks that they name the same keys.

    id = serializers.IntegerField(read_only=True)
    conversation = serializers.IntegerField(read_only=True)
    seq = serializers.IntegerField(
        read_only=True, help_text="Monotonic per conversation, starting at 1."
    )
    direction = serializers.ChoiceField(read_only=True, choices=Direction.choices)
    author = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text="Who wrote it: the staff member's name, or the author an imported chat names.",
    )
    author_id = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text="The staff member who wrote it (null for residents and keys).",
    )
    body = serializers.CharField(read_only=True, allow_blank=True)
    edited = serializers.BooleanField(
        read_only=True, help_text="Changed by its author after sending."
    )
    deleted = serializers.BooleanField(
        read_only=True,
        help_text="Deleted by its author: body and attachments are gone here, kept in the archive.",
    )
    client_id = serializers.CharField(
        read_only=True, help_text="Idempotency key chosen by the sender."
    )
    delivery_status = serializers.ChoiceField(read_only=True, choices=DeliveryStatus.choices)
    delivery_error = serializers.CharField(
        read_only=True,
        help_text="Why an external channel has not taken it (yet), in the channel's own words; "
        "empty when delivered or for web chat.",
    )
    created_at = serializers.DateTimeField(read_only=True)
    attachments = MessageAttachmentSerializer(many=True, read_only=True)

    def to_representation(self, instance: Message) -> dict[str, Any]:
        return events.message_payload(instance, for_resident=False, attachment_url=_attachment_url)


def _attachment_url(attachment: Attachment) -> str:
    return reverse("api:attachment", kwargs={"attachment_id": attachment.pk})


class MessageHistorySerializer(serializers.Serializer):
    results = MessageSerializer(many=True)
    has_more = serializers.BooleanField(
        help_text="More messages follow; ask again after the last seq."
    )


class MessageQuerySerializer(serializers.Serializer):
    after_seq = BoundedIntegerField(
        required=False, default=0, min_value=0, help_text="Only messages with a higher seq."
    )
    limit = DigitsIntegerField(
        required=False, default=100, min_value=1, max_value=500, help_text="At most this many."
    )


class _Checked:
    """A field whose value the action's own check sees first, so the API answers with the
    same code as the sockets (``invalid_client_id``, ``body_too_long``,
    ``too_many_attachments``); the limits are on the field too, for the contract."""

    check: Any = None

    def to_internal_value(self, data):
        value = super().to_internal_value(data)  # type: ignore[misc]
        type(self).check(value)
        return value


class ClientIdField(_Checked, StrictCharField):
    check = staticmethod(check_client_id)


class BodyField(_Checked, StrictCharField):
    check = staticmethod(clean_body)


class AttachmentIdsField(_Checked, serializers.ListField):
    check = staticmethod(check_attachment_ids)


class SendMessageSerializer(ClosedSerializer):
    client_id = ClientIdField(
        trim_whitespace=False,
        min_length=8,
        max_length=64,
        help_text="Your idempotency key, 8 to 64 characters: a resend returns the stored message.",
    )
    body = BodyField(
        required=False,
        default="",
        allow_blank=True,
        trim_whitespace=False,
        max_length=settings.MAX_MESSAGE_CHARS,
        help_text="The text; at most BALIE_MAX_MESSAGE_CHARS characters (4000 by default).",
    )
    attachments = AttachmentIdsField(
        child=IdField(),
        required=False,
        default=list,
        max_length=MAX_ATTACHMENTS,
        help_text="Ids of attachments uploaded to this conversation and not yet sent (max 10).",
    )
    internal = StrictBooleanField(
        required=False, default=False, help_text="An internal note: never shown to the resident."
    )
    confirm = StrictBooleanField(
        required=False,
        default=False,
        help_text=(
            "Reply although the conversation is assigned to someone else, where the team's "
            "collision rule is warn (409 assigned_to_other without it). Under block only the "
            "assignee replies (409 assigned_to_other_blocked). Sends by API key are not checked."
        ),
    )


class UploadSerializer(ClosedSerializer):
    file = serializers.FileField(
        allow_empty_file=True,
        use_url=False,
        help_text="A JPEG, PNG, GIF or WebP image, or a PDF (the type is read from the bytes).",
    )
