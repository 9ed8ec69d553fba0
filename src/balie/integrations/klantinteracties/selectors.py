"""Reading the Klantinteracties side: the organisation's connection as set up (never its
token), the recent registrations, and one conversation's registration.

Administrators and auditors read the connection and the list; whoever may see a
conversation (``access_conversation``, which audits the read) reads its registration, and
the console's conversation pane shows its state (:func:`opening_details`, registered with
the conversations' followers). Another organisation's connection, list or conversation is
not found.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils.translation import gettext_lazy as _

from balie.accounts.actors import Actor
from balie.conversations.actions.errors import ActionError
from balie.conversations.models import Conversation
from balie.conversations.selectors import access_conversation, record_list_read
from balie.errors import NotAllowed, NotFound
from balie.integrations.klantinteracties.connection import READERS
from balie.integrations.klantinteracties.models import (
    Connection,
    Registration,
    RegistrationState,
)
from balie.integrations.klantinteracties.outcomes import RegistrationNotFound, error_text
from balie.records.permissions import RecordsNotAllowed
from balie.tenants.models import Organisation

__all__ = [
    "RECENT",
    "connection_settings",
    "opening_details",
    "reading_organisation",
    "recent_registrations",
    "registration_status",
]

RECENT = 50
WEB_ADDRESS = ("https://", "http://")  # a link the console may show
NOT_ALLOWED = _("Only administrators and auditors see the Klantinteracties API's settings.")


def reading_organisation(actor, slug: object = None) -> int:
    """The organisation whose connection the actor means: the one named by ``slug``, or
    the only one where they are administrator or auditor. People only."""
    who = Actor.of(actor)
    if not who.is_person:
        raise NotAllowed(message=_("The Klantinteracties API is set up by a person."))
    organisations = who.organisations(READERS)
    if slug is not None:
        match = Organisation.objects.filter(pk__in=organisations, slug=slug).first()
        if match is None:
            raise NotFound(message=_("Not found."))
        return match.pk
    if not organisations:
        raise RecordsNotAllowed(NOT_ALLOWED)
    if len(organisations) > 1:
        raise ActionError(
            "organisation_required",
            _("You work for more than one organisation: give organisation (the slug)."),
        )
    return organisations[0]


def connection_settings(actor, organisation_id: int) -> dict[str, Any] | None:
    """The organisation's connection, None when it has none; of the token only whether one
    is set."""
    if not Actor.of(actor).has_role(organisation_id, READERS):
        raise RecordsNotAllowed(NOT_ALLOWED)
    connection = Connection.objects.for_organisation(organisation_id).first()
    if connection is None:
        return None
    return {
        "url": connection.url,
        "enabled": connection.enabled,
        "kanalen": dict(connection.kanalen),
        "confidential": connection.confidential,
        "send_contact_details": connection.send_contact_details,
        "token_set": bool(connection.token),
        "updated_at": connection.updated_at,
    }


def registration_status(actor, conversation_id: object) -> dict[str, Any]:
    """The registration of a conversation the actor may see (the read is audited);
    RegistrationNotFound when it was never registered."""
    conversation = access_conversation(actor, conversation_id)
    registration = (
        Registration.objects.for_organisation(conversation.organisation_id)
        .filter(conversation=conversation)
        .first()
    )
    if registration is None:
        raise RegistrationNotFound()
    return _status(registration)


def recent_registrations(actor, organisation_id: int, limit: int = RECENT) -> list[dict[str, Any]]:
    """The organisation's registrations, the last changed first (the conversations shown are
    in the audit log)."""
    if not Actor.of(actor).has_role(organisation_id, READERS):
        raise RecordsNotAllowed(NOT_ALLOWED)
    rows = list(
        Registration.objects.for_organisation(organisation_id)
        .select_related("conversation")
        .order_by("-updated_at", "-id")[:limit]
    )
    record_list_read(
        actor, [row.conversation for row in rows], kind="conversation",
        filters={"klantinteracties": "registrations"},
    )  # fmt: skip
    return [
        {**_status(row), "subject": row.conversation.subject, "channel": row.conversation.channel}
        for row in rows
    ]


def _status(registration: Registration) -> dict[str, Any]:
    return {
        "conversation": registration.conversation_id,
        "state": registration.state,
        "state_label": registration.get_state_display(),
        "round": registration.round,
        "attempts": registration.attempts,
        "next_attempt_at": registration.next_attempt_at,
        "error": error_text(
            registration.error_code, registration.error_status, registration.last_error
        ),
        "error_code": registration.error_code,
        "error_status": registration.error_status,
        "klantcontact_url": registration.klantcontact_url,
        "betrokkene_url": registration.betrokkene_url,
        "onderwerpobject_url": registration.onderwerpobject_url,
        "bijlage_url": registration.bijlage_url,
        "digitale_adressen": sorted(registration.digitale_adressen.values()),
        "earlier": [
            {"round": entry.get("round"), "klantcontact_url": entry.get("klantcontact") or ""}
            for entry in registration.earlier
        ],
        "queued_at": registration.queued_at,
        "registered_at": registration.registered_at,
        "updated_at": registration.updated_at,
    }


def opening_details(conversation: Conversation) -> dict[str, Any]:
    """What the console's pane shows of the conversation's registration as staff open it
    (a follower of ``events.conversation_payload``: the caller found the conversation through
    ``access_conversation``, which decided who may see it and audited the read).
    ``{"klantinteracties": None}`` when it was never registered."""
    registration = (
        Registration.objects.for_organisation(conversation.organisation_id)
        .filter(conversation_id=conversation.pk)
        .first()
    )
    if registration is None:
        return {"klantinteracties": None}
    registered = registration.state == RegistrationState.REGISTERED
    failed = registration.state == RegistrationState.FAILED
    link = registration.klantcontact_url
    return {
        "klantinteracties": {
            "state": registration.state,
            "round": registration.round,
            "klantcontact_url": link if registered and link.startswith(WEB_ADDRESS) else "",
            "error": _status_error(registration) if failed else "",
            "next_attempt_at": _iso(registration.next_attempt_at),
            "registered_at": _iso(registration.registered_at),
        }
    }


def _status_error(registration: Registration) -> str:
    return str(
        error_text(registration.error_code, registration.error_status, registration.last_error)
    )


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None
