"""Fuzzing (decision 0016): whatever bytes arrive — a valid zip or export with bytes
flipped, cut or inserted, or noise — the zip opener and the SMS and Telegram parsers answer
with their messages or a ParseError, never another exception."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from balie.imports.parsers import sms, telegram, whatsapp
from balie.imports.parsers.base import Limits, ParseError
from tests.imports.hostile import CHAT, zip_of

FIXTURES = Path(__file__).parent / "fixtures"
LIMITS = Limits(max_bytes=1024 * 1024, max_zip_members=50, max_attachment_bytes=64 * 1024)


def _telegram_zip() -> bytes:
    folder = FIXTURES / "telegram" / "ChatExport_2024-01-15"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, f"{folder.name}/{path.relative_to(folder).as_posix()}")
    return buffer.getvalue()


SEEDS = {
    "whatsapp": [
        zip_of({"Agenda.txt": b"Punt 1\n", "_chat.txt": CHAT, "IMG-0001.jpg": b"\xff\xd8x"}),
        zip_of(
            {
                "WhatsApp Chat with Raad.txt": "\ufeff".encode("utf-16-le")
                + CHAT.decode().encode("utf-16-le")
            }
        ),  # fmt: skip
        CHAT,
    ],
    "sms": [
        (FIXTURES / "sms" / "sms-scripts.xml").read_bytes(),
        (FIXTURES / "sms" / "calls.xml").read_bytes(),
        (FIXTURES / "sms" / "sms-backup.xml").read_bytes(),
    ],
    "telegram": [
        _telegram_zip(),
        (FIXTURES / "telegram" / "result-account-ar-ja.json").read_bytes(),
        (FIXTURES / "telegram" / "result-single.json").read_bytes(),
    ],
}


@st.composite
def damaged(draw, kind: str) -> bytes:
    data = bytearray(draw(st.sampled_from(SEEDS[kind])))
    for _ in range(draw(st.integers(min_value=1, max_value=8))):
        action = draw(st.sampled_from(["flip", "cut", "insert", "zero"]))
        at = draw(st.integers(min_value=0, max_value=max(len(data) - 1, 0)))
        if action == "flip" and data:
            data[at] ^= draw(st.integers(min_value=1, max_value=255))
        elif action == "cut":
            del data[at : at + draw(st.integers(min_value=1, max_value=64))]
        elif action == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=16))
        elif data:
            data[at : at + 4] = b"\0\0\0\0"
    return bytes(data)


def _read(kind: str, data: bytes) -> None:
    try:
        chat = {"whatsapp": whatsapp, "sms": sms, "telegram": telegram}[kind].parse(
            io.BytesIO(data), file_name=f"export.{kind}", limits=LIMITS
        )
        for message in chat.messages:
            assert message.index >= 0
    except ParseError:
        pass


FUZZ = settings(
    max_examples=int(__import__("os").environ.get("FUZZ_N", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@FUZZ
@given(data=damaged("whatsapp"))
def test_the_zip_opener_never_raises_anything_but_parse_error(data):
    _read("whatsapp", data)


@FUZZ
@given(data=damaged("sms"))
def test_the_sms_parser_never_raises_anything_but_parse_error(data):
    _read("sms", data)


@FUZZ
@given(data=damaged("telegram"))
def test_the_telegram_parser_never_raises_anything_but_parse_error(data):
    _read("telegram", data)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "messages",
                    "chats",
                    "list",
                    "type",
                    "date",
                    "date_unixtime",
                    "from",
                    "text",
                    "photo",
                    "file",
                    "actor",
                    "action",
                    "members",
                    "name",
                    "id",
                ]
            ),
            inner,
            max_size=6,
        )
    ),  # fmt: skip
    max_leaves=30,
)


@FUZZ
@given(document=json_values)
def test_telegram_json_of_any_shape_is_read_or_refused(document):
    _read("telegram", json.dumps(document).encode())


@FUZZ
@given(data=st.binary(max_size=2048))
def test_noise_is_refused(data):
    for kind in SEEDS:
        _read(kind, data)
