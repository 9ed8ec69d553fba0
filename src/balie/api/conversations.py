"""Conversations: the list with filters, one conversation, assigning and status changes."""

from __future__ import annotations

from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.response import Response

from balie.api.base import ApiView, ApiViewMixin, errors, path_id, principal
from balie.api.filters import filter_conversations
from balie.api.serializers.conversations import (
    AssignSerializer,
    ConversationFilterSerializer,
    ConversationSerializer,
    DetailsSerializer,
    StatusSerializer,
)
from balie.conversations import actions, selectors
from balie.conversations.models import Conversation
from balie.records.record_classes import do_set_record_class
from balie.records.selectors import require_record_class_chooser

CONVERSATION_ID = path_id("conversation_id", "Id of the conversation.")


def with_details(qs):
    """What the serializer reads, in a fixed number of queries: unread counts, org, labels."""
    return (
        selectors.with_unread_counts(qs)
        .select_related("organisation", "record_class")
        .prefetch_related("labels")
    )


def conversation_response(conversation: Conversation) -> Response:
    """A conversation the actor was just given access to (by ``access_conversation``).

    Read again by id, not through the actor's visibility: after moving it to another team an
    agent may no longer see it, and the answer should still show the result.
    """
    annotated = with_details(Conversation.objects.filter(pk=conversation.pk)).get()
    return Response(ConversationSerializer(annotated).data)


class ConversationListView(ApiViewMixin, generics.ListAPIView):
    serializer_class = ConversationSerializer
    query_serializer = ConversationFilterSerializer

    def get_queryset(self):
        params = ConversationFilterSerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        visible = with_details(selectors.conversations_visible_to(principal(self.request)))
        return filter_conversations(visible, params.validated_data)

    @extend_schema(
        operation_id="conversations_list",
        summary="List conversations",
        description="Newest activity first. API keys need the scope conversations:read.",
        parameters=[ConversationFilterSerializer],
        responses={200: ConversationSerializer(many=True), **errors(400)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        filters = {key: self.request.query_params.get(key) for key in self.request.query_params}
        selectors.record_list_read(
            principal(self.request), page, kind="conversation", filters=filters
        )
        return page


class ConversationDetailView(ApiView):
    @extend_schema(
        operation_id="conversations_retrieve",
        summary="One conversation",
        parameters=[CONVERSATION_ID],
        responses={200: ConversationSerializer, **errors(404)},
    )
    def get(self, request, conversation_id):
        conversation = selectors.access_conversation(principal(request), conversation_id)
        return conversation_response(conversation)

    @extend_schema(
        operation_id="conversations_update",
        summary="Change subject, case reference (zaaknummer), labels or record class",
        description=(
            "API keys need the scope conversations:write; staff a writing role. The record "
            "class is chosen by a person (agent, team lead, records manager, administrator)."
        ),
        parameters=[CONVERSATION_ID],
        request=DetailsSerializer,
        responses={200: ConversationSerializer, **errors(400, 404)},
    )
    def patch(self, request, conversation_id):
        actor = principal(request)
        only_record_class = isinstance(request.data, dict) and set(request.data) == {"record_class"}
        # Records managers may choose the record class without a writing role.
        conversation = selectors.access_conversation(
            actor, conversation_id, write=not only_record_class, audit=False
        )
        serializer = DetailsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        details = dict(serializer.validated_data)
        record_class = details.pop("record_class", None)
        with transaction.atomic():
            if record_class is not None:
                require_record_class_chooser(actor, conversation.organisation_id)
                do_set_record_class(conversation, actor=actor, record_class_id=record_class)
            if details or record_class is None:
                actions.do_update_details(conversation, actor=actor, **details)
        return conversation_response(conversation)


class AssignView(ApiView):
    @extend_schema(
        operation_id="conversations_assign",
        summary="Assign to a staff member and/or move to a team",
        description="API keys need the scope conversations:write; staff a writing role.",
        parameters=[CONVERSATION_ID],
        request=AssignSerializer,
        responses={200: ConversationSerializer, **errors(400, 404)},
    )
    def post(self, request, conversation_id):
        conversation = selectors.access_conversation(
            principal(request), conversation_id, write=True
        )
        serializer = AssignSerializer(
            data=request.data, context={"organisation_id": conversation.organisation_id}
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        actions.do_assign(
            conversation,
            actor=principal(request),
            assignee=data["assignee"],
            team=data.get("team"),
            change_team="team" in data,
        )
        return conversation_response(conversation)


class StatusView(ApiView):
    @extend_schema(
        operation_id="conversations_status",
        summary="Change the status",
        description="open → pending → resolved → closed; closed is final.",
        parameters=[CONVERSATION_ID],
        request=StatusSerializer,
        responses={200: ConversationSerializer, **errors(400, 404, 409)},
    )
    def post(self, request, conversation_id):
        conversation = selectors.access_conversation(
            principal(request), conversation_id, write=True
        )
        serializer = StatusSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        actions.do_change_status(
            conversation, actor=principal(request), status=serializer.validated_data["status"]
        )
        return conversation_response(conversation)
