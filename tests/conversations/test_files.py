"""Uploaded files: type from the bytes, hostile files refused, metadata stripped for staff."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image, ImageCms

from balie.archive.models import ArchiveEvent
from balie.conversations import actions
from balie.conversations.blobs import blob_name, open_blob
from balie.conversations.files import FileRejected, check_upload
from balie.conversations.models import Attachment
from balie.errors import BalieError


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (40, 30), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (52.0, 5.0, 0.0), 3: "E", 4: (5.0, 7.0, 0.0)}  # GPS IFD
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, "PNG")
    return out.getvalue()


def test_jpeg_display_copy_has_no_exif_or_gps():
    checked = check_upload(jpeg_with_gps(), "IMG_0001.jpg")
    assert checked.content_type == "image/jpeg"
    assert Image.open(io.BytesIO(checked.data)).getexif()  # original kept as uploaded
    display = Image.open(io.BytesIO(checked.display_data))
    assert not display.getexif()
    assert (checked.width, checked.height) == (40, 30)


def test_type_comes_from_bytes_not_name():
    assert check_upload(png(), "foto.pdf").content_type == "image/png"


@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        (b"", "leeg.jpg", "empty"),
        (b"<html><script>alert(1)</script></html>", "foto.jpg", "type_not_allowed"),
        (b"MZ\x90\x00" + b"\x00" * 100, "factuur.pdf", "type_not_allowed"),
        (b"\xff\xd8\xff\xe0" + b"garbage" * 50, "kapot.jpg", "corrupt"),
        (png()[:40], "afgebroken.png", "corrupt"),
        (b"%PDF-1.7\n1 0 obj <<>> endobj\n", "geen-eof.pdf", "corrupt"),
    ],
)
def test_hostile_or_broken_files_are_refused(data, name, code):
    with pytest.raises(FileRejected) as error:
        check_upload(data, name)
    assert error.value.code == code
    assert str(error.value)  # a Dutch sentence for the person


def test_oversized_file_is_refused(settings):
    settings.MAX_UPLOAD_BYTES = 1000
    with pytest.raises(FileRejected) as error:
        check_upload(b"%PDF-" + b"x" * 2000 + b"%%EOF", "groot.pdf")
    assert error.value.code == "too_large"


MARKER = b"MARKER-Dorpsstraat-12"


def _icc() -> bytes:
    """A colour profile whose description names the resident's street."""
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    return profile.replace(b"sRGB", MARKER[:4], 1) + MARKER


@pytest.mark.parametrize(
    ("fmt", "options"),
    [
        ("JPEG", {"comment": MARKER, "icc_profile": _icc(), "xmp": b"<x>" + MARKER + b"</x>"}),
        ("PNG", {"icc_profile": _icc()}),
        ("GIF", {"comment": MARKER}),
        ("WEBP", {"icc_profile": _icc(), "xmp": b"<x>" + MARKER + b"</x>"}),
    ],
)
def test_display_copy_keeps_no_comment_profile_or_xmp_text(fmt, options):
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (20, 120, 200)).save(out, fmt, **options)
    original = out.getvalue()
    assert MARKER in original + Image.open(io.BytesIO(original)).info.get("icc_profile", b"")
    checked = check_upload(original, "foto")
    assert checked.data == original  # the archive keeps what was sent
    display = Image.open(io.BytesIO(checked.display_data))
    assert MARKER not in checked.display_data
    assert not {"comment", "icc_profile", "xmp", "exif"} & set(display.info)
    assert display.size == (40, 30)


def _png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header declares ``width`` x ``height``: a pixel bomb."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(("width", "height"), [(50_000, 50_000), (10_000, 10_000)])
def test_pixel_bomb_is_refused_before_decoding(width, height):
    with pytest.raises(FileRejected) as error:
        check_upload(_png_declaring(width, height), "bom.png")
    assert error.value.code == "too_many_pixels"
    assert "pixels" in str(error.value.message)


def test_decompression_bomb_is_refused(settings):
    settings.MAX_IMAGE_PIXELS = 10_000
    out = io.BytesIO()
    Image.new("L", (1000, 1000)).save(out, "PNG")  # small file, a million pixels
    with pytest.raises(FileRejected) as error:
        check_upload(out.getvalue(), "bom.png")
    assert error.value.code == "too_many_pixels"


def test_filename_is_cleaned():
    assert check_upload(png(), "..\\..\\etc/pass\x00wd.png").filename == "passwd.png"


def test_stored_attachment_is_content_addressed_and_deduplicated(webchat, _files_in_tmp):
    conversation, _token = webchat
    data = jpeg_with_gps()
    first = actions.do_store_attachment(conversation, data=data, filename="a.jpg")
    second = actions.do_store_attachment(conversation, data=data, filename="b.jpg")

    assert first.sha256 == second.sha256
    assert (_files_in_tmp / blob_name(first.sha256)).exists()
    stored = list((_files_in_tmp / "blobs").rglob("*"))
    assert len([p for p in stored if p.is_file()]) == 2  # original + display copy, once each
    with open_blob(first.display_sha256) as handle:
        assert not Image.open(handle).getexif()
    assert ArchiveEvent.objects.filter(event_type="attachment.added").count() == 2


def test_refused_upload_stores_nothing(webchat, _files_in_tmp):
    conversation, _token = webchat
    with pytest.raises(FileRejected):
        actions.do_store_attachment(conversation, data=b"<svg onload=x>", filename="x.png")
    assert not Attachment.objects.exists()
    assert not _files_in_tmp.exists() or not any(p.is_file() for p in _files_in_tmp.rglob("*"))


def test_uploads_by_a_key_are_staff_side_and_attributed(webchat, utrecht_api_key):
    conversation, _token = webchat
    key, _secret = utrecht_api_key
    attachment = actions.do_store_attachment(
        conversation, data=png(), filename="brief.png", uploaded_by=key
    )
    assert not attachment.uploaded_by_resident and attachment.uploaded_by_api_key == key
    event = ArchiveEvent.objects.get(event_type="attachment.added")
    assert (event.actor_kind, event.api_key_id) == ("api", key.pk)
    # The resident cannot send the municipality's upload as their own.
    with pytest.raises(BalieError) as error:
        actions.do_send_message(
            conversation,
            direction="inbound",
            body="",
            client_id="client-steal",
            attachment_ids=[attachment.pk],
        )
    assert error.value.code == "unknown_attachment"
    sent = actions.do_send_message(
        conversation,
        direction="outbound",
        body="Zie bijlage",
        client_id="client-key-1",
        author=key,
        attachment_ids=[attachment.pk],
    )
    assert [a.pk for a in sent.attachments] == [attachment.pk]
