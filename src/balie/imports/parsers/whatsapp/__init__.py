"""WhatsApp's "Export chat": a ``.txt``, or a ``.zip`` holding it and the media files.

Layouts (each line that starts a message has a header; other lines continue the message):

- Android: ``15-01-2024 21:05 - Jan: Hallo`` (Dutch), ``15/01/2024, 21:05 - …`` (UK),
  ``1/15/24, 9:05 PM - …`` (US), ``15.01.24, 21:05 - …`` (German), ``15/01/2024 à 21:05 - …``
  (French), ``15/1/24, 9:05 p. m. - …`` (Spanish); a line without "author: " is a system line.
- iOS: ``[15-01-2024 21:05:33] Jan: Hallo``, ``[1/15/24, 9:05:33 PM] Jan: …``; lines often
  start with U+200E, and system lines carry the chat's name as author.

The date order (day-month-year, month-day-year or year-month-day) is read from the whole
file: a field above 12 decides. When every date could be either, the caller must say
(``date_order``), else the parse stops with ``ambiguous_date_order``. Exports carry no time
zone: times are read in ``time_zone``.

Speed: the text is read in large blocks and the headers found with one regular expression
per block; dates and hours are parsed once per distinct value (a chat has few).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import BinaryIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from balie.imports.parsers.base import (
    Kind,
    Limits,
    ParsedAttachment,
    ParsedChat,
    ParsedMessage,
    ParseError,
)

__all__ = ["parse"]

BLOCK = 4 * 1024 * 1024
MARKS = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\ufeff"
_MARK = re.compile(f"[{MARKS}]")


def _strip_marks(text: str) -> str:
    return _MARK.sub("", text) if _MARK.search(text) else text


_DATE = r"(?P<d>\d{1,4}[./-]\d{1,2}[./-]\d{1,4})"
_TIME = r"(?P<t>\d{1,2}[:.]\d{2}(?:[:.]\d{2})?)"
_AMPM = r"(?:[ \u202f\u00a0]?(?P<ap>[AaPp]\.?[ \u202f\u00a0]?[Mm]\.?))?"
ANDROID = re.compile(rf"^[{MARKS}]*{_DATE},?(?: à| um| a las)? {_TIME}{_AMPM} [-–] ", re.MULTILINE)
IOS = re.compile(rf"^[{MARKS}]*\[{_DATE},? {_TIME}{_AMPM}\] ", re.MULTILINE)

MEDIA_OMITTED = {
    "<media omitted>", "<media weggelaten>", "<medien ausgeschlossen>", "<médias omis>",
    "<multimedia omitido>", "image omitted", "video omitted", "audio omitted",
    "afbeelding weggelaten", "video weggelaten", "audio weggelaten", "sticker omitted",
    "sticker weggelaten", "document omitted", "gif omitted",
}  # fmt: skip
ATTACHED = re.compile(
    r"^(?P<name>\S.*?\.\w{1,5}) \((?:file attached|bestand bijgevoegd|Datei angehängt|"
    r"fichier joint|archivo adjunto)\)",
)
ATTACHED_IOS = re.compile(
    r"^<(?:attached|bijgevoegd|Anhang|pièce jointe|adjunto) ?: (?P<name>[^>]+)>"
)
DELETED = {
    "this message was deleted", "you deleted this message", "dit bericht is verwijderd",
    "je hebt dit bericht verwijderd", "u heeft dit bericht verwijderd",
    "diese nachricht wurde gelöscht", "du hast diese nachricht gelöscht",
    "ce message a été supprimé", "vous avez supprimé ce message", "se eliminó este mensaje",
    "eliminaste este mensaje",
}  # fmt: skip
EDITED = re.compile(
    r"[ \n]*<(?:This message was edited|Dit bericht is bewerkt|Diese Nachricht wurde "
    r"bearbeitet|Ce message a été modifié|Se editó este mensaje\.?)>$"
)
SYSTEM_PHRASES = (
    "end-to-end", "versleuteld", "verschlüsselt", "chiffrés", "cifrados", "created group",
    "heeft de groep", "hat die gruppe", "a créé le groupe", "creó el grupo", " added ",
    " toegevoegd", "hinzugefügt", " a ajouté", " añadió", " left", " is vertrokken",
    " hat die gruppe verlassen", " est parti", " salió", " removed ", " verwijderd",
    "changed the subject", "wijzigde het onderwerp", "security code", "beveiligingscode",
    "changed this group", "heeft de groepsafbeelding", "joined using", "is lid geworden",
    "disappearing messages", "verdwijnende berichten", "missed voice call", "gemiste",
)  # fmt: skip
TITLE_PREFIXES = (
    "WhatsApp Chat with ", "WhatsApp-chat met ", "WhatsApp Chat mit ",
    "Discussion WhatsApp avec ", "Chat de WhatsApp con ", "WhatsApp Chat - ",
)  # fmt: skip
LANGUAGE_HINTS = (
    ("nl", ("weggelaten", "bijgevoegd", "verwijderd", "versleuteld", "bewerkt")),
    ("de", ("ausgeschlossen", "angehängt", "gelöscht", "verschlüsselt")),
    ("fr", ("omis", "fichier joint", "supprimé", "chiffrés")),
    ("es", ("omitido", "adjunto", "eliminó", "cifrados")),
    ("en", ("omitted", "attached", "deleted", "encrypted")),
)


def parse(
    source: str | Path | BinaryIO,
    *,
    file_name: str,
    time_zone: str = "Europe/Amsterdam",
    date_order: str | None = None,
    limits: Limits | None = None,
) -> ParsedChat:
    limits = limits or Limits()
    try:
        zone = ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ParseError(
            file_name, "-", f"Unknown time zone {time_zone!r}.", "bad_time_zone"
        ) from None
    if date_order not in (None, "dmy", "mdy", "ymd"):
        raise ParseError(file_name, "-", "date_order is dmy, mdy or ymd.", "bad_date_order")
    opener, members, title = _open(source, file_name, limits)
    header, platform = _detect(opener, file_name)
    order, clock = _date_order(opener, header, file_name, date_order)
    chat = ParsedChat(
        source="whatsapp",
        format=f"whatsapp/{platform}/{clock}/{order}",
        title=title,
        time_zone=time_zone,
        messages=iter(()),
    )
    chat.messages = _messages(
        opener, header, platform, order, zone, members, file_name, limits, chat
    )
    return chat


# --- the file ---------------------------------------------------------------------------


def _open(source, file_name: str, limits: Limits):
    """(a function opening the chat text as binary, zip member names, the chat's title)."""
    if isinstance(source, (str, Path)):
        path = Path(source)
        try:
            size = path.stat().st_size
        except OSError as error:
            raise ParseError(file_name, "-", f"Cannot read the file: {error.strerror}.") from None
        if size > limits.max_bytes:
            raise ParseError(file_name, "-", "The file is too large.", "too_large")

        def raw():
            return path.open("rb")
    else:
        data = source.read(limits.max_bytes + 1)
        if len(data) > limits.max_bytes:
            raise ParseError(file_name, "-", "The file is too large.", "too_large")

        def raw():
            return io.BytesIO(data)

    with raw() as probe:
        is_zip = probe.read(4) == b"PK\x03\x04"
    if not is_zip:
        return raw, frozenset(), _title(file_name)
    with raw() as stream:
        try:
            archive = zipfile.ZipFile(stream)
            infos = archive.infolist()
        except (zipfile.BadZipFile, OSError, EOFError) as error:
            raise ParseError(
                file_name, "-", f"Not a readable zip file ({error}).", "bad_zip"
            ) from None
    _check_zip(infos, file_name, limits)
    texts = sorted(
        i.filename for i in infos if i.filename.lower().endswith(".txt") and not i.is_dir()
    )
    chosen = "_chat.txt" if "_chat.txt" in texts else (texts[0] if texts else None)
    if chosen is None:
        raise ParseError(file_name, "-", "The zip holds no chat text (.txt).", "no_chat_text")

    @contextmanager
    def member():
        with raw() as stream, zipfile.ZipFile(stream) as archive, archive.open(chosen) as text:
            yield text

    members = frozenset(i.filename for i in infos if not i.is_dir() and i.filename != chosen)
    return member, members, _title(chosen if chosen != "_chat.txt" else file_name)


def _check_zip(infos, file_name: str, limits: Limits) -> None:
    if len(infos) > limits.max_zip_members:
        raise ParseError(file_name, "-", "The zip holds too many files.", "zip_too_many")
    total = 0
    for info in infos:
        name = info.filename
        position = f"zip member {name!r}"
        if name.startswith(("/", "\\")) or ".." in PurePosixPath(name.replace("\\", "/")).parts:
            raise ParseError(file_name, position, "Unsafe path in the zip.", "zip_unsafe_path")
        if info.flag_bits & 0x1:
            raise ParseError(file_name, position, "Encrypted zip member.", "zip_encrypted")
        total += info.file_size
        if total > limits.max_unpacked_bytes:
            raise ParseError(file_name, position, "The zip unpacks to too much.", "zip_too_large")
        if info.file_size > limits.max_ratio * max(info.compress_size, 1) and info.file_size > (
            1024 * 1024
        ):
            raise ParseError(file_name, position, "Suspicious compression (zip bomb).", "zip_bomb")


def _title(name: str) -> str:
    stem = Path(name).stem
    for prefix in TITLE_PREFIXES:
        if stem.startswith(prefix):
            return stem[len(prefix) :] or stem
    return stem


def _blocks(opener, file_name: str, limits: Limits) -> Iterator[tuple[str, int]]:
    """The text in blocks that end at a line break; with the line number each starts on."""
    line = 1
    rest = b""
    first = True
    with opener() as stream:
        while True:
            chunk = stream.read(BLOCK)
            if not chunk and not rest:
                return
            data = rest + chunk
            if chunk:
                cut = data.rfind(b"\n")
                if cut < 0:
                    if len(data) > limits.max_line_chars * 4:
                        raise ParseError(
                            file_name, f"line {line}", "A line is too long.", "line_too_long"
                        )
                    rest = data
                    continue
                data, rest = data[: cut + 1], data[cut + 1 :]
            else:
                rest = b""
            try:
                text = data.decode("utf-8-sig" if first else "utf-8")
            except UnicodeDecodeError as error:
                bad_line = line + data[: error.start].count(b"\n")
                raise ParseError(
                    file_name, f"line {bad_line}", "The text is not UTF-8.", "not_utf8"
                ) from None
            first = False
            yield text, line
            line += text.count("\n")


def _detect(opener, file_name: str):
    with opener() as stream:
        head = stream.read(256 * 1024)
    text = head.decode("utf-8-sig", errors="replace")
    lines = text.splitlines()[:50]
    sample = "\n".join(lines)
    if IOS.search(sample):
        return IOS, "ios"
    if ANDROID.search(sample):
        return ANDROID, "android"
    raise ParseError(
        file_name, "line 1", "This is not a WhatsApp chat export (no message found).",
        "not_whatsapp",
    )  # fmt: skip


def _date_order(opener, header, file_name: str, given: str | None) -> tuple[str, str]:
    """(the date order, "12h" or "24h"), from every header of the file."""
    first_big = second_big = year_first = False
    twelve = False
    seen = 0
    dates: set[str] = set()
    for text, _ in _blocks(opener, file_name, Limits(max_line_chars=10**9)):
        found = header.findall(text)  # (date, time, am/pm) tuples, made in C
        seen += len(found)
        dates.update(day for day, _time, _ampm in found)
        twelve = twelve or any(ampm for _day, _time, ampm in found)
    for value in dates:
        if True:
            a, b, c = re.split(r"[./-]", value)
            if len(a) == 4:
                year_first = True
            elif int(a) > 12:
                first_big = True
            elif int(b) > 12:
                second_big = True
    clock = "12h" if twelve else "24h"
    if given:
        return given, clock
    if year_first:
        return "ymd", clock
    if first_big and not second_big:
        return "dmy", clock
    if second_big and not first_big:
        return "mdy", clock
    raise ParseError(
        file_name,
        "-",
        "The date order cannot be told from the dates (all days are 12 or less): give it "
        "(dmy, mdy or ymd)." if not (first_big and second_big) else
        "The dates contradict each other (both day-month and month-day).",
        "ambiguous_date_order",
    )  # fmt: skip


# --- messages ---------------------------------------------------------------------------


def _messages(opener, header, platform, order, zone, members, file_name, limits, chat):
    """Each block is cut at its headers by one ``re.split`` (in C): the list alternates
    [text before, date, time, am/pm, body, date, time, am/pm, body, …]. A message's body
    may continue into the next block, so the last one waits for it."""
    moments = _Moments(order, zone, file_name)
    max_line = limits.max_line_chars
    title = chat.title
    authors: set[str] = set()
    index = 0
    carried = None  # (date, time, am/pm, line, body so far) of the block's last message
    for text, line in _blocks(opener, file_name, limits):
        parts = header.split(text)
        head = parts[0]
        if carried is not None:
            day, time, ampm, start, body = carried
            yield _build(index, day, time, ampm, start, body + head, platform, moments,
                         members, authors, title, chat, max_line)  # fmt: skip
            index += 1
            carried = None
        elif head.strip(MARKS + " \r\n"):
            raise ParseError(file_name, f"line {line}", "Text before the first message.",
                             "not_whatsapp")  # fmt: skip
        line += head.count("\n")
        last = len(parts) - 4
        for i in range(1, len(parts), 4):
            day, time, ampm, body = parts[i], parts[i + 1], parts[i + 2], parts[i + 3]
            if i == last:
                carried = (day, time, ampm, line, body)
                break
            yield _build(index, day, time, ampm, line, body, platform, moments, members,
                         authors, title, chat, max_line)  # fmt: skip
            index += 1
            line += body.count("\n")
    if carried is not None:
        day, time, ampm, start, body = carried
        yield _build(index, day, time, ampm, start, body, platform, moments, members, authors,
                     title, chat, max_line)  # fmt: skip


def _build(index, day, time, ampm, line, body, platform, moments, members, authors, title,
           chat, max_line) -> ParsedMessage:  # fmt: skip
    if body.endswith("\n"):
        body = body[:-1]
        if body.endswith("\r"):
            body = body[:-1]
    if "\r" in body:
        body = body.replace("\r\n", "\n")
    if len(body) > max_line and any(len(part) > max_line for part in body.split("\n")):
        raise ParseError(moments.file_name, f"line {line}", "A line is too long.", "line_too_long")
    timestamp = moments.at(day, time, ampm, line)
    author, text = _split_author(body, platform, authors, title)
    kind, text, attachments = _classify(author, text, members, chat)
    if author is not None and kind is not Kind.SYSTEM:
        authors.add(author)
    return ParsedMessage(
        index, f"line {line}", timestamp, author if kind is not Kind.SYSTEM else None, text,
        kind, "", None, attachments,
    )  # fmt: skip


def _split_author(body: str, platform: str, authors: set[str], title: str):
    head, sep, rest = body.partition(": ")
    if not sep or len(head) > 80 or "\n" in head:
        return None, _strip_marks(body).strip()
    author = _strip_marks(head).strip()
    if platform == "ios":
        # iOS writes system lines as "<chat name>: \u200e<text>"; attachments also start
        # with the mark, so those are told apart by their marker.
        text = _strip_marks(rest)
        if rest.startswith("\u200e") and not ATTACHED_IOS.match(text) and not _is_marker(text):
            return None, text.strip()
        return author, text
    if author not in authors:
        lowered = body[: len(head) + 40].lower()
        if any(p in lowered for p in SYSTEM_PHRASES):
            return None, _strip_marks(body).strip()
    return author, _strip_marks(rest)


def _is_marker(text: str) -> bool:
    lowered = text.strip().lower()
    return lowered in MEDIA_OMITTED or lowered in DELETED


def _classify(author, text: str, members, chat) -> tuple[Kind, str, tuple]:
    if author is None:
        return Kind.SYSTEM, text, ()
    if len(text) < 64:
        lowered = text.strip().lower()
        if lowered in MEDIA_OMITTED:
            _hint(chat, lowered)
            return Kind.MEDIA, "", (ParsedAttachment(name=""),)
        if lowered in DELETED:
            _hint(chat, lowered)
            return Kind.DELETED, "", ()
    found = None
    if text.startswith("<"):
        found = ATTACHED_IOS.match(text)
    elif " (" in text:
        found = ATTACHED.match(text)
    if found:
        _hint(chat, text[: found.end()].lower())
        name = found.group("name").strip()
        caption = text[found.end() :].strip()
        member = name if name in members else None
        return Kind.MEDIA, caption, (ParsedAttachment(name=name, member=member),)
    if text.endswith(">"):
        edited = EDITED.search(text)
        if edited:
            _hint(chat, edited.group(0).lower())
            return Kind.EDITED, text[: edited.start()], ()
    return Kind.TEXT, text, ()


def _hint(chat: ParsedChat, marker: str) -> None:
    """Add the export's language to its format, from the first marker that tells it."""
    if chat.format.count("/") > 3:
        return
    for language, words in LANGUAGE_HINTS:
        if any(word in marker for word in words):
            chat.format = f"{chat.format}/{language}"
            return


@lru_cache(maxsize=100_000)
def _clock(time: str, ampm: str | None) -> tuple[int, int, int]:
    parts = [int(p) for p in re.split(r"[:.]", time)]
    hour, minute = parts[0], parts[1]
    second = parts[2] if len(parts) > 2 else 0
    if ampm:
        pm = ampm.lower().startswith("p")
        if not 1 <= hour <= 12:
            raise ValueError("hour")
        hour = (hour % 12) + (12 if pm else 0)
    return hour, minute, second


class _Moments:
    """Header date and time -> aware datetime, with each distinct date and hour parsed once."""

    max_line_chars = Limits().max_line_chars

    def __init__(self, order: str, zone: ZoneInfo, file_name: str):
        self.order, self.zone, self.file_name = order, zone, file_name
        self._hours: dict[tuple[str, int], datetime] = {}

        @lru_cache(maxsize=4096)
        def day(value: str, line_hint: int = 0) -> tuple[int, int, int]:
            parts = [int(p) for p in re.split(r"[./-]", value)]
            if self.order == "dmy":
                d, m, y = parts
            elif self.order == "mdy":
                m, d, y = parts
            else:
                y, m, d = parts
            if y < 100:
                y += 2000
            return y, m, d

        self._day = day

        @lru_cache(maxsize=8192)
        def local(y: int, m: int, d: int, hour: int) -> tuple[datetime, timedelta]:
            start = datetime(y, m, d, hour, tzinfo=self.zone)
            return start, start.utcoffset() or timedelta(0)

        self._local = local

    def at(self, day: str, time: str, ampm: str | None, line: int) -> datetime:
        try:
            clock = _clock(time, ampm)
            key = (day, clock[0])
            start = self._hours.get(key)
            if start is None:
                y, m, d = self._day(day)
                start = self._hours[key] = self._local(y, m, d, clock[0])[0]
            return start.replace(minute=clock[1], second=clock[2])
        except (ValueError, TypeError):
            raise ParseError(
                self.file_name, f"line {line}", f"Not a valid date and time: {day} {time}.",
                "bad_timestamp",
            ) from None  # fmt: skip
