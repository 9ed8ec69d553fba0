"""A client for the GPP-Woo publicatiebank's API (v2), as far as publishing a Woo request
needs it: publications (publicaties), their documents (documenten) and the documents' file
parts (bestandsdelen). The contract is the publicatiebank's own ``openapi.yaml``, vendored in
``tests/woo/contracts/gpp-publicatiebank/`` with the commit it came from.

Every call (through :class:`balie.conf.http.RemoteApi`) sends ``Authorization: Token …``
and the audit headers the publicatiebank requires, has a timeout, and follows no redirect.
An address the publicatiebank answers with (a file part, the next page) is used only when it
lies inside the configured address: the token never goes anywhere else. A failure is a
:class:`PublicatiebankError` with the remote status (if it answered), a short text and
whether trying again may help.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from balie.conf.http import RemoteApi, RemoteError

__all__ = ["BRON", "TIMEOUT", "Audit", "Publicatiebank", "PublicatiebankError"]

API = "/api/v2"
BRON = "balie"  # the kenmerken's source: our identifiers, told apart from others'
TIMEOUT = (10.0, 60.0)  # seconds to connect, seconds between bytes of the answer
MAX_PAGES = 50

MESSAGES = {
    "publicatiebank_unreachable": _("The publicatiebank could not be reached (%(detail)s)."),
    "publicatiebank_refused": _("The publicatiebank answered with status %(status)s: %(detail)s"),
    "publicatiebank_answer": _("The publicatiebank's answer was not understood (%(detail)s)."),
    "publicatiebank_address": _("The publicatiebank pointed to an address outside itself."),
    "publicatiebank_upload": _("The publicatiebank did not confirm the upload of %(detail)s."),
}


class PublicatiebankError(RemoteError):
    """The publicatiebank failed or refused a call (see :class:`RemoteError`)."""

    default_code = "publicatiebank_refused"
    service = "publicatiebank"
    messages = MESSAGES


@dataclass(frozen=True)
class Audit:
    """Who acts, for the publicatiebank's audit log: a stable id, a display name, why."""

    user_id: str
    user_name: str
    remarks: str

    def headers(self) -> dict[str, str]:
        return {
            "Audit-User-ID": _header_value(self.user_id),
            "Audit-User-Representation": _header_value(self.user_name),
            "Audit-Remarks": _header_value(self.remarks),
        }


def _header_value(text: str) -> str:
    """Plain ASCII for a header: accents dropped, control characters and newlines removed."""
    flat = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    flat = re.sub(r"[\x00-\x1f\x7f]+", " ", flat).strip()
    return flat[:255] or "-"


class Publicatiebank(RemoteApi):
    """One connection to a publicatiebank at ``base_url`` (its root, before ``/api/v2``)."""

    error = PublicatiebankError
    reason_keys = ("detail", "title")  # DRF's ``detail`` first, then a problem's ``title``

    def __init__(self, base_url: str, token: str, audit: Audit) -> None:
        super().__init__(
            base_url,
            headers={"Authorization": f"Token {token}", **audit.headers()},
            timeout=TIMEOUT,
        )

    def publication_url(self, remote: uuid.UUID) -> str:
        return f"{self.base}{API}/publicaties/{remote}"

    # publications

    def find_publication(self, kenmerk: str) -> uuid.UUID | None:
        """The publication that carries our kenmerk, if an earlier attempt created one."""
        params = {"kenmerk": kenmerk, "bron": BRON}
        for item in self._pages(f"{self.base}{API}/publicaties", params, most=MAX_PAGES):
            if _has_kenmerk(item, kenmerk):
                return _uuid(item)
        return None

    def create_publication(self, body: dict[str, Any]) -> uuid.UUID:
        return _uuid(self._object("POST", self.base + f"{API}/publicaties", json=body) or {})

    def update_publication(self, remote: uuid.UUID, body: dict[str, Any]) -> dict[str, Any]:
        return self._object("PUT", self.publication_url(remote), json=body) or {}

    # documents

    def documents_by_kenmerk(self, publication: uuid.UUID) -> dict[str, list[uuid.UUID]]:
        """The publication's documents that carry one of our kenmerken: {kenmerk: [uuid]}."""
        found: dict[str, list[uuid.UUID]] = {}
        params = {"publicatie": str(publication)}
        for item in self._pages(f"{self.base}{API}/documenten", params, most=MAX_PAGES):
            for kenmerk in item.get("kenmerken") or []:
                if isinstance(kenmerk, dict) and kenmerk.get("bron") == BRON:
                    found.setdefault(str(kenmerk.get("kenmerk")), []).append(_uuid(item))
        return found

    def create_document(self, body: dict[str, Any]) -> tuple[uuid.UUID, list[dict[str, Any]]]:
        """The new document's uuid and the file parts it expects, in order."""
        answer = self._object("POST", self.base + f"{API}/documenten", json=body) or {}
        parts = []
        for part in answer.get("bestandsdelen") or []:
            try:
                url, number, size = str(part["url"]), int(part["volgnummer"]), int(part["omvang"])
            except (KeyError, TypeError, ValueError):
                raise PublicatiebankError.not_understood("bestandsdelen") from None
            self.require_inside(url)
            parts.append({"url": url, "volgnummer": number, "omvang": size, "done": False})
        return _uuid(answer), sorted(parts, key=lambda part: part["volgnummer"])

    def delete_document(self, remote: uuid.UUID) -> None:
        """Remove a document (of a concept publication); one already gone is fine."""
        self._object("DELETE", self.base + f"{API}/documenten/{remote}", missing_ok=True)

    def document_uploaded(self, remote: uuid.UUID) -> bool:
        answer = self._object("GET", self.base + f"{API}/documenten/{remote}") or {}
        return answer.get("uploadVoltooid") is True

    def upload_part(self, url: str, content: bytes, file_name: str) -> bool:
        """Send one file part (multipart, field ``inhoud``); True once the document is
        complete."""
        self.require_inside(url)
        files = {"inhoud": (file_name, content, "application/octet-stream")}
        answer = self._object("PUT", url, files=files) or {}
        return answer.get("documentUploadVoltooid") is True


def _uuid(item: dict[str, Any]) -> uuid.UUID:
    try:
        return uuid.UUID(str(item["uuid"]))
    except (KeyError, ValueError):
        raise PublicatiebankError.not_understood("uuid") from None


def _has_kenmerk(item: dict[str, Any], kenmerk: str) -> bool:
    return any(
        isinstance(k, dict) and k.get("kenmerk") == kenmerk and k.get("bron") == BRON
        for k in item.get("kenmerken") or []
    )
