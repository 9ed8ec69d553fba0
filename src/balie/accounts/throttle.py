"""A per-user-name throttle on logins: it slows guessing spread over many addresses.

django-axes locks a user name out per IP address; a guesser with many addresses is not
stopped by that. Here, after ``LOGIN_THROTTLE_FAILURES`` failed logins for one user name
(from any address) within ``LOGIN_THROTTLE_WINDOW_MINUTES``, each further attempt for that
name must wait ``LOGIN_THROTTLE_DELAY_SECONDS`` after the previous failure. The account is
never locked: the right password still works once the wait is over. The counts live in
Django's cache (Redis when several processes run), keyed by a hash of the folded name.
"""

from __future__ import annotations

import hashlib
import math
import time

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from balie.errors import BalieError

__all__ = ["TooManyAttempts", "check_login_allowed", "record_login_failure", "reset"]


class TooManyAttempts(BalieError):
    """Too many failed logins for this user name lately: try again after a wait (429)."""

    status = 429
    default_code = "too_many_attempts"
    default_message = _(
        "Too many failed logins for this user name. Try again in %(seconds)s seconds."
    )


def _key(username: str) -> str:
    digest = hashlib.sha256(username.strip().casefold().encode()).hexdigest()
    return f"balie:login-failures:{digest}"


def check_login_allowed(username: str) -> None:
    """Raise :class:`TooManyAttempts` while ``username`` must wait before the next attempt."""
    state = cache.get(_key(username))
    if not state or state["count"] < settings.LOGIN_THROTTLE_FAILURES:
        return
    wait = state["last"] + settings.LOGIN_THROTTLE_DELAY_SECONDS - time.time()
    if wait > 0:
        raise TooManyAttempts(params={"seconds": math.ceil(wait)})


def record_login_failure(username: str) -> None:
    key = _key(username)
    window = settings.LOGIN_THROTTLE_WINDOW_MINUTES * 60
    now = time.time()
    state = cache.get(key)
    if not state or now - state["first"] > window:
        state = {"first": now, "count": 0}
    state["count"] += 1
    state["last"] = now
    # kept while the window or the wait after this failure lasts, whichever is longer
    keep = max(state["first"] + window, now + settings.LOGIN_THROTTLE_DELAY_SECONDS) - now
    cache.set(key, state, timeout=math.ceil(keep))


def reset(username: str) -> None:
    """Forget the failures of ``username`` (after a successful login)."""
    cache.delete(_key(username))
