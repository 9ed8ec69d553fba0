"""The inbox: an organisation's conversations by team, with filters and unread counts.

The page is rendered on the server; ``console.js`` keeps it live from the staff socket and
opens conversations in panes next to it.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from balie.accounts.models import (
    AUDIT_ROLES,
    INTEGRITY_ROLES,
    RECORDS_READ_ROLES,
    RECORDS_ROLES,
    WRITING_ROLES,
    Role,
)
from balie.accounts.selectors import staff_of
from balie.conversations import selectors
from balie.conversations.models import Status
from balie.conversations.statistics import DASHBOARD_ROLES
from balie.realtime import agent as staff_socket
from balie.records.selectors import record_class_choices
from balie.web.console import queries
from balie.web.console.labels import SCOPE_LABELS, STATUS_LABELS
from balie.web.console.pages import render_page
from balie.web.console.routing import availability_context, team_routing_texts

STATUS_FILTERS = ("active", *Status.values, "all")
SCOPES = ("all", "mine", "unassigned")


def organisation_or_404(user, slug: str):
    """The organisation with the user's role there; a 404 (NotFound) when not theirs."""
    return selectors.organisation_for(user, slug)


def _filters(request) -> dict[str, str]:
    status = request.GET.get("status", "active")
    scope = request.GET.get("scope", "all")
    team = request.GET.get("team", "")
    return {
        "status": status if status in STATUS_FILTERS else "active",
        "scope": scope if scope in SCOPES else "all",
        "team": team if team == "none" or team.isdigit() else "",
    }


@login_required
@require_GET
def inbox(request, slug: str):
    organisation, role = organisation_or_404(request.user, slug)
    filters = _filters(request)
    can_write = selectors.can_write(request.user, organisation.pk)
    teams = selectors.teams_of(organisation.pk)
    unread = queries.unread_per_team(request.user, organisation)
    staff = staff_of(organisation.pk) if can_write else []
    config = {
        "organisation": {"id": organisation.pk, "slug": organisation.slug},
        "user": request.user.pk,
        "canWrite": can_write,
        "teams": {str(team.pk): team.name for team in teams},
        # Each team's rule for replying where someone else is assigned (warn or block).
        "collision": {str(team.pk): team.collision for team in teams},
        # Each team's routing rule, as the conversation pane shows it ("Assignment: …").
        "routing": team_routing_texts(teams),
        "staff": [{"id": user.pk, "name": str(user)} for user in staff],
        "statuses": list(Status.values),
        "canChooseRecordClass": role in WRITING_ROLES | RECORDS_ROLES,
        "recordClasses": record_class_choices(organisation.pk),
        "filters": filters,
        "urls": {
            "unread": reverse("console:unread", args=[organisation.slug]),
            # "/0/" stands for the id; the script puts the real one in.
            "upload": reverse("console:upload", args=[0]),
            "assign": reverse("console:assign", args=[0]),
            "status": reverse("console:status", args=[0]),
            "details": reverse("console:details", args=[0]),
            "history": reverse("console:history", args=[0]),
            "canned": reverse("console:canned_search", args=[0]),
            "contactBsn": reverse("console:contact_bsn", args=[0]),
            "recordClass": reverse("console:record_class", args=[0]),
            "whatsappWindow": reverse("console:whatsapp_window", args=[0]),
            "whatsappTemplate": reverse("console:whatsapp_send_template", args=[0]),
            # A conversation's registration in Open Klant (the id is the last "/0/").
            "klantinteracties": reverse(
                "console:klantinteracties_conversation", args=[organisation.slug, 0]
            ),
            "socket": f"/{staff_socket.PATH}",
        },
    }
    conversations = list(queries.inbox(request.user, organisation, **filters))
    selectors.record_list_read(request.user, conversations, kind="conversation", filters=filters)
    rows = [_row(c) for c in conversations]
    context = {
        "organisation": organisation,
        "role": role,
        "can_write": can_write,
        "can_audit": role in AUDIT_ROLES,
        **availability_context(request.user, organisation, role),
        "can_see_dashboard": role in DASHBOARD_ROLES,
        "can_see_integrity": role in INTEGRITY_ROLES,
        "can_see_records": role in RECORDS_READ_ROLES,
        "can_see_woo": role in (Role.WOO_OFFICER, Role.AUDITOR),
        "can_set_up_channels": role == Role.ADMIN,
        "filters": filters,
        "rows": rows,
        "teams": [(team, unread.get(team.pk, 0)) for team in teams],
        "no_team_unread": unread.get(None, 0),
        "status_filters": [(value, STATUS_LABELS[value]) for value in STATUS_FILTERS],
        "scopes": [(value, SCOPE_LABELS[value]) for value in SCOPES],
        "config": config,
    }
    return render_page(request, "console/inbox.html", context)


def _row(conversation) -> dict:
    return {
        "id": conversation.pk,
        "contact": str(conversation.contact),
        "subject": conversation.subject,
        "team_id": conversation.team_id or "",
        "team": conversation.team.name if conversation.team else gettext("No team"),
        "assignee_id": conversation.assignee_id or "",
        "assignee": str(conversation.assignee) if conversation.assignee else gettext("Nobody"),
        "status": conversation.status,
        "status_label": STATUS_LABELS[conversation.status],
        "last_message_at": conversation.last_message_at,
        "unread": conversation.unread,
        "channel": conversation.get_channel_display(),
    }


@require_GET
def unread(request, slug: str):
    """Unread counts for ``?ids=1,2`` and per team; the live inbox asks after changes."""
    if not request.user.is_authenticated:
        return JsonResponse(
            {"code": "not_authenticated", "detail": gettext("Log in first.")}, status=401
        )
    organisation, _ = organisation_or_404(request.user, slug)
    ids = [int(part) for part in request.GET.get("ids", "").split(",") if part.isdigit()][:100]
    counts = queries.unread_of(request.user, organisation, ids)
    per_team = queries.unread_per_team(request.user, organisation)
    teams = {str(team.pk): per_team.get(team.pk, 0) for team in selectors.teams_of(organisation.pk)}
    teams["none"] = per_team.get(None, 0)
    return JsonResponse({"unread": {str(pk): n for pk, n in counts.items()}, "teams": teams})
