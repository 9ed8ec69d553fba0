"""Security headers on every response: Content-Security-Policy and Permissions-Policy.

Django's SecurityMiddleware sends HSTS (BALIE_HSTS_SECONDS), nosniff and the referrer policy;
Django 5.2 has no CSP of its own, so this small middleware adds one. The policy allows scripts,
styles and connections only from Balie itself: no inline script, no inline style, no plug-ins.
The console, the API and the resident chat all live under it (their scripts are static files;
``json_script`` blocks are data, not executed). Two relaxations, each set by its view:

- the resident chat page may be shown in a frame on a municipality's site
  (``@xframe_options_exempt``), so its policy leaves out ``frame-ancestors``;
- the embed example stands in for a municipality's own page, which styles itself inline,
  as does the widget's shadow root: it allows inline styles (``allow_inline_styles``).

With signed downloads (BALIE_FILE_DOWNLOADS=signed) a photo's ``<img>`` is redirected to the
object store, another origin: ``img-src`` then names that origin as well (decision 0032).
"""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.core.exceptions import DisallowedHost

from balie.conversations.blobs import signed_url_origin
from balie.web.middleware import BothModes

__all__ = ["SecurityHeadersMiddleware", "allow_inline_styles", "content_security_policy"]

PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
)


def content_security_policy(
    host: str | None = None, *, framed: bool = False, inline_styles: bool = False
) -> str:
    """The policy for a page served on ``host`` (its sockets: ws/wss on that host; browsers
    that predate CSP 3 do not count them as 'self')."""
    sockets = f" ws://{host} wss://{host}" if host else ""
    directives = {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self' 'unsafe-inline'" if inline_styles else "'self'",
        "img-src": "'self' data: blob:" + _file_store(),
        "connect-src": "'self'" + sockets,
        "object-src": "'none'",
        "base-uri": "'none'",
        "form-action": "'self'",
        "frame-ancestors": None if framed else "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items() if value)


def _file_store() -> str:
    """The object store's origin, when pages show images straight from it."""
    return f" {signed_url_origin()}" if settings.FILE_DOWNLOADS == "signed" else ""


def allow_inline_styles(view):
    """Mark a view's page as one that styles itself inline (the embed example)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response.csp_inline_styles = True
        return response

    return wrapped


class SecurityHeadersMiddleware(BothModes):
    def handle(self, request):
        return _with_headers(request, self.get_response(request))

    async def ahandle(self, request):
        return _with_headers(request, await self.get_response(request))


def _with_headers(request, response):
    if "Content-Security-Policy" not in response:
        try:
            host = request.get_host()
        except DisallowedHost:
            host = None
        response["Content-Security-Policy"] = content_security_policy(
            host,
            framed=getattr(response, "xframe_options_exempt", False),
            inline_styles=getattr(response, "csp_inline_styles", False),
        )
    response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
    return response
