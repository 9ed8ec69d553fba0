"""Who is available to routing, and how much: an agent's availability (online, away,
offline), their maximum of open conversations (``max_open``), a team's routing rule, and the
console's signs of life that send a silent agent offline.

Each change locks the organisation's chain head first, as every routing decision does
(``routing.lock_organisation``: one lock order), records an archive event, tells the
organisation's staff sockets (``agent_status``), and hands conversations out or back through
``actions.routing``: coming online, a higher maximum or a team switching to a rule hands out
the queues; going offline hands the agent's open conversations back.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from balie.accounts.actors import Actor
from balie.accounts.models import LEAD_ROLES, WRITING_ROLES, Membership
from balie.archive.actions import record_event
from balie.archive.actors import actor_ref
from balie.conversations import event_types, events
from balie.conversations.actions.errors import ActionError, UnknownReference
from balie.conversations.actions.routing import (
    hand_back,
    hand_out,
    lock_organisation,
    room_freed,
)
from balie.conversations.models import AgentStatus, Availability, Routing, Team
from balie.errors import NotAllowed, NotFound
from balie.tenants.models import Organisation

__all__ = [
    "MAX_OPEN_LIMIT",
    "ROUTING_ROLES",
    "do_mark_absent_offline",
    "do_mark_seen",
    "do_set_availability",
    "do_set_capacity",
    "do_set_team_routing",
]

MAX_OPEN_LIMIT = 50
# Who sets other agents' availability and capacity, and a team's rule: team leads and admins.
ROUTING_ROLES = LEAD_ROLES
# The console's sign of life is written at most this often per agent (do_mark_seen).
SEEN_EVERY = timedelta(seconds=60)


def _check_actor(organisation: Organisation, user, actor, *, others_role: bool) -> None:
    """The actor works in the organisation (else 404: not theirs to see), and may change
    this: their own availability, or (``others_role``) a team lead's or admin's change."""
    if actor is None:  # Balie itself (the auto-offline task)
        return
    who = Actor.of(actor)
    role = who.role_in(organisation.pk)
    if role is None:
        raise NotFound("not_found", _("This organisation does not exist or is not yours."))
    own = who.user is not None and user is not None and who.user.pk == user.pk
    if (others_role or not own) and role not in ROUTING_ROLES:
        raise NotAllowed(
            "not_team_lead",
            _("Only a team lead or an administrator may change this.")
            if others_role
            else _("Only a team lead or an administrator may change another agent's availability."),
        )


def _agent_of(organisation: Organisation, user) -> None:
    if (
        user is None
        or not Membership.objects.filter(
            organisation=organisation, user_id=user.pk, role__in=WRITING_ROLES
        ).exists()
    ):
        raise UnknownReference(
            "invalid_agent",
            _("This person does not handle conversations of this organisation."),
            field="user",
        )


def _status_row(organisation: Organisation, user) -> AgentStatus:
    """The agent's status row, created (offline) when missing; locked."""
    AgentStatus.objects.bulk_create(
        [AgentStatus(organisation=organisation, user=user)], ignore_conflicts=True
    )
    rows = AgentStatus.objects.filter(organisation=organisation, user=user)
    if connection.features.has_select_for_update:
        rows = rows.select_for_update()
    return rows.get()


def _announce(status: AgentStatus) -> None:
    transaction.on_commit(
        partial(
            events.send_event,
            event_types.agent_status_event(
                status.organisation_id,
                user=status.user_id,
                availability=status.availability,
                max_open=status.max_open,
            ),
            [events.inbox_group(status.organisation_id)],
        )
    )


def do_set_availability(
    organisation: Organisation, user, availability: object, *, actor, automatic: bool = False
) -> AgentStatus:
    """Set an agent's availability (online, away, offline) in the organisation.

    An agent sets their own; team leads and admins anyone's; ``actor`` None is Balie itself
    (``automatic``: the console went silent). Online counts as a sign of life. Coming online
    hands out the queues of the agent's routed teams; going offline hands their open
    conversations of routed teams back to routing."""
    if availability not in Availability.values:
        raise ActionError(
            "invalid_availability",
            _("availability is one of: %(choices)s."),
            params={"choices": ", ".join(Availability.values)},
            field="availability",
        )
    _check_actor(organisation, user, actor, others_role=False)
    _agent_of(organisation, user)
    now = timezone.now()
    with transaction.atomic():
        lock_organisation(organisation.pk)
        status = _status_row(organisation, user)
        before = status.availability
        status.availability = str(availability)
        if availability == Availability.ONLINE:
            status.last_seen_at = now
        status.save(update_fields=["availability", "last_seen_at", "changed_at"])
        if before == availability:
            return status
        record_event(
            organisation_id=organisation.pk,
            event_type="agent.availability_changed",
            payload={"user": user.pk, "from": before, "to": status.availability,
                     "automatic": automatic},
            actor=actor_ref(actor),
        )  # fmt: skip
        if availability == Availability.OFFLINE:
            hand_back(organisation.pk, status.user, actor=actor)
        elif availability == Availability.ONLINE:
            room_freed(organisation.pk, user.pk, actor=actor)
        _announce(status)
    return status


def do_set_capacity(organisation: Organisation, user, max_open: object, *, actor) -> AgentStatus:
    """Set how many open conversations routing gives an agent at most (1 to 50); for team
    leads and admins. A higher number hands out the queues of the agent's routed teams; a
    lower one takes nothing away (the agent finishes what they have)."""
    if (
        not isinstance(max_open, int)
        or isinstance(max_open, bool)
        or not 1 <= max_open <= MAX_OPEN_LIMIT
    ):
        raise ActionError(
            "invalid_max_open",
            _("max_open is a whole number from 1 to %(limit)s."),
            params={"limit": MAX_OPEN_LIMIT},
            field="max_open",
        )
    _check_actor(organisation, user, actor, others_role=True)
    _agent_of(organisation, user)
    with transaction.atomic():
        lock_organisation(organisation.pk)
        status = _status_row(organisation, user)
        before = status.max_open
        if before == max_open:
            return status
        status.max_open = max_open
        status.save(update_fields=["max_open", "changed_at"])
        record_event(
            organisation_id=organisation.pk,
            event_type="agent.capacity_changed",
            payload={"user": user.pk, "from": before, "to": max_open},
            actor=actor_ref(actor),
        )
        if max_open > before:
            room_freed(organisation.pk, user.pk, actor=actor)
        _announce(status)
    return status


def do_set_team_routing(team: Team, routing: object, *, actor) -> Team:
    """Set a team's routing rule; for team leads and admins. Switching to a rule hands out
    the conversations waiting in the team's queue."""
    if routing not in Routing.values:
        raise ActionError(
            "invalid_routing",
            _("routing is one of: %(choices)s."),
            params={"choices": ", ".join(Routing.values)},
            field="routing",
        )
    _check_actor(team.organisation, None, actor, others_role=True)
    with transaction.atomic():
        lock_organisation(team.organisation_id)
        rows = Team.objects.filter(pk=team.pk)
        if connection.features.has_select_for_update:
            rows = rows.select_for_update()
        before = rows.values_list("routing", flat=True).get()
        if before == routing:
            team.routing = before
            return team
        Team.objects.filter(pk=team.pk).update(routing=routing)
        team.routing = str(routing)
        record_event(
            organisation_id=team.organisation_id,
            event_type="team.routing_changed",
            payload={"team": team.pk, "from": before, "to": team.routing},
            actor=actor_ref(actor),
        )
        hand_out(team, actor=actor)
    return team


# --- signs of life --------------------------------------------------------------------------
def do_mark_seen(user, *, now: datetime | None = None) -> int:
    """The agent's console is alive (its socket connected, or its heartbeat): refresh
    ``last_seen_at`` in each organisation, written at most once a minute per agent (however
    many consoles they have open)."""
    now = now or timezone.now()
    return AgentStatus.objects.filter(
        Q(last_seen_at__isnull=True) | Q(last_seen_at__lt=now - SEEN_EVERY), user=user
    ).update(last_seen_at=now)


def do_mark_absent_offline(*, now: datetime | None = None) -> int:
    """Set offline every agent (online or away) whose console has been silent longer than
    ``OFFLINE_AFTER_SECONDS``; their conversations go back to routing. Run every minute."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.OFFLINE_AFTER_SECONDS)
    silent = (
        AgentStatus.objects.exclude(availability=Availability.OFFLINE)
        .filter(last_seen_at__lt=cutoff)
        .select_related("organisation", "user")
        .order_by("pk")
    )
    done = 0
    for status in silent:
        do_set_availability(
            status.organisation, status.user, Availability.OFFLINE, actor=None, automatic=True
        )
        done += 1
    return done
