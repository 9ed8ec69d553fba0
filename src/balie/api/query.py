"""The query parameters an endpoint accepts: what it declares, and nothing else.

Every view names its GET parameters in ``query_serializer`` (the same serializer its
``extend_schema`` lists, so the contract shows each one); a list adds its paginator's
``limit`` and ``offset``. Other methods take no query parameters. :func:`check_query` runs
for every request (``ApiViewMixin.initial``) and refuses, in the API's error shape, a
parameter that is not declared, one given twice that is not a list, and a value its field
does not accept (an empty ``until=`` too, which DRF's forms-style parsing would skip),
unless the view checks the values itself (``query_values_checked_here = False``; a blank
value is still checked here, as the view would take it as left out).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.permissions import SAFE_METHODS

from balie.api.pagination import PageSerializer
from balie.conversations.actions.checks import check_text
from balie.errors import Invalid

__all__ = ["RepeatedParameter", "UnknownParameter", "check_query", "declared_parameters"]


class UnknownParameter(Invalid):
    default_code = "unknown_parameter"
    default_message = _("Unknown query parameter '%(name)s'.")


class RepeatedParameter(Invalid):
    default_code = "repeated_parameter"
    default_message = _("The query parameter '%(name)s' may be given only once.")


def declared_parameters(view, method: str) -> dict[str, serializers.Field]:
    """The query parameters ``view`` accepts for ``method``, by name."""
    if method not in SAFE_METHODS:
        return {}
    declared: dict[str, serializers.Field] = {}
    query_serializer = getattr(view, "query_serializer", None)
    if query_serializer is not None:
        declared.update(query_serializer().fields)
    if getattr(view, "pagination_class", None) is not None and hasattr(view, "paginator"):
        declared.update(PageSerializer().fields)
    return declared


def check_query(request, view) -> None:
    if request.method.upper() not in view.allowed_methods:
        return  # the method itself is refused (405) right after
    declared = declared_parameters(view, request.method)
    problems: dict[str, object] = {}
    for name, values in request.query_params.lists():
        check_text(name, "query")
        field = declared.get(name)
        if field is None:
            raise UnknownParameter(field=name, params={"name": name})
        for value in values:
            check_text(value, name)
        if len(values) > 1 and not isinstance(field, serializers.ListField):
            raise RepeatedParameter(field=name, params={"name": name})
        if not getattr(view, "query_values_checked_here", True) and all(v.strip() for v in values):
            continue  # the view checks them; a blank one it would take as left out
        try:
            field.run_validation(values if isinstance(field, serializers.ListField) else values[0])
        except serializers.ValidationError as error:
            problems[name] = error.detail
    if problems:
        raise serializers.ValidationError(problems)
