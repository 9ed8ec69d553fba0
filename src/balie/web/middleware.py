"""Per-request context for the audit log: where a read came from, and why."""

from __future__ import annotations

from balie.archive.audit import AuditContext, reset_context, set_context

PURPOSE_HEADER = "X-Balie-Purpose"


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
