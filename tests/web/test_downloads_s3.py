"""Uploads and downloads with the files in an S3-compatible bucket (moto's server over
HTTP): every surface checks permission and writes the audit record first, then streams the
bytes, or (BALIE_FILE_DOWNLOADS=signed) redirects to a short-lived link that the store
answers with the same type and disposition (decision 0032)."""

from __future__ import annotations

import asyncio
import io
import time
from urllib.parse import urlsplit

import pytest
import requests
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections
from PIL import Image
from rest_framework.test import APIClient

from balie.archive.models import AuditEntry
from balie.conf.asgi import application
from balie.conversations import actions, events
from balie.conversations.blobs import blob_name, open_blob
from balie.conversations.models import Attachment
from balie.web import downloads
from tests.asgi import request
from tests.factories import pdf_document
from tests.fakes.s3 import link_parts, switch_to_s3

PDF = pdf_document(b"Aanvraag parkeervergunning")


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (12, 8), (20, 120, 200)).save(out, "PNG")
    return out.getvalue()


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def signed(s3_storage, s3_server, settings):
    """Downloads as links to the bucket, valid a minute."""
    switch_to_s3(settings, s3_server.options(s3_storage.prefix), downloads="signed")
    return s3_storage


@pytest.fixture
def anna(client, agent_anna):
    client.force_login(agent_anna)
    return client


def console_upload(client, conversation, data, name):
    response = client.post(
        f"/console/conversations/{conversation.pk}/upload/",
        {"file": SimpleUploadedFile(name, data)},
    )
    assert response.status_code == 201, response.content
    return response.json()["attachment"]


def resident_upload(client, token, data, name):
    response = client.post(
        "/c/utrecht/upload/",
        {"file": SimpleUploadedFile(name, data)},
        headers={"X-Balie-Token": token},
    )
    assert response.status_code == 201, response.content
    return response.json()["attachment"]


def api_client(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def read_of(attachment_id: int, actor) -> bool:
    return AuditEntry.objects.filter(
        action="attachment.read", object_id=attachment_id, actor=actor
    ).exists()


# --- streamed -------------------------------------------------------------------------------


def test_console_upload_lands_in_the_bucket_and_streams_back(anna, agent_anna, webchat, s3_storage):
    conversation, _ = webchat
    payload = console_upload(anna, conversation, PDF, "brief.pdf")
    attachment = Attachment.objects.get(pk=payload["id"])
    assert s3_storage.keys() == [s3_storage.prefix + blob_name(attachment.sha256)]

    response = anna.get(payload["url"])

    assert response.status_code == 200 and response.streaming
    assert body_of(response) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Length"] == str(len(PDF))
    assert response["Content-Disposition"] == 'attachment; filename="brief.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox"
    assert read_of(attachment.pk, agent_anna)


def test_resident_upload_and_signed_page_link_stream_the_photo_without_metadata(
    client, webchat, s3_storage
):
    _conversation, token = webchat
    payload = resident_upload(client, token, png_bytes(), "foto.png")
    attachment = Attachment.objects.get(pk=payload["id"])

    response = client.get(payload["url"])

    assert response.status_code == 200
    with open_blob(attachment.display_sha256) as display:
        assert body_of(response) == display.read()
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'inline; filename="foto.png"'
    assert set(s3_storage.keys()) == {
        s3_storage.prefix + blob_name(attachment.sha256),
        s3_storage.prefix + blob_name(attachment.display_sha256),
    }


def test_api_upload_and_download(webchat, utrecht_api_key, s3_storage):
    conversation, _ = webchat
    key = api_client(utrecht_api_key[1])
    uploaded = key.post(
        f"/api/v1/conversations/{conversation.pk}/attachments/",
        {"file": SimpleUploadedFile("brief.pdf", PDF)},
        format="multipart",
    )
    assert uploaded.status_code == 201, uploaded.content

    response = key.get(f"/api/v1/attachments/{uploaded.json()['id']}/")

    assert response.status_code == 200
    assert body_of(response) == PDF
    assert response["Content-Disposition"] == 'attachment; filename="brief.pdf"'


@pytest.mark.django_db(transaction=True)
def test_under_asgi_the_bytes_are_read_in_chunks_off_the_event_loop(
    webchat, s3_storage, monkeypatch
):
    """Through the ASGI application as `balie serve` runs it: Django would read a
    synchronous iterator whole, with a warning (an error here)."""
    monkeypatch.setattr(downloads, "CHUNK_BYTES", 64)
    conversation, _token = webchat
    attachment = actions.do_store_attachment(conversation, data=PDF, filename="brief.pdf")
    url = events.attachment_payload(attachment, for_resident=True)["url"]

    # Each ASGI request has a thread of its own for sync code: its connection goes at the end.
    monkeypatch.setitem(connections["default"].settings_dict, "CONN_MAX_AGE", 0)

    answer = asyncio.run(request(application, "GET", url))

    assert answer.status == 200
    assert answer.body == PDF
    headers = {name.lower(): value for name, value in answer.headers.items()}
    assert headers["content-length"] == str(len(PDF))
    assert headers["content-type"] == "application/pdf"


# --- signed links ---------------------------------------------------------------------------


def test_console_download_redirects_to_a_short_lived_link_with_the_same_headers(
    anna, agent_anna, webchat, signed, s3_server
):
    conversation, _ = webchat
    payload = console_upload(anna, conversation, PDF, "brief.pdf")

    response = anna.get(payload["url"])

    assert response.status_code == 302
    assert response["Cache-Control"] == "private, no-store"
    link = response["Location"]
    assert link.startswith(f"{s3_server.endpoint}/{s3_server.bucket}/{signed.prefix}blobs/")
    assert link_parts(link)["X-Amz-Expires"] == "60"
    assert read_of(payload["id"], agent_anna)  # the read is recorded when the link is given

    fetched = requests.get(link, timeout=10)
    assert fetched.status_code == 200
    assert fetched.content == PDF
    assert fetched.headers["Content-Type"] == "application/pdf"
    assert fetched.headers["Content-Disposition"] == 'attachment; filename="brief.pdf"'
    assert fetched.headers["Cache-Control"] == "private, max-age=3600"


def test_a_photo_link_is_inline_with_its_type_and_an_unusual_name_survives(client, webchat, signed):
    _conversation, token = webchat
    payload = resident_upload(client, token, png_bytes(), "zoë op het strand.png")
    attachment = Attachment.objects.get(pk=payload["id"])

    response = client.get(payload["url"])

    assert response.status_code == 302
    fetched = requests.get(response["Location"], timeout=10)
    with open_blob(attachment.display_sha256) as display:
        assert fetched.content == display.read()
    assert fetched.headers["Content-Type"] == "image/png"
    assert fetched.headers["Content-Disposition"] == (
        "inline; filename*=utf-8''zo%C3%AB%20op%20het%20strand.png"
    )


def test_api_download_redirects_too(webchat, utrecht_api_key, signed):
    conversation, _ = webchat
    attachment = actions.do_store_attachment(conversation, data=PDF, filename="brief.pdf")

    response = api_client(utrecht_api_key[1]).get(f"/api/v1/attachments/{attachment.pk}/")

    assert response.status_code == 302
    assert requests.get(response["Location"], timeout=10).content == PDF


def test_an_expired_link_is_refused_by_the_store(anna, webchat, signed, settings):
    settings.SIGNED_URL_SECONDS = 1
    conversation, _ = webchat
    payload = console_upload(anna, conversation, PDF, "brief.pdf")
    link = anna.get(payload["url"])["Location"]
    assert link_parts(link)["X-Amz-Expires"] == "1"
    assert requests.get(link, timeout=10).status_code == 200

    time.sleep(2.2)

    refused = requests.get(link, timeout=10)
    assert refused.status_code == 403
    assert b"Request has expired" in refused.content


def test_a_link_cannot_be_changed_and_the_bucket_is_not_public(anna, webchat, signed):
    conversation, _ = webchat
    payload = console_upload(anna, conversation, PDF, "brief.pdf")
    link = anna.get(payload["url"])["Location"]

    as_html = link.replace("application%2Fpdf", "text%2Fhtml")
    assert as_html != link
    assert requests.get(as_html, timeout=10).status_code == 403
    unsigned = link.split("?")[0]
    assert requests.get(unsigned, timeout=10).status_code == 403


def test_another_municipality_gets_404_and_no_link(
    client, anna, webchat, agent_gerrit, groningen_api_key, signed
):
    conversation, _ = webchat
    payload = console_upload(anna, conversation, PDF, "brief.pdf")
    client.force_login(agent_gerrit)

    from_console = client.get(f"/console/attachments/{payload['id']}/")
    from_api = api_client(groningen_api_key[1]).get(f"/api/v1/attachments/{payload['id']}/")

    for response in (from_console, from_api):
        assert response.status_code == 404
        assert "Location" not in response
        assert b"X-Amz-Signature" not in response.content
    assert not read_of(payload["id"], agent_gerrit)


def test_links_are_signed_for_the_address_browsers_use(anna, webchat, signed, s3_server, settings):
    public = s3_server.endpoint.replace("127.0.0.1", "localhost")
    options = s3_server.options(signed.prefix, public_endpoint_url=public)
    switch_to_s3(settings, options, downloads="signed")
    conversation, _ = webchat
    payload = console_upload(anna, conversation, PDF, "brief.pdf")

    link = anna.get(payload["url"])["Location"]

    assert link.startswith(f"{public}/")
    assert requests.get(link, timeout=10).content == PDF


# --- the pages' Content-Security-Policy ------------------------------------------------------


def img_src(response) -> str:
    policy = dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
    )
    return policy["img-src"]


def test_pages_allow_images_from_the_store_only_with_signed_downloads(
    client, utrecht, s3_storage, s3_server, settings
):
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(s3_server.endpoint))

    streamed = img_src(client.get("/c/utrecht/"))
    switch_to_s3(settings, s3_server.options(s3_storage.prefix), downloads="signed")
    with_links = img_src(client.get("/c/utrecht/"))

    assert streamed == "'self' data: blob:"
    assert with_links == f"'self' data: blob: {origin}"


def test_local_files_keep_the_policy_as_it_was(client, utrecht):
    assert img_src(client.get("/c/utrecht/")) == "'self' data: blob:"
