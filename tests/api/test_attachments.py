"""Uploading files over the API: stored with the sniffed type, or refused with a code."""

from __future__ import annotations

from balie.conversations.models import Attachment
from tests.api.helpers import png_bytes, stored, upload
from tests.factories import pdf_document


def test_agent_uploads_an_image(as_user, agent_anna, webchat):
    conversation, _ = webchat

    response = as_user(agent_anna).post(
        f"/api/v1/conversations/{conversation.pk}/attachments/",
        {"file": upload("../../stoep.png", png_bytes(5, 7))},
        format="multipart",
    )

    assert response.status_code == 201
    body = response.json()
    assert body["filename"] == "stoep.png"
    assert body["content_type"] == "image/png"
    assert (body["width"], body["height"]) == (5, 7)
    assert body["message"] is None
    attachment = Attachment.objects.get(pk=body["id"])
    assert attachment.uploaded_by == agent_anna
    assert attachment.conversation == conversation


def test_api_key_uploads_a_pdf(utrecht_key, webchat):
    conversation, _ = webchat
    pdf = pdf_document()

    response = utrecht_key.post(
        f"/api/v1/conversations/{conversation.pk}/attachments/",
        {"file": upload("besluit.pdf", pdf)},
        format="multipart",
    )

    assert response.status_code == 201
    assert response.json()["content_type"] == "application/pdf"
    assert response.json()["size"] == len(pdf)


def test_disguised_file_is_refused_and_nothing_stored(as_user, agent_anna, webchat):
    conversation, _ = webchat
    before = stored()

    response = as_user(agent_anna).post(
        f"/api/v1/conversations/{conversation.pk}/attachments/",
        {"file": upload("foto.png", b"MZ\x90\x00 not a picture at all")},
        format="multipart",
    )

    assert response.status_code == 400
    assert response.json()["code"] == "type_not_allowed"
    assert "PDF" in response.json()["detail"]
    assert stored() == before


def test_truncated_image_is_refused(as_user, agent_anna, webchat):
    conversation, _ = webchat
    before = stored()

    response = as_user(agent_anna).post(
        f"/api/v1/conversations/{conversation.pk}/attachments/",
        {"file": upload("foto.png", png_bytes()[:40])},
        format="multipart",
    )

    assert response.status_code == 400
    assert response.json()["code"] == "corrupt"
    assert stored() == before


def test_oversized_upload_is_refused_before_parsing(as_user, agent_anna, webchat, settings):
    conversation, _ = webchat
    settings.MAX_UPLOAD_BYTES = 1024
    before = stored()

    response = as_user(agent_anna).post(
        f"/api/v1/conversations/{conversation.pk}/attachments/",
        {"file": upload("groot.png", b"\x89PNG\r\n\x1a\n" + b"0" * (100 * 1024))},
        format="multipart",
    )

    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert stored() == before


def test_file_just_over_the_limit_is_refused_by_the_check(as_user, agent_anna, webchat, settings):
    conversation, _ = webchat
    settings.MAX_UPLOAD_BYTES = 1024
    before = stored()

    response = as_user(agent_anna).post(
        f"/api/v1/conversations/{conversation.pk}/attachments/",
        {"file": upload("groot.png", png_bytes(200, 200) + b"0" * 2048)},
        format="multipart",
    )

    assert response.status_code == 400
    assert response.json()["code"] == "too_large"
    assert stored() == before


def test_missing_file_field(as_user, agent_anna, webchat):
    conversation, _ = webchat

    response = as_user(agent_anna).post(
        f"/api/v1/conversations/{conversation.pk}/attachments/", {}, format="multipart"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert response.json()["fields"]["file"][0]["code"] == "required"


def test_json_is_not_accepted_for_uploads(as_user, agent_anna, webchat):
    conversation, _ = webchat

    response = as_user(agent_anna).post(
        f"/api/v1/conversations/{conversation.pk}/attachments/", {"file": "x"}, format="json"
    )

    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"
