"""Records management: record classes, the daily review, due records, holds and destruction
lists, as records managers, auditors and their systems see them.

The request serializers describe the bodies for the contract; the actions validate them
(with precise Dutch messages), so a view hands the JSON object to the action as it came.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from balie.archive.models import (
    DestructionItem,
    DestructionList,
    Hold,
    HoldKind,
    HoldScope,
    RecordClass,
    RetentionReview,
    Trigger,
    Waardering,
)
from balie.conversations.models import Channel


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="__str__")


class RecordClassSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = RecordClass
        fields = ["id", "code", "name"]
        read_only_fields = fields


class RecordClassSerializer(serializers.ModelSerializer):
    organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    channels = serializers.ListField(child=serializers.ChoiceField(choices=Channel.choices))

    class Meta:
        model = RecordClass
        fields = [
            "id", "organisation", "code", "name", "description", "selectielijst_reference",
            "retention", "trigger", "waardering", "is_default", "channels", "created_at",
            "updated_at",
        ]  # fmt: skip
        read_only_fields = fields


class RecordClassWriteSerializer(serializers.Serializer):
    """POST needs code, name and retention; PATCH takes any of the fields. Unknown fields are
    refused (invalid_field)."""

    organisation = serializers.SlugField(
        required=False, help_text="Organisation slug; only needed when you work for several."
    )
    code = serializers.CharField(max_length=20, help_text="Short code, e.g. KCC-1.")
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True)
    selectielijst_reference = serializers.CharField(
        required=False, allow_blank=True, max_length=200
    )
    retention = serializers.CharField(help_text="ISO 8601 duration: P1Y, P6M, P10Y, P1Y6M, P2W.")
    trigger = serializers.ChoiceField(choices=Trigger.choices, required=False)
    waardering = serializers.ChoiceField(choices=Waardering.choices, required=False)
    is_default = serializers.BooleanField(
        required=False, help_text="For conversations no team or channel default covers."
    )
    channels = serializers.ListField(
        child=serializers.ChoiceField(choices=Channel.choices),
        required=False,
        help_text="Channels whose new conversations get this class.",
    )


class RetentionReviewSerializer(serializers.ModelSerializer):
    organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    by_class = serializers.ListField(
        child=serializers.DictField(),
        help_text='Per record class: {"code", "name", "due", "held"}.',
    )

    class Meta:
        model = RetentionReview
        fields = ["id", "organisation", "ran_at", "due", "held", "by_class"]
        read_only_fields = fields


class DueSerializer(serializers.Serializer):
    """A closed conversation past its retention term (``DueRow``)."""

    conversation = serializers.IntegerField(source="conversation.pk")
    organisation = serializers.CharField(help_text="Organisation slug.")
    subject = serializers.CharField(source="conversation.subject")
    team = serializers.IntegerField(source="conversation.team_id", allow_null=True)
    team_name = serializers.CharField(source="conversation.team.name", allow_null=True)
    contact = serializers.IntegerField(source="conversation.contact_id")
    closed_at = serializers.DateTimeField(source="conversation.closed_at")
    record_class = RecordClassSummarySerializer(source="record.record_class")
    retention = serializers.CharField(source="record.record_class.retention")
    trigger_date = serializers.DateTimeField(source="record.trigger_date")
    due_on = serializers.DateField(source="record.due_on")
    held = serializers.BooleanField(help_text="A hold or open Woo request blocks destruction.")
    held_because = serializers.CharField(help_text="Which holds, e.g. 'Lopend Woo-verzoek W-7'.")
    holds = serializers.SerializerMethodField(help_text="Ids of the blocking holds.")

    def get_holds(self, row) -> list[int]:
        return [hold.pk for hold in row.holds]


class HoldSerializer(serializers.ModelSerializer):
    organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    placed_by = PersonSerializer()
    released_by = PersonSerializer(allow_null=True)
    active = serializers.BooleanField()

    class Meta:
        model = Hold
        fields = [
            "id", "organisation", "kind", "scope", "conversation", "contact", "saved_search",
            "reference",
            "reason", "active", "placed_by", "placed_at", "released_by", "released_at",
            "release_reason",
        ]  # fmt: skip
        read_only_fields = fields


class PlaceHoldSerializer(serializers.Serializer):
    organisation = serializers.SlugField(
        required=False, help_text="Only when you work for several."
    )
    kind = serializers.ChoiceField(choices=HoldKind.choices)
    scope = serializers.ChoiceField(
        choices=HoldScope.choices,
        help_text="What the hold covers: one conversation, every conversation of a contact, or "
        "every conversation a saved search finds when a destruction list is executed.",
    )
    target = serializers.IntegerField(help_text="Id of the conversation, contact or saved search.")
    reference = serializers.CharField(max_length=100, help_text="Case or Woo request number.")
    reason = serializers.CharField(max_length=2000)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text="Why (required).")


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, help_text="Required when rejecting."
    )


class DestructionItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = DestructionItem
        fields = [
            "conversation", "record_class_code", "record_class_name", "retention",
            "trigger_date", "due_on", "status", "blocked_reason", "messages", "attachments",
        ]  # fmt: skip
        read_only_fields = fields


class DestructionListSerializer(serializers.ModelSerializer):
    organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    proposed_by = PersonSerializer()
    reviewed_by = PersonSerializer(allow_null=True)
    items_count = serializers.IntegerField(source="item_count")

    class Meta:
        model = DestructionList
        fields = [
            "id", "organisation", "title", "status", "note", "proposed_by", "proposed_at",
            "reviewed_by", "reviewed_at", "review_note", "executed_at", "items_count",
        ]  # fmt: skip
        read_only_fields = fields


class DestructionRecordSerializer(serializers.ModelSerializer):
    """The destruction record (vernietigingsverklaring), filled in when executed."""

    files_pending = serializers.SerializerMethodField(help_text="Files still to remove.")

    def get_files_pending(self, destruction_list) -> int:
        return len(destruction_list.files_pending)

    class Meta:
        model = DestructionList
        fields = [
            "conversations_destroyed", "conversations_blocked", "messages_destroyed",
            "attachments_destroyed", "events_emptied", "record_classes", "files_removed",
            "files_pending",
        ]  # fmt: skip
        read_only_fields = fields


class DestructionListDetailSerializer(DestructionListSerializer):
    items = DestructionItemSerializer(many=True)
    record = serializers.SerializerMethodField(
        help_text="The destruction record; null until the list is executed."
    )

    @extend_schema_field(DestructionRecordSerializer(allow_null=True))
    def get_record(self, destruction_list):
        if destruction_list.executed_at is None:
            return None
        return DestructionRecordSerializer(destruction_list).data

    class Meta(DestructionListSerializer.Meta):
        fields = [*DestructionListSerializer.Meta.fields, "items", "record"]
        read_only_fields = fields


class ProposeDestructionSerializer(serializers.Serializer):
    organisation = serializers.SlugField(
        required=False, help_text="Only when you work for several."
    )
    title = serializers.CharField(max_length=200)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    conversations = serializers.ListField(
        child=serializers.IntegerField(), help_text="Ids of due, not held conversations."
    )
