"""How an attachment is handed out, to staff and residents alike.

Images come from their display copy (EXIF/GPS removed) and are shown inline; PDFs are the
original, as a download. The stored name and type are never trusted for rendering:
``nosniff``, a sandbox CSP and an explicit Content-Disposition on every answer.

The caller has checked the permission and written the audit record; then, by
BALIE_FILE_DOWNLOADS (decision 0032):

- ``stream``: from a local folder the bytes are read whole (at most MAX_UPLOAD_BYTES): under
  ASGI Django's FileResponse reads a sync file into memory anyway, with a warning, and leaks
  the handle when the client goes away. From a bucket they are passed on as they arrive
  (:class:`BlobResponse`), so a slow store or client holds no whole file in memory.
- ``signed``: a 302 to a link to the bucket, signed for BALIE_SIGNED_URL_SECONDS, that makes
  the store answer with the same type, disposition and caching. The store cannot send
  ``nosniff`` or the sandbox CSP: the type is one ``files.check_upload`` found in the bytes
  (images re-encoded, PDFs parsed), never HTML or SVG, and the store is another origin.
"""

from __future__ import annotations

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.files.base import File
from django.http import HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils.http import content_disposition_header

from balie.conversations.blobs import blob_stream, in_object_store, open_blob, signed_blob_url
from balie.conversations.models import Attachment

# Read from the store and handed to the server at a time.
CHUNK_BYTES = 256 * 1024
ATTACHMENT_CACHE = "private, max-age=3600"


def attachment_response(attachment: Attachment) -> HttpResponseBase:
    sha256 = (attachment.display_sha256 if attachment.is_image else "") or attachment.sha256
    disposition = content_disposition_header(
        as_attachment=not attachment.is_image, filename=attachment.filename
    )
    if settings.FILE_DOWNLOADS == "signed":
        return _signed_redirect(sha256, attachment.content_type, disposition)
    response: HttpResponseBase
    if in_object_store():
        response = BlobResponse(blob_stream(sha256), content_type=attachment.content_type)
    else:
        with open_blob(sha256) as blob:
            content = blob.read()
        response = HttpResponse(content, content_type=attachment.content_type)
    response["Content-Disposition"] = disposition
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = ATTACHMENT_CACHE
    return response


def _signed_redirect(sha256: str, content_type: str, disposition: str) -> HttpResponseRedirect:
    url = signed_blob_url(
        sha256,
        seconds=settings.SIGNED_URL_SECONDS,
        content_type=content_type,
        disposition=disposition,
        cache=ATTACHMENT_CACHE,
    )
    response = HttpResponseRedirect(url)
    # The link is a bearer token for a minute: never reuse the redirect from a cache.
    response["Cache-Control"] = "private, no-store"
    return response


class BlobResponse(StreamingHttpResponse):
    """A stored file sent as it is read, and closed at the end, also when the client goes
    away. Under WSGI through the usual iterator; under ASGI (``balie serve``) each chunk is
    read in a worker thread of its own, where Django would read a synchronous iterator whole
    in its one thread for sync code, with a warning."""

    def __init__(self, blob: File, **kwargs) -> None:
        super().__init__(_chunks(blob), **kwargs)
        self._blob = blob
        self._resource_closers.append(blob.close)
        self["Content-Length"] = str(blob.size)

    async def __aiter__(self):
        read = sync_to_async(self._blob.read, thread_sensitive=False)
        try:
            while chunk := await read(CHUNK_BYTES):
                yield chunk
        finally:
            self._blob.close()


def _chunks(blob: File):
    try:
        while chunk := blob.read(CHUNK_BYTES):
            yield chunk
    finally:
        blob.close()


# The kinds of file a Woo publication package holds (balie.woo.package).
PACKAGE_TYPES = {
    ".zip": "application/zip",
    ".pdf": "application/pdf",
    ".csv": "text/csv; charset=utf-8",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".xml": "application/xml",
    ".json": "application/json",
}


def package_file_response(name: str, content: bytes) -> HttpResponse:
    """One file of a Woo publication package (or the zip), always as a download."""
    suffix = name[name.rfind(".") :] if "." in name else ""
    kind = PACKAGE_TYPES.get(suffix, "application/octet-stream")
    response = HttpResponse(content, content_type=kind)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
