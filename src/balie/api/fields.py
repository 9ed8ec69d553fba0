"""Serializer fields that take JSON types as they are: no "12" for 12, no "yes" for true.

DRF's own fields coerce; for a client that sends a number where text belongs that hides a
bug, so the request serializers use these and answer ``wrong_type``.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from balie.conversations.actions.checks import MAX_INT, MIN_INT, check_int
from balie.errors import Text


class _Strict:
    expected: tuple[type, ...] = ()
    expected_message: Text = ""

    def to_internal_value(self, data):
        if not isinstance(data, self.expected) or isinstance(data, bool) != (bool in self.expected):
            raise serializers.ValidationError(self.expected_message, code="wrong_type")
        return super().to_internal_value(data)


class ClosedSerializer(serializers.Serializer):
    """A request body that takes only its own fields: another one is ``unknown_field`` (the
    contract says ``additionalProperties: false``, see ``balie.api.schema``)."""

    def to_internal_value(self, data):
        if hasattr(data, "keys"):
            unknown = sorted(set(data.keys()) - set(self.fields))
            if unknown:
                message = gettext("This field is not known here.")
                raise serializers.ValidationError(
                    {name: [message] for name in unknown}, code="unknown_field"
                )
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


class IdField(StrictIntegerField):
    """An id in a JSON body: a whole number from 1 to 2**63-1 (the contract says so too)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_INT)
        super().__init__(**kwargs)


class DigitsIntegerField(serializers.IntegerField):
    """A whole number from a query string, written as one: digits only, not DRF's ``"0.0"``
    or ``" 5 "`` (the contract says integer)."""

    digits = re.compile(r"-?[0-9]+")

    def to_internal_value(self, data):
        if isinstance(data, str) and not self.digits.fullmatch(data):
            self.fail("invalid")
        return super().to_internal_value(data)


class BoundedIntegerField(DigitsIntegerField):
    """A whole number from a query string that the database can compare with, or
    ``invalid_field`` (``min_value``/``max_value`` narrow it further; the contract states the
    range)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", MIN_INT)
        kwargs.setdefault("max_value", MAX_INT)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        return check_int(super().to_internal_value(data), self.field_name, minimum=MIN_INT)
