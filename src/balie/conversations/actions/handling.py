"""How the organisation handles a conversation: teams, assignment, status, details."""

from __future__ import annotations

from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from balie.accounts.actions import announce_access_change
from balie.accounts.actors import Actor
from balie.accounts.models import WRITING_ROLES, Membership
from balie.archive.actions import record_event
from balie.archive.actors import actor_ref
from balie.conversations import event_types, events, followers
from balie.conversations.actions import routing
from balie.conversations.actions.assigning import system_line, write_assignment
from balie.conversations.actions.errors import ActionError, StateConflict, UnknownReference
from balie.conversations.models import (
    STATUS_TRANSITIONS,
    Conversation,
    ConversationKind,
    Label,
    Status,
    Team,
)
from balie.tenants.models import Organisation

_system_message = system_line


def do_assign(
    conversation: Conversation,
    *,
    actor,
    assignee=None,
    team: Team | None = None,
    change_team: bool = False,
) -> Conversation:
    """Assign to a staff member (or nobody) and optionally move to another team."""
    if assignee is not None and not Actor.of(assignee).has_role(
        conversation.organisation_id, WRITING_ROLES
    ):
        raise UnknownReference(
            "invalid_assignee",
            _("This person does not handle conversations of this organisation."),
            field="assignee",
        )
    if change_team and team is not None and team.organisation_id != conversation.organisation_id:
        raise UnknownReference(
            "invalid_team", _("This team does not belong to this organisation."), field="team"
        )
    previous = conversation.assignee_id
    with transaction.atomic():
        write_assignment(
            conversation, actor=actor, assignee=assignee, team=team, change_team=change_team
        )
        if previous is not None and previous != getattr(assignee, "pk", None):
            routing.room_freed(conversation.organisation_id, previous)
    conversation.refresh_from_db()
    return conversation


def do_change_status(conversation: Conversation, *, actor, status: str) -> Conversation:
    if status not in Status.values:
        raise ActionError(
            "invalid_status", _("Unknown status %(status)s."), params={"status": repr(status)}
        )
    if status == conversation.status:
        return conversation
    if conversation.kind == ConversationKind.IMPORTED:
        raise StateConflict(
            "imported_conversation",
            _("An imported conversation stays closed: it is a record, not a conversation."),
        )
    if status not in STATUS_TRANSITIONS[conversation.status]:
        raise StateConflict(
            "invalid_transition",
            _("Cannot change from %(current)s to %(status)s."),
            params={"current": Status(conversation.status).label, "status": Status(status).label},
        )
    with transaction.atomic():
        previous = conversation.status
        # The retention term of most record classes runs from the closing date.
        now = timezone.now()
        closed_at = now if status == Status.CLOSED else None
        Conversation.objects.filter(pk=conversation.pk).update(
            status=status, closed_at=closed_at, **_timings(conversation, status, now)
        )
        followers.index().follow_conversations([conversation.pk])
        conversation.refresh_from_db()
        record_event(
            organisation_id=conversation.organisation_id,
            conversation_id=conversation.pk,
            event_type="conversation.status_changed",
            payload={"from": previous, "to": status},
            actor=actor_ref(actor),
        )
        # A stored line of the conversation: in the default language, whoever reads it.
        with translation.override(settings.LANGUAGE_CODE):
            line = f"Status: {Status(status).label}"
        _system_message(conversation, actor, line)
        routing.status_changed(conversation, previous)  # room freed, or back in the queue
        transaction.on_commit(
            partial(
                events.send_event,
                event_types.status_event(conversation.pk, status),
                [events.resident_group(conversation.pk)],
            )
        )
    conversation.refresh_from_db()
    return conversation


def _timings(conversation: Conversation, status: str, now) -> dict:
    """The dashboard's timings a status change sets (see ``actions.timings``): resolving or
    closing stamps ``resolved_at`` (closing a resolved conversation keeps its moment) and ends
    the wait; reopening clears ``resolved_at``."""
    if status in (Status.RESOLVED, Status.CLOSED):
        return {"resolved_at": conversation.resolved_at or now, "waiting_since": None}
    return {"resolved_at": None}


def do_create_team(organisation: Organisation, *, name: str, members=(), is_default=False) -> Team:
    with transaction.atomic():
        team = Team.objects.create(organisation=organisation, name=name, is_default=is_default)
        team.members.set(members)
        if members:  # the members see the team's conversations now: their sockets catch up
            announce_access_change(*team.members.all())
    return team


def do_add_team_member(team: Team, user) -> None:
    """``user`` works in ``team`` from now on (a member of its organisation, any role)."""
    if not Membership.objects.filter(user=user, organisation_id=team.organisation_id).exists():
        raise ActionError(
            "not_a_member",
            _("Only staff of the organisation can join its teams."),
        )
    team.members.add(user)
    announce_access_change(user)


def do_update_details(
    conversation: Conversation,
    *,
    actor,
    subject: str | None = None,
    case_reference: str | None = None,
    labels: list[str] | None = None,
) -> Conversation:
    """Change subject, case reference (zaaknummer) and/or labels; None leaves a field as is."""
    changes: dict = {}
    if subject is not None:
        changes["subject"] = _clean_text(subject, 200, "subject")
    if case_reference is not None:
        changes["case_reference"] = _clean_text(case_reference, 100, "case_reference")
    if labels is not None:
        if not isinstance(labels, list) or not all(isinstance(name, str) for name in labels):
            raise ActionError("invalid_labels", _("labels must be a list of texts."))
        labels = sorted({_clean_text(name, 60, "label") for name in labels} - {""})
    with transaction.atomic():
        if changes:
            Conversation.objects.filter(pk=conversation.pk).update(**changes)
        if labels is not None:
            conversation.labels.set(
                [
                    Label.objects.get_or_create(
                        organisation_id=conversation.organisation_id, name=n
                    )[0]
                    for n in labels
                ]
            )
            changes["labels"] = labels
            followers.index().follow_conversations([conversation.pk])
        if not changes:
            return conversation
        conversation.refresh_from_db()
        record_event(
            organisation_id=conversation.organisation_id,
            conversation_id=conversation.pk,
            event_type="conversation.details_changed",
            payload=changes,
            actor=actor_ref(actor),
        )
        transaction.on_commit(partial(events.publish_conversation, conversation))
    return conversation


def _clean_text(value: object, max_length: int, name: str) -> str:
    if not isinstance(value, str):
        raise ActionError("invalid_field", _("%(name)s must be a text."), params={"name": name})
    value = " ".join(value.split())
    if len(value) > max_length:
        raise ActionError(
            "invalid_field",
            _("%(name)s is too long (at most %(limit)s characters)."),
            params={"name": name, "limit": max_length},
        )
    return value
