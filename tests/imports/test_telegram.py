"""Telegram Desktop JSON: a single chat and a whole account, text lists, service messages,
media, edited, old exports without unix times; malformed exports refused with the path."""

from __future__ import annotations

import io
import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from balie.imports.parsers import telegram
from balie.imports.parsers.base import Kind, Limits, ParseError

FIXTURES = Path(__file__).parent / "fixtures" / "telegram"
AMS = ZoneInfo("Europe/Amsterdam")


def test_a_single_chat():
    chat = telegram.parse(FIXTURES / "result-single.json", file_name="result.json")
    messages = list(chat.messages)
    assert (chat.format, chat.title) == ("telegram/single-chat", "Raadsfractie")
    assert [(m.author, m.kind, m.text) for m in messages] == [
        (None, Kind.SYSTEM, 'Jan Jansen created group "Raadsfractie"'),
        ("Jan Jansen", Kind.TEXT, "Morgen stemt de raad over de motie."),
        ("Anna Agent", Kind.EDITED, "Zie https://utrecht.nl/raad en lees het voorstel"),
        ("Jan Jansen", Kind.MEDIA, "Het bouwbord"),
        ("Jan Jansen", Kind.MEDIA, ""),
    ]
    assert messages[1].timestamp == datetime(2024, 1, 15, 9, 5, tzinfo=AMS)
    photo = messages[3].attachments[0]
    assert (photo.name, photo.member) == (
        "photo_1@15-01-2024_09-08-00.jpg",
        "photos/photo_1@15-01-2024_09-08-00.jpg",
    )
    voice = messages[4].attachments[0]
    assert voice.member is None and voice.mime_type == "audio/ogg"
    assert {m.chat for m in messages} == {"Raadsfractie"}
    assert messages[2].source_id == "4001:3" and messages[2].position == "messages[2]"


def test_an_account_export():
    chat = telegram.parse(FIXTURES / "result-account.json", file_name="result.json")
    messages = list(chat.messages)
    assert chat.format == "telegram/account"
    assert [(m.chat, m.text) for m in messages] == [
        ("Jan Jansen", "Oud export zonder unixtime"),
        ("Petra", "Eten we samen?"),
    ]
    assert messages[0].timestamp == datetime(2023, 6, 1, 12, 0, tzinfo=AMS)  # local time
    assert messages[1].position == "chats.list[1].messages[0]"


@pytest.mark.parametrize(
    ("data", "code", "where"),
    [
        (b"[1, 2]", "not_telegram_export", "$"),
        (b'{"name": "x"}', "not_telegram_export", "$"),
        (b'{"messages": [{"id": 1, "date": 5}]}', "bad_date", "messages[0].date"),
        (b'{"messages": [{"id": 1, "date": "2024-01-01T10:00:00", "text": [1]}]}',
         "bad_text", "messages[0].text[0]"),
        (b'{"messages": ["hallo"]}', "bad_message", "messages[0]"),
        (b'{"messages": [', "malformed_json", "line 1"),
        (b"[" * 100_000 + b"]" * 100_000, "malformed_json", "-"),
        (b"\xff\xfe", "not_utf8", "-"),
    ],
)  # fmt: skip
def test_malformed_exports_are_refused_with_the_path(data, code, where):
    with pytest.raises(ParseError) as error:
        list(telegram.parse(io.BytesIO(data), file_name="result.json").messages)
    assert error.value.code == code
    assert error.value.position.startswith(where)


def test_too_large():
    with pytest.raises(ParseError) as error:
        telegram.parse(
            FIXTURES / "result-single.json", file_name="r.json", limits=Limits(max_bytes=10)
        )
    assert error.value.code == "too_large"


def _replies_export(tmp_path) -> Path:
    """A question about work, four messages of small talk, then a short answer quoting it."""
    texts = [
        ("Jan Jansen", "Kun jij het raadsvoorstel over de omgevingsvergunning nog nalezen?"),
        ("Petra", "Zin in de vakantie!"),
        ("Jan Jansen", "Ja, nog twee weken"),
        ("Petra", "Lekker, strand en zon"),
        ("Jan Jansen", "Neem je de kinderen mee?"),
    ]
    messages = [
        {"id": n + 1, "type": "message", "date": f"2024-01-15T10:0{n}:00", "from": who,
         "text": text}
        for n, (who, text) in enumerate(texts)
    ]  # fmt: skip
    messages.append(
        {"id": 6, "type": "message", "date": "2024-01-15T10:09:00", "from": "Petra",
         "text": "Doe ik", "reply_to_message_id": 1}
    )  # fmt: skip
    path = tmp_path / "result.json"
    chat = {"name": "Jan en Petra", "type": "personal_chat", "id": 77, "messages": messages}
    path.write_text(json.dumps(chat), encoding="utf-8")
    return path


def test_a_quoted_reply_links_a_short_answer_to_the_question(tmp_path):
    from balie.imports.selection import Context, Proposer, summarize

    path = _replies_export(tmp_path)
    messages = list(telegram.parse(path, file_name="result.json").messages)
    assert messages[5].reply_to == "77:1" and messages[0].reply_to is None
    summaries = summarize(messages, "Jan en Petra")
    propose = Proposer(summaries, Context())
    answer = [propose(m, m.chat) for m in messages][5]
    assert "Een kort antwoord op een bericht over werk." in answer.reasons
    # without the quote, the answer is linked to the small talk just before it
    messages[5].reply_to = None
    again = Proposer(summaries, Context())
    unquoted = [again(m, m.chat) for m in messages][5]
    assert "Een kort antwoord op een privébericht." in unquoted.reasons
    assert unquoted.probability < answer.probability
