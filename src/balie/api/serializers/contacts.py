"""Contacts: residents and businesses an organisation talks to."""

from __future__ import annotations

from rest_framework import serializers

from balie.conversations.models import Contact


class ContactSerializer(serializers.ModelSerializer):
    organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    display_name = serializers.CharField(source="__str__", read_only=True)
    # Plain texts: empty when unknown, so not format "email".
    email = serializers.CharField(read_only=True, allow_blank=True, help_text="Empty when unknown.")
    phone = serializers.CharField(read_only=True, allow_blank=True, help_text="Empty when unknown.")

    class Meta:
        model = Contact
        fields = ["id", "organisation", "name", "display_name", "email", "phone", "created_at"]
        read_only_fields = fields


class ContactFilterSerializer(serializers.Serializer):
    organisation = serializers.SlugField(required=False, help_text="Organisation slug.")
