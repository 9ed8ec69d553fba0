"""An organisation's look: NL Design System theme tokens for its resident page, widget, app
and console, stored in ``Organisation.theme``.

``tokens(organisation)`` gives every token with the installation's defaults filled in;
surfaces read only that (never ``organisation.theme`` directly), so a stored theme from an
older version still renders.
"""

from __future__ import annotations

from typing import Any

__all__ = ["DEFAULTS", "tokens"]

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


def tokens(organisation: Any) -> dict[str, str]:
    """Every theme token of ``organisation``, defaults for those it has not set."""
    stored = getattr(organisation, "theme", None) or {}
    return {name: str(stored.get(name) or default) for name, default in DEFAULTS.items()}
