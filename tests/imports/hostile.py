"""Zips that lie, built byte by byte (the zip module will not write them)."""

from __future__ import annotations

import bz2
import functools
import io
import struct
import warnings
import zipfile
import zlib
from pathlib import Path

CHAT = b"15-01-2024 09:05 - Jan: Hallo\n15-01-2024 09:06 - Piet: Goedemorgen\n"


def zip_of(members: dict[str, bytes] | list[tuple[str, bytes]], compression=zipfile.ZIP_DEFLATED):
    buffer = io.BytesIO()
    items = members.items() if isinstance(members, dict) else members
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate names are the point of some zips here
        with zipfile.ZipFile(buffer, "w", compression) as archive:
            for name, data in items:
                archive.writestr(name, data)
    return buffer.getvalue()


def encrypted_zip() -> bytes:
    """A photo marked encrypted (flag bit 0) in its local header and the central directory."""
    data = bytearray(zip_of({"_chat.txt": CHAT, "IMG-0001.jpg": b"not really encrypted"}))
    for signature, flags in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.rindex(signature)  # the photo's entry: the second of each
        data[at + flags] |= 0x1
    return bytes(data)


def bad_crc_zip() -> bytes:
    data = bytearray(zip_of({"_chat.txt": CHAT}, zipfile.ZIP_STORED))
    at = data.index(b"Hallo")
    data[at] = ord("J")  # the stored CRC no longer matches
    return bytes(data)


def broken_deflate_zip() -> bytes:
    data = bytearray(zip_of({"_chat.txt": CHAT * 200}))
    start = 30 + len("_chat.txt")
    for n in range(start + 5, start + 40):
        data[n] = 0xFF
    return bytes(data)


@functools.cache
def _deflated(size: int) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    line = b"15-01-2024 09:07 - Jan: " + b"a" * 999 + b"\n"
    chunk = line * 1024
    parts = [packer.compress(CHAT)]
    parts += [packer.compress(chunk) for _ in range(size // len(chunk))]
    parts.append(packer.flush())
    return b"".join(parts)


def bzip2_lying_zip(inflates_to: int = 2 << 30) -> bytes:
    """A member in bzip2 (method 12) claiming 1,000 bytes: about 2 KB that inflate to
    ``inflates_to`` bytes in one read of the zip module (the 4 GB peak that was seen)."""
    packer = bz2.BZ2Compressor(9)
    parts = [packer.compress(CHAT)]
    chunk = b"a" * (1 << 20)
    parts += [packer.compress(chunk) for _ in range(inflates_to // len(chunk))]
    parts.append(packer.flush())
    return _one_member(b"".join(parts), 12, b"_chat.txt", 1000, zlib.crc32(CHAT))


def _one_member(data: bytes, method: int, name: bytes, claimed: int, crc: int) -> bytes:
    local = struct.pack(
        "<4s5H3L2H", b"PK\x03\x04", 46, 0, method, 0, 0, crc, len(data), claimed, len(name), 0
    )
    central = struct.pack(
        "<4s6H3L5H2L", b"PK\x01\x02", 46, 46, 0, method, 0, 0, crc, len(data), claimed,
        len(name), 0, 0, 0, 0, 0, 0,
    )  # fmt: skip
    end = struct.pack(
        "<4s4H2LH", b"PK\x05\x06", 0, 0, 1, 1, len(central) + len(name),
        len(local) + len(name) + len(data), 0,
    )  # fmt: skip
    return local + name + data + central + name + end


def lying_zip(path: Path, *, name="_chat.txt", claimed=1000, inflates_to=1 << 30) -> Path:
    """One member whose headers claim ``claimed`` bytes; its deflate stream gives
    ``inflates_to`` bytes of chat-looking lines (about a thousandth of that on disk)."""
    head = CHAT
    data = _deflated(inflates_to)
    crc = zlib.crc32(head)
    encoded = name.encode()
    local = struct.pack(
        "<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, len(data), claimed, len(encoded), 0
    )
    central = struct.pack(
        "<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 8, 0, 0, crc, len(data), claimed,
        len(encoded), 0, 0, 0, 0, 0, 0,
    )  # fmt: skip
    end = struct.pack(
        "<4s4H2LH", b"PK\x05\x06", 0, 0, 1, 1, len(central) + len(encoded),
        len(local) + len(encoded) + len(data), 0,
    )  # fmt: skip
    path.write_bytes(local + encoded + data + central + encoded + end)
    return path
