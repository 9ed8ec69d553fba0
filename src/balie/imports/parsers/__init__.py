"""Parsers of chat exports: one module per source, one small public API.

``parse(source, kind, **options) -> ParsedChat`` reads an export (a path or a binary file
object) and streams its messages; see :mod:`balie.imports.parsers.base` for the types and
the errors. The modules: ``whatsapp`` (``.txt`` or ``.zip`` from "Export chat"), ``sms``
(SMS Backup & Restore XML) and ``telegram`` (Telegram Desktop JSON).
"""

from __future__ import annotations

from importlib import import_module
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
    "Kind",
    "Limits",
    "ParseError",
    "ParsedAttachment",
    "ParsedChat",
    "ParsedMessage",
    "parse",
]

SOURCES = ("whatsapp", "sms", "telegram")


def parse(source: str | Path | BinaryIO, kind: str, *, file_name: str, **options) -> ParsedChat:
    """Parse an export of ``kind`` (one of SOURCES); options go to that parser."""
    if kind not in SOURCES:
        raise ParseError(file_name, "-", f"Unknown kind of export {kind!r}.", "unknown_kind")
    module = import_module(f"balie.imports.parsers.{kind}")
    return module.parse(source, file_name=file_name, **options)
