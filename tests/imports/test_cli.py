"""``balie import``: dry run, selection options, summary, bad input."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from balie.cli import ALIASES
from balie.conversations.models import Message
from balie.imports.models import ImportBatch
from tests.imports.helpers import export_of
from tests.imports.test_import_actions import BUSINESS, PRIVATE, _mixed

pytestmark = pytest.mark.django_db


def _run(export, *args) -> str:
    out = StringIO()
    call_command(
        "import_chats", "whatsapp", str(export.path), "--organisation", "utrecht",
        "--owner", "agent_anna", *args, stdout=out,
    )  # fmt: skip
    return out.getvalue()


@pytest.fixture
def export(monkeypatch, tmp_path, utrecht, agent_anna):
    return export_of(monkeypatch, tmp_path, _mixed())


def test_balie_import_is_this_command():
    assert ALIASES["import"] == "import_chats"


def test_dry_run_shows_the_proposal_with_reasons_and_stores_nothing(export):
    shown = _run(export, "--dry-run")
    assert "Woorden die op werk wijzen" in shown and "Woorden die op privé wijzen" in shown
    assert "decide (doubt): doubt" in shown
    assert "Raadsfractie" in shown and "nothing stored" in shown
    assert not Message.objects.exists() and not ImportBatch.objects.exists()


def test_import_with_rules_and_a_summary(export):
    shown = _run(export, "--select", "all", "--exclude", "1,3-4", "--owner-note", "Werktelefoon")
    assert "added to the archive" in shown
    stored = set(Message.objects.values_list("body", flat=True))
    assert stored == {BUSINESS[0], BUSINESS[1], PRIVATE[2]}
    batch = ImportBatch.objects.get()
    assert (batch.messages_added, batch.owner_note, batch.channel) == (3, "Werktelefoon", "cli")


def test_only_a_period(export):
    _run(export, "--select", "all", "--from", "2024-03-05", "--to", "2024-03-05")
    assert set(Message.objects.values_list("body", flat=True)) == {BUSINESS[1], PRIVATE[1]}


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--include", "3-x"], "is not a number or a range"),
        (["--include", "9-3"], "N <= M"),
        (["--from", "gisteren"], "is not a date"),
        (["--importer", "nobody"], "No active staff user"),
    ],
)
def test_bad_options_are_refused_clearly(export, args, says):
    with pytest.raises(CommandError) as error:
        _run(export, *args)
    assert says in str(error.value)
    assert not Message.objects.exists()


def test_a_missing_file_and_another_municipalitys_owner(export, agent_gerrit, tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command(
            "import_chats", "whatsapp", str(tmp_path / "nope.txt"),
            "--organisation", "utrecht", "--owner", "agent_anna",
        )  # fmt: skip
    with pytest.raises(CommandError, match="werkt niet voor"):
        call_command(
            "import_chats", "whatsapp", str(export.path), "--organisation", "utrecht",
            "--owner", agent_gerrit.username, stdout=StringIO(),
        )  # fmt: skip


def test_a_real_whatsapp_zip_with_its_media(utrecht, agent_anna):
    from pathlib import Path

    from balie.conversations.models import Attachment

    fixture = Path(__file__).parent / "fixtures" / "whatsapp" / "WhatsApp-chat met Raadsfractie.zip"
    out = StringIO()
    call_command(
        "import_chats", "whatsapp", str(fixture), "--organisation", "utrecht",
        "--owner", "agent_anna", "--select", "all", "--me", "John Smith", stdout=out,
    )  # fmt: skip
    batch = ImportBatch.objects.get()
    assert batch.format.startswith("whatsapp/android/12h/mdy")
    assert (batch.messages_in_file, batch.messages_added, batch.attachments_added) == (5, 5, 1)
    assert Attachment.objects.get().filename == "IMG-20240115-WA0001.jpg"
    assert Message.objects.filter(direction="outbound").count() == 2  # John Smith = the owner


def test_sources_without_a_parser_say_so():
    from balie.imports.parsers import ParseError, available, parse

    assert "whatsapp" in available()
    for source in ("sms", "telegram"):
        if source not in available():
            with pytest.raises(ParseError) as error:
                parse("x.xml", source, file_name="x.xml")
            assert error.value.code == "unsupported"


def test_a_real_sms_backup(utrecht, agent_anna):
    from pathlib import Path

    from balie.conversations.models import Attachment
    from balie.imports.models import ImportedChat

    fixture = Path(__file__).parent / "fixtures" / "sms" / "sms-backup.xml"
    call_command(
        "import_chats", "sms", str(fixture), "--organisation", "utrecht",
        "--owner", "agent_anna", "--select", "all", stdout=StringIO(),
    )  # fmt: skip
    batch = ImportBatch.objects.get()
    assert (batch.format, batch.messages_in_file, batch.messages_added) == (
        "sms-backup-restore", 5, 5,
    )  # fmt: skip
    assert ImportedChat.objects.count() == 3  # two numbers and one group
    assert Message.objects.filter(direction="outbound", author=agent_anna).count() == 2
    assert Attachment.objects.get().content_type == "image/jpeg"
