"""How an attachment is handed out, to staff and residents alike.

Images come from their display copy (EXIF/GPS removed) and are shown inline; PDFs are the
original, as a download. The stored name and type are never trusted for rendering:
``nosniff``, a sandbox CSP and an explicit Content-Disposition on every answer. The bytes are
read whole (at most MAX_UPLOAD_BYTES): under ASGI Django's FileResponse reads a sync file
into memory anyway, with a warning, and leaks the handle when the client goes away.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.http import content_disposition_header

from balie.conversations.blobs import open_blob
from balie.conversations.models import Attachment


def attachment_response(attachment: Attachment) -> HttpResponse:
    sha256 = (attachment.display_sha256 if attachment.is_image else "") or attachment.sha256
    with open_blob(sha256) as blob:
        content = blob.read()
    response = HttpResponse(content, content_type=attachment.content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=not attachment.is_image, filename=attachment.filename
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    return response


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
