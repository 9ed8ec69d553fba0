"""Reading the organisation's Notificaties API as its administrators see it: the connection
(of the secret and the callback's value only whether they are set), the notificaties sent
(newest first, with the reason of a failure in the reader's language) and those received."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from balie.integrations.notificaties.access import require_admin
from balie.integrations.notificaties.connection import callback_url
from balie.integrations.notificaties.models import (
    Connection,
    ReceivedNotification,
    SentNotification,
    State,
)
from balie.integrations.notificaties.outcomes import error_text

__all__ = ["connection_settings", "received_notifications", "sent_notifications", "sent_view"]


def connection_settings(actor, organisation_id: int) -> dict[str, Any] | None:
    """The organisation's connection, None when it has none."""
    require_admin(actor, organisation_id)
    connection = Connection.objects.for_organisation(organisation_id).first()
    if connection is None:
        return None
    return {
        "url": connection.url,
        "client_id": connection.client_id,
        "secret_set": bool(connection.secret),
        "kanaal": connection.kanaal,
        "enabled": connection.enabled,
        "kanaal_registered": bool(connection.kanaal_url),
        "kanaal_url": connection.kanaal_url,
        "callback_url": callback_url(connection),
        "subscribed": bool(connection.abonnement_url),
        "abonnement_url": connection.abonnement_url,
        "abonnement_kanalen": connection.abonnement_kanalen,
        "updated_at": connection.updated_at,
    }


def sent_notifications(
    actor, organisation_id: int, state: str | None = None
) -> QuerySet[SentNotification]:
    """The organisation's notificaties, newest first; of one state if given."""
    require_admin(actor, organisation_id)
    qs = SentNotification.objects.for_organisation(organisation_id).order_by("-id")
    return qs.filter(state=state) if state in State.values else qs


def sent_view(row: SentNotification) -> dict[str, Any]:
    return {
        "id": row.pk,
        "key": str(row.key),
        "event_type": row.event_type,
        "conversation_id": row.conversation_id,
        "resource": row.resource,
        "actie": row.actie,
        "resource_url": row.resource_url,
        "kenmerken": row.kenmerken,
        "aanmaakdatum": row.aanmaakdatum,
        "state": row.state,
        "state_label": row.get_state_display(),
        "attempts": row.attempts,
        "next_attempt_at": row.next_attempt_at,
        "error": error_text(row.error_code, row.error_status, row.last_error),
        "error_code": row.error_code,
        "error_status": row.error_status,
        "sent_at": row.sent_at,
    }


def received_notifications(actor, organisation_id: int) -> QuerySet[ReceivedNotification]:
    require_admin(actor, organisation_id)
    return ReceivedNotification.objects.for_organisation(organisation_id).order_by("-id")
