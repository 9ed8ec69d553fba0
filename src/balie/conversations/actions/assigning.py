"""The one way a conversation gets (or loses) its assignee: by hand (``do_assign``) or by
the team's routing rule (``actions.routing``).

:func:`write_assignment` runs inside the caller's transaction: it updates the conversation
(assignee, when it got it, optionally the team and its record class), moves the assignee's
``last_assigned_at`` on (round robin reads it), records ``conversation.assigned`` in the
archive (with the routing rule when a rule chose), and adds the staff-only system line whose
fan-out tells the consoles.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from django.conf import settings
from django.utils import timezone, translation
from django.utils.functional import Promise

from balie.archive.actions import record_event
from balie.archive.actors import actor_ref
from balie.conversations import followers
from balie.conversations.actions.messages import do_send_message
from balie.conversations.models import (
    AgentStatus,
    Conversation,
    Direction,
    Message,
    Routing,
    Team,
)

__all__ = ["system_line", "write_assignment"]


def system_line(conversation: Conversation, actor, text: str) -> Message:
    """A staff-only line in the conversation (``Direction.SYSTEM``)."""
    return do_send_message(
        conversation,
        direction=Direction.SYSTEM,
        body=text,
        client_id=f"system-{uuid.uuid4().hex}",
        author=actor,
    ).message


def write_assignment(
    conversation: Conversation,
    *,
    actor,
    assignee=None,
    team: Team | None = None,
    change_team: bool = False,
    rule: str | None = None,
    line: str | None = None,
    now: datetime | None = None,
) -> Conversation:
    """Assign ``conversation`` to ``assignee`` (None: nobody); inside a transaction.

    ``rule`` names the routing rule that chose (``Routing``), None for a person's choice;
    ``line`` replaces the default system line."""
    now = now or timezone.now()
    fields: dict = {"assignee": assignee}
    changed = getattr(assignee, "pk", None) != conversation.assignee_id
    if changed:  # the dashboard's timing: when the current assignee got it
        fields["assigned_at"] = now if assignee is not None else None
    if change_team:
        fields["team"] = team
        if not conversation.record_class_chosen:  # the new team's record class
            fields["record_class"] = followers.record_class_for(
                conversation.organisation_id, team=team, channel=conversation.channel
            )
    Conversation.objects.filter(pk=conversation.pk).update(**fields)
    if assignee is not None and changed:
        AgentStatus.objects.filter(
            organisation_id=conversation.organisation_id, user=assignee
        ).update(last_assigned_at=now)
    if change_team:
        followers.index().follow_conversations([conversation.pk])
    conversation.refresh_from_db()
    payload: dict = {"assignee": getattr(assignee, "pk", None), "team": conversation.team_id}
    if rule is not None:
        payload["routing"] = rule
    record_event(
        organisation_id=conversation.organisation_id,
        conversation_id=conversation.pk,
        event_type="conversation.assigned",
        payload=payload,
        actor=actor_ref(actor),
    )
    if line is None:
        line = _default_line(assignee, team if change_team else None, change_team, rule)
    system_line(conversation, actor, line)
    return conversation


def _default_line(assignee, team: Team | None, change_team: bool, rule: str | None) -> str:
    who = str(assignee) if assignee else "niemand"
    text = f"Toegewezen aan {who}"
    if change_team:
        text += f", team {team.name if team else 'geen'}"
    if rule is not None:
        # A stored line: in the default language, whoever reads it.
        with translation.override(settings.LANGUAGE_CODE):
            text += f" ({rule_name(rule)})"
    return text


def rule_name(rule: str) -> str:
    """The short name of a routing rule, in the active language ("round-robin")."""
    return str(RULE_NAMES.get(rule, rule))


# Short names (the choices' labels explain; these fit a line): see models.Routing.
RULE_NAMES: dict[str, Promise] = {
    Routing.MANUAL: translation.gettext_lazy("manual"),
    Routing.ROUND_ROBIN: translation.gettext_lazy("round-robin"),
    Routing.CAPACITY: translation.gettext_lazy("capacity"),
}
