"""Contacts, teams, conversations, messages and their attachments.

Writes go through ``actions.py``; reads with their permission checks through ``selectors.py``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from balie.tenants.models import Organisation, TenantQuerySet


class Routing(models.TextChoices):
    """How a team's new conversations find an agent (``actions.routing``)."""

    MANUAL = "manual", _("Manual: agents pick or are given conversations")
    ROUND_ROBIN = "round_robin", _("Round robin: in turn to the available agents")
    CAPACITY = "capacity", _("Capacity: to the available agent with the most room")


class Collision(models.TextChoices):
    """What happens when an agent replies in a conversation assigned to someone else."""

    WARN = "warn", _("Warn and ask for confirmation")
    BLOCK = "block", _("Block: only the assignee replies")


class Team(models.Model):
    """A queue / inbox of an organisation, e.g. "Burgerzaken" or "Afval"."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(max_length=100)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="teams", blank=True)
    is_default = models.BooleanField(default=False, help_text="New web chats land here.")
    record_class = models.ForeignKey(
        "archive.RecordClass",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The record class of this team's conversations (else the channel's).",
    )
    routing = models.CharField(max_length=16, choices=Routing.choices, default=Routing.MANUAL)
    collision = models.CharField(max_length=8, choices=Collision.choices, default=Collision.WARN)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="unique_team_name")
        ]

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    """A resident or business the organisation talks to. Web chat contacts may be anonymous."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=32, blank=True)
    # A resident who logged in with DigiD (through the organisation's OIDC broker): the BSN
    # sealed (tenants.secrets) and a keyed digest of it to find the contact again; never shown
    # to agents unless the organisation allows it.
    bsn_sealed = models.TextField(blank=True)
    bsn_digest = models.CharField(max_length=64, blank=True)
    identified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # A channel's resident found again by number or address (actions.channels).
            models.Index(
                fields=["organisation", "phone"],
                condition=~models.Q(phone=""),
                name="contact_org_phone",
            ),
            models.Index(
                fields=["organisation", "email"],
                condition=~models.Q(email=""),
                name="contact_org_email",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "bsn_digest"],
                condition=~models.Q(bsn_digest=""),
                name="unique_contact_bsn",
            )
        ]

    def __str__(self) -> str:
        return self.name or f"Inwoner #{self.pk}"


class Label(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="labels")
    name = models.CharField(max_length=60)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="unique_label_name")
        ]

    def __str__(self) -> str:
        return self.name


class Channel(models.TextChoices):
    WEBCHAT = "webchat", _("Web chat")
    WHATSAPP = "whatsapp", _("WhatsApp")
    SMS = "sms", _("SMS")
    EMAIL = "email", _("Email")
    TELEGRAM = "telegram", _("Telegram")


class Status(models.TextChoices):
    OPEN = "open", _("Open")
    PENDING = "pending", _("Waiting for resident")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


# open → pending → resolved → closed; a resident's new message reopens pending/resolved.
STATUS_TRANSITIONS: dict[str, frozenset[str]] = {
    Status.OPEN: frozenset({Status.PENDING, Status.RESOLVED, Status.CLOSED}),
    Status.PENDING: frozenset({Status.OPEN, Status.RESOLVED, Status.CLOSED}),
    Status.RESOLVED: frozenset({Status.OPEN, Status.CLOSED}),
    Status.CLOSED: frozenset(),
}


class ConversationKind(models.TextChoices):
    LIVE = "live", _("Conversation in Balie")
    IMPORTED = "imported", _("Imported from a phone")


class Conversation(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="conversations"
    )
    channel = models.CharField(max_length=16, choices=Channel.choices, default=Channel.WEBCHAT)
    kind = models.CharField(
        max_length=16,
        choices=ConversationKind.choices,
        default=ConversationKind.LIVE,
        help_text="Imported: an official's chat from a phone's export (balie.imports).",
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="conversations")
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="conversations"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_conversations",
    )
    subject = models.CharField(max_length=200, blank=True)
    labels = models.ManyToManyField(Label, blank=True, related_name="conversations")
    case_reference = models.CharField(max_length=100, blank=True, help_text="Zaaknummer.")
    # Highest message sequence handed out; bumped inside the send transaction.
    last_seq = models.BigIntegerField(default=0)
    # Highest sequence each side has read (read receipts, unread counts).
    agent_read_seq = models.BigIntegerField(default=0)
    resident_read_seq = models.BigIntegerField(default=0)
    # SHA-256 of the resident's device token (web chat); the token itself is never stored.
    resident_token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    language = models.CharField(max_length=8, default="nl")
    created_at = models.DateTimeField(auto_now_add=True)
    last_message_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # For routing and the supervisor dashboard, kept by the writer and the handling actions:
    # when the current assignee got it, the first answer to the resident, when it was resolved
    # or closed (cleared when reopened), and since when a resident's message waits for an
    # answer (null: none). See actions/timings.py.
    assigned_at = models.DateTimeField(null=True, blank=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    waiting_since = models.DateTimeField(null=True, blank=True)
    # Retention: the record class decides when the conversation may be destroyed.
    record_class = models.ForeignKey(
        "archive.RecordClass",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="conversations",
    )
    record_class_chosen = models.BooleanField(
        default=False, help_text="Set by a person; a team change then leaves it alone."
    )
    # Content removed by an executed destruction list; the row stays as a tombstone.
    destroyed_at = models.DateTimeField(null=True, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-last_message_at", "-id"]
        indexes = [
            models.Index(fields=["organisation", "status", "team"]),
            models.Index(fields=["organisation", "created_at"], name="conversation_org_created"),
            models.Index(
                fields=["organisation", "assignee", "status"], name="conversation_org_assignee"
            ),
            models.Index(fields=["organisation", "contact"], name="conversation_org_contact"),
        ]

    def __str__(self) -> str:
        return self.subject or f"Gesprek #{self.pk}"


class Direction(models.TextChoices):
    INBOUND = "inbound", _("From resident")
    OUTBOUND = "outbound", _("To resident")
    NOTE = "note", _("Internal note")
    SYSTEM = "system", _("System")


# What the resident receives; notes and system messages stay with staff.
RESIDENT_VISIBLE = (Direction.INBOUND, Direction.OUTBOUND)


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("delivery status", "Sending")
    SENT = "sent", pgettext_lazy("delivery status", "Sent")
    DELIVERED = "delivered", pgettext_lazy("delivery status", "Delivered")
    READ = "read", pgettext_lazy("delivery status", "Read")
    FAILED = "failed", pgettext_lazy("delivery status", "Failed")


class Message(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    seq = models.BigIntegerField(help_text="Monotonic per conversation, starting at 1.")
    direction = models.CharField(max_length=16, choices=Direction.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sent_by_api_key = models.ForeignKey(
        "accounts.ApiKey",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The connected system that sent it, when not a person.",
    )
    body = models.TextField(blank=True)
    author_name = models.CharField(
        max_length=200, blank=True, help_text="The author as an imported export names them."
    )
    client_id = models.CharField(max_length=64, help_text="Idempotency key chosen by the sender.")
    delivery_error = models.CharField(
        max_length=300,
        blank=True,
        help_text="Why an external channel has not taken it (yet): its own error, never the text.",
    )
    delivery_status = models.CharField(
        max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.SENT
    )
    created_at = models.DateTimeField()
    # Shown as "bewerkt" / "verwijderd"; the original text stays in the archive's events.
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["seq"]
        constraints = [
            models.UniqueConstraint(fields=["conversation", "seq"], name="unique_message_seq"),
            models.UniqueConstraint(
                fields=["conversation", "client_id"], name="unique_message_client_id"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.conversation_id}#{self.seq}"


class Attachment(models.Model):
    """A file in a conversation, stored content-addressed by its SHA-256.

    ``sha256`` is the original as uploaded (kept for the archive); for images,
    ``display_sha256`` is a copy without EXIF/GPS metadata, the one staff are shown.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="attachments"
    )
    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    uploaded_by_resident = models.BooleanField(default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    uploaded_by_api_key = models.ForeignKey(
        "accounts.ApiKey", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100, help_text="Sniffed from the bytes.")
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    display_sha256 = models.CharField(max_length=64, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantQuerySet.as_manager()

    def __str__(self) -> str:
        return self.filename

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class DeliveryAttempt(models.Model):
    """An outbound message handed to its channel and not yet answered.

    Written and committed before the channel is called, removed once its answer is stored.
    One that is still there when the delivery task runs again means an earlier run stopped in
    between (its worker was killed): whether the channel took the message is unknown, so it is
    marked failed for staff to check and send again, never sent blindly a second time."""

    message = models.OneToOneField(
        Message, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    started_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"delivery of message {self.message_id} since {self.started_at}"


class Availability(models.TextChoices):
    ONLINE = "online", _("Online")
    AWAY = "away", _("Away")
    OFFLINE = "offline", _("Offline")


class AgentStatus(models.Model):
    """An agent's availability and capacity in one organisation, as routing reads them."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    availability = models.CharField(
        max_length=8, choices=Availability.choices, default=Availability.OFFLINE
    )
    max_open = models.PositiveSmallIntegerField(
        default=5, help_text="Open conversations assigned at most (capacity routing)."
    )
    last_assigned_at = models.DateTimeField(null=True, blank=True)
    last_seen_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Last sign of life from the agent's console (auto-offline).",
    )
    changed_at = models.DateTimeField(auto_now=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], name="unique_agent_status")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.availability}"


class CannedAnswer(models.Model):
    """A prepared answer of an organisation (or one team), found with "/" in the composer.

    The texts may hold placeholders (``{resident_name}``, ``{agent_first_name}``, …) that
    ``actions.canned`` fills in; one text per language."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="canned_answers"
    )
    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, null=True, blank=True, related_name="canned_answers"
    )
    shortcut = models.SlugField(max_length=40)
    title = models.CharField(max_length=100)
    body_nl = models.TextField(blank=True)
    body_en = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["shortcut"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "team", "shortcut"], name="unique_canned_shortcut"
            ),
            models.UniqueConstraint(
                fields=["organisation", "shortcut"],
                condition=models.Q(team__isnull=True),
                name="unique_canned_shortcut_organisation",
            ),
        ]

    def __str__(self) -> str:
        return f"/{self.shortcut}"


class DayFigures(models.Model):
    """The dashboard's daily summary: per organisation, local day (of the start), team and
    channel, how many live conversations started, per hour of the day, and histograms of the
    seconds to the first response and to the resolution (``conversations.figures``).

    Each day is summed four times: per team and channel, per team over all channels
    (``all_channels``), per channel over all teams (``all_teams``), and over both, so that a
    query reads the rows of its own grouping only (a year per day: 366 rows, not 366 × teams ×
    channels).

    Derived data, rebuilt by ``actions.figures.do_refresh_day_figures`` from the
    conversations; never a record of its own (no archive event, no retention)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    channel = models.CharField(max_length=16, blank=True)  # "" with all_channels
    all_teams = models.BooleanField(default=False)
    all_channels = models.BooleanField(default=False)
    started = models.PositiveIntegerField(default=0)
    hours = models.JSONField(default=list)  # 24 counts, local hours 0–23
    first_response = models.JSONField(default=dict)  # {bucket: count}
    resolution = models.JSONField(default=dict)

    objects = TenantQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(
                fields=["organisation", "all_teams", "all_channels", "day"],
                name="dayfigures_org_level_day",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.day} {self.team_id} {self.channel}"


class DayFiguresState(models.Model):
    """Up to when an organisation's :class:`DayFigures` are complete: every conversation
    whose start or last message came before ``refreshed_until`` is in them."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="+")
    refreshed_until = models.DateTimeField()

    objects = TenantQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.organisation_id}: {self.refreshed_until}"
