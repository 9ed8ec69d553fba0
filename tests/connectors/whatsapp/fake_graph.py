"""A local stand-in for Meta's Graph API (the WhatsApp Cloud API part Balie uses): a real
HTTP server on 127.0.0.1 that checks every request against Meta's published OpenAPI
description (``contract/business-messaging-api_v23.0.yaml``, through openapi-core, with the
two corrections the contract's README explains) and against what the documentation adds
(the upload's form fields), and answers in the documented shapes, checking its own answers
too.

Operations: ``POST /{version}/{phone number id}/messages`` (sendMessage),
``POST /{version}/{phone number id}/media`` (the upload, uploadImage in the contract),
``GET /{version}/{media id}`` (retrieveMediaUrl) and the download of a file from the URL
that answer gave (downloadMedia; here on this server, ``/whatsapp_business/attachments/``).

It keeps what it was sent (``sent``: each message body; ``uploads``: each file) and serves
files added with :meth:`add_media`. It can be told to fail: a call answered with 500, a
connection dropped before the call is handled, an answer lost after it was handled, an
answer that comes too late, or a Graph error (``refuse``). Whatever the contract refuses
lands in ``violations``; a test asserts that it stays empty.
"""

from __future__ import annotations

import copy
import io
import itertools
import json
import re
import threading
import time
from dataclasses import dataclass, field
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

import yaml
from openapi_core import Config, OpenAPI
from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict
from werkzeug.formparser import parse_form_data

CONTRACT = Path(__file__).parent / "contract" / "business-messaging-api_v23.0.yaml"
GRAPH = "https://graph.facebook.com"  # the contract's server; paths are checked under it
DOWNLOADS = "/whatsapp_business/attachments/"


@cache
def contract() -> OpenAPI:
    """The vendored contract with its two corrections (see contract/README.md)."""
    with CONTRACT.open("rb") as handle:
        spec = yaml.load(handle, Loader=yaml.CSafeLoader)  # noqa: S506 - the safe C loader
    for schema in spec["components"]["schemas"].values():
        branches = schema.get("allOf", []) if isinstance(schema, dict) else []
        closed = [
            b for b in branches if isinstance(b, dict) and b.get("additionalProperties") is False
        ]
        for branch in closed:  # 1: "no other properties" over the whole allOf, not one branch
            del branch["additionalProperties"]
            schema["unevaluatedProperties"] = False
    upload = spec["paths"]["/{Version}/{Phone-Number-ID}/media"]["post"]
    form = upload["requestBody"]["content"]["multipart/form-data"]["schema"]
    form["properties"]["file"] = {"format": "binary"}  # 2: a file part is bytes, not a string
    # The file as published is not a valid OpenAPI 3.1 document (components.parameterGroups),
    # so the check of the description itself is off; requests are still checked in full.
    return OpenAPI.from_dict(copy.deepcopy(spec), config=Config(spec_validator_cls=None))


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
    headers: Headers = field(default_factory=Headers)


@dataclass
class Failure:
    mode: str  # "500", "drop", "lost" or "slow"
    delay: float = 0.0


@dataclass
class Refusal:
    """A Graph error answer: ``{"error": {"message", "type", "code", "error_data"}}``."""

    status: int
    code: int
    title: str


class FakeGraph:
    def __init__(
        self,
        token: str,
        *,
        phone_number_id: str,
        version: str = "v21.0",
        check_contract: bool = True,
    ) -> None:
        self.token = token
        # off only in bench/channel_webhooks.py: it measures Balie
        self.check_contract = check_contract
        self.phone_number_id = phone_number_id
        self.version = version
        self.sent: list[dict[str, Any]] = []
        self.uploads: list[dict[str, Any]] = []
        self.media: dict[str, tuple[bytes, str]] = {}
        self.calls: list[str] = []  # operation names, in order
        self.violations: list[str] = []
        self._ids = itertools.count(1)
        self._by_call: dict[int, Failure] = {}
        self._by_operation: dict[tuple[str, int], Failure] = {}
        self._always: dict[str, Failure] = {}
        self._refusals: dict[str, list[Refusal]] = {}
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._server.handle_error = lambda request, address: None  # a dropped client is fine
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        """What an account's ``graph_url`` is set to."""
        return f"{self.url}/{self.version}"

    def __enter__(self) -> FakeGraph:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    # preparing

    def add_media(self, data: bytes, mime_type: str) -> str:
        """A file a resident sent: its media id."""
        media_id = str(900_000_000 + next(self._ids))
        self.media[media_id] = (data, mime_type)
        return media_id

    # telling it to fail

    def fail_call(self, number: int, mode: str = "500", delay: float = 0.0) -> None:
        """The ``number``-th call (counted from 1 over all calls) fails."""
        self._by_call[number] = Failure(mode, delay)

    def fail_operation(
        self, operation: str, mode: str = "500", *, occurrence: int = 1, delay: float = 0.0
    ) -> None:
        self._by_operation[(operation, occurrence)] = Failure(mode, delay)

    def fail_always(self, operation: str, mode: str = "500", delay: float = 0.0) -> None:
        self._always[operation] = Failure(mode, delay)

    def refuse(self, operation: str, *, status: int = 400, code: int, title: str) -> None:
        """The next call of ``operation`` is answered with this Graph error."""
        self._refusals.setdefault(operation, []).append(Refusal(status, code, title))

    def heal(self) -> None:
        self._by_call.clear()
        self._by_operation.clear()
        self._always.clear()
        self._refusals.clear()

    def _failure_for_next(self, operation: str) -> Failure | None:
        number = len(self.calls) + 1
        occurrence = self.calls.count(operation) + 1
        return (
            self._by_call.pop(number, None)
            or self._by_operation.pop((operation, occurrence), None)
            or self._always.get(operation)
        )

    # routing and checking

    def operation_of(self, method: str, path: str) -> tuple[str, dict[str, str]]:
        prefix = f"/{self.version}/"
        if method == "GET" and path == DOWNLOADS:
            return "downloadMedia", {}
        if not path.startswith(prefix):
            return "unknown", {}
        rest = path[len(prefix) :].split("/")
        if method == "POST" and len(rest) == 2 and rest[1] in ("messages", "media"):
            operation = "sendMessage" if rest[1] == "messages" else "uploadMedia"
            return operation, {"phone_number_id": rest[0]}
        if method == "GET" and len(rest) == 1 and rest[0]:
            return "retrieveMediaUrl", {"media_id": rest[0]}
        return "unknown", {}

    def handle(
        self, method: str, target: str, headers: Headers, body: bytes
    ) -> tuple[int, Any, str]:
        """(status, answer, content type) for one call, with the lock held."""
        split = urlsplit(target)
        operation, params = self.operation_of(method, split.path)
        self.calls.append(operation)
        query = ImmutableMultiDict(parse_qsl(split.query, keep_blank_values=True))
        # The download's address is a whole URL, which the contract takes as one path
        # parameter of GET /{Version}/{Media-URL}.
        path = (
            f"/{self.version}/{quote(self.url + target, safe='')}"
            if operation == "downloadMedia"
            else split.path
        )
        request = RawRequest(
            host_url=GRAPH,
            path=path,
            method=method.lower(),
            body=body or None,
            content_type=headers.get("Content-Type", ""),
            parameters=RequestParameters(
                query=ImmutableMultiDict() if operation == "downloadMedia" else query,
                header=headers,
            ),
        )
        checked = contract().unmarshal_request(request) if self.check_contract else None
        if checked is not None and checked.errors:
            self.violations.append(f"{method} {split.path}: {_explain(checked.errors)}")
            return 400, _error(100, "Invalid parameter"), "application/json"
        if headers.get("Authorization") != f"Bearer {self.token}":
            return 401, _error(190, "Invalid OAuth access token"), "application/json"
        refusals = self._refusals.get(operation)
        if refusals:
            refusal = refusals.pop(0)
            return refusal.status, _error(refusal.code, refusal.title), "application/json"
        handler = getattr(self, f"_{operation}", None)
        if handler is None:
            self.violations.append(f"{method} {split.path}: not an operation the fake knows")
            return 404, _error(100, "Unknown path"), "application/json"
        status, answer, content_type = handler(
            params=params, query=query, raw=body, headers=headers
        )
        if self.check_contract and status == 200 and content_type == "application/json":
            response = RawResponse(status, json.dumps(answer).encode())
            verdict = contract().unmarshal_response(request, response)
            if verdict.errors:
                self.violations.append(f"answer to {operation}: {_explain(verdict.errors)}")
        return status, answer, content_type

    # the operations

    def _sendMessage(self, *, params, raw, **_):
        body = json.loads(raw)
        if params["phone_number_id"] != self.phone_number_id:
            return 400, _error(100, "Unknown phone number id"), "application/json"
        if not re.fullmatch(r"\d{6,20}", body["to"]):
            self.violations.append(f"sendMessage: 'to' is not a WhatsApp id: {body['to']!r}")
        if body["type"] in ("image", "document") and body[body["type"]]["id"] not in {
            u["id"] for u in self.uploads
        }:
            self.violations.append("sendMessage: a media id that was never uploaded")
        wamid = f"wamid.FAKE{next(self._ids):08d}"
        self.sent.append({**body, "_wamid": wamid})
        answer = {
            "messaging_product": "whatsapp",
            "contacts": [{"input": body["to"], "wa_id": body["to"]}],
            "messages": [{"id": wamid}],
        }
        return 200, answer, "application/json"

    def _uploadMedia(self, *, params, raw, headers, **_):
        environ = {
            "REQUEST_METHOD": "POST",
            "CONTENT_TYPE": headers.get("Content-Type", ""),
            "CONTENT_LENGTH": str(len(raw)),
            "wsgi.input": io.BytesIO(raw),
        }
        _stream, form, files = parse_form_data(environ)
        upload = files.get("file")
        data = upload.read() if upload is not None else b""
        # What the documentation requires besides the contract: messaging_product, the
        # file, and its MIME type as "type".
        # https://developers.facebook.com/docs/whatsapp/cloud-api/reference/media
        problems = [
            problem
            for problem, wrong in (
                ("messaging_product is not whatsapp", form.get("messaging_product") != "whatsapp"),
                ("no file", not data),
                ("no type", not form.get("type")),
                (
                    "type is not the file's content type",
                    upload is not None and form.get("type") != upload.mimetype,
                ),
            )
            if wrong
        ]
        filename = upload.filename if upload is not None else ""
        for received in files.values():
            received.close()
        if problems:
            self.violations.append(f"uploadMedia: {', '.join(problems)}")
            return 400, _error(100, "Invalid parameter"), "application/json"
        media_id = str(800_000_000 + next(self._ids))
        self.uploads.append(
            {"id": media_id, "type": form["type"], "filename": filename, "data": data}
        )
        return 200, {"id": media_id}, "application/json"

    def _retrieveMediaUrl(self, *, params, query, **_):
        found = self.media.get(params["media_id"])
        if found is None:
            return 404, _error(100, "Unsupported get request"), "application/json"
        if query.get("phone_number_id") not in (None, self.phone_number_id):
            return 400, _error(100, "Media of another phone number"), "application/json"
        data, mime_type = found
        answer = {
            "messaging_product": "whatsapp",
            "url": f"{self.url}{DOWNLOADS}?mid={params['media_id']}&ext={int(time.time())}",
            "mime_type": mime_type,
            "sha256": "0" * 64,
            "file_size": str(len(data)),
            "id": params["media_id"],
        }
        return 200, answer, "application/json"

    def _downloadMedia(self, *, query, **_):
        found = self.media.get(query.get("mid", ""))
        if found is None:
            return 404, _error(100, "Not found"), "application/json"
        return 200, found[0], found[1]


def _error(code: int, title: str) -> dict[str, Any]:
    return {
        "error": {
            "message": f"(#{code}) {title}",
            "type": "OAuthException",
            "code": code,
            "error_data": {"messaging_product": "whatsapp", "details": f"{title}."},
            "fbtrace_id": "AFakeTraceId",
        }
    }


def _explain(errors: list[Exception]) -> str:
    reasons = []
    for error in errors:
        inner = getattr(error.__cause__, "schema_errors", None) or []
        details = "; ".join(e.message for e in inner)
        reasons.append(f"{type(error).__name__}({details or error})")
    return ", ".join(reasons)


def _handler(fake: FakeGraph) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out at once, not 40 ms apart

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
            pass

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = Headers(list(self.headers.items()))
            with fake._lock:
                operation, _params = fake.operation_of(self.command, urlsplit(self.path).path)
                failure = fake._failure_for_next(operation)
                if failure is not None and failure.mode == "drop":
                    fake.calls.append(operation)
                    self.close_connection = True
                    return
                if failure is not None and failure.mode == "500":
                    fake.calls.append(operation)
                    self._answer(500, _error(2, "Service temporarily unavailable"))
                    return
                status, answer, content_type = fake.handle(self.command, self.path, headers, body)
            if failure is not None and failure.mode == "lost":
                self.close_connection = True  # handled, but the client never hears it
                return
            if failure is not None and failure.mode == "slow":
                time.sleep(failure.delay)
            self._answer(status, answer, content_type)

        def _answer(self, status: int, answer: Any, content_type: str = "application/json"):
            data = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except OSError:
                self.close_connection = True  # the client gave up waiting

        do_GET = do_POST = do_DELETE = _serve  # noqa: N815

    return Handler
