"""A local stand-in for Open Klant's Klantinteracties API: a real HTTP server on 127.0.0.1
that checks every request against Open Klant's published contract (``contracts/open-klant/
openapi.yaml``, through openapi-core), and the token, and answers in the contract's shapes,
checking its own answers too.

It keeps what it was sent (klantcontacten, betrokkenen, onderwerpobjecten, digitale
adressen, bijlagen) and can be told to fail: a call answered with 500, a connection dropped
before the call is handled, an answer lost after the call was handled (the client never
hears that it worked), or the whole server down (connection refused) until it is started
again on the same port. Whatever the contract refuses lands in ``violations``; a test
asserts that it stays empty.
"""

from __future__ import annotations

import json
import re
import threading
import uuid
from dataclasses import dataclass, field
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict

CONTRACT = Path(__file__).parents[1] / "contracts" / "open-klant" / "openapi.yaml"
API = "/klantinteracties/api/v1"
UUID = "(?P<uuid>[^/]+)"

ROUTES = [
    ("POST", re.compile(rf"^{API}/maak-klantcontact$"), "maakKlantcontactCreate"),
    ("GET", re.compile(rf"^{API}/klantcontacten/{UUID}$"), "klantcontactenRetrieve"),
    ("GET", re.compile(rf"^{API}/onderwerpobjecten$"), "onderwerpobjectenList"),
    ("GET", re.compile(rf"^{API}/digitaleadressen$"), "digitaleadressenList"),
    ("POST", re.compile(rf"^{API}/digitaleadressen$"), "digitaleadressenCreate"),
    ("GET", re.compile(rf"^{API}/bijlagen$"), "bijlagenList"),
    ("POST", re.compile(rf"^{API}/bijlagen$"), "bijlagenCreate"),
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


def _ref(item: dict[str, Any]) -> dict[str, str]:
    return {"uuid": item["uuid"], "url": item["url"]}


class FakeOpenKlant:
    def __init__(self, token: str) -> None:
        self.token = token
        self.klantcontacten: dict[str, dict[str, Any]] = {}
        self.betrokkenen: dict[str, dict[str, Any]] = {}
        self.onderwerpobjecten: dict[str, dict[str, Any]] = {}
        self.digitale_adressen: dict[str, dict[str, Any]] = {}
        self.bijlagen: dict[str, dict[str, Any]] = {}
        self.bodies: list[tuple[str, Any]] = []  # (operationId, body) of every write
        self.calls: list[str] = []  # operationIds, in order
        self.violations: list[str] = []
        self.authorizations: set[str] = set()
        self._failures: dict[tuple[str, int], str] = {}
        self._always: dict[str, str] = {}
        self._lock = threading.Lock()
        self._server = self._serve_on(0)
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.api = self.url + API

    def _serve_on(self, port: int) -> ThreadingHTTPServer:
        server = ThreadingHTTPServer(("127.0.0.1", port), _handler(self))
        server.daemon_threads = True
        server.handle_error = lambda request, address: None  # type: ignore[method-assign]
        return server

    def __enter__(self) -> FakeOpenKlant:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self) -> None:
        if self._server is None:  # up again, on the same port
            self._server = self._serve_on(self.port)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Down: nothing listens on the port (connection refused) until start()."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(5)
            self._server = None  # type: ignore[assignment]

    # telling it to fail

    def fail(self, operation: str, mode: str = "500", *, occurrence: int = 1) -> None:
        """The ``occurrence``-th call of ``operation`` fails: "500", "drop" (closed before
        it is handled) or "lost" (handled, but the answer never reaches the client)."""
        self._failures[(operation, occurrence)] = mode

    def fail_always(self, operation: str, mode: str = "500") -> None:
        self._always[operation] = mode

    def heal(self) -> None:
        self._failures.clear()
        self._always.clear()

    def failure_for_next(self, operation: str) -> str | None:
        occurrence = self.calls.count(operation) + 1
        return self._failures.pop((operation, occurrence), None) or self._always.get(operation)

    # handling one call, with the lock held

    def handle(self, method: str, target: str, headers: Headers, body: bytes) -> tuple[int, Any]:
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
            return 400, {"title": "Invalid input.", "detail": _explain(checked.errors)}
        authorization = headers.get("Authorization", "")
        if not authorization.startswith("Token "):
            self.violations.append(f"{method} {split.path}: no Authorization: Token …")
        if authorization != f"Token {self.token}":
            return 401, {"title": "Ongeldige token.", "status": 401}
        self.authorizations.add(authorization)
        if method == "POST" and headers.get("Content-Type") != "application/json":
            self.violations.append(
                f"{method} {split.path}: Content-Type {headers.get('Content-Type')}"
            )
        handler = getattr(self, f"_{operation}", None)
        if handler is None:
            self.violations.append(f"{method} {split.path}: not an operation the fake knows")
            return 404, {"title": "Niet gevonden."}
        decoded = json.loads(body) if body else None
        if method == "POST":
            self.bodies.append((operation, decoded))
        status, answer = handler(params=params, query=query, body=decoded)
        if 200 <= status < 300:
            verdict = contract().unmarshal_response(
                request, RawResponse(status, json.dumps(answer).encode())
            )
            if verdict.errors:
                self.violations.append(f"answer to {operation}: {_explain(verdict.errors)}")
        return status, answer

    # the operations

    def _new(self, collection: str) -> tuple[str, str]:
        key = str(uuid.uuid4())
        return key, f"{self.api}/{collection}/{key}"

    def _maakKlantcontactCreate(self, *, body, **_):
        given = body["klantcontact"]
        key, url = self._new("klantcontacten")
        klantcontact = {
            "uuid": key,
            "url": url,
            "gingOverOnderwerpobjecten": [],
            "hadBetrokkenActoren": [],
            "omvatteBijlagen": [],
            "hadBetrokkenen": [],
            "leiddeTotInterneTaken": [],
            "nummer": f"{len(self.klantcontacten) + 1:010d}",
            "referentienummer": None,
            "kanaal": given["kanaal"],
            "onderwerp": given["onderwerp"],
            "inhoud": given.get("inhoud", ""),
            "reactie": given.get("reactie", ""),
            "indicatieContactGelukt": given.get("indicatieContactGelukt"),
            "verdereActieOndernomen": given.get("verdereActieOndernomen", False),
            "taal": given["taal"],
            "vertrouwelijk": given["vertrouwelijk"],
            "metadata": given.get("metadata", {}),
        }
        if "plaatsgevondenOp" in given:
            klantcontact["plaatsgevondenOp"] = given["plaatsgevondenOp"]
        self.klantcontacten[key] = klantcontact
        answer: dict[str, Any] = {"klantcontact": klantcontact}
        if body.get("betrokkene"):
            answer["betrokkene"] = self._betrokkene(klantcontact, body["betrokkene"])
        if body.get("onderwerpobject"):
            answer["onderwerpobject"] = self._onderwerpobject(klantcontact, body["onderwerpobject"])
        return 201, answer

    def _betrokkene(self, klantcontact: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
        key, url = self._new("betrokkenen")
        name = given.get("contactnaam") or {}
        betrokkene = {
            "uuid": key,
            "url": url,
            "hadKlantcontact": _ref(klantcontact),
            "digitaleAdressen": [],
            "volledigeNaam": " ".join(
                name[part]
                for part in ("voornaam", "voorvoegselAchternaam", "achternaam")
                if name.get(part)
            ),
            "rol": given["rol"],
            "organisatienaam": given.get("organisatienaam", ""),
            "initiator": given["initiator"],
        }
        if "contactnaam" in given:  # a nullable allOf: openapi-core checks it only when set
            betrokkene["contactnaam"] = given["contactnaam"]
        self.betrokkenen[key] = betrokkene
        klantcontact["hadBetrokkenen"].append(_ref(betrokkene))
        return betrokkene

    def _onderwerpobject(
        self, klantcontact: dict[str, Any], given: dict[str, Any]
    ) -> dict[str, Any]:
        key, url = self._new("onderwerpobjecten")
        onderwerpobject = {
            "uuid": key,
            "url": url,
            "klantcontact": _ref(klantcontact),
            "onderwerpobjectidentificator": given["onderwerpobjectidentificator"],
        }
        self.onderwerpobjecten[key] = onderwerpobject
        klantcontact["gingOverOnderwerpobjecten"].append(_ref(onderwerpobject))
        return onderwerpobject

    def _klantcontactenRetrieve(self, *, params, **_):
        found = self.klantcontacten.get(params["uuid"])
        return (200, found) if found else (404, {"title": "Niet gevonden."})

    def _page(self, items: list[dict[str, Any]]) -> dict[str, Any]:
        return {"count": len(items), "next": None, "previous": None, "results": items}

    def _onderwerpobjectenList(self, *, query, **_):
        filters = {
            name: query[f"onderwerpobjectidentificator{name[0].upper()}{name[1:]}"]
            for name in ("codeRegister", "codeObjecttype", "codeSoortObjectId", "objectId")
            if f"onderwerpobjectidentificator{name[0].upper()}{name[1:]}" in query
        }
        found = [
            item
            for item in self.onderwerpobjecten.values()
            if all(item["onderwerpobjectidentificator"].get(k) == v for k, v in filters.items())
        ]
        return 200, self._page(found)

    def _digitaleadressenCreate(self, *, body, **_):
        betrokkene = self.betrokkenen.get(str(body["verstrektDoorBetrokkene"]["uuid"]))
        if betrokkene is None:
            return 400, {"invalidParams": [{"name": "verstrektDoorBetrokkene", "reason": "?"}]}
        key, url = self._new("digitaleadressen")
        adres = {
            "uuid": key,
            "url": url,
            "verstrektDoorBetrokkene": _ref(betrokkene),
            "adres": body["adres"],
            "soortDigitaalAdres": body["soortDigitaalAdres"],
            "isStandaardAdres": body.get("isStandaardAdres", False),
            "omschrijving": body.get("omschrijving", ""),
            "verificatieDatum": None,
        }
        if body.get("referentie"):  # a pattern the empty text does not match
            adres["referentie"] = body["referentie"]
        self.digitale_adressen[key] = adres
        betrokkene["digitaleAdressen"].append(_ref(adres))
        return 201, adres

    def _digitaleadressenList(self, *, query, **_):
        wanted = query.get("verstrektDoorBetrokkene__uuid")
        found = [
            item
            for item in self.digitale_adressen.values()
            if wanted is None or item["verstrektDoorBetrokkene"]["uuid"] == wanted
        ]
        return 200, self._page(found)

    def _bijlagenCreate(self, *, body, **_):
        klantcontact = self.klantcontacten.get(str(body["wasBijlageVanKlantcontact"]["uuid"]))
        if klantcontact is None:
            return 400, {"invalidParams": [{"name": "wasBijlageVanKlantcontact", "reason": "?"}]}
        key, url = self._new("bijlagen")
        bijlage = {
            "uuid": key,
            "url": url,
            "wasBijlageVanKlantcontact": _ref(klantcontact),
            "bijlageidentificator": body["bijlageidentificator"],
        }
        self.bijlagen[key] = bijlage
        klantcontact["omvatteBijlagen"].append(_ref(bijlage))
        return 201, bijlage

    def _bijlagenList(self, *, query, **_):
        found = [
            item
            for item in self.bijlagen.values()
            if query.get("klantcontact__uuid") in (None, item["wasBijlageVanKlantcontact"]["uuid"])
            and query.get("bijlageidentificatorCodeRegister")
            in (None, item["bijlageidentificator"].get("codeRegister"))
            and query.get("bijlageidentificatorCodeObjecttype")
            in (None, item["bijlageidentificator"].get("codeObjecttype"))
        ]
        return 200, self._page(found)


def _explain(errors: list[Exception]) -> str:
    reasons = []
    for error in errors:
        inner = getattr(error.__cause__, "schema_errors", None) or []
        details = "; ".join(e.message for e in inner)
        reasons.append(f"{type(error).__name__}({details or error})")
    return ", ".join(reasons)


def _handler(fake: FakeOpenKlant) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
            pass

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = Headers(list(self.headers.items()))
            with fake._lock:
                path = urlsplit(self.path).path
                operation = next(
                    (n for v, p, n in ROUTES if v == self.command and p.match(path)), "unknown"
                )
                failure = fake.failure_for_next(operation)
                if failure == "drop":
                    fake.calls.append(operation)
                    self.close_connection = True
                    return
                if failure == "500":
                    fake.calls.append(operation)
                    self._answer(500, {"title": "Er is een serverfout opgetreden.", "status": 500})
                    return
                status, answer = fake.handle(self.command, self.path, headers, body)
            if failure == "lost":
                self.close_connection = True  # handled, but the client never hears it
                return
            self._answer(status, answer)

        def _answer(self, status: int, answer: Any) -> None:
            data = json.dumps(answer).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("API-version", "0.9.0")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except OSError:
                self.close_connection = True

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve  # noqa: N815

    return Handler
