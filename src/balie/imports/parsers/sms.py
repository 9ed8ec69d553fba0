"""SMS Backup & Restore (SyncTech, Android): the ``.xml`` backup of a phone's text messages.

``<smses>`` holds ``<sms>`` elements (``address``, ``date`` in milliseconds since 1970,
``type`` 1 received / 2 sent / 3 draft / 4 outbox / 5 failed / 6 queued, ``body``,
``contact_name``) and ``<mms>`` elements (``msg_box`` 1 received / 2 sent, ``<parts>`` with
``text/plain`` text and base64 ``data`` of images and other files, ``<addrs>`` with the
sender (type 137) and recipients (151, 130)). The value "null" means absent. The app's call
log is a second file, ``<calls>`` of ``<call>`` elements (``number``, ``duration`` in
seconds, ``date``, ``type`` 1 incoming / 2 outgoing / 3 missed / 4 voicemail / 5 rejected /
6 blocked, ``contact_name``): each call is a system entry in its number's conversation, with
who called and the duration. Numbers are normalised with ``phonenumbers`` (see ``_number``).

The file is read as a stream with defusedxml (no DTDs, entities or external references) and
each element is cleared once read. The app writes an emoji as two numeric references to
UTF-16 surrogates (``&#55357;&#56832;``), which XML does not allow; they are joined into one
reference to the real character while reading.
"""

from __future__ import annotations

import base64
import binascii
import io
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO
from xml.etree.ElementTree import ParseError as XMLParseError

import phonenumbers
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from balie.imports.parsers.base import (
    Kind,
    Limits,
    ParsedAttachment,
    ParsedChat,
    ParsedMessage,
    ParseError,
    time_zone_of,
)

__all__ = ["parse"]

SENT = {"2", "4", "5", "6"}  # sent, outbox, failed, queued: written by the phone's owner
RECEIVED = {"1"}
DRAFT = {"3"}
DEFAULT_REGION = "NL"
LETTERS = re.compile(r"[^\d+*#]")
CALL_TYPES = {
    "1": ("Incoming call", False), "2": ("Outgoing call", True), "3": ("Missed call", False),
    "4": ("Voicemail", False), "5": ("Rejected call", False), "6": ("Blocked call", False),
}  # fmt: skip
SURROGATES = re.compile(rb"&#(5[5-6]\d{3});&#(5[6-7]\d{3});")
TRAILING = re.compile(rb"(?:&#(?:55[3-9]\d\d|56[0-2]\d\d);)?(?:&#?\d{0,5})?$")


def parse(
    source: str | Path | BinaryIO,
    *,
    file_name: str,
    time_zone: str = "Europe/Amsterdam",
    owner_name: str = "",
    limits: Limits | None = None,
) -> ParsedChat:
    limits = limits or Limits()
    zone = time_zone_of(time_zone, file_name)
    if isinstance(source, (str, Path)):
        path = Path(source)
        size = path.stat().st_size
        if size > limits.max_bytes:
            raise ParseError(file_name, "-", "The file is too large.", "too_large")
        if size == 0:
            raise ParseError(file_name, "line 1", "The file is empty.", "not_sms_backup")

        def opener():
            return path.open("rb")
    else:
        data = source.read(limits.max_bytes + 1)
        if len(data) > limits.max_bytes:
            raise ParseError(file_name, "-", "The file is too large.", "too_large")
        if not data:
            raise ParseError(file_name, "line 1", "The file is empty.", "not_sms_backup")

        def opener():
            return io.BytesIO(data)

    chat = ParsedChat(
        source="sms",
        format="sms-backup-restore",
        title=Path(file_name).stem,
        time_zone=time_zone,
        messages=iter(()),
    )
    chat.messages = _messages(opener, file_name, zone, owner_name or "Ik", limits, chat)
    return chat


class _Joined(io.RawIOBase):
    """The file with surrogate pairs written as references joined into one character."""

    def __init__(self, raw: BinaryIO):
        self.raw, self.tail = raw, b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while True:
            chunk = self.raw.read(max(len(buffer) - len(self.tail), 64))
            data = self.tail + chunk
            if not chunk:
                self.tail = b""
            else:
                # A pair may be cut at the end: keep a trailing high-surrogate reference
                # and any unfinished reference for the next read.
                trailing = TRAILING.search(data, max(0, len(data) - 32))
                cut = trailing.start() if trailing else len(data)
                data, self.tail = data[:cut], data[cut:]
                if not data:
                    continue
            data = SURROGATES.sub(_join, data)
            buffer[: len(data)] = data
            return len(data)


def _join(match: re.Match) -> bytes:
    high, low = int(match.group(1)), int(match.group(2))
    if not (0xD800 <= high <= 0xDBFF and 0xDC00 <= low <= 0xDFFF):
        return match.group(0)
    point = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
    return f"&#{point};".encode()


def _value(element, name: str) -> str:
    value = element.get(name)
    return "" if value is None or value == "null" else value


def _messages(opener, file_name, zone, owner_name, limits, chat):
    counts = {"sms": 0, "mms": 0, "call": 0}
    index = 0
    root_seen = False
    with opener() as raw:
        stream = io.BufferedReader(_Joined(raw), buffer_size=1024 * 1024)
        try:
            for event, element in iterparse(stream, events=("start", "end"), forbid_dtd=True):
                if event == "start":
                    if not root_seen:
                        root_seen = True
                        if element.tag == "calls":
                            chat.format = "sms-backup-restore/calls"
                        elif element.tag != "smses":
                            raise ParseError(
                                file_name, f"<{element.tag}>",
                                "This is not an SMS Backup & Restore file (no <smses> or <calls>).",
                                "not_sms_backup",
                            )  # fmt: skip
                    continue
                if element.tag not in ("sms", "mms", "call"):
                    continue
                counts[element.tag] += 1
                position = f"<{element.tag}> {counts[element.tag]}"
                message = _message(element, position, index, zone, owner_name, limits, file_name)
                element.clear()
                if message is None:
                    chat.warnings.append(f"{position}: a draft, left out")
                    continue
                index += 1
                yield message
        except ParseError:
            raise
        except XMLParseError as error:
            line, column = getattr(error, "position", (0, 0))
            raise ParseError(
                file_name, f"line {line}, column {column}", f"Not well-formed XML ({error}).",
                "malformed_xml",
            ) from None  # fmt: skip
        except DefusedXmlException as error:
            raise ParseError(
                file_name, "-", f"Refused: the XML declares {type(error).__name__}.", "xml_refused"
            ) from None
        except (LookupError, ValueError) as error:  # e.g. an unknown encoding declared
            raise ParseError(
                file_name, "line 1", f"Not readable XML ({error}).", "malformed_xml"
            ) from None
    if not root_seen:
        raise ParseError(file_name, "line 1", "The file is empty.", "not_sms_backup")


def _message(element, position, index, zone, owner_name, limits, file_name):
    raw_date = _value(element, "date")
    try:
        timestamp = datetime.fromtimestamp(int(raw_date) / 1000, tz=UTC).astimezone(zone)
    except (ValueError, OverflowError, OSError):
        raise ParseError(
            file_name, position, f"Not a valid date: {raw_date!r}.", "bad_date"
        ) from None
    if element.tag == "call":
        return _call(element, position, index, timestamp, owner_name, file_name)
    if element.tag == "sms":
        box = _value(element, "type")
        text = _value(element, "body")
        attachments: tuple = ()
        address = _value(element, "address")
    else:
        box = _value(element, "msg_box")
        text, attachments = _parts(element, position, limits, file_name)
        address = _mms_address(element, outgoing=box in SENT)
    if box in DRAFT:
        return None
    outgoing = box in SENT
    chat = ", ".join(sorted({_number(a) for a in address.split("~") if a})) or "onbekend"
    name = _value(element, "contact_name")
    if name in ("(Unknown)", "(Onbekend)"):
        name = ""
    author = owner_name if outgoing else (name or chat)
    return ParsedMessage(
        index, position, timestamp, author, text,
        Kind.MEDIA if attachments else Kind.TEXT, chat, outgoing, attachments,
    )  # fmt: skip


def _call(element, position, index, timestamp, owner_name, file_name) -> ParsedMessage:
    """A call from the backup's ``<calls>``: who called whom, and for how long (seconds)."""
    what, outgoing = CALL_TYPES.get(_value(element, "type"), ("Call", False))
    raw = _value(element, "duration") or "0"
    if not raw.isdigit() or len(raw) > 9:
        raise ParseError(file_name, position, f"Not a valid duration: {raw!r}.", "bad_duration")
    seconds = int(raw)
    chat = _number(_value(element, "number")) or "onbekend"
    name = _value(element, "contact_name")
    if name in ("(Unknown)", "(Onbekend)"):
        name = ""
    author = owner_name if outgoing else (name or chat)
    minutes, rest = divmod(seconds, 60)
    text = f"{what}, {minutes}:{rest:02d} ({seconds} s)"
    return ParsedMessage(index, position, timestamp, author, text, Kind.SYSTEM, chat, outgoing)


def _number(address: str) -> str:
    """One spelling per number, so one conversation: ``06 12345678``, ``+31612345678`` and
    ``0031 6 12345678`` are ``+31612345678`` (E.164, read as Dutch when written without a
    country code; decision 0024). A sender with letters (``ING``) and a number that cannot
    be a subscriber's (short codes such as ``3535``) keep their own spelling."""
    cleaned = re.sub(r"[\s()./-]", "", address)
    if LETTERS.search(cleaned):
        return address.strip()
    if not cleaned or len(cleaned) > 32:
        return cleaned
    try:
        number = phonenumbers.parse(cleaned, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return cleaned
    if not phonenumbers.is_possible_number(number):
        return cleaned
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _mms_address(element, *, outgoing: bool) -> str:
    """Sent: the recipients (151 to, 130 cc); received: the sender (137). (A received group
    message is filed under its sender: the backup does not say which number is the owner's.)"""
    wanted = ("151", "130") if outgoing else ("137",)
    addresses = [_value(a, "address") for a in element.iter("addr") if _value(a, "type") in wanted]
    return "~".join(a for a in addresses if a and a != "insert-address-token") or _value(
        element, "address"
    )


def _parts(element, position, limits, file_name):
    texts, attachments = [], []
    for part in element.iter("part"):
        content_type = _value(part, "ct").lower()
        if content_type == "application/smil":
            continue
        if content_type == "text/plain":
            texts.append(_value(part, "text"))
            continue
        data = _value(part, "data")
        if not data:
            continue
        if len(data) > limits.max_attachment_bytes * 4 // 3 + 4:
            raise ParseError(file_name, position, "An attachment is too large.", "too_large")
        try:
            decoded = base64.b64decode(data, validate=True)
        except (binascii.Error, ValueError):
            raise ParseError(
                file_name, position, "An attachment is not valid base64.", "bad_base64"
            ) from None
        name = _value(part, "cl") or _value(part, "name") or f"part-{_value(part, 'seq')}"
        attachments.append(ParsedAttachment(name=name, mime_type=content_type, data=decoded))
    return "\n".join(t for t in texts if t), tuple(attachments)
