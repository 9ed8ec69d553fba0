"""The publication package of a Woo request: per published document a PDF/A-2b rendered
from the already-redacted text (Typst) with its DiWoo metadata beside it (``….diwoo.xml`` and
``….diwoo.json``, see :mod:`balie.woo.diwoo`), and the inventarislijst (CSV, XLSX, PDF).

A redaction never covers text that is still there: the parts of a message that are redacted
are replaced by their ground *before* rendering, so the redacted characters reach neither the
PDF's text layer nor its metadata, XMP or file names. Proposals that nobody has reviewed yet
count as redactions (a forgotten proposal may black out too much, never too little); only a
rejected proposal leaves its text readable.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import openpyxl
from django.utils import timezone
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from balie.woo import diwoo
from balie.woo.diwoo import DECISION_NL, clean, creation_date
from balie.woo.letter import letter_data
from balie.woo.models import PUBLISHED_DECISIONS, Document, RedactionState, WooRequest
from balie.woo.pdf import compile_pdf
from balie.woo.review import messages_of

__all__ = [
    "Package",
    "build_package",
    "dated",
    "file_name",
    "metadata_names",
    "parts",
    "redacted_parts",
]

COLUMNS = ("nummer", "datum", "omschrijving", "besluit", "gronden", "toelichting", "bestand")


@dataclass(frozen=True)
class Package:
    files: dict[str, bytes]  # name -> content; the zip holds them all
    stem: str  # "WOO-2026-014": the zip is stem + ".zip"

    def zip(self) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, content in sorted(self.files.items()):
                archive.writestr(name, content)
        return buffer.getvalue()


def redacted_parts(body: str, spans: list[tuple[int, int, str]]) -> list[dict[str, str]]:
    """The message as parts: ``{"text": …}`` kept, ``{"ground": …}`` for each redacted stretch
    (overlapping or touching redactions become one box with all their grounds)."""
    merged: list[list] = []
    for start, end, ground in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
            merged[-1][2].add(ground)
        else:
            merged.append([start, end, {ground}])
    parts, position = [], 0
    for start, end, grounds in merged:
        if start > position:
            parts.append({"text": body[position:start]})
        parts.append({"ground": ", ".join(sorted(grounds))})
        position = end
    if position < len(body):
        parts.append({"text": body[position:]})
    return parts


def _safe(reference: str) -> str:
    return re.sub(r"[^A-Za-z0-9-]+", "-", reference).strip("-") or "woo"


def file_name(document: Document) -> str:
    return f"{_safe(document.request.reference)}-{document.number:03d}.pdf"


def metadata_names(document: Document) -> tuple[str, str]:
    """The names of the document's DiWoo metadata: ``WOO-2026-014-003.diwoo.xml``, ``….json``."""
    stem = file_name(document).removesuffix(".pdf")
    return f"{stem}.diwoo.xml", f"{stem}.diwoo.json"


def _spans(document: Document) -> dict[int, list[tuple[int, int, str]]]:
    by_message: dict[int, list[tuple[int, int, str]]] = {}
    for r in document.redactions.exclude(state=RedactionState.REJECTED):
        by_message.setdefault(r.message_id, []).append((r.start, r.end, r.ground))
    return by_message


AUTHORS = {"inbound": "Inwoner", "outbound": "Gemeente", "note": "Interne notitie"}


def _author(message) -> str:
    # Who wrote it is personal data too: the role, never the name.
    return AUTHORS.get(message.direction, "Systeem")


def render_document(document: Document, publisher: str) -> bytes:
    spans = _spans(document)
    messages = messages_of(document)
    data = {
        "title": f"{document.request.reference} · document {document.number}",
        "publisher": publisher,
        "heading": f"Document {document.number}",
        "messages": [
            {
                "author": _author(m),
                "sent": timezone.localtime(m.created_at).strftime("%d-%m-%Y %H:%M"),
                "parts": redacted_parts(m.body, spans.get(m.pk, [])),
            }
            for m in messages
        ],
    }
    return compile_pdf("document.typ", data, dated=dated(document.request))


def inventory(request: WooRequest) -> list[dict[str, str]]:
    rows = []
    for document in request.documents.order_by("number"):
        published = document.decision in PUBLISHED_DECISIONS
        rows.append({
            "nummer": str(document.number),
            "datum": creation_date(document).isoformat(),
            "omschrijving": f"Chatgesprek (document {document.number})",
            "besluit": DECISION_NL.get(document.decision, "nog niet besloten"),
            "gronden": ", ".join(document.grounds),
            "toelichting": document.explanation,
            "bestand": file_name(document) if published else "",
        })  # fmt: skip
    return rows


def _csv(rows: list[dict[str, str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, delimiter=";")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")  # Excel opens UTF-8 with a BOM correctly


def _xlsx(rows: list[dict[str, str]], title: str) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Inventarislijst"
    sheet.append(list(COLUMNS))
    for row in rows:
        # control characters (a vertical tab pasted into an explanation) have no place in XLSX
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", row[c]) for c in COLUMNS])
    book.properties.title = clean(title)
    book.properties.creator = "Balie"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def dated(request: WooRequest) -> datetime.date:
    """The date the package's PDFs carry: the decision's, or the receipt's before it."""
    return request.decided_on or request.received_on


def parts(request: WooRequest) -> dict[str, Callable[[], bytes]]:
    """Each file of the package by name, made only when called: one part is downloaded
    without rendering the rest."""
    publisher = request.organisation.name
    made: dict[str, Callable[[], bytes]] = {}
    for document in request.documents.select_related("request__organisation").order_by("number"):
        if document.decision in PUBLISHED_DECISIONS:
            name = file_name(document)
            made[name] = partial(render_document, document, publisher)
            # DiWoo names the publisher by its TOOI identifier: without a gemeentecode there is
            # none, and the metadata is left out (the console and `balie woo package` say so).
            if request.organisation.tooi_uri:
                xml_name, json_name = metadata_names(document)
                made[xml_name] = partial(_diwoo, document, name, diwoo.to_xml)
                made[json_name] = partial(_diwoo, document, name, diwoo.to_json)
    stem = f"{_safe(request.reference)}-inventarislijst"
    made[f"{stem}.csv"] = lambda: _csv(inventory(request))
    made[f"{stem}.xlsx"] = lambda: _xlsx(inventory(request), f"Inventarislijst {request.reference}")
    made[f"{stem}.pdf"] = lambda: compile_pdf(
        "inventory.typ",
        {
            "title": f"Inventarislijst {request.reference}",
            "publisher": publisher,
            "columns": list(COLUMNS),
            "rows": [[row[c] for c in COLUMNS] for row in inventory(request)],
        },
        dated=dated(request),
    )
    made[f"{_safe(request.reference)}-besluit-concept.pdf"] = lambda: compile_pdf(
        "decision.typ", letter_data(request), dated=dated(request)
    )
    return made


def _diwoo(document: Document, name: str, write: Callable[[dict], bytes]) -> bytes:
    return write(diwoo.metadata(document, name))


def build_package(request: WooRequest) -> Package:
    """The package for the decisions taken so far."""
    return Package(
        {name: make() for name, make in parts(request).items()}, _safe(request.reference)
    )
