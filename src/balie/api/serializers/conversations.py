"""Conversations: what is returned, the list filters, and the assign/status requests."""

from __future__ import annotations

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from balie.accounts.models import User
from balie.accounts.selectors import staff_member
from balie.api.fields import BoundedIntegerField, ClosedSerializer, IdField, StrictCharField
from balie.api.serializers.records import RecordClassSummarySerializer
from balie.conversations import selectors
from balie.conversations.actions import UnknownReference
from balie.conversations.models import Channel, Conversation, Status, Team


class ConversationSerializer(serializers.ModelSerializer):
    organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    team_name = serializers.StringRelatedField(source="team", allow_null=True, read_only=True)
    assignee_name = serializers.StringRelatedField(
        source="assignee", allow_null=True, read_only=True
    )
    contact_name = serializers.StringRelatedField(source="contact", read_only=True)
    labels = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    unread = serializers.IntegerField(
        read_only=True, help_text="Messages from the resident after the staff's read marker."
    )
    record_class = RecordClassSummarySerializer(
        read_only=True, allow_null=True, help_text="Decides how long it is kept."
    )

    class Meta:
        model = Conversation
        fields = [
            "id",
            "organisation",
            "channel",
            "kind",
            "status",
            "subject",
            "case_reference",
            "labels",
            "contact",
            "contact_name",
            "team",
            "team_name",
            "assignee",
            "assignee_name",
            "language",
            "last_seq",
            "agent_read_seq",
            "resident_read_seq",
            "unread",
            "record_class",
            "created_at",
            "last_message_at",
            "closed_at",
            "destroyed_at",
        ]
        read_only_fields = fields


class ConversationFilterSerializer(serializers.Serializer):
    """Query parameters of the conversation list; every one is optional."""

    organisation = serializers.SlugField(required=False, help_text="Organisation slug.")
    status = serializers.ChoiceField(choices=Status.choices, required=False)
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)
    team = BoundedIntegerField(required=False, min_value=1, help_text="Team id.")
    assignee = serializers.RegexField(
        r"^(none|[1-9][0-9]{0,17})$",
        required=False,
        help_text='Staff user id, or "none" for unassigned conversations.',
    )
    label = serializers.CharField(
        required=False, trim_whitespace=False, max_length=60, help_text="Label name."
    )
    case_reference = serializers.CharField(
        required=False, trim_whitespace=False, max_length=100, help_text="Zaaknummer, exact."
    )
    updated_after = serializers.DateTimeField(
        required=False, help_text="Last message at or after this moment (ISO 8601)."
    )
    updated_before = serializers.DateTimeField(
        required=False, help_text="Last message before this moment (ISO 8601)."
    )


_NOT_STAFF = _("This person does not handle conversations of this organisation.")
_OTHER_TEAM = _("This team does not belong to this organisation.")


class AssignSerializer(ClosedSerializer):
    assignee = IdField(
        allow_null=True, help_text="Staff user id of the organisation; null for nobody."
    )
    team = IdField(
        allow_null=True,
        required=False,
        help_text="Team id; null for no team. Leave out to keep the current team.",
    )

    def validate_assignee(self, value: int | None) -> User | None:
        if value is None:
            return None
        user = staff_member(self.context["organisation_id"], value)
        if user is None:
            raise UnknownReference("invalid_assignee", _NOT_STAFF, field="assignee")
        return user

    def validate_team(self, value: int | None) -> Team | None:
        if value is None:
            return None
        team = selectors.team_in(self.context["organisation_id"], value)
        if team is None:
            raise UnknownReference("invalid_team", _OTHER_TEAM, field="team")
        return team


class StatusField(serializers.ChoiceField):
    def to_internal_value(self, data):
        if not isinstance(data, str) or data not in self.choices:
            raise serializers.ValidationError(
                gettext("Unknown status; choose from %(choices)s.")
                % {"choices": ", ".join(Status.values)},
                code="invalid_status",
            )
        return data


class DetailsSerializer(ClosedSerializer):
    """What PATCH may change; a field left out stays as it is."""

    subject = StrictCharField(
        required=False, allow_blank=True, trim_whitespace=False, max_length=200
    )
    case_reference = StrictCharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        max_length=100,
        help_text="Zaaknummer.",
    )
    labels = serializers.ListField(
        child=StrictCharField(max_length=60, allow_blank=True, trim_whitespace=False),
        required=False,
        max_length=20,
        help_text="The complete set of labels; unknown names are created.",
    )
    record_class = IdField(
        required=False,
        help_text="Id of the record class (retention). Chosen by a person: an agent, team "
        "lead, records manager or administrator, not an API key.",
    )


class StatusSerializer(ClosedSerializer):
    status = StatusField(choices=Status.choices)
