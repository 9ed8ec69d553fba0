"""Local stand-ins for SMS providers: real HTTP servers on 127.0.0.1 that check every request
Balie makes and keep what they were sent.

:class:`FakeGateway` speaks Balie's generic format: it checks the signature headers and the
body against the documented contract (:data:`OUTBOUND_SCHEMA`, through jsonschema), and
treats Balie's ``id`` as an idempotency key, as the format asks of a gateway.

:class:`FakeTwilio` checks each call against Twilio's published OpenAPI description of API
2010-04-01 (``contracts/twilio-api-v2010/``, vendored byte for byte, through openapi-core)
— path, Basic auth as the security scheme, the form body of *Create a Message* — and
checks its own answers against it too; it adds what the description leaves to prose (``To``
and ``Body`` present, exactly one of ``From`` and ``MessagingServiceSid``) and the account's
credentials. It also serves MMS files at their ``MediaUrl`` (``…/Media/ME…``, which the
description does not cover: it describes the metadata resource ``…/Media/ME….json``).

Both can be told to fail the next calls, whatever they are (:meth:`SmsFake.fail_next`), besides
:class:`~tests.fakes.FakeServer`'s own failures: ``"500"`` (an error answer), ``"drop"`` (the
connection closed before the call is handled), ``"lost"`` (handled, but the answer never
sent), ``"slow"``. Whatever breaks a contract lands in ``violations``; tests assert that it
stays empty.

The server, the failures and the contract checks are :mod:`tests.fakes`'s; this module holds
the providers' own: their routes, formats, errors and credentials.
"""

from __future__ import annotations

import base64
import json
import re
import uuid
from functools import cache
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import jsonschema
from django.utils import timezone
from openapi_core import OpenAPI
from werkzeug.datastructures import Headers

from balie.connectors.sms.providers import generic
from tests.fakes import Answer, Call, ContractFake, Failure, FakeServer

CONTRACT = Path(__file__).parent / "contracts" / "twilio-api-v2010" / "twilio_api_v2010.json"
SERVER = "https://api.twilio.com"  # the description's server, which the fake stands in for
MEDIA = re.compile(r"^/2010-04-01/Accounts/(?P<account>[^/]+)/Messages/[^/]+/Media/(?P<sid>ME\w+)$")

# The generic format's outbound request, as the SMS guide describes it.
OUTBOUND_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "to", "text", "status_url"],
    "properties": {
        "id": {"type": "string", "minLength": 1, "maxLength": 200},
        "to": {"type": "string", "pattern": r"^\+[1-9][0-9]{6,14}$"},
        "text": {"type": "string", "minLength": 1},
        "status_url": {"type": "string", "pattern": r"^https?://[^/]+/hooks/[^/]+/$"},
    },
}


@cache
def twilio_contract() -> OpenAPI:
    # The file holds JSON escapes that PyYAML (openapi-core's file reader) refuses: read as JSON.
    return OpenAPI.from_dict(json.loads(CONTRACT.read_text(encoding="utf-8")))


class Calls(list[str]):
    """:class:`~tests.fakes.FakeServer`'s ``calls`` (the operations, in order), which the SMS
    tests also compare with how many there were: ``fake.calls == 11``."""

    __hash__ = None  # a list: unhashable, as ever

    def __eq__(self, other: object) -> bool:
        if isinstance(other, int) and not isinstance(other, bool):
            return len(self) == other
        return super().__eq__(other)

    def __ne__(self, other: object) -> bool:
        return not self == other


class SmsFake(FakeServer):
    """What both SMS fakes add to :class:`~tests.fakes.FakeServer`: failures of the next calls,
    whichever operation they are, before any other failure ordered."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.calls = Calls()
        self._next: list[Failure] = []

    def fail_next(self, count: int, mode: str = "500", delay: float = 0.0) -> None:
        """The next ``count`` calls, whatever they are, fail as ``mode``."""
        self._next.extend(Failure(mode, delay) for _ in range(count))

    def heal(self) -> None:
        super().heal()
        self._next.clear()

    def failure_for_next(self, operation: str) -> Failure | None:
        return self._next.pop(0) if self._next else super().failure_for_next(operation)


class FakeGateway(SmsFake):
    """A gateway speaking Balie's generic format at ``{url}/send``."""

    def __init__(self, secret: str) -> None:
        super().__init__()
        self.secret = secret
        self.sent: list[dict[str, str]] = []  # what went out to phones, once per key
        self.ids: dict[str, str] = {}  # Balie's key -> the gateway's id
        self.next_ids: list[str] = []  # ids to hand out next, before made-up ones
        self.refuse: tuple[int, dict] | None = None

    @property
    def send_url(self) -> str:
        return f"{self.url}/send"

    def route(self, method: str, path: str) -> tuple[str, dict[str, str]]:
        return ("send", {}) if method == "POST" and path == "/send" else ("unknown", {})

    def error(self, status: int, detail: str = "") -> Answer:
        reasons = {404: "not found", 500: "down for maintenance"}
        return Answer(status, {"error": detail or reasons.get(status, HTTPStatus(status).phrase)})

    def respond(self, call: Call) -> Answer:
        if call.operation != "send":
            self.violations.append(f"{call.method} {call.target}: not the send address")
            return self.error(404)
        problems = self._check(call.headers, call.body)
        if problems:
            self.violations.extend(problems)
            return self.error(400, "; ".join(problems))
        if self.refuse is not None:
            return Answer(*self.refuse)
        data = json.loads(call.body)
        if data["id"] not in self.ids:
            self.ids[data["id"]] = self.next_ids.pop(0) if self.next_ids else uuid.uuid4().hex
            self.sent.append(data)
        return Answer(202, {"id": self.ids[data["id"]]})

    def _check(self, headers: Headers, body: bytes) -> list[str]:
        problems = []
        if not headers.get("Content-Type", "").startswith("application/json"):
            problems.append("Content-Type is not application/json")
        timestamp = headers.get(generic.TIMESTAMP_HEADER, "")
        given = headers.get(generic.SIGNATURE_HEADER, "")
        if not timestamp.isdigit():
            problems.append("no timestamp")
        elif abs(int(timezone.now().timestamp()) - int(timestamp)) > generic.TOLERANCE:
            problems.append("stale timestamp")
        elif given != generic.signature(self.secret, timestamp, body):
            problems.append("wrong signature")
        try:
            jsonschema.validate(json.loads(body.decode("utf-8")), OUTBOUND_SCHEMA)
        except (ValueError, jsonschema.ValidationError) as error:
            problems.append(f"body: {getattr(error, 'message', error)}")
        return problems


TWILIO_ERRORS = {  # Twilio's error code and message for the fake's own answers
    400: (21601, "Invalid parameter"),
    401: (20003, "Authenticate"),
    404: (20404, "The requested resource was not found"),
    500: (20500, "Internal Server Error"),
}


class FakeTwilio(SmsFake, ContractFake):
    """Twilio's Messages API for one account, checked against Twilio's own description."""

    server_url = SERVER  # paths are checked under the description's server
    answer_headers = (  # what the description says each answer carries
        ("Access-Control-Allow-Origin", "*"),
        ("Access-Control-Allow-Methods", "POST, OPTIONS"),
        ("Access-Control-Allow-Headers", "Content-Type, Authorization"),
        ("Access-Control-Allow-Credentials", "true"),
        ("Access-Control-Expose-Headers", "ETag"),
    )

    def __init__(self, account_sid: str, auth_token: str) -> None:
        super().__init__(auth_token)
        self.account_sid, self.auth_token = account_sid, auth_token
        self.messages: list[dict[str, str]] = []  # every message Twilio took, in order
        self.next_sids: list[str] = []
        self.media: dict[str, tuple[str, bytes]] = {}  # ME… -> content type, bytes
        self.media_fetches = 0

    def media_url(self, message_sid: str, media_sid: str) -> str:
        messages = f"{self.url}/2010-04-01/Accounts/{self.account_sid}/Messages"
        return f"{messages}/{message_sid}/Media/{media_sid}"

    # routing and checking

    def openapi(self) -> OpenAPI:
        return twilio_contract()

    def route(self, method: str, path: str) -> tuple[str, dict[str, str]]:
        media = MEDIA.match(path)
        if method == "GET" and media:  # a file, not an operation of the description
            return "media", media.groupdict()
        return super().route(method, path)

    def error(self, status: int, detail: str = "") -> Answer:
        code, message = TWILIO_ERRORS[status]
        return Answer(status, _error(code, detail or message, status))

    def respond(self, call: Call) -> Answer:
        if call.operation == "media":
            return self._media(call)
        if call.operation != "CreateMessage":
            self.violations.append(f"{call.method} {call.path}: not an operation Balie should call")
            return self.error(404)
        return super().respond(call)

    def admit(self, call: Call) -> Answer | None:
        """The account's credentials (Basic auth), and its sid in the path."""
        if not self._authorised(call.headers) or call.params["AccountSid"] != self.account_sid:
            return self.error(401)
        self.authorizations.add(call.headers["Authorization"])
        return None

    def _authorised(self, headers: Headers) -> bool:
        pair = f"{self.account_sid}:{self.auth_token}".encode()
        return headers.get("Authorization") == "Basic " + base64.b64encode(pair).decode()

    # the operations

    def _CreateMessage(self, *, raw: bytes, **_: Any) -> tuple[int, dict[str, Any]]:
        form = dict(parse_qsl(raw.decode("utf-8"), keep_blank_values=True))
        problems = _semantics(form)
        if problems:
            self.violations.append(f"CreateMessage: {problems}")
            return 400, _error(21604, problems, 400)
        sid = self.next_sids.pop(0) if self.next_sids else "SM" + uuid.uuid4().hex
        self.messages.append({**form, "sid": sid})
        now = timezone.now().strftime("%a, %d %b %Y %H:%M:%S +0000")
        uri = f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}"
        answer = {
            "account_sid": self.account_sid, "api_version": "2010-04-01", "body": form["Body"],
            "date_created": now, "date_sent": None, "date_updated": now,
            "direction": "outbound-api", "error_code": None, "error_message": None,
            "from": form.get("From"), "messaging_service_sid": form.get("MessagingServiceSid"),
            "num_media": "0", "num_segments": "1", "price": None, "price_unit": None,
            "sid": sid, "status": "queued",
            "subresource_uris": {"media": f"{uri}/Media.json"}, "to": form["To"],
            "uri": f"{uri}.json",
        }  # fmt: skip
        return 201, answer  # held to the description by ContractFake.complete

    def _media(self, call: Call) -> Answer:
        self.media_fetches += 1
        if not self._authorised(call.headers) or call.params["account"] != self.account_sid:
            return self.error(401)
        if call.params["sid"] not in self.media:
            return self.error(404)
        content_type, data = self.media[call.params["sid"]]
        return Answer(200, data, content_type)


def _semantics(form: dict[str, str]) -> str:
    """What Twilio's description says in prose only."""
    problems = []
    if not form.get("To"):
        problems.append("To is required")
    if not form.get("Body"):
        problems.append("Body (or MediaUrl or ContentSid) is required")
    if bool(form.get("From")) == bool(form.get("MessagingServiceSid")):
        problems.append("exactly one of From and MessagingServiceSid")
    if len(form.get("Body", "")) > 1600:
        problems.append("Body is longer than 1600 characters")
    return "; ".join(problems)


def _error(code: int, message: str, status: int) -> dict[str, Any]:
    return {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }
