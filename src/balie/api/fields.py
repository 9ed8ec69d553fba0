"""Serializer fields that take JSON types as they are: no "12" for 12, no "yes" for true.

DRF's own fields coerce; for a client that sends a number where text belongs that hides a
bug, so the request serializers use these and answer ``wrong_type``.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from balie.conversations.actions.checks import MIN_INT, check_int
from balie.errors import Text


class _Strict:
    expected: tuple[type, ...] = ()
    expected_message: Text = ""

    def to_internal_value(self, data):
        if not isinstance(data, self.expected) or isinstance(data, bool) != (bool in self.expected):
            raise serializers.ValidationError(self.expected_message, code="wrong_type")
        return super().to_internal_value(data)


class StrictCharField(_Strict, serializers.CharField):
    expected = (str,)
    expected_message = _("Expected a text.")


class StrictIntegerField(_Strict, serializers.IntegerField):
    expected = (int,)
    expected_message = _("Expected a whole number.")


class StrictBooleanField(_Strict, serializers.BooleanField):
    expected = (bool,)
    expected_message = _("Expected true or false.")


class BoundedIntegerField(serializers.IntegerField):
    """A whole number from a query string: one the database can compare with, or
    ``invalid_field`` (``min_value``/``max_value`` narrow it further)."""

    def to_internal_value(self, data):
        return check_int(super().to_internal_value(data), self.field_name, minimum=MIN_INT)
