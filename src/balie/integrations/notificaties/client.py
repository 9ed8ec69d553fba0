"""A client for the Notificaties API (VNG's standard, as Open Notificaties implements it): as
far as Balie needs it, kanalen (``/kanaal``), notificaties (``/notificaties``) and
abonnementen (``/abonnement``). The contract is Open Notificaties' own ``openapi.yaml``,
vendored in ``tests/integrations/contracts/notificaties/`` with the commit it came from.

Every call carries a fresh ZGW JWT (``Authorization: Bearer …``, the contract's
``JWT-Claims`` scheme), has a timeout and follows no redirect. An address the API answers
with is called (an abonnement to delete) only when it lies inside the configured root, so
the token never goes anywhere else. A failure is a :class:`NotificatiesError` with the
remote status (if it answered), a short text and whether trying again may help.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import SplitResult, urlsplit

import requests
from django.utils.translation import gettext_lazy as _

from balie.errors import Conflict
from balie.integrations.notificaties.jwt import zgw_token

__all__ = ["MESSAGES", "TIMEOUT", "Credentials", "NotificatiesApi", "NotificatiesError"]

TIMEOUT = (10.0, 30.0)  # seconds to connect, seconds between bytes of the answer
DETAIL_LIMIT = 300
RETRYABLE_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
DEFAULT_PORTS = {"http": 80, "https": 443}

MESSAGES = {
    "notificaties_unreachable": _("The Notificaties API could not be reached (%(detail)s)."),
    "notificaties_refused": _("The Notificaties API answered with status %(status)s: %(detail)s"),
    "notificaties_answer": _("The Notificaties API's answer was not understood (%(detail)s)."),
    "notificaties_address": _("The Notificaties API pointed to an address outside itself."),
}


class NotificatiesError(Conflict):
    """The Notificaties API failed or refused a call: ``remote_status`` is its HTTP status
    (None when it did not answer), ``remote_detail`` its own short text, ``retryable``
    whether a later attempt may succeed (no answer, a timeout, 5xx, 429)."""

    default_code = "notificaties_refused"

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
class Credentials:
    """The ZGW client and who acts, for the API's audit trail."""

    client_id: str
    secret: str
    user_id: str = "balie"
    user_representation: str = "Balie"

    def authorization(self) -> str:
        token = zgw_token(
            self.client_id,
            self.secret,
            user_id=self.user_id,
            user_representation=self.user_representation,
        )
        return f"Bearer {token}"


class NotificatiesApi:
    """One connection to the Notificaties API at ``root`` (ending in ``/api/v1``)."""

    def __init__(self, root: str, credentials: Credentials) -> None:
        self.root = root.rstrip("/")
        self._credentials = credentials
        self._session = requests.Session()
        self._session.headers.update({"Accept": "application/json"})

    def __enter__(self) -> NotificatiesApi:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._session.close()

    def find_kanaal(self, naam: str) -> dict[str, Any] | None:
        """The kanaal called ``naam``, if the API has one."""
        answer = self._call("GET", f"{self.root}/kanaal", params={"naam": naam})
        for item in _items(answer):
            if item.get("naam") == naam:
                return item
        return None

    def create_kanaal(self, body: dict[str, Any]) -> dict[str, Any]:
        return _object(self._call("POST", f"{self.root}/kanaal", json=body))

    def publish(self, message: dict[str, Any]) -> None:
        """Send one notificatie; the API's 2xx is all that counts."""
        self._call("POST", f"{self.root}/notificaties", json=message, parse=False)

    def abonnementen(self) -> list[dict[str, Any]]:
        return _items(self._call("GET", f"{self.root}/abonnement"))

    def create_abonnement(self, body: dict[str, Any]) -> dict[str, Any]:
        return _object(self._call("POST", f"{self.root}/abonnement", json=body))

    def delete_abonnement(self, url: str) -> None:
        """Remove an abonnement of ours; one already gone is fine."""
        self.require_inside(url)
        self._call("DELETE", url, missing_ok=True, parse=False)

    def require_inside(self, url: str) -> None:
        base, given = urlsplit(self.root + "/"), urlsplit(url)
        if _origin(given) != _origin(base) or not given.path.startswith(base.path):
            raise NotificatiesError("notificaties_address", retryable=False)

    def _call(
        self, method: str, url: str, *, missing_ok: bool = False, parse: bool = True, **kwargs
    ) -> Any:
        headers = {"Authorization": self._credentials.authorization()}
        try:
            response = self._session.request(
                method, url, headers=headers, timeout=TIMEOUT, allow_redirects=False, **kwargs
            )
        except requests.RequestException as error:
            # The exception's name only: its text may hold the address with its query.
            raise NotificatiesError(
                "notificaties_unreachable", detail=type(error).__name__, retryable=True
            ) from None
        if missing_ok and response.status_code == 404:
            return None
        if not 200 <= response.status_code < 300:
            raise NotificatiesError(
                "notificaties_refused",
                remote_status=response.status_code,
                detail=_detail(response),
                retryable=response.status_code in RETRYABLE_STATUSES,
            )
        if not parse or response.status_code == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise _not_understood("JSON") from None


def _origin(parts: SplitResult) -> tuple[str, str, int | None]:
    try:
        port = parts.port or DEFAULT_PORTS.get(parts.scheme)
    except ValueError:
        port = None
    return parts.scheme.lower(), (parts.hostname or "").lower(), port


def _not_understood(what: str) -> NotificatiesError:
    return NotificatiesError("notificaties_answer", detail=what, retryable=True)


def _items(answer: Any) -> list[dict[str, Any]]:
    """A list answer (the API does not page ``/kanaal`` and ``/abonnement``)."""
    if not isinstance(answer, list):
        raise _not_understood("list")
    return [item for item in answer if isinstance(item, dict)]


def _object(answer: Any) -> dict[str, Any]:
    if not isinstance(answer, dict) or not isinstance(answer.get("url"), str):
        raise _not_understood("url")
    return answer


def _detail(response: requests.Response) -> str:
    """The API's own short reason: the problem's ``title``, ``detail`` and
    ``invalidParams``; else the start of the text."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        reasons = [str(body[key]) for key in ("title", "detail") if isinstance(body.get(key), str)]
        for problem in body.get("invalidParams") or []:
            if isinstance(problem, dict):
                reasons.append(f"{problem.get('name')}: {problem.get('reason')}")
        text = "; ".join(dict.fromkeys(reasons))
    else:
        text = response.text[:DETAIL_LIMIT]
    text = re.sub(r"<[^>]*>", " ", text)  # an HTML error page's tags
    text = re.sub(r"\s+", " ", re.sub(r"[\x00-\x1f\x7f]", " ", text)).strip()
    return text[:DETAIL_LIMIT] or response.reason or ""
