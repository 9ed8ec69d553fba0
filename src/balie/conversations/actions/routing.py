"""Routing: which agent of a team gets a new conversation, by the team's rule (``Team.routing``).

- ``manual``: nobody; agents pick or are given conversations (``do_assign``).
- ``round_robin``: the team's available agent who was assigned longest ago (never before
  first, then by user id), among those with room (open conversations below ``max_open``).
- ``capacity``: the available agent with the most room (``max_open`` minus open
  conversations), ties to the one assigned longest ago.

*Available*: a member of the team with a writing role in the organisation, ``online`` in its
:class:`AgentStatus`, and seen by their console within ``OFFLINE_AFTER_SECONDS``. *Open*:
open or waiting for the resident (``OPEN_STATUSES``); resolved and closed conversations take
no room. When nobody is available the conversation waits, unassigned, in the team's queue; the
queue is handed out, oldest first, when an agent comes online, has room again (a conversation
resolved, closed or given to someone else) or gets a higher ``max_open``, and when the team
switches to a routing rule. An agent going offline (by hand, or automatically when their
console is silent; both in ``actions.availability``, as capacity and the team's rule) hands
their open conversations of routed teams back (``hand_back``): to another available agent,
or to the queue, each with a system line. A resident writing again in a resolved
conversation reopens it (the write path) and enqueues ``route_reopened``: unassigned, it is
routed; with an assignee who went offline meanwhile, it moves as their open conversations
did (``do_route_reopened``).

Concurrency: every routing decision locks the organisation's archive chain head first (each
write that records an archive event takes it anyway, so taking it first keeps one lock
order: no deadlocks) and then the team's ``AgentStatus`` rows (``SELECT … FOR UPDATE`` on
PostgreSQL; SQLite's IMMEDIATE transaction holds the database's write lock), and counts the
open conversations inside the lock: ``max_open`` holds however many conversations start at
once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone, translation
from django.utils.translation import gettext

from balie.accounts.models import WRITING_ROLES, Membership
from balie.archive.heads import lock_heads
from balie.archive.models import ChainHead
from balie.conversations.actions.assigning import rule_name, write_assignment
from balie.conversations.models import (
    AgentStatus,
    Availability,
    Conversation,
    ConversationKind,
    Routing,
    Status,
    Team,
)

__all__ = [
    "OPEN_STATUSES",
    "do_route_reopened",
    "hand_back",
    "hand_out",
    "lock_organisation",
    "room_freed",
    "route_conversation",
    "status_changed",
]

# What takes room in an agent's capacity: the conversations still to be handled.
OPEN_STATUSES = (Status.OPEN, Status.PENDING)
_NEVER = datetime.min.replace(tzinfo=UTC)


@dataclass
class _Agent:
    status: AgentStatus
    open: int

    @property
    def free(self) -> int:
        return self.status.max_open - self.open

    def turn(self) -> tuple:
        """Round robin's order: never assigned first, then assigned longest ago, then id."""
        last = self.status.last_assigned_at
        return (last is not None, last or _NEVER, self.status.user_id)


def lock_organisation(organisation_id: int) -> None:
    """The organisation's chain head first (see the module's docstring: one lock order)."""
    lock_heads(ChainHead, {organisation_id})


def _available(team: Team) -> list[_Agent]:
    """The team's available agents with their open counts, their status rows locked.

    Call inside a transaction, after :func:`_lock_organisation`."""
    members = Membership.objects.filter(
        organisation_id=team.organisation_id,
        role__in=WRITING_ROLES,
        user__teams=team,
        user__is_active=True,
    ).values("user_id")
    rows = AgentStatus.objects.filter(
        organisation_id=team.organisation_id, user_id__in=members
    ).order_by("pk")
    if connection.features.has_select_for_update:
        rows = rows.select_for_update(of=("self",))
    cutoff = timezone.now() - timedelta(seconds=settings.OFFLINE_AFTER_SECONDS)
    online = [
        row
        for row in rows.select_related("user")
        if row.availability == Availability.ONLINE
        and row.last_seen_at is not None
        and row.last_seen_at >= cutoff
    ]
    counts = dict(
        Conversation.objects.filter(
            organisation_id=team.organisation_id,
            assignee_id__in=[row.user_id for row in online],
            status__in=OPEN_STATUSES,
        )
        .values("assignee_id")
        .annotate(n=Count("pk"))
        .values_list("assignee_id", "n")
    )
    return [_Agent(row, counts.get(row.user_id, 0)) for row in online]


def _pick(agents: list[_Agent], rule: str) -> _Agent | None:
    with_room = [agent for agent in agents if agent.free > 0]
    if not with_room:
        return None
    if rule == Routing.CAPACITY:
        return min(with_room, key=lambda agent: (-agent.free, *agent.turn()))
    return min(with_room, key=_Agent.turn)


def _give(conversation: Conversation, agent: _Agent, rule: str, *, actor, line=None) -> None:
    now = timezone.now()
    write_assignment(
        conversation, actor=actor, assignee=agent.status.user, rule=rule, line=line, now=now
    )
    agent.open += 1
    agent.status.last_assigned_at = now


def _routed(team: Team | None) -> bool:
    return team is not None and team.routing != Routing.MANUAL


def route_conversation(conversation: Conversation, *, actor=None) -> bool:
    """Give a new (or reopened) unassigned conversation to an agent by its team's rule; True
    when it got one, False when it waits in the queue (or the team routes by hand).

    Runs inside the transaction that creates the conversation (``do_start_webchat``,
    ``do_start_conversation``) or reopens it."""
    team = conversation.team
    if (
        not _routed(team)
        or conversation.assignee_id is not None
        or conversation.status not in OPEN_STATUSES
        or conversation.kind != ConversationKind.LIVE
    ):
        return False
    assert team is not None
    with transaction.atomic():
        lock_organisation(conversation.organisation_id)
        agent = _pick(_available(team), team.routing)
        if agent is None:
            return False  # the team's queue: handed out when someone has room
        _give(conversation, agent, team.routing, actor=actor)
    return True


def _queue(team: Team):
    return Conversation.objects.filter(
        organisation_id=team.organisation_id,
        team=team,
        assignee__isnull=True,
        status__in=OPEN_STATUSES,
        kind=ConversationKind.LIVE,
    ).order_by("created_at", "pk")


def hand_out(team: Team, *, actor=None) -> int:
    """Give the team's queue, oldest first, to its available agents while they have room."""
    if not _routed(team):
        return 0
    agents = _available(team)
    room = sum(max(agent.free, 0) for agent in agents)
    given = 0
    for conversation in _queue(team).select_related("team")[:room]:
        agent = _pick(agents, team.routing)
        if agent is None:
            break
        _give(conversation, agent, team.routing, actor=actor)
        given += 1
    return given


def _routed_teams_of(organisation_id: int, user_id: int):
    return (
        Team.objects.for_organisation(organisation_id)
        .filter(members=user_id)
        .exclude(routing=Routing.MANUAL)
        .order_by("pk")
    )


def room_freed(organisation_id: int, user_id: int, *, actor=None) -> int:
    """The agent may have room again: hand out the queues of their routed teams. Inside the
    transaction of the change that freed it."""
    with transaction.atomic():
        lock_organisation(organisation_id)
        return sum(
            hand_out(team, actor=actor) for team in _routed_teams_of(organisation_id, user_id)
        )


def status_changed(conversation: Conversation, previous: str, *, actor=None) -> None:
    """``do_change_status``'s hook: a resolved or closed conversation frees its assignee's
    room; a reopened conversation without assignee is routed again."""
    was_open, is_open = previous in OPEN_STATUSES, conversation.status in OPEN_STATUSES
    if was_open and not is_open and conversation.assignee_id is not None:
        room_freed(conversation.organisation_id, conversation.assignee_id, actor=actor)
    elif is_open and not was_open and conversation.assignee_id is None:
        route_conversation(conversation, actor=actor)


def hand_back(organisation_id: int, user, *, actor) -> int:
    """The agent went offline: each of their open conversations of a routed team goes to
    another available agent, or back to the team's queue, with a system line."""
    conversations = (
        Conversation.objects.filter(
            organisation_id=organisation_id,
            assignee=user,
            status__in=OPEN_STATUSES,
            kind=ConversationKind.LIVE,
        )
        .exclude(team__isnull=True)
        .exclude(team__routing=Routing.MANUAL)
        .select_related("team")
        .order_by("created_at", "pk")
    )
    pools: dict[int, list[_Agent]] = {}
    moved = 0
    for conversation in conversations:
        _move_from(conversation, user, pools, actor=actor, left=False)
        moved += 1
    return moved


def _move_from(
    conversation: Conversation, user, pools: dict[int, list[_Agent]], *, actor, left: bool
) -> None:
    """Take ``conversation`` from ``user``, who is offline (or, ``left``, no longer handles
    the team's conversations): to another available agent of its (routed) team, or back to
    the team's queue, with a system line saying which and why. ``pools`` keeps each team's
    available agents between calls (their open counts go up as they get conversations)."""
    team = conversation.team
    assert team is not None
    if team.pk not in pools:
        pools[team.pk] = _available(team)
    agent = _pick([a for a in pools[team.pk] if a.status.user_id != user.pk], team.routing)
    # A stored line: in the default language, whoever reads it.
    with translation.override(settings.LANGUAGE_CODE):
        values = {"name": user, "team": team.name, "rule": rule_name(team.routing)}
        if agent is not None:
            values["other"] = agent.status.user
            if left:
                line = gettext(
                    "%(name)s no longer works in team %(team)s: assigned to %(other)s (%(rule)s)"
                )
            else:
                line = gettext("%(name)s is offline: assigned to %(other)s (%(rule)s)")
        elif left:
            line = gettext("%(name)s no longer works in team %(team)s: back in its queue")
        else:
            line = gettext("%(name)s is offline: back in the queue of team %(team)s")
        line = line % values
    if agent is not None:
        _give(conversation, agent, team.routing, actor=actor, line=line)
    else:
        write_assignment(conversation, actor=actor, assignee=None, rule=team.routing, line=line)


def _handles_team(team: Team, user_id: int) -> bool:
    """Whether the user still handles the team's conversations: an active member of the team
    with a writing role in its organisation."""
    return Membership.objects.filter(
        organisation_id=team.organisation_id,
        role__in=WRITING_ROLES,
        user_id=user_id,
        user__teams=team,
        user__is_active=True,
    ).exists()


def _offline(organisation_id: int, user_id: int) -> bool:
    """Whether the agent is offline in the organisation (away keeps what they have)."""
    return (
        not AgentStatus.objects.filter(organisation_id=organisation_id, user_id=user_id)
        .exclude(availability=Availability.OFFLINE)
        .exists()
    )


def do_route_reopened(conversation_id: int) -> str:
    """A resident wrote again in a resolved conversation (the write path enqueues this as
    the task ``route_reopened``): it needs handling again, and takes room again.

    Without an assignee it is routed by its team's rule. With an assignee who no longer
    handles conversations (offline, deactivated, no longer in the team or no longer writing)
    it goes to another available agent or back to the queue, as when that agent went
    offline. An assignee who is online or away keeps it: the resident gets the same person,
    who may be over their maximum for a while. Says what it did; running it again changes
    nothing."""
    with transaction.atomic():
        found = Conversation.objects.filter(pk=conversation_id).values_list(
            "organisation_id", flat=True
        )
        if not found:
            return "gone"  # destroyed since
        lock_organisation(found[0])
        conversation = Conversation.objects.select_related("team", "assignee").get(
            pk=conversation_id
        )
        team = conversation.team
        if (
            not _routed(team)
            or conversation.status not in OPEN_STATUSES
            or conversation.kind != ConversationKind.LIVE
        ):
            return "unchanged"
        assert team is not None
        if conversation.assignee is None:
            return "routed" if route_conversation(conversation) else "queued"
        assignee = conversation.assignee
        if not _handles_team(team, assignee.pk):
            _move_from(conversation, assignee, {}, actor=None, left=True)
            return "moved"
        if _offline(team.organisation_id, assignee.pk):
            _move_from(conversation, assignee, {}, actor=None, left=False)
            return "moved"
        return "kept"
