"""Files residents send on WhatsApp: fetched after the webhook through the media endpoint,
through the upload checks (type from the bytes, a photo's metadata stripped), tried again
when the Graph API fails, and marked as failed in the conversation when it keeps failing."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.core.files.storage import default_storage
from django_tasks_db.models import DBTaskResult
from PIL import Image

from balie.connectors.models import ExternalMessage
from balie.connectors.whatsapp import tasks
from balie.conversations.blobs import blob_name
from balie.conversations.models import Attachment, Direction, Message
from tests.connectors.whatsapp import payloads
from tests.connectors.whatsapp.conftest import RESIDENT, post
from tests.factories import pdf_document
from tests.web.test_resident_files import jpeg_with_gps


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


def _fetches() -> list[DBTaskResult]:
    return list(
        DBTaskResult.objects.filter(task_path__endswith="whatsapp.tasks.fetch_media").order_by(
            "enqueued_at"
        )
    )


def _run_next_fetch() -> str:
    """Run the fetch task that is waiting (as a worker would), removing its row."""
    row = (
        DBTaskResult.objects.filter(
            task_path__endswith="whatsapp.tasks.fetch_media", status="READY"
        )
        .order_by("-enqueued_at")
        .first()
    )
    assert row is not None
    row.delete()
    return tasks.fetch_media.call(*row.args_kwargs["args"], **row.args_kwargs["kwargs"])


def _send_file(client, account, fake_graph, data: bytes, mime: str, kind: str, **extra):
    media_id = fake_graph.add_media(data, mime)
    message = payloads.media(f"wamid.{kind.upper()}", RESIDENT, kind, media_id, mime_type=mime,
                             **extra)  # fmt: skip
    assert post(client, account, payloads.notification(messages=[message])).status_code == 200
    return media_id


def test_a_photo_is_fetched_sniffed_and_stripped_of_its_location(client, account, fake_graph):
    photo = jpeg_with_gps()
    # WhatsApp claims PNG; the bytes are a JPEG: the bytes decide.
    _send_file(client, account, fake_graph, photo, "image/png", "image", caption="Losse stoeptegel")
    first = Message.objects.get()
    assert first.body == "Losse stoeptegel\n[photo is being fetched]"
    assert len(_fetches()) == 1

    assert _run_next_fetch() == "stored"
    follow_up = Message.objects.exclude(pk=first.pk).get()
    assert follow_up.conversation_id == first.conversation_id
    assert follow_up.direction == Direction.INBOUND
    assert follow_up.body.startswith("[photo of the message of ")
    attachment = Attachment.objects.get(message=follow_up)
    assert attachment.content_type == "image/jpeg" and attachment.uploaded_by_resident
    assert attachment.sha256 == hashlib.sha256(photo).hexdigest()  # the original, for the archive
    with default_storage.open(blob_name(attachment.display_sha256)) as handle:
        shown = Image.open(io.BytesIO(handle.read()))
    assert not shown.getexif()  # what staff see: no GPS, no camera
    assert ExternalMessage.objects.filter(external_id="wamid.IMAGE#media").exists()
    assert fake_graph.calls == ["retrieveMediaUrl", "downloadMedia"]


def test_a_document_keeps_its_name(client, account, fake_graph):
    _send_file(client, account, fake_graph, pdf_document(), "application/pdf", "document",
               filename="bezwaarschrift.pdf")  # fmt: skip
    assert Message.objects.get().body == "[document is being fetched]"
    assert _run_next_fetch() == "stored"
    attachment = Attachment.objects.get()
    assert (attachment.filename, attachment.content_type) == (
        "bezwaarschrift.pdf",
        "application/pdf",
    )


@pytest.mark.parametrize(
    ("kind", "mime", "label"),
    [("audio", "audio/ogg", "voice message or audio"), ("video", "video/mp4", "video")],
)
def test_a_kind_balie_does_not_keep_becomes_a_note(client, account, fake_graph, kind, mime, label):
    _send_file(client, account, fake_graph, b"OggS\x00\x02" + b"\x00" * 200, mime, kind)
    assert Message.objects.get().body == f"[{label} is being fetched]"
    assert _run_next_fetch() == "stored"
    follow_up = Message.objects.order_by("-seq").first()
    assert not Attachment.objects.exists()
    assert "You cannot send this kind of file" in follow_up.body


def test_a_sticker(client, account, fake_graph):
    webp = io.BytesIO()
    Image.new("RGB", (32, 32), (0, 200, 0)).save(webp, "WEBP")
    _send_file(client, account, fake_graph, webp.getvalue(), "image/webp", "sticker")
    assert _run_next_fetch() == "stored"
    assert Attachment.objects.get().content_type == "image/webp"


def test_the_same_notification_twice_fetches_once(client, account, fake_graph):
    media_id = fake_graph.add_media(jpeg_with_gps(), "image/jpeg")
    notification = payloads.notification(
        messages=[
            payloads.media("wamid.TWICE", RESIDENT, "image", media_id, mime_type="image/jpeg")
        ]
    )
    post(client, account, notification)
    post(client, account, notification)
    assert len(_fetches()) == 1
    args = _fetches()[0].args_kwargs["args"]
    assert _run_next_fetch() == "stored"
    assert tasks.fetch_media.call(*args) == "stored"  # a duplicate task downloads nothing
    assert fake_graph.calls.count("downloadMedia") == 1
    assert Attachment.objects.count() == 1


def test_a_failing_download_is_retried_then_marked_failed(client, account, fake_graph):
    """The Graph API answers 500 on every attempt: each is tried again after a pause, and
    after the last the conversation says which file could not be fetched and why."""
    fake_graph.fail_always("retrieveMediaUrl", "500")
    _send_file(client, account, fake_graph, jpeg_with_gps(), "image/jpeg", "image")
    for attempt in range(1, tasks.MAX_ATTEMPTS):
        assert _run_next_fetch() == "retrying"
        waiting = _fetches()[-1]
        assert waiting.args_kwargs["args"][-1] == attempt + 1  # the next attempt's number
        assert waiting.run_after is not None  # after a pause
        assert not Message.objects.filter(direction=Direction.SYSTEM).exists()
    assert _run_next_fetch() == "failed"
    assert not _fetches()
    note = Message.objects.get(direction=Direction.SYSTEM)
    assert note.body.startswith("The photo of the resident's message of ")
    assert note.body.endswith(
        "could not be fetched from WhatsApp (2: Service temporarily unavailable.)."
    )
    assert not Attachment.objects.exists()
    assert fake_graph.calls.count("retrieveMediaUrl") == tasks.MAX_ATTEMPTS


def test_a_download_that_fails_once_is_stored_once(client, account, fake_graph):
    fake_graph.fail_operation("downloadMedia", "drop")
    _send_file(client, account, fake_graph, jpeg_with_gps(), "image/jpeg", "image")
    assert _run_next_fetch() == "retrying"
    assert _run_next_fetch() == "stored"
    assert Attachment.objects.count() == 1
    assert not Message.objects.filter(direction=Direction.SYSTEM).exists()


def test_a_file_that_is_gone_fails_at_once(client, account, fake_graph):
    message = payloads.media("wamid.GONE", RESIDENT, "image", "123456789", mime_type="image/jpeg")
    post(client, account, payloads.notification(messages=[message]))
    assert _run_next_fetch() == "failed"
    assert "(100: Unsupported get request.)" in (
        Message.objects.get(direction=Direction.SYSTEM).body
    )


def test_a_file_too_large_is_not_downloaded(client, account, fake_graph, settings):
    settings.MAX_UPLOAD_BYTES = 1000
    _send_file(client, account, fake_graph, jpeg_with_gps() + b"\x00" * 2000, "image/jpeg", "image")
    assert _run_next_fetch() == "failed"
    assert "too_large" in Message.objects.get(direction=Direction.SYSTEM).body
    assert "downloadMedia" not in fake_graph.calls
