"""A resident's optional DigiD login on the chat page, and what it shows them: their earlier
conversations with the organisation on any device (docs/guides/resident-digid.md).

``/c/<slug>/login/`` sends the browser to the organisation's broker
(:func:`balie.accounts.residents.begin`); ``/c/<slug>/login/callback/`` checks its answer
(:func:`~balie.accounts.residents.finish`), finds or makes the resident's contact
(``do_identify_resident``) and starts the resident's own session (web.resident.sessions);
``/c/<slug>/me/link/`` links the web chat whose device token the page holds to that contact
(identity.js calls it); ``/c/<slug>/history/<id>/`` shows an earlier conversation read-only;
``/c/<slug>/logout/`` ends the session. Thin views: the checks are in accounts.residents, the
writes in conversations.actions, the reads in conversations.identity.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_GET, require_POST

from balie.accounts import residents
from balie.accounts.models import ResidentSignOn
from balie.conversations import actions, events, identity, selectors
from balie.errors import BalieError
from balie.tenants.models import Organisation
from balie.tenants.selectors import organisation_by_slug
from balie.web.resident import texts
from balie.web.resident.sessions import ResidentSession

__all__ = ["callback", "history_conversation", "identity_for", "link", "login", "logout"]

log = logging.getLogger(__name__)
TOKEN_HEADER = "X-Balie-Token"  # noqa: S105 - a header name, not a secret
METHOD = "digid"


def _organisation(slug: str) -> Organisation:
    organisation = organisation_by_slug(slug)
    if organisation is None:
        raise Http404("organisation")
    return organisation


def _sign_on(organisation: Organisation) -> ResidentSignOn:
    try:
        return residents.enabled_sign_on(organisation)
    except residents.ResidentSignOnUnknown:
        raise Http404("resident login") from None


def _callback_uri(request, organisation: Organisation) -> str:
    return request.build_absolute_uri(reverse("resident:login_callback", args=[organisation.slug]))


def _chat_url(organisation: Organisation, language: str | None = None) -> str:
    url = reverse("resident:chat", args=[organisation.slug])
    return f"{url}?{urlencode({'lang': language})}" if language else url


def identity_for(request, organisation: Organisation) -> dict[str, Any] | None:
    """What the chat page's identity block shows: nothing when the organisation has no DigiD
    login; the login link; or, logged in, the history and the logout form. Reading it counts
    as activity (the session's idle time starts again)."""
    if not ResidentSignOn.objects.for_organisation(organisation).filter(enabled=True).exists():
        return None
    session = ResidentSession(request, organisation)
    contact = session.contact()
    session.touch()
    return {
        "login_url": reverse("resident:login", args=[organisation.slug]),
        "logged_in": contact is not None,
        "history": identity.resident_history(contact) if contact is not None else [],
        "logout_url": reverse("resident:logout", args=[organisation.slug]),
        "link_url": reverse("resident:link", args=[organisation.slug]),
    }


@require_GET
def login(request, slug: str):
    organisation = _organisation(slug)
    sign_on = _sign_on(organisation)
    session = ResidentSession(request, organisation)
    url, pending = residents.begin(sign_on, _callback_uri(request, organisation))
    pending["language"] = texts.language_from(request.GET.get("lang"))
    session.start_login(pending)
    return session.save(HttpResponseRedirect(url))


@require_GET
def callback(request, slug: str):
    organisation = _organisation(slug)
    sign_on = _sign_on(organisation)
    session = ResidentSession(request, organisation)
    pending = session.take_pending()
    language = texts.language_from((pending or {}).get("language"))
    try:
        who = residents.finish(sign_on, pending, request.GET, _callback_uri(request, organisation))
        contact = actions.do_identify_resident(
            organisation.pk, bsn=who.bsn, method=METHOD, acr=who.acr
        )
    except residents.ResidentLoginRefused as refusal:  # shown in place, with its code
        log.info(
            "resident login refused",
            extra={"organisation_id": organisation.pk, "code": refusal.code},
        )
        with translation.override(language):
            page = render(
                request,
                "resident/login_refused.html",
                {
                    "organisation": organisation,
                    "language": language,
                    "refusal": refusal,
                    "chat_url": _chat_url(organisation, language),
                },
                status=refusal.status,
            )
        return session.save(page)
    session.log_in(contact)
    log.info("resident logged in", extra={"organisation_id": organisation.pk})
    return session.save(HttpResponseRedirect(_chat_url(organisation, language)))


@require_POST  # a form with the CSRF token: another site cannot log the resident out
def logout(request, slug: str):
    organisation = _organisation(slug)
    session = ResidentSession(request, organisation)
    session.log_out()
    return session.save(HttpResponseRedirect(_chat_url(organisation, request.POST.get("lang"))))


@require_POST
def link(request, slug: str):
    """Link the web chat of the device token in ``X-Balie-Token`` to the logged-in resident
    (CSRF-checked: the resident's session is a cookie)."""
    organisation = _organisation(slug)
    session = ResidentSession(request, organisation)
    contact = session.contact()
    try:
        if contact is None:
            raise residents.ResidentLoginRefused("resident_login_required")
        conversation = selectors.access_conversation_by_token(
            organisation.slug, request.headers.get(TOKEN_HEADER)
        )
        conversation = actions.do_link_conversation(conversation, contact)
    except BalieError as error:  # this endpoint's one mapping: the errors' shape
        return session.save(JsonResponse(error.as_dict(), status=error.status))
    return session.save(JsonResponse({"conversation": conversation.pk, "linked": True}))


@require_GET
def history_conversation(request, slug: str, conversation_id: str):
    """An earlier conversation of the logged-in resident, read-only."""
    organisation = _organisation(slug)
    language = texts.language_from(request.GET.get("lang"))
    session = ResidentSession(request, organisation)
    contact = session.contact()
    if contact is None:
        return session.save(HttpResponseRedirect(_chat_url(organisation, language)))
    conversation = identity.resident_conversation(contact, conversation_id)
    messages = [
        {
            "payload": events.message_payload(message, for_resident=True),
            "created_at": message.created_at,
        }
        for message in identity.resident_messages(conversation)
    ]
    with translation.override(language):
        page = render(
            request,
            "resident/history_conversation.html",
            {
                "organisation": organisation,
                "language": language,
                "conversation": conversation,
                "messages": messages,
                "chat_url": _chat_url(organisation, language),
            },
        )
    return session.save(page)
