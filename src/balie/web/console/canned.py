"""Canned answers in the console: the page where team leads and administrators write them
(everyone who handles conversations reads it), and the composer's "/" search, which answers
with the texts filled in for the conversation at hand (``actions.canned``).

The page's forms post to small views that call one action each; a refused action shows the
page again with the action's message. People of the organisation who do not handle
conversations get 404, as for another organisation.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from balie.accounts.actors import Actor
from balie.conversations import actions, selectors
from balie.conversations.actions.canned import CANNED_ROLES, PLACEHOLDERS
from balie.conversations.actions.checks import id_from_outside
from balie.conversations.models import CannedAnswer
from balie.errors import BalieError
from balie.web.console.inbox import organisation_or_404
from balie.web.console.jsonviews import json_endpoint
from balie.web.console.pages import render_page


def _organisation(request, slug: str):
    organisation, _role = organisation_or_404(request.user, slug)
    if not selectors.can_write(request.user, organisation.pk):
        raise Http404("canned answers")
    return organisation


def _answer(organisation, answer_id) -> CannedAnswer:
    found = (
        selectors.canned_answers_of(organisation.pk).filter(pk=id_from_outside(answer_id)).first()
    )
    if found is None:
        raise Http404("canned answer")
    return found


def _team(organisation, value: str):
    """The team chosen in a form ("" for the whole organisation)."""
    if not value:
        return None
    team = selectors.team_in(organisation.pk, int(value) if value.isdigit() else None)
    if team is None:
        raise actions.ActionError(
            "invalid_team", gettext("This team does not belong to this organisation."), field="team"
        )
    return team


def _page(request, organisation, *, error: str = "", status: int = 200):
    can_manage = Actor.of(request.user).has_role(organisation.pk, CANNED_ROLES)
    return render_page(
        request,
        "console/canned.html",
        {
            "organisation": organisation,
            "answers": list(selectors.canned_answers_of(organisation.pk)),
            "teams": selectors.teams_of(organisation.pk),
            "can_manage": can_manage,
            "placeholders": [f"{{{name}}}" for name in PLACEHOLDERS],
            "error": error,
            "posted": request.POST if error else {},
        },
        status=status,
    )


@login_required
@require_GET
def overview(request, slug: str):
    return _page(request, _organisation(request, slug))


@login_required
@require_POST
def create(request, slug: str):
    organisation = _organisation(request, slug)
    post = request.POST
    try:
        answer = actions.do_create_canned_answer(
            organisation,
            actor=request.user,
            shortcut=post.get("shortcut", "").strip(),
            title=post.get("title", ""),
            body_nl=post.get("body_nl", ""),
            body_en=post.get("body_en", ""),
            team=_team(organisation, post.get("team", "")),
        )
    except BalieError as error:
        if error.status == 403:
            raise
        return _page(request, organisation, error=error.message, status=400)
    messages.success(request, gettext("Saved: /%(shortcut)s") % {"shortcut": answer.shortcut})
    return redirect(reverse("console:canned", args=[organisation.slug]))


@login_required
@require_POST
def change(request, slug: str, answer_id: int):
    organisation = _organisation(request, slug)
    answer = _answer(organisation, answer_id)
    post = request.POST
    try:
        if post.get("action") == "delete":
            actions.do_delete_canned_answer(answer, actor=request.user)
            messages.success(
                request, gettext("Deleted: /%(shortcut)s") % {"shortcut": answer.shortcut}
            )
        else:
            actions.do_update_canned_answer(
                answer,
                actor=request.user,
                shortcut=post.get("shortcut", "").strip(),
                title=post.get("title", ""),
                body_nl=post.get("body_nl", ""),
                body_en=post.get("body_en", ""),
                team=_team(organisation, post.get("team", "")),
            )
            messages.success(
                request, gettext("Saved: /%(shortcut)s") % {"shortcut": answer.shortcut}
            )
    except BalieError as error:
        if error.status == 403:
            raise
        return _page(request, organisation, error=error.message, status=400)
    return redirect(reverse("console:canned", args=[organisation.slug]))


@require_GET
@json_endpoint
def search(request, conversation_id: int):
    """``?q=``: the canned answers for this conversation, filled in for it and this agent."""
    conversation = selectors.access_conversation(
        request.user, conversation_id, write=True, audit=False
    )
    found = selectors.canned_answers_for(conversation, request.GET.get("q", ""))
    return JsonResponse(
        {
            "answers": [
                {
                    "id": answer.pk,
                    "shortcut": answer.shortcut,
                    "title": answer.title,
                    "team": answer.team_id,
                    "text": actions.fill_canned_answer(
                        answer, conversation=conversation, agent=request.user
                    ),
                }
                for answer in found
            ]
        }
    )
