"""A conversation's messages: history after a sequence number, and sending (idempotent)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response

from balie.api.base import ApiView, errors, path_id, principal
from balie.api.serializers.messages import (
    MessageHistorySerializer,
    MessageQuerySerializer,
    MessageSerializer,
    SendMessageSerializer,
)
from balie.conversations import actions, selectors
from balie.conversations.models import Direction


class MessagesView(ApiView):
    query_serializer = MessageQuerySerializer

    @extend_schema(
        operation_id="messages_list",
        summary="Messages in seq order",
        description=(
            "Everything staff see, internal notes and system lines included. Page through "
            "with after_seq = the last seq you received while has_more is true."
        ),
        parameters=[path_id("conversation_id", "Id of the conversation."), MessageQuerySerializer],
        responses={200: MessageHistorySerializer, **errors(400, 404)},
    )
    def get(self, request, conversation_id):
        conversation = selectors.access_conversation(principal(request), conversation_id)
        query = MessageQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        limit = query.validated_data["limit"]
        found = list(
            selectors.messages_after(
                conversation,
                query.validated_data["after_seq"],
                for_resident=False,
                limit=limit + 1,
            )
        )
        history = {"results": found[:limit], "has_more": len(found) > limit}
        return Response(MessageHistorySerializer(history).data)

    @extend_schema(
        operation_id="messages_send",
        summary="Send a message or an internal note",
        description=(
            "Idempotent by client_id: the first send answers 201, a resend with the same "
            "client_id answers 200 with the message stored the first time. A client_id is "
            "the sender's own: one another sender (the resident, another key or person, or a "
            "note where a message is sent) used in this conversation answers 409 "
            "client_id_conflict."
        ),
        parameters=[path_id("conversation_id", "Id of the conversation.")],
        request=SendMessageSerializer,
        responses={
            201: OpenApiResponse(MessageSerializer, description="Stored and sent."),
            200: OpenApiResponse(MessageSerializer, description="Sent before with this client_id."),
            **errors(400, 404, 409),
        },
    )
    def post(self, request, conversation_id):
        conversation = selectors.access_conversation(
            principal(request), conversation_id, write=True
        )
        serializer = SendMessageSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        direction = Direction.NOTE if data["internal"] else Direction.OUTBOUND
        body, client_id, attachment_ids = actions.check_send_message(
            conversation,
            direction=direction,
            body=data["body"],
            client_id=data["client_id"],
            attachment_ids=data["attachments"],
        )
        result = actions.do_send_message(
            conversation,
            direction=direction,
            body=body,
            client_id=client_id,
            author=principal(request),
            attachment_ids=attachment_ids,
            confirmed=data["confirm"],
        )
        code = status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        return Response(MessageSerializer(result.message).data, status=code)


class RetryDeliveryView(ApiView):
    @extend_schema(
        operation_id="messages_retry_delivery",
        summary="Send a message whose delivery failed again",
        description=(
            "For an outbound message of an external channel (WhatsApp, SMS, e-mail) whose "
            "delivery_status is failed: it becomes pending and is sent again by the delivery "
            "task. Another status is a 409 (not_failed)."
        ),
        parameters=[
            path_id("conversation_id", "Id of the conversation."),
            path_id("message_id", "Id of the message."),
        ],
        request=None,
        responses={202: MessageSerializer, **errors(404, 409)},
    )
    def post(self, request, conversation_id, message_id):
        conversation = selectors.access_conversation(
            principal(request), conversation_id, write=True
        )
        message = selectors.message_in(conversation, message_id)
        actions.do_retry_delivery(message, actor=principal(request))
        return Response(MessageSerializer(message).data, status=status.HTTP_202_ACCEPTED)
