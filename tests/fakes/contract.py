"""A fake that holds every request, and its own answers, to the API's published OpenAPI
contract, through openapi-core: what the fakes of contract-described APIs share.

A subclass gives :meth:`ContractFake.openapi` (the vendored contract, loaded once), its
:meth:`~tests.fakes.server.FakeServer.error` answers, and a method ``_<operationId>`` per
operation it serves. A request is the operation whose path and method it matches in the
contract (:func:`routes_of`), and :meth:`ContractFake.respond` does, for each call:

1. the request against the contract (path, parameters, headers, security, body); what the
   contract refuses is a violation, answered with the API's 400;
2. :meth:`ContractFake.admit`: what the API checks besides, such as the token;
3. the operation's method, which gets ``params`` (from the path), ``query``, ``body`` (as the
   contract unmarshalled it), ``raw`` (the bytes) and ``headers``, and returns ``(status,
   answer)`` or ``(status, answer, content type)``; an operation without a method is a
   violation too, answered with the API's 404;

and :meth:`ContractFake.complete` holds the answer to the contract: an answer the contract
does not describe is a violation as well.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any, ClassVar
from urllib.parse import urlsplit

from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers

from tests.fakes.server import Answer, Call, FakeServer


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
    headers: Headers = dataclasses.field(default_factory=Headers)


def explain(errors: Iterable[Exception]) -> str:
    """openapi-core's errors as one line, with the schema's own reasons where it has them."""
    reasons = []
    for error in errors:
        inner = getattr(error.__cause__, "schema_errors", None) or []
        details = "; ".join(e.message for e in inner)
        reasons.append(f"{type(error).__name__}({details or error})")
    return ", ".join(reasons)


PARAMETER = re.compile(r"\{([^}/]+)\}")  # {uuid} in a path template


@cache
def routes_of(spec: OpenAPI) -> list[tuple[str, re.Pattern[str], str]]:
    """The contract's operations as routes, ``(method, pattern, operationId)``, under the
    path of its first server; literal paths before templated ones, as a router tries them.
    A template's ``{name}`` is the call's ``params[name]``."""
    found = []
    with spec.spec.open() as contents:
        servers = contents.get("servers") or [{"url": ""}]
        base = urlsplit(servers[0]["url"]).path.rstrip("/")
        for template, item in contents["paths"].items():
            for method, operation in item.items():
                if isinstance(operation, dict) and "operationId" in operation:
                    found.append((method.upper(), base + template, operation["operationId"]))
    found.sort(key=lambda route: len(PARAMETER.findall(route[1])))
    return [(method, _pattern(template), name) for method, template, name in found]


def _pattern(template: str) -> re.Pattern[str]:
    pieces = PARAMETER.split(template)  # text, name, text, name, …, text
    return re.compile(
        "^"
        + "".join(
            f"(?P<{re.sub(r'[^0-9A-Za-z_]', '_', piece)}>[^/]+)" if i % 2 else re.escape(piece)
            for i, piece in enumerate(pieces)
        )
        + "$"
    )


class ContractFake(FakeServer):
    token_scheme: ClassVar[str] = ""  # "Token", "Bearer": how the default admit() checks
    server_url: ClassVar[str] = ""  # the contract's server, when paths are checked under it
    check_every_answer: ClassVar[bool] = False  # errors too, not only 2xx JSON

    def __init__(self, token: str = "") -> None:
        super().__init__()
        self.token = token
        self.authorizations: set[str] = set()  # every Authorization the fake accepted

    def openapi(self) -> OpenAPI | None:
        """The contract, or None to check nothing (a benchmark's fake)."""
        raise NotImplementedError

    def route(self, method: str, path: str) -> tuple[str, dict[str, str]]:
        """The contract's operation (its operationId) of this path and method."""
        spec = self.openapi()
        for verb, pattern, operation in routes_of(spec) if spec is not None else ():
            match = pattern.match(path)
            if verb == method and match:
                return operation, match.groupdict()
        return "unknown", {}

    def openapi_request(self, call: Call) -> RawRequest:
        return RawRequest(
            host_url=self.server_url or self.url,
            path=call.path,
            method=call.method.lower(),
            body=call.body or None,
            content_type=call.headers.get("Content-Type", ""),
            parameters=RequestParameters(query=call.query, header=call.headers),
        )

    def admit(self, call: Call) -> Answer | None:
        """What the API checks besides the contract, before the operation: an answer refuses
        the call. By default the token, as ``{token_scheme} {token}``."""
        if not self.token_scheme:
            return None
        authorization = call.headers.get("Authorization", "")
        if authorization != f"{self.token_scheme} {self.token}":
            return self.error(401)
        self.authorizations.add(authorization)
        return None

    def body_of(self, call: Call, checked: Any) -> Any:
        """The ``body`` an operation gets: as the contract unmarshalled it."""
        return checked.body if checked is not None else None

    def respond(self, call: Call) -> Answer:
        spec = self.openapi()
        checked = None
        if spec is not None:
            checked = spec.unmarshal_request(self.openapi_request(call))
            if checked.errors:
                reason = explain(checked.errors)
                self.violations.append(f"{call.method} {call.path}: {reason}")
                return self.error(400, reason)
        refusal = self.admit(call)
        if refusal is not None:
            return refusal
        operation = getattr(self, f"_{call.operation}", None)
        if operation is None:
            self.violations.append(f"{call.method} {call.path}: not an operation the fake knows")
            return self.error(404)
        return Answer(
            *operation(
                params=call.params, query=call.query, body=self.body_of(call, checked),
                raw=call.body, headers=call.headers,
            )
        )  # fmt: skip

    def complete(self, call: Call, answer: Answer) -> Answer:
        answer = super().complete(call, answer)
        spec = self.openapi()
        if spec is not None and (self.check_every_answer or _success(answer)):
            response = RawResponse(
                answer.status, answer.data, (answer.content_type or "") if answer.data else "",
                answer.headers,
            )  # fmt: skip
            verdict = spec.unmarshal_response(self.openapi_request(call), response)
            if verdict.errors:
                self.violations.append(
                    f"answer {answer.status} to {call.operation}: {explain(verdict.errors)}"
                )
        return answer


def _success(answer: Answer) -> bool:
    return (
        200 <= answer.status < 300
        and answer.body is not None
        and answer.content_type == "application/json"
    )
