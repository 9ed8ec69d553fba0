"""The resident app's icons, drawn per organisation with Pillow: its logo on its background
colour when its theme has one, else a monogram (the name's first letter, "Gemeente" left
out) in its primary colours.

Three PNGs, as the manifest lists them: 192 and 512 pixels (``any``) and a 512-pixel
``maskable`` one, whose content stays inside the central circle of 80 % that every launcher
shape keeps. They are drawn once per theme (``version``) and kept in memory.
"""

from __future__ import annotations

import hashlib
import io
import threading
from collections import OrderedDict

from PIL import Image, ImageDraw, ImageFont, UnidentifiedImageError

from balie.tenants.logos import logo_of
from balie.tenants.models import Organisation
from balie.tenants.theme import tokens

__all__ = ["ICONS", "icon_png", "monogram_letter", "version"]

# name in the URL -> (size in pixels, purpose)
ICONS: dict[str, tuple[int, str]] = {
    "192": (192, "any"),
    "512": (512, "any"),
    "maskable-512": (512, "maskable"),
}
DRAWING = 2  # bump when the drawing changes, so browsers fetch the new icons
PREFIXES = ("gemeente ", "municipality of ", "stadsdeel ")
_CACHE_SIZE = 64
_cache: OrderedDict[tuple[str, str], bytes] = OrderedDict()
_lock = threading.Lock()


def version(organisation: Organisation) -> str:
    """Changes with anything the icons are drawn from."""
    theme = tokens(organisation)
    seed = "|".join(
        [
            str(DRAWING),
            organisation.name,
            theme["color_primary"],
            theme["color_primary_text"],
            theme["color_background"],
            theme["logo"],
        ]
    )
    return hashlib.sha256(seed.encode()).hexdigest()[:16]


def monogram_letter(name: str) -> str:
    """The letter on the monogram: "Gemeente Utrecht" → "U"."""
    lowered = name.lower()
    for prefix in PREFIXES:
        if lowered.startswith(prefix) and len(name) > len(prefix):
            name = name[len(prefix) :]
            break
    letter = next((ch for ch in name if ch.isalnum()), "B")
    return letter.upper()


def icon_png(organisation: Organisation, name: str) -> bytes:
    """The PNG of icon ``name`` (a key of :data:`ICONS`)."""
    key = (version(organisation), name)
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    data = _draw(organisation, *ICONS[name])
    with _lock:
        _cache[key] = data
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return data


def _draw(organisation: Organisation, size: int, purpose: str) -> bytes:
    theme = tokens(organisation)
    logo = _logo(organisation) if theme["logo"] else None
    if logo is not None:
        image = Image.new("RGB", (size, size), theme["color_background"])
        # a maskable icon's safe zone is the central 80 % circle: a square of 0.56
        share = 0.56 if purpose == "maskable" else 0.8
        logo.thumbnail((round(size * share), round(size * share)))
        image.paste(logo, ((size - logo.width) // 2, (size - logo.height) // 2), logo)
    else:
        image = Image.new("RGB", (size, size), theme["color_primary"])
        draw = ImageDraw.Draw(image)
        share = 0.42 if purpose == "maskable" else 0.6
        font = ImageFont.load_default(size=round(size * share))
        draw.text(
            (size / 2, size / 2),
            monogram_letter(organisation.name),
            fill=theme["color_primary_text"],
            font=font,
            anchor="mm",
        )
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def _logo(organisation: Organisation) -> Image.Image | None:
    """The stored logo as RGBA, or None when there is none or it does not open."""
    stored = logo_of(organisation)
    if stored is None:
        return None
    try:
        with Image.open(io.BytesIO(bytes(stored.data))) as opened:
            return opened.convert("RGBA")
    except (UnidentifiedImageError, OSError, ValueError):
        return None
