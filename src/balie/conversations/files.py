"""Checks on uploaded files: the type comes from the bytes, never from the client.

Allowed: JPEG, PNG, GIF and WebP images, and PDF documents. Images are decoded fully (a
truncated or disguised file fails here) and get a display copy from the pixels alone: no EXIF,
GPS, XMP, ICC profile or comment. A PDF is parsed with pikepdf (qpdf), every object is walked,
and a PDF that can run code, open links or carry files is refused (decision 0020).
"""

from __future__ import annotations

import io
import logging
import re
import time
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import pikepdf
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from balie.errors import Invalid

__all__ = ["CONTENT_TYPES", "CheckedFile", "FileRejected", "check_upload"]

_SIGNATURES: list[tuple[bytes, str]] = [
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
]
_PIL_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}
# Every type a stored attachment can have (and is served with).
CONTENT_TYPES = (*_PIL_FORMATS.values(), "application/pdf")
# Names (as keys or values, after qpdf decoded #xx escapes) that make a PDF act: run
# scripts, start programs, open addresses, send forms, play media or carry files.
PDF_ACTIVE_NAMES = frozenset(
    {
        "/JavaScript",
        "/JS",
        "/Launch",
        "/EmbeddedFile",
        "/EmbeddedFiles",
        "/OpenAction",
        "/AA",
        "/URI",
        "/SubmitForm",
        "/RichMedia",
        "/XFA",
    }
)
PDF_MAX_NODES = 200_000  # objects and the values inside them, walked at most
PDF_MAX_SECONDS = 5.0
# qpdf reports what it repairs in a hostile file through this logger, quoting the file's
# contents at times; the refusal's code is what we log.
logging.getLogger("pikepdf._core").setLevel(logging.CRITICAL)
_DAMAGED_PHOTO = _("This photo is damaged or not a real image.")
_DAMAGED_PDF = _("This PDF is damaged or incomplete.")
_TOO_MANY_PIXELS = _("The photo is too large (too many pixels).")
_PIXEL_INFO = frozenset({"transparency", "background"})  # what the pixels need to look right


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
        raise FileRejected("corrupt", _DAMAGED_PDF)
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            # qpdf warns on opening when it had to rebuild the cross-reference table: a viewer
            # may rebuild it differently and see objects we did not walk.
            damaged = bool(pdf.get_warnings())
            if pdf.is_encrypted:
                raise _encrypted()
            found = not damaged and _active_name(pdf)
    except pikepdf.PasswordError:
        raise _encrypted() from None
    except FileRejected:
        raise
    except (pikepdf.PdfError, RuntimeError, ValueError, OverflowError):  # qpdf refused it
        raise FileRejected("corrupt", _DAMAGED_PDF) from None
    if found:
        raise FileRejected(
            "active_content",
            _("This PDF contains scripts, links, forms or embedded files and is refused."),
        )
    if damaged:
        raise FileRejected("corrupt", _DAMAGED_PDF)
    return CheckedFile(data=data, content_type="application/pdf", filename=clean_filename(filename))


def _encrypted() -> FileRejected:
    return FileRejected(
        "encrypted", _("This PDF is encrypted or password-protected. Send it without a password.")
    )


def _active_name(pdf: pikepdf.Pdf) -> bool:
    """Walk the trailer, every indirect object (object streams unpacked by qpdf, names with
    their ``#xx`` escapes decoded) and every direct value inside them, each once; true when
    one of :data:`PDF_ACTIVE_NAMES` is a key or a name value. A file whose walk would exceed
    :data:`PDF_MAX_NODES` or :data:`PDF_MAX_SECONDS` is refused as too complex."""
    size = pdf.trailer.get("/Size", 0)
    if not isinstance(size, int) or size > PDF_MAX_NODES:
        raise _too_complex()
    deadline = time.monotonic() + PDF_MAX_SECONDS
    stack: list[object] = [pdf.trailer, *pdf.objects]
    walked = len(stack)
    while stack:
        node = stack.pop()
        if not isinstance(node, pikepdf.Object):  # a missing object reads as None
            continue
        kind = node._type_code
        if kind == pikepdf.ObjectType.name_:
            if str(node) in PDF_ACTIVE_NAMES:
                return True
            continue
        if kind == pikepdf.ObjectType.stream:
            node = node.stream_dict
        elif kind not in (pikepdf.ObjectType.dictionary, pikepdf.ObjectType.array):
            continue
        walked += len(node)  # counted before its values are read
        if walked > PDF_MAX_NODES or time.monotonic() > deadline:
            raise _too_complex()
        if kind == pikepdf.ObjectType.array:
            stack.extend(_direct(node))
        elif any(key in PDF_ACTIVE_NAMES for key in node):
            return True
        else:
            stack.extend(_direct(node.values()))
    return False


def _direct(values: Iterable[object]) -> Iterator[pikepdf.Object]:
    """The values still to walk: an indirect one is walked as an object of its own."""
    for value in values:
        if isinstance(value, pikepdf.Object) and not value.is_indirect:
            yield value


def _too_complex() -> FileRejected:
    return FileRejected("too_complex", _("This PDF is too complex to check and is refused."))


def _check_image(data: bytes, filename: str, sniffed: str) -> CheckedFile:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                fmt = probe.format
                width, height = probe.size
                if width * height > settings.MAX_IMAGE_PIXELS:  # declared size, not decoded
                    raise FileRejected("too_many_pixels", _TOO_MANY_PIXELS)
                probe.load()
                display = _strip_metadata(probe, fmt)
    except FileRejected:
        raise
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        # Pillow's own limit (MAX_IMAGE_PIXELS), met on opening or on a later frame.
        raise FileRejected("too_many_pixels", _TOO_MANY_PIXELS) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
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
    """Re-encode pixels only: no EXIF, GPS, XMP, ICC profile or comment survives (Pillow
    writes a comment or profile it read back out); orientation applied."""
    upright = ImageOps.exif_transpose(image)
    if upright is image:
        upright = image.copy()
    upright.info = {k: v for k, v in upright.info.items() if k in _PIXEL_INFO}
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
