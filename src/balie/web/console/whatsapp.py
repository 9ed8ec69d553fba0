"""WhatsApp in the console: the JSON endpoints the composer and the channel settings call.

- ``GET conversations/<id>/whatsapp/``: whether the 24-hour window is open, until when, and
  the approved templates: the composer warns before a free text that cannot be delivered.
- ``POST conversations/<id>/whatsapp/template/`` with ``{"template", "parameters",
  "client_id"}``: send a template; answers the message as the staff socket shows it.
- ``GET`` / ``POST <slug>/whatsapp/templates/`` and ``POST <slug>/whatsapp/templates/<id>/``:
  the organisation's templates, for its administrators (anyone else: 404).

Thin: a selector finds and authorises, an action writes; domain errors are answered by
``json_endpoint``, the console's one mapping.
"""

from __future__ import annotations

from django.http import JsonResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from balie.accounts.models import Role
from balie.connectors.whatsapp.templates import (
    access_template,
    administered_account,
    do_add_template,
    do_send_template,
    do_update_template,
    template_view,
    templates_administered,
    templates_for,
    window_of,
)
from balie.conversations import events, selectors
from balie.errors import NotFound
from balie.web.console.inbox import organisation_or_404
from balie.web.console.jsonviews import json_body, json_endpoint


def _window(conversation) -> dict:
    window = window_of(conversation)
    closes_at = window["closes_at"]
    return {
        "open": window["open"],
        "closes_at": closes_at.isoformat() if closes_at else None,
        "templates": [template_view(t) for t in templates_for(conversation)],
    }


@require_GET
@json_endpoint
def window(request, conversation_id: int):
    conversation = selectors.access_conversation(request.user, conversation_id, audit=False)
    return JsonResponse(_window(conversation))


@require_POST
@json_endpoint
def send_template(request, conversation_id: int):
    """Body: ``{"template": <id>, "parameters": ["…", …], "client_id": "…", "confirm": bool}``
    (``confirm``: send although a colleague is assigned, where the team warns)."""
    conversation = selectors.access_conversation(request.user, conversation_id, write=True)
    body = json_body(request)
    result = do_send_template(
        conversation, actor=request.user, template_id=body.get("template"),
        parameters=body.get("parameters", []), client_id=body.get("client_id"),
        confirmed=body.get("confirm") is True,
    )  # fmt: skip
    payload = events.message_payload(result.message, for_resident=False)
    return JsonResponse({"message": payload}, status=201 if result.created else 200)


def _administered_organisation(request, slug: str) -> int:
    organisation, role = organisation_or_404(request.user, slug)
    if role != Role.ADMIN:
        raise NotFound("not_found", _("This page does not exist."))
    return organisation.pk


@require_http_methods(["GET", "POST"])
@json_endpoint
def templates(request, slug: str):
    """GET: the organisation's templates. POST ``{"channel", "name", "language", "body",
    "approved"}``: add one as registered at Meta."""
    organisation_id = _administered_organisation(request, slug)
    if request.method == "GET":
        found = templates_administered(request.user, organisation_id)
        return JsonResponse({"templates": [template_view(t) for t in found]})
    body = json_body(request)
    account = administered_account(request.user, body.get("channel"))
    if account.organisation_id != organisation_id:
        raise NotFound("unknown_channel", _("This WhatsApp channel does not exist."))
    template = do_add_template(
        account, actor=request.user, name=body.get("name"), language=body.get("language"),
        body=body.get("body"), approved=body.get("approved", False),
    )  # fmt: skip
    return JsonResponse({"template": template_view(template)}, status=201)


@require_POST
@json_endpoint
def change_template(request, slug: str, template_id: int):
    """Body: ``{"body": "…"}`` and/or ``{"approved": true | false}``."""
    organisation_id = _administered_organisation(request, slug)
    template = access_template(request.user, template_id)
    if template.organisation_id != organisation_id:
        raise NotFound("unknown_template", _("This template does not exist or is not approved."))
    body = json_body(request)
    changed = do_update_template(
        template, actor=request.user, body=body.get("body"), approved=body.get("approved")
    )
    return JsonResponse({"template": template_view(changed)})


urlpatterns = [
    path(
        "conversations/<int:conversation_id>/whatsapp/",
        window,
        name="whatsapp_window",
    ),
    path(
        "conversations/<int:conversation_id>/whatsapp/template/",
        send_template,
        name="whatsapp_send_template",
    ),
    path("<slug:slug>/whatsapp/templates/", templates, name="whatsapp_templates"),
    path(
        "<slug:slug>/whatsapp/templates/<int:template_id>/",
        change_template,
        name="whatsapp_template",
    ),
]
