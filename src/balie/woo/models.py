"""A Woo request (Woo-verzoek) and the periods it was suspended (opschorting)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from balie.tenants.models import Organisation, TenantQuerySet


class Status(models.TextChoices):
    RECEIVED = "received", _("Received")
    COLLECTING = "collecting", _("Collecting")
    ASSESSING = "assessing", _("Assessing")
    DECIDED = "decided", _("Decided")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_STATUSES = (Status.RECEIVED, Status.COLLECTING, Status.ASSESSING, Status.DECIDED)
CLOSED_STATUSES = (Status.PUBLISHED, Status.WITHDRAWN)


class WooRequest(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    reference = models.CharField(max_length=100, help_text="The request's number, WOO-2026-014.")
    received_on = models.DateField(help_text="The day the request was received.")
    subject = models.CharField(max_length=500)
    scope = models.TextField(blank=True, help_text="What the request asks for, in its words.")
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    # The requester is personal data: shown to Woo coordinators only, never in the archive.
    requester_name = models.CharField(max_length=200, blank=True)
    requester_contact = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RECEIVED)
    extension_days = models.PositiveSmallIntegerField(default=0)
    extension_reason = models.TextField(blank=True)
    decided_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "reference"], name="woo_request_reference_unique"
            )
        ]
        ordering = ["received_on", "pk"]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class Suspension(models.Model):
    """The decision term does not run from ``started_on`` until ``ended_on`` (Awb 4:15):
    the days in between are added to it. An open suspension has no end yet."""

    request = models.ForeignKey(WooRequest, on_delete=models.CASCADE, related_name="suspensions")
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    reason = models.TextField()

    class Meta:
        ordering = ["started_on", "pk"]

    def __str__(self) -> str:
        return f"{self.request} {self.started_on}–{self.ended_on or ''}"


class Decision(models.TextChoices):
    PUBLIC = "openbaar", _("Public")
    PARTLY_PUBLIC = "deels_openbaar", _("Partly public")
    NOT_PUBLIC = "niet_openbaar", _("Not public")
    ALREADY_PUBLIC = "reeds_openbaar", _("Already public")


PUBLISHED_DECISIONS = (Decision.PUBLIC, Decision.PARTLY_PUBLIC)


class Document(models.Model):
    """A conversation collected for a request, numbered within it (the number never changes:
    the inventarislijst and the decision refer to it)."""

    request = models.ForeignKey(WooRequest, on_delete=models.CASCADE, related_name="documents")
    number = models.PositiveIntegerField()
    conversation = models.ForeignKey(
        "conversations.Conversation", on_delete=models.PROTECT, related_name="+"
    )
    found_by = models.CharField(max_length=500, help_text="The search that found it.")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)
    decision = models.CharField(max_length=16, choices=Decision.choices, blank=True)
    grounds = models.JSONField(default=list, blank=True)
    explanation = models.TextField(blank=True)

    class Meta:
        ordering = ["request", "number"]
        constraints = [
            models.UniqueConstraint(fields=["request", "number"], name="woo_document_number"),
            models.UniqueConstraint(
                fields=["request", "conversation"], name="woo_document_conversation"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request} #{self.number}"


class RedactionState(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class Redaction(models.Model):
    """Characters ``start``–``end`` of a message's text, blacked out under ``ground`` once
    accepted. The text itself is not copied here: it is read from the message when shown."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="redactions")
    message = models.ForeignKey("conversations.Message", on_delete=models.PROTECT, related_name="+")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    category = models.CharField(max_length=20)
    ground = models.CharField(max_length=20)
    source = models.CharField(max_length=60, help_text="The detector's rule, or reviewer.")
    state = models.CharField(
        max_length=10, choices=RedactionState.choices, default=RedactionState.PROPOSED
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["message_id", "start"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "message", "start", "end"], name="woo_redaction_span"
            )
        ]

    def __str__(self) -> str:
        return f"{self.message_id}[{self.start}:{self.end}] {self.ground}"


class PublicationTarget(models.Model):
    """The organisation's GPP-Woo publicatiebank: where decided requests are published.
    The API token is sealed (``balie.tenants.secrets``) and never shown back."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="+")
    url = models.URLField(max_length=500, help_text="The publicatiebank's root, before /api/v2/.")
    token = models.TextField(help_text="The API token, sealed; never shown.")
    publisher = models.UUIDField(
        help_text="The organisation's UUID in the publicatiebank (publisher)."
    )
    category = models.UUIDField(
        help_text="The informatiecategorie's UUID for Woo-verzoeken en -besluiten."
    )
    enabled = models.BooleanField(default=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantQuerySet.as_manager()

    def __str__(self) -> str:
        return self.url


class PublicationState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    PUBLISHED = "published", _("Published")
    FAILED = "failed", _("Failed")


class Publication(models.Model):
    """A request's publication in the publicatiebank. The remote ids are stored as soon as
    they are returned, so an attempt after a failure continues where the last one stopped;
    ``key`` is the kenmerk that finds what an interrupted attempt created but never stored."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    request = models.OneToOneField(WooRequest, on_delete=models.CASCADE, related_name="publication")
    key = models.UUIDField(unique=True, help_text="Our kenmerk at the publicatiebank.")
    state = models.CharField(
        max_length=10, choices=PublicationState.choices, default=PublicationState.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    error_code = models.CharField(max_length=40, blank=True)
    error_status = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="The publicatiebank's HTTP status, if it answered."
    )
    last_error = models.CharField(
        max_length=500, blank=True, help_text="The publicatiebank's own error text, capped."
    )
    remote_base = models.URLField(
        max_length=500, blank=True, help_text="The publicatiebank the remote ids belong to."
    )
    remote_uuid = models.UUIDField(null=True, blank=True)
    remote_url = models.URLField(max_length=1000, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField()
    published_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.request} ({self.state})"


class PublishedDocument(models.Model):
    """One document of a publication at the publicatiebank: its remote id, the file parts
    the publicatiebank expects (``[{"url", "volgnummer", "omvang", "done"}]``), the digest
    of the bytes they were announced for, and the fingerprint of the PDF's content (a PDF
    rendered again differs in its dates only)."""

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="documents")
    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="+")
    key = models.UUIDField(unique=True, help_text="Our kenmerk of the document.")
    file_name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField(default=0)
    digest = models.CharField(max_length=64, blank=True, help_text="SHA-256 of the file sent.")
    fingerprint = models.CharField(
        max_length=64, blank=True, help_text="SHA-256 of the PDF's content, without its dates."
    )
    remote_uuid = models.UUIDField(null=True, blank=True)
    parts = models.JSONField(default=list, blank=True)
    uploaded = models.BooleanField(default=False)

    class Meta:
        ordering = ["publication", "document__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "document"], name="woo_published_document"
            )
        ]

    def __str__(self) -> str:
        return f"{self.publication.request} #{self.document.number}"
