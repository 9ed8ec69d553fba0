"""The export file: a ``.txt``, or a ``.zip`` holding it and the media; read in blocks."""

from __future__ import annotations

import codecs
import io
import zipfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path, PurePosixPath
from typing import IO, BinaryIO

from balie.imports.parsers.base import Limits, ParseError

BLOCK = 4 * 1024 * 1024  # read at once
PIECE = 64 * 1024  # decoded at once
TITLE_PREFIXES = (
    "WhatsApp Chat with ", "WhatsApp-chat met ", "WhatsApp Chat mit ",
    "Discussion WhatsApp avec ", "Chat de WhatsApp con ", "WhatsApp Chat - ",
)  # fmt: skip

Opener = Callable[[], AbstractContextManager[IO[bytes]]]


def open_export(
    source: str | Path | BinaryIO, file_name: str, limits: Limits
) -> tuple[Opener, frozenset[str], str]:
    """(a function opening the chat text as binary, zip member names, the chat's title)."""
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
        return raw, frozenset(), _title(file_name)
    return _open_zip(raw, file_name, limits)


def _open_zip(raw: Callable[[], IO[bytes]], file_name: str, limits: Limits):
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
    def member() -> Iterator[IO[bytes]]:
        with raw() as stream, zipfile.ZipFile(stream) as archive, archive.open(chosen) as text:
            yield text

    members = frozenset(i.filename for i in infos if not i.is_dir() and i.filename != chosen)
    return member, members, _title(chosen if chosen != "_chat.txt" else file_name)


def _check_zip(infos: list[zipfile.ZipInfo], file_name: str, limits: Limits) -> None:
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
