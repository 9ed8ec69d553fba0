"""An organisation's logo: PNG, JPEG or WebP of at most 200 KB, its type read from the bytes
(never from a name or a client's word), decoded fully, scaled down to fit 512 by 512 pixels and
re-encoded from the pixels alone, so no EXIF, GPS, XMP, ICC profile or comment is kept.

Stored in :class:`~balie.tenants.models.Logo` (a table of its own, so reading an organisation
never reads the bytes); the theme's ``logo`` token is the stored copy's SHA-256, which the
address of the logo and its ETag use.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from balie.errors import Invalid, TooLarge
from balie.tenants.models import Logo, Organisation

__all__ = ["MAX_BYTES", "MAX_SIDE", "CheckedLogo", "check_logo", "logo_of", "logo_size"]

MAX_BYTES = 200 * 1024
MAX_SIDE = 512
MAX_DECLARED_PIXELS = 4096 * 4096  # refused before decoding: a small file can claim a lot
_SIGNATURES = {
    "image/png": lambda d: d.startswith(b"\x89PNG\r\n\x1a\n"),
    "image/jpeg": lambda d: d.startswith(b"\xff\xd8\xff"),
    "image/webp": lambda d: d[:4] == b"RIFF" and d[8:12] == b"WEBP",
}
_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}


@dataclass(frozen=True)
class CheckedLogo:
    data: bytes
    content_type: str
    width: int
    height: int

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def _not_an_image() -> Invalid:
    return Invalid(
        "logo_type",
        _("The logo must be a PNG, JPEG or WebP image; this file is not one, or it is damaged."),
        field="logo",
    )


def check_logo(data: bytes) -> CheckedLogo:
    """The logo as it will be stored, or :class:`Invalid`/:class:`TooLarge` saying why not."""
    if len(data) > MAX_BYTES:
        raise TooLarge(
            "logo_too_large",
            _("The logo is %(size)s KB; at most %(limit)s KB is allowed."),
            field="logo",
            params={"size": -(-len(data) // 1024), "limit": MAX_BYTES // 1024},
        )
    sniffed = next((kind for kind, test in _SIGNATURES.items() if test(data)), None)
    if sniffed is None:
        raise _not_an_image()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if _FORMATS.get(probe.format or "") != sniffed:
                    raise _not_an_image()
                width, height = probe.size
                if width * height > MAX_DECLARED_PIXELS:
                    raise Invalid(
                        "logo_pixels",
                        _("The logo is %(width)s by %(height)s pixels; at most 4096 by 4096."),
                        field="logo",
                        params={"width": width, "height": height},
                    )
                probe.load()
                return _reencode(probe, sniffed)
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise _not_an_image() from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise _not_an_image() from None


def _reencode(image: Image.Image, content_type: str) -> CheckedLogo:
    """Pixels only, upright, within MAX_SIDE × MAX_SIDE, in the type it came in."""
    upright = ImageOps.exif_transpose(image)
    pixels = upright.convert("RGBA" if upright.mode in ("RGBA", "LA", "P", "PA") else "RGB")
    pixels.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    pixels.info = {}
    out = io.BytesIO()
    if content_type == "image/jpeg":
        pixels.convert("RGB").save(out, "JPEG", quality=90, optimize=True)
    elif content_type == "image/webp":
        pixels.save(out, "WEBP", quality=90)
    else:
        pixels.save(out, "PNG", optimize=True)
    return CheckedLogo(out.getvalue(), content_type, pixels.width, pixels.height)


def do_store_logo(organisation: Organisation, logo: CheckedLogo) -> str:
    """Store (or replace) the organisation's logo; its SHA-256 for the theme's token. Called
    by ``theme.do_set_theme`` inside its transaction."""
    Logo.objects.update_or_create(
        organisation=organisation,
        defaults={
            "sha256": logo.sha256,
            "content_type": logo.content_type,
            "data": logo.data,
            "width": logo.width,
            "height": logo.height,
        },
    )
    return logo.sha256


def do_remove_logo(organisation: Organisation) -> None:
    Logo.objects.filter(organisation=organisation).delete()


def logo_size(organisation: Organisation) -> dict[str, int] | None:
    """``{"width", "height"}`` of the stored logo (without reading its bytes), or None."""
    size = Logo.objects.filter(organisation=organisation).values_list("width", "height").first()
    return None if size is None else {"width": size[0], "height": size[1]}


def logo_of(organisation: Organisation) -> Logo | None:
    """The organisation's stored logo, or None."""
    return Logo.objects.filter(organisation=organisation).first()
