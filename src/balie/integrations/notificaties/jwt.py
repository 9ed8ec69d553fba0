"""The JSON Web Token a ZGW API expects in ``Authorization: Bearer …``: HS256 (HMAC-SHA256,
RFC 7518 section 3.2) over the compact serialisation of RFC 7515, with the claims the ZGW
standards name (``iss`` and ``client_id`` the client id, ``iat``, ``user_id`` and
``user_representation`` for the receiver's audit trail).

Only signing: Balie never has to read such a token. A new token is made for every call, so
its ``iat`` is always fresh.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

__all__ = ["encode_hs256", "zgw_token"]

HEADER = {"alg": "HS256", "typ": "JWT"}


def _b64url(data: bytes) -> str:
    """Base64url without padding (RFC 7515 section 2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def encode_hs256(header: bytes, payload: bytes, key: bytes) -> str:
    """The compact JWS of the given header and payload octets, signed with ``key``."""
    signing_input = f"{_b64url(header)}.{_b64url(payload)}".encode("ascii")
    signature = hmac.new(key, signing_input, hashlib.sha256).digest()
    return f"{signing_input.decode('ascii')}.{_b64url(signature)}"


def _json(value: dict) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def zgw_token(
    client_id: str,
    secret: str,
    *,
    user_id: str,
    user_representation: str,
    issued_at: int | None = None,
) -> str:
    """A token for ``client_id``, signed with ``secret`` (its UTF-8 octets)."""
    claims = {
        "iss": client_id,
        "iat": int(time.time()) if issued_at is None else issued_at,
        "client_id": client_id,
        "user_id": user_id,
        "user_representation": user_representation,
    }
    return encode_hs256(_json(HEADER), _json(claims), secret.encode("utf-8"))
