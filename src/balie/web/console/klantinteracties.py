"""The Klantinteracties API (Open Klant) in the console: the organisation's connection and its
recent registrations with their state, error and a retry button (administrators; auditors
read), and one conversation's registration with the addresses Open Klant gave (whoever sees
the conversation).

Forms post to one small view each that calls one action; a refused action shows the page
again with the action's message, a forbidden one answers 403, another organisation 404.
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
from balie.conversations.models import Channel
from balie.conversations.selectors import access_conversation
from balie.errors import BalieError
from balie.integrations.klantinteracties.connection import READERS, do_configure_connection
from balie.integrations.klantinteracties.content import DEFAULT_KANALEN
from balie.integrations.klantinteracties.outbox import do_retry
from balie.integrations.klantinteracties.selectors import (
    connection_settings,
    recent_registrations,
    registration_status,
)
from balie.web.console.inbox import organisation_or_404
from balie.web.console.pages import render_page

__all__ = ["urlpatterns"]


def _reader(request, slug: str):
    organisation, role = organisation_or_404(request.user, slug)
    if role not in READERS:
        raise Http404("klantinteracties")
    return organisation, role


@login_required
@require_GET
def overview(request, slug: str):
    organisation, role = _reader(request, slug)
    return _overview(request, organisation, role)


def _overview(request, organisation, role, *, error: str = "", status: int = 200):
    settings = connection_settings(request.user, organisation.pk)
    if error:
        post = request.POST
        form = {
            "url": post.get("url", ""),
            "kanalen": {c: post.get(f"kanaal_{c}", "") for c in Channel.values},
            "enabled": post.get("enabled") == "on",
            "confidential": post.get("confidential") == "on",
            "send_contact_details": post.get("send_contact_details") == "on",
        }
    else:
        form = settings or {
            "url": "", "kanalen": {}, "enabled": True, "confidential": True,
            "send_contact_details": True,
        }  # fmt: skip
    channels = [
        {
            "value": channel,
            "label": label,
            "default": DEFAULT_KANALEN[Channel(channel)],
            "given": form["kanalen"].get(channel, ""),
        }
        for channel, label in Channel.choices
    ]
    return render_page(
        request,
        "console/klantinteracties.html",
        {
            "organisation": organisation,
            "connection": settings,
            "form": form,
            "channels": channels,
            "can_write": role == Role.ADMIN,
            "registrations": recent_registrations(request.user, organisation.pk),
            "error": error,
        },
        status=status,
    )


@login_required
@require_POST
def save_connection(request, slug: str):
    """Address, token (left empty: the stored one stays; never shown back), on or off, the
    kanaal names, vertrouwelijk, and whether contact details are sent."""
    organisation, role = _reader(request, slug)
    post = request.POST
    try:
        do_configure_connection(
            organisation.pk, actor=request.user, url=post.get("url", ""),
            token=post.get("token") or None, enabled=post.get("enabled") == "on",
            kanalen={c: post.get(f"kanaal_{c}", "") for c in Channel.values},
            confidential=post.get("confidential") == "on",
            send_contact_details=post.get("send_contact_details") == "on",
        )  # fmt: skip
    except BalieError as error:
        if error.status == 403:
            raise
        return _overview(request, organisation, role, error=str(error.message), status=400)
    messages.success(request, gettext("Saved."))
    return redirect(reverse("console:klantinteracties", args=[organisation.slug]))


def _conversation_in(request, organisation, conversation_id: int, *, write: bool = False):
    conversation = access_conversation(request.user, conversation_id, write=write, audit=False)
    if conversation.organisation_id != organisation.pk:
        raise Http404("conversation")
    return conversation


@login_required
@require_GET
def conversation(request, slug: str, conversation_id: int):
    organisation, role = organisation_or_404(request.user, slug)
    _conversation_in(request, organisation, conversation_id)
    try:
        found = registration_status(request.user, conversation_id)
    except BalieError as error:
        if error.status != 404:
            raise
        found = None
    return render_page(
        request,
        "console/klantinteracties_conversation.html",
        {
            "organisation": organisation,
            "conversation_id": conversation_id,
            "registration": found,
            "can_retry": role == Role.ADMIN,
        },
    )


@login_required
@require_POST
def retry(request, slug: str, conversation_id: int):
    organisation, role = organisation_or_404(request.user, slug)
    _conversation_in(request, organisation, conversation_id, write=True)
    try:
        do_retry(request.user, conversation_id)
    except BalieError as error:
        if error.status in (403, 404):
            raise
        messages.error(request, str(error.message))
    else:
        messages.success(request, gettext("Queued again."))
    back = request.POST.get("next") == "overview" and role in READERS
    if back:
        return redirect(reverse("console:klantinteracties", args=[organisation.slug]))
    return redirect(
        reverse("console:klantinteracties_conversation", args=[organisation.slug, conversation_id])
    )


urlpatterns = [
    path("<slug:slug>/klantinteracties/", overview, name="klantinteracties"),
    path(
        "<slug:slug>/klantinteracties/connection/",
        save_connection,
        name="klantinteracties_connection",
    ),
    path(
        "<slug:slug>/klantinteracties/conversations/<int:conversation_id>/",
        conversation,
        name="klantinteracties_conversation",
    ),
    path(
        "<slug:slug>/klantinteracties/conversations/<int:conversation_id>/retry/",
        retry,
        name="klantinteracties_retry",
    ),
]
