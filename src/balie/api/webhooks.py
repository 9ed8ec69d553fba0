"""Outgoing webhooks: an organisation's subscriptions, their signing secrets, the delivery log
and sending a delivery again.

For the organisation's administrators only; an API key is refused (403), another
organisation's subscription or delivery answers 404. The signing secret is in the answer of
creating a subscription and of rotating its secret, and nowhere else. Views are thin: a
selector from ``integrations.webhooks.selectors`` finds and authorises, an action from
``integrations.webhooks.subscriptions`` validates and writes.
"""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response

from balie.api.base import ApiView, ApiViewMixin, errors, path_id, principal
from balie.api.fields import (
    BoundedIntegerField,
    ClosedSerializer,
    StrictBooleanField,
    StrictCharField,
)
from balie.integrations.webhooks import selectors
from balie.integrations.webhooks.events import TYPES
from balie.integrations.webhooks.models import DeliveryState
from balie.integrations.webhooks.subscriptions import (
    do_create_subscription,
    do_delete_subscription,
    do_replay,
    do_rotate_secret,
    do_send_ping,
    do_update_subscription,
)

ADMINS_ONLY = (
    "For the organisation's administrators; an API key gets 403, another organisation's "
    "webhook 404."
)
PATTERNS_HELP = (
    "Event types to receive: * (all), conversation.*, message.*, or a type such as "
    + ", ".join(TYPES)
    + " (the CloudEvents type without nl.balie.)."
)


class SubscriptionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    organisation = serializers.SlugField()
    name = serializers.CharField()
    url = serializers.URLField()
    event_types = serializers.ListField(child=serializers.CharField(), help_text=PATTERNS_HELP)
    enabled = serializers.BooleanField()
    previous_secret_until = serializers.DateTimeField(
        allow_null=True,
        help_text="After a rotation with overlap: until when the previous secret signs too.",
    )
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class SubscriptionCreatedSerializer(SubscriptionSerializer):
    secret = serializers.CharField(help_text="The signing secret: shown this once, keep it.")


class SubscriptionCreateSerializer(ClosedSerializer):
    organisation = serializers.SlugField(
        required=False, help_text="Needed when you administer more than one organisation."
    )
    name = StrictCharField(max_length=100)
    url = StrictCharField(
        max_length=500, help_text="https; the host must resolve to public addresses."
    )
    event_types = serializers.ListField(
        child=StrictCharField(max_length=100),
        min_length=1,
        max_length=20,
        required=False,
        help_text=PATTERNS_HELP + " Left out: *.",
    )
    enabled = StrictBooleanField(required=False)


class SubscriptionChangeSerializer(ClosedSerializer):
    name = StrictCharField(max_length=100, required=False)
    url = StrictCharField(max_length=500, required=False)
    event_types = serializers.ListField(
        child=StrictCharField(max_length=100),
        min_length=1,
        max_length=20,
        required=False,
        help_text=PATTERNS_HELP,
    )
    enabled = StrictBooleanField(required=False)


class RotateSerializer(ClosedSerializer):
    overlap = StrictBooleanField(
        required=False,
        help_text="Sign with the previous secret too for 24 hours (default true); false when "
        "the previous secret may have leaked.",
    )


class SecretSerializer(serializers.Serializer):
    secret = serializers.CharField(help_text="The new signing secret: shown this once.")
    previous_secret_until = serializers.DateTimeField(allow_null=True)


class DeliverySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    subscription = serializers.IntegerField()
    subscription_name = serializers.CharField()
    event_id = serializers.CharField(help_text="The CloudEvents id: the same on every attempt.")
    event_type = serializers.CharField()
    subject = serializers.CharField()
    state = serializers.ChoiceField(choices=DeliveryState.choices)
    attempts = serializers.IntegerField()
    next_attempt_at = serializers.DateTimeField(allow_null=True)
    last_attempt_at = serializers.DateTimeField(allow_null=True)
    last_status = serializers.IntegerField(allow_null=True, help_text="The receiver's status.")
    error_code = serializers.CharField()
    error = serializers.CharField(help_text="Why the last attempt failed, for people.")
    error_detail = serializers.CharField(help_text="The start of the receiver's answer.")
    created_at = serializers.DateTimeField()
    delivered_at = serializers.DateTimeField(allow_null=True)
    event = serializers.DictField(
        required=False, help_text="Only when reading one delivery: the CloudEvent as sent."
    )


class OrganisationQuery(serializers.Serializer):
    organisation = serializers.SlugField(
        required=False, help_text="Needed when you administer more than one organisation."
    )


class DeliveryQuery(OrganisationQuery):
    state = serializers.ChoiceField(choices=DeliveryState.choices, required=False)
    subscription = BoundedIntegerField(required=False, min_value=1)


SUBSCRIPTION_ID = path_id("subscription_id", "Id of the subscription.")
DELIVERY_ID = path_id("delivery_id", "Id of the delivery.")


def _valid(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _secret_response(data, code: int = status.HTTP_200_OK) -> Response:
    response = Response(data, status=code)
    response["Cache-Control"] = "no-store"
    return response


class SubscriptionListView(ApiView):
    query_serializer = OrganisationQuery

    @extend_schema(
        operation_id="webhook_subscriptions_list",
        summary="The organisation's webhook subscriptions (never their secrets)",
        description=ADMINS_ONLY,
        parameters=[OrganisationQuery],
        responses={200: SubscriptionSerializer(many=True), **errors(404)},
    )
    def get(self, request):
        actor = principal(request)
        query = _valid(OrganisationQuery, request.query_params)
        organisation_id = selectors.organisation_for(actor, query.get("organisation"))
        found = selectors.subscriptions_of(actor, organisation_id)
        views = [selectors.subscription_view(s) for s in found]
        return Response(SubscriptionSerializer(views, many=True).data)

    @extend_schema(
        operation_id="webhook_subscriptions_create",
        summary="Subscribe a receiver to events",
        description=ADMINS_ONLY + " The answer holds the signing secret, this once.",
        request=SubscriptionCreateSerializer,
        responses={201: SubscriptionCreatedSerializer, **errors(400, 404, 409)},
    )
    def post(self, request):
        actor = principal(request)
        fields = _valid(SubscriptionCreateSerializer, request.data)
        organisation_id = selectors.organisation_for(actor, fields.pop("organisation", None))
        subscription, secret = do_create_subscription(organisation_id, actor=actor, **fields)
        data = {**selectors.subscription_view(subscription), "secret": secret}
        return _secret_response(SubscriptionCreatedSerializer(data).data, status.HTTP_201_CREATED)


class SubscriptionDetailView(ApiView):
    @extend_schema(
        operation_id="webhook_subscriptions_read",
        summary="One webhook subscription",
        description=ADMINS_ONLY,
        parameters=[SUBSCRIPTION_ID],
        responses={200: SubscriptionSerializer, **errors(404)},
    )
    def get(self, request, subscription_id):
        found = selectors.access_subscription(principal(request), subscription_id)
        return Response(SubscriptionSerializer(selectors.subscription_view(found)).data)

    @extend_schema(
        operation_id="webhook_subscriptions_update",
        summary="Change a subscription: name, address, event types, on or off",
        description=ADMINS_ONLY + " A field left out stays as it is.",
        parameters=[SUBSCRIPTION_ID],
        request=SubscriptionChangeSerializer,
        responses={200: SubscriptionSerializer, **errors(400, 404)},
    )
    def patch(self, request, subscription_id):
        actor = principal(request)
        found = selectors.access_subscription(actor, subscription_id)
        fields = _valid(SubscriptionChangeSerializer, request.data)
        changed = do_update_subscription(found, actor=actor, **fields)
        return Response(SubscriptionSerializer(selectors.subscription_view(changed)).data)

    @extend_schema(
        operation_id="webhook_subscriptions_delete",
        summary="Remove a subscription and its delivery log",
        description=ADMINS_ONLY,
        parameters=[SUBSCRIPTION_ID],
        responses={204: None, **errors(404)},
    )
    def delete(self, request, subscription_id):
        actor = principal(request)
        do_delete_subscription(selectors.access_subscription(actor, subscription_id), actor=actor)
        return Response(status=status.HTTP_204_NO_CONTENT)


class RotateView(ApiView):
    @extend_schema(
        operation_id="webhook_subscriptions_rotate_secret",
        summary="Make a new signing secret",
        description=ADMINS_ONLY + " The answer holds the new secret, this once.",
        parameters=[SUBSCRIPTION_ID],
        request=RotateSerializer,
        responses={200: SecretSerializer, **errors(400, 404)},
    )
    def post(self, request, subscription_id):
        actor = principal(request)
        found = selectors.access_subscription(actor, subscription_id)
        fields = _valid(RotateSerializer, request.data)
        secret = do_rotate_secret(found, actor=actor, overlap=fields.get("overlap", True))
        until = selectors.subscription_view(found)["previous_secret_until"]
        return _secret_response(
            SecretSerializer({"secret": secret, "previous_secret_until": until}).data
        )


class PingView(ApiView):
    @extend_schema(
        operation_id="webhook_subscriptions_ping",
        summary="Send a test event (nl.balie.webhook.ping)",
        description=ADMINS_ONLY + " Queued (202); the delivery log shows how it went.",
        parameters=[SUBSCRIPTION_ID],
        request=None,
        responses={202: DeliverySerializer, **errors(404, 409)},
    )
    def post(self, request, subscription_id):
        actor = principal(request)
        delivery = do_send_ping(selectors.access_subscription(actor, subscription_id), actor=actor)
        view = selectors.delivery_view(delivery)
        return Response(DeliverySerializer(view).data, status=status.HTTP_202_ACCEPTED)


class DeliveryListView(ApiViewMixin, generics.ListAPIView):
    serializer_class = DeliverySerializer
    query_serializer = DeliveryQuery

    def get_queryset(self):
        actor = principal(self.request)
        query = _valid(DeliveryQuery, self.request.query_params)
        organisation_id = selectors.organisation_for(actor, query.get("organisation"))
        return selectors.deliveries_of(
            actor,
            organisation_id,
            state=query.get("state"),
            subscription_id=query.get("subscription"),
        )

    @extend_schema(
        operation_id="webhook_deliveries_list",
        summary="The delivery log, the latest first",
        description=ADMINS_ONLY + " Filter with state=failed for what needs attention.",
        parameters=[DeliveryQuery],
        responses={200: DeliverySerializer(many=True), **errors(404)},
    )
    def get(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset()) or []
        views = [selectors.delivery_view(delivery) for delivery in page]
        return self.get_paginated_response(DeliverySerializer(views, many=True).data)


class DeliveryDetailView(ApiView):
    @extend_schema(
        operation_id="webhook_deliveries_read",
        summary="One delivery, with the CloudEvent as sent",
        description=ADMINS_ONLY,
        parameters=[DELIVERY_ID],
        responses={200: DeliverySerializer, **errors(404)},
    )
    def get(self, request, delivery_id):
        found = selectors.access_delivery(principal(request), delivery_id)
        view = selectors.delivery_view(found, with_event=True)
        return Response(DeliverySerializer(view).data)


class ReplayView(ApiView):
    @extend_schema(
        operation_id="webhook_deliveries_replay",
        summary="Send a failed or delivered delivery again",
        description=ADMINS_ONLY
        + " The same CloudEvent with the same id (receivers deduplicate on it), newly signed; "
        "queued (202). A delivery still pending answers 409.",
        parameters=[DELIVERY_ID],
        request=None,
        responses={202: DeliverySerializer, **errors(404, 409)},
    )
    def post(self, request, delivery_id):
        actor = principal(request)
        delivery = do_replay(selectors.access_delivery(actor, delivery_id), actor=actor)
        view = selectors.delivery_view(delivery)
        return Response(DeliverySerializer(view).data, status=status.HTTP_202_ACCEPTED)


urlpatterns = [
    path(
        "webhooks/subscriptions/",
        SubscriptionListView.as_view(),
        name="webhook-subscriptions",
    ),
    path(
        "webhooks/subscriptions/<str:subscription_id>/",
        SubscriptionDetailView.as_view(),
        name="webhook-subscription",
    ),
    path(
        "webhooks/subscriptions/<str:subscription_id>/secret/",
        RotateView.as_view(),
        name="webhook-secret",
    ),
    path(
        "webhooks/subscriptions/<str:subscription_id>/ping/",
        PingView.as_view(),
        name="webhook-ping",
    ),
    path("webhooks/deliveries/", DeliveryListView.as_view(), name="webhook-deliveries"),
    path(
        "webhooks/deliveries/<str:delivery_id>/",
        DeliveryDetailView.as_view(),
        name="webhook-delivery",
    ),
    path(
        "webhooks/deliveries/<str:delivery_id>/replay/",
        ReplayView.as_view(),
        name="webhook-replay",
    ),
]
