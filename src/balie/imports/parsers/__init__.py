"""Parsers of chat exports: one module per source, one small public API.

``parse(source, kind, **options) -> ParsedChat`` reads an export (a path or a binary file
object) and streams its messages; see :mod:`balie.imports.parsers.base` for the types and
the errors. The modules: ``whatsapp`` (``.txt`` or ``.zip`` from "Export chat"), ``sms``
(SMS Backup & Restore XML) and ``telegram`` (Telegram Desktop JSON).
"""

from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec
from pathlib import Path
from typing import BinaryIO

from balie.imports.parsers.base import (
    Kind,
    Limits,
    ParsedAttachment,
    ParsedChat,
    ParsedMessage,
    ParseError,
)

__all__ = [
    "SOURCES",
    "available",
    "Kind",
    "Limits",
    "ParseError",
    "ParsedAttachment",
    "ParsedChat",
    "ParsedMessage",
    "parse",
]

SOURCES = ("whatsapp", "sms", "telegram")


def available() -> tuple[str, ...]:
    """The sources whose parser is installed."""
    return tuple(s for s in SOURCES if find_spec(f"balie.imports.parsers.{s}") is not None)


def parse(source: str | Path | BinaryIO, kind: str, *, file_name: str, **options) -> ParsedChat:
    """Parse an export of ``kind`` (one of SOURCES); options go to that parser."""
    if kind not in SOURCES:
        raise ParseError(file_name, "-", f"Unknown kind of export {kind!r}.", "unknown_kind")
    if kind not in available():
        raise ParseError(
            file_name, "-", f"{kind} exports cannot be read yet (only: {', '.join(available())}).",
            "unsupported",
        )  # fmt: skip
    module = import_module(f"balie.imports.parsers.{kind}")
    return module.parse(source, file_name=file_name, **options)
