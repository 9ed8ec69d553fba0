"""No two agents answering one resident: the team's collision rule, checked for every reply.

A reply (an outbound message by a staff member) in a conversation assigned to someone else
follows the rule of the conversation's team (``Team.collision``): ``warn`` refuses it until
the agent confirms (``confirmed``: the console asks, the API takes ``"confirm": true``);
``block`` refuses it, whatever is confirmed: only the assignee replies, others take the
conversation over first. Internal notes, the resident's messages, the system's lines and
sends by an API key (a system, not a person) are never refused. A conversation without a
team follows ``warn``.

The check runs inside the write path (``sending._plan``) on the conversation's row as locked
there, so an assignment that commits just before the reply counts, and a batch that mixes
refused and accepted replies fails only the refused ones.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from balie.accounts.actors import Actor
from balie.accounts.models import LEAD_ROLES
from balie.archive.actions import record_event
from balie.archive.actors import actor_ref
from balie.conversations.actions.errors import ActionError, StateConflict
from balie.conversations.models import Collision, Direction, Team
from balie.errors import NotAllowed

__all__ = ["LOCKED_FIELDS", "AssignedToOther", "check_reply", "do_set_team_collision"]

# What the write path reads of each conversation under its lock for this check.
LOCKED_FIELDS = ("assignee_id", "team__collision")


class AssignedToOther(StateConflict):
    """A reply refused by the collision rule (409); ``code`` says whether confirming helps:
    ``assigned_to_other`` (confirm to send anyway) or ``assigned_to_other_blocked``."""


def check_reply(current: dict, direction: str, user, confirmed: bool) -> AssignedToOther | None:
    """The error refusing this reply, or None. ``current`` is the locked row (LOCKED_FIELDS);
    ``user`` the staff member sending (None for a resident, the system or an API key)."""
    assignee_id = current.get("assignee_id")
    if (
        direction != Direction.OUTBOUND
        or user is None
        or assignee_id is None
        or assignee_id == user.pk
    ):
        return None
    name = _assignee_name(assignee_id)
    if current.get("team__collision") == Collision.BLOCK:
        return AssignedToOther(
            "assigned_to_other_blocked",
            _(
                "This conversation is assigned to %(name)s; in this team only they reply. "
                "Take the conversation over first."
            ),
            params={"name": name},
        )
    if confirmed:
        return None
    return AssignedToOther(
        "assigned_to_other",
        _("This conversation is assigned to %(name)s. Confirm to reply anyway."),
        params={"name": name},
    )


def _assignee_name(user_id: int) -> str:
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        return "?"
    return user.get_full_name() or user.get_username()


def do_set_team_collision(team: Team, collision: object, *, actor) -> Team:
    """Set the team's rule (``warn`` or ``block``); team leads and administrators of the
    team's organisation only. Recorded as ``team.collision_changed``."""
    if collision not in Collision.values:
        raise ActionError(
            "invalid_collision",
            _("collision is one of: %(choices)s."),
            params={"choices": ", ".join(Collision.values)},
            field="collision",
        )
    if not Actor.of(actor).has_role(team.organisation_id, LEAD_ROLES):
        raise NotAllowed(
            "not_team_lead", _("Only a team lead or an administrator may change this.")
        )
    with transaction.atomic():
        before = Team.objects.filter(pk=team.pk).values_list("collision", flat=True).get()
        if before != collision:
            Team.objects.filter(pk=team.pk).update(collision=collision)
            record_event(
                organisation_id=team.organisation_id,
                event_type="team.collision_changed",
                payload={"team": team.pk, "from": before, "to": collision},
                actor=actor_ref(actor),
            )
    team.collision = str(collision)
    return team
