"""Read settings from the environment, each declared once with a help text.

Every call to :func:`config` registers the setting so that ``balie settings-doc`` can write
``docs/configuration.md`` from the same declarations the code reads.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

__all__ = ["Setting", "config", "declared_settings"]


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help_text: str


_DECLARED: dict[str, Setting] = {}

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def config(name: str, default: Any, help_text: str) -> Any:
    """Return environment variable ``name`` converted to the type of ``default``."""
    _DECLARED[name] = Setting(name, default, help_text)
    raw = os.environ.get(name)
    if raw is None:
        return default
    if isinstance(default, bool):
        value = raw.strip().lower()
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        raise ValueError(f"{name} must be true or false, not {raw!r}")
    if isinstance(default, int):
        try:
            return int(raw)
        except ValueError:
            raise ValueError(f"{name} must be a whole number, not {raw!r}") from None
    if isinstance(default, list):
        return [item.strip() for item in raw.split(",") if item.strip()]
    return raw


def declared_settings() -> list[Setting]:
    return sorted(_DECLARED.values(), key=lambda s: s.name)
