"""Routing in the console: the agent's own availability (the control in the header), and the
routing page: per team its rule, its agents with availability and room, and its queue; team
leads and administrators change a team's rule and an agent's capacity or availability there.

Thin views: the reads come from ``conversations.selectors``, every change is one action of
``conversations.actions.availability``. The availability form works without JavaScript (a post and
a redirect back); ``availability.js`` sends it with ``fetch()`` and gets JSON. The page
follows the staff socket (``routing.js``): an agent's availability or a conversation changing
brings the queue and the agents' figures up to date without a reload.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from balie.accounts.models import WRITING_ROLES
from balie.accounts.selectors import staff_member
from balie.conversations import actions, selectors
from balie.conversations.actions.assigning import rule_name
from balie.conversations.actions.availability import MAX_OPEN_LIMIT, ROUTING_ROLES
from balie.conversations.models import Availability, Collision, Routing
from balie.errors import BalieError, Invalid, NotAllowed
from balie.realtime import agent as staff_socket
from balie.web.console.jsonviews import error, json_body
from balie.web.console.pages import render_page


def availability_context(user, organisation, role: str) -> dict:
    """What the header's availability control needs (nothing for roles that do not handle
    conversations)."""
    if role not in WRITING_ROLES:
        return {}
    status = selectors.agent_status_of(organisation.pk, user)
    return {
        "my_status": status,
        "availability_choices": Availability.choices,
    }


def team_routing_texts(teams) -> dict[str, str]:
    """{team id: "Assignment: round-robin"} for the conversation pane, in the active language."""
    return {
        str(team.pk): gettext("Assignment: %(rule)s") % {"rule": rule_name(team.routing)}
        for team in teams
    }


def _page(request, organisation, role: str, *, problem: str = "", status: int = 200):
    try:
        teams = selectors.routing_overview(request.user, organisation.pk)
    except NotAllowed:
        raise PermissionDenied("routing") from None
    context = {
        "organisation": organisation,
        "role": role,
        "can_manage": role in ROUTING_ROLES,
        "teams": teams,
        "rules": [(value, label, rule_name(value)) for value, label in Routing.choices],
        "collisions": Collision.choices,
        "max_open_limit": MAX_OPEN_LIMIT,
        "problem": problem,
        "socket_url": f"/{staff_socket.PATH}",  # routing.js follows the changes
        **availability_context(request.user, organisation, role),
    }
    return render_page(request, "console/routing.html", context, status=status)


@login_required
@require_GET
def overview(request, slug: str):
    organisation, role = selectors.organisation_for(request.user, slug)
    return _page(request, organisation, role)


def _wants_json(request) -> bool:
    return request.content_type == "application/json"


def _back(request, organisation):
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("console:routing", args=[organisation.slug])
    return redirect(target)


def _failed(request, organisation, role, problem: BalieError):
    if problem.status == 404:
        raise Http404("routing")
    if problem.status == 403 and role not in WRITING_ROLES:
        raise PermissionDenied("routing")
    return _page(request, organisation, role, problem=problem.message, status=problem.status)


def _member(organisation, value: object):
    """The staff member named by a form or body field, or Invalid."""
    user_id = int(value) if isinstance(value, str) and value.isdigit() else value
    member = staff_member(organisation.pk, user_id)
    if member is None:
        raise Invalid(
            "invalid_agent",
            gettext("This person does not handle conversations of this organisation."),
            field="user",
        )
    return member


@require_POST
@login_required
def availability(request, slug: str):
    """Set an availability: your own, or (team leads, administrators; field ``user``)
    someone else's. A form post goes back to ``next``; a JSON body gets JSON."""
    organisation, role = selectors.organisation_for(request.user, slug)
    as_json = _wants_json(request)
    try:
        fields = json_body(request) if as_json else request.POST
        user = _member(organisation, fields["user"]) if fields.get("user") else request.user
        status = actions.do_set_availability(
            organisation, user, fields.get("availability"), actor=request.user
        )
    except BalieError as problem:
        if as_json:
            return error(problem.status, problem.code, problem.message)
        return _failed(request, organisation, role, problem)
    label = Availability(status.availability).label
    if as_json:
        return JsonResponse(
            {"user": status.user_id, "availability": status.availability, "label": str(label)}
        )
    messages.success(
        request,
        gettext("%(name)s is now: %(availability)s")
        % {"name": status.user if user != request.user else gettext("You"), "availability": label},
    )
    return _back(request, organisation)


@require_POST
@login_required
def seen(request, slug: str):
    """A console page without the staff socket (the routing page) says it is open: the
    agent's sign of life, as the socket's heartbeat (auto-offline)."""
    selectors.organisation_for(request.user, slug)
    actions.do_mark_seen(request.user)
    return JsonResponse({}, status=200)


@require_POST
@login_required
def agent(request, slug: str, user_id: int):
    """Team leads and administrators: an agent's capacity (``max_open``)."""
    organisation, role = selectors.organisation_for(request.user, slug)
    try:
        user = _member(organisation, user_id)
        raw = request.POST.get("max_open", "").strip()
        max_open = int(raw) if raw.isdigit() else raw
        actions.do_set_capacity(organisation, user, max_open, actor=request.user)
    except BalieError as problem:
        return _failed(request, organisation, role, problem)
    messages.success(
        request,
        gettext("%(name)s gets at most %(count)s open conversations.")
        % {"name": user, "count": max_open},
    )
    return _back(request, organisation)


@require_POST
@login_required
def team(request, slug: str, team_id: int):
    """Team leads and administrators: the team's routing rule."""
    return _change_team(
        request,
        slug,
        team_id,
        lambda found: actions.do_set_team_routing(
            found, request.POST.get("routing"), actor=request.user
        ),
        lambda found: rule_name(found.routing),
    )


def _change_team(request, slug: str, team_id: int, change, shown):
    """One team rule changed by ``change(team)``; the page again with ``shown(team)``."""
    organisation, role = selectors.organisation_for(request.user, slug)
    found = selectors.team_in(organisation.pk, team_id)
    if found is None:
        raise Http404("team")
    try:
        change(found)
    except BalieError as problem:
        return _failed(request, organisation, role, problem)
    text = gettext("Team %(team)s: %(rule)s.")
    messages.success(request, text % {"team": found.name, "rule": shown(found)})
    return _back(request, organisation)


@require_POST
@login_required
def team_collision(request, slug: str, team_id: int):
    """Team leads and administrators: what a reply where someone else is assigned does."""
    return _change_team(
        request,
        slug,
        team_id,
        lambda found: actions.do_set_team_collision(
            found, request.POST.get("collision"), actor=request.user
        ),
        lambda found: found.get_collision_display(),
    )
