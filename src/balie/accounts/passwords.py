"""Staff passwords: the strength check every way of setting one runs, and the Argon2 hasher.

The hasher uses one of OWASP's recommended Argon2id settings (m=19 MiB, t=2, p=1) instead of
Django's (m=100 MiB, p=8), and at most ``BALIE_PASSWORD_HASH_CONCURRENCY`` hashes run at once
per process, in that many threads: a storm of logins waits its turn instead of taking 100 MiB
each. Hashes made with
other parameters still verify; Django stores a new hash at the next login (``must_update``).
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.contrib.auth.password_validation import MinimumLengthValidator, validate_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from balie.errors import Invalid

__all__ = [
    "BalieArgon2PasswordHasher",
    "LengthValidator",
    "check_password_strength",
    "hashing_pool",
]


class WeakPassword(Invalid):
    default_code = "weak_password"
    default_message = _("This password is not accepted.")


class LengthValidator(MinimumLengthValidator):
    """Django's, with its refusal in Balie's catalogue: Django 5.2's Dutch lacks it."""

    def get_error_message(self):  # min_length is 12 or more: no singular needed
        return gettext(
            "This password is too short. It must contain at least %(min_length)d characters."
        ) % {"min_length": self.min_length}


def check_password_strength(password: str, user=None) -> None:
    """Raise :class:`WeakPassword` with the validators' messages when ``password`` is refused
    (AUTH_PASSWORD_VALIDATORS: length, common passwords, likeness to the user, digits only)."""
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise WeakPassword(message=" ".join(error.messages), field="password") from None


_pool: ThreadPoolExecutor | None = None
_pool_size = 0
_pool_lock = threading.Lock()


def hashing_pool() -> ThreadPoolExecutor:
    """The process's threads that hash passwords: PASSWORD_HASH_CONCURRENCY of them.

    A pool rather than a semaphore: each thread that ever hashes keeps its Argon2 memory in its
    own malloc arena, so with a semaphore alone every request thread would keep 19 MiB."""
    global _pool, _pool_size
    size = max(1, settings.PASSWORD_HASH_CONCURRENCY)
    with _pool_lock:
        if _pool is None or _pool_size != size:
            if _pool is not None:
                _pool.shutdown(wait=False)
            _pool = ThreadPoolExecutor(max_workers=size, thread_name_prefix="balie-hash")
            _pool_size = size
        return _pool


class BalieArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id with OWASP's m=19 MiB, t=2, p=1, and a bounded number of hashes at once.

    Keeps Django's algorithm name, so hashes made by Django's own Argon2 hasher are read by this
    one, and upgraded on the next login because their parameters differ."""

    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1

    def encode(self, password, salt):
        return hashing_pool().submit(super().encode, password, salt).result()

    def verify(self, password, encoded):
        return hashing_pool().submit(super().verify, password, encoded).result()
