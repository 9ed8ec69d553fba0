"""Outgoing webhooks in the console, for the organisation's administrators: the subscriptions
(create — the signing secret shown this once —, change, switch on and off, rotate the secret,
send a test event, remove), the delivery log (the latest first, or only the failed ones) and
sending a delivery again.

Anyone else gets 404, as for another organisation. Forms post to small views that call one
action each; a refused action shows the page again with the action's message. A page that
shows a new secret is answered directly (never through a redirect that would have to keep the
secret somewhere) and is not cached.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from balie.accounts.models import Role
from balie.errors import BalieError
from balie.integrations.webhooks import selectors
from balie.integrations.webhooks.events import DOMAINS, TYPES
from balie.integrations.webhooks.models import DeliveryState
from balie.integrations.webhooks.subscriptions import (
    do_create_subscription,
    do_delete_subscription,
    do_replay,
    do_rotate_secret,
    do_send_ping,
    do_update_subscription,
)
from balie.web.console.inbox import organisation_or_404
from balie.web.console.pages import render_page

LOG_SHOWN = 100
PATTERNS = ("*", *(f"{domain}.*" for domain in DOMAINS), *TYPES)


def _admin(request, slug: str):
    organisation, role = organisation_or_404(request.user, slug)
    if role != Role.ADMIN:
        raise Http404("webhooks")
    return organisation


def _subscription(request, organisation, subscription_id: int):
    found = selectors.access_subscription(request.user, subscription_id)
    if found.organisation_id != organisation.pk:
        raise Http404("webhook")
    return found


def _page_url(organisation) -> str:
    return reverse("console:webhooks", args=[organisation.slug])


@login_required
@require_GET
def overview(request, slug: str):
    return _overview(request, _admin(request, slug))


def _overview(request, organisation, *, error: str = "", secret=None, status: int = 200):
    """The page; ``secret``: (the subscription, its new secret) to show this once."""
    failed_only = request.GET.get("state") == DeliveryState.FAILED
    state = DeliveryState.FAILED if failed_only else None
    subscriptions = [
        selectors.subscription_view(s)
        for s in selectors.subscriptions_of(request.user, organisation.pk)
    ]
    log = selectors.deliveries_of(request.user, organisation.pk, state=state)[:LOG_SHOWN]
    response = render_page(
        request,
        "console/webhooks.html",
        {
            "organisation": organisation,
            "subscriptions": subscriptions,
            "deliveries": [selectors.delivery_view(d) for d in log],
            "failed_only": failed_only,
            "patterns": PATTERNS,
            "error": error,
            "posted": request.POST if error else {},
            "posted_patterns": request.POST.getlist("event_types") if error else ["*"],
            "new_secret": secret,
        },
        status=status,
    )
    if secret is not None:
        response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def create(request, slug: str):
    organisation = _admin(request, slug)
    post = request.POST
    try:
        subscription, secret = do_create_subscription(
            organisation.pk,
            actor=request.user,
            name=post.get("name", ""),
            url=post.get("url", ""),
            event_types=post.getlist("event_types"),
            enabled=post.get("enabled") == "on",
        )
    except BalieError as error:
        if error.status == 403:
            raise
        return _overview(request, organisation, error=error.message, status=400)
    return _overview(request, organisation, secret=(subscription, secret))


@login_required
@require_POST
def change(request, slug: str, subscription_id: int):
    """One of: save (name, address, event types), on, off, rotate, ping, delete."""
    organisation = _admin(request, slug)
    subscription = _subscription(request, organisation, subscription_id)
    post, actor = request.POST, request.user
    action = post.get("action", "")
    try:
        if action == "save":
            do_update_subscription(
                subscription, actor=actor, name=post.get("name", ""), url=post.get("url", ""),
                event_types=post.getlist("event_types"),
            )  # fmt: skip
        elif action in ("on", "off"):
            do_update_subscription(subscription, actor=actor, enabled=action == "on")
        elif action == "rotate":
            secret = do_rotate_secret(
                subscription, actor=actor, overlap=post.get("overlap") == "on"
            )
            return _overview(request, organisation, secret=(subscription, secret))
        elif action == "ping":
            do_send_ping(subscription, actor=actor)
        elif action == "delete":
            do_delete_subscription(subscription, actor=actor)
        else:
            raise Http404("action")
    except BalieError as error:
        if error.status == 403:
            raise
        return _overview(request, organisation, error=error.message, status=400)
    messages.success(request, gettext("Saved."))
    return redirect(_page_url(organisation))


@login_required
@require_GET
def delivery(request, slug: str, delivery_id: int):
    organisation = _admin(request, slug)
    found = selectors.access_delivery(request.user, delivery_id)
    if found.organisation_id != organisation.pk:
        raise Http404("delivery")
    view = selectors.delivery_view(found, with_event=True)
    return render_page(
        request,
        "console/webhooks_delivery.html",
        {
            "organisation": organisation,
            "delivery": view,
            "event_json": json.dumps(view["event"], indent=2, ensure_ascii=False),
        },
    )


@login_required
@require_POST
def replay(request, slug: str, delivery_id: int):
    organisation = _admin(request, slug)
    found = selectors.access_delivery(request.user, delivery_id)
    if found.organisation_id != organisation.pk:
        raise Http404("delivery")
    try:
        do_replay(found, actor=request.user)
    except BalieError as error:
        if error.status == 403:
            raise
        return _overview(request, organisation, error=error.message, status=400)
    messages.success(request, gettext("Queued to be sent again."))
    return redirect(_page_url(organisation))


urlpatterns = [
    path("<slug:slug>/webhooks/", overview, name="webhooks"),
    path("<slug:slug>/webhooks/new/", create, name="webhooks_create"),
    path("<slug:slug>/webhooks/<int:subscription_id>/", change, name="webhooks_change"),
    path(
        "<slug:slug>/webhooks/deliveries/<int:delivery_id>/",
        delivery,
        name="webhooks_delivery",
    ),
    path(
        "<slug:slug>/webhooks/deliveries/<int:delivery_id>/replay/",
        replay,
        name="webhooks_replay",
    ),
]
