"""The audit log of reads: for auditors and keys with the scope audit:read (JSON and CSV)."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.exceptions import ValidationError

from balie.accounts.models import ApiScope
from balie.api.base import ApiView, ApiViewMixin, errors, principal
from balie.api.serializers.audit import (
    AuditEntrySerializer,
    AuditFilterSerializer,
    VerificationRunSerializer,
)
from balie.archive.selectors import (
    audit_entries_for,
    csv_rows,
    filter_entries,
    verification_runs_for,
)

MAX_EXPORT_ROWS = 200_000


class AuditScope:
    read_scope = ApiScope.AUDIT_READ


def _entries(request):
    params = AuditFilterSerializer(data=request.query_params)
    params.is_valid(raise_exception=True)
    data = dict(params.validated_data)
    qs = audit_entries_for(principal(request))
    if "organisation" in data:
        qs = qs.filter(organisation__slug=data.pop("organisation"))
    if "actor" in data:
        data["actor_id"] = data.pop("actor")
    return filter_entries(qs, **data)


class AuditListView(AuditScope, ApiViewMixin, generics.ListAPIView):
    serializer_class = AuditEntrySerializer
    query_serializer = AuditFilterSerializer

    def get_queryset(self):
        return _entries(self.request)

    @extend_schema(
        operation_id="audit_list",
        summary="The audit log of reads",
        description=(
            "Who read which record, when, from where and why; newest first. For auditors and "
            "administrators of the organisation, and API keys with the scope audit:read."
        ),
        parameters=[AuditFilterSerializer],
        responses={200: AuditEntrySerializer(many=True), **errors(400)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class AuditExportView(AuditScope, ApiView):
    query_serializer = AuditFilterSerializer

    @extend_schema(
        operation_id="audit_export",
        summary="The audit log as CSV",
        description="The same entries and filters as the list, all of them, as CSV.",
        parameters=[AuditFilterSerializer],
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="CSV, UTF-8."),
            **errors(400),
        },
    )
    def get(self, request):
        entries = _entries(request)
        if entries.count() > MAX_EXPORT_ROWS:
            raise ValidationError(
                gettext("More than %(limit)s lines: choose a shorter period or more filters.")
                % {"limit": f"{MAX_EXPORT_ROWS:,}"},
                code="too_many_rows",
            )
        # Built whole (bounded above): a streamed sync iterator stalls Django under ASGI.
        response = HttpResponse("".join(csv_rows(entries)), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="auditlog.csv"'
        return response


class IntegrityListView(AuditScope, ApiViewMixin, generics.ListAPIView):
    serializer_class = VerificationRunSerializer

    def get_queryset(self):
        return verification_runs_for(principal(self.request))

    @extend_schema(
        operation_id="integrity_list",
        summary="Results of the archive integrity checks",
        description=(
            "Newest first: the daily check (and `balie verify --record`) of the archive's and "
            "the audit log's hash chains. For records managers, auditors and administrators, "
            "and API keys with the scope audit:read."
        ),
        responses={200: VerificationRunSerializer(many=True), **errors()},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
