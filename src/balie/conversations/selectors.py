"""Every read of conversation data, with its permission check, in one place.

An *actor* is a staff :class:`~balie.accounts.models.User` or an
:class:`~balie.accounts.models.ApiKey` (or an :class:`~balie.accounts.actors.Actor` made of
one, which answers what it may). What an actor may not see raises
:class:`ConversationNotFound` — the same as what does not exist, so another tenant's ids
reveal nothing. Every read of a record by staff is written to the audit log here.
"""

from __future__ import annotations

from django.db.models import Count, F, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from balie import errors
from balie.accounts.actors import Actor
from balie.accounts.models import ORGANISATION_WIDE_ROLES, WRITING_ROLES, Membership
from balie.archive.audit import record_read
from balie.conversations.actions import hash_token, routing
from balie.conversations.actions.checks import id_from_outside
from balie.conversations.models import (
    RESIDENT_VISIBLE,
    AgentStatus,
    Attachment,
    CannedAnswer,
    Contact,
    Conversation,
    ConversationKind,
    Direction,
    Label,
    Message,
    Team,
)
from balie.tenants.models import Organisation


class ConversationNotFound(errors.NotFound):
    """Not there, or not the actor's to see (never told apart). The argument is what was
    looked for; it is kept for debugging, never shown."""

    default_message = _("Not found.")

    def __init__(self, looked_for: object = None) -> None:
        super().__init__()
        self.looked_for = looked_for


class MessageNotFound(ConversationNotFound):
    default_message = _("This message does not exist.")


def _parse_id(value: object) -> int:
    """An id from outside (URL, JSON): a positive integer, or not found."""
    parsed = id_from_outside(value)
    if parsed is None:
        raise ConversationNotFound(value)
    return parsed


class NotAllowed(errors.NotAllowed):
    """The actor sees the conversation but may not do this (e.g. an auditor sending)."""

    def __init__(self, message: errors.Text) -> None:
        super().__init__(message=message)


def memberships_of(user) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("organisation")


def organisation_for(user, slug: str) -> tuple[Organisation, str]:
    """The organisation ``slug`` with the user's role there, or ConversationNotFound."""
    membership = memberships_of(user).filter(organisation__slug=slug).first()
    if membership is None:
        raise ConversationNotFound(slug)
    return membership.organisation, membership.role


def conversations_visible_to(actor, organisation_id: int | None = None) -> QuerySet[Conversation]:
    """Conversations the actor may read; optionally limited to one organisation."""
    qs = Conversation.objects.select_related("contact", "assignee", "team")
    who = Actor.of(actor)
    # A key sees the whole of its own organisation, as organisation-wide roles do.
    wide = _narrow(who.organisations(ORGANISATION_WIDE_ROLES), organisation_id)
    person = who.user
    if person is None:
        return qs.filter(organisation_id__in=wide)
    team_only = [pk for pk in _narrow(who.organisations(), organisation_id) if pk not in wide]
    # Agents see their teams' queues, conversations without a team, and what is theirs.
    # (A subquery, not a join over team members: no duplicate rows, no DISTINCT needed.)
    my_teams = Team.objects.filter(members=person).values("pk")
    team_filter = Q(organisation_id__in=team_only) & (
        Q(team_id__in=my_teams) | Q(team__isnull=True) | Q(assignee=person)
    )
    return qs.filter(Q(organisation_id__in=wide) | team_filter)


def _narrow(organisations: list[int], organisation_id: int | None) -> list[int]:
    return [pk for pk in organisations if organisation_id in (None, pk)]


def with_unread_counts(qs: QuerySet[Conversation]) -> QuerySet[Conversation]:
    """Annotate ``unread``: resident messages after the agents' read marker."""
    from django.db.models import OuterRef, Subquery
    from django.db.models.functions import Coalesce

    unread = (
        Message.objects.filter(
            conversation=OuterRef("pk"),
            direction=Direction.INBOUND,
            seq__gt=OuterRef("agent_read_seq"),
        )
        .order_by()
        .values("conversation")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return qs.annotate(unread=Coalesce(Subquery(unread), 0)).order_by(
        F("last_message_at").desc(nulls_last=True), "-id"
    )


def access_conversation(
    actor, conversation_id: object, *, write: bool = False, audit: bool = True
) -> Conversation:
    """Fetch one conversation the actor may see (and, with ``write``, act on).

    A read is written to the audit log. Writes are not (the archive records them), nor is
    ``audit=False``: a lookup that only moves a read marker, not a read of the record.
    """
    conversation_id = _parse_id(conversation_id)
    actor = Actor.of(actor)  # asked twice below: its memberships are read once
    conversation = conversations_visible_to(actor).filter(pk=conversation_id).first()
    if conversation is None:
        raise ConversationNotFound(conversation_id)
    if write and not can_write(actor, conversation.organisation_id):
        raise NotAllowed(_("With your role you cannot change anything in this conversation."))
    if audit and not write:
        record_read(
            actor,
            organisation_id=conversation.organisation_id,
            action="conversation.read",
            object_type="conversation",
            object_id=conversation.pk,
        )
    return conversation


def record_list_read(actor, records: list, *, kind: str, filters: dict) -> None:
    """Audit a list of records shown to staff (an inbox, an API page, search results):
    one entry per organisation, with the ids shown."""
    by_organisation: dict[int, list[int]] = {}
    for record in records:
        by_organisation.setdefault(record.organisation_id, []).append(record.pk)
    for organisation_id, ids in by_organisation.items():
        record_read(
            actor,
            organisation_id=organisation_id,
            action=f"{kind}.list",
            object_type=kind,
            detail={"ids": ids[:500], "count": len(ids), "filters": filters},
        )


def can_write(actor, organisation_id: int) -> bool:
    """A person who handles conversations there, or the organisation's own key."""
    return organisation_id in Actor.of(actor).organisations(WRITING_ROLES)


def access_conversation_by_token(organisation_slug: str, token: object) -> Conversation:
    """The resident's own conversation, found by the device token they hold."""
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        raise ConversationNotFound("token")
    conversation = (
        Conversation.objects.select_related("organisation")
        .filter(organisation__slug=organisation_slug, resident_token_hash=hash_token(token))
        .first()
    )
    if conversation is None:
        raise ConversationNotFound("token")
    return conversation


def messages_after(
    conversation: Conversation, after_seq: int = 0, *, for_resident: bool, limit: int | None = None
) -> QuerySet[Message]:
    """Messages with ``seq > after_seq`` in order; residents never get notes or system lines."""
    qs = (
        Message.objects.filter(conversation=conversation, seq__gt=after_seq)
        .select_related("author")
        .prefetch_related("attachments")
        .order_by("seq")
    )
    if for_resident:
        qs = qs.filter(direction__in=RESIDENT_VISIBLE)
    return qs[:limit] if limit else qs


def access_attachment(actor, attachment_id: object) -> Attachment:
    attachment_id = _parse_id(attachment_id)
    visible = conversations_visible_to(actor).values("pk")
    attachment = Attachment.objects.filter(pk=attachment_id, conversation__in=visible).first()
    if attachment is None:
        raise ConversationNotFound(attachment_id)
    record_read(
        actor,
        organisation_id=attachment.organisation_id,
        action="attachment.read",
        object_type="attachment",
        object_id=attachment.pk,
        detail={"conversation": attachment.conversation_id},
    )
    return attachment


def resident_attachment(conversation: Conversation, attachment_id: object) -> Attachment:
    """An attachment the resident may fetch: in their conversation, not in a note."""
    attachment_id = _parse_id(attachment_id)
    attachment = (
        Attachment.objects.filter(pk=attachment_id, conversation=conversation)
        .filter(
            Q(message__direction__in=RESIDENT_VISIBLE)
            | Q(message__isnull=True, uploaded_by_resident=True)
        )
        .first()
    )
    if attachment is None:
        raise ConversationNotFound(attachment_id)
    return attachment


def contacts_visible_to(actor, organisation_id: int | None = None) -> QuerySet[Contact]:
    """The contacts of every organisation the actor works for (a key: its own)."""
    organisations = _narrow(Actor.of(actor).organisations(), organisation_id)
    return Contact.objects.filter(organisation_id__in=organisations)


def access_contact(actor, contact_id: object) -> Contact:
    contact_id = _parse_id(contact_id)
    contact = contacts_visible_to(actor).filter(pk=contact_id).first()
    if contact is None:
        raise ConversationNotFound(contact_id)
    record_read(
        actor,
        organisation_id=contact.organisation_id,
        action="contact.read",
        object_type="contact",
        object_id=contact.pk,
    )
    return contact


def resident_attachment_by_id(attachment_id: object) -> Attachment:
    """An attachment a resident may fetch by a signed link (see ``resident_attachment``)."""
    attachment_id = _parse_id(attachment_id)
    conversation = (
        Conversation.objects.select_related("organisation")
        .filter(attachments__pk=attachment_id)
        .first()
    )
    if conversation is None:
        raise ConversationNotFound(attachment_id)
    return resident_attachment(conversation, attachment_id)


def teams_of(organisation_id: int) -> list[Team]:
    return list(Team.objects.for_organisation(organisation_id))


def label_names_of(organisation_id: int) -> list[str]:
    """The organisation's labels, for suggestions in forms."""
    return list(Label.objects.for_organisation(organisation_id).values_list("name", flat=True))


def team_in(organisation_id: int, team_id: object) -> Team | None:
    """Team ``team_id`` if it belongs to the organisation."""
    if isinstance(team_id, bool) or not isinstance(team_id, int):
        return None
    return Team.objects.for_organisation(organisation_id).filter(pk=team_id).first()


def message_in(conversation: Conversation, message_id: object) -> Message:
    """A message of this (already accessed) conversation, or ConversationNotFound."""
    message_id = _parse_id(message_id)
    message = Message.objects.filter(conversation=conversation, pk=message_id).first()
    if message is None:
        raise MessageNotFound(message_id)
    return message


# --- beside an open conversation: the resident's history, the canned answers --------------
HISTORY_LIMIT = 20
CANNED_LIMIT = 10


def contact_history(actor, conversation: Conversation) -> tuple[list[Conversation], int]:
    """The contact's other conversations that the actor may see, newest first (at most
    HISTORY_LIMIT), and how many there are in all; shown beside the conversation so two
    agents do not answer the same question twice. The list is audited like an inbox."""
    qs = (
        conversations_visible_to(actor, conversation.organisation_id)
        .filter(contact_id=conversation.contact_id)
        .exclude(pk=conversation.pk)
    )
    rows = list(qs.order_by("-created_at", "-pk")[:HISTORY_LIMIT])
    total = len(rows) if len(rows) < HISTORY_LIMIT else qs.count()
    if rows:
        record_list_read(
            actor, rows, kind="conversation", filters={"contact": conversation.contact_id}
        )
    return rows, total


def canned_answers_of(organisation_id: int) -> QuerySet[CannedAnswer]:
    """All of the organisation's canned answers (the page where they are written)."""
    return (
        CannedAnswer.objects.for_organisation(organisation_id)
        .select_related("team", "created_by")
        .order_by("team__name", "shortcut", "pk")
    )


def canned_answers_for(conversation: Conversation, query: object) -> list[CannedAnswer]:
    """The canned answers an agent may use in this conversation: the organisation's and its
    team's (a team's answer hides the organisation's with the same shortcut), whose shortcut
    starts with ``query`` or whose title holds it; at most CANNED_LIMIT, shortcut order."""
    query = query.strip().lower()[:40] if isinstance(query, str) else ""
    qs = CannedAnswer.objects.for_organisation(conversation.organisation_id).filter(
        Q(team__isnull=True) | Q(team_id=conversation.team_id)
    )
    if query:
        qs = qs.filter(Q(shortcut__startswith=query) | Q(title__icontains=query))
    found: dict[str, CannedAnswer] = {}
    team_first = F("team_id").desc(nulls_last=True)
    for answer in qs.order_by("shortcut", team_first)[: CANNED_LIMIT * 2]:
        found.setdefault(answer.shortcut, answer)
    return list(found.values())[:CANNED_LIMIT]


# --- routing: the teams' rules, the agents' availability and room, the queues --------------
def agent_status_of(organisation_id: int, user) -> AgentStatus:
    """The agent's availability and capacity in the organisation (unsaved defaults: offline,
    5, when they never set one)."""
    found = AgentStatus.objects.filter(organisation_id=organisation_id, user=user).first()
    return found or AgentStatus(organisation_id=organisation_id, user=user)


def routing_overview(actor, organisation_id: int) -> list[dict]:
    """Per team: its rule, the members who handle conversations (availability, open
    conversations, ``max_open``, last seen) and how many conversations wait in its queue.
    For the organisation's staff who handle conversations; others get NotAllowed."""
    if not Actor.of(actor).has_role(organisation_id, WRITING_ROLES):
        raise errors.NotAllowed(
            "not_allowed", _("Only staff who handle conversations see the routing.")
        )
    writers = set(
        Membership.objects.filter(
            organisation_id=organisation_id, role__in=WRITING_ROLES
        ).values_list("user_id", flat=True)
    )
    statuses = {
        status.user_id: status
        for status in AgentStatus.objects.filter(organisation_id=organisation_id)
    }
    live = Conversation.objects.filter(
        organisation_id=organisation_id, status__in=routing.OPEN_STATUSES
    )
    open_counts = dict(
        live.filter(assignee__isnull=False)
        .values("assignee_id")
        .annotate(n=Count("pk"))
        .values_list("assignee_id", "n")
    )
    queues = dict(
        live.filter(assignee__isnull=True, team__isnull=False, kind=ConversationKind.LIVE)
        .values("team_id")
        .annotate(n=Count("pk"))
        .values_list("team_id", "n")
    )
    overview = []
    for team in Team.objects.for_organisation(organisation_id).prefetch_related("members"):
        members = []
        for user in sorted(team.members.all(), key=lambda u: (str(u), u.pk)):
            if user.pk not in writers or not user.is_active:
                continue
            status = statuses.get(user.pk) or AgentStatus(
                organisation_id=organisation_id, user=user
            )
            members.append({"user": user, "status": status, "open": open_counts.get(user.pk, 0)})
        overview.append({"team": team, "members": members, "queue": queues.get(team.pk, 0)})
    return overview
