"""A client for an organisation's Klantinteracties API (Open Klant 2.x), as far as
registering a conversation needs it: ``/maak-klantcontact`` (a klantcontact with its
betrokkene and onderwerpobject in one call), ``/klantcontacten/{uuid}``,
``/onderwerpobjecten``, ``/digitaleadressen`` and ``/bijlagen``. The contract is Open Klant's
own ``openapi.yaml``, vendored in ``tests/integrations/contracts/open-klant/`` with the
commit it came from.

Every call (through :class:`balie.conf.http.RemoteApi`) sends ``Authorization: Token …``,
has a timeout, and follows no redirect. A next page is followed only when its address lies
inside the configured API: the token never goes anywhere else. A failure is an
:class:`OpenKlantError` with the remote status (if it answered), a short text and whether
trying again may help.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from balie.conf.http import RemoteApi, RemoteError

__all__ = ["TIMEOUT", "OpenKlant", "OpenKlantError", "Reference", "reference"]

TIMEOUT = (10.0, 30.0)  # seconds to connect, seconds between bytes of the answer
MAX_PAGES = 10
PAGE_SIZE = 100

MESSAGES = {
    "openklant_unreachable": _("Open Klant could not be reached (%(detail)s)."),
    "openklant_refused": _("Open Klant answered with status %(status)s: %(detail)s"),
    "openklant_answer": _("Open Klant's answer was not understood (%(detail)s)."),
    "openklant_address": _("Open Klant pointed to an address outside its API."),
}


class OpenKlantError(RemoteError):
    """Open Klant failed or refused a call (see :class:`RemoteError`)."""

    default_code = "openklant_refused"
    service = "openklant"
    messages = MESSAGES


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
    raise OpenKlantError.not_understood(what)


class OpenKlant(RemoteApi):
    """One connection to a Klantinteracties API at ``base_url`` (its root, the address that
    ends in ``/klantinteracties/api/v1`` in a standard installation)."""

    error = OpenKlantError

    def __init__(self, base_url: str, token: str) -> None:
        super().__init__(base_url, headers={"Authorization": f"Token {token}"}, timeout=TIMEOUT)

    def create(self, resource: str, body: dict[str, Any]) -> dict[str, Any]:
        """``POST /{resource}``: the object as Open Klant stored it."""
        return self._call("POST", f"{self.base}/{resource}", json=body)

    def read(self, resource: str, key: uuid.UUID) -> dict[str, Any]:
        """``GET /{resource}/{uuid}``."""
        return self._call("GET", f"{self.base}/{resource}/{key}")

    def find(self, resource: str, params: dict[str, str]) -> Iterator[dict[str, Any]]:
        """``GET /{resource}?…``: the objects on every page (at most MAX_PAGES)."""
        query = {**params, "pageSize": str(PAGE_SIZE)}
        return self._pages(f"{self.base}/{resource}", query, most=MAX_PAGES)

    def _call(self, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
        answer = self._object(method, url, **kwargs)
        if answer is None:  # Open Klant answers every call with an object
            raise OpenKlantError.not_understood("JSON")
        return answer
