"""WhatsApp's date and time layouts beyond the corpus, and who a line belongs to on iOS."""

from __future__ import annotations

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from balie.imports.parsers import whatsapp
from balie.imports.parsers.base import Kind, ParseError
from balie.imports.parsers.whatsapp.languages import TABLES

AMS = ZoneInfo("Europe/Amsterdam")
LRM, RLM, NNBSP = "\u200e", "\u200f", "\u202f"


def _parse(text: str, name: str = "chat.txt", **options):
    chat = whatsapp.parse(io.BytesIO(text.encode()), file_name=name, **options)
    return chat, list(chat.messages)


def _at(*fields: int) -> datetime:
    return datetime(*fields, tzinfo=AMS)


@pytest.mark.parametrize(
    ("export", "platform", "times"),
    [
        # Arabic-Indic digits, U+200F after the date's fields, the Arabic comma, ص/م
        (f"١٥{RLM}/١{RLM}/٢٠٢٤، ٩:٠٥ م - أحمد: مرحبا\n١٦{RLM}/١{RLM}/٢٠٢٤، ١٠:٠٠ ص - أحمد: نعم\n",
         "android", [_at(2024, 1, 15, 21, 5), _at(2024, 1, 16, 10, 0)]),
        # Persian digits
        ("۱۵/۱/۲۴, ۲۱:۰۵ - Ali: salam\n", "android", [_at(2024, 1, 15, 21, 5)]),
        # the time before the date
        ("[14:56:01, 3/18/22] Jan: Hi\n[2:57:01 PM, 3/18/22] Piet: Yes\n", "ios",
         [_at(2022, 3, 18, 14, 56, 1), _at(2022, 3, 18, 14, 57, 1)]),
        # iOS before 2017, without brackets, 12- and 24-hour
        ("7/1/16, 4:56:55 PM: Jan: Hi there\n7/13/16, 9:00:01 AM: Piet: Hello\n", "ios",
         [_at(2016, 7, 1, 16, 56, 55), _at(2016, 7, 13, 9, 0, 1)]),
        ("13/06/15 10:59:59: Jan: Hoi\n14/06/15 00:04:01: Piet: Hallo: daar\n", "ios",
         [_at(2015, 6, 13, 10, 59, 59), _at(2015, 6, 14, 0, 4, 1)]),
        # 12-hour clocks that write hour 0: "0:24 PM" is 12:24, "00:04 AM" is 00:04
        (f"1/15/24, 0:24{NNBSP}PM - Jan: a\n1/15/24, 00:04{NNBSP}AM - Jan: b\n", "android",
         [_at(2024, 1, 15, 12, 24), _at(2024, 1, 15, 0, 4)]),
        ("15/1/24, 0:24 p. m. - Lucía: a\n15/1/24, 9:05 a. m. - Lucía: b\n", "android",
         [_at(2024, 1, 15, 12, 24), _at(2024, 1, 15, 9, 5)]),
        # Japanese and Chinese: the am/pm word before the hour
        ("[2024/01/15 午後9:05:33] 佐藤: こんにちは\n[2024/01/16 午前0:04:00] 佐藤: はい\n", "ios",
         [_at(2024, 1, 15, 21, 5, 33), _at(2024, 1, 16, 0, 4)]),
        ("[2024/1/15 下午9:05:33] 王: 你好\n", "ios", [_at(2024, 1, 15, 21, 5, 33)]),
        # Czech iOS: a space after the date's full stops
        ("[15. 1. 2024 21:05:33] Jana: Ahoj\n", "ios", [_at(2024, 1, 15, 21, 5, 33)]),
        # Thai: the Buddhist era's year
        ("15/1/2567 21:05 - สมชาย: สวัสดี\n", "android", [_at(2024, 1, 15, 21, 5)]),
    ],
)  # fmt: skip
def test_date_and_time_layouts(export, platform, times):
    chat, messages = _parse(export)
    assert chat.format.startswith(f"whatsapp/{platform}/")
    assert [m.timestamp for m in messages] == times
    assert all(m.author and m.kind == Kind.TEXT for m in messages)


def test_the_date_order_stays_asked_when_it_cannot_be_told():
    with pytest.raises(ParseError) as error:
        _parse("[10:00:01, 3/4/22] Jan: Hi\n")
    assert error.value.code == "ambiguous_date_order"
    _, messages = _parse("[10:00:01, 3/4/22] Jan: Hi\n", date_order="dmy")
    assert messages[0].timestamp == _at(2022, 4, 3, 10, 0, 1)


def test_not_a_whatsapp_export():
    with pytest.raises(ParseError) as error:
        _parse("Dear council,\nplease find attached the minutes.\n")
    assert error.value.code == "not_whatsapp"
    assert "not a WhatsApp export" in error.value.message


def test_an_unsupported_layout_names_the_first_line_it_could_not_read():
    with pytest.raises(ParseError) as error:
        _parse("\n2024年1月15日 21:05 - 田中: こんにちは\n")
    assert error.value.code == "unsupported_layout"
    assert error.value.position == "line 2" and "2024年1月15日 21:05" in error.value.reason


def test_ios_a_known_participants_words_are_never_a_system_line_without_the_mark():
    # "left", "added", "removed" in a person's line keep their author on iOS as on Android
    _, messages = _parse(
        f"[15/01/2024, 09:00:00] Raad: {LRM}Messages and calls are end-to-end encrypted.\n"
        "[15/01/2024, 09:01:00] Jan: Hello\n"
        "[15/01/2024, 09:02:00] Jan: Piet left the meeting early\n"
        "[15/01/2024, 09:03:00] Jan: I added the report and removed the draft\n"
        f"[15/01/2024, 09:04:00] Raad: {LRM}Piet left\n"
    )
    assert [(m.author, m.kind) for m in messages] == [
        (None, Kind.SYSTEM), ("Jan", Kind.TEXT), ("Jan", Kind.TEXT), ("Jan", Kind.TEXT),
        (None, Kind.SYSTEM),
    ]  # fmt: skip


def test_ios_the_chat_name_comes_from_the_file_name_too():
    # no encryption notice first (an export cut short): the title names the chat
    _, messages = _parse(
        f"[15/01/2024, 09:00:00] Jan: Hallo\n[15/01/2024, 09:01:00] Raad: {LRM}Jan heeft Piet "
        f"toegevoegd\n[15/01/2024, 09:02:00] Piet: {LRM}afbeelding weggelaten\n",
        name="WhatsApp Chat - Raad.txt",
    )
    assert [(m.author, m.kind) for m in messages] == [
        ("Jan", Kind.TEXT), (None, Kind.SYSTEM), ("Piet", Kind.MEDIA),
    ]  # fmt: skip


def test_ios_an_unknown_marker_stays_its_senders_text():
    _, messages = _parse(
        f"[15/01/2024, 09:00:00] Raad: {LRM}Berichten zijn end-to-end versleuteld.\n"
        f"[15/01/2024, 09:01:00] Jan: {LRM}Eenmalig bekijken\n"
        f"[15/01/2024, 09:02:00] Jan: {LRM}Verslag.pdf • {LRM}3 pagina's {LRM}document "
        "weggelaten\n"
    )
    assert [(m.author, m.kind, m.text) for m in messages[1:]] == [
        ("Jan", Kind.TEXT, "Eenmalig bekijken"), ("Jan", Kind.MEDIA, ""),
    ]  # fmt: skip
    assert messages[2].attachments[0].name == "Verslag.pdf"
    assert messages[2].attachments[0].omitted == "document"


def test_ios_a_chat_of_two_keeps_the_other_persons_messages():
    # the chat's name is the other person's: the notice is a system line, their words are not
    _, messages = _parse(
        f"[15/01/2024, 09:00:00] Jan: {LRM}Messages and calls are end-to-end encrypted.\n"
        "[15/01/2024, 09:01:00] Jan: Hello\n"
        f"[15/01/2024, 09:02:00] Jan: {LRM}image omitted\n"
        f"[15/01/2024, 09:03:00] Jan: {LRM}Missed voice call\n"
        "[15/01/2024, 09:04:00] Piet: Call you back\n",
        name="WhatsApp Chat - Jan.txt",
    )
    assert [(m.author, m.kind) for m in messages] == [
        (None, Kind.SYSTEM), ("Jan", Kind.TEXT), ("Jan", Kind.MEDIA), (None, Kind.SYSTEM),
        ("Piet", Kind.TEXT),
    ]  # fmt: skip


@pytest.mark.parametrize("code", sorted(TABLES))
def test_each_system_phrase_makes_a_system_line_with_the_mark_only(code):
    """A line per phrase of the language's table, from a participant: with iOS's U+200E
    after the colon it is WhatsApp's line; without it, the participant's words."""
    phrases = TABLES[code]["system"]
    lines = ["[15/01/2024, 09:00:00] Jan: Hallo"]
    for n, phrase in enumerate(phrases):
        lines.append(f"[15/01/2024, 10:{n:02}:00] Jan: {LRM}Piet{phrase}Anna")
        lines.append(f"[15/01/2024, 11:{n:02}:00] Jan: Piet{phrase}Anna")
    _, messages = _parse("\n".join(lines) + "\n")
    assert [(m.author, m.text) for m in messages[1:]] == [
        row
        for phrase in phrases
        for row in ((None, f"Piet{phrase}Anna"), ("Jan", f"Piet{phrase}Anna"))
    ]


@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("WhatsApp Chat with Raad.txt", "Raad"),
        ("WhatsApp-chat met Raad.txt", "Raad"),
        ("Чат WhatsApp с контактом Совет.txt", "Совет"),
        ("Чат WhatsApp с Совет.txt", "Совет"),
        ("Чат WhatsApp с\u00a0контактом Совет.txt", "Совет"),  # a no-break space, as written
        ("Chat WhatsApp s\u00a0uživatelem Rada.txt", "Rada"),
        ("Conversa no WhatsApp com Câmara.txt", "Câmara"),
        ("دردشة واتساب مع المجلس.txt", "المجلس"),
        ("Meclis ile WhatsApp Sohbeti.txt", "Meclis"),
        ("議会とのトーク.txt", "議会"),
        ("WhatsApp_Chat_with_Raad.txt", "Raad"),
    ],
)
def test_the_chats_title_comes_from_the_file_name_in_every_language(name, title):
    chat, _ = _parse("15/01/2024, 09:00 - Jan: Hallo\n", name=name)
    assert chat.title == title


@pytest.mark.parametrize(
    ("body", "name"),
    [
        # French puts spaces inside the brackets, Turkish the word after the file's name
        (f"{LRM}< pièce jointe : 00000012-PHOTO-2024-01-15-09-12-00.jpg >",
         "00000012-PHOTO-2024-01-15-09-12-00.jpg"),
        (f"{LRM}<00000013-VIDEO-2024-01-15-09-13-00.mp4 eklendi>",
         "00000013-VIDEO-2024-01-15-09-13-00.mp4"),
        (f"{RLM}<المُرفق: 00000014-AUDIO-2024-01-15-09-14-00.opus>",
         "00000014-AUDIO-2024-01-15-09-14-00.opus"),
    ],
)  # fmt: skip
def test_ios_attached_files_as_each_language_writes_them(body, name):
    _, messages = _parse(f"[15/01/2024, 09:00:00] Jan: Hallo\n[15/01/2024, 09:01:00] Jan: {body}\n")
    assert (messages[1].author, messages[1].kind) == ("Jan", Kind.MEDIA)
    assert [a.name for a in messages[1].attachments] == [name]


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        ("< Média vynechána >", Kind.MEDIA),  # Czech Android, older versions
        ("Tato zpráva byla odstraněna.", Kind.DELETED),  # Czech Android, with a full stop
        ("localisation : https://maps.google.com/?q=52.09,5.12", Kind.TEXT),
        ("位置情報：https://maps.google.com/?q=52.09,5.12", Kind.TEXT),
    ],
)
def test_android_wording_of_older_versions(body, kind):
    _, messages = _parse(f"15/01/2024, 09:00 - Jan: Hallo\n15/01/2024, 09:01 - Jan: {body}\n")
    assert (messages[1].author, messages[1].kind) == ("Jan", kind)


def test_a_message_longer_than_a_block_is_refused_by_its_own_line():
    # WhatsApp's limit is 65,536 characters; a "message" of 9 MB is not an export, and the
    # error names its line (not "text before the first message" further on)
    body = ("x" * 1000 + "\n") * 9000
    with pytest.raises(ParseError) as error:
        _parse(f"15/01/2024, 09:00 - Jan: Hallo\n15/01/2024, 09:01 - Jan: {body}"
               "15/01/2024, 09:02 - Jan: Na\n")  # fmt: skip
    assert error.value.code == "message_too_long"
    assert error.value.position == "line 2"
    assert "65,536" in error.value.reason


def test_a_long_message_within_a_block_is_kept_whole():
    body = "\n".join(["y" * 1000] * 3000)  # 3 MB in 3,000 lines
    _, messages = _parse(f"15/01/2024, 09:00 - Jan: {body}\n15/01/2024, 09:01 - Jan: Na\n")
    assert [len(m.text) for m in messages] == [len(body), 2]
