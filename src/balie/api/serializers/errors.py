"""The error body, for the OpenAPI contract (built by ``balie.api.errors``)."""

from __future__ import annotations

from rest_framework import serializers


class FieldErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable code, e.g. required, wrong_type.")
    detail = serializers.CharField(help_text="Explanation for people (Dutch).")


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text="Stable code for programs, e.g. not_found, malformed_json, body_too_long."
    )
    detail = serializers.CharField(help_text="Explanation for people (Dutch).")
    fields = serializers.DictField(
        child=FieldErrorSerializer(many=True),
        help_text="Problems per request field (dotted for nested values); empty otherwise.",
    )
