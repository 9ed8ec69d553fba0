"""Handling a conversation from the console: assign, move to a team, change status, details.

Thin JSON endpoints for ``fetch()``: they read the body, look the conversation up through the
selectors (which check tenant and role) and call one action.
"""

from __future__ import annotations

from django.http import JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from balie.accounts.selectors import staff_member
from balie.conversations import actions, events, selectors
from balie.errors import Invalid
from balie.records.record_classes import do_set_record_class
from balie.records.selectors import require_record_class_chooser
from balie.web.console.jsonviews import json_body, json_endpoint
from balie.web.console.labels import STATUS_LABELS

_KEEP = object()


def _answer(conversation) -> JsonResponse:
    payload = events.conversation_payload(conversation, with_labels=True)
    return JsonResponse({"conversation": payload})


@require_POST
@json_endpoint
def assign(request, conversation_id: int):
    """Body: ``{"assignee": "me" | <user id> | null, "team": <team id> | null}``.

    A key that is left out leaves that part unchanged; ``team`` moves the conversation.
    """
    conversation = selectors.access_conversation(request.user, conversation_id, write=True)
    body = json_body(request)
    if "assignee" not in body and "team" not in body:
        raise Invalid("invalid_field", _("Give an assignee (assignee) or a team."))
    assignee = _assignee(request.user, conversation, body.get("assignee", _KEEP))
    change_team = "team" in body
    team = _team(conversation, body["team"]) if change_team else None
    conversation = actions.do_assign(
        conversation, actor=request.user, assignee=assignee, team=team, change_team=change_team
    )
    return _answer(conversation)


def _assignee(user, conversation, value):
    if value is _KEEP:
        return conversation.assignee
    if value is None:
        return None
    if value == "me":
        return user
    if not isinstance(value, int) or isinstance(value, bool):
        raise Invalid("invalid_assignee", _("assignee must be 'me', a number or null."))
    member = staff_member(conversation.organisation_id, value)
    if member is None:
        raise Invalid(
            "invalid_assignee", _("This person does not handle conversations of this organisation.")
        )
    return member


def _team(conversation, value):
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise Invalid("invalid_team", _("team must be a number or null."))
    team = selectors.team_in(conversation.organisation_id, value)
    if team is None:
        raise Invalid("invalid_team", _("This team does not belong to this organisation."))
    return team


@require_POST
@json_endpoint
def change_status(request, conversation_id: int):
    """Body: ``{"status": "open" | "pending" | "resolved" | "closed"}``."""
    conversation = selectors.access_conversation(request.user, conversation_id, write=True)
    body = json_body(request)
    status = body.get("status")
    if not isinstance(status, str):
        raise Invalid("invalid_status", _("%(name)s must be a text."), params={"name": "status"})
    conversation = actions.do_change_status(conversation, actor=request.user, status=status)
    return _answer(conversation)


@require_POST
@json_endpoint
def details(request, conversation_id: int):
    """Body: any of ``{"subject": str, "case_reference": str, "labels": [str, …]}``."""
    conversation = selectors.access_conversation(request.user, conversation_id, write=True)
    body = json_body(request)
    fields = {key: body[key] for key in ("subject", "case_reference", "labels") if key in body}
    if not fields:
        raise Invalid("invalid_field", _("Give a subject, case number or labels."))
    conversation = actions.do_update_details(conversation, actor=request.user, **fields)
    return _answer(conversation)


@require_POST
@json_endpoint
def record_class(request, conversation_id: int):
    """Body: ``{"record_class": <record class id>}``; agents, team leads, records managers and
    administrators choose it."""
    conversation = selectors.access_conversation(request.user, conversation_id, audit=False)
    require_record_class_chooser(request.user, conversation.organisation_id)
    body = json_body(request)
    conversation = do_set_record_class(
        conversation, actor=request.user, record_class_id=body.get("record_class")
    )
    return _answer(conversation)


@require_POST
@json_endpoint
def retry_delivery(request, conversation_id: int, message_id: int):
    """Send a message whose delivery to its channel failed again. Body: ``{}``."""
    conversation = selectors.access_conversation(request.user, conversation_id, write=True)
    message = selectors.message_in(conversation, message_id)
    actions.do_retry_delivery(message, actor=request.user)
    return JsonResponse({"message": events.message_payload(message, for_resident=False)})


@require_GET
@json_endpoint
def history(request, conversation_id: int):
    """The contact's earlier conversations beside this one (those this user may see)."""
    conversation = selectors.access_conversation(request.user, conversation_id, audit=False)
    rows, total = selectors.contact_history(request.user, conversation)
    return JsonResponse(
        {
            "total": total,
            "conversations": [
                {
                    "id": c.pk,
                    "created_at": c.created_at.isoformat(),
                    "status": c.status,
                    "status_label": str(STATUS_LABELS[c.status]),
                    "channel": c.channel,
                    "channel_label": c.get_channel_display(),
                    "subject": c.subject,
                    "team": c.team.name if c.team_id else "",
                    "assignee": str(c.assignee) if c.assignee_id else "",
                }
                for c in rows
            ],
        }
    )
