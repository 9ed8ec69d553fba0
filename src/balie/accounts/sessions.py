"""Is a staff session still good? Read from the session store now, not from a copy a socket
loaded when it connected: logout, a new password or deactivation end it (finding 4 of
issue 10; docs/realtime.md), and so does a role that needs a second factor the session has
not confirmed (accounts.twofactor)."""

from __future__ import annotations

from importlib import import_module

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, load_backend
from django.utils.crypto import constant_time_compare

from balie.accounts.models import User
from balie.accounts.twofactor import session_satisfied


def session_user(session_key: str | None) -> User | None:
    """The active user whose session ``session_key`` is, or None when the session ended
    (logged out, expired, flushed), the password changed since, the user is inactive, or
    the user needs a second factor that this session has not confirmed."""
    if not session_key:
        return None
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key=session_key)
    data = store.load()  # an empty dict when the session is gone or expired
    backend_path = data.get(BACKEND_SESSION_KEY)
    if SESSION_KEY not in data or backend_path not in settings.AUTHENTICATION_BACKENDS:
        return None
    user = load_backend(backend_path).get_user(User._meta.pk.to_python(data[SESSION_KEY]))
    if not isinstance(user, User):  # the backend refuses inactive users too
        return None
    session_hash = data.get(HASH_SESSION_KEY)
    if not session_hash or not constant_time_compare(session_hash, user.get_session_auth_hash()):
        return None
    if not session_satisfied(data, user):
        return None
    return user
