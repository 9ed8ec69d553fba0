"""The organisation's connection to a Notificaties API, the notifications Balie publishes
there (an outbox, filled in the transaction of the change) and the ones it receives."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from balie.tenants.models import Organisation, TenantQuerySet

DEFAULT_KANAAL = "balie-gesprekken"


class Connection(models.Model):
    """One organisation's Notificaties API. The secret and the callback's authorisation
    value are sealed (``balie.tenants.secrets``) and never shown back."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="+")
    url = models.URLField(max_length=500, help_text="The API's root, ending in /api/v1.")
    client_id = models.CharField(max_length=255, help_text="The ZGW client id (JWT issuer).")
    secret = models.TextField(help_text="The ZGW secret, sealed; never shown.")
    kanaal = models.CharField(max_length=50, default=DEFAULT_KANAAL)
    enabled = models.BooleanField(default=True, help_text="Publish conversation events.")
    kanaal_url = models.URLField(
        max_length=1000, blank=True, help_text="The kanaal at the API, once registered."
    )
    callback_token = models.CharField(
        max_length=64, unique=True, help_text="Names the organisation in the callback address."
    )
    callback_auth = models.TextField(
        blank=True, help_text="The Authorization value the API sends to the callback, sealed."
    )
    abonnement_url = models.URLField(max_length=1000, blank=True)
    abonnement_kanalen = models.JSONField(
        default=list, blank=True, help_text='[{"naam": …, "filters": {…}}] subscribed to.'
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantQuerySet.as_manager()

    def __str__(self) -> str:
        return self.url


class State(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class SentNotification(models.Model):
    """One notificatie for one archive event: written with the event, sent by the task.
    ``key`` is its identity across attempts; ``aanmaakdatum`` is the event's time, so a
    notificatie sent twice is the same one twice."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    key = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    event_id = models.BigIntegerField(unique=True, help_text="The archive event it announces.")
    event_type = models.CharField(max_length=64)
    conversation_id = models.BigIntegerField()
    resource = models.CharField(max_length=100)
    actie = models.CharField(max_length=100)
    hoofd_object = models.URLField(max_length=1000)
    resource_url = models.URLField(max_length=1000)
    kenmerken = models.JSONField(default=dict)
    aanmaakdatum = models.DateTimeField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    error_code = models.CharField(max_length=40, blank=True)
    error_status = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="The API's HTTP status, if it answered."
    )
    last_error = models.CharField(max_length=500, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["organisation", "-id"], name="notificaties_sent_latest"),
            models.Index(fields=["state", "updated_at"], name="notificaties_sent_state"),
        ]

    def __str__(self) -> str:
        return f"{self.resource} {self.actie} ({self.state})"


class ReceivedNotification(models.Model):
    """A notificatie the Notificaties API delivered to the organisation's callback. Kept as
    received (the known fields); ``digest`` makes a delivery that is repeated (its answer
    lost) one row."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    digest = models.CharField(max_length=64, help_text="SHA-256 of the notificatie's fields.")
    kanaal = models.CharField(max_length=50)
    source = models.CharField(max_length=100, blank=True)
    hoofd_object = models.URLField(max_length=1000)
    resource = models.CharField(max_length=100)
    resource_url = models.URLField(max_length=1000)
    actie = models.CharField(max_length=100)
    aanmaakdatum = models.DateTimeField()
    kenmerken = models.JSONField(default=dict)
    received_at = models.DateTimeField(auto_now_add=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "digest"], name="notificaties_received_once"
            )
        ]
        indexes = [
            models.Index(fields=["organisation", "-id"], name="notificaties_received_latest")
        ]

    def __str__(self) -> str:
        return f"{self.kanaal}: {self.resource} {self.actie}"
