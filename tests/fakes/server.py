"""A local fake of a remote API as a real HTTP server on 127.0.0.1, in a thread: what every
fake shares, whatever the API.

A fake subclasses :class:`FakeServer` and says three things: which operation a request is
(:meth:`FakeServer.route`), how the API answers it (:meth:`FakeServer.respond`) and how the
API's error answers look (:meth:`FakeServer.error`). The server keeps the operations called,
in order (``calls``), and what broke the API's contract (``violations``, which a test asserts
stays empty).

It can be told to fail, by the call's number, by an operation's occurrence or always:

- ``"500"``: answered with the API's own server error, not handled;
- ``"drop"``: the connection is closed before the call is handled;
- ``"lost"``: handled, but the answer never reaches the client;
- ``"slow"``: handled, and answered after ``delay`` seconds (a client's timeout).

:meth:`FakeServer.stop` takes it down (connection refused) until :meth:`FakeServer.start`
brings it up again on the same port: an outage, then recovery.
"""

from __future__ import annotations

import io
import json
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar, Self
from urllib.parse import parse_qsl, urlsplit

from werkzeug.datastructures import Headers, ImmutableMultiDict, MultiDict
from werkzeug.formparser import parse_form_data

MODES = ("500", "drop", "lost", "slow")


@dataclass
class Failure:
    mode: str  # one of MODES
    delay: float = 0.0  # for "slow"

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"a fake fails as one of {MODES}, not {self.mode!r}")


@dataclass
class Call:
    """One request as it came over the socket, and the operation it is."""

    method: str
    target: str  # the path with its query, as sent
    headers: Headers
    body: bytes
    operation: str = "unknown"
    params: dict[str, str] = field(default_factory=dict)  # from the path

    @property
    def path(self) -> str:
        return urlsplit(self.target).path

    @property
    def query(self) -> ImmutableMultiDict:
        return ImmutableMultiDict(parse_qsl(urlsplit(self.target).query, keep_blank_values=True))


@dataclass
class Upload:
    """A file part of a multipart/form-data body."""

    filename: str
    content_type: str  # without its parameters
    data: bytes


def multipart(raw: bytes, headers: Headers) -> tuple[MultiDict, dict[str, Upload]]:
    """A multipart/form-data body: its fields, and its files (read, and closed)."""
    environ = {
        "REQUEST_METHOD": "POST",
        "CONTENT_TYPE": headers.get("Content-Type", ""),
        "CONTENT_LENGTH": str(len(raw)),
        "wsgi.input": io.BytesIO(raw),
    }
    _stream, form, files = parse_form_data(environ)
    uploads = {}
    for name, received in files.items():
        uploads[name] = Upload(received.filename or "", received.mimetype, received.read())
        received.close()
    return form, uploads


@dataclass
class Answer:
    status: int
    body: Any = None  # a JSON value; bytes go as they are; None: no body at all
    content_type: str | None = None  # None: JSON, or the API's error type from 400 on
    headers: Headers = field(default_factory=Headers)  # besides Content-Type and -Length

    @property
    def data(self) -> bytes:
        if self.body is None:
            return b""
        return self.body if isinstance(self.body, bytes) else json.dumps(self.body).encode()


class FakeServer:
    """The server, the record of calls and the failures; a subclass is one API."""

    answer_headers: ClassVar[Sequence[tuple[str, str]]] = ()  # sent with every answer
    error_content_type: ClassVar[str] = "application/json"

    def __init__(self) -> None:
        self.calls: list[str] = []  # operations, in order, each call counted once
        self.violations: list[str] = []
        self._by_call: dict[int, Failure] = {}
        self._by_operation: dict[tuple[str, int], Failure] = {}
        self._always: dict[str, Failure] = {}
        self._lock = threading.Lock()
        self._server: _Server | None = _Server(0, self)
        self._thread: threading.Thread | None = None
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"

    # running

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self) -> None:
        if self._server is None:  # up again, on the same port
            self._server = _Server(self.port, self)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Down: nothing listens on the port (connection refused) until start()."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            if self._thread is not None:
                self._thread.join(5)
            self._server = None

    # telling it to fail

    def fail_call(self, number: int, mode: str = "500", delay: float = 0.0) -> None:
        """The ``number``-th call (counted from 1 over all calls) fails."""
        self._by_call[number] = Failure(mode, delay)

    def fail_operation(
        self, operation: str, mode: str = "500", *, occurrence: int = 1, delay: float = 0.0
    ) -> None:
        """The ``occurrence``-th call of ``operation`` fails."""
        self._by_operation[(operation, occurrence)] = Failure(mode, delay)

    def fail_always(self, operation: str, mode: str = "500", delay: float = 0.0) -> None:
        """Every call of ``operation`` fails, until :meth:`heal`."""
        self._always[operation] = Failure(mode, delay)

    def heal(self) -> None:
        self._by_call.clear()
        self._by_operation.clear()
        self._always.clear()

    def failure_for_next(self, operation: str) -> Failure | None:
        """The failure ordered for the call about to be counted, if any."""
        number = len(self.calls) + 1
        occurrence = self.calls.count(operation) + 1
        return (
            self._by_call.pop(number, None)
            or self._by_operation.pop((operation, occurrence), None)
            or self._always.get(operation)
        )

    # what a subclass says about its API

    def route(self, method: str, path: str) -> tuple[str, dict[str, str]]:
        """The operation a request is (the name ``calls`` and the failures use), and the
        parameters in its path."""
        raise NotImplementedError

    def respond(self, call: Call) -> Answer:
        """The API's answer to ``call``, with the lock held."""
        raise NotImplementedError

    def error(self, status: int, detail: str = "") -> Answer:
        """The API's error answer of ``status`` (500 is what a "500" failure sends)."""
        raise NotImplementedError

    def complete(self, call: Call, answer: Answer) -> Answer:
        """``answer`` as it goes out: its content type and the API's own headers."""
        if answer.content_type is None:
            json_type = "application/json"
            answer.content_type = self.error_content_type if answer.status >= 400 else json_type
        for name, value in self.answer_headers:
            answer.headers.add(name, value)
        return answer

    # one call

    def take(
        self, method: str, target: str, headers: Headers, body: bytes
    ) -> tuple[Answer | None, Failure | None]:
        """Count the call and answer it, unless it fails before it is handled (no answer)."""
        call = Call(method, target, headers, body)
        with self._lock:
            call.operation, call.params = self.route(method, call.path)
            failure = self.failure_for_next(call.operation)
            self.calls.append(call.operation)
            if failure is not None and failure.mode == "drop":
                return None, failure
            if failure is not None and failure.mode == "500":
                answer = self.error(500)
            else:
                answer = self.respond(call)
            return self.complete(call, answer), failure


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port: int, fake: FakeServer) -> None:
        self.fake = fake
        super().__init__(("127.0.0.1", port), _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that hung up is fine


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out at once, not 40 ms apart

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
        pass

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = Headers(list(self.headers.items()))
        answer, failure = self.server.fake.take(self.command, self.path, headers, body)
        mode = failure.mode if failure is not None else None
        if answer is None or mode == "lost":  # dropped, or handled but never heard of
            self.close_connection = True
            return
        if failure is not None and mode == "slow":
            time.sleep(failure.delay)
        self._send(answer)

    def _send(self, answer: Answer) -> None:
        data = answer.data
        try:
            self.send_response(answer.status)
            for name, value in answer.headers.items():
                self.send_header(name, value)
            if answer.body is not None:
                self.send_header("Content-Type", answer.content_type or "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            self.close_connection = True  # the client gave up waiting

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve  # noqa: N815 - http.server's names
