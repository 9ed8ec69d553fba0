"""A local OpenID Connect provider for the tests: discovery, JWKS, the authorisation
endpoint (the test chooses who logs in), the token endpoint and userinfo, over real HTTP on
127.0.0.1 (:class:`tests.fakes.server.FakeServer`).

Every request is held to OpenID Connect Core 1.0 and RFC 6749/7636: the authorisation
request's required parameters (``response_type=code``, ``scope`` with ``openid``, a known
``client_id``, a registered ``redirect_uri``, ``state``; and the ``nonce`` and S256 PKCE
challenge Balie always sends; ``acr_values``, when sent, a space-separated list, recorded in
``acr_requests``), the token request's client authentication (Basic or in the
body), grant type, single-use code, same ``redirect_uri`` and ``code_verifier``; userinfo's
bearer token. What breaks the contract is a ``violation`` (a test asserts none) and gets the
OAuth error answer.

ID tokens are RS256, signed with ``cryptography``. :meth:`FakeOidc.login` says who logs in
next and, with ``tamper``, what is wrong with the token: ``signature`` (signed with another
key under the published key id), ``audience``, ``issuer``, ``expired`` or ``nonce``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from werkzeug.datastructures import Headers

from tests.fakes.server import Answer, Call, FakeServer

TAMPERING = ("signature", "audience", "issuer", "expired", "nonce")
# DigiD's levels as the brokers pass them on (SAML authentication context classes), lowest
# first: basis, midden, substantieel, hoog. A login's ``acr`` is a claim the test gives.
DIGID_ACR = (
    "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport",
    "urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract",
    "urn:oasis:names:tc:SAML:2.0:ac:classes:Smartcard",
    "urn:oasis:names:tc:SAML:2.0:ac:classes:SmartcardPKI",
)
ROUTES = {
    ("GET", "/.well-known/openid-configuration"): "discovery",
    ("GET", "/jwks"): "jwks",
    ("GET", "/authorize"): "authorize",
    ("POST", "/token"): "token",
    ("GET", "/userinfo"): "userinfo",
}


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _uint(number: int) -> str:
    return b64url(number.to_bytes((number.bit_length() + 7) // 8, "big"))


@dataclass
class Login:
    """Who logs in next: their claims (``sub`` and whatever the test adds), and a tamper."""

    claims: dict[str, Any]
    tamper: str | None = None


@dataclass
class Grant:
    client_id: str
    redirect_uri: str
    nonce: str
    challenge: str
    login: Login
    used: bool = False


@dataclass
class Client:
    secret: str
    redirect_uris: list[str]


class FakeOidc(FakeServer):
    def __init__(self) -> None:
        super().__init__()
        self.clients: dict[str, Client] = {}
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = "balie-test-1"
        self.next_login: Login | None = None
        self.grants: dict[str, Grant] = {}
        self.access_tokens: dict[str, dict[str, Any]] = {}
        self.token_auth: list[str] = []  # how each token request authenticated
        self.acr_requests: list[str] = []  # each authorisation request's acr_values ("": none)

    @property
    def issuer(self) -> str:
        return self.url

    def add_client(self, client_id: str, secret: str, redirect_uri: str) -> None:
        self.clients[client_id] = Client(secret, [redirect_uri])

    def login(self, sub: str, tamper: str | None = None, **claims: Any) -> None:
        if tamper is not None and tamper not in TAMPERING:
            raise ValueError(f"tamper is one of {TAMPERING}")
        self.next_login = Login({"sub": sub, **claims}, tamper)

    # --- FakeServer ---------------------------------------------------------------------

    def route(self, method: str, path: str) -> tuple[str, dict[str, str]]:
        return ROUTES.get((method, path), "unknown"), {}

    def error(self, status: int, detail: str = "") -> Answer:
        code = {400: "invalid_request", 401: "invalid_client"}.get(status, "server_error")
        return Answer(status, {"error": code, "error_description": detail})

    def respond(self, call: Call) -> Answer:
        handler = getattr(self, f"_{call.operation}", None)
        if handler is None:
            return self._violation(call, 404, "not an endpoint of this provider")
        return handler(call)

    def _violation(self, call: Call, status: int, reason: str, code: str = "") -> Answer:
        self.violations.append(f"{call.method} {call.path}: {reason}")
        answer = self.error(status, reason)
        if code:
            answer.body["error"] = code
        return answer

    # --- endpoints ----------------------------------------------------------------------

    def _discovery(self, call: Call) -> Answer:
        return Answer(
            200,
            {
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.url}/authorize",
                "token_endpoint": f"{self.url}/token",
                "userinfo_endpoint": f"{self.url}/userinfo",
                "jwks_uri": f"{self.url}/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "scopes_supported": ["openid", "profile", "email"],
                "token_endpoint_auth_methods_supported": [
                    "client_secret_basic",
                    "client_secret_post",
                ],
                "code_challenge_methods_supported": ["S256"],
                "claims_supported": ["sub", "iss", "aud", "exp", "iat", "nonce", "amr", "acr"],
                "acr_values_supported": list(DIGID_ACR),
            },
        )

    def _jwks(self, call: Call) -> Answer:
        public = self.key.public_key().public_numbers()
        jwk = {"kty": "RSA", "use": "sig", "alg": "RS256", "kid": self.kid}
        return Answer(200, {"keys": [{**jwk, "n": _uint(public.n), "e": _uint(public.e)}]})

    def _authorize(self, call: Call) -> Answer:
        query = call.query
        for name in ("response_type", "scope", "client_id", "redirect_uri", "state", "nonce"):
            if not query.get(name):
                return self._violation(call, 400, f"{name} missing")
        if query["response_type"] != "code":
            return self._violation(call, 400, "response_type must be code")
        if "openid" not in query["scope"].split():
            return self._violation(call, 400, "scope without openid")
        client = self.clients.get(query["client_id"])
        if client is None or query["redirect_uri"] not in client.redirect_uris:
            return self._violation(call, 400, "unknown client or redirect_uri")
        if query.get("code_challenge_method") != "S256" or not query.get("code_challenge"):
            return self._violation(call, 400, "no S256 PKCE challenge")
        acr_values = query.get("acr_values", "")
        if "acr_values" in query and not all(acr_values.split(" ")):
            return self._violation(call, 400, "acr_values is not a space-separated list")
        self.acr_requests.append(acr_values)
        if self.next_login is None:
            return self._violation(call, 400, "the test said nobody logs in")
        code = secrets.token_urlsafe(24)
        self.grants[code] = Grant(
            query["client_id"],
            query["redirect_uri"],
            query["nonce"],
            query["code_challenge"],
            self.next_login,
        )
        target = query["redirect_uri"] + "?" + urlencode({"code": code, "state": query["state"]})
        return Answer(302, None, headers=Headers([("Location", target)]))

    def _client_of(self, call: Call, form: dict[str, str]) -> tuple[str, str] | None:
        authorization = call.headers.get("Authorization", "")
        if authorization.startswith("Basic "):
            raw = base64.b64decode(authorization[6:]).decode()
            client_id, _sep, secret = raw.partition(":")
            self.token_auth.append("basic")
            return client_id, secret
        if form.get("client_id") and form.get("client_secret"):
            self.token_auth.append("post")
            return form["client_id"], form["client_secret"]
        return None

    def _token(self, call: Call) -> Answer:
        if not call.headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded"):
            return self._violation(call, 400, "token request not form-encoded")
        form = dict(parse_qsl(call.body.decode(), keep_blank_values=True))
        credentials = self._client_of(call, form)
        if credentials is None:
            return self._violation(call, 401, "no client authentication", "invalid_client")
        client = self.clients.get(credentials[0])
        if client is None or client.secret != credentials[1]:
            return Answer(401, {"error": "invalid_client"})
        if form.get("grant_type") != "authorization_code":
            return self._violation(call, 400, "grant_type", "unsupported_grant_type")
        grant = self.grants.get(form.get("code", ""))
        if grant is None or grant.used or grant.client_id != credentials[0]:
            return Answer(400, {"error": "invalid_grant"})
        grant.used = True
        if form.get("redirect_uri") != grant.redirect_uri:
            return self._violation(call, 400, "redirect_uri differs", "invalid_grant")
        verifier = form.get("code_verifier", "")
        if b64url(hashlib.sha256(verifier.encode()).digest()) != grant.challenge:
            return self._violation(call, 400, "code_verifier does not match", "invalid_grant")
        access = secrets.token_urlsafe(24)
        self.access_tokens[access] = grant.login.claims
        return Answer(
            200,
            {
                "access_token": access,
                "token_type": "Bearer",
                "expires_in": 300,
                "id_token": self.id_token(grant),
            },
            headers=Headers([("Cache-Control", "no-store")]),
        )

    def _userinfo(self, call: Call) -> Answer:
        authorization = call.headers.get("Authorization", "")
        claims = self.access_tokens.get(authorization.removeprefix("Bearer "))
        if not authorization.startswith("Bearer ") or claims is None:
            return Answer(401, {"error": "invalid_token"})
        return Answer(200, claims)

    # --- tokens -------------------------------------------------------------------------

    def id_token(self, grant: Grant) -> str:
        now = int(time.time())
        tamper = grant.login.tamper
        payload = {
            "iss": "https://evil.example" if tamper == "issuer" else self.issuer,
            "aud": "someone-else" if tamper == "audience" else grant.client_id,
            "iat": now - (7200 if tamper == "expired" else 0),
            "exp": now - 3600 if tamper == "expired" else now + 300,
            "auth_time": now,
            "nonce": "not-the-nonce" if tamper == "nonce" else grant.nonce,
            **grant.login.claims,
        }
        key = self.other_key if tamper == "signature" else self.key
        return self.sign(payload, key)

    def sign(self, payload: dict[str, Any], key: rsa.RSAPrivateKey | None = None) -> str:
        header = {"alg": "RS256", "typ": "JWT", "kid": self.kid}
        signing_input = ".".join(
            b64url(json.dumps(part, separators=(",", ":")).encode()) for part in (header, payload)
        ).encode()
        signature = (key or self.key).sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
        return f"{signing_input.decode()}.{b64url(signature)}"
