"""Serializer fields that take JSON types as they are: no "12" for 12, no "yes" for true.

DRF's own fields coerce; for a client that sends a number where text belongs that hides a
bug, so the request serializers use these and answer ``wrong_type``.
"""

from __future__ import annotations

from rest_framework import serializers


class _Strict:
    expected: tuple[type, ...] = ()
    expected_name = ""

    def to_internal_value(self, data):
        if not isinstance(data, self.expected) or isinstance(data, bool) != (bool in self.expected):
            raise serializers.ValidationError(f"Verwacht {self.expected_name}.", code="wrong_type")
        return super().to_internal_value(data)


class StrictCharField(_Strict, serializers.CharField):
    expected = (str,)
    expected_name = "een tekst"


class StrictIntegerField(_Strict, serializers.IntegerField):
    expected = (int,)
    expected_name = "een geheel getal"


class StrictBooleanField(_Strict, serializers.BooleanField):
    expected = (bool,)
    expected_name = "true of false"
