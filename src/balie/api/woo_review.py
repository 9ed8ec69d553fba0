"""Reviewing a Woo request over the API: run the detector, read a document with its
redactions, accept/reject/re-ground, black out a selection or a string everywhere, decide
a document. The requests themselves, the package and publishing are in ``api.woo``.

People only: Woo coordinators write, auditors read, and nobody else sees a request (an API
key gets 403, since a request holds the requester's data and every change is a person's
decision). Another organisation's request answers 404. Views are thin: a selector from
``woo.selectors`` finds and authorises, an action from ``woo.actions`` / ``woo.review``
writes and validates.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from balie.api.base import errors, path_id, principal
from balie.api.records import body
from balie.api.serializers.woo import (
    AddRedactionSerializer,
    CountSerializer,
    DecidedSerializer,
    DecisionSerializer,
    DocumentReviewSerializer,
    EverywhereSerializer,
    RedactionSerializer,
    ReviewRedactionSerializer,
)
from balie.api.woo import NUMBER, READ, REQUEST_ID, WRITE, WooView
from balie.conversations.actions.checks import id_from_outside
from balie.woo import review
from balie.woo.events import document_payload, redaction_payload
from balie.woo.selectors import (
    document_for_review,
    document_of,
    redaction_of,
)


class ProposeView(WooView):
    @extend_schema(
        operation_id="woo_redactions_propose",
        summary="Run the personal-data detector over every document",
        description=WRITE + " Existing redactions stay as reviewed; the count is of new ones.",
        parameters=[REQUEST_ID],
        request=None,
        responses={200: CountSerializer, **errors(404, 409)},
    )
    def post(self, request, request_id):
        woo_request = self.woo_request(request_id)
        count = review.do_propose_redactions(woo_request, actor=principal(request))
        return Response({"count": count})


class EverywhereView(WooView):
    @extend_schema(
        operation_id="woo_redactions_everywhere",
        summary="Black out a string wherever it occurs in the request",
        description=WRITE,
        parameters=[REQUEST_ID],
        request=EverywhereSerializer,
        responses={200: CountSerializer, **errors(400, 404, 409)},
    )
    def post(self, request, request_id):
        woo_request = self.woo_request(request_id)
        fields = body(request, ("text", "ground"))
        count = review.do_redact_everywhere(
            woo_request,
            actor=principal(request),
            text=fields.get("text"),
            ground=fields.get("ground"),
        )
        return Response({"count": count})


class DocumentView(WooView):
    @extend_schema(
        operation_id="woo_documents_read",
        summary="A document: its messages and every redaction",
        description=READ + " The read is in the audit log.",
        parameters=[REQUEST_ID, NUMBER],
        responses={200: DocumentReviewSerializer, **errors(404)},
    )
    def get(self, request, request_id, number):
        woo_request = self.woo_request(request_id)
        return Response(document_for_review(principal(request), woo_request, number))


class DecisionView(WooView):
    @extend_schema(
        operation_id="woo_documents_decide",
        summary="Decide a document: openbaar, deels openbaar, niet openbaar or reeds openbaar",
        description=WRITE + " Withholding (deels or niet openbaar) needs its grounds.",
        parameters=[REQUEST_ID, NUMBER],
        request=DecisionSerializer,
        responses={200: DecidedSerializer, **errors(400, 404, 409)},
    )
    def post(self, request, request_id, number):
        document = document_of(self.woo_request(request_id), number)
        fields = body(request, ("decision", "grounds", "explanation"))
        decided = review.do_decide_document(
            document, actor=principal(request), decision=fields.get("decision"),
            grounds=fields.get("grounds", []), explanation=fields.get("explanation", ""),
        )  # fmt: skip
        return Response(document_payload(decided))


class AddRedactionView(WooView):
    @extend_schema(
        operation_id="woo_redactions_create",
        summary="Black out a stretch of one message (positions in code points)",
        description=WRITE,
        parameters=[REQUEST_ID, NUMBER],
        request=AddRedactionSerializer,
        responses={201: RedactionSerializer, **errors(400, 404, 409)},
    )
    def post(self, request, request_id, number):
        document = document_of(self.woo_request(request_id), number)
        fields = body(request, ("message", "start", "end", "ground"))
        added = review.do_add_redaction(
            document, actor=principal(request), message_id=id_from_outside(fields.get("message")),
            start=fields.get("start"), end=fields.get("end"), ground=fields.get("ground"),
        )  # fmt: skip
        return Response(redaction_payload(added), status=status.HTTP_201_CREATED)


class RedactionView(WooView):
    @extend_schema(
        operation_id="woo_redactions_review",
        summary="Accept or reject a redaction, or change its ground",
        description=WRITE + " The last change wins; reviewers with the page open see it live.",
        parameters=[REQUEST_ID, path_id("redaction_id", "Id of the redaction.")],
        request=ReviewRedactionSerializer,
        responses={200: RedactionSerializer, **errors(400, 404, 409)},
    )
    def patch(self, request, request_id, redaction_id):
        woo_request = self.woo_request(request_id)
        found = redaction_of(woo_request, redaction_id)
        fields = body(request, ("state", "ground"))
        changed = review.do_review_redaction(
            found, actor=principal(request), state=fields.get("state"), ground=fields.get("ground")
        )
        return Response(redaction_payload(changed))
