"""Reading the publication side of Woo: the organisation's publicatiebank as set up (never
its token) and where a request's publication stands. Scoped to the organisation: Woo
coordinators and auditors read a request's publication; Woo coordinators, administrators
and auditors the publicatiebank's settings. ``actor`` None is the command line."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from balie.accounts.actors import Actor
from balie.accounts.models import Role
from balie.records.permissions import RecordsNotAllowed
from balie.woo.models import Publication, PublicationTarget, WooRequest
from balie.woo.outcomes import error_text

__all__ = ["publication_status", "publisher_settings"]

STATUS_READERS = frozenset({Role.WOO_OFFICER, Role.AUDITOR})
SETTINGS_READERS = frozenset({Role.WOO_OFFICER, Role.ADMIN, Role.AUDITOR})


def publisher_settings(actor, organisation_id: int) -> dict[str, Any] | None:
    """The organisation's publicatiebank, None when it has none; of the token only whether
    one is set."""
    if actor is not None and not Actor.of(actor).has_role(organisation_id, SETTINGS_READERS):
        raise RecordsNotAllowed(
            _("Only Woo coordinators, administrators and auditors see the publicatiebank.")
        )
    target = PublicationTarget.objects.for_organisation(organisation_id).first()
    if target is None:
        return None
    return {
        "url": target.url,
        "publisher": str(target.publisher),
        "category": str(target.category),
        "enabled": target.enabled,
        "token_set": bool(target.token),
        "updated_at": target.updated_at,
    }


def publication_status(actor, request: WooRequest) -> dict[str, Any] | None:
    """Where the request's publication stands, None when it was never asked for: its state,
    attempts, the last error in the reader's language, the documents sent, the address."""
    if actor is not None and not Actor.of(actor).has_role(request.organisation_id, STATUS_READERS):
        raise RecordsNotAllowed(_("Only Woo coordinators and auditors see Woo requests."))
    publication = (
        Publication.objects.for_organisation(request.organisation_id)
        .filter(request=request)
        .first()
    )
    if publication is None:
        return None
    uploaded = list(publication.documents.values_list("uploaded", flat=True))
    return {
        "state": publication.state,
        "state_label": publication.get_state_display(),
        "attempts": publication.attempts,
        "next_attempt_at": publication.next_attempt_at,
        "error": error_text(
            publication.error_code, publication.error_status, publication.last_error
        ),
        "error_code": publication.error_code,
        "error_status": publication.error_status,
        "documents": len(uploaded),
        "documents_sent": sum(uploaded),
        "remote_uuid": str(publication.remote_uuid) if publication.remote_uuid else "",
        "remote_url": publication.remote_url,
        "requested_at": publication.requested_at,
        "published_at": publication.published_at,
        "updated_at": publication.updated_at,
    }
