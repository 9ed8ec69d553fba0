"""A local stand-in for a GPP-Woo publicatiebank: a real HTTP server on 127.0.0.1 that checks
every request against the publicatiebank's published contract (``contracts/
gpp-publicatiebank/openapi.yaml``, through openapi-core) and answers in the contract's shapes,
checking its own answers too.

It keeps what it was sent (publications, documents, the bytes of every file part) and can be
told to fail: a call answered with 500, a connection dropped before the call is handled,
an answer lost after the call was handled (the client never hears that it worked), or an
answer that comes too late. Whatever the contract refuses lands in ``violations``; a test
asserts that it stays empty.
"""

from __future__ import annotations

import io
import json
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict
from werkzeug.formparser import parse_form_data

CONTRACT = Path(__file__).parent / "contracts" / "gpp-publicatiebank" / "openapi.yaml"
API = "/api/v2"
AUDIT_HEADERS = ("Audit-User-ID", "Audit-User-Representation", "Audit-Remarks")

ROUTES = [
    ("GET", re.compile(rf"^{API}/publicaties$"), "publicatiesList"),
    ("POST", re.compile(rf"^{API}/publicaties$"), "publicatiesCreate"),
    ("GET", re.compile(rf"^{API}/publicaties/(?P<uuid>[^/]+)$"), "publicatiesRetrieve"),
    ("PUT", re.compile(rf"^{API}/publicaties/(?P<uuid>[^/]+)$"), "publicatiesUpdate"),
    ("GET", re.compile(rf"^{API}/documenten$"), "documentenList"),
    ("POST", re.compile(rf"^{API}/documenten$"), "documentenCreate"),
    ("GET", re.compile(rf"^{API}/documenten/(?P<uuid>[^/]+)$"), "documentenRetrieve"),
    ("DELETE", re.compile(rf"^{API}/documenten/(?P<uuid>[^/]+)$"), "documentenDestroy"),
    (
        "PUT",
        re.compile(rf"^{API}/documenten/(?P<uuid>[^/]+)/bestandsdelen/(?P<part>[^/]+)$"),
        "documentenBestandsdelenUpdate",
    ),
]


@cache
def contract() -> OpenAPI:
    return OpenAPI.from_file_path(str(CONTRACT))


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
    """openapi-core's response protocol, for checking the fake's own answers."""

    status_code: int
    data: bytes
    content_type: str = "application/json"
    headers: Headers = field(default_factory=Headers)


@dataclass
class Failure:
    mode: str  # "500", "drop", "lost" or "slow"
    delay: float = 0.0


def _now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


class FakePublicatiebank:
    def __init__(self, token: str, *, part_size: int = 4096, page_size: int = 2) -> None:
        self.token = token
        self.part_size = part_size
        self.page_size = page_size
        self.publications: dict[str, dict[str, Any]] = {}
        self.documents: dict[str, dict[str, Any]] = {}
        self.parts: dict[
            str, dict[str, Any]
        ] = {}  # part uuid -> document, volgnummer, omvang, data
        self.calls: list[str] = []  # operationIds, in order
        self.violations: list[str] = []
        self.audit: set[tuple[str, str, str]] = set()
        self.authorizations: set[str] = set()
        self.part_host: str | None = None  # to answer with file-part addresses elsewhere
        self._by_call: dict[int, Failure] = {}
        self._by_operation: dict[tuple[str, int], Failure] = {}
        self._always: dict[str, Failure] = {}
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._server.handle_error = lambda request, address: None  # a dropped client is fine
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> FakePublicatiebank:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    # telling it to fail

    def fail_call(self, number: int, mode: str = "500", delay: float = 0.0) -> None:
        """The ``number``-th call (counted from 1 over all calls) fails."""
        self._by_call[number] = Failure(mode, delay)

    def fail_operation(
        self, operation: str, mode: str = "500", *, occurrence: int = 1, delay: float = 0.0
    ) -> None:
        """The ``occurrence``-th call of ``operation`` (an operationId) fails."""
        self._by_operation[(operation, occurrence)] = Failure(mode, delay)

    def fail_always(self, operation: str, mode: str = "500") -> None:
        self._always[operation] = Failure(mode)

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

    # what arrived

    def file_of(self, document_uuid: str) -> bytes:
        parts = sorted(
            (p for p in self.parts.values() if p["document"] == document_uuid),
            key=lambda p: p["volgnummer"],
        )
        return b"".join(p["data"] or b"" for p in parts)

    # handling one call, with the lock held

    def handle(
        self, method: str, target: str, headers: Headers, body: bytes
    ) -> tuple[str, int, Any]:
        split = urlsplit(target)
        operation, params = "unknown", {}
        for verb, pattern, name in ROUTES:
            match = pattern.match(split.path)
            if verb == method and match:
                operation, params = name, match.groupdict()
                break
        self.calls.append(operation)
        query = ImmutableMultiDict(parse_qsl(split.query, keep_blank_values=True))
        request = RawRequest(
            host_url=self.url,
            path=split.path,
            method=method.lower(),
            body=body or None,
            content_type=headers.get("Content-Type", ""),
            parameters=RequestParameters(query=query, header=headers),
        )
        checked = contract().unmarshal_request(request)
        if checked.errors:
            self.violations.append(f"{method} {split.path}: {_explain(checked.errors)}")
            return operation, 400, {"detail": _explain(checked.errors)}
        if headers.get("Authorization") != f"Token {self.token}":
            return operation, 401, {"detail": "Ongeldige token."}
        self.authorizations.add(headers["Authorization"])
        self.audit.add(tuple(headers[h] for h in AUDIT_HEADERS))  # type: ignore[arg-type]
        handler = getattr(self, f"_{operation}", None)
        if handler is None:
            self.violations.append(f"{method} {split.path}: not an operation the fake knows")
            return operation, 404, {"detail": "Niet gevonden."}
        status, answer = handler(
            params=params, query=query, body=checked.body, raw=body, headers=headers
        )
        if 200 <= status < 300 and answer is not None:
            response = RawResponse(status, json.dumps(answer).encode())
            verdict = contract().unmarshal_response(request, response)
            if verdict.errors:
                self.violations.append(f"answer to {operation}: {_explain(verdict.errors)}")
        return operation, status, answer

    # the operations

    def _page(self, items: list[dict[str, Any]], path: str, query) -> dict[str, Any]:
        page = int(query.get("page", "1"))
        start = (page - 1) * self.page_size
        rest = [(k, v) for k, v in query.items(multi=True) if k != "page"]
        following = "&".join([*(f"{k}={v}" for k, v in rest), f"page={page + 1}"])
        return {
            "count": len(items),
            "next": f"{self.url}{path}?{following}"
            if start + self.page_size < len(items)
            else None,
            "previous": None,
            "results": items[start : start + self.page_size],
        }

    def _publicatiesList(self, *, query, **_):
        found = [
            p
            for p in self.publications.values()
            if all(
                any(k[key] == query[key] for k in p["kenmerken"])
                for key in ("kenmerk", "bron")
                if key in query
            )
        ]
        return 200, self._page(found, f"{API}/publicaties", query)

    def _publicatiesCreate(self, *, body, headers, **_):
        status = body.get("publicatiestatus", "gepubliceerd")
        if status == "ingetrokken":
            return 400, {"publicatiestatus": ["Je kan geen ingetrokken publicatie aanmaken."]}
        key = str(uuid.uuid4())
        now = _now()
        self.publications[key] = {
            "uuid": key,
            "urlPublicatieIntern": f"{self.url}/beheer/publicaties/{key}",
            "urlPublicatieExtern": f"https://open.example.nl/publicaties/{key}",
            "informatieCategorieen": [str(c) for c in body.get("informatieCategorieen", [])],
            "diWooInformatieCategorieen": [],
            "onderwerpen": [],
            "publisher": str(body["publisher"]) if body.get("publisher") else None,
            "verantwoordelijke": None,
            "opsteller": None,
            "kenmerken": list(body.get("kenmerken", [])),
            "officieleTitel": body["officieleTitel"],
            "verkorteTitel": body.get("verkorteTitel", ""),
            "omschrijving": body.get("omschrijving", ""),
            "eigenaar": {
                "identifier": headers["Audit-User-ID"],
                "weergaveNaam": headers["Audit-User-Representation"],
            },
            # A nullable allOf, which openapi-core cannot check as null: always a group here.
            "eigenaarGroep": {"identifier": "woo-team", "weergaveNaam": "Team Woo"},
            "publicatiestatus": status,
            "gepubliceerdOp": now if status == "gepubliceerd" else None,
            "ingetrokkenOp": None,
            "registratiedatum": now,
            "laatstGewijzigdDatum": now,
            "datumBeginGeldigheid": None,
            "datumEindeGeldigheid": None,
            "bronBewaartermijn": "Selectielijst gemeenten 2020",
            "selectiecategorie": "1.1.2",
            "archiefnominatie": "vernietigen",
            "archiefactiedatum": None,
            "toelichtingBewaartermijn": "",
        }
        return 201, self.publications[key]

    def _publicatiesRetrieve(self, *, params, **_):
        found = self.publications.get(params["uuid"])
        return (200, found) if found else (404, {"detail": "Niet gevonden."})

    def _publicatiesUpdate(self, *, params, body, **_):
        publication = self.publications.get(params["uuid"])
        if publication is None:
            return 404, {"detail": "Niet gevonden."}
        new = body.get("publicatiestatus", "gepubliceerd")
        old = publication["publicatiestatus"]
        if (old, new) not in {
            ("concept", "concept"),
            ("concept", "gepubliceerd"),
            ("gepubliceerd", "gepubliceerd"),
            ("gepubliceerd", "ingetrokken"),
        }:
            return 400, {"publicatiestatus": [f"Van {old} naar {new} kan niet."]}
        documents = [d for d in self.documents.values() if d["publicatie"] == params["uuid"]]
        if new == "gepubliceerd" and not all(d["uploadVoltooid"] for d in documents):
            self.violations.append("published before every document was uploaded")
        now = _now()
        for name in ("officieleTitel", "omschrijving"):
            publication[name] = body.get(name, publication[name])
        publication["informatieCategorieen"] = [str(c) for c in body["informatieCategorieen"]]
        publication["publisher"] = str(body["publisher"])
        publication["kenmerken"] = list(body.get("kenmerken", publication["kenmerken"]))
        publication["publicatiestatus"] = new
        publication["laatstGewijzigdDatum"] = now
        if new == "gepubliceerd" and old != new:
            publication["gepubliceerdOp"] = now
            for document in documents:
                document["publicatiestatus"], document["gepubliceerdOp"] = new, now
        return 200, publication

    def _documentenList(self, *, query, **_):
        found = [
            self._document(d)
            for d in self.documents.values()
            if "publicatie" not in query or d["publicatie"] == query["publicatie"]
        ]
        return 200, self._page(found, f"{API}/documenten", query)

    def _documentenCreate(self, *, body, headers, **_):
        publication = self.publications.get(str(body["publicatie"]))
        if publication is None:
            return 400, {"publicatie": ["Deze publicatie bestaat niet."]}
        key, now = str(uuid.uuid4()), _now()
        size = body.get("bestandsomvang", 0)
        parts = []
        for number, start in enumerate(range(0, size, self.part_size), start=1):
            part = str(uuid.uuid4())
            host = self.part_host or self.url
            self.parts[part] = {
                "document": key,
                "volgnummer": number,
                "omvang": min(self.part_size, size - start),
                "data": None,
            }
            parts.append({
                "uuid": part,
                "url": f"{host}{API}/documenten/{key}/bestandsdelen/{part}",
                "volgnummer": number,
                "omvang": self.parts[part]["omvang"],
            })  # fmt: skip
        self.documents[key] = {
            "uuid": key,
            "identifier": "",
            "publicatie": str(body["publicatie"]),
            "kenmerken": list(body.get("kenmerken", [])),
            "officieleTitel": body["officieleTitel"],
            "verkorteTitel": body.get("verkorteTitel", ""),
            "omschrijving": body.get("omschrijving", ""),
            "publicatiestatus": publication["publicatiestatus"],
            "gepubliceerdOp": None,
            "ingetrokkenOp": None,
            "creatiedatum": body["creatiedatum"].isoformat(),
            "ontvangstdatum": None,
            "datumOndertekend": None,
            "bestandsformaat": body.get("bestandsformaat", ""),
            "bestandsnaam": body.get("bestandsnaam", ""),
            "bestandsomvang": size,
            "eigenaar": {
                "identifier": headers["Audit-User-ID"],
                "weergaveNaam": headers["Audit-User-Representation"],
            },
            "registratiedatum": now,
            "laatstGewijzigdDatum": now,
            "uploadVoltooid": False,
        }
        created = {**self._document(self.documents[key]), "bestandsdelen": parts}
        return 201, {**created, "aanleveringBestand": "ontvangen"}

    def _document(self, document: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in document.items() if k != "identifier"}

    def _documentenRetrieve(self, *, params, **_):
        found = self.documents.get(params["uuid"])
        return (200, self._document(found)) if found else (404, {"detail": "Niet gevonden."})

    def _documentenDestroy(self, *, params, **_):
        if self.documents.pop(params["uuid"], None) is None:
            return 404, {"detail": "Niet gevonden."}
        for key in [k for k, p in self.parts.items() if p["document"] == params["uuid"]]:
            del self.parts[key]
        return 204, None

    def _documentenBestandsdelenUpdate(self, *, params, raw, headers, **_):
        part = self.parts.get(params["part"])
        document = self.documents.get(params["uuid"])
        if part is None or document is None or part["document"] != params["uuid"]:
            return 404, {"detail": "Niet gevonden."}
        environ = {
            "REQUEST_METHOD": "PUT",
            "CONTENT_TYPE": headers.get("Content-Type", ""),
            "CONTENT_LENGTH": str(len(raw)),
            "wsgi.input": io.BytesIO(raw),
        }
        _stream, _form, files = parse_form_data(environ)
        upload = files.get("inhoud")
        data = upload.read() if upload is not None else b""
        for received in files.values():
            received.close()
        if len(data) != part["omvang"]:
            return 400, {"inhoud": [f"Verwacht {part['omvang']} bytes, kreeg {len(data)}."]}
        part["data"] = data
        complete = all(
            p["data"] is not None for p in self.parts.values() if p["document"] == params["uuid"]
        )
        document["uploadVoltooid"] = complete
        return 200, {"documentUploadVoltooid": complete}


def _explain(errors: list[Exception]) -> str:
    reasons = []
    for error in errors:
        inner = getattr(error.__cause__, "schema_errors", None) or []
        details = "; ".join(e.message for e in inner)
        reasons.append(f"{type(error).__name__}({details or error})")
    return ", ".join(reasons)


def _handler(bank: FakePublicatiebank) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
            pass

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = Headers(list(self.headers.items()))
            with bank._lock:
                split = urlsplit(self.path)
                operation = next(
                    (n for v, p, n in ROUTES if v == self.command and p.match(split.path)),
                    "unknown",
                )
                failure = bank.failure_for_next(operation)
                if failure is not None and failure.mode == "drop":
                    bank.calls.append(operation)
                    self.close_connection = True
                    return
                if failure is not None and failure.mode == "500":
                    bank.calls.append(operation)
                    self._answer(500, {"detail": "Er is een interne fout opgetreden."})
                    return
                _operation, status, answer = bank.handle(self.command, self.path, headers, body)
            if failure is not None and failure.mode == "lost":
                self.close_connection = True  # handled, but the client never hears it
                return
            if failure is not None and failure.mode == "slow":
                time.sleep(failure.delay)
            self._answer(status, answer)

        def _answer(self, status: int, answer: Any) -> None:
            data = b"" if answer is None else json.dumps(answer).encode()
            try:
                self.send_response(status)
                if answer is not None:
                    self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except OSError:
                self.close_connection = True  # the client gave up waiting

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve  # noqa: N815

    return Handler
