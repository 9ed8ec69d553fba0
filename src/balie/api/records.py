"""Records management: record classes, the due list, holds and destruction lists.

Reads are for records managers, Woo officers, auditors and administrators, and for API keys
with the scope records:read; writes are by people with a records role (the actions check
which), never by a key. Views are thin: a selector from ``records.selectors`` finds
and authorises, an action writes and validates.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response

from balie.accounts.models import ApiScope
from balie.api.base import ApiView, ApiViewMixin, errors, path_id, principal
from balie.api.permissions import HasApiScope, IsStaffPrincipal, KeysReadOnly
from balie.api.serializers.records import (
    DestructionListDetailSerializer,
    DestructionListSerializer,
    DueSerializer,
    HoldSerializer,
    NoteSerializer,
    PlaceHoldSerializer,
    ProposeDestructionSerializer,
    ReasonSerializer,
    RecordClassSerializer,
    RecordClassWriteSerializer,
    RetentionReviewSerializer,
)
from balie.archive.models import HoldScope
from balie.conversations.actions import ActionError
from balie.conversations.selectors import record_list_read
from balie.records import selectors as records
from balie.records.destruction import (
    do_approve_destruction,
    do_propose_destruction,
    do_reject_destruction,
)
from balie.records.holds import do_place_hold, do_release_hold
from balie.records.record_classes import EDITABLE, do_save_record_class

READ_ONLY = "For records managers, Woo officers, auditors and administrators, and API keys "
READ_ONLY += "with the scope records:read."
PEOPLE_ONLY = "Only people with a records role; API keys are refused (403)."


class RecordsScope:
    """A key needs records:read for anything here, and never writes."""

    permission_classes = [IsStaffPrincipal, HasApiScope, KeysReadOnly]
    read_scope = ApiScope.RECORDS_READ
    write_scope = ApiScope.RECORDS_READ


def body(request, allowed: tuple[str, ...]) -> dict:
    """The JSON object sent, refusing fields that are not ``allowed``."""
    data = request.data
    if not isinstance(data, dict):
        raise ActionError("malformed_json", _("Send a JSON object."))
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise ActionError(
            "invalid_field", _("Unknown field: %(fields)s."), params={"fields": ", ".join(unknown)}
        )
    return dict(data)


# --- record classes ------------------------------------------------------------------------


class RecordClassListView(RecordsScope, ApiViewMixin, generics.ListAPIView):
    serializer_class = RecordClassSerializer

    def get_queryset(self):
        return records.record_classes_for(principal(self.request))

    @extend_schema(
        operation_id="record_classes_list",
        summary="Record classes (retention terms)",
        description=READ_ONLY,
        responses={200: RecordClassSerializer(many=True), **errors()},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="record_classes_create",
        summary="Create a record class",
        description=PEOPLE_ONLY + " Needs code, name and retention (an ISO 8601 duration).",
        request=RecordClassWriteSerializer,
        responses={201: RecordClassSerializer, **errors(400, 404)},
    )
    def post(self, request):
        actor = principal(request)
        fields = body(request, ("organisation", *EDITABLE))
        organisation_id = records.writing_organisation(actor, fields.pop("organisation", None))
        record_class = do_save_record_class(organisation_id, actor=actor, **fields)
        return Response(RecordClassSerializer(record_class).data, status=status.HTTP_201_CREATED)


class RecordClassDetailView(RecordsScope, ApiView):
    @extend_schema(
        operation_id="record_classes_update",
        summary="Change a record class",
        description=PEOPLE_ONLY + " A field left out stays as it is.",
        parameters=[path_id("record_class_id", "Id of the record class.")],
        request=RecordClassWriteSerializer(partial=True),
        responses={200: RecordClassSerializer, **errors(400, 404)},
    )
    def patch(self, request, record_class_id):
        actor = principal(request)
        record_class = records.access_record_class(actor, record_class_id)
        fields = body(request, EDITABLE)
        record_class = do_save_record_class(
            record_class.organisation_id, actor=actor, record_class=record_class, **fields
        )
        return Response(RecordClassSerializer(record_class).data)


# --- what is due ---------------------------------------------------------------------------


class DueListView(RecordsScope, ApiViewMixin, generics.ListAPIView):
    serializer_class = DueSerializer

    def get_queryset(self):
        return records.due_for(principal(self.request))

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        shown = [row.conversation for row in page or []]
        record_list_read(
            principal(self.request), shown, kind="conversation", filters={"list": "retention.due"}
        )
        return page

    @extend_schema(
        operation_id="retention_due",
        summary="Conversations due for destruction",
        description=(
            "Closed conversations whose record class (waardering vernietigen) has passed its "
            "term, oldest due first; `held` marks those a hold or open Woo request blocks. "
            + READ_ONLY
        ),
        responses={200: DueSerializer(many=True), **errors()},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class ReviewListView(RecordsScope, ApiViewMixin, generics.ListAPIView):
    serializer_class = RetentionReviewSerializer

    def get_queryset(self):
        return records.retention_reviews_for(principal(self.request))

    @extend_schema(
        operation_id="retention_reviews",
        summary="The daily retention reviews",
        description="Newest first: how many were due and held, per record class. " + READ_ONLY,
        responses={200: RetentionReviewSerializer(many=True), **errors()},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


# --- holds ---------------------------------------------------------------------------------


class HoldListView(RecordsScope, ApiViewMixin, generics.ListAPIView):
    serializer_class = HoldSerializer

    def get_queryset(self):
        return records.holds_for(principal(self.request))

    def paginate_queryset(self, queryset):
        return records.record_holds_read(
            principal(self.request), super().paginate_queryset(queryset) or []
        )

    @extend_schema(
        operation_id="holds_list",
        summary="Legal holds and open Woo requests",
        description="Active holds first, then released ones. " + READ_ONLY,
        responses={200: HoldSerializer(many=True), **errors()},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="holds_create",
        summary="Place a hold",
        description="Records managers, Woo officers and administrators. " + PEOPLE_ONLY,
        request=PlaceHoldSerializer,
        responses={201: HoldSerializer, **errors(400, 404)},
    )
    def post(self, request):
        actor = principal(request)
        fields = body(request, ("organisation", "kind", "scope", "target", "reference", "reason"))
        organisation_id = records.writing_organisation(actor, fields.pop("organisation", None))
        if fields.get("scope") not in HoldScope.values:
            raise ActionError(
                "invalid_field",
                _("%(name)s is one of: %(choices)s."),
                params={"name": "scope", "choices": ", ".join(HoldScope.values)},
            )
        hold = do_place_hold(
            organisation_id,
            actor=actor,
            kind=fields.get("kind"),
            scope=fields["scope"],
            target_id=fields.get("target"),
            reference=fields.get("reference"),
            reason=fields.get("reason"),
        )
        return Response(HoldSerializer(hold).data, status=status.HTTP_201_CREATED)


class HoldReleaseView(RecordsScope, ApiView):
    @extend_schema(
        operation_id="holds_release",
        summary="Release a hold",
        description="With the reason (required). " + PEOPLE_ONLY,
        parameters=[path_id("hold_id", "Id of the hold.")],
        request=ReasonSerializer,
        responses={200: HoldSerializer, **errors(400, 404)},
    )
    def post(self, request, hold_id):
        actor = principal(request)
        hold = records.access_hold(actor, hold_id, audit=False)  # a write: in the archive
        fields = body(request, ("reason",))
        hold = do_release_hold(hold, actor=actor, reason=fields.get("reason"))
        return Response(HoldSerializer(hold).data)


# --- destruction lists ---------------------------------------------------------------------

LIST_ID = path_id("list_id", "Id of the destruction list.")


def _detail(actor, list_id, *, audit: bool = True) -> Response:
    found = records.access_destruction_list(actor, list_id, audit=audit)
    return Response(DestructionListDetailSerializer(found).data)


class DestructionListView(RecordsScope, ApiViewMixin, generics.ListAPIView):
    serializer_class = DestructionListSerializer

    def get_queryset(self):
        return records.destruction_lists_for(principal(self.request))

    def paginate_queryset(self, queryset):
        return records.record_destruction_lists_read(
            principal(self.request), super().paginate_queryset(queryset) or []
        )

    @extend_schema(
        operation_id="destruction_lists_list",
        summary="Destruction lists",
        description="Newest first. " + READ_ONLY,
        responses={200: DestructionListSerializer(many=True), **errors()},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="destruction_lists_create",
        summary="Propose a destruction list",
        description=(
            "Only due conversations that no hold blocks and no other open list holds. A "
            "second records manager approves it. " + PEOPLE_ONLY
        ),
        request=ProposeDestructionSerializer,
        responses={201: DestructionListDetailSerializer, **errors(400, 404)},
    )
    def post(self, request):
        actor = principal(request)
        fields = body(request, ("organisation", "title", "note", "conversations"))
        organisation_id = records.writing_organisation(actor, fields.pop("organisation", None))
        conversations = fields.get("conversations")
        if not isinstance(conversations, list):
            raise ActionError("invalid_field", _("conversations is a list of conversation ids."))
        proposed = do_propose_destruction(
            organisation_id,
            actor=actor,
            conversation_ids=conversations,
            title=fields.get("title"),
            note=fields.get("note", ""),
        )
        response = _detail(actor, proposed.pk, audit=False)  # the proposal is in the archive
        response.status_code = status.HTTP_201_CREATED
        return response


class DestructionListDetailView(RecordsScope, ApiView):
    @extend_schema(
        operation_id="destruction_lists_retrieve",
        summary="One destruction list, its items and (once executed) its destruction record",
        description=READ_ONLY,
        parameters=[LIST_ID],
        responses={200: DestructionListDetailSerializer, **errors(404)},
    )
    def get(self, request, list_id):
        return _detail(principal(request), list_id)


class DestructionReviewView(RecordsScope, ApiView):
    """Approve (then executed in the background) or reject: by a second records manager."""

    approve = True

    def post(self, request, list_id):
        actor = principal(request)
        destruction_list = records.access_destruction_list(actor, list_id, audit=False)
        fields = body(request, ("note",))
        review = do_approve_destruction if self.approve else do_reject_destruction
        review(destruction_list, actor=actor, note=fields.get("note", ""))
        return _detail(actor, list_id, audit=False)  # the review is in the archive


_REVIEW = dict(
    parameters=[LIST_ID],
    request=NoteSerializer,
    responses={200: DestructionListDetailSerializer, **errors(400, 404)},
)


class DestructionApproveView(DestructionReviewView):
    approve = True

    @extend_schema(
        operation_id="destruction_lists_approve",
        summary="Approve a destruction list (four eyes)",
        description=(
            "By a records manager other than the proposer (else 400 four_eyes). The list is "
            "then executed in the background. " + PEOPLE_ONLY
        ),
        **_REVIEW,
    )
    def post(self, request, list_id):
        return super().post(request, list_id)


class DestructionRejectView(DestructionReviewView):
    approve = False

    @extend_schema(
        operation_id="destruction_lists_reject",
        summary="Reject a destruction list",
        description="By a records manager other than the proposer, with a note saying why. "
        + PEOPLE_ONLY,
        **_REVIEW,
    )
    def post(self, request, list_id):
        return super().post(request, list_id)
