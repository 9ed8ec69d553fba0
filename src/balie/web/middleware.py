"""Per-request context (the audit log's: where a read came from, and why; the language) and
the console pages' one mapping of domain errors."""

from __future__ import annotations

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.core.exceptions import BadRequest, PermissionDenied
from django.core.handlers.exception import response_for_exception
from django.http import Http404
from django.utils import translation

from balie.archive.audit import AuditContext, reset_context, set_context
from balie.errors import BalieError, NotAllowed, NotFound
from balie.web.console.language import language_of

PURPOSE_HEADER = "X-Balie-Purpose"
CONSOLE_PREFIX = "/console/"


class BothModes:
    """A middleware that runs in the request's own mode: an async view (the channels'
    webhooks) stays on the event loop instead of being run in Django's one sync thread.
    Subclasses write :meth:`handle` (sync) and :meth:`ahandle` (async)."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response):
        self.get_response = get_response
        self.async_mode = iscoroutinefunction(get_response)
        if self.async_mode:
            markcoroutinefunction(self)

    def __call__(self, request):
        if self.async_mode:
            return self.ahandle(request)
        return self.handle(request)

    def handle(self, request):
        return self.get_response(request)

    async def ahandle(self, request):
        return await self.get_response(request)


class AuditContextMiddleware(BothModes):
    """Sets channel (api/console), client IP and the stated purpose for the selectors.

    A purpose is given with the ``X-Balie-Purpose`` header (API) or ``?purpose=`` (console),
    e.g. a Woo request number.
    """

    def handle(self, request):
        token = set_context(_context_of(request))
        try:
            return self.get_response(request)
        finally:
            reset_context(token)

    async def ahandle(self, request):
        token = set_context(_context_of(request))
        try:
            return await self.get_response(request)
        finally:
            reset_context(token)


def _context_of(request) -> AuditContext:
    channel = "api" if request.path.startswith("/api/") else "console"
    purpose = request.headers.get(PURPOSE_HEADER) or request.GET.get("purpose", "")
    return AuditContext(channel=channel, ip=request.META.get("REMOTE_ADDR"), purpose=purpose)


class ConsoleLanguageMiddleware(BothModes):
    """The console speaks the language of its switch (kept in the session), Dutch by default.

    Django's ``LocaleMiddleware`` (before this one) follows the browser's Accept-Language; the
    console does not: a municipality's staff see Dutch until they choose English.
    """

    def handle(self, request):
        if request.path.startswith(CONSOLE_PREFIX):
            _activate(request, language_of(request))
        return self.get_response(request)

    async def ahandle(self, request):
        if request.path.startswith(CONSOLE_PREFIX):  # reads the session: in Django's thread
            _activate(request, await sync_to_async(language_of)(request))
        return await self.get_response(request)


def _activate(request, language: str) -> None:
    translation.activate(language)
    request.LANGUAGE_CODE = language


class DomainErrorMiddleware(BothModes):
    """A domain error that a page did not handle becomes Django's own answer: ``NotFound`` a
    404, ``NotAllowed`` a 403, any other ``BalieError`` a 400 — with the site's error pages.

    The API (DRF's exception handler), the console's JSON views (``json_endpoint``) and the
    sockets (``JsonConsumer``) answer in their own shapes before an error gets here.
    """

    def process_exception(self, request, exception):
        if not isinstance(exception, BalieError):
            return None
        if isinstance(exception, NotFound):
            django_error: Exception = Http404(exception.code)
        elif isinstance(exception, NotAllowed):
            django_error = PermissionDenied(exception.message)
        else:
            django_error = BadRequest(exception.message)
        return response_for_exception(request, django_error)
