"""Channel accounts (WhatsApp, e-mail, SMS): list, add, change. For the organisation's
administrators, people only (an API key gets 403: these hold the channels' secrets, which
are written here and never read back). Another organisation's account is 404."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from balie.accounts.actors import Actor
from balie.accounts.models import Role
from balie.api.base import ApiView, errors, path_id, principal
from balie.api.records import body
from balie.api.serializers.channels import (
    ChannelAccountChangeSerializer,
    ChannelAccountCreateSerializer,
    ChannelAccountSerializer,
)
from balie.api.woo import PeopleOnly
from balie.connectors.accounts import account_view, do_add_channel, do_update_channel
from balie.connectors.models import ChannelAccount
from balie.conversations.actions.checks import id_from_outside
from balie.errors import NotFound
from balie.records.selectors import writing_organisation

ADMINS = "For the organisation's application administrators; API keys get 403."


class ChannelsView(ApiView):
    permission_classes = [PeopleOnly]


def _administered(actor) -> list[int]:
    return Actor.of(actor).organisations({Role.ADMIN})


class ChannelListView(ChannelsView):
    @extend_schema(
        operation_id="channels_list",
        summary="Channel accounts",
        description=ADMINS,
        responses={200: ChannelAccountSerializer(many=True), **errors()},
    )
    def get(self, request):
        found = ChannelAccount.objects.filter(
            organisation_id__in=_administered(principal(request))
        ).select_related("organisation")
        return Response([account_view(a) for a in found])

    @extend_schema(
        operation_id="channels_create",
        summary="Add a channel account",
        description=ADMINS + " The settings and secrets each kind needs are in docs/channels.md.",
        request=ChannelAccountCreateSerializer,
        responses={201: ChannelAccountSerializer, **errors(400, 404, 409)},
    )
    def post(self, request):
        actor = principal(request)
        fields = body(request, ("organisation", "kind", "name", "settings", "secrets"))
        organisation_id = writing_organisation(actor, fields.pop("organisation", None))
        account = do_add_channel(
            organisation_id, actor=actor, kind=fields.get("kind"), name=fields.get("name"),
            settings=fields.get("settings"), secrets=fields.get("secrets"),
        )  # fmt: skip
        return Response(account_view(account), status=status.HTTP_201_CREATED)


class ChannelDetailView(ChannelsView):
    def _account(self, request, channel_id) -> ChannelAccount:
        found = (
            ChannelAccount.objects.filter(
                pk=id_from_outside(channel_id) or 0,
                organisation_id__in=_administered(principal(request)),
            )
            .select_related("organisation")
            .first()
        )
        if found is None:
            raise NotFound("not_found", _("This channel does not exist."))
        return found

    @extend_schema(
        operation_id="channels_read",
        summary="One channel account",
        description=ADMINS,
        parameters=[path_id("channel_id", "Id of the channel account.")],
        responses={200: ChannelAccountSerializer, **errors(404)},
    )
    def get(self, request, channel_id):
        return Response(account_view(self._account(request, channel_id)))

    @extend_schema(
        operation_id="channels_update",
        summary="Change settings, replace secrets, switch on or off",
        description=ADMINS,
        parameters=[path_id("channel_id", "Id of the channel account.")],
        request=ChannelAccountChangeSerializer,
        responses={200: ChannelAccountSerializer, **errors(400, 404)},
    )
    def patch(self, request, channel_id):
        account = self._account(request, channel_id)
        fields = body(request, ("settings", "secrets", "enabled"))
        do_update_channel(account, actor=principal(request), **fields)
        return Response(account_view(account))
