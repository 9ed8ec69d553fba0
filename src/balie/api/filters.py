"""Narrowing the visible conversations by the list's query parameters.

The parameters are validated by ``ConversationFilterSerializer`` first; this only turns clean
values into conditions on a queryset that ``selectors.conversations_visible_to`` returned, so
nothing outside what the actor may see can come back.
"""

from __future__ import annotations

from django.db.models import QuerySet

from balie.conversations.models import Conversation

# parameter -> lookup, for the ones that map one to one.
_LOOKUPS = {
    "organisation": "organisation__slug",
    "status": "status",
    "channel": "channel",
    "team": "team_id",
    "label": "labels__name",
    "case_reference": "case_reference",
    "updated_after": "last_message_at__gte",
    "updated_before": "last_message_at__lt",
}


def filter_conversations(qs: QuerySet[Conversation], params: dict) -> QuerySet[Conversation]:
    conditions = {_LOOKUPS[name]: value for name, value in params.items() if name in _LOOKUPS}
    assignee = params.get("assignee")
    if assignee == "none":
        conditions["assignee__isnull"] = True
    elif assignee is not None:
        conditions["assignee_id"] = int(assignee)
    return qs.filter(**conditions)


def filter_contacts(qs, params: dict):
    if "organisation" in params:
        qs = qs.filter(organisation__slug=params["organisation"])
    return qs
