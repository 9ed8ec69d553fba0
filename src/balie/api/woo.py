"""Woo requests: register and handle them, collect documents, review the detector's
proposals, decide, and fetch the publication package.

People only: Woo coordinators write, auditors read, and nobody else sees a request (an API
key gets 403, since a request holds the requester's data and every change is a person's
decision). Another organisation's request answers 404. Views are thin: a selector from
``woo.selectors`` finds and authorises, an action from ``woo.actions`` / ``woo.review``
writes and validates.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from balie.accounts.actors import Actor
from balie.api.base import ApiView, errors, path_id, principal
from balie.api.records import body
from balie.api.serializers.search import OrganisationQuerySerializer
from balie.api.serializers.woo import (
    CollectedSerializer,
    CollectSerializer,
    EndSuspensionSerializer,
    ExtendSerializer,
    PublisherSerializer,
    PublisherWriteSerializer,
    RegisterSerializer,
    SuspendSerializer,
    WooRequestDetailSerializer,
    WooRequestSerializer,
    WooStatusSerializer,
)
from balie.archive.audit import record_read
from balie.conversations.actions import ActionError
from balie.errors import NotFound
from balie.records.selectors import writing_organisation
from balie.search.selectors import access_saved_search
from balie.web.downloads import package_file_response
from balie.woo import actions, review
from balie.woo.models import WooRequest
from balie.woo.package import build_package, parts
from balie.woo.publication import do_configure_publisher, do_publish
from balie.woo.publishing import publisher_settings
from balie.woo.selectors import (
    access_request,
    list_requests,
    readable_organisations,
    view_of,
)

READ = "For Woo coordinators and auditors; the requester only for Woo coordinators."
WRITE = "Woo coordinators only; an auditor gets 403."


class PeopleOnly(BasePermission):
    message = _("Woo requests are handled by people: an API key cannot be used here.")

    def has_permission(self, request, view):
        return Actor.of(principal(request)).is_person


class WooView(ApiView):
    permission_classes = [PeopleOnly]

    def woo_request(self, request_id) -> WooRequest:
        return access_request(principal(self.request), request_id)


REQUEST_ID = path_id("request_id", "Id of the Woo request.")
NUMBER = OpenApiParameter(
    "number", int, OpenApiParameter.PATH, description="The document's number in the request."
)


class WooRequestListView(WooView):
    @extend_schema(
        operation_id="woo_requests_list",
        summary="Woo requests, the first due first",
        description=READ,
        responses={200: WooRequestSerializer(many=True), **errors()},
    )
    def get(self, request):
        actor = principal(request)
        views = [v for org in readable_organisations(actor) for v in list_requests(actor, org)]
        views.sort(key=lambda v: (v.deadline.due is None, v.deadline.due))
        return Response(WooRequestSerializer(views, many=True).data)

    @extend_schema(
        operation_id="woo_requests_create",
        summary="Register a Woo request",
        description=WRITE + " The decision term (4 weeks, Awb) starts at received_on.",
        request=RegisterSerializer,
        responses={201: WooRequestDetailSerializer, **errors(400, 404, 409)},
    )
    def post(self, request):
        actor = principal(request)
        fields = body(request, tuple(RegisterSerializer().fields))
        organisation_id = writing_organisation(actor, fields.pop("organisation", None))
        created = actions.do_register_request(organisation_id, actor=actor, **fields)
        return Response(_detail_data(actor, created), status=status.HTTP_201_CREATED)


def _detail_data(actor, woo_request: WooRequest) -> dict:
    return WooRequestDetailSerializer(view_of(actor, woo_request)).data


class WooRequestDetailView(WooView):
    @extend_schema(
        operation_id="woo_requests_read",
        summary="One Woo request with its documents and progress",
        description=READ,
        parameters=[REQUEST_ID],
        responses={200: WooRequestDetailSerializer, **errors(404)},
    )
    def get(self, request, request_id):
        return Response(_detail_data(principal(request), self.woo_request(request_id)))


def _change(summary: str, operation_id: str, serializer, description: str = WRITE):
    return extend_schema(
        operation_id=operation_id,
        summary=summary,
        description=description,
        parameters=[REQUEST_ID],
        request=serializer,
        responses={200: WooRequestDetailSerializer, **errors(400, 404, 409)},
    )


class StatusView(WooView):
    @_change(
        "Move the request on (received → collecting → assessing → decided → published)",
        "woo_requests_status",
        WooStatusSerializer,
        WRITE + " Or withdrawn from any open status; closing releases its holds.",
    )
    def post(self, request, request_id):
        actor, woo_request = principal(request), self.woo_request(request_id)
        fields = body(request, ("status",))
        actions.do_set_status(woo_request, actor=actor, status=fields.get("status"))
        return Response(_detail_data(actor, woo_request))


class ExtendView(WooView):
    @_change(
        "Extend the decision term once (at most 14 days)", "woo_requests_extend", ExtendSerializer
    )
    def post(self, request, request_id):
        actor, woo_request = principal(request), self.woo_request(request_id)
        fields = body(request, ("days", "reason"))
        actions.do_extend(
            woo_request, actor=actor, days=fields.get("days"), reason=fields.get("reason")
        )
        return Response(_detail_data(actor, woo_request))


class SuspendView(WooView):
    @_change("Suspend the term (opschorting)", "woo_requests_suspend", SuspendSerializer)
    def post(self, request, request_id):
        actor, woo_request = principal(request), self.woo_request(request_id)
        fields = body(request, ("started_on", "reason"))
        actions.do_suspend(
            woo_request,
            actor=actor,
            started_on=fields.get("started_on"),
            reason=fields.get("reason"),
        )
        return Response(_detail_data(actor, woo_request))


class EndSuspensionView(WooView):
    @_change("End the suspension", "woo_requests_resume", EndSuspensionSerializer)
    def post(self, request, request_id):
        actor, woo_request = principal(request), self.woo_request(request_id)
        fields = body(request, ("ended_on",))
        actions.do_end_suspension(woo_request, actor=actor, ended_on=fields.get("ended_on"))
        return Response(_detail_data(actor, woo_request))


class CollectView(WooView):
    @extend_schema(
        operation_id="woo_documents_collect",
        summary="Add documents: what a saved search finds, or given conversations",
        description=WRITE
        + " A saved search is kept with the request (and holds what it covers), so the"
        " selection can be reproduced; a conversation already in the request keeps its number.",
        parameters=[REQUEST_ID],
        request=CollectSerializer,
        responses={201: CollectedSerializer, **errors(400, 404, 409)},
    )
    def post(self, request, request_id):
        actor, woo_request = principal(request), self.woo_request(request_id)
        fields = body(request, ("saved_search", "conversations", "found_by"))
        if ("saved_search" in fields) == ("conversations" in fields):
            raise ActionError(
                "invalid_field", _("Give either saved_search or conversations, not both.")
            )
        if "saved_search" in fields:
            saved = access_saved_search(actor, fields["saved_search"])
            if saved.organisation_id != woo_request.organisation_id:
                raise NotFound("not_found", _("This saved search does not exist."))
            ids = review.conversations_found_by(saved)
            actions.do_add_saved_search(woo_request, actor=actor, saved_search_id=saved.pk)
            how: object = f"{saved.name}: {saved.query}"
        else:
            ids, how = fields["conversations"], fields.get("found_by", "API")
            if not isinstance(ids, list):
                raise ActionError("invalid_field", _("Conversations are given by their ids."))
        added = review.do_collect(woo_request, actor=actor, conversation_ids=ids, found_by=how)
        return Response({"added": [d.number for d in added]}, status=status.HTTP_201_CREATED)


def _package_read(actor, woo_request: WooRequest, name: str) -> None:
    record_read(
        actor, organisation_id=woo_request.organisation_id, action="woo.package",
        object_type="woo_request", object_id=woo_request.pk,
        detail={"reference": woo_request.reference, "file": name},
    )  # fmt: skip


class PackageView(WooView):
    @extend_schema(
        operation_id="woo_package",
        summary="The publication package as a zip (for the decisions taken so far)",
        description=READ + " Per published document a PDF/A, the inventarislijst (CSV, XLSX, "
        "PDF) and a draft decision letter; no redacted character is in any of them.",
        parameters=[REQUEST_ID],
        responses={
            (200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY, description="Zip."),
            **errors(404),
        },
    )
    def get(self, request, request_id):
        woo_request = self.woo_request(request_id)
        built = build_package(woo_request)
        name = f"{built.stem}.zip"
        _package_read(principal(request), woo_request, name)
        return package_file_response(name, built.zip())


class PackagePartView(WooView):
    @extend_schema(
        operation_id="woo_package_part",
        summary="One file of the publication package",
        description=READ + " The names are those in the zip, e.g. WOO-2026-014-001.pdf.",
        parameters=[
            REQUEST_ID,
            OpenApiParameter("name", str, OpenApiParameter.PATH, description="The file's name."),
        ],
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The file (PDF, CSV, XLSX, XML or JSON)."
            ),
            **errors(404),
        },
    )
    def get(self, request, request_id, name):
        woo_request = self.woo_request(request_id)
        make = parts(woo_request).get(name)
        if make is None:
            raise NotFound("not_found", _("The package has no file with this name."))
        _package_read(principal(request), woo_request, name)
        return package_file_response(name, make())


class PublishView(WooView):
    @extend_schema(
        operation_id="woo_publish",
        summary="Publish the decided request in the GPP-Woo publicatiebank",
        description=WRITE
        + " Queues the publication (202); a task sends each public document's PDF/A and makes"
        " the publication public, retrying when the publicatiebank is unreachable. The"
        " request's `publication` shows where it stands. Asking again after a failure"
        " continues the same publication.",
        parameters=[REQUEST_ID],
        request=None,
        responses={202: WooRequestDetailSerializer, **errors(404, 409)},
    )
    def post(self, request, request_id):
        actor, woo_request = principal(request), self.woo_request(request_id)
        do_publish(woo_request, actor=actor)
        return Response(_detail_data(actor, woo_request), status=status.HTTP_202_ACCEPTED)


class PublisherView(WooView):
    query_serializer = OrganisationQuerySerializer

    @extend_schema(
        operation_id="woo_publicatiebank_read",
        summary="The organisation's publicatiebank (never the token)",
        description="For Woo coordinators and auditors. 404 when none is set up.",
        parameters=[OrganisationQuerySerializer],
        responses={200: PublisherSerializer, **errors(404)},
    )
    def get(self, request):
        actor = principal(request)
        organisation_id = writing_organisation(actor, request.query_params.get("organisation"))
        found = publisher_settings(actor, organisation_id)
        if found is None:
            raise NotFound("not_found", _("No publicatiebank is set up for this organisation."))
        return Response(PublisherSerializer(found).data)

    @extend_schema(
        operation_id="woo_publicatiebank_set",
        summary="Set up or change the organisation's publicatiebank",
        description="Woo coordinators (and administrators). The token is stored encrypted and "
        "never shown back; left out, the stored one stays.",
        request=PublisherWriteSerializer,
        responses={200: PublisherSerializer, **errors(400, 404)},
    )
    def put(self, request):
        actor = principal(request)
        fields = body(request, tuple(PublisherWriteSerializer().fields))
        organisation_id = writing_organisation(actor, fields.pop("organisation", None))
        do_configure_publisher(
            organisation_id, actor=actor, url=fields.get("url"),
            publisher=fields.get("publisher"), category=fields.get("category"),
            token=fields.get("token"), enabled=fields.get("enabled", True),
        )  # fmt: skip
        return Response(PublisherSerializer(publisher_settings(actor, organisation_id)).data)
