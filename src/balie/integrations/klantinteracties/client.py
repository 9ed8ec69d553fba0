"""A client for an organisation's Klantinteracties API (Open Klant 2.x), as far as
registering a conversation needs it: ``/maak-klantcontact`` (a klantcontact with its
betrokkene and onderwerpobject in one call), ``/klantcontacten/{uuid}``,
``/onderwerpobjecten``, ``/digitaleadressen`` and ``/bijlagen``. The contract is Open Klant's
own ``openapi.yaml``, vendored in ``tests/integrations/contracts/open-klant/`` with the
commit it came from.

Every call sends ``Authorization: Token …``, has a timeout, and follows no redirect. A next
page is followed only when its address lies inside the configured API: the token never goes
anywhere else. A failure is an :class:`OpenKlantError` with the remote status (if it
answered), a short text and whether trying again may help.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import SplitResult, urlsplit

import requests
from django.utils.translation import gettext_lazy as _

from balie.errors import Conflict

__all__ = ["TIMEOUT", "OpenKlant", "OpenKlantError", "Reference", "reference"]

TIMEOUT = (10.0, 30.0)  # seconds to connect, seconds between bytes of the answer
MAX_PAGES = 10
PAGE_SIZE = 100
DETAIL_LIMIT = 300
RETRYABLE_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
DEFAULT_PORTS = {"http": 80, "https": 443}

MESSAGES = {
    "openklant_unreachable": _("Open Klant could not be reached (%(detail)s)."),
    "openklant_refused": _("Open Klant answered with status %(status)s: %(detail)s"),
    "openklant_answer": _("Open Klant's answer was not understood (%(detail)s)."),
    "openklant_address": _("Open Klant pointed to an address outside its API."),
}


class OpenKlantError(Conflict):
    """Open Klant failed or refused a call: ``remote_status`` is its HTTP status (None when
    it did not answer), ``remote_detail`` its own short text, ``retryable`` whether a later
    attempt may succeed (no answer, a timeout, 5xx, 429)."""

    default_code = "openklant_refused"

    def __init__(
        self, code: str, *, remote_status: int | None = None, detail: str = "", retryable: bool
    ) -> None:
        super().__init__(
            code,
            MESSAGES.get(code, MESSAGES[self.default_code]),
            params={"status": remote_status or "-", "detail": detail or "-"},
        )
        self.remote_status = remote_status
        self.remote_detail = detail
        self.retryable = retryable


@dataclass(frozen=True)
class Reference:
    """An object in Open Klant: its address and its uuid."""

    url: str
    uuid: uuid.UUID


def reference(item: object, what: str) -> Reference:
    """The ``url`` and ``uuid`` of an object in an answer (a resource or a foreign key)."""
    if isinstance(item, dict):
        url, key = item.get("url"), item.get("uuid")
        if isinstance(url, str) and url.startswith(("https://", "http://")) and len(url) <= 1000:
            try:
                return Reference(url, uuid.UUID(str(key)))
            except ValueError:
                pass
    raise not_understood(what)


def not_understood(what: str) -> OpenKlantError:
    return OpenKlantError("openklant_answer", detail=what, retryable=True)


class OpenKlant:
    """One connection to a Klantinteracties API at ``base_url`` (its root, the address that
    ends in ``/klantinteracties/api/v1`` in a standard installation)."""

    def __init__(self, base_url: str, token: str) -> None:
        self.base = base_url.rstrip("/")
        self._session = requests.Session()
        self._session.headers.update(
            {"Authorization": f"Token {token}", "Accept": "application/json"}
        )

    def __enter__(self) -> OpenKlant:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._session.close()

    def create(self, resource: str, body: dict[str, Any]) -> dict[str, Any]:
        """``POST /{resource}``: the object as Open Klant stored it."""
        return self._call("POST", f"{self.base}/{resource}", json=body)

    def read(self, resource: str, key: uuid.UUID) -> dict[str, Any]:
        """``GET /{resource}/{uuid}``."""
        return self._call("GET", f"{self.base}/{resource}/{key}")

    def find(self, resource: str, params: dict[str, str]) -> Iterator[dict[str, Any]]:
        """``GET /{resource}?…``: the objects on every page (at most MAX_PAGES)."""
        url: str | None = f"{self.base}/{resource}"
        query: dict[str, str] | None = {**params, "pageSize": str(PAGE_SIZE)}
        for _page in range(MAX_PAGES):
            if url is None:
                return
            answer = self._call("GET", url, params=query)
            results = answer.get("results")
            if not isinstance(results, list):
                raise not_understood("results")
            yield from (item for item in results if isinstance(item, dict))
            following = answer.get("next")
            url, query = (following if isinstance(following, str) and following else None), None
            if url is not None:
                self._require_inside(url)

    def _call(self, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = self._session.request(
                method, url, timeout=TIMEOUT, allow_redirects=False, **kwargs
            )
        except requests.RequestException as error:
            # The exception's name only: its text may hold the address with its query.
            raise OpenKlantError(
                "openklant_unreachable", detail=type(error).__name__, retryable=True
            ) from None
        if not 200 <= response.status_code < 300:
            raise OpenKlantError(
                "openklant_refused",
                remote_status=response.status_code,
                detail=_detail(response),
                retryable=response.status_code in RETRYABLE_STATUSES,
            )
        try:
            answer = response.json()
        except ValueError:
            raise not_understood("JSON") from None
        if not isinstance(answer, dict):
            raise not_understood("JSON")
        return answer

    def _require_inside(self, url: str) -> None:
        base, given = urlsplit(self.base + "/"), urlsplit(url)
        if _origin(given) != _origin(base) or not given.path.startswith(base.path):
            raise OpenKlantError("openklant_address", retryable=False)


def _origin(parts: SplitResult) -> tuple[str, str, int | None]:
    try:
        port = parts.port or DEFAULT_PORTS.get(parts.scheme)
    except ValueError:
        port = None
    return parts.scheme.lower(), (parts.hostname or "").lower(), port


def _detail(response: requests.Response) -> str:
    """Open Klant's own short reason: the problem's ``title``/``detail`` and its
    ``invalidParams``, or DRF's field errors; else the start of the text."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        reasons = [str(body[key]) for key in ("title", "detail") if isinstance(body.get(key), str)]
        for problem in body.get("invalidParams") or []:
            if isinstance(problem, dict):
                reasons.append(f"{problem.get('name')}: {problem.get('reason')}")
        if not reasons:
            for field, errors in body.items():
                first = errors[0] if isinstance(errors, list) and errors else errors
                reasons.append(f"{field}: {first}")
        text = "; ".join(dict.fromkeys(reasons))
    else:
        text = response.text[:DETAIL_LIMIT]
    text = re.sub(r"<[^>]*>", " ", text)  # an HTML error page's tags
    text = re.sub(r"\s+", " ", re.sub(r"[\x00-\x1f\x7f]", " ", text)).strip()
    return text[:DETAIL_LIMIT] or response.reason or ""
