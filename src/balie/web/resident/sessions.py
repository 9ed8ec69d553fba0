"""The resident's own session after a DigiD login: apart from staff's.

It lives in Django's session store under its own cookie (:data:`COOKIE`), scoped to the
organisation's path (``/c/<slug>/``), HttpOnly and SameSite=Lax, so a staff session never
counts as a resident's and one organisation's login never as another's. It holds the
organisation's id and the identified contact's id (never the BSN), and, before the login,
the pending login (state, nonce, PKCE verifier). It ends after
``RESIDENT_SESSION_IDLE_SECONDS`` without activity (each page or call that reads it moves
the end on), or at logout; a login always starts a new session key.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest, HttpResponse

from balie.conversations import identity
from balie.conversations.models import Contact

__all__ = ["COOKIE", "ResidentSession"]

COOKIE = "balie_resident"
CONTACT_KEY = "balie_resident_contact"
ORGANISATION_KEY = "balie_resident_organisation"
PENDING_KEY = "balie_resident_login"
EXPIRY_KEY = "_session_expiry"  # Django's own, set by set_expiry


def _store(session_key: str | None) -> SessionBase:
    return import_module(settings.SESSION_ENGINE).SessionStore(session_key=session_key)


class ResidentSession:
    """The resident's session at one organisation, read from the request's cookie."""

    def __init__(self, request: HttpRequest, organisation) -> None:
        self.organisation = organisation
        self.store = _store(request.COOKIES.get(COOKIE))
        self.changed = False

    @property
    def path(self) -> str:
        return f"/c/{self.organisation.slug}/"

    def contact(self) -> Contact | None:
        """The identified contact, or None; a session of another organisation is nobody."""
        if self.store.get(ORGANISATION_KEY) != self.organisation.pk:
            return None
        found = identity.identified_contact(self.organisation.pk, self.store.get(CONTACT_KEY))
        if found is not None:
            self.changed = True  # activity: the idle time starts again
        return found

    def start_login(self, pending: dict[str, Any]) -> None:
        self.store[PENDING_KEY] = pending
        self.changed = True

    def take_pending(self) -> dict[str, Any] | None:
        """The pending login, removed: a state is used once, whatever the outcome."""
        pending = self.store.pop(PENDING_KEY, None)
        self.changed = True
        return pending if isinstance(pending, dict) else None

    def log_in(self, contact: Contact) -> None:
        self.store.flush()  # a new key: nothing from before the login carries over
        self.store[ORGANISATION_KEY] = self.organisation.pk
        self.store[CONTACT_KEY] = contact.pk
        self.changed = True

    def log_out(self) -> None:
        self.store.flush()
        self.changed = True

    def _holds_anything(self) -> bool:
        return any(key != EXPIRY_KEY for key in self.store.keys())  # noqa: SIM118 - not iterable

    def touch(self) -> None:
        """Store what changed (the idle time starts again), without an answer to set a
        cookie on: the key stays the same."""
        if self.changed and self.store.session_key and self._holds_anything():
            self.store.set_expiry(settings.RESIDENT_SESSION_IDLE_SECONDS)
            self.store.save()
            self.changed = False

    def save(self, response: HttpResponse) -> HttpResponse:
        """Store what changed and set (or remove) the cookie on ``response``. The cookie
        lasts until the browser closes; the store decides when the session ended."""
        if not self.changed:
            return response
        if not self._holds_anything():
            if self.store.session_key:
                self.store.delete()
            response.delete_cookie(COOKIE, path=self.path, samesite="Lax")
            return response
        self.store.set_expiry(settings.RESIDENT_SESSION_IDLE_SECONDS)
        self.store.save()
        response.set_cookie(
            COOKIE,
            self.store.session_key,
            path=self.path,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
        return response
