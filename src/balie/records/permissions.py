"""Who may do what with the organisation's records (retention, holds, destruction)."""

from __future__ import annotations

from collections.abc import Collection

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from balie.accounts.actors import Actor
from balie.accounts.models import ApiScope
from balie.errors import NotAllowed, Text


class RecordsNotAllowed(NotAllowed):
    """The actor may not see or do this; the message says why."""

    def __init__(self, message: Text) -> None:
        super().__init__(message=message)


def require_role(actor, organisation_id: int, roles: Collection[str], message: Text) -> None:
    """A person with one of ``roles`` in the organisation; API keys never write records."""
    who = Actor.of(actor)
    if not who.is_person:
        raise RecordsNotAllowed(
            format_lazy("{} {}", message, _("Only a person can do this, not an API key."))
        )
    if not who.has_role(organisation_id, roles):
        raise RecordsNotAllowed(message)


def require_read(actor, organisation_id: int, roles: Collection[str]) -> None:
    """Read access to records pages: one of ``roles``, or a key with records:read."""
    who = Actor.of(actor)
    if organisation_id in who.organisations(roles, scope=ApiScope.RECORDS_READ):
        return
    if who.is_key:
        raise RecordsNotAllowed(_("This API key lacks the scope records:read."))
    raise RecordsNotAllowed(
        _("Only a records manager, Woo coordinator, auditor or administrator sees this.")
    )
