"""WhatsApp exports: each layout and language, the awkward cases, hostile files."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from balie.imports.parsers import whatsapp
from balie.imports.parsers.base import Kind, Limits, ParseError

FIXTURES = Path(__file__).parent / "fixtures" / "whatsapp"
AMS = ZoneInfo("Europe/Amsterdam")


def _parse(name: str, **options):
    chat = whatsapp.parse(FIXTURES / name, file_name=name, **options)
    return chat, list(chat.messages)


def _rows(messages):
    return [(m.author, m.kind, m.text) for m in messages]


def test_android_dutch_24h():
    chat, messages = _parse("android-nl.txt")
    assert chat.format == "whatsapp/android/24h/dmy/nl" and chat.title == "android-nl"
    assert _rows(messages) == [
        (None, Kind.SYSTEM, messages[0].text),
        (None, Kind.SYSTEM, 'Jan Jansen heeft de groep "Raadsfractie" aangemaakt'),
        ("Jan Jansen", Kind.TEXT, "Goedemorgen! Morgen stemt de raad over de motie."),
        (
            "Wim de Wethouder",
            Kind.TEXT,
            "Ik lees het voorstel vanavond.\nEerste punt: de begroting.\n"
            "Tweede punt: het bestemmingsplan.",
        ),
        ("Jan Jansen", Kind.MEDIA, ""),
        ("Wim de Wethouder", Kind.DELETED, ""),
        ("Jan Jansen", Kind.EDITED, "Tot morgen in het stadhuis"),
        ("Petra", Kind.TEXT, "Een bericht uit de volgorde"),
    ]
    assert messages[0].text.startswith("Berichten en oproepen worden end-to-end versleuteld.")
    assert messages[2].timestamp == datetime(2024, 1, 15, 9, 5, tzinfo=AMS)
    assert messages[7].timestamp < messages[6].timestamp  # kept in file order
    assert [m.index for m in messages] == list(range(8))
    assert messages[3].position == "line 4" and messages[4].position == "line 7"


def test_android_us_12h_with_narrow_no_break_space():
    chat, messages = _parse("android-en-us.txt")
    assert chat.format.startswith("whatsapp/android/12h/mdy")
    assert _rows(messages)[1:] == [
        ("John Smith", Kind.TEXT, "Council meets at 7: be on time"),
        ("Mary", Kind.MEDIA, "The new road plan"),
        ("Mary", Kind.DELETED, ""),
        ("John Smith", Kind.TEXT, "Noon"),
    ]
    assert messages[0].kind == Kind.SYSTEM
    assert messages[1].timestamp == datetime(2024, 1, 15, 21, 5, tzinfo=AMS)
    assert messages[3].timestamp == datetime(2024, 1, 15, 0, 30, tzinfo=AMS)
    assert messages[4].timestamp == datetime(2024, 1, 16, 12, 1, tzinfo=AMS)
    assert messages[2].attachments[0].name == "IMG-20240115-WA0001.jpg"
    assert messages[2].attachments[0].member is None  # a .txt export: the file is not there


@pytest.mark.parametrize(
    ("name", "fmt", "rows"),
    [
        ("android-de.txt", "whatsapp/android/24h/dmy/de",
         [("Anna", Kind.TEXT, "Hallo zusammen"), ("Ben", Kind.MEDIA, "")]),
        ("android-fr.txt", "whatsapp/android/24h/dmy/fr",
         [("Chloé", Kind.TEXT, "Bonjour à tous"), ("Luc", Kind.MEDIA, "")]),
        ("android-es.txt", "whatsapp/android/12h/dmy/es",
         [("Lucía", Kind.TEXT, "Hola"), ("Pablo", Kind.MEDIA, "")]),
    ],
)  # fmt: skip
def test_german_french_spanish(name, fmt, rows):
    chat, messages = _parse(name)
    assert chat.format == fmt and _rows(messages) == rows
    if name == "android-es.txt":
        assert [m.timestamp.hour for m in messages] == [21, 9]


def test_ios_dutch_with_marks_and_seconds():
    chat, messages = _parse("ios-nl.txt")
    assert chat.format == "whatsapp/ios/24h/dmy/nl"
    assert _rows(messages) == [
        (None, Kind.SYSTEM, "Berichten en oproepen worden end-to-end versleuteld."),
        ("Jan Jansen", Kind.TEXT, "Goedemorgen!\nTwee regels."),
        ("Jan Jansen", Kind.MEDIA, ""),
    ]
    assert messages[1].timestamp == datetime(2024, 1, 15, 9, 5, 33, tzinfo=AMS)


def test_android_uk_24h_first_words_that_sound_like_system_lines():
    # "added" and "removed" in a person's first message are their words, not a system line.
    chat, messages = _parse("android-en-gb.txt")
    assert chat.format == "whatsapp/android/24h/dmy/en"
    assert _rows(messages) == [
        (None, Kind.SYSTEM, messages[0].text),
        (None, Kind.SYSTEM, 'Sarah Cooper created group "Planning: Town Centre"'),
        (None, Kind.SYSTEM, "Sarah Cooper added Tom Hughes"),
        ("Tom Hughes", Kind.TEXT, "I have added the planning report to the shared folder."),
        ("Sarah Cooper", Kind.TEXT, "Thanks. Who removed the old minutes?\nWere they final?"),
        ("Tom Hughes", Kind.MEDIA, "Site visit, north side"),
        ("Sarah Cooper", Kind.MEDIA, ""),
        ("Tom Hughes", Kind.EDITED, "See you at the committee"),
        (None, Kind.SYSTEM, "Tom Hughes left"),
    ]
    assert messages[0].text.startswith("Messages and calls are end-to-end encrypted.")
    assert messages[5].attachments[0].name == "IMG-20240115-WA0003.jpg"
    assert messages[3].timestamp == datetime(2024, 1, 15, 9, 5, tzinfo=AMS)
    assert messages[4].position == "line 5"


def test_ios_uk_with_a_colon_in_the_chat_name_and_crlf():
    chat, messages = _parse("ios-en-gb.txt")
    assert chat.format.startswith("whatsapp/ios/24h/dmy")
    assert _rows(messages) == [
        (None, Kind.SYSTEM, messages[0].text),
        ("Tom Hughes", Kind.TEXT, "I have added the planning report to the shared folder."),
        ("Sarah Cooper", Kind.TEXT, "Thanks. Who removed the old minutes?"),
        ("Tom Hughes", Kind.MEDIA, ""),
        ("Sarah Cooper", Kind.MEDIA, ""),
        ("Tom Hughes", Kind.DELETED, ""),
    ]
    assert messages[0].text.startswith("Messages and calls are end-to-end encrypted.")
    assert messages[3].attachments[0].name == "00000012-PHOTO-2024-01-15-13-30-55.jpg"
    assert messages[1].timestamp == datetime(2024, 1, 15, 9, 5, 40, tzinfo=AMS)


def test_ios_us_12h():
    chat, messages = _parse("ios-en-us.txt")
    assert chat.format == "whatsapp/ios/12h/mdy/en"
    assert messages[1].attachments[0].name == "00000013-PHOTO-2024-01-15-21-06-00.jpg"
    assert messages[0].timestamp == datetime(2024, 1, 15, 21, 5, 33, tzinfo=AMS)


def test_zips_link_their_media():
    chat, messages = _parse("ios-with-media.zip")
    photo = messages[2].attachments[0]
    assert photo.member == "00000012-PHOTO-2024-01-15-09-06-00.jpg"
    chat, messages = _parse("WhatsApp-chat met Raadsfractie.zip")
    assert chat.title == "Raadsfractie"
    assert messages[2].attachments[0].member == "IMG-20240115-WA0001.jpg"


def test_time_zone_is_the_officials():
    _, messages = _parse("android-de.txt", time_zone="America/Curacao")
    assert messages[0].timestamp.utcoffset().total_seconds() == -4 * 3600


def test_ambiguous_date_order_needs_the_official():
    with pytest.raises(ParseError) as error:
        _parse("ambiguous.txt")
    assert error.value.code == "ambiguous_date_order"
    _, messages = _parse("ambiguous.txt", date_order="mdy")
    assert messages[1].timestamp.date().isoformat() == "2024-02-03"
    _, messages = _parse("ambiguous.txt", date_order="dmy")
    assert messages[1].timestamp.date().isoformat() == "2024-03-02"


def _zip(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    buffer.seek(0)
    return buffer


CHAT = b"15-01-2024 09:05 - Jan: Hallo\n"


@pytest.mark.parametrize(
    ("source", "code"),
    [
        (_zip({"_chat.txt": CHAT, "bomb.bin": b"\0" * (8 * 1024 * 1024)}), "zip_bomb"),
        (_zip({"_chat.txt": CHAT, "../../etc/passwd": b"x"}), "zip_unsafe_path"),
        (_zip({f"f{n}.jpg": b"x" for n in range(30)} | {"_chat.txt": CHAT}), "zip_too_many"),
        (_zip({"foto.jpg": b"x"}), "no_chat_text"),
        (io.BytesIO(b"PK\x03\x04 truncated"), "bad_zip"),
        (io.BytesIO(bytes(range(256)) * 100), "not_whatsapp"),
        (io.BytesIO(CHAT + b"15-01-2024 09:06 - Jan: caf\xe9\n"), "not_utf8"),
        (io.BytesIO(b"Hallo\n" + CHAT), "not_whatsapp"),
        (io.BytesIO(b"45-01-2024 09:05 - Jan: x\n"), "bad_timestamp"),
        (io.BytesIO(CHAT * 10), "too_large"),
    ],
)
def test_hostile_and_malformed_files_are_refused_with_where(source, code):
    limits = Limits(max_bytes=200) if code == "too_large" else Limits(max_zip_members=20)
    with pytest.raises(ParseError) as error:
        chat = whatsapp.parse(source, file_name="export.zip", limits=limits)
        list(chat.messages)
    assert error.value.code == code
    assert str(error.value).startswith("export.zip, ")


def test_a_line_too_long():
    source = io.BytesIO(CHAT + b"15-01-2024 09:06 - Jan: " + b"a" * 5000 + b"\n")
    with pytest.raises(ParseError) as error:
        list(whatsapp.parse(source, file_name="x.txt", limits=Limits(max_line_chars=1000)).messages)
    assert error.value.code == "line_too_long"
