"""Selection privacy, end to end: a real WhatsApp zip uploaded in the console, half of it
chosen, confirmed. Afterwards no unchosen text or photo is anywhere: not in any table, not in
the database file or its WAL, not among the stored files, not in the staging folder, not in
the temporary folder, not in the logs."""

from __future__ import annotations

import io
import logging
import tempfile
import time
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from balie.conversations.models import Attachment, Message
from balie.imports.staging import staging_dir
from tests.imports.helpers import JPEG
from tests.imports.test_import_actions import _everything_stored

pytestmark = pytest.mark.django_db(transaction=True)

BUSINESS = [
    "De raad stemt donderdag over het bestemmingsplan Merwedekanaal.",
    "Ik stuur je de motie over de inspraakavond vanavond nog.",
]
PRIVATE = [
    "Zaterdag de verjaardag van oma Truus, neem jij de taart mee?",
    "Mijn huisarts belde over de uitslag van het bloedonderzoek.",
]
PRIVATE_PHOTO = JPEG + b"vakantiefoto-strand-Texel"
BUSINESS_PHOTO = JPEG + b"plattegrond-merwedekanaal"


def _zip() -> bytes:
    chat = "\n".join(
        [
            "15-01-2024 10:00 - Jan Jansen: " + BUSINESS[0],
            "15-01-2024 10:01 - Jan Jansen: IMG-20240115-WA0001.jpg (bestand bijgevoegd)",
            "15-01-2024 19:30 - Petra: " + PRIVATE[0],
            "15-01-2024 19:31 - Petra: IMG-20240115-WA0002.jpg (bestand bijgevoegd)",
            "16-01-2024 09:00 - Jan Jansen: " + BUSINESS[1],
            "16-01-2024 21:00 - Petra: " + PRIVATE[1],
        ]
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("WhatsApp-chat met Raadsfractie.txt", chat)
        archive.writestr("IMG-20240115-WA0001.jpg", BUSINESS_PHOTO)
        archive.writestr("IMG-20240115-WA0002.jpg", PRIVATE_PHOTO)
    return out.getvalue()


def _bytes_under(root: Path, since: float | None = None) -> bytes:
    chunks = []
    for path in root.rglob("*"):
        try:
            if not path.is_file() or path.stat().st_size > 64 * 1024 * 1024:
                continue
            if since is None or path.stat().st_mtime >= since:
                chunks.append(path.read_bytes())
        except OSError:  # another process's file, gone or unreadable: not ours
            continue
    return b"\x00".join(chunks)


def _database_file() -> bytes:
    if connection.vendor != "sqlite":
        return b""
    path = connection.settings_dict["NAME"]
    found = b""
    for name in (path, f"{path}-wal"):
        if Path(name).exists():
            found += Path(name).read_bytes()
    return found


def test_unchosen_messages_and_photos_leave_no_trace(client, caplog, agent_anna):
    caplog.set_level(logging.DEBUG)
    started = time.time() - 1
    client.force_login(agent_anna)
    upload = SimpleUploadedFile(
        "WhatsApp-chat met Raadsfractie.zip", _zip(), content_type="application/zip"
    )
    response = client.post(
        "/console/utrecht/imports/",
        {"source": "whatsapp", "file": upload, "owner_note": "Werktelefoon"},
    )
    assert response.status_code == 302, response.text
    review = client.get(response.url)
    assert PRIVATE[0] in review.text  # the official sees everything before choosing
    # Messages 0-5 in file order: the business text, its photo, and the second business text.
    chosen = {f"d{i}": "keep" if i in (0, 1, 4) else "drop" for i in range(6)}
    done = client.post(response.url, {"page_rows": "1", **chosen, "action": "confirm"})
    assert done.status_code == 302
    assert set(Message.objects.values_list("body", flat=True)) >= set(BUSINESS)
    assert Attachment.objects.count() == 1

    places = {
        "tables": _everything_stored(),
        "database file": _database_file(),
        "stored files": _bytes_under(Path(settings.STORAGES["default"]["OPTIONS"]["location"])),
        "staging": _bytes_under(staging_dir()) if staging_dir().exists() else b"",
        "temporary files": _bytes_under(Path(tempfile.gettempdir()), since=started),
        "logs": caplog.text.encode(),
    }
    for name, content in places.items():
        for text in PRIVATE:
            assert text.encode() not in content, f"{text!r} found in {name}"
        assert b"vakantiefoto-strand-Texel" not in content, f"private photo found in {name}"
    for name in ("tables", "database file", "logs"):
        assert b"IMG-20240115-WA0002.jpg" not in places[name], f"private photo's name in {name}"
    assert BUSINESS[0].encode() in places["tables"]
    if connection.vendor == "sqlite":  # the file check sees what is stored
        assert BUSINESS[0].encode() in places["database file"]
    assert b"plattegrond-merwedekanaal" in places["stored files"]  # the original is kept
