"""Exports for the import actions' tests, without a real parser (those have their own)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from balie.imports.exports import Export
from balie.imports.parsers.base import Kind, ParsedAttachment, ParsedChat, ParsedMessage

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def msg(index, when, author, text, kind=Kind.TEXT, chat="", attachments=(), outgoing=None):
    return ParsedMessage(
        index=index,
        position=f"line {index + 1}",
        timestamp=datetime.fromisoformat(when).replace(tzinfo=AMSTERDAM),
        author=author,
        text=text,
        kind=kind,
        chat=chat,
        outgoing=outgoing,
        attachments=tuple(attachments),
    )


def export_of(
    monkeypatch, tmp_path: Path, messages, name="WhatsApp-chat met Raad.txt", source="whatsapp"
):
    """An Export whose parse() yields ``messages`` (a fresh iterator per pass)."""
    path = tmp_path / name
    path.write_bytes(("\n".join(m.text for m in messages) or "leeg").encode())

    def parse(self):
        return ParsedChat(
            source=self.source,
            format="test/layout",
            title="Raadsfractie",
            time_zone="Europe/Amsterdam",
            messages=iter(list(messages)),
        )

    monkeypatch.setattr(Export, "parse", parse)
    return Export(path=path, source=source, file_name=name)


def _jpeg() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 3), (200, 30, 30)).save(out, format="JPEG")
    return out.getvalue()


JPEG = _jpeg()


def photo(name="IMG-20240115-WA0001.jpg", data=JPEG):
    return ParsedAttachment(name=name, member=None, mime_type="image/jpeg", data=data)
