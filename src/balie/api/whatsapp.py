"""WhatsApp in the API: a conversation's 24-hour window and the templates that can be sent in
it, sending a template, and the organisation's templates (administrators only).

Outside the window WhatsApp delivers only an approved template: a client asks
``GET …/whatsapp/`` before offering a free text, and sends a template with ``POST
…/whatsapp/templates/``. A free text sent anyway fails with ``outside_window`` (its
``delivery_error``). Another organisation's conversation, template or channel is 404.
"""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from balie.accounts.actors import Actor
from balie.api.base import ApiView, errors, path_id, principal
from balie.api.fields import ClosedSerializer, IdField, StrictBooleanField, StrictCharField
from balie.api.serializers.messages import MessageSerializer
from balie.connectors.whatsapp.templates import (
    MAX_BODY,
    MAX_PARAMETER,
    access_template,
    administered_account,
    do_add_template,
    do_send_template,
    do_update_template,
    template_view,
    templates_administered,
    templates_for,
    window_of,
)
from balie.conversations import selectors

ADMINS = "For the organisation's application administrators; API keys get 403."
CONVERSATION_ID = path_id("conversation_id", "Id of the conversation.")
TEMPLATE_ID = path_id("template_id", "Id of the template.")


class WhatsAppTemplateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    account = serializers.IntegerField(help_text="The WhatsApp channel account.")
    name = serializers.CharField(help_text="The template's name at Meta.")
    language = serializers.CharField(help_text="Its language code at Meta (nl, en_US).")
    body = serializers.CharField(help_text="Its text; {{1}}, {{2}} … are filled in.")
    parameters = serializers.IntegerField(help_text="How many values it needs.")
    approved = serializers.BooleanField(help_text="Approved by Meta: only these are sent.")


class WhatsAppWindowSerializer(serializers.Serializer):
    open = serializers.BooleanField(
        help_text="Whether a free message reaches the resident now (24 hours after their last)."
    )
    closes_at = serializers.DateTimeField(
        allow_null=True, help_text="When the window closes (or closed); null: never opened."
    )
    templates = WhatsAppTemplateSerializer(many=True, help_text="The approved templates to send.")


class WhatsAppTemplateSendSerializer(ClosedSerializer):
    template = IdField()
    parameters = serializers.ListField(
        child=StrictCharField(max_length=MAX_PARAMETER, allow_blank=False),
        max_length=20,
        required=False,
        help_text="The values for {{1}}, {{2}} …, in order; no new lines or tabs.",
    )
    client_id = StrictCharField(min_length=8, max_length=64, help_text="Idempotency key.")


class WhatsAppTemplateCreateSerializer(ClosedSerializer):
    channel = IdField(help_text="The WhatsApp channel account.")
    name = StrictCharField(max_length=512)
    language = StrictCharField(max_length=15)
    body = StrictCharField(max_length=MAX_BODY)
    approved = StrictBooleanField(required=False)


class WhatsAppTemplateChangeSerializer(ClosedSerializer):
    body = StrictCharField(max_length=MAX_BODY, required=False)
    approved = StrictBooleanField(required=False)


class PeopleOnly(BasePermission):
    message = _("WhatsApp templates are managed by people: an API key cannot be used here.")

    def has_permission(self, request, view):
        return Actor.of(principal(request)).is_person


def _valid(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class WindowView(ApiView):
    @extend_schema(
        operation_id="whatsapp_window",
        summary="A WhatsApp conversation's 24-hour window and its templates",
        parameters=[CONVERSATION_ID],
        responses={200: WhatsAppWindowSerializer, **errors(404)},
    )
    def get(self, request, conversation_id):
        conversation = selectors.access_conversation(
            principal(request), conversation_id, audit=False
        )
        window = window_of(conversation)
        templates = [template_view(t) for t in templates_for(conversation)]
        return Response(WhatsAppWindowSerializer({**window, "templates": templates}).data)


class SendTemplateView(ApiView):
    @extend_schema(
        operation_id="whatsapp_send_template",
        summary="Send an approved template to the resident",
        description=(
            "Stored as an outbound message with the values filled in and sent as WhatsApp's "
            "template message, also outside the 24-hour window. Idempotent by client_id (201 "
            "the first time, 200 with the stored message after)."
        ),
        parameters=[CONVERSATION_ID],
        request=WhatsAppTemplateSendSerializer,
        responses={
            201: OpenApiResponse(MessageSerializer, description="Stored and being sent."),
            200: OpenApiResponse(MessageSerializer, description="Sent before with this client_id."),
            **errors(400, 404, 409),
        },
    )
    def post(self, request, conversation_id):
        actor = principal(request)
        conversation = selectors.access_conversation(actor, conversation_id, write=True)
        fields = _valid(WhatsAppTemplateSendSerializer, request.data)
        result = do_send_template(
            conversation, actor=actor, template_id=fields["template"],
            parameters=fields.get("parameters", []), client_id=fields["client_id"],
        )  # fmt: skip
        code = status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        return Response(MessageSerializer(result.message).data, status=code)


class TemplateListView(ApiView):
    permission_classes = [PeopleOnly]

    @extend_schema(
        operation_id="whatsapp_templates_list",
        summary="The WhatsApp templates of the organisations you administer",
        description=ADMINS,
        responses={200: WhatsAppTemplateSerializer(many=True), **errors()},
    )
    def get(self, request):
        found = templates_administered(principal(request))
        return Response(
            WhatsAppTemplateSerializer([template_view(t) for t in found], many=True).data
        )

    @extend_schema(
        operation_id="whatsapp_templates_create",
        summary="Add a template as registered at Meta",
        description=ADMINS + " Mark it approved once Meta approved it.",
        request=WhatsAppTemplateCreateSerializer,
        responses={201: WhatsAppTemplateSerializer, **errors(400, 404, 409)},
    )
    def post(self, request):
        actor = principal(request)
        fields = _valid(WhatsAppTemplateCreateSerializer, request.data)
        account = administered_account(actor, fields.pop("channel"))
        template = do_add_template(account, actor=actor, **fields)
        return Response(WhatsAppTemplateSerializer(template_view(template)).data, status=201)


class TemplateDetailView(ApiView):
    permission_classes = [PeopleOnly]

    @extend_schema(
        operation_id="whatsapp_templates_update",
        summary="Change a template's text or whether it is approved",
        description=ADMINS,
        parameters=[TEMPLATE_ID],
        request=WhatsAppTemplateChangeSerializer,
        responses={200: WhatsAppTemplateSerializer, **errors(400, 404)},
    )
    def patch(self, request, template_id):
        actor = principal(request)
        template = access_template(actor, template_id)
        fields = _valid(WhatsAppTemplateChangeSerializer, request.data)
        changed = do_update_template(template, actor=actor, **fields)
        return Response(WhatsAppTemplateSerializer(template_view(changed)).data)


urlpatterns = [
    path(
        "conversations/<str:conversation_id>/whatsapp/",
        WindowView.as_view(),
        name="whatsapp-window",
    ),
    path(
        "conversations/<str:conversation_id>/whatsapp/templates/",
        SendTemplateView.as_view(),
        name="whatsapp-send-template",
    ),
    path("whatsapp/templates/", TemplateListView.as_view(), name="whatsapp-templates"),
    path(
        "whatsapp/templates/<str:template_id>/",
        TemplateDetailView.as_view(),
        name="whatsapp-template",
    ),
]
