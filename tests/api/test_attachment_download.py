"""GET /api/v1/attachments/{id}/: the file, for a session or a key that may read it."""

from __future__ import annotations

import io

from PIL import Image

from balie.conversations import actions
from tests.conversations.test_files import jpeg_with_gps
from tests.factories import pdf_document


def test_key_downloads_a_photo_without_its_location(webchat, utrecht_key):
    conversation, _ = webchat
    attachment = actions.do_store_attachment(conversation, data=jpeg_with_gps(), filename="p.jpg")

    response = utrecht_key.get(f"/api/v1/attachments/{attachment.pk}/")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert not Image.open(io.BytesIO(response.content)).getexif()


def test_read_only_key_and_auditor_may_download(webchat, read_only_key, auditor_aziz, as_user):
    conversation, _ = webchat
    pdf = pdf_document()
    attachment = actions.do_store_attachment(conversation, data=pdf, filename="brief.pdf")
    for client in (read_only_key, as_user(auditor_aziz)):
        response = client.get(f"/api/v1/attachments/{attachment.pk}/")
        assert response.status_code == 200
        assert response.content == pdf
        assert response["Content-Disposition"].startswith("attachment;")


def test_agent_outside_the_team_gets_404(webchat, agent_bram, as_user):
    conversation, _ = webchat
    attachment = actions.do_store_attachment(conversation, data=jpeg_with_gps(), filename="p.jpg")
    response = as_user(agent_bram).get(f"/api/v1/attachments/{attachment.pk}/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
