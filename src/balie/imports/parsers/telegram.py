"""Telegram Desktop's JSON export (``result.json``): one chat, or a whole account.

A single chat is ``{"name", "type", "id", "messages": [...]}``; an account export has its
chats under ``{"chats": {"list": [...]}}`` (and ``"left_chats"``). A message is
``{"id", "type": "message"|"service", "date": "2024-01-15T21:05:33" (the exporting computer's
local time), "date_unixtime": "1705349133" (newer exports), "from", "text", "edited",
"photo", "file", "media_type", "mime_type", "actor", "action", "title", "members"}``, with
``text`` a string or a list of strings and entity objects (``{"type": "link", "text": …}``).

The file is checked against ``Limits.max_bytes`` and then read with the standard ``json``
module: an export's size is mostly its media, which are separate files. A zip of the export
folder (``ChatExport_…/result.json`` with ``photos/``, ``files/``, ``video_files/``,
``voice_messages/``, …) is read through :mod:`balie.imports.parsers.zips`; a media path
becomes the zip member beside ``result.json``, and one that climbs out of the folder or is
not in the zip is a file the export did not include.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import IO, BinaryIO

from balie.imports.parsers.base import (
    Kind,
    Limits,
    ParsedAttachment,
    ParsedChat,
    ParsedMessage,
    ParseError,
    time_zone_of,
)
from balie.imports.parsers.zips import member_reader, read_infos

__all__ = ["parse"]

NOT_INCLUDED = "(File "  # "(File not included. …)", "(File exceeds maximum size. …)", …


def parse(
    source: str | Path | BinaryIO,
    *,
    file_name: str,
    time_zone: str = "Europe/Amsterdam",
    limits: Limits | None = None,
) -> ParsedChat:
    limits = limits or Limits()
    zone = time_zone_of(time_zone, file_name)
    data, resolve = _read(source, file_name, limits)
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ParseError(file_name, "-", "The file is not UTF-8.", "not_utf8") from None
    except json.JSONDecodeError as error:
        raise ParseError(
            file_name, f"line {error.lineno}, column {error.colno}", f"Not JSON ({error.msg}).",
            "malformed_json",
        ) from None  # fmt: skip
    except RecursionError:
        raise ParseError(
            file_name, "-", "The JSON is nested too deeply.", "malformed_json"
        ) from None
    if not isinstance(document, dict):
        raise ParseError(
            file_name, "$", "Not a Telegram export (not an object).", "not_telegram_export"
        )
    if isinstance(document.get("messages"), list):
        chats = [("", document)]
        form, title = "telegram/single-chat", _chat_name(document)
    elif isinstance(document.get("chats"), dict) and isinstance(
        document["chats"].get("list"), list
    ):
        chats = [(f"chats.list[{n}]", c) for n, c in enumerate(document["chats"]["list"])]
        left = document.get("left_chats")
        if isinstance(left, dict) and isinstance(left.get("list"), list):
            chats += [(f"left_chats.list[{n}]", c) for n, c in enumerate(left["list"])]
        form, title = "telegram/account", "Telegram-export"
    else:
        raise ParseError(
            file_name, "$", "Not a Telegram export (no messages or chats).", "not_telegram_export"
        )
    chat = ParsedChat(
        source="telegram", format=form, title=title, time_zone=time_zone, messages=iter(())
    )
    chat.messages = _messages(chats, zone, file_name, resolve)
    return chat


Resolve = Callable[[str], "str | None"]


def _read(source, file_name: str, limits: Limits) -> tuple[bytes, Resolve]:
    """``result.json``'s bytes, and how a media path in it becomes a member name: itself
    for a bare ``result.json`` (relative to its folder), the member in a zipped folder."""
    if isinstance(source, (str, Path)):
        path = Path(source)
        if path.stat().st_size > limits.max_bytes:
            raise ParseError(file_name, "-", "The file is too large.", "too_large")

        def raw() -> IO[bytes]:
            return path.open("rb")
    else:
        whole = source.read(limits.max_bytes + 1)
        if len(whole) > limits.max_bytes:
            raise ParseError(file_name, "-", "The file is too large.", "too_large")

        def raw() -> IO[bytes]:
            return io.BytesIO(whole)

    with raw() as stream:
        if stream.read(4) != b"PK\x03\x04":
            stream.seek(0)
            data = stream.read(limits.max_bytes + 1)
            if len(data) > limits.max_bytes:
                raise ParseError(file_name, "-", "The file is too large.", "too_large")
            return data, lambda value: value
    return _read_zip(raw, file_name, limits)


def _read_zip(raw, file_name: str, limits: Limits) -> tuple[bytes, Resolve]:
    """A zipped export folder: the shallowest ``result.json`` (Telegram Desktop writes it
    in ``ChatExport_…/`` or ``DataExport_…/``) and the files beside it, nothing else."""
    infos = read_infos(raw, file_name, limits)
    names = {info.filename for info in infos if not info.is_dir()}
    found = sorted(
        (n for n in names if PurePosixPath(n).name == "result.json"), key=lambda n: n.count("/")
    )
    if not found:
        raise ParseError(file_name, "-", "The zip holds no result.json.", "not_telegram_export")
    if len(found) > 1 and found[0].count("/") == found[1].count("/"):
        raise ParseError(
            file_name, "-", "The zip holds more than one Telegram export.", "not_telegram_export"
        )
    folder = PurePosixPath(found[0]).parent
    with member_reader(raw, found[0], file_name, limits.max_bytes) as stream:
        data = stream.read()

    def resolve(value: str) -> str | None:
        relative = PurePosixPath(value.replace("\\", "/"))
        if relative.is_absolute() or ".." in relative.parts:
            return None
        member = str(folder / relative) if str(folder) != "." else str(relative)
        return member if member in names else None

    return data, resolve


def _chat_name(chat) -> str:
    name = chat.get("name") if isinstance(chat, dict) else None
    return name if isinstance(name, str) and name else f"chat {chat.get('id', '?')}"


def _messages(chats, zone, file_name, resolve):
    index = 0
    for path, chat in chats:
        where = f"{path}." if path else ""
        if not isinstance(chat, dict) or not isinstance(chat.get("messages"), list):
            raise ParseError(file_name, path or "$", "A chat without a list of messages.",
                             "not_telegram_export")  # fmt: skip
        name = _chat_name(chat)
        for n, item in enumerate(chat["messages"]):
            position = f"{where}messages[{n}]"
            if not isinstance(item, dict):
                raise ParseError(file_name, position, "A message is not an object.", "bad_message")
            yield _message(item, index, position, name, chat.get("id"), zone, file_name, resolve)
            index += 1


def _message(item, index, position, chat_name, chat_id, zone, file_name, resolve) -> ParsedMessage:
    timestamp = _timestamp(item, position, zone, file_name)
    text = _text(item.get("text", ""), position, file_name)
    attachments = _attachments(item, resolve)
    if item.get("type") == "service":
        kind, author, text = Kind.SYSTEM, None, _service(item, text)
    else:
        author = item.get("from") if isinstance(item.get("from"), str) else None
        author = author or "(onbekend)"
        kind = Kind.MEDIA if attachments else Kind.EDITED if item.get("edited") else Kind.TEXT
    quoted = item.get("reply_to_message_id")
    return ParsedMessage(
        index, position, timestamp, author, text, kind, chat_name, None, attachments,
        f"{chat_id}:{item.get('id')}",
        f"{chat_id}:{quoted}" if isinstance(quoted, int) and not isinstance(quoted, bool) else None,
    )  # fmt: skip


def _timestamp(item, position, zone, file_name) -> datetime:
    unix = item.get("date_unixtime")
    try:
        if unix is not None:
            return datetime.fromtimestamp(int(unix), tz=UTC).astimezone(zone)
        local = item.get("date")
        if not isinstance(local, str):
            raise ValueError
        return datetime.fromisoformat(local).replace(tzinfo=zone)
    except (ValueError, TypeError, OverflowError, OSError):
        raise ParseError(file_name, f"{position}.date", "Not a valid date.", "bad_date") from None


def _text(value, position, file_name) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        parts = []
        for n, piece in enumerate(value):
            if isinstance(piece, str):
                parts.append(piece)
            elif isinstance(piece, dict) and isinstance(piece.get("text"), str):
                parts.append(piece["text"])
            else:
                raise ParseError(file_name, f"{position}.text[{n}]", "Not text.", "bad_text")
        return "".join(parts)
    raise ParseError(file_name, f"{position}.text", "Not text.", "bad_text")


def _attachments(item, resolve) -> tuple[ParsedAttachment, ...]:
    found = []
    for key in ("photo", "file"):
        value = item.get(key)
        if not isinstance(value, str) or not value:
            continue
        if value.startswith(NOT_INCLUDED):
            found.append(ParsedAttachment(name=item.get("file_name") or key, member=None,
                                          mime_type=item.get("mime_type")))  # fmt: skip
        else:
            found.append(ParsedAttachment(name=PurePosixPath(value).name, member=resolve(value),
                                          mime_type=item.get("mime_type")))  # fmt: skip
    return tuple(found)


def _service(item, text: str) -> str:
    actor = item.get("actor") if isinstance(item.get("actor"), str) else "Someone"
    action = item.get("action") if isinstance(item.get("action"), str) else "event"
    title = item.get("title") if isinstance(item.get("title"), str) else ""
    members = item.get("members") if isinstance(item.get("members"), list) else []
    described = {
        "create_group": f'{actor} created group "{title}"',
        "edit_group_title": f'{actor} changed the group name to "{title}"',
        "invite_members": f"{actor} added {', '.join(str(m) for m in members)}",
        "remove_members": f"{actor} removed {', '.join(str(m) for m in members)}",
        "join_group_by_link": f"{actor} joined by link",
        "pin_message": f"{actor} pinned a message",
    }.get(action, f"{actor}: {action.replace('_', ' ')}")
    return f"{described}. {text}".strip() if text else described
