"""One error shape for the whole API: ``{"code", "detail", "fields"}``.

``code`` is stable for programs, ``detail`` is a sentence for people (Dutch, or English with
``Accept-Language: en``), ``fields`` maps a
request field (dotted for nested values, e.g. ``attachments.0``) to its problems, each again a
``{"code", "detail"}``; it is empty when the error is not about one field.
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, JsonResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from balie.errors import BalieError, TooMany

__all__ = ["MalformedJson", "PayloadTooLarge", "exception_handler", "server_error"]


class MalformedJson(exceptions.ParseError):
    default_detail = _("The JSON in the request is not valid.")
    default_code = "malformed_json"


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request is too large.")
    default_code = "too_large"


# Balie's texts for DRF's own default messages, by code.
_DETAILS = {
    "not_authenticated": _("Log in or send an API key (Authorization: Bearer <key>)."),
    "authentication_failed": _("Unknown or revoked API key."),
    "permission_denied": _("You do not have permission for this action."),
    "not_found": _("Not found."),
    "method_not_allowed": _("This method is not allowed here."),
    "not_acceptable": _("This response format is not supported."),
    "unsupported_media_type": _("This kind of content (Content-Type) is not supported here."),
    "parse_error": _("The request could not be read."),
    "throttled": _("Too many requests; try again later."),
}
_INVALID = _("The input is not valid; see 'fields'.")
_SERVER_ERROR = _("Something went wrong on our side. Try again later.")
logger = logging.getLogger("django.request")


def exception_handler(exc, context):
    """DRF's exception handler, plus Balie's domain errors, all in one shape."""
    domain = _domain_error(exc)
    if domain is not None:
        return domain
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):  # a JSON body over DATA_UPLOAD_MAX_MEMORY_SIZE
        exc = PayloadTooLarge()
    response = drf_exception_handler(exc, context)
    if response is None:  # an unexpected error: logged as Django would, answered in JSON
        request = context.get("request")
        logger.error(
            "Internal Server Error: %s",
            getattr(request, "path", "?"),
            exc_info=(type(exc), exc, exc.__traceback__),
            extra={"status_code": 500},
        )
        return Response(body("server_error", str(_SERVER_ERROR)), status=500)
    if isinstance(exc, exceptions.ValidationError):
        response.data = body("invalid", str(_INVALID), _field_errors(exc.detail))
    else:
        code, detail = _code_and_detail(exc)
        response.data = body(code, detail)
    return response


def server_error(request):
    """``handler500``: an error outside a view (middleware, URL resolution) under /api/ is a
    JSON 500 in the API's shape too; elsewhere Django's own page."""
    if request.path.startswith("/api/"):
        return JsonResponse(body("server_error", str(_SERVER_ERROR)), status=500)
    return defaults.server_error(request)


def body(code: str, detail: str, fields: dict | None = None) -> dict:
    return {"code": code, "detail": detail, "fields": fields or {}}


def _domain_error(exc) -> Response | None:
    """Every domain error (:class:`balie.errors.BalieError`): its own code, status, message
    and field."""
    if isinstance(exc, BalieError):
        response = Response(exc.as_dict(), status=exc.status)
        if isinstance(exc, TooMany) and exc.retry_after is not None:
            response["Retry-After"] = str(exc.retry_after)
        return response
    return None


def _code_and_detail(exc: exceptions.APIException) -> tuple[str, str]:
    codes = exc.get_codes()
    code = codes if isinstance(codes, str) else exc.default_code
    detail = str(exc.detail) if isinstance(exc.detail, str) else str(exc.default_detail)
    if isinstance(exc, exceptions.PermissionDenied) and detail.startswith("CSRF Failed"):
        return "csrf_failed", gettext("CSRF check failed: send the csrftoken in X-CSRFToken.")
    if detail == str(exc.default_detail) and code in _DETAILS:
        detail = str(_DETAILS[code])
    return code, detail


def _field_errors(detail, prefix: str = "") -> dict[str, list[dict[str, str]]]:
    """Flatten DRF's nested error structure into ``{"a.0.b": [{"code", "detail"}]}``."""
    out: dict[str, list[dict[str, str]]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            for field, errors in _field_errors(value, _join(prefix, str(key))).items():
                out.setdefault(field, []).extend(errors)
    elif isinstance(detail, list) and detail and not isinstance(detail[0], str):
        for index, value in enumerate(detail):
            for field, errors in _field_errors(value, _join(prefix, str(index))).items():
                out.setdefault(field, []).extend(errors)
    else:
        items = detail if isinstance(detail, list) else [detail]
        out[prefix or "non_field_errors"] = [
            {"code": getattr(item, "code", None) or "invalid", "detail": str(item)}
            for item in items
        ]
    return out


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix and name else prefix or name
