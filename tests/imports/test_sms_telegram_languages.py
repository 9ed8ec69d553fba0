"""SMS backups and Telegram exports in other scripts and layouts, each parsing to exactly
its expected messages; SMS numbers normalised into one conversation; call logs with their
durations; a zipped Telegram Desktop folder imported with its media."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from balie.conversations.models import Attachment, Message
from balie.imports.actions import do_import
from balie.imports.exports import Export
from balie.imports.parsers import sms, telegram
from balie.imports.parsers.base import Kind, ParseError
from balie.imports.selection import Rules

FIXTURES = Path(__file__).parent / "fixtures"
FOLDER = FIXTURES / "telegram" / "ChatExport_2024-01-15"


def _rows(messages):
    return [(m.chat, m.author, m.outgoing, m.kind, m.text) for m in messages]


def test_sms_in_other_scripts_with_every_spelling_of_a_number():
    chat = sms.parse(FIXTURES / "sms" / "sms-scripts.xml", file_name="s.xml", owner_name="Anna")
    assert _rows(chat.messages) == [
        ("+31612345678", "أحمد العمراني", False, Kind.TEXT, "مرحبا، هل الاجتماع غدا؟"),
        ("+31612345678", "Anna", True, Kind.TEXT, "Ja, om tien uur."),
        ("+31612345678", "أحمد العمراني", False, Kind.TEXT, "شكرا!\nإلى الغد"),
        ("+31687654321", "Олена Коваль", False, Kind.TEXT, "Добрий день, документи готові."),
        ("+49301234567", "王芳", False, Kind.TEXT, "您好，会议改到周四。"),
        ("+49301234567", "Anna", True, Kind.TEXT, "Prima, donderdag dan."),
        ("3535", "3535", False, Kind.TEXT, "Uw verificatiecode is 123456"),
        ("ING", "ING", False, Kind.TEXT, "Uw betaling is verwerkt."),
        ("+302101234567", "Γιώργος Παπαδόπουλος", False, Kind.TEXT, "Καλημέρα!"),
    ]


@pytest.mark.parametrize(
    ("spelling", "number"),
    [
        ("06 12345678", "+31612345678"),
        ("+31612345678", "+31612345678"),
        ("0031 6 12345678", "+31612345678"),
        ("(06) 1234-5678", "+31612345678"),
        ("+316١٢٣٤٥٦٧٨", "+31612345678"),  # Arabic-Indic digits
        ("020 123 4567", "+31201234567"),
        ("+44 20 7946 0958", "+442079460958"),
        ("3535", "3535"),
        ("112", "112"),
        ("ING Bank", "ING Bank"),
        ("Gemeente", "Gemeente"),
    ],
)
def test_sms_numbers(spelling, number):
    xml = (
        f'<smses><sms address="{spelling}" date="1705305600000" type="1" body="x" '
        'contact_name="(Unknown)" /></smses>'
    )
    (message,) = sms.parse(io.BytesIO(xml.encode()), file_name="s.xml").messages
    assert message.chat == number


def test_sms_call_log_keeps_durations():
    chat = sms.parse(FIXTURES / "sms" / "calls.xml", file_name="calls.xml", owner_name="Anna")
    assert _rows(chat.messages) == [
        ("+31612345678", "أحمد العمراني", False, Kind.SYSTEM, "Incoming call, 2:05 (125 s)"),
        ("+31612345678", "Anna", True, Kind.SYSTEM, "Outgoing call, 61:11 (3671 s)"),
        ("+31687654321", "Олена Коваль", False, Kind.SYSTEM, "Missed call, 0:00 (0 s)"),
        ("+31201234567", "+31201234567", False, Kind.SYSTEM, "Voicemail, 0:42 (42 s)"),
    ]
    assert chat.format == "sms-backup-restore/calls"


def test_a_call_with_a_bad_duration_is_refused_with_where():
    xml = b'<calls><call number="0612345678" duration="-5" date="1705305600000" type="1"/></calls>'
    with pytest.raises(ParseError) as error:
        list(sms.parse(io.BytesIO(xml), file_name="calls.xml").messages)
    assert (error.value.code, error.value.position) == ("bad_duration", "<call> 1")


def test_telegram_account_in_arabic_and_japanese():
    chat = telegram.parse(FIXTURES / "telegram" / "result-account-ar-ja.json", file_name="r.json")
    messages = list(chat.messages)
    assert [(m.chat, m.author, m.kind, m.text) for m in messages] == [
        ("مجلس البلدية", None, Kind.SYSTEM, "أحمد added فاطمة"),
        ("مجلس البلدية", "أحمد", Kind.TEXT, "صباح الخير، الاجتماع في الساعة العاشرة."),
        ("مجلس البلدية", "فاطمة", Kind.TEXT, "مهم: الميزانية"),
        ("مجلس البلدية", "(onbekend)", Kind.TEXT, "رسالة من حساب محذوف"),
        ("市議会", "田中", Kind.TEXT, "おはようございます。\n議題は予算です。"),
        ("市議会", "佐藤", Kind.MEDIA, "写真"),
        ("市議会", None, Kind.SYSTEM, "田中 pinned a message"),
    ]
    assert messages[5].attachments[0].member is None
    assert messages[4].timestamp.isoformat() == "2024-01-15T10:00:00+01:00"


def _zipped_folder(target: Path, folder: Path = FOLDER) -> Path:
    """The export folder zipped as one does on a desktop: the folder itself at the top."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{folder.name}/", b"")
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, f"{folder.name}/{path.relative_to(folder).as_posix()}")
    return target


def test_a_zipped_telegram_desktop_folder_in_russian(tmp_path):
    path = _zipped_folder(tmp_path / "ChatExport_2024-01-15.zip")
    chat = telegram.parse(path, file_name=path.name)
    messages = list(chat.messages)
    assert chat.title == "Совет депутатов"
    assert [(m.author, m.kind, m.text) for m in messages] == [
        (None, Kind.SYSTEM, 'Иван Петров created group "Совет депутатов"'),
        ("Иван Петров", Kind.TEXT, "Доброе утро! Завтра совет голосует по бюджету."),
        ("Анна Смирнова", Kind.EDITED, "Смотрите https://example.org/совет\nи вторую строку"),
        ("Иван Петров", Kind.MEDIA, "Стройплощадка"),
        ("Анна Смирнова", Kind.MEDIA, ""),
        ("Иван Петров", Kind.MEDIA, ""),
        ("Анна Смирнова", Kind.MEDIA, ""),
        ("Иван Петров", Kind.MEDIA, ""),
        ("Иван Петров", Kind.MEDIA, ""),
    ]
    top = "ChatExport_2024-01-15/"
    assert [a.member for m in messages for a in m.attachments] == [
        top + "photos/photo_1@15-01-2024_09-08-00.jpg",
        top + "files/Повестка дня.pdf",
        top + "video_files/video_2024-01-15_09-10-00.mp4",
        top + "voice_messages/audio_1@15-01-2024_09-11-00.ogg",
        None,  # too large, not in the export
        None,  # climbs out of the folder: never looked up
    ]


def test_a_zip_with_two_telegram_exports_side_by_side_is_refused(tmp_path):
    path = tmp_path / "two.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.write(FOLDER / "result.json", "a/result.json")
        archive.write(FOLDER / "result.json", "b/result.json")
    with pytest.raises(ParseError) as error:
        telegram.parse(path, file_name="two.zip")
    assert error.value.code == "not_telegram_export"


@pytest.mark.django_db
def test_a_zipped_telegram_folder_is_imported_with_its_photos_and_files(
    tmp_path, utrecht, agent_anna
):
    path = _zipped_folder(tmp_path / "ChatExport_2024-01-15.zip")
    export = Export(path=path, source="telegram", file_name=path.name)
    batch = do_import(
        export, organisation=utrecht, owner=agent_anna, importer=agent_anna, rules=Rules(base="all")
    )
    assert batch.attachments_added == 4
    names = sorted(Attachment.objects.values_list("filename", flat=True))
    assert names[0].startswith("audio_1") and any(n.endswith(".pdf") for n in names)
    photo = Attachment.objects.get(filename__startswith="photo_1")
    assert photo.content_type == "image/jpeg"
    assert Message.objects.filter(attachments__isnull=False).distinct().count() == 4


def test_an_unknown_xml_encoding_is_refused_not_a_traceback():
    """Found by fuzzing: ``encoding='TTF-8'`` raised LookupError."""
    xml = b"<?xml version='1.0' encoding='TTF-8' ?><smses></smses>"
    with pytest.raises(ParseError) as error:
        list(sms.parse(io.BytesIO(xml), file_name="s.xml").messages)
    assert error.value.code == "malformed_xml"
