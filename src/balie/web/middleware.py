"""Per-request context: the audit log's (where a read came from, and why) and the language."""

from __future__ import annotations

from django.utils import translation

from balie.archive.audit import AuditContext, reset_context, set_context
from balie.web.console.language import language_of

PURPOSE_HEADER = "X-Balie-Purpose"
CONSOLE_PREFIX = "/console/"


class AuditContextMiddleware:
    """Sets channel (api/console), client IP and the stated purpose for the selectors.

    A purpose is given with the ``X-Balie-Purpose`` header (API) or ``?purpose=`` (console),
    e.g. a Woo request number.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        channel = "api" if request.path.startswith("/api/") else "console"
        purpose = request.headers.get(PURPOSE_HEADER) or request.GET.get("purpose", "")
        token = set_context(
            AuditContext(channel=channel, ip=request.META.get("REMOTE_ADDR"), purpose=purpose)
        )
        try:
            return self.get_response(request)
        finally:
            reset_context(token)


class ConsoleLanguageMiddleware:
    """The console speaks the language of its switch (kept in the session), Dutch by default.

    Django's ``LocaleMiddleware`` (before this one) follows the browser's Accept-Language; the
    console does not: a municipality's staff see Dutch until they choose English.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(CONSOLE_PREFIX):
            language = language_of(request)
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)
