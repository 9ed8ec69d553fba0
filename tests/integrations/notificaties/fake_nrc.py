"""A local stand-in for a Notificaties API (Open Notificaties): a real HTTP server on
127.0.0.1 that checks every request against Open Notificaties' published contract
(``tests/integrations/contracts/notificaties/openapi.yaml``, through openapi-core, its
``JWT-Claims`` security scheme included) and answers in the contract's shapes, checking its
own answers too (headers and error bodies included).

On top of the contract it does what Open Notificaties does: it checks the ZGW JWT (HS256
with the client's secret, the claims ``iss``, ``client_id``, ``iat``, ``user_id`` and
``user_representation``), refuses a notificatie on an unknown kanaal or with kenmerken that
do not fit the kanaal's filters, and, when told to, tries a new abonnement's callback
(a test notificatie with its ``auth`` value, then one without) before creating it. It can
deliver a notificatie to its abonnementen as the real one routes them.

It keeps what it was sent and can be told to fail: a call answered with 500, a connection
dropped before the call is handled, or an answer lost after it was handled. Whatever the
contract refuses lands in ``violations``; a test asserts that it stays empty.

The server, the failures and the contract checks are :mod:`tests.fakes`'s; this module holds
Open Notificaties' own: its JWT, its problem+json errors and its operations.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
import uuid
from functools import cache
from pathlib import Path
from typing import Any

import requests
from openapi_core import Config, OpenAPI

from tests.fakes import Answer, Call, ContractFake

CONTRACT = Path(__file__).parents[1] / "contracts" / "notificaties" / "openapi.yaml"
API = "/api/v1"
VERSION = "1.0.0"
TEST_NOTIFICATIE = {
    "kanaal": "test",
    "hoofdObject": "http://some.hoofdobject.nl/",
    "resource": "some_resource",
    "resourceUrl": "http://some.resource.nl/",
    "actie": "create",
    "aanmaakdatum": "2019-01-01T12:00:00Z",
    "kenmerken": {},
}

URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s]+")


def _is_uri(value: object) -> bool:
    """RFC 3986's absolute URI, roughly: a scheme, a colon, no white space. openapi-core
    has no checker of its own for ``format: uri`` (it would need rfc3987) and refuses to
    unmarshal a header of that format without one (its issue 515): the ``Location`` of a
    201."""
    return isinstance(value, str) and bool(URI.fullmatch(value))


@cache
def contract() -> OpenAPI:
    return OpenAPI.from_file_path(
        str(CONTRACT),
        config=Config(
            extra_format_validators={"uri": _is_uri},
            # Its errors are problem+json, which openapi-core would take as bytes.
            extra_media_type_deserializers={"application/problem+json": _json},
        ),
    )


def _json(value: bytes, **parameters: str) -> Any:
    return json.loads(value)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _fout(status: int, code: str, detail: str, invalid: list | None = None) -> dict[str, Any]:
    body = {
        "type": f"https://notificaties.example.nl/fouten/{code}",
        "code": code,
        "title": detail,
        "status": status,
        "detail": detail,
        "instance": f"urn:uuid:{uuid.uuid4()}",
    }
    if invalid is not None:
        body["invalidParams"] = invalid
    return body


def _invalid(name: str, code: str, reason: str) -> tuple[int, dict[str, Any]]:
    return 400, _fout(400, "invalid", "Invalid input.", [{"name": name, "code": code,
                                                           "reason": reason}])  # fmt: skip


class FakeNotificatiesApi(ContractFake):
    answer_headers = (("API-version", VERSION),)
    error_content_type = "application/problem+json"
    check_every_answer = True  # its error answers (problem+json) and headers too

    def __init__(self, client_id: str, secret: str, *, check_callbacks: bool = False) -> None:
        super().__init__()
        self.client_id = client_id
        self.secret = secret
        self.check_callbacks = check_callbacks
        self.root = self.url + API
        self.kanalen: dict[str, dict[str, Any]] = {}
        self.notificaties: list[dict[str, Any]] = []
        self.abonnementen: dict[str, dict[str, Any]] = {}  # uuid -> with its auth
        self.claims: list[dict[str, Any]] = []
        self.bodies: list[bytes] = []  # every request body, as it arrived
        self.callback_answers: list[tuple[str, int]] = []  # ("with auth"/"without", status)

    # what the real one does besides answering

    def deliver(self, notificatie: dict[str, Any]) -> list[int]:
        """Route a notificatie to the abonnementen on its kanaal, as Open Notificaties does;
        the callbacks' statuses."""
        statuses = []
        for abonnement in list(self.abonnementen.values()):
            if any(g["naam"] == notificatie["kanaal"] for g in abonnement["kanalen"]):
                statuses.append(
                    self._post_callback(abonnement["callbackUrl"], abonnement["auth"], notificatie)
                )
        return statuses

    def _post_callback(self, url: str, auth: str | None, body: dict[str, Any]) -> int:
        headers = {"Authorization": auth} if auth is not None else {}
        return requests.post(url, json=body, headers=headers, timeout=10).status_code

    # Open Notificaties' own

    def openapi(self) -> OpenAPI:
        return contract()

    def error(self, status: int, detail: str = "") -> Answer:
        if status == 400:
            return Answer(*_invalid("request", "invalid", detail))
        if status == 404:
            return Answer(404, _fout(404, "not_found", "Niet gevonden."))
        return Answer(status, _fout(status, "error", "Er is een interne fout opgetreden."))

    def respond(self, call: Call) -> Answer:
        self.bodies.append(call.body)
        return super().respond(call)

    def admit(self, call: Call) -> Answer | None:
        refusal = self._jwt_refusal(call.headers.get("Authorization", ""))
        return Answer(403, _fout(403, "permission_denied", refusal)) if refusal else None

    def complete(self, call: Call, answer: Answer) -> Answer:
        if answer.status == 201 and "url" in answer.body:
            answer.headers.add("Location", answer.body["url"])
        return super().complete(call, answer)

    def _jwt_refusal(self, authorization: str) -> str:
        """Why Open Notificaties would refuse this token; "" when it takes it."""
        _scheme, _, token = authorization.partition(" ")
        parts = token.split(".")
        if len(parts) != 3:
            return "Geen JWT."
        expected = hmac.new(
            self.secret.encode(), f"{parts[0]}.{parts[1]}".encode(), hashlib.sha256
        ).digest()
        if not hmac.compare_digest(_b64url(expected), parts[2]):
            return "De handtekening van het JWT klopt niet."
        header, claims = json.loads(_unb64url(parts[0])), json.loads(_unb64url(parts[1]))
        if header.get("alg") != "HS256" or claims.get("iss") != self.client_id:
            return "Onbekende client."
        if claims.get("client_id") != self.client_id or not isinstance(claims.get("iat"), int):
            return "Claims ontbreken."
        if abs(time.time() - claims["iat"]) > 300:
            return "Het JWT is verlopen."
        if not all(isinstance(claims.get(k), str) for k in ("user_id", "user_representation")):
            return "Audit-claims ontbreken."
        self.claims.append(claims)
        return ""

    # the operations

    def _kanaal_list(self, *, query, **_):
        found = [k for k in self.kanalen.values() if query.get("naam") in (None, k["naam"])]
        return 200, found

    def _kanaal_create(self, *, body, **_):
        if body["naam"] in self.kanalen:
            return _invalid("naam", "unique", "Kanaal met deze naam bestaat al.")
        key = str(uuid.uuid4())
        self.kanalen[body["naam"]] = {
            "url": f"{self.root}/kanaal/{key}",
            "naam": body["naam"],
            "filters": list(body.get("filters", [])),
        }
        if "documentatieLink" in body:
            self.kanalen[body["naam"]]["documentatieLink"] = body["documentatieLink"]
        return 201, self.kanalen[body["naam"]]

    def _notificaties_create(self, *, body, **_):
        kanaal = self.kanalen.get(body["kanaal"])
        if kanaal is None:
            return _invalid("kanaal", "message_kanaal", "Kanaal met deze naam bestaat niet.")
        names, filters = set(body.get("kenmerken", {})), set(kanaal["filters"])
        if not (filters <= names or filters >= names):
            return _invalid("kenmerken", "kenmerken_inconsistent", "Kenmerken passen niet.")
        message = {**body, "aanmaakdatum": body["aanmaakdatum"].isoformat()}
        self.notificaties.append(message)
        return 201, message

    def _abonnement_list(self, **_):
        return 200, [self._shown(a) for a in self.abonnementen.values()]

    def _abonnement_create(self, *, body, **_):
        for group in body.get("kanalen", []):
            if group["naam"] not in self.kanalen:
                return _invalid("naam", "kanaal_naam", "Kanaal met deze naam bestaat niet.")
        if self.check_callbacks and not self._callback_works(body["callbackUrl"], body["auth"]):
            return _invalid("callbackUrl", "invalid-callback-url", "Callback werkt niet.")
        key = str(uuid.uuid4())
        self.abonnementen[key] = {
            "url": f"{self.root}/abonnement/{key}",
            "callbackUrl": body["callbackUrl"],
            "auth": body["auth"],
            "kanalen": [
                {"naam": g["naam"], "filters": g.get("filters", {})}
                for g in body.get("kanalen", [])
            ],  # fmt: skip
        }
        return 201, self._shown(self.abonnementen[key])

    def _abonnement_delete(self, *, params, **_):
        if self.abonnementen.pop(params["uuid"], None) is None:
            return 404, _fout(404, "not_found", "Niet gevonden.")
        return 204, None

    def _shown(self, abonnement: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in abonnement.items() if k != "auth"}  # auth is writeOnly

    def _callback_works(self, url: str, auth: str) -> bool:
        with_auth = self._post_callback(url, auth, TEST_NOTIFICATIE)
        without = self._post_callback(url, None, TEST_NOTIFICATIE)
        self.callback_answers += [("with auth", with_auth), ("without", without)]
        return 200 <= with_auth <= 209 and without in (401, 403)
