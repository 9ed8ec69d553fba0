"""The Notificaties API (Open Notificaties) of an organisation: its connection, Balie's
kanaal, the abonnement for notificaties of other systems, what was sent and received; and
the callback address where the Notificaties API delivers.

People only, with the administrator role in the organisation (an API key gets 403, a member
with another role 403, another organisation 404). The callback takes no login: the
Notificaties API proves itself with the ``Authorization`` value agreed in the abonnement.
Views are thin: ``integrations.notificaties`` finds, checks and writes.
"""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
)
from rest_framework import generics, serializers, status
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.response import Response

from balie.accounts.actors import Actor
from balie.api.base import ApiView, ApiViewMixin, errors, path_id, principal
from balie.api.fields import ClosedSerializer, StrictBooleanField, StrictCharField
from balie.api.serializers.errors import ErrorSerializer
from balie.api.serializers.search import OrganisationQuerySerializer
from balie.integrations.notificaties import receiving
from balie.integrations.notificaties.access import organisation_for_admin
from balie.integrations.notificaties.connection import (
    NoConnection,
    do_configure_connection,
    do_register_kanaal,
)
from balie.integrations.notificaties.models import DEFAULT_KANAAL, State
from balie.integrations.notificaties.outcomes import do_retry
from balie.integrations.notificaties.selectors import (
    connection_settings,
    received_notifications,
    sent_notifications,
    sent_view,
)
from balie.integrations.notificaties.subscription import do_subscribe, do_unsubscribe
from balie.integrations.notificaties.tasks import send_notifications

ADMINS_ONLY = "For the organisation's administrators (people, not API keys)."
ORGANISATION_HELP = "Organisation slug; needed only for staff who work for several."


class PeopleOnly(BasePermission):
    message = _("The Notificaties API is set up by people: an API key cannot be used here.")

    def has_permission(self, request, view):
        return Actor.of(principal(request)).is_person


class NotificatiesView(ApiViewMixin):
    permission_classes = [PeopleOnly]


# --- serializers ----------------------------------------------------------------------------


class ConnectionSerializer(serializers.Serializer):
    """The connection; of the secret only whether one is set."""

    url = serializers.URLField()
    client_id = serializers.CharField()
    secret_set = serializers.BooleanField()
    kanaal = serializers.CharField()
    enabled = serializers.BooleanField()
    kanaal_registered = serializers.BooleanField()
    kanaal_url = serializers.CharField(allow_blank=True)
    callback_url = serializers.URLField(help_text="Where the Notificaties API delivers.")
    subscribed = serializers.BooleanField()
    abonnement_url = serializers.CharField(allow_blank=True)
    abonnement_kanalen = serializers.ListField(child=serializers.DictField())
    updated_at = serializers.DateTimeField()


class ConnectionWriteSerializer(ClosedSerializer):
    organisation = StrictCharField(required=False, max_length=60, help_text=ORGANISATION_HELP)
    url = StrictCharField(max_length=500, help_text="The API's root, ending in /api/v1.")
    client_id = StrictCharField(max_length=255, help_text="The ZGW client id.")
    secret = StrictCharField(
        required=False, write_only=True, max_length=1000, help_text="Left out: the stored one."
    )
    kanaal = StrictCharField(required=False, max_length=50, default=DEFAULT_KANAAL)
    enabled = StrictBooleanField(required=False, default=True)


class OrganisationBodySerializer(ClosedSerializer):
    organisation = StrictCharField(required=False, max_length=60, help_text=ORGANISATION_HELP)


class FilterGroupSerializer(ClosedSerializer):
    naam = StrictCharField(max_length=50, help_text="A kanaal's name, like zaken.")
    filters = serializers.DictField(
        child=StrictCharField(max_length=1000, allow_blank=True), required=False
    )


class SubscribeSerializer(OrganisationBodySerializer):
    kanalen = FilterGroupSerializer(many=True, min_length=1, max_length=20)


class UnsubscribeSerializer(OrganisationBodySerializer):
    forget = StrictBooleanField(
        required=False, default=False, help_text="Forget it here when the API is unreachable."
    )


class SentQuerySerializer(OrganisationQuerySerializer):
    state = serializers.ChoiceField(choices=State.choices, required=False)


class SentNotificationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    key = serializers.UUIDField()
    event_type = serializers.CharField()
    conversation_id = serializers.IntegerField()
    resource = serializers.CharField()
    actie = serializers.CharField()
    resource_url = serializers.URLField()
    kenmerken = serializers.DictField(child=serializers.CharField(allow_blank=True))
    aanmaakdatum = serializers.DateTimeField()
    state = serializers.ChoiceField(choices=State.choices)
    attempts = serializers.IntegerField()
    next_attempt_at = serializers.DateTimeField(allow_null=True)
    error = serializers.CharField(allow_blank=True, help_text="Why it failed, if it did.")
    error_code = serializers.CharField(allow_blank=True)
    error_status = serializers.IntegerField(allow_null=True)
    sent_at = serializers.DateTimeField(allow_null=True)

    def to_representation(self, instance):
        return super().to_representation(sent_view(instance))


class ReceivedNotificationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kanaal = serializers.CharField()
    source = serializers.CharField(allow_blank=True)
    hoofd_object = serializers.CharField()
    resource = serializers.CharField()
    resource_url = serializers.CharField()
    actie = serializers.CharField()
    aanmaakdatum = serializers.DateTimeField()
    kenmerken = serializers.DictField(child=serializers.CharField(allow_blank=True))
    received_at = serializers.DateTimeField()


def _actor(request) -> Actor:
    """One Actor per request: its memberships are read once."""
    return Actor.of(principal(request))


def _organisation(request, actor: Actor) -> int:
    """The organisation the request is for, checked for the role before the body is."""
    source = request.query_params if request.method == "GET" else request.data
    slug = source.get("organisation") if hasattr(source, "get") else None
    return organisation_for_admin(actor, slug)


def _validated(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data if request.data else {})
    serializer.is_valid(raise_exception=True)
    fields = dict(serializer.validated_data)
    fields.pop("organisation", None)
    return fields


def _settings(actor, organisation_id: int) -> dict:
    return ConnectionSerializer(connection_settings(actor, organisation_id)).data


# --- the connection, the kanaal, the abonnement ------------------------------------------------


class ConnectionView(NotificatiesView, ApiView):
    query_serializer = OrganisationQuerySerializer

    @extend_schema(
        operation_id="notificaties_read",
        summary="The organisation's Notificaties API (never the secret)",
        description=ADMINS_ONLY + " 404 when none is set up.",
        parameters=[OrganisationQuerySerializer],
        responses={200: ConnectionSerializer, **errors(404)},
    )
    def get(self, request):
        actor = _actor(request)
        found = connection_settings(actor, _organisation(request, actor))
        if found is None:
            raise NoConnection()
        return Response(ConnectionSerializer(found).data)

    @extend_schema(
        operation_id="notificaties_set",
        summary="Set up or change the organisation's Notificaties API",
        description=ADMINS_ONLY + " The secret is stored encrypted and never shown back; left "
        "out, the stored one stays. A new address or kanaal name is registered again.",
        request=ConnectionWriteSerializer,
        responses={200: ConnectionSerializer, **errors(400, 404, 409)},
    )
    def put(self, request):
        actor = _actor(request)
        organisation_id = _organisation(request, actor)
        fields = _validated(ConnectionWriteSerializer, request)
        do_configure_connection(organisation_id, actor=actor, **fields)
        return Response(_settings(actor, organisation_id))


class KanaalView(NotificatiesView, ApiView):
    @extend_schema(
        operation_id="notificaties_kanaal_register",
        summary="Register Balie's kanaal at the Notificaties API",
        description=ADMINS_ONLY + " Idempotent: an existing kanaal of the name is taken over "
        "when its filters fit. 409 when the Notificaties API fails or refuses.",
        request=OrganisationBodySerializer,
        responses={200: ConnectionSerializer, **errors(400, 404, 409)},
    )
    def post(self, request):
        actor = _actor(request)
        organisation_id = _organisation(request, actor)
        _validated(OrganisationBodySerializer, request)
        do_register_kanaal(organisation_id, actor=actor)
        return Response(_settings(actor, organisation_id))


class AbonnementView(NotificatiesView, ApiView):
    @extend_schema(
        operation_id="notificaties_abonnement_create",
        summary="Subscribe to kanalen of the Notificaties API",
        description=ADMINS_ONLY + " The Notificaties API delivers to callback_url with an "
        "Authorization value that Balie keeps encrypted.",
        request=SubscribeSerializer,
        responses={201: ConnectionSerializer, **errors(400, 404, 409)},
    )
    def post(self, request):
        actor = _actor(request)
        organisation_id = _organisation(request, actor)
        fields = _validated(SubscribeSerializer, request)
        kanalen = [dict(group) for group in fields["kanalen"]]
        do_subscribe(organisation_id, actor=actor, kanalen=kanalen)
        return Response(_settings(actor, organisation_id), status=status.HTTP_201_CREATED)


class UnsubscribeView(NotificatiesView, ApiView):
    @extend_schema(
        operation_id="notificaties_abonnement_remove",
        summary="Remove the abonnement",
        description=ADMINS_ONLY + " From then on the callback refuses every delivery.",
        request=UnsubscribeSerializer,
        responses={200: ConnectionSerializer, **errors(400, 404, 409)},
    )
    def post(self, request):
        actor = _actor(request)
        organisation_id = _organisation(request, actor)
        fields = _validated(UnsubscribeSerializer, request)
        do_unsubscribe(organisation_id, actor=actor, forget=fields["forget"])
        return Response(_settings(actor, organisation_id))


# --- what was sent and received ------------------------------------------------------------


class SentListView(NotificatiesView, generics.ListAPIView):
    serializer_class = SentNotificationSerializer
    query_serializer = SentQuerySerializer

    def get_queryset(self):
        actor = _actor(self.request)
        organisation_id = _organisation(self.request, actor)
        return sent_notifications(actor, organisation_id, self.request.query_params.get("state"))

    @extend_schema(
        operation_id="notificaties_sent_list",
        summary="Notificaties Balie published, newest first",
        description=ADMINS_ONLY + " With their state, attempts and the reason of a failure.",
        parameters=[SentQuerySerializer],
        responses={200: SentNotificationSerializer(many=True), **errors(404)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class RetryView(NotificatiesView, ApiView):
    @extend_schema(
        operation_id="notificaties_sent_retry",
        summary="Send a failed notificatie again",
        description=ADMINS_ONLY + " 409 when it has not failed.",
        parameters=[path_id("notification_id", "Id of the notificatie.")],
        request=OrganisationBodySerializer,
        responses={202: SentNotificationSerializer, **errors(400, 404, 409)},
    )
    def post(self, request, notification_id):
        actor = _actor(request)
        organisation_id = _organisation(request, actor)
        _validated(OrganisationBodySerializer, request)
        row = do_retry(organisation_id, notification_id, actor=actor)
        send_notifications.enqueue([row.pk])
        return Response(SentNotificationSerializer(row).data, status=status.HTTP_202_ACCEPTED)


class ReceivedListView(NotificatiesView, generics.ListAPIView):
    serializer_class = ReceivedNotificationSerializer
    query_serializer = OrganisationQuerySerializer

    def get_queryset(self):
        actor = _actor(self.request)
        return received_notifications(actor, _organisation(self.request, actor))

    @extend_schema(
        operation_id="notificaties_received_list",
        summary="Notificaties received at the callback, newest first",
        description=ADMINS_ONLY + " Kept and shown; Balie does nothing else with them yet.",
        parameters=[OrganisationQuerySerializer],
        responses={200: ReceivedNotificationSerializer(many=True), **errors(404)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


# --- the callback ----------------------------------------------------------------------------


class CallbackView(ApiView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    parser_classes: list = []  # the body is read in receiving, within its limit

    @extend_schema(
        operation_id="notificaties_callback",
        summary="Where the Notificaties API delivers a notificatie",
        description="Not for people: the Notificaties API sends the Authorization value "
        "agreed in the abonnement (401 without one, 403 with another). The body is the "
        "API's notificatie (at most 64 KiB); it is kept in the organisation's received log. "
        "Fields the standard does not name are ignored.",
        auth=[],
        parameters=[
            OpenApiParameter(
                "token", str, OpenApiParameter.PATH, description="The organisation's callback."
            )
        ],
        request={"application/json": receiving.NOTIFICATIE_SCHEMA},
        responses={
            204: OpenApiResponse(description="Received."),
            **errors(404, 413),
            415: OpenApiResponse(ErrorSerializer, description="Not application/json."),
        },
    )
    def post(self, request, token):
        connection = receiving.connection_for_callback(token)
        receiving.check_authorization(connection, request.META.get("HTTP_AUTHORIZATION"))
        if _declared_length(request) > receiving.MAX_BODY_BYTES:
            raise receiving.BodyTooLarge(params={"limit": receiving.MAX_BODY_BYTES})
        notificatie = receiving.notificatie_from(request.body, request.META.get("CONTENT_TYPE", ""))
        receiving.do_receive(connection, notificatie)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _declared_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


urlpatterns = [
    path("notificaties/", ConnectionView.as_view(), name="notificaties"),
    path("notificaties/kanaal/", KanaalView.as_view(), name="notificaties-kanaal"),
    path("notificaties/abonnement/", AbonnementView.as_view(), name="notificaties-abonnement"),
    path(
        "notificaties/abonnement/remove/",
        UnsubscribeView.as_view(),
        name="notificaties-unsubscribe",
    ),
    path("notificaties/sent/", SentListView.as_view(), name="notificaties-sent"),
    path(
        "notificaties/sent/<str:notification_id>/retry/",
        RetryView.as_view(),
        name="notificaties-retry",
    ),
    path("notificaties/received/", ReceivedListView.as_view(), name="notificaties-received"),
    path(
        "notificaties/callback/<str:token>/",
        CallbackView.as_view(),
        name="notificaties-callback",
    ),
]
