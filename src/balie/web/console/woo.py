"""Woo requests in the console: the dashboard of requests by due date (Woo coordinators and
auditors), registering one, and one request's page — its deadline, documents, the detector's
proposals, decisions, and the publication package to download.

Forms post to one small view that calls one action each; a refused action shows the page
again with the action's (Dutch) message, a forbidden one answers 403.
"""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from balie.accounts.models import Role
from balie.archive.audit import record_read
from balie.conversations.actions import ActionError
from balie.conversations.selectors import record_list_read
from balie.errors import BalieError
from balie.search.models import SavedSearch
from balie.web.console.inbox import organisation_or_404
from balie.web.console.pages import render_page
from balie.web.downloads import package_file_response
from balie.woo import actions as woo_actions
from balie.woo import review
from balie.woo.models import Decision, RedactionState, Status, WooRequest
from balie.woo.package import build_package, parts
from balie.woo.publication import do_configure_publisher, do_publish
from balie.woo.publishing import publication_status, publisher_settings
from balie.woo.selectors import deadline_of, list_requests

READERS = (Role.WOO_OFFICER, Role.AUDITOR)


def woo_role(request, slug: str):
    organisation, role = organisation_or_404(request.user, slug)
    if role not in READERS:
        raise Http404("woo")
    return organisation, role


def request_or_404(organisation, reference: str) -> WooRequest:
    found = WooRequest.objects.for_organisation(organisation).filter(reference=reference).first()
    if found is None:
        raise Http404("woo request")
    return found


@login_required
@require_GET
def overview(request, slug: str):
    organisation, role = woo_role(request, slug)
    return _overview(request, organisation, role)


def _overview(request, organisation, role, *, error: str = "", status: int = 200):
    views = list_requests(request.user, organisation.pk)
    settings = publisher_settings(request.user, organisation.pk)
    shown = request.POST if error else (settings or {})
    form = {field: shown.get(field, "") for field in ("url", "publisher", "category")}
    return render_page(
        request,
        "console/woo.html",
        {
            "organisation": organisation,
            "views": views,
            "can_write": role == Role.WOO_OFFICER,
            "publisher": settings,
            "publisher_form": form,
            "error": error,
            "posted": request.POST if error else {},
        },
        status=status,
    )


@login_required
@require_POST
def publisher(request, slug: str):
    """The organisation's publicatiebank: address, publisher and category UUIDs, the token
    (left empty: the stored one stays; never shown back), on or off."""
    organisation, role = woo_role(request, slug)
    post = request.POST
    try:
        do_configure_publisher(
            organisation.pk, actor=request.user, url=post.get("url", ""),
            publisher=post.get("publisher", ""), category=post.get("category", ""),
            token=post.get("token") or None, enabled=post.get("enabled") == "on",
        )  # fmt: skip
    except BalieError as error:
        if error.status == 403:
            raise
        return _overview(request, organisation, role, error=str(error.message), status=400)
    messages.success(request, gettext("Saved."))
    return redirect(reverse("console:woo", args=[organisation.slug]))


@login_required
@require_POST
def register(request, slug: str):
    organisation, role = woo_role(request, slug)
    post = request.POST
    try:
        created = woo_actions.do_register_request(
            organisation.pk, actor=request.user, reference=post.get("reference", ""),
            received_on=post.get("received_on", ""), subject=post.get("subject", ""),
            scope=post.get("scope", ""), requester_name=post.get("requester_name", ""),
            requester_contact=post.get("requester_contact", ""),
        )  # fmt: skip
    except (ActionError, BalieError) as error:
        if error.status == 403:
            raise
        return _overview(request, organisation, role, error=str(error.message), status=400)
    return redirect(reverse("console:woo_request", args=[organisation.slug, created.reference]))


@login_required
@require_GET
def detail(request, slug: str, reference: str):
    organisation, role = woo_role(request, slug)
    return _detail(request, organisation, role, request_or_404(organisation, reference))


def _detail(request, organisation, role, woo_request, *, error: str = "", status: int = 200):
    documents = list(
        woo_request.documents.annotate(
            proposed=Count("redactions", filter=Q(redactions__state=RedactionState.PROPOSED)),
            accepted=Count("redactions", filter=Q(redactions__state=RedactionState.ACCEPTED)),
            rejected=Count("redactions", filter=Q(redactions__state=RedactionState.REJECTED)),
        ).select_related("conversation")
    )
    # Every view of a request's documents is in the audit log.
    record_list_read(
        request.user, [d.conversation for d in documents], kind="conversation",
        filters={"woo_request": woo_request.reference},
    )  # fmt: skip
    can_write = role == Role.WOO_OFFICER
    context = {
        "organisation": organisation,
        "woo": woo_request,
        "deadline": deadline_of(woo_request),
        "suspended": woo_request.suspensions.filter(ended_on__isnull=True).first(),
        "documents": documents,
        "can_write": can_write and woo_request.is_open,
        "show_requester": can_write,
        "next_statuses": [
            (s, Status(s).label) for s in woo_actions.NEXT[Status(woo_request.status)]
        ],
        "decisions": Decision.choices,
        "saved_searches": SavedSearch.objects.filter(
            organisation=organisation, owner=request.user
        ).order_by("name")
        if can_write
        else [],
        "parts": list(parts(woo_request)),
        "publication": publication_status(request.user, woo_request),
        "can_publish": can_write
        and woo_request.status == Status.DECIDED
        and bool((publisher_settings(request.user, organisation.pk) or {}).get("enabled")),
        "error": error,
    }
    return render_page(request, "console/woo_request.html", context, status=status)


ACTIONS = {
    "extend": lambda r, user, p: woo_actions.do_extend(
        r, actor=user, days=_int(p.get("days")), reason=p.get("reason", "")
    ),
    "suspend": lambda r, user, p: woo_actions.do_suspend(
        r, actor=user, started_on=p.get("started_on", ""), reason=p.get("reason", "")
    ),
    "resume": lambda r, user, p: woo_actions.do_end_suspension(
        r, actor=user, ended_on=p.get("ended_on", "")
    ),
    "status": lambda r, user, p: woo_actions.do_set_status(
        r, actor=user, status=p.get("status", "")
    ),
    "collect": lambda r, user, p: _collect(r, user, p),
    "propose": lambda r, user, p: review.do_propose_redactions(r, actor=user),
    "decide": lambda r, user, p: review.do_decide_document(
        r.documents.get(number=_int(p.get("document"))),
        actor=user,
        decision=p.get("decision", ""),
        grounds=_grounds(p.getlist("grounds")),
        explanation=p.get("explanation", ""),
    ),  # fmt: skip
    "publish": lambda r, user, p: do_publish(r, actor=user),
    "everywhere": lambda r, user, p: review.do_redact_everywhere(
        r, actor=user, text=p.get("text", ""), ground=p.get("ground", "")
    ),
}


def _grounds(values: list[str]) -> list[str]:
    """Grounds typed in one field: "5.1.1e 5.1.2e" or "5.1.1e, 5.1.2e"."""
    return [g for value in values for g in re.split(r"[\s,;]+", value) if g]


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _collect(woo_request, user, post):
    saved = SavedSearch.objects.filter(
        organisation_id=woo_request.organisation_id, owner=user, pk=_int(post.get("saved_search"))
    ).first()
    if saved is None:
        raise ActionError("invalid_target", gettext("Choose one of your saved searches."))
    from_search = review.conversations_found_by(saved)
    woo_actions.do_add_saved_search(woo_request, actor=user, saved_search_id=saved.pk)
    return review.do_collect(
        woo_request, actor=user, conversation_ids=from_search,
        found_by=f"{saved.name}: {saved.query}",
    )  # fmt: skip


@login_required
@require_POST
def act(request, slug: str, reference: str):
    organisation, role = woo_role(request, slug)
    woo_request = request_or_404(organisation, reference)
    handler = ACTIONS.get(request.POST.get("action", ""))
    if handler is None:
        raise Http404("action")
    try:
        handler(woo_request, request.user, request.POST)
    except woo_request.documents.model.DoesNotExist:
        raise Http404("document") from None
    except BalieError as error:
        if error.status == 403:
            raise
        return _detail(
            request, organisation, role, woo_request, error=str(error.message), status=400
        )
    messages.success(request, gettext("Saved."))
    return redirect(reverse("console:woo_request", args=[organisation.slug, reference]))


@login_required
@require_GET
def package(request, slug: str, reference: str):
    organisation, _role = woo_role(request, slug)
    woo_request = request_or_404(organisation, reference)
    built = build_package(woo_request)
    content = built.zip()
    record_read(
        request.user, organisation_id=organisation.pk, action="woo.package",
        object_type="woo_request", object_id=woo_request.pk,
        detail={"reference": woo_request.reference},
    )  # fmt: skip
    return package_file_response(f"{built.stem}.zip", content)
