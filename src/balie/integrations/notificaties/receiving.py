"""Receiving notificaties at the organisation's callback address: the ``Authorization``
value the API sends, compared in constant time with the one sealed at subscribing; the body,
read within a size limit and checked field by field (the API's ``Message``); and the
notificatie stored in the organisation's received log.

For now Balie only keeps and shows what it receives. A notificatie on a kanaal the
organisation did not subscribe to (Open Notificaties' test notificatie while it creates the
abonnement) is acknowledged but not kept; one delivered twice (its answer lost) is kept once.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from balie.conversations.actions.checks import check_json
from balie.conversations.actions.errors import ActionError
from balie.errors import Invalid, NotAllowed, NotFound, TooLarge
from balie.integrations.notificaties.models import Connection, ReceivedNotification
from balie.tenants.secrets import SecretUnreadable, unseal

__all__ = [
    "MAX_BODY_BYTES",
    "NOTIFICATIE_SCHEMA",
    "check_authorization",
    "connection_for_callback",
    "do_receive",
    "notificatie_from",
]

MAX_BODY_BYTES = 64 * 1024
MAX_KENMERKEN = 50
# field: (limit, required); hoofdObject and resourceUrl are addresses
TEXTS = {
    "kanaal": (50, True),
    "resource": (100, True),
    "actie": (100, True),
    "source": (100, False),
}
ADDRESSES = ("hoofdObject", "resourceUrl")
# What notificatie_from accepts, as JSON Schema: the callback's contract in Balie's API.
NOTIFICATIE_SCHEMA = {
    "type": "object",
    "required": ["kanaal", "hoofdObject", "resource", "resourceUrl", "actie", "aanmaakdatum"],
    "properties": {
        "kanaal": {"type": "string", "minLength": 1, "maxLength": 50},
        "source": {"type": "string", "maxLength": 100},
        "hoofdObject": {"type": "string", "format": "uri", "maxLength": 1000},
        "resource": {"type": "string", "minLength": 1, "maxLength": 100},
        "resourceUrl": {"type": "string", "format": "uri", "maxLength": 1000},
        "actie": {"type": "string", "minLength": 1, "maxLength": 100},
        "aanmaakdatum": {"type": "string", "format": "date-time"},
        "kenmerken": {
            "type": "object",
            "maxProperties": MAX_KENMERKEN,
            "additionalProperties": {"type": "string", "maxLength": 1000},
        },
    },
    "additionalProperties": True,  # fields the standard does not name are ignored
}


class NoAuthorization(NotAllowed):
    status = 401
    default_code = "not_authenticated"
    default_message = _("Send the Authorization value agreed in the abonnement.")


class WrongAuthorization(NotAllowed):
    default_code = "permission_denied"
    default_message = _("This Authorization value is not the one agreed in the abonnement.")


class BodyTooLarge(TooLarge):
    default_message = _("A notificatie is at most %(limit)s bytes.")


class NotJson(Invalid):
    status = 415
    default_code = "unsupported_media_type"
    default_message = _("Send the notificatie as application/json.")


def connection_for_callback(token: str) -> Connection:
    found = Connection.objects.filter(callback_token=token).first() if token else None
    if found is None:
        raise NotFound("not_found", _("No callback at this address."))
    return found


def check_authorization(connection: Connection, header: str | None) -> None:
    """The header must be the value sealed when subscribing (compared in constant time);
    401 without one, 403 with another or when the organisation has no abonnement."""
    if not header:
        raise NoAuthorization()
    try:
        expected = unseal(connection.callback_auth) if connection.callback_auth else ""
    except SecretUnreadable:
        expected = ""
    given = header.encode("utf-8", "surrogateescape")
    if not expected or not hmac.compare_digest(given, expected.encode("utf-8")):
        raise WrongAuthorization()


def notificatie_from(body: bytes, content_type: str) -> dict[str, Any]:
    """The notificatie in ``body``, checked: 413 past the size limit, 415 when it is not
    JSON, 400 naming the first field that is wrong."""
    if len(body) > MAX_BODY_BYTES:
        raise BodyTooLarge(params={"limit": MAX_BODY_BYTES})
    if content_type.split(";")[0].strip().lower() != "application/json":
        raise NotJson()
    try:
        data = json.loads(body.decode("utf-8"), parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError):
        raise ActionError("malformed_json", _("The JSON in the request is not valid.")) from None
    if not isinstance(data, dict):
        raise ActionError("malformed_json", _("Send a JSON object."))
    check_json(data)
    notificatie: dict[str, Any] = {name: _text(data, name, *rule) for name, rule in TEXTS.items()}
    for name in ADDRESSES:
        notificatie[name] = _address(data.get(name), name)
    notificatie["aanmaakdatum"] = _moment(data.get("aanmaakdatum"))
    notificatie["kenmerken"] = _kenmerken(data.get("kenmerken"))
    return notificatie


def do_receive(connection: Connection, notificatie: dict[str, Any]) -> bool:
    """Keep the notificatie in the organisation's log; False when it is not kept (a kanaal
    not subscribed to). A repeated delivery stays one row."""
    subscribed = {group.get("naam") for group in connection.abonnement_kanalen or []}
    if notificatie["kanaal"] not in subscribed:
        return False
    canonical = json.dumps(
        {**notificatie, "aanmaakdatum": notificatie["aanmaakdatum"].isoformat()},
        sort_keys=True,
        ensure_ascii=True,
    )
    ReceivedNotification.objects.bulk_create(
        [
            ReceivedNotification(
                organisation_id=connection.organisation_id,
                digest=hashlib.sha256(canonical.encode("ascii")).hexdigest(),
                kanaal=notificatie["kanaal"],
                source=notificatie["source"],
                hoofd_object=notificatie["hoofdObject"],
                resource=notificatie["resource"],
                resource_url=notificatie["resourceUrl"],
                actie=notificatie["actie"],
                aanmaakdatum=notificatie["aanmaakdatum"],
                kenmerken=notificatie["kenmerken"],
            )
        ],
        ignore_conflicts=True,
    )
    return True


def _no_constant(name: str) -> None:
    raise ValueError(name)


def _invalid(name: str, message) -> ActionError:
    return ActionError("invalid_field", message, params={"name": name}, field=name)


def _text(data: dict, name: str, limit: int, required: bool) -> str:
    value = data.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise _invalid(name, _("%(name)s is required, as a text."))
    if len(value) > limit:
        raise ActionError(
            "invalid_field",
            _("%(name)s is too long (at most %(limit)s characters)."),
            params={"name": name, "limit": limit},
            field=name,
        )
    return value


def _address(value: object, name: str) -> str:
    problem = _invalid(name, _("%(name)s must be an http or https address."))
    if not isinstance(value, str) or not value or len(value) > 1000:
        raise problem
    try:
        parts = urlsplit(value)
    except ValueError:
        raise problem from None
    if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in value):
        raise problem
    return value


def _moment(value: object) -> datetime:
    try:
        moment = parse_datetime(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise _invalid(
            "aanmaakdatum", _("%(name)s must be a date and time with its offset (ISO 8601).")
        )
    return moment


def _kenmerken(value: object) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict) or len(value) > MAX_KENMERKEN:
        raise _invalid("kenmerken", _("%(name)s maps names to texts."))
    for key, text in value.items():
        if not key or len(key) > 100 or not isinstance(text, str) or len(text) > 1000:
            raise ActionError(
                "invalid_field",
                _("%(name)s maps names to texts (at most 1000 characters)."),
                params={"name": f"kenmerken.{key}"},
                field=f"kenmerken.{key}",
            )
    return dict(value)
