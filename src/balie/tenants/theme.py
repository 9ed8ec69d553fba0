"""An organisation's look: NL Design System theme tokens for its resident page, widget, app
and console, stored in ``Organisation.theme``.

``tokens(organisation)`` gives every token with the installation's defaults filled in;
surfaces read only that (never ``organisation.theme`` directly), so a stored theme from an
older version still renders. ``do_set_theme`` is the one writer: colours as ``#rrggbb``, text
on its background at least 4.5:1 (WCAG 2.1 AA, success criterion 1.4.3), a font from the
allow-list (font stacks of fonts a device may have: nothing is downloaded), a logo checked and
re-encoded by :mod:`balie.tenants.logos`.

Who may change a theme is for the accounts layer to say (an organisation's administrator): it
registers its check with :func:`register_permission` when the app is ready (decision 0018);
``actor=None`` is the server's operator at the command line.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from balie.errors import Invalid, NotAllowed
from balie.tenants.logos import check_logo, do_remove_logo, do_store_logo
from balie.tenants.models import Organisation

__all__ = [
    "COLOUR_TOKENS",
    "CONTRAST_PAIRS",
    "DEFAULTS",
    "FONTS",
    "MIN_CONTRAST",
    "blend",
    "check_theme",
    "contrast_ratio",
    "do_set_theme",
    "font_stack",
    "register_permission",
    "tokens",
]

# Token name -> default. Colours are "#rrggbb"; ``font_family`` names one of the font stacks
# the installation offers; ``logo`` is the SHA-256 of the stored logo ("" for none).
DEFAULTS: dict[str, str] = {
    "color_primary": "#154273",
    "color_primary_text": "#ffffff",
    "color_background": "#ffffff",
    "color_text": "#1a1a1a",
    "font_family": "system",
    "logo": "",
}
COLOUR_TOKENS = ("color_primary", "color_primary_text", "color_background", "color_text")
SETTABLE = (*COLOUR_TOKENS, "font_family")
MIN_CONTRAST = 4.5
# (text, background): each pair of colours that is read as text on a surface.
CONTRAST_PAIRS = (("color_text", "color_background"), ("color_primary_text", "color_primary"))
_TOKEN_LABELS = {
    "color_primary": _("primary colour"),
    "color_primary_text": _("text colour of the primary colour"),
    "color_background": _("background colour"),
    "color_text": _("text colour"),
    "font_family": _("font"),
}

_SYSTEM = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'
# The allow-list: name -> CSS font stack. Only the device's own fonts are used (no web font is
# fetched, so no third party learns who opens the chat); a device without the named font
# shows the system font.
FONTS: dict[str, str] = {
    "system": _SYSTEM,
    "Fira Sans": f'"Fira Sans", {_SYSTEM}',
    "Noto Sans": f'"Noto Sans", {_SYSTEM}',
    "Open Sans": f'"Open Sans", {_SYSTEM}',
    "Source Sans Pro": f'"Source Sans Pro", "Source Sans 3", {_SYSTEM}',
    "Roboto": f"Roboto, {_SYSTEM}",
    "Verdana": "Verdana, Geneva, sans-serif",
    "Arial": '"Helvetica Neue", Arial, Helvetica, sans-serif',
    "Georgia": 'Georgia, "Times New Roman", serif',
}
_COLOUR = re.compile(r"#[0-9a-f]{6}")

_permission: Callable[[Any, Organisation], bool] | None = None


def tokens(organisation: Any) -> dict[str, str]:
    """Every theme token of ``organisation``, defaults for those it has not set."""
    stored = getattr(organisation, "theme", None) or {}
    return {name: _stored(name, stored.get(name)) or default for name, default in DEFAULTS.items()}


def _stored(name: str, value: object) -> str:
    """A stored token as written by ``do_set_theme``; "" for anything else (a value put
    there by other means never reaches a style sheet)."""
    if not isinstance(value, str):
        return ""
    if name in COLOUR_TOKENS:
        return value if _COLOUR.fullmatch(value) else ""
    if name == "font_family":
        return value if value in FONTS else ""
    return value if re.fullmatch(r"[0-9a-f]{64}", value) else ""


def font_stack(name: str) -> str:
    """The CSS font stack of an allowed font; the system stack for an unknown name."""
    return FONTS.get(name, _SYSTEM)


def register_permission(check: Callable[[Any, Organisation], bool]) -> None:
    """Called once by the accounts layer: ``check(actor, organisation)`` says whether the
    actor may change the organisation's theme."""
    global _permission
    _permission = check


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def _luminance(colour: str) -> float:
    """Relative luminance as WCAG 2.1 defines it."""
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast_ratio(foreground: str, background: str) -> float:
    """(L1 + 0.05) / (L2 + 0.05), lighter over darker: 1.0 to 21.0."""
    a, b = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def blend(colour: str, other: str, share: float) -> str:
    """``colour`` mixed with ``share`` (0..1) of ``other``, as ``#rrggbb``."""
    mixed = (
        round(int(colour[i : i + 2], 16) * (1 - share) + int(other[i : i + 2], 16) * share)
        for i in (1, 3, 5)
    )
    return "#" + "".join(f"{c:02x}" for c in mixed)


def _colour(name: str, value: object) -> str:
    text = str(value).strip().lower() if isinstance(value, str) else ""
    if not _COLOUR.fullmatch(text):
        raise Invalid(
            "theme_colour",
            _("The %(token)s must be a colour written as #rrggbb (like #154273), not %(value)s."),
            field=name,
            params={"token": _TOKEN_LABELS[name], "value": repr(value)[:40]},
        )
    return text


class _Ratio:
    """A contrast ratio in the reader's notation (4.47 or 4,47), rounded down so that a
    refused ratio never reads as 4.50."""

    def __init__(self, ratio: float) -> None:
        self.value = int(ratio * 100) / 100

    def __str__(self) -> str:
        return formats.number_format(self.value, 2)


def check_theme(current: dict[str, str], changes: dict[str, object]) -> dict[str, str]:
    """The stored theme after ``changes`` (token -> value; "" or None goes back to the
    default), or :class:`Invalid` naming the first bad token or the pair that lacks contrast."""
    unknown = sorted(set(changes) - set(SETTABLE))
    if unknown:
        raise Invalid(
            "theme_unknown_token",
            _("Unknown theme setting %(name)s (known: %(known)s)."),
            field=unknown[0],
            params={"name": unknown[0], "known": ", ".join(SETTABLE)},
        )
    theme = {name: value for name, value in current.items() if name in DEFAULTS and value}
    for name, value in changes.items():
        if value is None or value == "":
            theme.pop(name, None)
        elif name == "font_family":
            if value not in FONTS:
                raise Invalid(
                    "theme_font",
                    _("The font %(value)s is not offered; choose one of: %(fonts)s."),
                    field=name,
                    params={"value": repr(value)[:40], "fonts": ", ".join(FONTS)},
                )
            theme[name] = str(value)
        else:
            theme[name] = _colour(name, value)
    effective = {**DEFAULTS, **theme}
    for text, background in CONTRAST_PAIRS:
        ratio = contrast_ratio(effective[text], effective[background])
        if ratio < MIN_CONTRAST:
            raise Invalid(
                "theme_contrast",
                _(
                    "The %(text)s %(text_value)s on the %(background)s %(background_value)s "
                    "has a contrast of %(ratio)s:1; at least 4.5:1 is needed (WCAG AA)."
                ),
                field=text,
                params={
                    "text": _TOKEN_LABELS[text],
                    "text_value": effective[text],
                    "background": _TOKEN_LABELS[background],
                    "background_value": effective[background],
                    "ratio": _Ratio(ratio),
                },
            )
    return theme


def do_set_theme(
    organisation: Organisation,
    *,
    actor: Any,
    logo: bytes | None = None,
    remove_logo: bool = False,
    **changes: object,
) -> Organisation:
    """Change some of the organisation's theme tokens (others stay), and replace or remove
    its logo (PNG, JPEG or WebP bytes; see :mod:`balie.tenants.logos`). Checks everything
    before it writes anything."""
    if actor is not None and (_permission is None or not _permission(actor, organisation)):
        raise NotAllowed(
            "theme_not_allowed",
            _("Only an administrator of the organisation may change its theme."),
        )
    theme = check_theme(tokens(organisation), changes)
    checked = check_logo(logo) if logo is not None else None
    with transaction.atomic():
        locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
        # The logo token stays unless this call replaces or removes the logo.
        theme.pop("logo", None)
        if checked is not None:
            theme["logo"] = do_store_logo(locked, checked)
        elif remove_logo:
            do_remove_logo(locked)
        elif (locked.theme or {}).get("logo"):
            theme["logo"] = locked.theme["logo"]
        locked.theme = theme
        locked.save(update_fields=["theme"])
    organisation.theme = theme
    return organisation
