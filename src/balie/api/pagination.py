"""Pages of a list: ``limit`` and ``offset``, checked like every other query parameter.

DRF's own ``LimitOffsetPagination`` quietly falls back to the default for ``limit=abc`` and
hands an offset past what a database integer holds to the database (a 500 on SQLite). Here
both are whole numbers within the range the contract states, or a 400 in the API's shape.
"""

from __future__ import annotations

from rest_framework import serializers
from rest_framework.pagination import LimitOffsetPagination

from balie.api.fields import DigitsIntegerField
from balie.conversations.actions.checks import MAX_INT

__all__ = ["MAX_LIMIT", "Pagination", "PageSerializer"]

MAX_LIMIT = 500


class PageSerializer(serializers.Serializer):
    limit = DigitsIntegerField(
        required=False, min_value=1, max_value=MAX_LIMIT, help_text="Results per page."
    )
    offset = DigitsIntegerField(
        required=False, min_value=0, max_value=MAX_INT, help_text="Results to skip."
    )


class Pagination(LimitOffsetPagination):
    max_limit = MAX_LIMIT

    def paginate_queryset(self, queryset, request, view=None):
        page = PageSerializer(data=request.query_params)
        page.is_valid(raise_exception=True)
        self._page = page.validated_data
        return super().paginate_queryset(queryset, request, view)

    def get_limit(self, request):
        return self._page.get("limit", self.default_limit)

    def get_offset(self, request):
        return self._page.get("offset", 0)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        bounds = {
            "limit": {"minimum": 1, "maximum": MAX_LIMIT, "default": self.default_limit},
            "offset": {"minimum": 0, "maximum": MAX_INT, "default": 0},
        }
        for parameter in parameters:
            parameter["schema"].update(bounds[parameter["name"]])
        return parameters
