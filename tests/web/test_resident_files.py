"""Resident uploads (token header, size and type checks) and signed attachment downloads."""

from __future__ import annotations

import io
import time

import pytest
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from balie.conversations import actions, events
from balie.conversations.blobs import open_blob
from balie.conversations.models import Attachment, Direction
from tests.factories import pdf_document, send

pytestmark = pytest.mark.django_db

PDF = pdf_document()


def png_bytes(size=(12, 8)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (20, 120, 200)).save(out, "PNG")
    return out.getvalue()


def jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (52.0, 5.0, 0.0), 3: "E", 4: (5.0, 7.0, 0.0)}  # GPS IFD
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, "JPEG", exif=exif)
    return out.getvalue()


def upload(client, slug, token, data, name="foto.png"):
    headers = {"X-Balie-Token": token} if token else {}
    return client.post(
        f"/c/{slug}/upload/", {"file": SimpleUploadedFile(name, data)}, headers=headers
    )


def stored_files(files_dir) -> list:
    return [p for p in files_dir.rglob("*") if p.is_file()] if files_dir.exists() else []


def test_png_upload_is_stored_and_answered_with_a_signed_link(client, webchat):
    conversation, token = webchat

    response = upload(client, "utrecht", token, png_bytes())

    assert response.status_code == 201
    payload = response.json()["attachment"]
    attachment = Attachment.objects.get(pk=payload["id"])
    assert attachment.conversation == conversation
    assert attachment.uploaded_by_resident
    assert payload == events.attachment_payload(attachment, for_resident=True) | {
        "url": payload["url"]
    }
    assert (payload["content_type"], payload["width"], payload["height"]) == ("image/png", 12, 8)
    assert payload["url"].startswith("/c/a/")

    download = client.get(payload["url"])
    assert download.status_code == 200
    assert download.headers["Content-Type"] == "image/png"
    assert download.headers["Content-Disposition"].startswith("inline")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Security-Policy"] == "sandbox"
    assert download.headers["Cache-Control"].startswith("private")
    assert Image.open(io.BytesIO(fetch(client, payload["url"])[1])).size == (12, 8)


def test_served_jpeg_is_the_display_copy_without_exif_or_gps(client, webchat):
    _conversation, token = webchat

    payload = upload(client, "utrecht", token, jpeg_with_gps(), "IMG_0001.jpg").json()["attachment"]

    _status, served = fetch(client, payload["url"])
    assert not Image.open(io.BytesIO(served)).getexif()
    original = Attachment.objects.get(pk=payload["id"])
    with open_blob(original.sha256) as blob:  # the archive keeps the original as uploaded
        assert Image.open(io.BytesIO(blob.read())).getexif()


def test_pdf_is_served_as_a_download(client, webchat):
    _conversation, token = webchat

    payload = upload(client, "utrecht", token, PDF, "aanslag.pdf").json()["attachment"]

    download = client.get(payload["url"])
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["Content-Disposition"] == 'attachment; filename="aanslag.pdf"'
    assert fetch(client, payload["url"]) == (200, PDF)


def test_oversized_upload_is_refused_before_parsing_and_nothing_is_stored(
    client, webchat, settings, _files_in_tmp
):
    _conversation, token = webchat
    settings.MAX_UPLOAD_BYTES = 1024

    response = upload(client, "utrecht", token, b"\xff\xd8\xff" + b"0" * 80 * 1024, "big.jpg")

    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert "maximum" in response.json()["detail"]
    assert not Attachment.objects.exists()
    assert stored_files(_files_in_tmp) == []


def test_html_disguised_as_jpeg_is_refused_and_nothing_is_stored(client, webchat, _files_in_tmp):
    _conversation, token = webchat

    response = upload(client, "utrecht", token, b"<html><script>alert(1)</script>", "foto.jpg")

    assert response.status_code == 400
    assert response.json()["code"] == "type_not_allowed"
    assert not Attachment.objects.exists()
    assert stored_files(_files_in_tmp) == []


def test_upload_without_a_file_is_400(client, webchat):
    _conversation, token = webchat

    response = client.post("/c/utrecht/upload/", {}, headers={"X-Balie-Token": token})

    assert response.status_code == 400
    assert response.json()["code"] == "no_file"


@pytest.mark.parametrize("token", [None, "x" * 43])
def test_upload_without_a_known_token_is_404(client, webchat, token):
    response = upload(client, "utrecht", token, png_bytes())

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert not Attachment.objects.exists()


def test_utrecht_token_does_not_work_for_groningen(client, webchat, groningen):
    _conversation, token = webchat

    response = upload(client, "groningen", token, png_bytes())

    assert response.status_code == 404
    assert not Attachment.objects.exists()


def test_upload_only_accepts_post(client, webchat):
    assert client.get("/c/utrecht/upload/").status_code == 405


def fetch(client, url) -> tuple[int, bytes]:
    response = client.get(url)
    return response.status_code, response.content


def _signed(attachment) -> str:
    return f"/c/a/{signing.dumps(attachment.pk, salt=events.RESIDENT_ATTACHMENT_SALT)}/"


@pytest.fixture
def resident_photo(webchat):
    conversation, _token = webchat
    return actions.do_store_attachment(conversation, data=png_bytes(), filename="foto.png")


def test_tampered_signed_link_is_404(client, resident_photo):
    url = _signed(resident_photo)
    value = url.split("/")[3]
    forged = signing.dumps(resident_photo.pk + 1, salt=events.RESIDENT_ATTACHMENT_SALT)
    tampered_pk = forged.split(":")[0] + ":" + value.split(":", 1)[1]

    assert fetch(client, url)[0] == 200
    assert fetch(client, f"/c/a/{value[:-2]}xx/")[0] == 404
    assert fetch(client, f"/c/a/{tampered_pk}/")[0] == 404
    assert fetch(client, f"/c/a/{signing.dumps(resident_photo.pk)}/")[0] == 404  # no salt


def test_signed_link_expires_after_seven_days(client, resident_photo, monkeypatch):
    url = _signed(resident_photo)
    eight_days_later = time.time() + 8 * 24 * 3600
    monkeypatch.setattr(signing.time, "time", lambda: eight_days_later)

    assert fetch(client, url)[0] == 404


def test_note_attachment_is_not_fetchable_by_the_resident(client, webchat, agent_anna):
    conversation, _token = webchat
    attachment = actions.do_store_attachment(
        conversation, data=png_bytes(), filename="intern.png", uploaded_by=agent_anna
    )
    send(conversation, "alleen voor collega's", direction=Direction.NOTE, author=agent_anna)
    actions.do_send_message(
        conversation,
        direction=Direction.NOTE,
        body="zie foto",
        client_id="note-with-photo",
        author=agent_anna,
        attachment_ids=[attachment.pk],
    )

    assert fetch(client, _signed(attachment))[0] == 404


def test_staff_draft_upload_is_not_fetchable_until_sent(client, webchat, agent_anna):
    conversation, _token = webchat
    attachment = actions.do_store_attachment(
        conversation, data=png_bytes(), filename="antwoord.png", uploaded_by=agent_anna
    )

    assert fetch(client, _signed(attachment))[0] == 404

    actions.do_send_message(
        conversation,
        direction=Direction.OUTBOUND,
        body="Hierbij de foto",
        client_id="reply-with-photo",
        author=agent_anna,
        attachment_ids=[attachment.pk],
    )
    assert fetch(client, _signed(attachment))[0] == 200
