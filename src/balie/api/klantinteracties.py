"""The Klantinteracties API (Open Klant) integration over the REST API: the organisation's
connection (read by administrators and auditors, set by administrators; the token is never
shown back), a conversation's registration as klantcontact, and retrying a registration.

Views are thin: ``klantinteracties.selectors`` finds and authorises, ``connection`` and
``outbox`` write. Another organisation's connection or conversation answers 404.
"""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from balie.accounts.actors import Actor
from balie.api.base import ApiView, errors, path_id, principal
from balie.api.fields import ClosedSerializer, StrictBooleanField, StrictCharField
from balie.api.serializers.search import OrganisationQuerySerializer
from balie.conversations.models import Channel
from balie.errors import NotFound
from balie.integrations.klantinteracties.connection import do_configure_connection
from balie.integrations.klantinteracties.content import KANAAL_LIMIT
from balie.integrations.klantinteracties.models import RegistrationState
from balie.integrations.klantinteracties.outbox import do_retry
from balie.integrations.klantinteracties.selectors import (
    connection_settings,
    reading_organisation,
    registration_status,
)

__all__ = ["urlpatterns"]

CONVERSATION_ID = path_id("conversation_id", "Id of the conversation.")


class KlantinteractiesConnectionSerializer(serializers.Serializer):
    """The organisation's Klantinteracties API; of the token only whether one is set."""

    url = serializers.URLField(help_text="The API's root, e.g. https://…/klantinteracties/api/v1.")
    enabled = serializers.BooleanField()
    kanalen = serializers.DictField(
        child=serializers.CharField(), help_text="Kanaal names that differ from the default."
    )
    confidential = serializers.BooleanField(help_text="Klantcontacten are vertrouwelijk.")
    send_contact_details = serializers.BooleanField(
        help_text="An identified resident is sent as betrokkene with name and addresses."
    )
    token_set = serializers.BooleanField()
    updated_at = serializers.DateTimeField()


class KlantinteractiesConnectionWriteSerializer(ClosedSerializer):
    """The organisation's Klantinteracties API as it should be from now on: a field left out
    takes its default (the token: the one stored). No other fields are accepted."""

    organisation = serializers.SlugField(
        required=False, help_text="Needed when you work for more than one organisation."
    )
    url = StrictCharField(max_length=500, help_text="The API's root (https).")
    token = StrictCharField(
        required=False,
        write_only=True,
        max_length=1000,
        help_text="Left out: the stored one stays.",
    )
    enabled = StrictBooleanField(required=False, help_text="Default true.")
    kanalen = serializers.DictField(
        child=StrictCharField(max_length=KANAAL_LIMIT, allow_blank=True),
        required=False,
        help_text="Kanaal name per channel (" + ", ".join(Channel.values) + "); left out or "
        "empty: chat, whatsapp, sms, e-mail, telegram.",
    )
    confidential = StrictBooleanField(required=False, help_text="Default true.")
    send_contact_details = StrictBooleanField(required=False, help_text="Default true.")


@extend_schema_field({"type": "string", "enum": list(RegistrationState.values)})
class RegistrationStateField(serializers.CharField):
    """queued, sending, registered or failed (inline in the contract: the woo publication's
    ``state`` is another set of values)."""


class KlantcontactRoundSerializer(serializers.Serializer):
    round = serializers.IntegerField()
    klantcontact_url = serializers.CharField()


class KlantcontactRegistrationSerializer(serializers.Serializer):
    """A conversation's registration in Open Klant: where it stands and the addresses Open
    Klant gave (empty until created)."""

    conversation = serializers.IntegerField()
    state = RegistrationStateField()
    state_label = serializers.CharField()
    round = serializers.IntegerField(
        help_text="1, or more after resolving again with new messages."
    )
    attempts = serializers.IntegerField()
    next_attempt_at = serializers.DateTimeField(allow_null=True)
    error = serializers.CharField(help_text="Why the last attempt failed, in your language.")
    error_code = serializers.CharField()
    error_status = serializers.IntegerField(allow_null=True, help_text="Open Klant's status.")
    klantcontact_url = serializers.CharField()
    betrokkene_url = serializers.CharField()
    onderwerpobject_url = serializers.CharField()
    bijlage_url = serializers.CharField()
    digitale_adressen = serializers.ListField(child=serializers.CharField())
    earlier = KlantcontactRoundSerializer(many=True)
    queued_at = serializers.DateTimeField()
    registered_at = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField()


class PeopleOnly(BasePermission):
    message = _("The Klantinteracties API is set up by a person: an API key cannot be used here.")

    def has_permission(self, request, view):
        return Actor.of(principal(request)).is_person


class ConnectionView(ApiView):
    permission_classes = [PeopleOnly]
    query_serializer = OrganisationQuerySerializer

    @extend_schema(
        operation_id="klantinteracties_connection_read",
        summary="The organisation's Klantinteracties API (never the token)",
        description="For administrators and auditors. 404 when none is set up.",
        parameters=[OrganisationQuerySerializer],
        responses={200: KlantinteractiesConnectionSerializer, **errors(404)},
    )
    def get(self, request):
        actor = principal(request)
        organisation_id = reading_organisation(actor, request.query_params.get("organisation"))
        found = connection_settings(actor, organisation_id)
        if found is None:
            raise NotFound(message=_("No Klantinteracties API is set up for this organisation."))
        return Response(KlantinteractiesConnectionSerializer(found).data)

    @extend_schema(
        operation_id="klantinteracties_connection_set",
        summary="Set up or change the organisation's Klantinteracties API",
        description="Administrators. The token is stored encrypted and never shown back; left "
        "out, the stored one stays. Resolved conversations are registered from then on.",
        request=KlantinteractiesConnectionWriteSerializer,
        responses={200: KlantinteractiesConnectionSerializer, **errors(400, 404)},
    )
    def put(self, request):
        actor = principal(request)
        given = KlantinteractiesConnectionWriteSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        fields = dict(given.validated_data)
        organisation_id = reading_organisation(actor, fields.pop("organisation", None))
        do_configure_connection(
            organisation_id, actor=actor, url=fields["url"], token=fields.get("token"),
            enabled=fields.get("enabled", True), kanalen=fields.get("kanalen"),
            confidential=fields.get("confidential", True),
            send_contact_details=fields.get("send_contact_details", True),
        )  # fmt: skip
        return Response(
            KlantinteractiesConnectionSerializer(connection_settings(actor, organisation_id)).data
        )


class RegistrationView(ApiView):
    @extend_schema(
        operation_id="klantinteracties_registration_read",
        summary="The conversation's registration in Open Klant",
        description="For whoever sees the conversation (API keys: conversations:read). 404 "
        "when it was never registered.",
        parameters=[CONVERSATION_ID],
        responses={200: KlantcontactRegistrationSerializer, **errors(404)},
    )
    def get(self, request, conversation_id):
        found = registration_status(principal(request), conversation_id)
        return Response(KlantcontactRegistrationSerializer(found).data)


class RetryView(ApiView):
    @extend_schema(
        operation_id="klantinteracties_registration_retry",
        summary="Try a failed registration again",
        description="Administrators (a person, not an API key). Also for one left behind, "
        "queued or sending for three hours. It continues where it stopped: nothing is "
        "registered twice. 409 when it is registered or still in progress.",
        parameters=[CONVERSATION_ID],
        request=None,
        responses={202: KlantcontactRegistrationSerializer, **errors(404, 409)},
    )
    def post(self, request, conversation_id):
        actor = principal(request)
        registration = do_retry(actor, conversation_id)
        found = registration_status(actor, registration.conversation_id)
        return Response(
            KlantcontactRegistrationSerializer(found).data, status=status.HTTP_202_ACCEPTED
        )


urlpatterns = [
    path(
        "klantinteracties/connection/",
        ConnectionView.as_view(),
        name="klantinteracties-connection",
    ),
    path(
        "conversations/<str:conversation_id>/klantinteracties/",
        RegistrationView.as_view(),
        name="klantinteracties-registration",
    ),
    path(
        "conversations/<str:conversation_id>/klantinteracties/retry/",
        RetryView.as_view(),
        name="klantinteracties-retry",
    ),
]
