"""Full-text search over messages, and saved searches (staff only)."""

from __future__ import annotations

from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from balie.api.base import ApiView, errors, path_id, principal, staff_user
from balie.api.serializers.search import (
    OrganisationQuerySerializer,
    SavedSearchCreateSerializer,
    SavedSearchSerializer,
    SearchParamsSerializer,
    SearchResultSerializer,
)
from balie.search import actions
from balie.search.params import parse_search
from balie.search.selectors import (
    access_saved_search,
    organisation_of,
    saved_searches_of,
    search_messages,
)


class SearchView(ApiView):
    query_serializer = SearchParamsSerializer
    query_values_checked_here = False  # parse_search checks them, with its precise codes

    @extend_schema(
        operation_id="search_messages",
        summary="Search messages",
        description=(
            "Messages (internal notes included) of the conversations the caller may read, "
            "with a highlighted snippet each. API keys need the scope conversations:read. "
            "Every search is written to the audit log. Without q and filters: the newest "
            "messages first; a period whose from is after its to finds nothing."
        ),
        parameters=[SearchParamsSerializer],
        responses={200: SearchResultSerializer, **errors(400, 404)},
    )
    def get(self, request):
        actor = principal(request)
        organisation = organisation_of(actor, request.query_params.get("organisation"))
        page = search_messages(
            actor, organisation, parse_search(organisation.pk, request.GET, explain_empty=False)
        )
        return Response(SearchResultSerializer(page).data)


def _staff(request):
    user = staff_user(request)
    if user is None:
        raise PermissionDenied(gettext("Saved searches belong to a staff member."))
    return user


class SavedSearchListView(ApiView):
    query_serializer = OrganisationQuerySerializer

    @extend_schema(
        operation_id="saved_searches_list",
        summary="Your saved searches",
        description="For staff; an API key gets 403.",
        parameters=[OrganisationQuerySerializer],
        responses={200: SavedSearchSerializer(many=True), **errors(404)},
    )
    def get(self, request):
        user = _staff(request)
        organisation = organisation_of(user, request.query_params.get("organisation"))
        saved = saved_searches_of(user, organisation)
        return Response(SavedSearchSerializer(saved, many=True).data)

    @extend_schema(
        operation_id="saved_searches_create",
        summary="Save a search",
        description="The query and filters are checked as for a search.",
        request=SavedSearchCreateSerializer,
        responses={201: SavedSearchSerializer, **errors(400, 404)},
    )
    def post(self, request):
        user = _staff(request)
        serializer = SavedSearchCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        organisation = organisation_of(user, data.get("organisation"))
        saved = actions.do_save_search(
            user,
            organisation,
            name=data["name"],
            query=data.get("query", ""),
            filters=data.get("filters", {}),
        )
        return Response(SavedSearchSerializer(saved).data, status=201)


class SavedSearchDetailView(ApiView):
    @extend_schema(
        operation_id="saved_searches_delete",
        summary="Delete one of your saved searches",
        parameters=[path_id("saved_search_id", "Id of the saved search.")],
        responses={204: None, **errors(404)},
    )
    def delete(self, request, saved_search_id):
        actions.do_delete_saved_search(access_saved_search(_staff(request), saved_search_id))
        return Response(status=204)
