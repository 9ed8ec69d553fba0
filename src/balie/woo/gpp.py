"""A client for the GPP-Woo publicatiebank's API (v2), as far as publishing a Woo request
needs it: publications (publicaties), their documents (documenten) and the documents' file
parts (bestandsdelen). The contract is the publicatiebank's own ``openapi.yaml``, vendored in
``tests/woo/contracts/gpp-publicatiebank/`` with the commit it came from.

Every call sends ``Authorization: Token …`` and the audit headers the publicatiebank
requires, has a timeout, and follows no redirect. An address the publicatiebank answers
with (a file part, the next page) is used only when it lies inside the configured address:
the token never goes anywhere else. A failure is a :class:`PublicatiebankError` with the
remote status (if it answered), a short text and whether trying again may help.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import SplitResult, urlsplit

import requests
from django.utils.translation import gettext_lazy as _

from balie.errors import Conflict

__all__ = ["BRON", "TIMEOUT", "Audit", "Publicatiebank", "PublicatiebankError"]

API = "/api/v2"
BRON = "balie"  # the kenmerken's source: our identifiers, told apart from others'
TIMEOUT = (10.0, 60.0)  # seconds to connect, seconds between bytes of the answer
MAX_PAGES = 50
DETAIL_LIMIT = 300
RETRYABLE_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
DEFAULT_PORTS = {"http": 80, "https": 443}

MESSAGES = {
    "publicatiebank_unreachable": _("The publicatiebank could not be reached (%(detail)s)."),
    "publicatiebank_refused": _("The publicatiebank answered with status %(status)s: %(detail)s"),
    "publicatiebank_answer": _("The publicatiebank's answer was not understood (%(detail)s)."),
    "publicatiebank_address": _("The publicatiebank pointed to an address outside itself."),
    "publicatiebank_upload": _("The publicatiebank did not confirm the upload of %(detail)s."),
}


class PublicatiebankError(Conflict):
    """The publicatiebank failed or refused a call: ``remote_status`` is its HTTP status
    (None when it did not answer), ``remote_detail`` its own short text, ``retryable`` whether a
    later attempt may succeed (no answer, a timeout, 5xx, 429)."""

    default_code = "publicatiebank_refused"

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


class Publicatiebank:
    """One connection to a publicatiebank at ``base_url`` (its root, before ``/api/v2``)."""

    def __init__(self, base_url: str, token: str, audit: Audit) -> None:
        self.base = base_url.rstrip("/")
        self._session = requests.Session()
        self._session.headers.update(
            {"Authorization": f"Token {token}", "Accept": "application/json", **audit.headers()}
        )

    def __enter__(self) -> Publicatiebank:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._session.close()

    def publication_url(self, remote: uuid.UUID) -> str:
        return f"{self.base}{API}/publicaties/{remote}"

    # publications

    def find_publication(self, kenmerk: str) -> uuid.UUID | None:
        """The publication that carries our kenmerk, if an earlier attempt created one."""
        for item in self._pages(f"{API}/publicaties", {"kenmerk": kenmerk, "bron": BRON}):
            if _has_kenmerk(item, kenmerk):
                return _uuid(item)
        return None

    def create_publication(self, body: dict[str, Any]) -> uuid.UUID:
        return _uuid(self._call("POST", self.base + f"{API}/publicaties", json=body) or {})

    def update_publication(self, remote: uuid.UUID, body: dict[str, Any]) -> dict[str, Any]:
        return self._call("PUT", self.publication_url(remote), json=body) or {}

    # documents

    def documents_by_kenmerk(self, publication: uuid.UUID) -> dict[str, list[uuid.UUID]]:
        """The publication's documents that carry one of our kenmerken: {kenmerk: [uuid]}."""
        found: dict[str, list[uuid.UUID]] = {}
        for item in self._pages(f"{API}/documenten", {"publicatie": str(publication)}):
            for kenmerk in item.get("kenmerken") or []:
                if isinstance(kenmerk, dict) and kenmerk.get("bron") == BRON:
                    found.setdefault(str(kenmerk.get("kenmerk")), []).append(_uuid(item))
        return found

    def create_document(self, body: dict[str, Any]) -> tuple[uuid.UUID, list[dict[str, Any]]]:
        """The new document's uuid and the file parts it expects, in order."""
        answer = self._call("POST", self.base + f"{API}/documenten", json=body) or {}
        parts = []
        for part in answer.get("bestandsdelen") or []:
            try:
                url, number, size = str(part["url"]), int(part["volgnummer"]), int(part["omvang"])
            except (KeyError, TypeError, ValueError):
                raise _not_understood("bestandsdelen") from None
            self._require_inside(url)
            parts.append({"url": url, "volgnummer": number, "omvang": size, "done": False})
        return _uuid(answer), sorted(parts, key=lambda part: part["volgnummer"])

    def delete_document(self, remote: uuid.UUID) -> None:
        """Remove a document (of a concept publication); one already gone is fine."""
        self._call("DELETE", self.base + f"{API}/documenten/{remote}", missing_ok=True)

    def document_uploaded(self, remote: uuid.UUID) -> bool:
        answer = self._call("GET", self.base + f"{API}/documenten/{remote}") or {}
        return answer.get("uploadVoltooid") is True

    def upload_part(self, url: str, content: bytes, file_name: str) -> bool:
        """Send one file part (multipart, field ``inhoud``); True once the document is
        complete."""
        self._require_inside(url)
        files = {"inhoud": (file_name, content, "application/octet-stream")}
        answer = self._call("PUT", url, files=files) or {}
        return answer.get("documentUploadVoltooid") is True

    # the calls

    def _pages(self, path: str, params: dict[str, str]):
        url: str | None = self.base + path
        query: dict[str, str] | None = params
        for _page in range(MAX_PAGES):
            if url is None:
                return
            answer = self._call("GET", url, params=query) or {}
            results = answer.get("results")
            if not isinstance(results, list):
                raise _not_understood("results")
            yield from (item for item in results if isinstance(item, dict))
            url, query = answer.get("next") or None, None  # the next page's address has them
            if url is not None:
                self._require_inside(url)

    def _call(
        self, method: str, url: str, *, missing_ok: bool = False, **kwargs: Any
    ) -> dict[str, Any] | None:
        try:
            response = self._session.request(
                method, url, timeout=TIMEOUT, allow_redirects=False, **kwargs
            )
        except requests.RequestException as error:
            # The exception's name only: its text may hold the address with its query.
            raise PublicatiebankError(
                "publicatiebank_unreachable", detail=type(error).__name__, retryable=True
            ) from None
        if missing_ok and response.status_code == 404:
            return None
        if not 200 <= response.status_code < 300:
            raise PublicatiebankError(
                "publicatiebank_refused",
                remote_status=response.status_code,
                detail=_detail(response),
                retryable=response.status_code in RETRYABLE_STATUSES,
            )
        if response.status_code == 204 or not response.content:
            return None
        try:
            answer = response.json()
        except ValueError:
            raise _not_understood("JSON") from None
        if not isinstance(answer, dict):
            raise _not_understood("JSON")
        return answer

    def _require_inside(self, url: str) -> None:
        base, given = urlsplit(self.base + "/"), urlsplit(url)
        if _origin(given) != _origin(base) or not given.path.startswith(base.path):
            raise PublicatiebankError("publicatiebank_address", retryable=False)


def _origin(parts: SplitResult) -> tuple[str, str, int | None]:
    try:
        port = parts.port or DEFAULT_PORTS.get(parts.scheme)
    except ValueError:
        port = None
    return parts.scheme.lower(), (parts.hostname or "").lower(), port


def _not_understood(what: str) -> PublicatiebankError:
    return PublicatiebankError("publicatiebank_answer", detail=what, retryable=True)


def _uuid(item: dict[str, Any]) -> uuid.UUID:
    try:
        return uuid.UUID(str(item["uuid"]))
    except (KeyError, ValueError):
        raise _not_understood("uuid") from None


def _has_kenmerk(item: dict[str, Any], kenmerk: str) -> bool:
    return any(
        isinstance(k, dict) and k.get("kenmerk") == kenmerk and k.get("bron") == BRON
        for k in item.get("kenmerken") or []
    )


def _detail(response: requests.Response) -> str:
    """The publicatiebank's own short reason: DRF's ``detail``, the problem's ``title`` and
    ``invalidParams``, or field errors; else the start of the text."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        reasons = [str(body[key]) for key in ("detail", "title") if isinstance(body.get(key), str)]
        for problem in body.get("invalidParams") or []:
            if isinstance(problem, dict):
                reasons.append(f"{problem.get('name')}: {problem.get('reason')}")
        if not reasons:
            for field, errors in body.items():
                first = errors[0] if isinstance(errors, list) and errors else errors
                reasons.append(f"{field}: {first}")
        text = "; ".join(reasons)
    else:
        text = response.text[:DETAIL_LIMIT]
    text = re.sub(r"<[^>]*>", " ", text)  # an HTML error page's tags
    text = re.sub(r"\s+", " ", re.sub(r"[\x00-\x1f\x7f]", " ", text)).strip()
    return text[:DETAIL_LIMIT] or response.reason or ""
