"""SMS Backup & Restore: sms and mms, sent and received, emoji as surrogate references,
drafts left out, hostile and malformed XML refused with where."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from balie.imports.parsers import sms
from balie.imports.parsers.base import Kind, Limits, ParseError

FIXTURE = Path(__file__).parent / "fixtures" / "sms" / "sms-backup.xml"
AMS = ZoneInfo("Europe/Amsterdam")


def test_a_backup_with_sms_and_mms():
    chat = sms.parse(FIXTURE, file_name="sms-backup.xml", owner_name="Anna Agent")
    messages = list(chat.messages)
    assert chat.format == "sms-backup-restore"
    assert [(m.chat, m.author, m.outgoing, m.kind, m.text) for m in messages] == [
        ("+31612345678", "Jan Jansen", False, Kind.TEXT,
         "Goedemorgen, staat de motie over de Kwartelweg op de agenda?"),
        ("+31612345678", "Anna Agent", True, Kind.TEXT, "Ja, donderdag. Groet \U0001f604"),
        ("+31687654321", "+31687654321", False, Kind.TEXT, "Eten we vanavond samen?\nGroetjes"),
        ("+31612345678", "Jan Jansen", False, Kind.MEDIA, "Foto van het bouwbord"),
        ("+31612345678, +31698765432", "Anna Agent", True, Kind.TEXT,
         "Overleg om 14:00 in de raadszaal"),
    ]  # fmt: skip
    assert messages[0].timestamp == datetime(2024, 1, 15, 9, 0, tzinfo=AMS)
    [photo] = messages[3].attachments
    assert (photo.name, photo.mime_type) == ("IMG_0001.jpg", "image/jpeg")
    assert photo.data.startswith(b"\xff\xd8")
    assert chat.warnings == ["<sms> 4: a draft, left out"]
    assert [m.position for m in messages] == ["<sms> 1", "<sms> 2", "<sms> 3", "<mms> 1", "<mms> 2"]


HEAD = b"<?xml version='1.0' encoding='UTF-8'?>\n"


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (HEAD + b'<!DOCTYPE smses [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><smses>&b;</smses>',
         "xml_refused"),
        (HEAD + b'<!DOCTYPE smses SYSTEM "file:///etc/passwd"><smses/>', "xml_refused"),
        (HEAD + b'<smses><sms date="1" type="1" body="x"', "malformed_xml"),
        (HEAD + b"<html><body>Hallo</body></html>", "not_sms_backup"),
        (HEAD + b'<smses><sms date="gisteren" type="1" body="x"/></smses>', "bad_date"),
        (HEAD + b'<smses><mms date="1" msg_box="1"><parts><part ct="image/jpeg" data="!!"/>'
         b"</parts></mms></smses>", "bad_base64"),
        (b"", "not_sms_backup"),
        (b"\x00\x01binary", "malformed_xml"),
    ],
)  # fmt: skip
def test_hostile_and_malformed_backups_are_refused(data, code):
    with pytest.raises(ParseError) as error:
        chat = sms.parse(io.BytesIO(data), file_name="backup.xml")
        list(chat.messages)
    assert error.value.code == code
    assert str(error.value).startswith("backup.xml, ")


def test_too_large_is_refused_before_reading():
    with pytest.raises(ParseError) as error:
        sms.parse(FIXTURE, file_name="x.xml", limits=Limits(max_bytes=100))
    assert error.value.code == "too_large"


def test_a_surrogate_pair_cut_between_reads_is_still_joined(monkeypatch):
    body = "&#55357;&#56836;" * 5000
    data = HEAD + f'<smses><sms date="1" type="1" body="{body}"/></smses>'.encode()
    [message] = sms.parse(io.BytesIO(data), file_name="x.xml").messages
    assert message.text == "\U0001f604" * 5000
