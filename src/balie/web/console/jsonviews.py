"""The JSON side of the console: the small POST endpoints that ``fetch()`` calls.

:func:`json_endpoint` is the console's one mapping of domain errors to HTTP: every
:class:`balie.errors.BalieError` (a body that is not a JSON object included) is answered with
its status as ``{"code", "detail"}``.
"""

from __future__ import annotations

import json
from functools import wraps

from django.http import JsonResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from balie.errors import BalieError, Invalid


def error(status: int, code: str, detail: str) -> JsonResponse:
    return JsonResponse({"code": code, "detail": detail}, status=status)


def json_body(request) -> dict:
    """The request body as a JSON object, or Invalid."""
    try:
        body = json.loads(request.body or b"")
    except (ValueError, RecursionError):
        raise Invalid("malformed_json", _("This is not valid JSON.")) from None
    if not isinstance(body, dict):
        raise Invalid("malformed_json", _("Send a JSON object."))
    return body


def json_endpoint(view):
    """Require a logged-in user and turn domain errors into JSON answers."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return error(401, "not_authenticated", gettext("Log in first."))
        try:
            return view(request, *args, **kwargs)
        except BalieError as exc:
            return error(exc.status, exc.code, exc.message)

    return wrapper
