"""Balie's own SMS format, for any gateway that speaks it (or an adapter in front of one).

Both ways JSON in UTF-8, signed with the account's shared secret: the header
``X-Balie-Timestamp`` holds Unix seconds, ``X-Balie-Signature`` the lower-case hex
HMAC-SHA256 of ``"<timestamp>.<raw body>"``. A webhook more than five minutes away from
Balie's clock, or with a signature that does not match (compared in constant time), is
refused with 403. The gateway POSTs to the account's webhook URL:

- an SMS: ``{"id", "from", "to", "text", "received_at"}``, and for a part of a concatenated
  SMS ``"part": {"ref", "index", "total"}`` (the UDH's reference 0-65535, the part from 1,
  the number of parts up to 255);
- a delivery report: ``{"id", "status": "sent" | "delivered" | "failed", "error"}``.

Balie POSTs ``{"id", "to", "text", "status_url"}`` to the account's ``url``, where ``id`` is
Balie's idempotency key (the same on every attempt: a gateway that has seen it answers as
before and sends nothing), and expects a 2xx with ``{"id": "<the gateway's id>"}``. A 5xx,
408, 429, a timeout or no connection is tried again later; another status is a refusal.
The full description, with examples, is in the SMS guide.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar

import requests
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from balie.connectors.accounts import secret_of
from balie.connectors.inbound import InboundFile
from balie.connectors.models import ChannelAccount
from balie.connectors.registry import WebhookRequest, WebhookResponse
from balie.connectors.sms.numbers import normalise
from balie.connectors.sms.providers.base import (
    MAX_ID,
    MAX_TEXT,
    TIMEOUT,
    USER_AGENT,
    InboundSms,
    Malformed,
    Media,
    OutboundSms,
    Part,
    Report,
    SignatureRefused,
    checked_url,
    short_detail,
)
from balie.conversations.actions.checks import check_text
from balie.conversations.tasks import DeliveryFailed
from balie.errors import Invalid

__all__ = ["SIGNATURE_HEADER", "TIMESTAMP_HEADER", "TOLERANCE", "Generic", "sign", "signature"]

TIMESTAMP_HEADER = "X-Balie-Timestamp"
SIGNATURE_HEADER = "X-Balie-Signature"
TOLERANCE = 300  # seconds either way
STATUSES = ("sent", "delivered", "failed")
MAX_TO = 64
MAX_ERROR = 300
MAX_REF, MAX_TOTAL = 65535, 255
RETRY_STATUSES = frozenset({408, 429})


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """The lower-case hex HMAC-SHA256 of ``"<timestamp>.<body>"`` under ``secret``."""
    message = timestamp.encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def sign(secret: str, body: bytes, *, now: int | None = None) -> dict[str, str]:
    """The two headers that sign ``body`` now."""
    timestamp = str(int(timezone.now().timestamp()) if now is None else now)
    return {TIMESTAMP_HEADER: timestamp, SIGNATURE_HEADER: signature(secret, timestamp, body)}


def _object_without_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    names = [name for name, _value in pairs]
    if len(names) != len(set(names)):
        raise Malformed(params={"reason": "a name occurs twice"})
    return dict(pairs)


def _refuse_constant(name: str) -> None:
    raise Malformed(params={"reason": f"{name} is not JSON"})


def _json(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(
            body.decode("utf-8"),
            object_pairs_hook=_object_without_repeats,
            parse_constant=_refuse_constant,
        )
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise Malformed(params={"reason": "the body is not JSON in UTF-8"}) from None
    if not isinstance(data, dict):
        raise Malformed(params={"reason": "the body is not a JSON object"})
    return data


def _text(data: Mapping[str, Any], name: str, *, limit: int, empty: bool = False) -> str:
    value = data.get(name)
    if not isinstance(value, str) or (not empty and not value) or len(value) > limit:
        raise Malformed(field=name, params={"reason": f"{name} is a string of at most {limit}"})
    return check_text(value, name)


def _whole(data: Mapping[str, Any], name: str, low: int, high: int) -> int:
    value = data.get(name)
    if type(value) is not int or not low <= value <= high:
        raise Malformed(field=name, params={"reason": f"{name} is a whole number {low}-{high}"})
    return value


def _moment(value: object) -> datetime:
    if isinstance(value, str) and len(value) <= 40:
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            pass
        else:
            if moment.tzinfo is not None:
                return moment
    raise Malformed(
        field="received_at", params={"reason": "received_at is ISO 8601 with a UTC offset"}
    )


def _part(value: object) -> Part | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise Malformed(field="part", params={"reason": "part is an object"})
    total = _whole(value, "total", 1, MAX_TOTAL)
    return Part(_whole(value, "ref", 0, MAX_REF), _whole(value, "index", 1, total), total)


def parse_body(body: bytes) -> InboundSms | Report:
    """A webhook's body as the format describes it; :class:`Malformed` otherwise."""
    data = _json(body)
    external_id = _text(data, "id", limit=MAX_ID)
    if "status" in data:
        status = data["status"]
        if status not in STATUSES:
            raise Malformed(
                field="status", params={"reason": "status is sent, delivered or failed"}
            )
        error = (
            "" if data.get("error") is None else _text(data, "error", limit=MAX_ERROR, empty=True)
        )
        return Report(external_id, status, short_detail(error, MAX_ERROR))
    sender = normalise(data.get("from"), name="from")
    _text(data, "to", limit=MAX_TO)
    text = _text(data, "text", limit=MAX_TEXT, empty=True)
    return InboundSms(
        external_id, sender, text, _moment(data.get("received_at")), _part(data.get("part"))
    )


class Generic:
    name: ClassVar[str] = "generic"

    def clean(self, settings: Mapping[str, str]) -> dict[str, str]:
        url = settings.get("url")
        if not url:
            raise Invalid(
                "invalid_field", _("%(name)s is required."), field="url", params={"name": "url"}
            )
        clean = {"url": checked_url(url, "url")}
        if settings.get("number"):
            clean["number"] = normalise(settings["number"], name="number")
        return clean

    def verify(self, account: ChannelAccount, request: WebhookRequest) -> None:
        secret = secret_of(account, "secret")
        timestamp = request.headers.get(TIMESTAMP_HEADER.lower(), "")
        given = request.headers.get(SIGNATURE_HEADER.lower(), "")
        if not secret or not timestamp or not given:
            raise SignatureRefused
        if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12:
            raise SignatureRefused
        if abs(int(timezone.now().timestamp()) - int(timestamp)) > TOLERANCE:
            raise SignatureRefused
        expected = signature(secret, timestamp, request.body)
        if not hmac.compare_digest(
            expected.encode(), given.strip().lower().encode("utf-8", "replace")
        ):
            raise SignatureRefused

    def parse(self, account: ChannelAccount, request: WebhookRequest) -> InboundSms | Report:
        return parse_body(request.body)

    def fetch(self, account: ChannelAccount, media: Media) -> InboundFile | None:
        return None  # the format carries no files

    def answer(self, parsed: InboundSms | Report) -> WebhookResponse:
        return WebhookResponse(200, b'{"ok": true}', "application/json")

    def send(self, account: ChannelAccount, sms: OutboundSms) -> str:
        body = json.dumps(
            {"id": sms.key, "to": sms.to, "text": sms.text, "status_url": sms.status_url},
            ensure_ascii=False,
        ).encode("utf-8")
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": USER_AGENT,
            **sign(secret_of(account, "secret"), body),
        }
        try:
            answer = requests.post(
                account.settings["url"], data=body, headers=headers, timeout=TIMEOUT,
                allow_redirects=False,
            )  # fmt: skip
        except requests.Timeout:
            raise DeliveryFailed("timeout", "no answer in time") from None
        except requests.RequestException as failure:
            raise DeliveryFailed("unreachable", type(failure).__name__) from None
        return _provider_id(answer)


def _provider_id(answer: requests.Response) -> str:
    status = answer.status_code
    if 200 <= status < 300:
        try:
            found = answer.json().get("id")
        except (ValueError, AttributeError):
            found = None
        if not isinstance(found, str) or not found or len(found) > MAX_ID:
            # It may have taken the message: the same key again is safe.
            raise DeliveryFailed("bad_answer", f"HTTP {status} without an id")
        return found
    detail = f"HTTP {status}"
    try:
        said = answer.json()
        reason = said.get("error") or said.get("detail") if isinstance(said, dict) else None
    except ValueError:
        reason = None
    if isinstance(reason, str) and reason:
        detail = f"{detail}: {short_detail(reason)}"
    retryable = status >= 500 or status in RETRY_STATUSES
    raise DeliveryFailed(f"http_{status}", detail, retryable=retryable)
