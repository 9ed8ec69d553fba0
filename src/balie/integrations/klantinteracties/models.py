"""The organisation's connection to its Klantinteracties API (Open Klant 2.x) and, per
conversation, its registration there (the outbox row the registering task works from)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from balie.conversations.models import Conversation
from balie.tenants.models import Organisation, TenantQuerySet


class Connection(models.Model):
    """Where and how an organisation registers its resolved conversations. The API token is
    sealed (``balie.tenants.secrets``) and never shown back."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="+")
    url = models.URLField(
        max_length=500,
        help_text="The Klantinteracties API's root, e.g. https://…/klantinteracties/api/v1.",
    )
    token = models.TextField(help_text="The API token, sealed; never shown.")
    enabled = models.BooleanField(default=True)
    kanalen = models.JSONField(
        default=dict,
        blank=True,
        help_text="The kanaal name per channel where it differs from the default.",
    )
    confidential = models.BooleanField(
        default=True, help_text="Register klantcontacten as vertrouwelijk."
    )
    send_contact_details = models.BooleanField(
        default=True,
        help_text="Register an identified resident as betrokkene with name and addresses.",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantQuerySet.as_manager()

    def __str__(self) -> str:
        return self.url


class RegistrationState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    REGISTERED = "registered", _("Registered")
    FAILED = "failed", _("Failed")


class Registration(models.Model):
    """A conversation's registration as a klantcontact. One row per conversation; each
    resolution with messages not registered before starts a new *round* (a new klantcontact
    for those messages), the earlier rounds' addresses kept in ``earlier``.

    The messages of a round are the resident's and the organisation's (no notes, no system
    lines) with ``from_seq < seq <= covered_seq``; ``wanted_seq`` is the last such message
    when the conversation was last resolved. Every remote address is stored as soon as Open
    Klant answers, so a retry continues without creating anything twice; ``tried`` names the
    steps whose creation was sent in this round (an answer that never arrived is looked up
    before sending again), ``key`` is the round's mark in the klantcontact's metadata.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    conversation = models.OneToOneField(Conversation, on_delete=models.CASCADE, related_name="+")
    key = models.UUIDField(unique=True, help_text="This round's mark in the metadata.")
    round = models.PositiveIntegerField(default=1)
    state = models.CharField(
        max_length=10, choices=RegistrationState.choices, default=RegistrationState.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    error_code = models.CharField(max_length=40, blank=True)
    error_status = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Open Klant's HTTP status, if it answered."
    )
    last_error = models.CharField(
        max_length=500, blank=True, help_text="Open Klant's own error text, capped."
    )
    from_seq = models.BigIntegerField(default=0)
    covered_seq = models.BigIntegerField(default=0)
    wanted_seq = models.BigIntegerField(default=0)
    tried = models.JSONField(default=list, blank=True)
    remote_base = models.URLField(
        max_length=500, blank=True, help_text="The API the addresses below belong to."
    )
    klantcontact_url = models.URLField(max_length=1000, blank=True)
    klantcontact_uuid = models.UUIDField(null=True, blank=True)
    betrokkene_url = models.URLField(max_length=1000, blank=True)
    betrokkene_uuid = models.UUIDField(null=True, blank=True)
    onderwerpobject_url = models.URLField(max_length=1000, blank=True)
    bijlage_url = models.URLField(max_length=1000, blank=True)
    digitale_adressen = models.JSONField(
        default=dict, blank=True, help_text="{soortDigitaalAdres: url} of the betrokkene."
    )
    earlier = models.JSONField(
        default=list, blank=True, help_text="Earlier rounds: [{round, klantcontact, at}]."
    )
    queued_at = models.DateTimeField()
    registered_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [
            models.Index(fields=["organisation", "-updated_at"], name="klantinteracties_recent")
        ]

    def __str__(self) -> str:
        return f"{self.conversation_id} #{self.round} ({self.state})"
