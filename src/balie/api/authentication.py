"""API key authentication: ``Authorization: Bearer <prefix>.<secret>``."""

from __future__ import annotations

import hashlib
import hmac

from django.utils.translation import gettext
from rest_framework import authentication, exceptions

from balie.accounts.actions import do_record_api_key_use
from balie.accounts.models import ApiKey


class ApiKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        parts = header.split()
        if len(parts) != 2 or parts[0] != self.keyword:
            raise exceptions.AuthenticationFailed(gettext("Use 'Authorization: Bearer <key>'."))
        prefix, _, secret = parts[1].partition(".")
        key = (
            ApiKey.objects.select_related("organisation")
            .filter(prefix=prefix, revoked_at__isnull=True)
            .first()
        )
        digest = hashlib.sha256(secret.encode()).hexdigest()
        if key is None or not hmac.compare_digest(digest, key.secret_hash):
            raise exceptions.AuthenticationFailed(gettext("Unknown or revoked API key."))
        do_record_api_key_use(key)
        return (None, key)

    def authenticate_header(self, request):
        return self.keyword
