"""The ZGW JWT: HS256 over the compact serialisation, checked against RFC 7515's example."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

from balie.integrations.notificaties.jwt import encode_hs256, zgw_token

# RFC 7515, appendix A.1 (also RFC 7519, section 3.1): the octets of header and payload as
# the RFC gives them (with CR LF and spaces), the key from its JWK, the resulting JWS.
RFC_HEADER = b'{"typ":"JWT",\r\n "alg":"HS256"}'
RFC_PAYLOAD = b'{"iss":"joe",\r\n "exp":1300819380,\r\n "http://example.com/is_root":true}'
RFC_KEY = "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"
RFC_JWS = (
    "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9"
    ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
    ".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
)


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def test_the_rfc_7515_example_is_reproduced_exactly():
    assert encode_hs256(RFC_HEADER, RFC_PAYLOAD, _unb64(RFC_KEY)) == RFC_JWS


def test_a_zgw_token_carries_the_claims_the_standard_names():
    token = zgw_token(
        "balie-utrecht", "geheim", user_id="balie:admin_ada", user_representation="Ada",
        issued_at=1_800_000_000,
    )  # fmt: skip
    header, payload, signature = token.split(".")
    assert json.loads(_unb64(header)) == {"alg": "HS256", "typ": "JWT"}
    assert json.loads(_unb64(payload)) == {
        "iss": "balie-utrecht",
        "iat": 1_800_000_000,
        "client_id": "balie-utrecht",
        "user_id": "balie:admin_ada",
        "user_representation": "Ada",
    }
    expected = hmac.new(b"geheim", f"{header}.{payload}".encode(), hashlib.sha256).digest()
    assert _unb64(signature) == expected
    assert "=" not in token and "geheim" not in token


def test_the_secret_is_signed_with_as_utf8_and_names_survive_unicode():
    token = zgw_token("c", "sécret", user_id="u", user_representation="Zoë")
    header, payload, signature = token.split(".")
    expected = hmac.new("sécret".encode(), f"{header}.{payload}".encode(), hashlib.sha256)
    assert _unb64(signature) == expected.digest()
    assert json.loads(_unb64(payload))["user_representation"] == "Zoë"
