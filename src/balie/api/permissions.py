"""Who may call the API, and which API key scope each kind of request needs.

Tenant and role checks are not here: the selectors do them for every object
(``access_conversation``, ``access_contact``), for keys and staff alike.
"""

from __future__ import annotations

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

from balie.accounts.actors import Actor
from balie.accounts.models import User


def principal(request):
    """The actor behind a request: the ApiKey, or the logged-in staff user."""
    return request.auth if Actor.of(request.auth).is_key else request.user


def staff_user(request) -> User | None:
    """The staff member making the request; None for an API key (no person behind it)."""
    return Actor.of(principal(request)).user


class IsStaffPrincipal(BasePermission):
    """An API key, or a logged-in staff user (what they see follows from their memberships)."""

    def has_permission(self, request, view):
        actor = Actor.of(principal(request))
        return actor.is_key or actor.is_person


class HasApiScope(BasePermission):
    """An API key needs the view's ``read_scope`` for GET and its ``write_scope`` otherwise.

    Staff sessions are not scoped; their role decides, in the selectors.
    """

    code = "missing_scope"

    def has_permission(self, request, view):
        actor = Actor.of(request.auth)
        if not actor.is_key:
            return True
        scope = view.read_scope if request.method in SAFE_METHODS else view.write_scope
        if actor.has_scope(scope):
            return True
        self.message = gettext("This API key lacks the scope %(scope)s.") % {"scope": scope}
        return False


class KeysReadOnly(BasePermission):
    """Records are changed by people: an API key may only read (records:read)."""

    message = _("An API key can only read here; a person makes changes.")

    def has_permission(self, request, view):
        return request.method in SAFE_METHODS or not Actor.of(request.auth).is_key
