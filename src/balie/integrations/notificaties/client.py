"""A client for the Notificaties API (VNG's standard, as Open Notificaties implements it): as
far as Balie needs it, kanalen (``/kanaal``), notificaties (``/notificaties``) and
abonnementen (``/abonnement``). The contract is Open Notificaties' own ``openapi.yaml``,
vendored in ``tests/integrations/contracts/notificaties/`` with the commit it came from.

Every call (through :class:`balie.conf.http.RemoteApi`) carries a fresh ZGW JWT
(``Authorization: Bearer …``, the contract's ``JWT-Claims`` scheme), has a timeout and
follows no redirect. An address the API answers with is called (an abonnement to delete)
only when it lies inside the configured root, so the token never goes anywhere else. A
failure is a :class:`NotificatiesError` with the remote status (if it answered), a short
text and whether trying again may help.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from balie.conf.http import RemoteApi, RemoteError
from balie.integrations.notificaties.jwt import zgw_token

__all__ = ["MESSAGES", "TIMEOUT", "Credentials", "NotificatiesApi", "NotificatiesError"]

TIMEOUT = (10.0, 30.0)  # seconds to connect, seconds between bytes of the answer

MESSAGES = {
    "notificaties_unreachable": _("The Notificaties API could not be reached (%(detail)s)."),
    "notificaties_refused": _("The Notificaties API answered with status %(status)s: %(detail)s"),
    "notificaties_answer": _("The Notificaties API's answer was not understood (%(detail)s)."),
    "notificaties_address": _("The Notificaties API pointed to an address outside itself."),
}


class NotificatiesError(RemoteError):
    """The Notificaties API failed or refused a call (see :class:`RemoteError`)."""

    default_code = "notificaties_refused"
    service = "notificaties"
    messages = MESSAGES


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


class NotificatiesApi(RemoteApi):
    """One connection to the Notificaties API at ``root`` (ending in ``/api/v1``)."""

    error = NotificatiesError
    field_errors = False  # its refusals are problems: ``title``, ``detail``, ``invalidParams``

    def __init__(self, root: str, credentials: Credentials) -> None:
        super().__init__(root, headers={}, timeout=TIMEOUT)
        self._credentials = credentials

    def find_kanaal(self, naam: str) -> dict[str, Any] | None:
        """The kanaal called ``naam``, if the API has one."""
        answer = self._call("GET", f"{self.base}/kanaal", params={"naam": naam})
        for item in _items(answer):
            if item.get("naam") == naam:
                return item
        return None

    def create_kanaal(self, body: dict[str, Any]) -> dict[str, Any]:
        return _object(self._call("POST", f"{self.base}/kanaal", json=body))

    def publish(self, message: dict[str, Any]) -> None:
        """Send one notificatie; the API's 2xx is all that counts."""
        self._send("POST", f"{self.base}/notificaties", json=message, headers=self._token())

    def abonnementen(self) -> list[dict[str, Any]]:
        return _items(self._call("GET", f"{self.base}/abonnement"))

    def create_abonnement(self, body: dict[str, Any]) -> dict[str, Any]:
        return _object(self._call("POST", f"{self.base}/abonnement", json=body))

    def delete_abonnement(self, url: str) -> None:
        """Remove an abonnement of ours; one already gone is fine."""
        self.require_inside(url)
        self._send("DELETE", url, missing_ok=True, headers=self._token())

    def _call(self, method: str, url: str, **kwargs: Any) -> Any:
        return self._json(method, url, headers=self._token(), **kwargs)

    def _token(self) -> dict[str, str]:
        """A fresh JWT for every call."""
        return {"Authorization": self._credentials.authorization()}


def _items(answer: Any) -> list[dict[str, Any]]:
    """A list answer (the API does not page ``/kanaal`` and ``/abonnement``)."""
    if not isinstance(answer, list):
        raise NotificatiesError.not_understood("list")
    return [item for item in answer if isinstance(item, dict)]


def _object(answer: Any) -> dict[str, Any]:
    if not isinstance(answer, dict) or not isinstance(answer.get("url"), str):
        raise NotificatiesError.not_understood("url")
    return answer
