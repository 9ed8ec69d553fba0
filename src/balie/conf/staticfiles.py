"""Serve Balie's own static files (CSS, JS) at the ASGI level, before Django.

Balie ships a handful of small files, so they are read once into memory and answered with
an ETag; no extra web server is needed on a small install. (WhiteNoise, the usual choice,
only speaks WSGI: under ASGI Django has to wrap its file iterator, which warns and is slow.)
A deployment behind nginx can still `balie collectstatic` and serve them there instead.
Text files (CSS, JavaScript, SVG) are also kept gzipped, and sent so to a browser that accepts
it (``Vary: Accept-Encoding``): the resident page's style sheets shrink tenfold on a phone's
connection (docs/performance.md).
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
from dataclasses import dataclass

from django.conf import settings
from django.contrib.staticfiles import finders


@dataclass(frozen=True)
class StaticFile:
    body: bytes
    content_type: str
    etag: str
    gzipped: bytes | None = None  # for text files where it saves something


def _gzipped(body: bytes, content_type: str) -> bytes | None:
    if not (
        content_type.startswith("text/") or "javascript" in content_type or "svg" in content_type
    ):
        return None
    packed = gzip.compress(body, compresslevel=9, mtime=0)
    return packed if len(packed) < len(body) * 0.9 else None


def _collect() -> dict[str, StaticFile]:
    files: dict[str, StaticFile] = {}
    for finder in finders.get_finders():
        for path, storage in finder.list([]):
            url_path = path.replace("\\", "/")
            if url_path in files:  # the first finder wins, as in Django
                continue
            with storage.open(path) as handle:
                body = handle.read()
            content_type = mimetypes.guess_type(url_path)[0] or "application/octet-stream"
            if content_type.startswith("text/") or content_type.endswith("javascript"):
                content_type += "; charset=utf-8"
            etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
            files[url_path] = StaticFile(body, content_type, etag, _gzipped(body, content_type))
    return files


class StaticFilesApp:
    """ASGI middleware: GET/HEAD under STATIC_URL from memory, everything else to ``app``."""

    def __init__(self, app):
        self.app = app
        self.prefix = settings.STATIC_URL
        self._files: dict[str, StaticFile] | None = None

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            return await self.app(scope, receive, send)
        if self._files is None:
            self._files = _collect()
        found = self._files.get(scope["path"][len(self.prefix) :])
        if found is None or scope["method"] not in ("GET", "HEAD"):
            status = 404 if found is None else 405
            return await _respond(send, status, b"text/plain; charset=utf-8", b"Not found")
        headers = dict(scope.get("headers", []))
        packed = found.gzipped is not None and b"gzip" in headers.get(b"accept-encoding", b"")
        # The gzipped answer is another representation: its own ETag (RFC 9110, 8.8.3).
        etag = found.etag[:-1] + '-gz"' if packed else found.etag
        vary = found.gzipped is not None
        if headers.get(b"if-none-match") == etag.encode():
            return await _respond(send, 304, None, b"", etag=etag, vary=vary)
        full = found.gzipped if packed and found.gzipped is not None else found.body
        body = b"" if scope["method"] == "HEAD" else full
        await _respond(
            send, 200, found.content_type.encode(), body, etag=etag, length=len(full),
            vary=vary, gzipped=packed,
        )  # fmt: skip


async def _respond(
    send, status, content_type, body, *, etag=None, length=None, vary=False, gzipped=False
):
    headers = [
        (b"cache-control", b"public, max-age=300, must-revalidate"),
        (b"x-content-type-options", b"nosniff"),
    ]
    if content_type:
        headers.append((b"content-type", content_type))
    if etag:
        headers.append((b"etag", etag.encode()))
    if vary:
        headers.append((b"vary", b"Accept-Encoding"))
    if gzipped:
        headers.append((b"content-encoding", b"gzip"))
    headers.append((b"content-length", str(len(body) if length is None else length).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
