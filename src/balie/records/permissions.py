"""Who may do what with the organisation's records (retention, holds, destruction)."""

from __future__ import annotations

from collections.abc import Collection

from balie.accounts.actors import Actor
from balie.accounts.models import ApiScope
from balie.errors import NotAllowed


class RecordsNotAllowed(NotAllowed):
    """The actor may not see or do this; the message says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message=message)


def require_role(actor, organisation_id: int, roles: Collection[str], message: str) -> None:
    """A person with one of ``roles`` in the organisation; API keys never write records."""
    who = Actor.of(actor)
    if not who.is_person:
        raise RecordsNotAllowed(message + " Dit kan alleen een persoon, niet een API-sleutel.")
    if not who.has_role(organisation_id, roles):
        raise RecordsNotAllowed(message)


def require_read(actor, organisation_id: int, roles: Collection[str]) -> None:
    """Read access to records pages: one of ``roles``, or a key with records:read."""
    who = Actor.of(actor)
    if organisation_id in who.organisations(roles, scope=ApiScope.RECORDS_READ):
        return
    if who.is_key:
        raise RecordsNotAllowed("Deze API-sleutel mist de scope records:read.")
    raise RecordsNotAllowed(
        "Alleen een archiefbeheerder, Woo-coördinator, auditor of beheerder ziet dit."
    )
