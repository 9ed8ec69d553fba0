"""One attempt at POSTing a CloudEvent to a receiver.

Structured mode (``Content-Type: application/cloudevents+json; charset=utf-8``: the whole
event is the body), signed (``signing``), with timeouts (a session of ``balie.conf.http``
with its own User-Agent), through no proxy, following no redirect, and connected to exactly
the address that was checked (``addresses.resolve``): a host name is looked up once per
attempt, every address it has is checked, and the connection goes to the first, with the
name still used for the ``Host`` header, TLS's SNI and the certificate check.

The answer decides: a 2xx is delivered; 408, 429, a 5xx, a timeout or no connection may pass
and is tried again later; anything else (another 4xx, a redirect, an address that is not
allowed) fails at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import requests
from django.utils import timezone

from balie.conf import http
from balie.conf.addresses import PinnedAdapter
from balie.integrations.webhooks.addresses import AddressRefused, Target, resolve
from balie.integrations.webhooks.signing import signed_headers

__all__ = ["TIMEOUT", "Outcome", "post"]

TIMEOUT = (5.0, 15.0)  # seconds to connect, seconds between bytes of the answer
USER_AGENT = "Balie-Webhooks/1"
CONTENT_TYPE = "application/cloudevents+json; charset=utf-8"
DETAIL_LIMIT = 200
RETRY_STATUSES = frozenset({408, 429})
VERIFY: bool | str = True  # TLS certificates checked against the system's trusted roots
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]+")


@dataclass(frozen=True)
class Outcome:
    """What an attempt came to: ``code`` is empty when delivered; ``detail`` is short and
    never holds the body or a secret."""

    delivered: bool
    status: int | None = None
    code: str = ""
    detail: str = ""
    retryable: bool = False
    retry_after: int | None = None


def post(url: str, body: bytes, secrets: list[str]) -> Outcome:
    """One attempt: POST ``body`` to ``url``, signed with ``secrets`` (the current first)."""
    try:
        target = resolve(url)
    except AddressRefused as refused:
        return Outcome(False, code="address_refused", detail=str(refused.params["address"]))
    except (OSError, UnicodeError):
        return Outcome(False, code="unreachable", detail="dns", retryable=True)
    timestamp = int(timezone.now().timestamp())
    headers = {
        "Content-Type": CONTENT_TYPE,
        "Host": _host_header(target),
        **signed_headers(secrets, timestamp, body),
    }
    # No proxy from the environment: the checked address is the one connected to.
    session = http.session(timeout=TIMEOUT, user_agent=USER_AGENT, trust_env=False)
    adapter = PinnedAdapter(target.address)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    try:
        with (
            session,
            session.post(
                url,
                data=body,
                headers=headers,
                allow_redirects=False,
                stream=True,
                verify=VERIFY,
            ) as response,
        ):
            status, detail = response.status_code, _detail(response)
            retry_after = _retry_after(response.headers.get("Retry-After", ""))
    except requests.Timeout:
        return Outcome(False, code="timeout", retryable=True)
    except requests.exceptions.SSLError:  # its certificate, for one, may be renewed
        return Outcome(False, code="tls", retryable=True)
    except requests.RequestException as error:
        # The exception's name only: its text may hold the address with its query.
        return Outcome(False, code="unreachable", detail=type(error).__name__, retryable=True)
    if 200 <= status < 300:
        return Outcome(True, status=status)
    return Outcome(
        False,
        status=status,
        code="redirect" if 300 <= status < 400 else "refused",
        detail=detail,
        retryable=status in RETRY_STATUSES or status >= 500,
        retry_after=retry_after,
    )


def _host_header(target: Target) -> str:
    host = f"[{target.host}]" if ":" in target.host else target.host
    default = 443 if target.scheme == "https" else 80
    return host if target.port == default else f"{host}:{target.port}"


def _detail(response: requests.Response) -> str:
    """The start of the receiver's answer, as plain text on one line."""
    try:
        start = next(response.iter_content(DETAIL_LIMIT * 4), b"")
    except requests.RequestException:
        return ""
    text = start.decode("utf-8", "replace") if isinstance(start, bytes) else str(start)
    return CONTROL.sub(" ", text).strip()[:DETAIL_LIMIT]


def _retry_after(value: str) -> int | None:
    value = value.strip()
    return int(value) if value.isdigit() and len(value) < 9 else None
