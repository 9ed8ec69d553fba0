"""Logging in through an organisation's own OpenID Connect provider (accounts.sso).

``/console/login/sso/<organisation>/`` sends the browser to the provider with a fresh state,
nonce and PKCE challenge (mozilla-django-oidc); the provider sends it back to
``/console/login/callback/`` (the one redirect URI every organisation registers), where the
library's callback checks the state and :class:`balie.accounts.oidc.StaffOIDCBackend` the
ID token. A refusal is shown on the login page with its code, and recorded
(web.console.signins).
"""

from __future__ import annotations

import logging
from urllib.parse import parse_qs, urlsplit

from django.core.exceptions import SuspiciousOperation
from django.http import Http404
from django.views.decorators.http import require_GET
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from balie.accounts import sso, twofactor
from balie.accounts.models import SingleSignOn
from balie.accounts.oidc import STATE_KEY, setting
from balie.accounts.sso import SsoRefused
from balie.tenants.secrets import SecretUnreadable
from balie.web.console import signins
from balie.web.console.auth import login_page

log = logging.getLogger(__name__)


def refused(request, refusal: SsoRefused, organisation_id: int | None = None):
    """The login page again, saying why (and the code for IT)."""
    signins.record_refusal(request, organisation_id, refusal.code)
    return login_page(request, sso_refusal=refusal, status=refusal.status)


class StartView(OIDCAuthenticationRequestView):
    """mozilla-django-oidc's start of a login, with the organisation's settings; the
    state's entry in the session remembers which organisation it was for."""

    organisation_sso: SingleSignOn | None = None

    def get_settings(self, attr, *args):  # type: ignore[override]
        assert self.organisation_sso is not None
        return setting(self.organisation_sso, attr, *args)

    def get(self, request):
        response = super().get(request)
        state = parse_qs(urlsplit(response.url).query)["state"][0]
        request.session["oidc_states"][state][STATE_KEY] = self.organisation_sso.pk
        request.session.modified = True
        return response


@require_GET
def start(request, slug: str):
    try:
        organisation_sso = sso.enabled_sso(slug)
    except sso.SsoUnknown:
        raise Http404() from None
    try:
        return StartView.as_view(organisation_sso=organisation_sso)(request)
    except SecretUnreadable:
        return refused(request, SsoRefused("sso_unavailable"), organisation_sso.organisation_id)


class CallbackView(OIDCAuthenticationCallbackView):
    """The library's callback (state, then the backend), with Balie's refusals, session
    marks and records."""

    organisation_id: int | None = None

    def get(self, request):
        entry = request.session.get("oidc_states", {}).get(request.GET.get("state", ""))
        found = (
            SingleSignOn.objects.filter(pk=entry.get(STATE_KEY), enabled=True).first()
            if isinstance(entry, dict)
            else None
        )
        if found is None:  # a state this browser's session did not start, or used already
            return refused(request, SsoRefused("sso_bad_state"))
        request.balie_sso = found
        self.organisation_id = found.organisation_id
        try:
            return super().get(request)
        except SsoRefused as refusal:
            return refused(request, refusal, self.organisation_id)
        except SuspiciousOperation:
            return refused(request, SsoRefused("sso_bad_state"), self.organisation_id)
        except SecretUnreadable:
            return refused(request, SsoRefused("sso_unavailable"), self.organisation_id)

    def login_failure(self):
        code = "sso_cancelled" if self.request.GET.get("error") else "sso_bad_state"
        return refused(self.request, SsoRefused(code), self.organisation_id)

    def login_success(self):
        response = super().login_success()  # auth.login: a new session key
        user = self.user
        if getattr(user, "sso_mfa", False):
            twofactor.mark_session(self.request.session, "idp")
        signins.record_login(user, method="sso", organisation_id=self.organisation_id)
        return response


callback = CallbackView.as_view()
