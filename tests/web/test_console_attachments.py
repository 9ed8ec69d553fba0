"""Staff uploads and downloads: size and type checks, metadata stripped, safe headers."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from balie.conversations.models import Attachment
from tests.factories import pdf_document


def _jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (40, 30), (200, 30, 30))
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (52.0, 5.0, 0.0)}  # GPSInfo
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


PDF = pdf_document()


def _upload(client, conversation, data, name):
    return client.post(
        f"/console/conversations/{conversation.pk}/upload/",
        {"file": SimpleUploadedFile(name, data)},
    )


@pytest.fixture
def anna(client, agent_anna):
    client.force_login(agent_anna)
    return client


def _stored_files(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_upload_an_image_and_download_it_without_gps(anna, agent_anna, webchat):
    conversation, _ = webchat
    original = _jpeg_with_gps()
    response = _upload(anna, conversation, original, "foto.jpg")
    assert response.status_code == 201
    payload = response.json()["attachment"]
    assert (payload["content_type"], payload["width"], payload["height"]) == ("image/jpeg", 40, 30)
    attachment = Attachment.objects.get(pk=payload["id"])
    assert attachment.uploaded_by == agent_anna

    download = anna.get(payload["url"])
    body = download.content
    assert download.status_code == 200
    assert download["Content-Type"] == "image/jpeg"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Security-Policy"] == "sandbox"
    assert download["Content-Disposition"].startswith("inline")
    assert body != original
    assert "exif" not in Image.open(io.BytesIO(body)).info


def test_pdf_downloads_as_attachment(anna, webchat):
    conversation, _ = webchat
    payload = _upload(anna, conversation, PDF, "brief.pdf").json()["attachment"]
    download = anna.get(payload["url"])
    assert download.content == PDF
    assert download["Content-Disposition"] == 'attachment; filename="brief.pdf"'
    assert download["Content-Security-Policy"] == "sandbox"


def test_oversized_upload_is_refused_before_parsing(anna, webchat, settings, _files_in_tmp):
    conversation, _ = webchat
    settings.MAX_UPLOAD_BYTES = 1000
    response = _upload(anna, conversation, b"%PDF-" + b"x" * 200_000, "groot.pdf")
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert not Attachment.objects.exists()
    assert _stored_files(_files_in_tmp) == []


def test_disguised_file_is_refused(anna, webchat, _files_in_tmp):
    conversation, _ = webchat
    response = _upload(anna, conversation, b"MZ\x90\x00 not really a photo", "foto.jpg")
    assert response.status_code == 400
    assert response.json()["code"] == "type_not_allowed"
    assert not Attachment.objects.exists()
    assert _stored_files(_files_in_tmp) == []


def test_upload_without_file_field(anna, webchat):
    conversation, _ = webchat
    response = anna.post(f"/console/conversations/{conversation.pk}/upload/", {"other": "x"})
    assert response.status_code == 400
    assert response.json()["code"] == "no_file"


def test_upload_needs_csrf(agent_anna, webchat):
    from django.test import Client

    conversation, _ = webchat
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent_anna)
    assert _upload(client, conversation, PDF, "brief.pdf").status_code == 403
    assert not Attachment.objects.exists()


def test_auditor_cannot_upload_but_can_download(client, agent_anna, auditor_aziz, webchat):
    conversation, _ = webchat
    client.force_login(agent_anna)
    url = _upload(client, conversation, PDF, "brief.pdf").json()["attachment"]["url"]
    client.force_login(auditor_aziz)
    response = _upload(client, conversation, PDF, "ander.pdf")
    assert response.status_code == 403
    assert Attachment.objects.count() == 1
    download = client.get(url)
    download.close()
    assert download.status_code == 200


def test_unknown_attachment_is_404(anna, webchat):
    assert anna.get("/console/attachments/424242/").status_code == 404
