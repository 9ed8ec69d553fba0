"""Two-step login before anything else: a member of staff whose role needs a second factor
(accounts.twofactor) and whose session has not confirmed one reaches only the login pages.

Console pages send them to the code page (or, without an authenticator yet, to setting one
up), with the page they asked for as ``next``; the API with the session answers 403
``two_factor_required``. Requests without a staff session — residents, webhooks, API keys —
are not touched: API keys are machine credentials. The staff sockets check the same in
``accounts.sessions`` and at connect.
"""

from __future__ import annotations

from asgiref.sync import sync_to_async
from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from balie.accounts import twofactor
from balie.web.middleware import BothModes

STAFF_PREFIXES = ("/console/", "/api/")
OPEN_PREFIXES = ("/console/login/", "/console/logout/", "/console/language/", "/console/jsi18n/")
REQUIRED_MESSAGE = _("Confirm your login with a code from your authenticator app first.")


class SecondFactorMiddleware(BothModes):
    def handle(self, request):
        return self._refusal(request) or self.get_response(request)

    async def ahandle(self, request):
        if not _guarded(request):
            return await self.get_response(request)
        refusal = await sync_to_async(self._refusal)(request)
        return refusal or await self.get_response(request)

    @staticmethod
    def _refusal(request):
        if not _guarded(request):
            return None
        user = request.user
        if not user.is_authenticated or twofactor.session_satisfied(request.session, user):
            return None
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"code": "two_factor_required", "detail": str(REQUIRED_MESSAGE), "fields": {}},
                status=403,
            )
        name = "verify" if twofactor.is_enrolled(user) else "setup"
        target = reverse(f"console:two_factor_{name}")
        if request.method == "GET":
            target += "?" + urlencode({"next": request.get_full_path()})
        return redirect(target)


def _guarded(request) -> bool:
    path = request.path
    return (
        settings.TWO_FACTOR_ENFORCED
        and path.startswith(STAFF_PREFIXES)
        and not path.startswith(OPEN_PREFIXES)
    )
