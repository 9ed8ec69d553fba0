"""Zipped exports that are damaged, hostile or merely unusual: a precise ParseError (never a
traceback), memory bounded whatever the headers claim, the chat text found among other
``.txt`` files, and no staged copy left after any failure."""

from __future__ import annotations

import io
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pytest

from balie.conversations.models import Attachment, Message
from balie.imports.actions import do_import
from balie.imports.exports import Export
from balie.imports.models import ImportBatch, ImportUpload
from balie.imports.parsers import whatsapp
from balie.imports.parsers.base import Kind, Limits, ParseError
from balie.imports.selection import Rules
from balie.imports.staging import do_confirm_upload, do_stage_upload, staging_dir
from tests.imports.hostile import (
    CHAT,
    bad_crc_zip,
    broken_deflate_zip,
    bzip2_lying_zip,
    encrypted_zip,
    lying_zip,
    zip_of,
)
from tests.imports.test_import_actions import _files_stored

HOSTILE = {
    "bad_crc": (bad_crc_zip, "zip_corrupt"),
    "broken_deflate": (broken_deflate_zip, "zip_corrupt"),
    "traversal": (
        lambda: zip_of({"_chat.txt": CHAT, "media/../../x.jpg": b"x"}),
        "zip_unsafe_path",
    ),
    "absolute": (lambda: zip_of({"_chat.txt": CHAT, "/etc/passwd": b"x"}), "zip_unsafe_path"),
    "drive": (lambda: zip_of({"_chat.txt": CHAT, "C:/boot.ini": b"x"}), "zip_unsafe_path"),
    "duplicate": (
        lambda: zip_of([("_chat.txt", CHAT), ("IMG.jpg", b"a"), ("IMG.jpg", b"b")]),
        "zip_duplicate_name",
    ),
    "encrypted": (encrypted_zip, "zip_encrypted"),
    "too_many": (
        lambda: zip_of({f"f{n}.jpg": b"x" for n in range(30)} | {"_chat.txt": CHAT}),
        "zip_too_many",
    ),  # fmt: skip
    "bzip2": (lambda: bzip2_lying_zip(64 * 1024 * 1024), "zip_unsupported_method"),
    "lzma": (lambda: zip_of({"_chat.txt": CHAT}, zipfile.ZIP_LZMA), "zip_unsupported_method"),
    "only_agenda": (lambda: zip_of({"Agenda.txt": b"Punt 1: opening\n"}), "no_chat_text"),
}


def _parse_all(data: bytes, limits: Limits | None = None):
    chat = whatsapp.parse(io.BytesIO(data), file_name="export.zip", limits=limits)
    return chat, list(chat.messages)


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_each_hostile_zip_is_a_precise_error(case):
    make, code = HOSTILE[case]
    with pytest.raises(ParseError) as error:
        _parse_all(make(), Limits(max_zip_members=20))
    assert error.value.code == code
    assert str(error.value).startswith("export.zip, ")


def test_a_member_whose_header_lies_about_its_size_is_cut_and_refused(tmp_path):
    path = lying_zip(tmp_path / "lies.zip", inflates_to=64 * 1024 * 1024)
    with pytest.raises(ParseError) as error:
        chat = whatsapp.parse(path, file_name="lies.zip")
        list(chat.messages)
    assert error.value.code == "zip_corrupt"
    assert "'_chat.txt'" in error.value.position


MEASURE = """
import sys, zipfile
sys.path.insert(0, {src!r})
from balie.imports.parsers import whatsapp, ParseError
from balie.imports.parsers.zips import read_member
codes = []
for name in ("chat.zip", "photo.zip", "bzip2.zip"):
    try:
        chat = whatsapp.parse({folder!r} + "/" + name, file_name=name)
        for message in chat.messages:
            pass
        with zipfile.ZipFile({folder!r} + "/" + name) as archive:
            read_member(archive, "IMG-0001.jpg", name, 64 * 1024 * 1024)
    except ParseError as error:
        codes.append(error.code)
# VmHWM is this process image's own peak; ru_maxrss would also count the forked parent's
# (pytest's) memory from before the exec
status = open("/proc/self/status").read()
peak_kb = int(status.split("VmHWM:")[1].split()[0])
print(",".join(codes), peak_kb // 1024)
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads VmHWM (Linux)")
def test_a_one_megabyte_zip_inflating_to_gigabytes_keeps_memory_bounded(tmp_path):
    """The headers claim 1,000 bytes; the stream inflates to 1 GB. Measured in a fresh
    process: peak RSS well under 300 MB (a correctness bound, not a benchmark)."""
    chat = lying_zip(tmp_path / "chat.zip", inflates_to=1 << 30)
    assert chat.stat().st_size < 3 * 1024 * 1024  # about 2 MB on disk
    lying_zip(tmp_path / "member.zip", name="IMG-0001.jpg", inflates_to=1 << 30)
    (tmp_path / "photo.zip").write_bytes(_with_lying_member(tmp_path))
    (tmp_path / "bzip2.zip").write_bytes(bzip2_lying_zip(1 << 29))  # 1 KB: 512 MB in a read
    src = str(Path(__file__).resolve().parents[2] / "src")
    script = MEASURE.format(src=src, folder=str(tmp_path))
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    codes, peak = done.stdout.split()
    assert codes == "zip_corrupt,zip_corrupt,zip_unsupported_method"
    print(f"peak RSS of the child: {peak} MB")  # shown with -s
    assert int(peak) < 300, f"peak RSS {peak} MB"


def _with_lying_member(tmp_path: Path) -> bytes:
    """A zip with a good chat and a photo whose headers claim 1,000 bytes (1 GB inflated):
    the lying member's bytes followed by the chat, with a central directory for both."""
    lie = (tmp_path / "member.zip").read_bytes()
    end = lie.rindex(b"PK\x05\x06")
    central_at = lie.rindex(b"PK\x01\x02", 0, end)
    local, central = lie[:central_at], lie[central_at:end]
    text = CHAT + b"15-01-2024 09:08 - Jan: IMG-0001.jpg (bestand bijgevoegd)\n"
    name = b"_chat.txt"
    head = struct.pack(
        "<4s5H3L2H", b"PK\x03\x04", 20, 0, 0, 0, 0, zlib.crc32(text), len(text), len(text),
        len(name), 0,
    )  # fmt: skip
    entry = struct.pack(
        "<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 0, 0, 0, zlib.crc32(text), len(text),
        len(text), len(name), 0, 0, 0, 0, 0, len(local),
    )  # fmt: skip
    directory = central + entry + name
    tail = struct.pack(
        "<4s4H2LH", b"PK\x05\x06", 0, 0, 2, 2, len(directory), len(local) + len(head) + len(name)
        + len(text), 0,
    )  # fmt: skip
    return local + head + name + text + directory + tail


def test_a_nested_zip_is_never_opened():
    inner = zip_of({"_chat.txt": b"15-01-2024 09:05 - Eve: not this one\n"})
    _, messages = _parse_all(zip_of({"_chat.txt": CHAT, "old-export.zip": inner}))
    assert [(m.author, m.text) for m in messages] == [("Jan", "Hallo"), ("Piet", "Goedemorgen")]


ANDROID_NAMES = {
    "en": "WhatsApp Chat with Raadsfractie.txt",
    "nl": "WhatsApp-chat met Raadsfractie.txt",
    "de": "WhatsApp Chat mit Raadsfractie.txt",
    "fr": "Discussion WhatsApp avec Raadsfractie.txt",
    "es": "Chat de WhatsApp con Raadsfractie.txt",
    "it": "Chat WhatsApp con Raadsfractie.txt",
    "pt": "Conversa do WhatsApp com Raadsfractie.txt",
    "tr": "Raadsfractie ile WhatsApp Sohbeti.txt",
    "pl": "Czat WhatsApp z Raadsfractie.txt",
    "cs": "Chat WhatsApp s Raadsfractie.txt",
    "ru": "Чат WhatsApp с Raadsfractie.txt",
    "uk": "Чат WhatsApp з Raadsfractie.txt",
    "ar": "دردشة واتساب مع Raadsfractie.txt",
    "hi": "Raadsfractie के साथ WhatsApp चैट.txt",
    "id": "Chat WhatsApp dengan Raadsfractie.txt",
    "ja": "RaadsfractieとのWhatsAppチャット.txt",
    "th": "แชท WhatsApp กับ Raadsfractie.txt",
    "vi": "Đoạn chat WhatsApp với Raadsfractie.txt",
}


ANDROID_NAMES |= {
    "ru-contact": "Чат WhatsApp с контактом Raadsfractie.txt",
    "pt-BR": "Conversa no WhatsApp com Raadsfractie.txt",
    "en-underscores": "WhatsApp_Chat_with_Raadsfractie.txt",
}


@pytest.mark.parametrize("language", sorted(ANDROID_NAMES))
def test_the_chat_is_found_by_whatsapps_name_next_to_other_texts(language):
    # "Agenda.txt" sorts first and even holds a line that looks like a header
    data = zip_of({
        "Agenda.txt": b"15-01-2024 09:00 - Agenda: punt 1\n",
        ANDROID_NAMES[language]: CHAT,
        "IMG-20240115-WA0001.jpg": b"x",
    })  # fmt: skip
    chat, messages = _parse_all(data)
    assert chat.title == "Raadsfractie"
    assert [m.author for m in messages] == ["Jan", "Piet"]


def test_ios_chat_next_to_an_agenda_and_its_document_linked():
    text = (
        "[15-01-2024 09:05:00] Jan: Hallo\n"
        "[15-01-2024 09:06:00] Jan: \u200e<bijgevoegd: 00000012-Agenda.pdf>\n"
    ).encode()
    data = zip_of({"Agenda.txt": b"x", "_chat.txt": text, "00000012-Agenda.pdf": b"%PDF-1.4"})
    _, messages = _parse_all(data)
    assert messages[1].kind == Kind.MEDIA
    assert messages[1].attachments[0].member == "00000012-Agenda.pdf"


def test_without_whatsapps_name_the_chat_is_found_by_its_content():
    data = zip_of({"Agenda.txt": b"Punt 1: opening\nPunt 2: rondvraag\n", "chat.txt": CHAT})
    chat, messages = _parse_all(data)
    assert chat.title == "chat"
    assert len(messages) == 2


# -- encodings -------------------------------------------------------------------------------

LINES = "15-01-2024 09:05 - Jan: Hallo 👋\n15-01-2024 09:06 - Ayşe: Günaydın, café\n"


@pytest.mark.parametrize(
    "encoded",
    [
        "\ufeff".encode("utf-16-le") + LINES.encode("utf-16-le"),
        "\ufeff".encode("utf-16-be") + LINES.encode("utf-16-be"),
        b"\xef\xbb\xbf" + LINES.encode(),
    ],
    ids=["utf-16-le", "utf-16-be", "utf-8-bom"],
)
def test_utf16_and_utf8_with_bom(encoded):
    for data in (encoded, zip_of({"_chat.txt": encoded})):
        chat = whatsapp.parse(io.BytesIO(data), file_name="WhatsApp-chat met Raad.txt")
        assert [(m.author, m.text) for m in chat.messages] == [
            ("Jan", "Hallo 👋"),
            ("Ayşe", "Günaydın, café"),
        ]


def test_a_large_utf16_export_is_streamed_across_blocks(tmp_path):
    path = tmp_path / "WhatsApp-chat met Raad.txt"
    line = "15-01-2024 09:05 - Jan: Een bericht over de begroting 👍\n"
    with path.open("w", encoding="utf-16") as out:  # a BOM, then little-endian on this machine
        for _ in range(120_000):  # about 13 MB: several 4 MB blocks
            out.write(line)
    chat = whatsapp.parse(path, file_name=path.name)
    count = sum(1 for m in chat.messages if m.text == "Een bericht over de begroting 👍")
    assert count == 120_000


def test_broken_utf16_names_its_line():
    data = "\ufeff".encode("utf-16-le") + LINES.encode("utf-16-le") + b"\x00\xdc\n\x00"
    with pytest.raises(ParseError) as error:
        list(whatsapp.parse(io.BytesIO(data), file_name="x.txt").messages)
    assert error.value.code == "not_utf16"


# -- nothing staged is left behind -------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_refused_upload_leaves_no_staged_file(case, utrecht, agent_anna, settings):
    settings.IMPORT_MAX_BYTES = 64 * 1024 * 1024
    make, code = HOSTILE[case]
    data = make()
    if case == "too_many":
        data = zip_of({f"f{n}.jpg": b"" for n in range(20_001)} | {"_chat.txt": CHAT})
    with pytest.raises(ParseError) as error:
        do_stage_upload(
            utrecht, agent_anna, chunks=[data[:100], data[100:]], file_name="export.zip",
            source="whatsapp",
        )  # fmt: skip
    assert error.value.code == code
    assert list(staging_dir().iterdir()) == []
    assert not ImportUpload.objects.exists()


@pytest.mark.django_db
def test_a_lying_zip_upload_leaves_no_staged_file(tmp_path, utrecht, agent_anna):
    data = lying_zip(tmp_path / "lies.zip", inflates_to=16 * 1024 * 1024).read_bytes()
    with pytest.raises(ParseError):
        do_stage_upload(utrecht, agent_anna, chunks=[data], file_name="e.zip", source="whatsapp")
    assert list(staging_dir().iterdir()) == []


@pytest.mark.django_db
def test_an_unexpected_failure_still_shreds_the_staged_file(monkeypatch, utrecht, agent_anna):
    def boom(export):
        raise RuntimeError("a bug")

    monkeypatch.setattr("balie.imports.staging.review", boom)
    with pytest.raises(RuntimeError):
        do_stage_upload(utrecht, agent_anna, chunks=[CHAT], file_name="e.txt", source="whatsapp")
    assert list(staging_dir().iterdir()) == []


@pytest.mark.django_db
def test_a_failed_confirm_shreds_the_staged_file(monkeypatch, utrecht, agent_anna):
    upload, _ = do_stage_upload(
        utrecht, agent_anna, chunks=[CHAT], file_name="WhatsApp-chat met Raad.txt",
        source="whatsapp",
    )  # fmt: skip
    assert (staging_dir() / upload.token).exists()

    def fails(*args, **kwargs):
        raise ParseError("e.zip", "zip member 'x'", "The zip is damaged.", "zip_corrupt")

    monkeypatch.setattr("balie.imports.staging.do_import", fails)
    with pytest.raises(ParseError):
        do_confirm_upload(upload)
    assert list(staging_dir().iterdir()) == []
    assert not ImportUpload.objects.exists()


def test_a_member_without_a_name_is_refused():
    """Found by fuzzing: ``ZipInfo.is_dir()`` raised IndexError on an empty name."""
    data = bytearray(zip_of({"_chat.txt": CHAT, "x": b"1"}, zipfile.ZIP_STORED))
    for signature, length in ((b"PK\x03\x04", 26), (b"PK\x01\x02", 28)):
        at = data.rindex(signature)
        data[at + length] = 0  # the name's length: the name's one byte becomes data
    with pytest.raises(ParseError) as error:
        _parse_all(bytes(data))
    assert error.value.code in ("zip_unsafe_path", "bad_zip")


def test_an_ios_document_with_its_title_and_pages_keeps_its_author_and_file():
    text = (
        "[15-01-2024 09:05:00] Jan: Hallo\n"
        "[15-01-2024 09:06:00] Jan: \u200eAgenda.pdf \u2022 \u200e3 pagina's "
        "\u200e<bijgevoegd: 00000012-Agenda.pdf>\n"
    ).encode()
    _, messages = _parse_all(zip_of({"_chat.txt": text, "00000012-Agenda.pdf": b"%PDF-1.4"}))
    assert (messages[1].author, messages[1].kind) == ("Jan", Kind.MEDIA)
    assert messages[1].attachments[0].member == "00000012-Agenda.pdf"


@pytest.mark.django_db
def test_a_damaged_attachment_stops_the_import_and_stores_nothing(tmp_path, utrecht, agent_anna):
    text = CHAT + b"15-01-2024 09:08 - Jan: IMG-0001.jpg (bestand bijgevoegd)\n"
    data = bytearray(
        zip_of({"_chat.txt": text, "IMG-0001.jpg": b"\xff\xd8" + b"x" * 100}, zipfile.ZIP_STORED)
    )
    at = data.rindex(b"x" * 100)
    data[at] = ord("y")  # the photo's CRC no longer matches
    path = tmp_path / "WhatsApp-chat met Raad.zip"
    path.write_bytes(bytes(data))
    with pytest.raises(ParseError) as error:
        do_import(
            Export(path=path, source="whatsapp", file_name=path.name),
            organisation=utrecht, owner=agent_anna, importer=agent_anna, rules=Rules(base="all"),
        )  # fmt: skip
    assert error.value.code == "zip_corrupt"
    assert not Message.objects.exists() and not Attachment.objects.exists()
    assert not ImportBatch.objects.exists()
    assert _files_stored() == b""


def test_a_sent_text_named_after_whatsapp_is_not_taken_for_the_chat():
    data = zip_of({
        "WhatsApp-tips.txt": b"Tip 1: exporteer met media\n",
        "WhatsApp Chat with Raadsfractie.txt": CHAT,
    })  # fmt: skip
    chat, messages = _parse_all(data)
    assert chat.title == "Raadsfractie" and len(messages) == 2


def test_many_texts_are_not_each_read_to_find_the_chat():
    """At most 20 candidates are read to tell the chat by its content: a zip of thousands of
    .txt files costs no more."""
    texts = {f"notes-{n:05d}.txt": b"no chat here\n" for n in range(5000)}
    with pytest.raises(ParseError) as error:
        _parse_all(zip_of(texts | {"zz-chat.txt": CHAT}), Limits(max_zip_members=10_000))
    assert error.value.code == "no_chat_text"


@pytest.mark.django_db
def test_an_ios_export_zipped_again_with_its_folder_links_and_stores_its_files(
    tmp_path, utrecht, agent_anna
):
    top = "WhatsApp Chat - Raadsfractie"
    text = (
        "[15-01-2024 09:05:00] Jan: Hallo\n"
        "[15-01-2024 09:06:00] Jan: \u200e<bijgevoegd: 00000012-Agenda.pdf>\n"
    ).encode()
    data = zip_of({
        f"{top}/_chat.txt": text,
        f"{top}/00000012-Agenda.pdf": b"%PDF-1.4\n%%EOF\n",
        f"{top}/Agenda.txt": b"Punt 1\n",
    })  # fmt: skip
    chat, messages = _parse_all(data)
    assert chat.title == "export"  # the upload's own name: iOS names the zip, not the text
    assert messages[1].attachments[0].member == "00000012-Agenda.pdf"
    path = tmp_path / f"{top}.zip"
    path.write_bytes(data)
    batch = do_import(
        Export(path=path, source="whatsapp", file_name=path.name),
        organisation=utrecht, owner=agent_anna, importer=agent_anna, rules=Rules(base="all"),
    )  # fmt: skip
    assert batch.attachments_added == 1
    assert Attachment.objects.get().filename == "00000012-Agenda.pdf"
