"""The client of Meta's Graph API, the part of it the WhatsApp Cloud API is: send a message,
upload a file for sending, find and download a file a resident sent.

Every call goes through a session of :mod:`balie.conf.http` (Balie's User-Agent), has a
timeout (:data:`CONNECT_TIMEOUT`, :data:`READ_TIMEOUT`) and follows no redirect, except the
download of a file, where requests drops the token on a redirect to another host. The base
URL and API version come from the account (``graph_url``, default :data:`DEFAULT_GRAPH_URL`).
Whatever goes wrong becomes one :class:`GraphError`: Meta's own error code and title when it
answered with one, or a code of our own (``graph_unreachable``, ``http_503``); ``retryable``
says whether trying again later may help (a timeout, a 5xx, a rate limit). No exception text
is kept: it may hold an address with a token in it.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from balie.conf import http
from balie.errors import BalieError

__all__ = [
    "CONNECT_TIMEOUT",
    "DEFAULT_GRAPH_URL",
    "READ_TIMEOUT",
    "Graph",
    "GraphError",
    "MediaInfo",
]

DEFAULT_GRAPH_URL = "https://graph.facebook.com/v21.0"
CONNECT_TIMEOUT = 5.0  # seconds to connect
READ_TIMEOUT = 30.0  # seconds between bytes of the answer
# Meta's codes that mean "later": temporary errors and rate limits
# (https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes).
RETRYABLE_CODES = frozenset({1, 2, 4, 17, 341, 80007, 130429, 131000, 131016, 131056, 133004})
MAX_DETAIL = 200
_CODE_PREFIX = re.compile(r"^\(#?\d+\)\s*")  # Meta's "(#131047) Re-engagement message"


class GraphError(BalieError):
    """The Graph API did not do it: ``code`` (Meta's number as text, or ours), a short
    ``channel_detail`` (Meta's title, never a message text) and whether a retry may help.
    Never an HTTP answer of Balie's own: the delivery and media tasks keep it (as
    ``DeliveryFailed`` does)."""

    status = 409
    default_code = "graph_error"

    def __init__(
        self, code: str, detail: str = "", *, retryable: bool, http_status: int | None = None
    ) -> None:
        super().__init__(code, detail)
        self.channel_detail, self.retryable, self.http_status = detail, retryable, http_status

    def __str__(self) -> str:
        return f"{self.code}: {self.channel_detail}" if self.channel_detail else self.code


@dataclass(frozen=True)
class MediaInfo:
    url: str
    mime_type: str
    file_size: int | None


_local = threading.local()


def _session() -> http.Session:
    """One session per thread (its connections are reused); the token and the timeouts go
    per call. HTTPS_PROXY and REQUESTS_CA_BUNDLE apply as usual."""
    session = getattr(_local, "session", None)
    if session is None:
        session = _local.session = http.session(timeout=(CONNECT_TIMEOUT, READ_TIMEOUT))
    return session


def _unreachable(name: str) -> GraphError:
    return GraphError("graph_unreachable", name, retryable=True)


class Graph:
    """The Graph API at ``base_url`` (scheme, host and version: ``…/v21.0``) with ``token``."""

    def __init__(self, base_url: str, token: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token

    # the operations

    def send_message(self, phone_number_id: str, payload: dict[str, Any]) -> str:
        """POST /{phone number id}/messages; the new message's id (a ``wamid``)."""
        answer = self._call("POST", f"/{phone_number_id}/messages", json=payload)
        messages = answer.get("messages")
        if not isinstance(messages, list) or not messages or not isinstance(messages[0], dict):
            raise GraphError("unexpected_answer", "no message id", retryable=False)
        wamid = messages[0].get("id")
        if not isinstance(wamid, str) or not 0 < len(wamid) <= 200:
            raise GraphError("unexpected_answer", "no message id", retryable=False)
        return wamid

    def upload_media(
        self, phone_number_id: str, data: bytes, *, content_type: str, filename: str
    ) -> str:
        """POST /{phone number id}/media (multipart); the media id to send it with."""
        answer = self._call(
            "POST",
            f"/{phone_number_id}/media",
            data={"messaging_product": "whatsapp", "type": content_type},
            files={"file": (filename, data, content_type)},
        )
        media_id = answer.get("id")
        if not isinstance(media_id, str) or not media_id:
            raise GraphError("unexpected_answer", "no media id", retryable=False)
        return media_id

    def media_info(self, media_id: str, phone_number_id: str) -> MediaInfo:
        """GET /{media id}: where a resident's file can be downloaded (for five minutes)."""
        answer = self._call("GET", f"/{media_id}", params={"phone_number_id": phone_number_id})
        url, mime_type, size = answer.get("url"), answer.get("mime_type"), answer.get("file_size")
        if not isinstance(url, str) or not self._acceptable_media_url(url):
            raise GraphError("unexpected_answer", "no usable media url", retryable=False)
        try:
            file_size = int(size) if size is not None else None
        except (TypeError, ValueError):
            file_size = None
        return MediaInfo(url, mime_type if isinstance(mime_type, str) else "", file_size)

    def download(self, url: str, *, limit: int) -> bytes:
        """The file at ``url`` (from :meth:`media_info`), at most ``limit`` bytes."""
        if not self._acceptable_media_url(url):
            raise GraphError("unexpected_answer", "no usable media url", retryable=False)
        with (
            http.transport_errors(_unreachable),
            _session().get(
                url,
                headers=self._headers(),
                timeout=(CONNECT_TIMEOUT, READ_TIMEOUT),
                stream=True,
                allow_redirects=True,  # requests drops the token on a redirect elsewhere
            ) as response,
        ):
            if response.status_code != 200:
                raise _status_error(response.status_code)
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > limit:
                raise GraphError("too_large", "the file is too large", retryable=False)
            chunks, size = [], 0
            for chunk in response.iter_content(64 * 1024):
                size += len(chunk)
                if size > limit:
                    raise GraphError("too_large", "the file is too large", retryable=False)
                chunks.append(chunk)
            return b"".join(chunks)

    # the plumbing

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def _acceptable_media_url(self, url: str) -> bool:
        """http(s) with a host; https whenever the Graph API itself is reached over https."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.username:
            return False
        return parts.scheme == "https" or urlsplit(self.base_url).scheme == "http"

    def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        with http.transport_errors(_unreachable):
            response = _session().request(
                method,
                f"{self.base_url}{path}",
                headers=self._headers(),
                timeout=(CONNECT_TIMEOUT, READ_TIMEOUT),
                allow_redirects=False,
                **kwargs,
            )
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if response.status_code == 200 and isinstance(answer, dict):
            return answer
        if isinstance(answer, dict) and isinstance(answer.get("error"), dict):
            raise _graph_error(answer["error"], response.status_code)
        raise _status_error(response.status_code)


def _status_error(status: int) -> GraphError:
    retryable = status >= 500 or status in (408, 429)
    return GraphError(f"http_{status}", retryable=retryable, http_status=status)


def _graph_error(error: dict[str, Any], status: int) -> GraphError:
    """Meta's ``{"error": {"code", "message", "error_data": {"details"}}}``."""
    code = error.get("code")
    number = code if isinstance(code, int) and not isinstance(code, bool) else None
    message = error.get("message")
    title = _CODE_PREFIX.sub("", message) if isinstance(message, str) else ""
    data = error.get("error_data")
    details = data.get("details") if isinstance(data, dict) else None
    if isinstance(details, str) and details and details != title:
        title = details if details.startswith(title) else f"{title}: {details}".lstrip(": ")
    retryable = (number in RETRYABLE_CODES) or status >= 500 or status == 429
    return GraphError(
        str(number) if number is not None else f"http_{status}",
        str(title)[:MAX_DETAIL],
        retryable=retryable,
        http_status=status,
    )
