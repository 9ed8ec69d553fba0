"""Checks on uploaded files: the type comes from the bytes, never from the client.

Allowed: JPEG, PNG, GIF and WebP images, and PDF documents. Images are decoded fully (a
truncated or disguised file fails here) and get a display copy without EXIF/GPS metadata.
"""

from __future__ import annotations

import io
import re
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from balie.errors import Invalid

__all__ = ["CheckedFile", "FileRejected", "check_upload"]

_SIGNATURES: list[tuple[bytes, str]] = [
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
]
_PIL_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}
_PDF_ACTIVE_CONTENT = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFile|OpenAction)\b")
_DAMAGED_PHOTO = _("This photo is damaged or not a real image.")


class FileRejected(Invalid):
    """The file may not be stored: ``FileRejected(code, message)``, answered with 400."""


@dataclass(frozen=True)
class CheckedFile:
    data: bytes
    content_type: str
    filename: str
    display_data: bytes | None = None  # images: re-encoded without metadata
    width: int | None = None
    height: int | None = None


def sniff(data: bytes) -> str | None:
    for signature, content_type in _SIGNATURES:
        if data.startswith(signature):
            return content_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def clean_filename(name: str) -> str:
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = re.sub(r"[\x00-\x1f\x7f]", "", name).strip() or "bestand"
    return name[:200]


def check_upload(data: bytes, filename: str) -> CheckedFile:
    if not data:
        raise FileRejected("empty", _("The file is empty."))
    if len(data) > settings.MAX_UPLOAD_BYTES:
        limit_mb = settings.MAX_UPLOAD_BYTES // (1024 * 1024)
        raise FileRejected(
            "too_large",
            _("The file is too large. The maximum is %(limit)s MB."),
            params={"limit": limit_mb},
        )
    content_type = sniff(data)
    if content_type is None:
        raise FileRejected(
            "type_not_allowed",
            _("You cannot send this kind of file. Send a photo (JPG, PNG, GIF, WebP) or a PDF."),
        )
    if content_type == "application/pdf":
        return _check_pdf(data, filename)
    return _check_image(data, filename, content_type)


def _check_pdf(data: bytes, filename: str) -> CheckedFile:
    if b"%%EOF" not in data[-2048:]:
        raise FileRejected("corrupt", _("This PDF is damaged or incomplete."))
    if _PDF_ACTIVE_CONTENT.search(data):
        raise FileRejected(
            "active_content", _("This PDF contains scripts or embedded files and is refused.")
        )
    return CheckedFile(data=data, content_type="application/pdf", filename=clean_filename(filename))


def _check_image(data: bytes, filename: str, sniffed: str) -> CheckedFile:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                fmt = probe.format
                width, height = probe.size
                if width * height > settings.MAX_IMAGE_PIXELS:
                    raise FileRejected(
                        "too_many_pixels", _("The photo is too large (too many pixels).")
                    )
                probe.load()
                display = _strip_metadata(probe, fmt)
    except FileRejected:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombWarning,
        Image.DecompressionBombError,
    ):
        raise FileRejected("corrupt", _DAMAGED_PHOTO) from None
    content_type = _PIL_FORMATS.get(fmt or "")
    if content_type != sniffed:
        raise FileRejected("corrupt", _DAMAGED_PHOTO)
    return CheckedFile(
        data=data,
        content_type=content_type,
        filename=clean_filename(filename),
        display_data=display,
        width=width,
        height=height,
    )


def _strip_metadata(image: Image.Image, fmt: str | None) -> bytes:
    """Re-encode pixels only: no EXIF, GPS, XMP or comments survive; orientation applied."""
    upright = ImageOps.exif_transpose(image)
    out = io.BytesIO()
    if fmt == "JPEG":
        upright.convert("RGB").save(out, "JPEG", quality=90)
    elif fmt == "GIF":
        upright.save(out, "GIF")
    elif fmt == "WEBP":
        upright.save(out, "WEBP", quality=90)
    else:
        upright.save(out, "PNG")
    return out.getvalue()
