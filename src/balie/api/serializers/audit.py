"""The audit log of reads, as auditors and their systems see it."""

from __future__ import annotations

from rest_framework import serializers

from balie.api.fields import BoundedIntegerField
from balie.archive.models import AuditEntry, VerificationRun


class AuditEntrySerializer(serializers.ModelSerializer):
    organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    actor = serializers.SlugRelatedField(
        slug_field="username",
        read_only=True,
        allow_null=True,
        help_text="The staff member's username; null when an API key or a resident read it.",
    )
    api_key = serializers.SlugRelatedField(
        slug_field="prefix",
        read_only=True,
        allow_null=True,
        help_text="The prefix of the API key that read it; null for people.",
    )

    class Meta:
        model = AuditEntry
        fields = [
            "id", "organisation", "seq", "created_at", "actor", "api_key", "action",
            "object_type", "object_id", "detail", "channel", "ip", "purpose", "entry_hash",
        ]  # fmt: skip
        read_only_fields = fields


class AuditFilterSerializer(serializers.Serializer):
    organisation = serializers.SlugField(required=False, help_text="Organisation slug.")
    actor = BoundedIntegerField(required=False, help_text="Staff user id.")
    action = serializers.CharField(
        required=False, trim_whitespace=False, help_text="e.g. conversation.read"
    )
    object_type = serializers.CharField(
        required=False, trim_whitespace=False, help_text="e.g. conversation"
    )
    object_id = BoundedIntegerField(required=False)
    since = serializers.DateTimeField(required=False, help_text="From this moment (inclusive).")
    until = serializers.DateTimeField(required=False, help_text="Before this moment.")


class VerificationRunSerializer(serializers.ModelSerializer):
    organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = VerificationRun
        fields = [
            "id", "organisation", "started_at", "finished_at", "events_checked",
            "audit_checked", "ok", "problem", "trigger",
        ]  # fmt: skip
        read_only_fields = fields
