"""The export file: a ``.txt``, or a ``.zip`` holding it and the media; read in blocks."""

from __future__ import annotations

import codecs
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path, PurePosixPath
from typing import IO, BinaryIO

from balie.imports.parsers.base import Limits, ParseError
from balie.imports.parsers.whatsapp.languages import TITLE_PREFIXES, TITLE_SUFFIXES
from balie.imports.parsers.zips import member_reader, read_infos, read_member

BLOCK = 4 * 1024 * 1024  # read at once
PIECE = 64 * 1024  # decoded at once
# The chat text's name on Android ("WhatsApp Chat with X.txt", translated; seen in real
# exports): every language keeps the brand (Arabic its own spelling), so a name holding it is
# the first candidate for the chat (see _chat_member); the title is what is left once the
# words around the chat's name (languages' title_prefix and title_suffix) are removed.
BRANDS = ("whatsapp", "واتساب")
IOS_CHAT = "_chat.txt"
# a line that starts like a message header: an optional bracket and marks, a date, a time
LOOKS_LIKE_HEADER = re.compile(
    r"^[\ufeff\u200e\u200f]*\[?\u200f?\d{1,4}[./-]\d{1,2}[./-]\d{1,4}.{0,6}?\d{1,2}[:.]\d{2}"
    r"|^[\ufeff\u200e\u200f]*\[\d{1,2}[:.]\d{2}",
    re.MULTILINE,
)
PROBE = 8 * 1024  # read of a candidate chat text to tell it by its content
PROBES = 20  # candidates read so, at most

Opener = Callable[[], AbstractContextManager[IO[bytes]]]


def open_export(
    source: str | Path | BinaryIO, file_name: str, limits: Limits
) -> tuple[Opener, frozenset[str], str]:
    """(a function opening the chat text as UTF-8 bytes, zip member names, the chat's title)."""
    if isinstance(source, (str, Path)):
        path = Path(source)
        try:
            size = path.stat().st_size
        except OSError as error:
            raise ParseError(file_name, "-", f"Cannot read the file: {error.strerror}.") from None
        if size > limits.max_bytes:
            raise ParseError(file_name, "-", "The file is too large.", "too_large")

        def raw() -> IO[bytes]:
            return path.open("rb")
    else:
        data = source.read(limits.max_bytes + 1)
        if len(data) > limits.max_bytes:
            raise ParseError(file_name, "-", "The file is too large.", "too_large")

        def raw() -> IO[bytes]:
            return io.BytesIO(data)

    with raw() as probe:
        is_zip = probe.read(4) == b"PK\x03\x04"
    if not is_zip:
        return as_utf8(raw, file_name), frozenset(), _title(file_name)
    return _open_zip(raw, file_name, limits)


def _open_zip(raw: Callable[[], IO[bytes]], file_name: str, limits: Limits):
    infos = read_infos(raw, file_name, limits)
    chosen = _chat_member(raw, infos, file_name, limits)

    def member() -> AbstractContextManager[IO[bytes]]:
        return member_reader(raw, chosen, file_name, limits.max_unpacked_bytes)

    names = [i.filename for i in infos if not i.is_dir() and i.filename != chosen]
    folder, _, base = chosen.rpartition("/")
    if folder and "/" not in folder:  # the export's folder zipped again: names as the chat has them
        names = [n.removeprefix(f"{folder}/") for n in names if n.startswith(f"{folder}/")]
    members = frozenset(names)
    return as_utf8(member, file_name), members, _title(file_name if base == IOS_CHAT else base)


def _chat_member(raw, infos: list[zipfile.ZipInfo], file_name: str, limits: Limits) -> str:
    """The chat text: iOS's ``_chat.txt``; else a ``.txt`` named as WhatsApp names it whose
    first lines read as message headers, else any that reads so, else one named so
    (``Agenda.txt`` or a sent ``WhatsApp-tips.txt`` is an attachment)."""
    texts = sorted(
        (i.filename for i in infos if i.filename.lower().endswith(".txt") and not i.is_dir()),
        key=lambda name: (name.count("/"), name),
    )
    if not texts:
        raise ParseError(file_name, "-", "The zip holds no chat text (.txt).", "no_chat_text")
    for name in texts:
        if PurePosixPath(name).name == IOS_CHAT:
            return name
    named = [n for n in texts if any(b in PurePosixPath(n).stem.casefold() for b in BRANDS)]
    others = [n for n in texts if n not in named][:PROBES]
    with raw() as stream, zipfile.ZipFile(stream) as archive:
        for name in named[:PROBES] + others:
            if _reads_as_chat(archive, name, file_name):
                return name
    if named:
        return named[0]
    raise ParseError(
        file_name, "-", "The zip holds no WhatsApp chat text (no .txt reads as a chat).",
        "no_chat_text",
    )  # fmt: skip


def _reads_as_chat(archive: zipfile.ZipFile, name: str, file_name: str) -> bool:
    """Whether the member's first lines read as message headers."""
    head = read_member(archive, name, file_name, PROBE, cut=True)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = head[2 : len(head) & ~1].decode("utf-16-le" if head[0] == 0xFF else "utf-16-be",
                                               "replace")  # fmt: skip
    else:
        text = head.decode("utf-8", "replace")
    return LOOKS_LIKE_HEADER.search(text) is not None


def _title(name: str) -> str:
    """The chat's name from the file's ("WhatsApp Chat with X.txt", also with underscores
    for spaces as some mail programs save it)."""
    stem = Path(name).stem
    for prefix in TITLE_PREFIXES:
        for written in (prefix, prefix.replace(" ", "_")):
            if stem.startswith(written):
                return stem[len(written) :] or stem
    for suffix in TITLE_SUFFIXES:
        for written in (suffix, suffix.replace(" ", "_")):
            if stem.endswith(written):
                return stem[: -len(written)] or stem
    return stem


def as_utf8(opener: Opener, file_name: str) -> Opener:
    """The text as UTF-8 whatever WhatsApp wrote: UTF-16 (little or big endian, told by its
    BOM) is re-encoded as it is read, a piece at a time; UTF-8 (with or without BOM) is
    passed through."""

    @contextmanager
    def opened() -> Iterator[IO[bytes]]:
        with opener() as stream:
            start = stream.read(2)
            if start in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
                encoding = "utf-16-le" if start == codecs.BOM_UTF16_LE else "utf-16-be"
                yield io.BufferedReader(_Recoded(stream, encoding, file_name), BLOCK)
            elif stream.seekable():
                stream.seek(0)
                yield stream
            else:
                yield io.BufferedReader(_Prefixed(start, stream), PIECE)

    return opened


class _Prefixed(io.RawIOBase):
    """A stream whose first bytes were already read."""

    def __init__(self, head: bytes, stream: IO[bytes]):
        self.head, self.stream = head, stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self.head:
            size = min(len(buffer), len(self.head))
            buffer[:size], self.head = self.head[:size], self.head[size:]
            return size
        data = self.stream.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


class _Recoded(io.RawIOBase):
    """UTF-16 read in pieces and handed on as UTF-8 (the BOM already read and dropped)."""

    def __init__(self, stream: IO[bytes], encoding: str, file_name: str):
        self.stream, self.file_name = stream, file_name
        self.decoder = codecs.getincrementaldecoder(encoding)()
        self.pending = b""
        self.line = 1

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self.pending:
            chunk = self.stream.read(PIECE)
            try:
                text = self.decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError:
                raise ParseError(
                    self.file_name, f"line {self.line}", "The text is not valid UTF-16.",
                    "not_utf16",
                ) from None  # fmt: skip
            try:
                self.pending = text.encode("utf-8")
            except UnicodeEncodeError:  # a lone surrogate
                raise ParseError(
                    self.file_name, f"line {self.line}", "The text is not valid UTF-16.",
                    "not_utf16",
                ) from None  # fmt: skip
            self.line += text.count("\n")
            if not chunk:
                break
        size = min(len(buffer), len(self.pending))
        buffer[:size], self.pending = self.pending[:size], self.pending[size:]
        return size


def blocks(opener: Opener, file_name: str, limits: Limits) -> Iterator[tuple[bytes, int, bool]]:
    """The file read in blocks that end at a line break: (bytes, the line the block starts
    on, whether it is the first). :func:`texts` decodes one."""
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
            yield data, line, first
            first = False
            line += data.count(b"\n")


def texts(data: bytes, line: int, first: bool, file_name: str) -> Iterator[str]:
    """A block decoded in pieces of about PIECE bytes that end at a line break (``line``:
    the block's first, for errors). Small strings reuse freed memory; a block's text in one
    string (4 bytes a character once it holds an emoji) would be new memory each time."""
    encoding = "utf-8-sig" if first else "utf-8"
    bom = 3 if first and data.startswith(codecs.BOM_UTF8) else 0
    start, size = 0, len(data)
    while start < size:
        end = size if size - start <= PIECE else data.rfind(b"\n", start, start + PIECE) + 1
        if end <= start:  # a line longer than a piece
            end = data.find(b"\n", start + PIECE) + 1 or size
        try:
            yield data[start:end].decode(encoding)
        except UnicodeDecodeError as error:
            # where decoding the whole block says (utf-8-sig counts from after the BOM)
            offset = start + error.start - (bom if start else 0)
            bad_line = line + data[:offset].count(b"\n")
            raise ParseError(
                file_name, f"line {bad_line}", "The text is not UTF-8.", "not_utf8"
            ) from None
        start, encoding = end, "utf-8"
