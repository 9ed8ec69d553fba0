"""Who may do what with the organisation's records (retention, holds, destruction)."""

from __future__ import annotations

from collections.abc import Collection

from balie.accounts.models import ApiKey, ApiScope, Membership


class RecordsNotAllowed(PermissionError):
    """The actor may not see or do this; the message (Dutch) says why."""


def require_role(actor, organisation_id: int, roles: Collection[str], message: str) -> None:
    """A person with one of ``roles`` in the organisation; API keys never write records."""
    if isinstance(actor, ApiKey) or actor is None:
        raise RecordsNotAllowed(message + " Dit kan alleen een persoon, niet een API-sleutel.")
    if not Membership.objects.filter(
        user=actor, organisation_id=organisation_id, role__in=roles
    ).exists():
        raise RecordsNotAllowed(message)


def require_read(actor, organisation_id: int, roles: Collection[str]) -> None:
    """Read access to records pages: one of ``roles``, or a key with records:read."""
    if isinstance(actor, ApiKey):
        if actor.organisation_id != organisation_id or not actor.has_scope(ApiScope.RECORDS_READ):
            raise RecordsNotAllowed("Deze API-sleutel mist de scope records:read.")
        return
    if (
        actor is None
        or not Membership.objects.filter(
            user=actor, organisation_id=organisation_id, role__in=roles
        ).exists()
    ):
        raise RecordsNotAllowed(
            "Alleen een archiefbeheerder, Woo-coördinator, auditor of beheerder ziet dit."
        )
