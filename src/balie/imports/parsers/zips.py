"""Zipped exports, read without trusting them: the members are checked before anything is
read, and every member is read through a byte budget.

A zip's headers are the sender's word: a member may claim a few bytes and inflate to
gigabytes, its stream may be broken, its name may climb out of a folder. Refused: more
than ``Limits.max_zip_members`` members, unsafe names (absolute, a drive letter, ``..``, a
NUL, an empty name), two members with the same name, encrypted members, members compressed
with anything but deflate (bzip2 and LZMA inflate without bound in the zip module), a
declared total above ``Limits.max_unpacked_bytes``, a declared ratio above
``Limits.max_ratio``. Read: each member
through :class:`Budgeted`, which counts the bytes actually inflated and stops at the declared
size or the budget, whichever is smaller; a bad CRC, a broken deflate stream or a cut-off
member is a ``zip_corrupt`` ParseError. Zips inside the zip are never opened.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import PurePosixPath
from typing import IO

from balie.imports.parsers.base import Limits, ParseError

__all__ = ["Budgeted", "check_members", "member_reader", "read_infos", "read_member"]

DRIVE = re.compile(r"^[A-Za-z]:")
# Phones and desktop tools write stored or deflated members. The zip module inflates bzip2
# and LZMA members without an output bound per read: a 2 KB bzip2 member whose header lies
# took one read to 4 GB. They are refused before anything is read.
METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
# what the zip module raises on damaged input (fuzzing found IndexError and struct.error in
# the extra fields, ValueError in names and sizes, NotImplementedError for unknown methods)
CORRUPT = (
    zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, ValueError,
    IndexError, KeyError, struct.error, OverflowError,
)  # fmt: skip


def read_infos(raw: Callable[[], IO[bytes]], file_name: str, limits: Limits):
    """The checked member list of the zip that ``raw`` opens."""
    with raw() as stream:
        try:
            with zipfile.ZipFile(stream) as archive:
                infos = archive.infolist()
        except CORRUPT as error:
            raise ParseError(
                file_name, "-", f"Not a readable zip file ({error}).", "bad_zip"
            ) from None
    check_members(infos, file_name, limits)
    return infos


def check_members(infos: list[zipfile.ZipInfo], file_name: str, limits: Limits) -> None:
    if len(infos) > limits.max_zip_members:
        raise ParseError(file_name, "-", "The zip holds too many files.", "zip_too_many")
    seen: set[str] = set()
    total = 0
    for info in infos:
        name = info.filename
        position = f"zip member {name!r}"
        parts = PurePosixPath(name.replace("\\", "/")).parts
        unsafe = not name or name.startswith(("/", "\\")) or DRIVE.match(name)
        if unsafe or ".." in parts or "\0" in name:
            raise ParseError(file_name, position, "Unsafe path in the zip.", "zip_unsafe_path")
        if name in seen:
            raise ParseError(
                file_name, position, "Two files in the zip have this name.", "zip_duplicate_name"
            )
        seen.add(name)
        if info.flag_bits & 0x1:
            raise ParseError(file_name, position, "Encrypted zip member.", "zip_encrypted")
        if info.compress_type not in METHODS:
            raise ParseError(
                file_name, position,
                "Compressed in a way Balie does not read (only stored and deflate).",
                "zip_unsupported_method",
            )  # fmt: skip
        total += info.file_size
        if total > limits.max_unpacked_bytes:
            raise ParseError(file_name, position, "The zip unpacks to too much.", "zip_too_large")
        if info.file_size > limits.max_ratio * max(info.compress_size, 1) and info.file_size > (
            1024 * 1024
        ):
            raise ParseError(file_name, position, "Suspicious compression (zip bomb).", "zip_bomb")


class Budgeted(io.RawIOBase):
    """A member's bytes, counted as they are inflated: more than ``budget`` (the declared
    size, or less) is refused, and the zip module's own errors become ParseErrors."""

    def __init__(self, member: IO[bytes], name: str, budget: int, file_name: str):
        self.member, self.name, self.budget, self.file_name = member, name, budget, file_name
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        want = min(len(buffer), self.budget - self.count + 1)
        try:
            data = self.member.read(max(want, 1))
        except CORRUPT as error:
            raise ParseError(
                self.file_name, f"zip member {self.name!r}",
                f"The zip is damaged ({error}).", "zip_corrupt",
            ) from None  # fmt: skip
        self.count += len(data)
        if self.count > self.budget:
            raise ParseError(
                self.file_name, f"zip member {self.name!r}",
                "The file in the zip is larger than allowed or than its header says.",
                "zip_member_too_large",
            )  # fmt: skip
        buffer[: len(data)] = data
        return len(data)


@contextmanager
def member_reader(
    raw: Callable[[], IO[bytes]], name: str, file_name: str, budget: int
) -> Iterator[IO[bytes]]:
    """Open one member of the zip that ``raw`` opens, read through a :class:`Budgeted`."""
    with raw() as stream:
        try:
            archive = zipfile.ZipFile(stream)
            info = archive.getinfo(name)
            member = archive.open(info)
        except CORRUPT as error:
            raise ParseError(
                file_name, f"zip member {name!r}", f"The zip is damaged ({error}).", "zip_corrupt"
            ) from None
        with archive, member:
            yield io.BufferedReader(
                Budgeted(member, name, min(info.file_size, budget), file_name), 1024 * 1024
            )


def read_member(
    archive: zipfile.ZipFile, name: str, file_name: str, budget: int, *, cut: bool = False
) -> bytes:
    """All of one member, at most ``budget`` bytes (and at most what its header says);
    with ``cut``, its first ``budget`` bytes whatever its size."""
    try:
        info = archive.getinfo(name)
        allowed = info.file_size if cut else budget
        check_members([info], file_name, Limits(max_unpacked_bytes=allowed, max_zip_members=1))
        member = archive.open(info)
    except CORRUPT as error:
        raise ParseError(
            file_name, f"zip member {name!r}", f"The zip is damaged ({error}).", "zip_corrupt"
        ) from None
    with member:
        if cut:
            return Budgeted(member, name, info.file_size, file_name).read(budget) or b""
        return Budgeted(member, name, min(info.file_size, budget), file_name).readall()
