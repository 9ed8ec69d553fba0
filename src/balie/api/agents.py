"""Your own availability and capacity for routing: ``GET/PUT /api/v1/agents/me/status/``.

For people who handle conversations (agents, team leads, administrators); an API key gets
403 (it is no agent). ``organisation`` (a slug) is needed only by staff of several."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from balie.accounts.actors import Actor
from balie.accounts.models import WRITING_ROLES
from balie.api.base import ApiView, errors, principal
from balie.api.records import body
from balie.api.serializers.agents import (
    AgentStatusChangeSerializer,
    AgentStatusQuerySerializer,
    AgentStatusSerializer,
)
from balie.conversations import actions, selectors
from balie.conversations.actions import ActionError
from balie.conversations.actions.routing import OPEN_STATUSES
from balie.conversations.models import Conversation
from balie.errors import NotFound
from balie.tenants.models import Organisation


class AgentsOnly(BasePermission):
    message = _("Availability belongs to a person: an API key cannot be used here.")

    def has_permission(self, request, view):
        return Actor.of(principal(request)).is_person


def _organisation(user, slug: object) -> Organisation:
    mine = Actor.of(user).organisations(WRITING_ROLES)
    if slug is not None:
        if not isinstance(slug, str):
            raise ActionError("invalid_field", _("organisation is the slug of an organisation."))
        found = Organisation.objects.filter(pk__in=mine, slug=slug).first()
        if found is None:
            raise NotFound("not_found", _("This organisation does not exist or is not yours."))
        return found
    if not mine:
        raise NotFound("not_found", _("You handle no conversations in any organisation."))
    if len(mine) > 1:
        raise ActionError(
            "organisation_required",
            _("You work for more than one organisation: give organisation (the slug)."),
        )
    return Organisation.objects.get(pk=mine[0])


def _view(organisation: Organisation, user) -> dict:
    status = selectors.agent_status_of(organisation.pk, user)
    return {
        "organisation": organisation.slug,
        "user": user.pk,
        "availability": status.availability,
        "max_open": status.max_open,
        "open": Conversation.objects.for_organisation(organisation)
        .filter(assignee=user, status__in=OPEN_STATUSES)
        .count(),
        "last_seen_at": status.last_seen_at,
    }


class MyStatusView(ApiView):
    permission_classes = [AgentsOnly]
    query_serializer = AgentStatusQuerySerializer

    @extend_schema(
        operation_id="agents_me_status_read",
        summary="Your availability and capacity (routing)",
        parameters=[AgentStatusQuerySerializer],
        responses={200: AgentStatusSerializer, **errors(404)},
    )
    def get(self, request):
        user = request.user
        organisation = _organisation(user, request.query_params.get("organisation"))
        return Response(AgentStatusSerializer(_view(organisation, user)).data)

    @extend_schema(
        operation_id="agents_me_status_update",
        summary="Set your availability (and, for team leads, your capacity)",
        description="Online also counts as a sign of life. Going offline hands your open "
        "conversations of teams with round-robin or capacity routing to others or the queue.",
        request=AgentStatusChangeSerializer,
        responses={200: AgentStatusSerializer, **errors(400, 404)},
    )
    def put(self, request):
        user = request.user
        fields = body(request, ("organisation", "availability", "max_open"))
        organisation = _organisation(user, fields.get("organisation"))
        if "availability" not in fields and "max_open" not in fields:
            raise ActionError(
                "invalid_field", _("Give availability, max_open or both."), field="availability"
            )
        with transaction.atomic():  # both or neither
            if "max_open" in fields:
                actions.do_set_capacity(organisation, user, fields["max_open"], actor=user)
            if "availability" in fields:
                actions.do_set_availability(organisation, user, fields["availability"], actor=user)
        return Response(AgentStatusSerializer(_view(organisation, user)).data)
