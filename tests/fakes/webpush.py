"""A local Web Push service for the tests: what FCM or Mozilla's autopush are to a browser,
over real HTTP on 127.0.0.1 (:class:`tests.fakes.server.FakeServer`).

The test plays the browser: :meth:`FakePushService.subscribe` makes a subscription the way a
browser does (a P-256 key pair and a 16-byte auth secret; the private key stays here) and
returns what ``PushSubscription.toJSON()`` would give. Every push to ``/push/<id>`` is held
to the protocol, and what breaks it is a ``violation`` (a test asserts none):

- RFC 8030: POST, a ``TTL`` header (a whole number), ``Urgency`` one of its four values,
  ``Topic`` at most 32 base64url characters;
- RFC 8292 (VAPID): ``Authorization: vapid t=<JWT>, k=<key>``; ``k`` is the installation's
  public key (the one the subscription was made with); the JWT is ES256 (its signature checked
  with that key), ``aud`` is the origin of the endpoint, ``exp`` in the future and at most
  24 hours away, ``sub`` a ``mailto:`` or ``https:`` address;
- RFC 8291 / RFC 8188: ``Content-Encoding: aes128gcm``, the body decrypted with the
  subscription's private key and auth secret (ECDH, the two HKDFs, AES-128-GCM per record,
  the padding delimiter).

The decrypted payloads are kept per subscription (``received``), to be checked and handed
to a browser's service worker. :meth:`answer` makes a subscription's pushes answer with
another status (410: the browser unsubscribed).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from werkzeug.datastructures import Headers

from tests.fakes.server import Answer, Call, FakeServer

URGENCIES = ("very-low", "low", "normal", "high")
DAY = 24 * 3600


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _point(key: ec.EllipticCurvePublicKey) -> bytes:
    return key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )


def _hkdf_expand(prk: bytes, info: bytes, length: int) -> bytes:
    return hmac.new(prk, info + b"\x01", hashlib.sha256).digest()[:length]


@dataclass
class Browser:
    """One subscription as the browser holds it."""

    id: str
    private_key: ec.EllipticCurvePrivateKey
    auth: bytes
    application_server_key: str
    status: int = 201
    received: list[dict[str, Any]] = field(default_factory=list)
    raw: list[bytes] = field(default_factory=list)  # the decrypted bytes, as a worker gets them

    @property
    def public(self) -> bytes:
        return _point(self.private_key.public_key())


class FakePushService(FakeServer):
    def __init__(self) -> None:
        super().__init__()
        self.browsers: dict[str, Browser] = {}

    # the browser's side

    def subscribe(self, application_server_key: str) -> dict[str, Any]:
        """A new subscription, as ``PushSubscription.toJSON()`` gives it to the page."""
        browser = Browser(
            id=secrets.token_urlsafe(12),
            private_key=ec.generate_private_key(ec.SECP256R1()),
            auth=secrets.token_bytes(16),
            application_server_key=application_server_key,
        )
        self.browsers[browser.id] = browser
        return {
            "endpoint": self.endpoint(browser.id),
            "expirationTime": None,
            "keys": {"p256dh": b64url(browser.public), "auth": b64url(browser.auth)},
        }

    def endpoint(self, browser_id: str) -> str:
        return f"{self.url}/push/{browser_id}"

    def browser(self, endpoint: str) -> Browser:
        return self.browsers[endpoint.rsplit("/", 1)[1]]

    def answer(self, endpoint: str, status: int) -> None:
        self.browser(endpoint).status = status

    @property
    def payloads(self) -> list[dict[str, Any]]:
        return [payload for browser in self.browsers.values() for payload in browser.received]

    # the API

    def route(self, method: str, path: str) -> tuple[str, dict[str, str]]:
        found = re.fullmatch(r"/push/([A-Za-z0-9_-]+)", path)
        if method == "POST" and found:
            return "push", {"id": found.group(1)}
        return "unknown", {}

    def error(self, status: int, detail: str = "") -> Answer:
        return Answer(status, {"code": status, "errno": 999, "error": detail or "error"})

    def respond(self, call: Call) -> Answer:
        if call.operation != "push":
            self.violations.append(f"{call.method} {call.path}: no such operation")
            return self.error(404)
        browser = self.browsers.get(call.params["id"])
        if browser is None:
            return self.error(404, "no such subscription")
        problems = self._check_headers(call, browser)
        if not problems:
            try:
                plain = self._decrypt(call.body, browser)
            except (ValueError, InvalidTag) as failure:
                problems.append(f"payload does not decrypt: {failure}")
            else:
                browser.raw.append(plain)
                try:
                    browser.received.append(json.loads(plain))
                except ValueError:
                    problems.append("payload is not JSON")
        if problems:
            self.violations += problems
            return self.error(400, "; ".join(problems))
        if browser.status >= 300:
            return self.error(browser.status)
        return Answer(browser.status, None, headers=_location(call))

    # RFC 8030 and RFC 8292

    def _check_headers(self, call: Call, browser: Browser) -> list[str]:
        problems = []
        ttl = call.headers.get("TTL", "")
        if not ttl.isdigit():
            problems.append(f"TTL must be a whole number, not {ttl!r}")
        urgency = call.headers.get("Urgency")
        if urgency is not None and urgency not in URGENCIES:
            problems.append(f"Urgency {urgency!r} is not one of {URGENCIES}")
        topic = call.headers.get("Topic")
        if topic is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,32}", topic):
            problems.append(f"Topic {topic!r} is not 1-32 base64url characters")
        if call.headers.get("Content-Encoding") != "aes128gcm":
            problems.append("Content-Encoding must be aes128gcm")
        problems += self._check_vapid(call.headers.get("Authorization", ""), browser)
        return problems

    def _check_vapid(self, header: str, browser: Browser) -> list[str]:
        found = re.fullmatch(r"vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)", header.strip())
        if not found:
            return [f"Authorization is not 'vapid t=…, k=…': {header[:40]!r}"]
        token, key = found.groups()
        if key != browser.application_server_key:
            return ["k is not the key the subscription was made with"]
        try:
            head_b64, claims_b64, signature_b64 = token.split(".")
            head = json.loads(unb64url(head_b64))
            claims = json.loads(unb64url(claims_b64))
            signature = unb64url(signature_b64)
        except ValueError:
            return ["the JWT is not three base64url JSON parts"]
        problems = []
        if head.get("alg") != "ES256" or head.get("typ", "JWT") != "JWT":
            problems.append(f"JWT header {head!r} is not ES256")
        public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(key))
        if len(signature) != 64:
            problems.append("ES256 signature must be 64 bytes (r || s)")
        else:
            der = encode_dss_signature(
                int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
            )
            try:
                public.verify(der, f"{head_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
            except InvalidSignature:
                problems.append("the JWT's signature does not verify with k")
        if claims.get("aud") != self.url:
            problems.append(f"aud {claims.get('aud')!r} is not the endpoint's origin")
        exp = claims.get("exp")
        now = time.time()
        if not isinstance(exp, int) or not now < exp <= now + DAY:
            problems.append(f"exp {exp!r} is not within the next 24 hours")
        sub = claims.get("sub")
        if not isinstance(sub, str) or not sub.startswith(("mailto:", "https:")):
            problems.append(f"sub {sub!r} is not a mailto: or https: address")
        return problems

    # RFC 8291 and RFC 8188

    @staticmethod
    def _decrypt(body: bytes, browser: Browser) -> bytes:
        if len(body) < 21:
            raise ValueError("shorter than the aes128gcm header")
        salt, record_size, id_length = body[:16], int.from_bytes(body[16:20], "big"), body[20]
        sender = body[21 : 21 + id_length]
        if id_length != 65 or sender[:1] != b"\x04":
            raise ValueError("keyid is not the sender's P-256 public key")
        if record_size < 18:
            raise ValueError("record size below 18")
        sender_key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), sender)
        shared = browser.private_key.exchange(ec.ECDH(), sender_key)
        # RFC 8291 section 3.4: the input keying material from the auth secret
        prk_key = hmac.new(browser.auth, shared, hashlib.sha256).digest()
        ikm = _hkdf_expand(prk_key, b"WebPush: info\x00" + browser.public + sender, 32)
        # RFC 8188 section 2.2 and 2.3: the content encryption key and the nonce
        prk = hmac.new(salt, ikm, hashlib.sha256).digest()
        cek = _hkdf_expand(prk, b"Content-Encoding: aes128gcm\x00", 16)
        base_nonce = _hkdf_expand(prk, b"Content-Encoding: nonce\x00", 12)
        records = body[21 + id_length :]
        plain = b""
        for index, start in enumerate(range(0, len(records), record_size)):
            nonce = (int.from_bytes(base_nonce, "big") ^ index).to_bytes(12, "big")
            chunk = AESGCM(cek).decrypt(nonce, records[start : start + record_size], None)
            last = start + record_size >= len(records)
            unpadded = chunk.rstrip(b"\x00")
            if not unpadded or unpadded[-1:] != (b"\x02" if last else b"\x01"):
                raise ValueError("padding delimiter missing")
            plain += unpadded[:-1]
        return plain


def _location(call: Call) -> Headers:
    return Headers([("Location", f"{call.path}/messages/{secrets.token_hex(4)}")])
