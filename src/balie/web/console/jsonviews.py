"""The JSON side of the console: the small POST endpoints that ``fetch()`` calls.

:func:`json_endpoint` maps the domain's errors to HTTP the same way everywhere:
``ConversationNotFound`` → 404, ``NotAllowed``/``RecordsNotAllowed`` → 403,
``ActionError``/``FileRejected`` and a body that is not a JSON object → 400, always as
``{"code", "detail"}``.
"""

from __future__ import annotations

import json
from functools import wraps

from django.http import JsonResponse

from balie.conversations import actions, selectors
from balie.conversations.files import FileRejected
from balie.records.permissions import RecordsNotAllowed


class BadRequest(ValueError):
    def __init__(self, code: str, detail: str):
        super().__init__(detail)
        self.code = code


def error(status: int, code: str, detail: str) -> JsonResponse:
    return JsonResponse({"code": code, "detail": detail}, status=status)


def json_body(request) -> dict:
    """The request body as a JSON object, or BadRequest."""
    try:
        body = json.loads(request.body or b"")
    except (ValueError, RecursionError):
        raise BadRequest("malformed_json", "Dit is geen geldige JSON.") from None
    if not isinstance(body, dict):
        raise BadRequest("malformed_json", "Stuur een JSON-object.")
    return body


def json_endpoint(view):
    """Require a logged-in user and turn domain errors into JSON answers."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return error(401, "not_authenticated", "Log eerst in.")
        try:
            return view(request, *args, **kwargs)
        except selectors.ConversationNotFound:
            return error(404, "not_found", "Dit gesprek bestaat niet.")
        except (selectors.NotAllowed, RecordsNotAllowed) as exc:
            return error(403, "forbidden", str(exc))
        except (actions.ActionError, FileRejected, BadRequest) as exc:
            return error(400, exc.code, str(exc))

    return wrapper
