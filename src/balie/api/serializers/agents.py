"""An agent's availability and capacity (routing)."""

from __future__ import annotations

from rest_framework import serializers

from balie.api.fields import ClosedSerializer
from balie.conversations.actions.availability import MAX_OPEN_LIMIT
from balie.conversations.models import Availability


class AgentStatusSerializer(serializers.Serializer):
    organisation = serializers.SlugField(help_text="The organisation this status is for.")
    user = serializers.IntegerField(help_text="You.")
    availability = serializers.ChoiceField(choices=Availability.choices)
    max_open = serializers.IntegerField(
        help_text="Open conversations routing gives you at most (set by a team lead)."
    )
    open = serializers.IntegerField(help_text="Your open conversations (open or pending) now.")
    last_seen_at = serializers.DateTimeField(
        allow_null=True, help_text="Last sign of life from your console (auto-offline)."
    )


class AgentStatusChangeSerializer(ClosedSerializer):
    organisation = serializers.SlugField(
        required=False, help_text="Needed when you handle conversations of several organisations."
    )
    availability = serializers.ChoiceField(choices=Availability.choices, required=False)
    max_open = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_OPEN_LIMIT,
        help_text="Team leads and administrators only.",
    )


class AgentStatusQuerySerializer(serializers.Serializer):
    organisation = serializers.SlugField(
        required=False, help_text="Needed when you handle conversations of several organisations."
    )
