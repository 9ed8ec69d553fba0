"""Search: the query parameters (documented here, checked by ``balie.search.params``), the
results, and saved searches."""

from __future__ import annotations

from datetime import date

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from balie.api.fields import ClosedSerializer
from balie.conversations.actions.checks import MAX_INT
from balie.conversations.models import Channel, Status
from balie.search.params import DIRECTIONS, MAX_PAGE, MAX_PAGE_SIZE, SORTS
from balie.search.query import MAX_QUERY_CHARS, MAX_TERMS
from balie.search.selectors import Hit


@extend_schema_field({"type": "string", "anyOf": [{"format": "date"}, {"format": "date-time"}]})
class MomentField(serializers.CharField):
    """A date (YYYY-MM-DD) or an ISO 8601 moment (``parse_search`` reads it)."""

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        try:
            valid = date.fromisoformat(value) if len(value) == 10 else parse_datetime(value)
        except ValueError:
            valid = None
        if valid is None:
            raise serializers.ValidationError(
                gettext("Use YYYY-MM-DD or an ISO 8601 moment."), code="invalid_date"
            )
        return value


def _id(help_text: str) -> serializers.IntegerField:
    return serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_INT, help_text=help_text
    )


class SearchParamsSerializer(serializers.Serializer):
    """For the OpenAPI contract only: ``balie.search.params.parse_search`` checks the values,
    the same way for the API, the console and the CLI."""

    q = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        max_length=MAX_QUERY_CHARS,
        help_text=(
            f'Words (all must occur), "a phrase", -excluded, prefix*; at most {MAX_TERMS} '
            "words. Diacritics and Dutch word forms do not matter. May be empty when a filter "
            "is given."
        ),
    )
    organisation = serializers.SlugField(
        required=False,
        help_text="Organisation slug; needed only for staff who work for several.",
    )
    from_ = MomentField(
        required=False,
        trim_whitespace=False,
        help_text="Messages at or after this date (YYYY-MM-DD) or moment (ISO 8601).",
    )
    to = MomentField(
        required=False,
        trim_whitespace=False,
        help_text="Messages on or before this date (the whole day) or moment (ISO 8601).",
    )
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)
    team = _id("Team id.")
    contact = _id("Contact id.")
    status = serializers.ChoiceField(
        choices=Status.choices, required=False, help_text="Status of the conversation."
    )
    label = serializers.ListField(
        child=serializers.CharField(allow_blank=True, trim_whitespace=False),
        required=False,
        help_text="Label name; repeat for several (conversations with any of them).",
    )
    case_reference = serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False, help_text="Zaaknummer, exact."
    )
    record_class = _id("Id of a record class (GET /api/v1/record-classes/).")
    direction = serializers.ChoiceField(
        choices=list(DIRECTIONS),
        required=False,
        help_text="resident: from the resident; agent: to the resident; note: internal note.",
    )
    sort = serializers.ChoiceField(
        choices=list(SORTS),
        required=False,
        help_text="relevance (default with a query) or date (newest first).",
    )
    page = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_PAGE, help_text="From 1."
    )
    page_size = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_PAGE_SIZE, help_text="Default 20."
    )

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")  # a Python keyword
        return fields


class HitSerializer(serializers.Serializer):
    message = serializers.IntegerField(source="message_id")
    conversation = serializers.IntegerField(source="conversation_id")
    seq = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    direction = serializers.CharField(help_text="inbound, outbound or note.")
    author = serializers.CharField(help_text="Who wrote it, as shown to staff.")
    subject = serializers.CharField(help_text="Subject of the conversation.")
    status = serializers.CharField(help_text="Status of the conversation.")
    team = serializers.IntegerField(source="team_id", allow_null=True)
    team_name = serializers.CharField(source="team", allow_null=True)
    snippet = serializers.CharField(help_text="About 30 words around the first match, plain text.")
    highlights = serializers.ListField(
        child=serializers.ListField(child=serializers.IntegerField(), min_length=2, max_length=2),
        help_text="[start, end) character offsets (Unicode code points) of matches in snippet.",
    )

    def to_representation(self, instance: Hit):
        data = super().to_representation(instance)
        data["highlights"] = [list(pair) for pair in instance.highlights]
        return data


class SearchResultSerializer(serializers.Serializer):
    count = serializers.IntegerField(
        source="total",
        help_text="Matching messages in all when count_exact; otherwise at least this many "
        "(counting stops at BALIE_SEARCH_MAX_RESULTS, default 10,000) and the pages go "
        "through the most recently added ones: refine the search to see the rest.",
    )
    count_exact = serializers.BooleanField(source="exact")
    page = serializers.IntegerField()
    page_size = serializers.IntegerField()
    pages = serializers.IntegerField()
    results = HitSerializer(source="hits", many=True)


class SavedSearchSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    query = serializers.CharField()
    filters = serializers.DictField(help_text="The filters, as the search parameters name them.")
    created_at = serializers.DateTimeField()


class OrganisationQuerySerializer(serializers.Serializer):
    organisation = serializers.SlugField(
        required=False,
        help_text="Organisation slug; needed only for staff who work for several.",
    )


class SavedSearchCreateSerializer(ClosedSerializer):
    name = serializers.CharField(max_length=100)
    query = serializers.CharField(max_length=MAX_QUERY_CHARS, allow_blank=True, required=False)
    filters = serializers.DictField(
        required=False, help_text="Search parameters other than q (e.g. team, from, label)."
    )
    organisation = serializers.SlugField(required=False)
