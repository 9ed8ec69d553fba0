"""Who may see and change the organisation's Notificaties API: its administrators, as
people (an API key never does). Another organisation's administrator learns nothing: the
organisation is "not found" for them."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from balie.accounts.actors import Actor
from balie.accounts.models import Role
from balie.conversations.actions.errors import ActionError
from balie.errors import NotFound
from balie.records.permissions import RecordsNotAllowed, require_role
from balie.tenants.models import Organisation

__all__ = ["ADMINS", "NOT_ALLOWED", "organisation_for_admin", "require_admin"]

ADMINS = frozenset({Role.ADMIN})
NOT_ALLOWED = _("Only an administrator of the organisation sets up the Notificaties API.")


def require_admin(actor, organisation_id: int) -> None:
    """A person with the administrator role in the organisation, or NotAllowed (403)."""
    require_role(actor, organisation_id, ADMINS, NOT_ALLOWED)


def organisation_for_admin(actor, slug: object = None) -> int:
    """The organisation ``slug`` names (or, without one, the only one the actor administers),
    checked for the administrator role. 404 for an organisation the actor has no part in."""
    who = Actor.of(actor)
    if not who.is_person:
        require_admin(who, 0)  # refuses: an API key, or nobody
    if slug is None:
        administered = who.organisations(ADMINS)
        if len(administered) == 1:
            return administered[0]
        if administered:
            raise ActionError(
                "organisation_required",
                _("You work for more than one organisation: give organisation (the slug)."),
                field="organisation",
            )
        raise RecordsNotAllowed(NOT_ALLOWED)
    if not isinstance(slug, str):
        raise ActionError(
            "invalid_field",
            _("organisation is the slug of an organisation."),
            field="organisation",
        )
    found = (
        Organisation.objects.filter(slug=slug, pk__in=who.organisations())
        .values_list("pk", flat=True)
        .first()
    )
    if found is None:
        raise NotFound("not_found", _("No organisation with this slug."), field="organisation")
    require_admin(who, found)
    return found
