"""Small helpers shared by the API tests."""

from __future__ import annotations

import io

from PIL import Image

from balie.archive.models import ArchiveEvent
from balie.conversations.models import Attachment, Message


def stored() -> dict[str, int]:
    """How many messages, attachments and archive events exist: compare before and after."""
    return {
        "messages": Message.objects.count(),
        "attachments": Attachment.objects.count(),
        "archive_events": ArchiveEvent.objects.count(),
    }


def png_bytes(width: int = 4, height: int = 3) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def upload(name: str, data: bytes):
    file = io.BytesIO(data)
    file.name = name
    return file
