"""What every parser returns: an export's messages, streamed, and the errors it raises.

A parser never writes anything: it reads one export file (or zip) and yields
:class:`ParsedMessage` objects in the order they appear in the file. Selection, storage and
provenance are :mod:`balie.imports`' business, not the parsers'.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from balie.errors import Invalid


class Kind(enum.StrEnum):
    TEXT = "text"
    MEDIA = "media"  # a file was sent (with or without a caption in ``text``)
    SYSTEM = "system"  # encryption notice, group events, Telegram service messages
    DELETED = "deleted"  # "This message was deleted" and the like: no text survives
    EDITED = "edited"  # the text as last edited ("<Dit bericht is bewerkt>" removed)


@dataclass(frozen=True)
class ParsedAttachment:
    """A file a message refers to. ``member`` is its name inside the export (zip member or a
    path relative to the export's folder) when the export holds it; None when the export
    only says a file was omitted."""

    name: str
    member: str | None = None
    mime_type: str | None = None  # as the export states it (SMS parts, Telegram), if any
    data: bytes | None = None  # inline bytes (SMS MMS parts carry base64 data)
    omitted: str | None = None  # a file the export left out: "image", "video", … ("media")


@dataclass(slots=True)  # not frozen: a million of these are made per large export
class ParsedMessage:
    index: int  # position in the export, from 0
    position: str  # where it starts, for people: "line 12", "<sms> 7", "messages[3]"
    timestamp: datetime  # timezone-aware
    author: str | None  # None for system messages
    text: str  # line breaks kept; markers (media omitted, edited, U+200E) removed
    kind: Kind
    chat: str = ""  # the conversation in a multi-chat export (SMS address, Telegram chat)
    outgoing: bool | None = None  # SMS: sent by the phone's owner; else unknown (None)
    attachments: tuple[ParsedAttachment, ...] = ()
    source_id: str | None = None  # the export's own message id, when it has one (Telegram)
    reply_to: str | None = None  # the ``source_id`` of the message it quotes (Telegram)


@dataclass
class ParsedChat:
    """One export. ``messages`` is a single-use iterator: the file is read as it is consumed.
    ``format`` names the layout detected, e.g. ``whatsapp/android/nl/24h/dmy``."""

    source: str  # "whatsapp" | "sms" | "telegram"
    format: str
    title: str  # the chat's name where the export gives it, else the file name
    time_zone: str  # IANA name the naive timestamps were read in
    messages: Iterator[ParsedMessage]
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Limits:
    """What a parser refuses, before reading further. The defaults suit a phone's export;
    the import actions pass the installation's settings."""

    max_bytes: int = 512 * 1024 * 1024  # the export file itself (txt, xml, json or zip)
    max_unpacked_bytes: int = 2 * 1024 * 1024 * 1024  # all members of a zip together
    max_zip_members: int = 20_000
    max_ratio: int = 200  # a zip member's uncompressed / compressed size (zip bombs)
    max_line_chars: int = 1_000_000  # one line of a text export
    max_attachment_bytes: int = 64 * 1024 * 1024  # one inline attachment (MMS parts)


class ParseError(Invalid):
    """Bad input: names the file and where in it (line, element or JSON path); ``reason``
    is the problem alone, the message all three."""

    def __init__(self, file: str, position: str, reason: str, code: str = "malformed"):
        self.file, self.position, self.reason = file, position, reason
        super().__init__(code, f"{file}, {position}: {reason}")


def time_zone_of(name: str, file_name: str) -> ZoneInfo:
    """The official's time zone for an export (exports carry none), or a ParseError."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ParseError(file_name, "-", f"Unknown time zone {name!r}.", "bad_time_zone") from None
