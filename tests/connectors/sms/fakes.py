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

Both can be told to fail the next calls: ``"500"`` (an error answer), ``"drop"`` (the
connection closed before the call is handled), ``"lost"`` (handled, but the answer never
sent). Whatever breaks a contract lands in ``violations``; tests assert that it stays empty.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import uuid
from dataclasses import dataclass
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import jsonschema
from django.utils import timezone
from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict

from balie.connectors.sms.providers import generic

CONTRACT = Path(__file__).parent / "contracts" / "twilio-api-v2010" / "twilio_api_v2010.json"
SERVER = "https://api.twilio.com"  # the description's server, which the fake stands in for
MESSAGES = re.compile(r"^/2010-04-01/Accounts/(?P<account>[^/]+)/Messages\.json$")
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


@dataclass
class RawRequest:
    """openapi-core's request protocol, built from what came over the socket."""

    host_url: str
    path: str
    method: str
    body: bytes | None
    content_type: str
    parameters: RequestParameters


@dataclass
class RawResponse:
    status_code: int
    data: bytes
    content_type: str = "application/json"
    headers: Headers | None = None


class FakeServer:
    """The HTTP plumbing and failure modes shared by the fakes."""

    extra_headers: dict[str, str] = {}  # sent with every answer

    def __init__(self) -> None:
        self.violations: list[str] = []
        self.calls = 0
        self._failures: list[str] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._server.handle_error = lambda request, address: None  # a dropped client is fine
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def fail_next(self, count: int, mode: str = "500") -> None:
        self._failures.extend([mode] * count)

    def heal(self) -> None:
        self._failures.clear()

    def failure(self) -> str | None:
        return self._failures.pop(0) if self._failures else None

    def handle(self, method: str, target: str, headers: Headers, body: bytes):
        """``(status, content type, body)`` for one call, with the lock held."""
        raise NotImplementedError


def _handler(fake: FakeServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
            pass

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = Headers(list(self.headers.items()))
            with fake._lock:
                fake.calls += 1
                failure = fake.failure()
                if failure == "drop":
                    self.close_connection = True
                    return
                if failure == "500":
                    self._answer(500, "application/json", b'{"error": "down for maintenance"}')
                    return
                status, content_type, data = fake.handle(self.command, self.path, headers, body)
            if failure == "lost":
                self.close_connection = True  # handled, but the client never hears it
                return
            self._answer(status, content_type, data)

        def _answer(self, status: int, content_type: str, data: bytes) -> None:
            try:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                for name, value in fake.extra_headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)
            except OSError:
                self.close_connection = True

        do_GET = do_POST = do_PUT = do_DELETE = _serve  # noqa: N815

    return Handler


def _json(status: int, value: Any):
    return status, "application/json", json.dumps(value).encode()


class FakeGateway(FakeServer):
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

    def handle(self, method, target, headers, body):
        if method != "POST" or urlsplit(target).path != "/send":
            self.violations.append(f"{method} {target}: not the send address")
            return _json(404, {"error": "not found"})
        problems = self._check(headers, body)
        if problems:
            self.violations.extend(problems)
            return _json(400, {"error": "; ".join(problems)})
        if self.refuse is not None:
            return _json(*self.refuse)
        data = json.loads(body)
        if data["id"] not in self.ids:
            self.ids[data["id"]] = self.next_ids.pop(0) if self.next_ids else uuid.uuid4().hex
            self.sent.append(data)
        return _json(202, {"id": self.ids[data["id"]]})

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


class FakeTwilio(FakeServer):
    """Twilio's Messages API for one account, checked against Twilio's own description."""

    extra_headers = {  # what the description says each answer carries
        "Access-Control-Allow-Origin": "*",
        "Access-Control-Allow-Methods": "POST, OPTIONS",
        "Access-Control-Allow-Headers": "Content-Type, Authorization",
        "Access-Control-Allow-Credentials": "true",
        "Access-Control-Expose-Headers": "ETag",
    }

    def __init__(self, account_sid: str, auth_token: str) -> None:
        super().__init__()
        self.account_sid, self.auth_token = account_sid, auth_token
        self.messages: list[dict[str, str]] = []  # every message Twilio took, in order
        self.next_sids: list[str] = []
        self.media: dict[str, tuple[str, bytes]] = {}  # ME… -> content type, bytes
        self.media_fetches = 0

    def media_url(self, message_sid: str, media_sid: str) -> str:
        messages = f"{self.url}/2010-04-01/Accounts/{self.account_sid}/Messages"
        return f"{messages}/{message_sid}/Media/{media_sid}"

    def _authorised(self, headers: Headers) -> bool:
        pair = f"{self.account_sid}:{self.auth_token}".encode()
        return headers.get("Authorization") == "Basic " + base64.b64encode(pair).decode()

    def handle(self, method, target, headers, body):
        path = urlsplit(target).path
        media = MEDIA.match(path)
        if method == "GET" and media:
            return self._media(media, headers)
        if method != "POST" or not MESSAGES.match(path):
            self.violations.append(f"{method} {path}: not an operation Balie should call")
            return _json(404, _error(20404, "The requested resource was not found", 404))
        request = RawRequest(
            SERVER, path, "post", body or None, headers.get("Content-Type", ""),
            RequestParameters(query=ImmutableMultiDict(), header=headers),
        )  # fmt: skip
        checked = twilio_contract().unmarshal_request(request)
        if checked.errors:
            reason = ", ".join(_explain(e) for e in checked.errors)
            self.violations.append(f"POST {path}: {reason}")
            return _json(400, _error(21601, reason, 400))
        if not self._authorised(headers) or MESSAGES.match(path)["account"] != self.account_sid:
            return _json(401, _error(20003, "Authenticate", 401))
        form = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        problems = _semantics(form)
        if problems:
            self.violations.append(f"POST {path}: {problems}")
            return _json(400, _error(21604, problems, 400))
        return self._created(request, form)

    def _created(self, request: RawRequest, form: dict[str, str]):
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
        data = json.dumps(answer).encode()
        answer_headers = Headers({"Content-Type": "application/json", **self.extra_headers})
        verdict = twilio_contract().unmarshal_response(
            request, RawResponse(201, data, headers=answer_headers)
        )
        if verdict.errors:
            self.violations.append(f"the fake's answer: {[_explain(e) for e in verdict.errors]}")
        return 201, "application/json", data

    def _media(self, match: re.Match, headers: Headers):
        self.media_fetches += 1
        if not self._authorised(headers) or match["account"] != self.account_sid:
            return _json(401, _error(20003, "Authenticate", 401))
        if match["sid"] not in self.media:
            return _json(404, _error(20404, "The requested resource was not found", 404))
        content_type, data = self.media[match["sid"]]
        return 200, content_type, data


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


def _explain(error: Exception) -> str:
    inner = getattr(error.__cause__, "schema_errors", None) or []
    details = "; ".join(e.message for e in inner)
    return f"{type(error).__name__}({details or error.__cause__ or error})"
