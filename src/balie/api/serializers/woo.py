"""Woo requests as the API shows them, and the bodies it takes.

Reads describe what the selectors return; the request serializers describe the bodies for
the contract, while the actions validate them (with precise Dutch messages), so a view hands
the JSON object to the action as it came.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from balie.woo.models import Decision, PublicationState, RedactionState, Status
from balie.woo.publishing import publication_status
from balie.woo.review import REDACTION_CATEGORIES, progress_of

GROUND_HELP = "A Woo article: 5.1.1c–e, 5.1.2a–i or 5.2."


class ProgressSerializer(serializers.Serializer):
    documents = serializers.IntegerField()
    decided = serializers.IntegerField()
    proposed = serializers.IntegerField(help_text="Proposals nobody has reviewed yet.")


class SuspensionSerializer(serializers.Serializer):
    started_on = serializers.DateField()
    ended_on = serializers.DateField(allow_null=True)
    reason = serializers.CharField()


class DocumentSummarySerializer(serializers.Serializer):
    number = serializers.IntegerField()
    conversation = serializers.IntegerField(source="conversation_id")
    found_by = serializers.CharField()
    decision = serializers.ChoiceField(
        choices=Decision.choices, allow_blank=True, help_text="Empty until decided."
    )
    grounds = serializers.ListField(child=serializers.CharField())
    explanation = serializers.CharField()


class WooRequestSerializer(serializers.Serializer):
    """A request (``RequestView``): the requester only for Woo coordinators."""

    id = serializers.IntegerField(source="request.pk")
    organisation = serializers.CharField(source="request.organisation.slug")
    reference = serializers.CharField(source="request.reference")
    received_on = serializers.DateField(source="request.received_on")
    subject = serializers.CharField(source="request.subject")
    scope = serializers.CharField(source="request.scope")
    period_start = serializers.DateField(source="request.period_start", allow_null=True)
    period_end = serializers.DateField(source="request.period_end", allow_null=True)
    status = serializers.ChoiceField(source="request.status", choices=Status.choices)
    due = serializers.DateField(
        source="deadline.due", allow_null=True, help_text="Null while the term is suspended."
    )
    extension_days = serializers.IntegerField(source="request.extension_days")
    extension_reason = serializers.CharField(source="request.extension_reason")
    overdue = serializers.BooleanField()
    holds = serializers.IntegerField(help_text="Active holds this request placed.")
    decided_on = serializers.DateField(source="request.decided_on", allow_null=True)
    requester_name = serializers.CharField(
        source="request.requester_name", required=False, help_text="Woo coordinators only."
    )
    requester_contact = serializers.CharField(
        source="request.requester_contact", required=False, help_text="Woo coordinators only."
    )

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not instance.show_requester:
            data.pop("requester_name")
            data.pop("requester_contact")
        return data


class PublicationSerializer(serializers.Serializer):
    """Where the request's publication in the GPP-Woo publicatiebank stands."""

    state = serializers.ChoiceField(choices=PublicationState.choices)
    attempts = serializers.IntegerField()
    next_attempt_at = serializers.DateTimeField(allow_null=True)
    error = serializers.CharField(help_text="The last error, in the reader's language.")
    error_code = serializers.CharField()
    error_status = serializers.IntegerField(allow_null=True, help_text="The remote HTTP status.")
    documents = serializers.IntegerField()
    documents_sent = serializers.IntegerField()
    remote_uuid = serializers.CharField()
    remote_url = serializers.CharField()
    requested_at = serializers.DateTimeField(allow_null=True)
    published_at = serializers.DateTimeField(allow_null=True)


class WooRequestDetailSerializer(WooRequestSerializer):
    suspensions = SuspensionSerializer(source="request.suspensions.all", many=True)
    documents = DocumentSummarySerializer(source="request.documents.all", many=True)
    progress = serializers.SerializerMethodField()

    publication = serializers.SerializerMethodField()

    @extend_schema_field(ProgressSerializer)
    def get_progress(self, view) -> dict[str, int]:
        return progress_of(view.request)

    @extend_schema_field(PublicationSerializer(allow_null=True))
    def get_publication(self, view) -> dict | None:
        found = publication_status(None, view.request)  # the view checked the reader
        return PublicationSerializer(found).data if found else None


class PublisherSerializer(serializers.Serializer):
    """The organisation's publicatiebank; of the token only whether one is set."""

    url = serializers.URLField()
    publisher = serializers.UUIDField()
    category = serializers.UUIDField()
    enabled = serializers.BooleanField()
    token_set = serializers.BooleanField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)


class PublisherWriteSerializer(serializers.Serializer):
    organisation = serializers.SlugField(required=False)
    url = serializers.URLField(help_text="The publicatiebank's root, before /api/v2.")
    publisher = serializers.UUIDField(help_text="Your organisation's UUID in the publicatiebank.")
    category = serializers.UUIDField(help_text="The informatiecategorie's UUID.")
    token = serializers.CharField(
        required=False, write_only=True, help_text="Left out: the stored token stays."
    )
    enabled = serializers.BooleanField(required=False)


class RegisterSerializer(serializers.Serializer):
    organisation = serializers.SlugField(
        required=False, help_text="Needed when you work for more than one organisation."
    )
    reference = serializers.CharField(max_length=100)
    received_on = serializers.DateField()
    subject = serializers.CharField(max_length=500)
    scope = serializers.CharField(required=False, max_length=10_000)
    period_start = serializers.DateField(required=False)
    period_end = serializers.DateField(required=False)
    requester_name = serializers.CharField(required=False, max_length=200)
    requester_contact = serializers.CharField(required=False, max_length=300)


class WooStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Status.choices)


class ExtendSerializer(serializers.Serializer):
    days = serializers.IntegerField(min_value=1, max_value=14)
    reason = serializers.CharField()


class SuspendSerializer(serializers.Serializer):
    started_on = serializers.DateField()
    reason = serializers.CharField()


class EndSuspensionSerializer(serializers.Serializer):
    ended_on = serializers.DateField()


class CollectSerializer(serializers.Serializer):
    saved_search = serializers.IntegerField(
        required=False, help_text="One of your saved searches: what it finds now is added."
    )
    conversations = serializers.ListField(
        child=serializers.IntegerField(), required=False, max_length=10_000
    )
    found_by = serializers.CharField(
        required=False, max_length=500, help_text="With conversations: how they were found."
    )


class CollectedSerializer(serializers.Serializer):
    added = serializers.ListField(child=serializers.IntegerField(), help_text="New numbers.")


class CountSerializer(serializers.Serializer):
    count = serializers.IntegerField()


class RedactionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    document = serializers.IntegerField()
    message = serializers.IntegerField()
    start = serializers.IntegerField(help_text="In code points of the message text.")
    end = serializers.IntegerField()
    category = serializers.ChoiceField(choices=REDACTION_CATEGORIES)
    ground = serializers.CharField(help_text=GROUND_HELP)
    source = serializers.CharField(help_text="The detector's rule, reviewer or everywhere.")
    state = serializers.ChoiceField(choices=RedactionState.choices)
    updated_by = serializers.CharField(allow_null=True)
    updated_at = serializers.DateTimeField(allow_null=True)


class ReviewedMessageSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    direction = serializers.CharField()
    author = serializers.CharField()
    created_at = serializers.DateTimeField()
    body = serializers.CharField()


class DecisionSerializer(serializers.Serializer):
    number = serializers.IntegerField(read_only=True)
    decision = serializers.ChoiceField(choices=Decision.choices)
    grounds = serializers.ListField(child=serializers.CharField(help_text=GROUND_HELP))
    explanation = serializers.CharField(required=False, max_length=2000)


class DecidedSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    decision = serializers.ChoiceField(
        choices=Decision.choices, allow_blank=True, help_text="Empty until decided."
    )
    grounds = serializers.ListField(child=serializers.CharField(help_text=GROUND_HELP))
    explanation = serializers.CharField(allow_blank=True)


class DocumentReviewSerializer(serializers.Serializer):
    reference = serializers.CharField()
    document = DecidedSerializer()
    messages = ReviewedMessageSerializer(many=True)
    redactions = RedactionSerializer(many=True)


class ReviewRedactionSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=RedactionState.choices)
    ground = serializers.CharField(required=False, help_text=GROUND_HELP)


class AddRedactionSerializer(serializers.Serializer):
    message = serializers.IntegerField()
    start = serializers.IntegerField(min_value=0, help_text="In code points.")
    end = serializers.IntegerField(min_value=1)
    ground = serializers.CharField(help_text=GROUND_HELP)


class EverywhereSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=200)
    ground = serializers.CharField(help_text=GROUND_HELP)
