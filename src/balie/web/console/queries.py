"""Read helpers for the console, built on the conversation selectors.

Candidates for ``conversations.selectors`` once another caller needs them; until then they
live here so the views stay free of queries.
"""

from __future__ import annotations

from django.db.models import QuerySet

from balie.conversations import selectors
from balie.conversations.models import Conversation, Status
from balie.tenants.models import Organisation

ACTIVE_STATUSES = (Status.OPEN, Status.PENDING)
INBOX_LIMIT = 200


def inbox(
    user, organisation: Organisation, *, status: str, team: str, scope: str
) -> QuerySet[Conversation]:
    """The conversations of the inbox with their ``unread`` count, newest activity first.

    ``status``: a Status value, "active" (open + pending) or "all"; ``team``: a team id,
    "none" or "" for every team; ``scope``: "mine", "unassigned" or "all".
    """
    qs = selectors.conversations_visible_to(user, organisation.pk)
    if status == "active":
        qs = qs.filter(status__in=ACTIVE_STATUSES)
    elif status in Status.values:
        qs = qs.filter(status=status)
    if team == "none":
        qs = qs.filter(team__isnull=True)
    elif team.isdigit():
        qs = qs.filter(team_id=int(team))
    if scope == "mine":
        qs = qs.filter(assignee=user)
    elif scope == "unassigned":
        qs = qs.filter(assignee__isnull=True)
    return selectors.with_unread_counts(qs)[:INBOX_LIMIT]


def unread_per_team(user, organisation: Organisation) -> dict[int | None, int]:
    """Unread resident messages per team (``None``: no team) in open and waiting chats."""
    visible = selectors.conversations_visible_to(user, organisation.pk).filter(
        status__in=ACTIVE_STATUSES
    )
    totals: dict[int | None, int] = {}
    # The pk keeps rows apart: the visibility queryset is DISTINCT.
    rows = selectors.with_unread_counts(visible).values_list("pk", "team_id", "unread")
    for _, team_id, unread in rows:
        totals[team_id] = totals.get(team_id, 0) + unread
    return totals


def unread_of(user, organisation: Organisation, ids: list[int]) -> dict[int, int]:
    """The unread count of each of ``ids`` the user may see."""
    visible = selectors.conversations_visible_to(user, organisation.pk).filter(pk__in=ids)
    return dict(selectors.with_unread_counts(visible).values_list("pk", "unread"))
