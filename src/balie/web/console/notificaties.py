"""The organisation's Notificaties API in the console, for its administrators: the connection
(never its secret), registering Balie's kanaal, the abonnement for notificaties of other
systems, the latest notificaties sent (with their state, the reason of a failure and a way
to send a failed one again) and the latest received.

Forms post to one small view each that calls one action; a refused action shows the page
again with the action's message, a forbidden one answers 403, and the page is "not found"
for anyone but the organisation's administrators.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from balie.accounts.models import Role
from balie.errors import BalieError
from balie.integrations.notificaties.connection import do_configure_connection, do_register_kanaal
from balie.integrations.notificaties.models import DEFAULT_KANAAL
from balie.integrations.notificaties.outcomes import do_retry
from balie.integrations.notificaties.selectors import (
    connection_settings,
    received_notifications,
    sent_notifications,
    sent_view,
)
from balie.integrations.notificaties.subscription import (
    do_subscribe,
    do_unsubscribe,
    kanalen_from_text,
)
from balie.integrations.notificaties.tasks import send_notifications
from balie.web.console.inbox import organisation_or_404
from balie.web.console.pages import render_page

SHOWN = 50
FORM_FIELDS = ("url", "client_id", "kanaal")


def _admin_or_404(request, slug: str):
    organisation, role = organisation_or_404(request.user, slug)
    if role != Role.ADMIN:
        raise Http404("notificaties")
    return organisation


def _page_url(organisation) -> str:
    return reverse("console:notificaties", args=[organisation.slug])


@login_required
@require_GET
def overview(request, slug: str):
    return _overview(request, _admin_or_404(request, slug))


def _overview(request, organisation, *, error: str = "", status: int = 200):
    settings = connection_settings(request.user, organisation.pk)
    shown = request.POST if error else (settings or {"kanaal": DEFAULT_KANAAL})
    sent = sent_notifications(request.user, organisation.pk)[:SHOWN]
    return render_page(
        request,
        "console/notificaties.html",
        {
            "organisation": organisation,
            "connection": settings,
            "form": {field: shown.get(field, "") for field in FORM_FIELDS},
            "kanalen_text": request.POST.get("kanalen", "") if error else "",
            "sent": [sent_view(row) for row in sent],
            "received": list(received_notifications(request.user, organisation.pk)[:SHOWN]),
            "error": error,
        },
        status=status,
    )


def _act(request, slug: str, action, done: str):
    """Run one action for the organisation; its refusal is shown on the page again."""
    organisation = _admin_or_404(request, slug)
    try:
        action(organisation.pk)
    except BalieError as error:
        if error.status == 403:
            raise
        return _overview(request, organisation, error=error.message, status=error.status)
    messages.success(request, done)
    return redirect(_page_url(organisation))


@login_required
@require_POST
def connection(request, slug: str):
    post = request.POST
    return _act(
        request,
        slug,
        lambda organisation_id: do_configure_connection(
            organisation_id,
            actor=request.user,
            url=post.get("url", ""),
            client_id=post.get("client_id", ""),
            secret=post.get("secret") or None,
            kanaal=post.get("kanaal", ""),
            enabled=post.get("enabled") == "on",
        ),
        gettext("Saved."),
    )


@login_required
@require_POST
def kanaal(request, slug: str):
    return _act(
        request,
        slug,
        lambda organisation_id: do_register_kanaal(organisation_id, actor=request.user),
        gettext("The kanaal is registered."),
    )


@login_required
@require_POST
def subscribe(request, slug: str):
    return _act(
        request,
        slug,
        lambda organisation_id: do_subscribe(
            organisation_id,
            actor=request.user,
            kanalen=kanalen_from_text(request.POST.get("kanalen", "")),
        ),
        gettext("Subscribed."),
    )


@login_required
@require_POST
def unsubscribe(request, slug: str):
    return _act(
        request,
        slug,
        lambda organisation_id: do_unsubscribe(
            organisation_id, actor=request.user, forget=request.POST.get("forget") == "on"
        ),
        gettext("The abonnement is removed."),
    )


@login_required
@require_POST
def retry(request, slug: str, notification_id: int):
    def again(organisation_id: int) -> None:
        row = do_retry(organisation_id, notification_id, actor=request.user)
        send_notifications.enqueue([row.pk])

    return _act(request, slug, again, gettext("The notificatie is queued again."))


urlpatterns = [
    path("<slug:slug>/notificaties/", overview, name="notificaties"),
    path("<slug:slug>/notificaties/connection/", connection, name="notificaties_connection"),
    path("<slug:slug>/notificaties/kanaal/", kanaal, name="notificaties_kanaal"),
    path("<slug:slug>/notificaties/abonnement/", subscribe, name="notificaties_subscribe"),
    path(
        "<slug:slug>/notificaties/abonnement/delete/",
        unsubscribe,
        name="notificaties_unsubscribe",
    ),
    path(
        "<slug:slug>/notificaties/sent/<int:notification_id>/retry/",
        retry,
        name="notificaties_retry",
    ),
]
