"""The publication package of a Woo request: per published document a PDF/A-2b rendered
from the already-redacted text (Typst), and the inventarislijst (CSV, XLSX).

A redaction never covers text that is still there: the parts of a message that are redacted
are replaced by their ground *before* rendering, so the redacted characters reach neither the
PDF's text layer nor its metadata, XMP or file names. Proposals that nobody has reviewed yet
count as redactions (a forgotten proposal may black out too much, never too little); only a
rejected proposal leaves its text readable.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import typst
from django.utils import timezone

from balie.woo.models import PUBLISHED_DECISIONS, Decision, Document, RedactionState, WooRequest
from balie.woo.review import messages_of

__all__ = ["Package", "build_package", "redacted_parts"]

TEMPLATES = Path(__file__).parent / "templates" / "woo"
COLUMNS = ("nummer", "datum", "omschrijving", "besluit", "gronden", "toelichting", "bestand")
DECISION_NL = {
    Decision.PUBLIC: "openbaar",
    Decision.PARTLY_PUBLIC: "deels openbaar",
    Decision.NOT_PUBLIC: "niet openbaar",
    Decision.ALREADY_PUBLIC: "reeds openbaar",
}


@dataclass(frozen=True)
class Package:
    files: dict[str, bytes]  # name -> content; the zip holds them all

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
    unsupported: set[str] = set()
    for _attempt in range(MAX_ATTEMPTS):
        shown = _without(data, unsupported) if unsupported else data
        try:
            return typst.compile(
                str(TEMPLATES / "document.typ"),
                root=str(TEMPLATES),
                pdf_standards=["a-2b"],
                sys_inputs={"data": json.dumps(shown, ensure_ascii=False)},
                ignore_system_fonts=True,
            )
        except typst.TypstError as error:
            # PDF/A embeds every glyph it shows: a character none of the embedded fonts has
            # (emoji, Chinese, Thai) is shown as a placeholder instead, and we try again.
            missing = UNDISPLAYABLE.search(str(error))
            if missing is None:
                raise
            reported = re.sub(
                r"\\u\{([0-9a-fA-F]+)\}", lambda m: chr(int(m.group(1), 16)), missing.group(1)
            )
            unsupported |= set(reported) | _likely_unsupported(data)
    raise RuntimeError("too many characters that no embedded font can display")


MAX_ATTEMPTS = 50
UNDISPLAYABLE = re.compile(r'the text `"(.+?)"` could not be displayed')
EMOJI_CATEGORIES = {"So", "Sk", "Cs", "Co", "Cn"}
JOINERS = {"\u200d", "\ufe0f", "\ufe0e"}


def _likely_unsupported(data: dict) -> set[str]:
    """Emoji and scripts the embedded fonts lack, found at once rather than one at a time."""
    found = set()
    for m in data["messages"]:
        for part in m["parts"]:
            for ch in part.get("text", ""):
                if ord(ch) < 0x0370:  # Latin and its diacritics: the fonts have them
                    continue
                name = unicodedata.name(ch, "")
                if (
                    unicodedata.category(ch) in EMOJI_CATEGORIES
                    or ch in JOINERS
                    or name.startswith(
                        (
                            "CJK",
                            "THAI",
                            "HIRAGANA",
                            "KATAKANA",
                            "HANGUL",
                            "ETHIOPIC",
                            "LAO",
                            "KHMER",
                        )
                    )
                ):
                    found.add(ch)
    return found


def _without(data: dict, unsupported: set[str]) -> dict:
    def clean(text: str) -> str:
        out, run = [], []
        for ch in text:
            if ch in unsupported:
                run.append(ch)
                continue
            if run:
                out.append(_placeholder(run))
                run = []
            out.append(ch)
        if run:
            out.append(_placeholder(run))
        return "".join(out)

    messages = [
        {**m, "parts": [{"text": clean(p["text"])} if "text" in p else p for p in m["parts"]]}
        for m in data["messages"]
    ]
    return {**data, "messages": messages}


def _placeholder(run: list[str]) -> str:
    if all(unicodedata.category(ch) in EMOJI_CATEGORIES or ch in JOINERS for ch in run):
        return "[emoji]"
    return "[tekens in een ander schrift]"


def _first_date(document: Document) -> str:
    messages = messages_of(document)
    return timezone.localtime(messages[0].created_at).date().isoformat() if messages else ""


def inventory(request: WooRequest) -> list[dict[str, str]]:
    rows = []
    for document in request.documents.order_by("number"):
        published = document.decision in PUBLISHED_DECISIONS
        rows.append({
            "nummer": str(document.number),
            "datum": _first_date(document),
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
        sheet.append([row[c] for c in COLUMNS])
    book.properties.title = title
    book.properties.creator = "Balie"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def build_package(request: WooRequest) -> Package:
    """The package for the decisions taken so far."""
    publisher = request.organisation.name
    files: dict[str, bytes] = {}
    for document in request.documents.order_by("number"):
        if document.decision in PUBLISHED_DECISIONS:
            files[file_name(document)] = render_document(document, publisher)
    rows = inventory(request)
    stem = f"{_safe(request.reference)}-inventarislijst"
    files[f"{stem}.csv"] = _csv(rows)
    files[f"{stem}.xlsx"] = _xlsx(rows, f"Inventarislijst {request.reference}")
    return Package(files)
