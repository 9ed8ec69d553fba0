"""The password backend: Django's, refusing members of an organisation that switched
passwords off (accounts.sso). The refusal looks exactly like a wrong password, so the login
form does not tell a guesser that the password was right."""

from __future__ import annotations

import logging

from django.contrib.auth.backends import ModelBackend

from balie.accounts.sso import password_login_allowed

__all__ = ["PasswordBackend"]

log = logging.getLogger(__name__)


class PasswordBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None and not password_login_allowed(user):
            log.info("password login refused by organisation policy", extra={"user_id": user.pk})
            return None
        return user
