"""Collecting, reviewing and the publication package: nothing redacted survives anywhere."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date

import openpyxl
import pikepdf
import pytest
from django.core.management import call_command
from pypdf import PdfReader

from balie.conversations import actions
from balie.conversations.actions.errors import ActionError, StateConflict
from balie.conversations.models import Direction
from balie.records.permissions import RecordsNotAllowed
from balie.woo.actions import do_register_request
from balie.woo.models import Decision, RedactionState
from balie.woo.package import build_package, redacted_parts
from balie.woo.review import (
    do_add_redaction,
    do_collect,
    do_decide_document,
    do_propose_redactions,
    do_redact_everywhere,
    do_review_redaction,
)
from tests.factories import send

pytestmark = pytest.mark.django_db

SECRETS = ("Fatima el Amrani", "111222333", "06-12345678", "Kerkstraat 12", "kanker")


@pytest.fixture
def request_with_documents(utrecht, woo_wim, agent_anna, utrecht_team):
    first, _ = actions.do_start_webchat(utrecht)
    send(first, "Goedemorgen, ik ben Fatima el Amrani. Mijn BSN is 111222333.")
    actions.do_send_message(
        first, direction=Direction.OUTBOUND, body="Dank u mevrouw El Amrani, ik kijk het na.",
        client_id="r1", author=agent_anna,
    )  # fmt: skip
    second, _ = actions.do_start_webchat(utrecht)
    send(second, "Bel me op 06-12345678, ik woon op de Kerkstraat 12. Ik heb kanker.")
    send(second, "Fatima el Amrani belde ook al over de kermis")
    request = do_register_request(
        utrecht.pk, actor=woo_wim, reference="WOO-2026-014", received_on="2026-11-03",
        subject="Berichten over de kermis",
    )  # fmt: skip
    do_collect(request, actor=woo_wim, conversation_ids=[first.pk, second.pk], found_by="kermis")
    return request


def _all_text_of_pdf(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    meta = " ".join(str(v) for v in (reader.metadata or {}).values())
    with pikepdf.open(io.BytesIO(content)) as pdf:
        xmp = str(pdf.open_metadata())
        raw = b"".join(
            bytes(obj.read_bytes()) for obj in pdf.objects if isinstance(obj, pikepdf.Stream)
        )
    return "\n".join((text, meta, xmp, raw.decode("latin-1")))


def test_collecting_numbers_documents_and_merges_duplicates(request_with_documents, woo_wim):
    request = request_with_documents
    first = request.documents.get(number=1)
    again = do_collect(
        request,
        actor=woo_wim,
        conversation_ids=[first.conversation_id],
        found_by="tweede zoekactie",
    )
    assert again == []
    assert list(request.documents.values_list("number", flat=True)) == [1, 2]


def test_a_foreign_conversation_cannot_be_collected(
    request_with_documents, woo_wim, groningen_webchat
):
    foreign, _ = groningen_webchat
    with pytest.raises(ActionError):
        do_collect(request_with_documents, actor=woo_wim, conversation_ids=[foreign.pk],
                   found_by="x")  # fmt: skip


def test_the_detector_proposes_for_the_whole_request(request_with_documents, woo_wim):
    request = request_with_documents
    assert do_propose_redactions(request, actor=woo_wim) > 0
    assert do_propose_redactions(request, actor=woo_wim) == 0  # the same proposals stay
    grounds = set(request.documents.get(number=1).redactions.values_list("category", "ground"))
    assert ("bsn", "5.1.1e") in grounds and ("name", "5.1.2e") in grounds
    second = request.documents.get(number=2)
    assert ("special", "5.1.1d") in set(second.redactions.values_list("category", "ground"))


def test_only_a_woo_coordinator_reviews(request_with_documents, agent_anna, auditor_aziz):
    for person in (agent_anna, auditor_aziz):
        with pytest.raises(RecordsNotAllowed):
            do_propose_redactions(request_with_documents, actor=person)


def test_the_package_holds_no_redacted_character(request_with_documents, woo_wim, tmp_path):
    request = request_with_documents
    do_propose_redactions(request, actor=woo_wim)
    do_redact_everywhere(request, actor=woo_wim, text="Kerkstraat 12", ground="5.1.2e")
    first, second = request.documents.order_by("number")
    name = first.redactions.filter(category="name").first()
    do_review_redaction(name, actor=woo_wim, state=RedactionState.ACCEPTED, ground="5.1.2e")
    do_decide_document(
        first, actor=woo_wim, decision=Decision.PARTLY_PUBLIC, grounds=["5.1.1e", "5.1.2e"],
        explanation="Persoonsgegevens gelakt",
    )  # fmt: skip
    do_decide_document(second, actor=woo_wim, decision=Decision.PARTLY_PUBLIC,
                       grounds=["5.1.1d", "5.1.2e"])  # fmt: skip
    package = build_package(request)
    pdfs = {name: content for name, content in package.files.items() if name.endswith(".pdf")}
    assert sorted(pdfs) == [
        "WOO-2026-014-001.pdf", "WOO-2026-014-002.pdf", "WOO-2026-014-besluit-concept.pdf",
        "WOO-2026-014-inventarislijst.pdf",
    ]  # fmt: skip
    letter = _all_text_of_pdf(pdfs.pop("WOO-2026-014-besluit-concept.pdf"))
    assert "deels openbaar: 2 document" in letter and "persoonlijke levenssfeer" in letter
    assert "artikel 5.1.1d Woo" in letter and "1 december 2026" in letter
    inventory = _all_text_of_pdf(pdfs.pop("WOO-2026-014-inventarislijst.pdf"))
    assert "deels openbaar" in inventory and "WOO-2026-014-002.pdf" in inventory
    for secret in SECRETS:
        assert secret not in letter and secret not in inventory
    for name, content in pdfs.items():
        everything = _all_text_of_pdf(content)
        for secret in SECRETS:
            assert secret not in everything, (name, secret)
        assert "5.1.2e" in everything  # the ground is printed in its box
        assert "pdfaid:part" in everything and "WOO-2026-014" in everything
    assert "5.1.1e" in _all_text_of_pdf(pdfs["WOO-2026-014-001.pdf"])
    assert "5.1.1d" in _all_text_of_pdf(pdfs["WOO-2026-014-002.pdf"])
    # the inventarislijst, the file names and the zip carry none either
    csv_text = package.files["WOO-2026-014-inventarislijst.csv"].decode("utf-8-sig")
    assert "deels openbaar" in csv_text and "WOO-2026-014-001.pdf" in csv_text
    sheet = openpyxl.load_workbook(
        io.BytesIO(package.files["WOO-2026-014-inventarislijst.xlsx"])
    ).active
    cells = " ".join(str(c.value) for row in sheet.iter_rows() for c in row)
    names = " ".join(zipfile.ZipFile(io.BytesIO(package.zip())).namelist())
    for secret in SECRETS:
        assert secret not in csv_text and secret not in cells and secret not in names
    out = io.StringIO()
    call_command("woo", "package", "WOO-2026-014", "--organisation", "utrecht",
                 "--output", str(tmp_path), stdout=out)  # fmt: skip
    assert (tmp_path / "WOO-2026-014.zip").exists()
    assert (tmp_path / "WOO-2026-014-002.pdf").read_bytes().startswith(b"%PDF")


def test_a_rejected_proposal_stays_readable_and_a_reviewer_adds_one(
    request_with_documents, woo_wim
):
    request = request_with_documents
    do_propose_redactions(request, actor=woo_wim)
    first = request.documents.get(number=1)
    for redaction in first.redactions.filter(category="name"):
        do_review_redaction(redaction, actor=woo_wim, state=RedactionState.REJECTED)
    message = first.redactions.first().message
    added = do_add_redaction(first, actor=woo_wim, message_id=message.pk, start=0, end=11,
                             ground="5.1.2e")  # fmt: skip
    assert added.state == RedactionState.ACCEPTED
    with pytest.raises(ActionError):
        do_add_redaction(first, actor=woo_wim, message_id=message.pk, start=5, end=10_000,
                         ground="5.1.2e")  # fmt: skip
    with pytest.raises(ActionError):
        do_add_redaction(first, actor=woo_wim, message_id=message.pk, start=0, end=2,
                         ground="geheim")  # fmt: skip
    do_decide_document(first, actor=woo_wim, decision=Decision.PUBLIC)
    text = _all_text_of_pdf(build_package(request).files["WOO-2026-014-001.pdf"])
    assert "Fatima el Amrani" in text and "111222333" not in text


def test_withholding_needs_grounds(request_with_documents, woo_wim):
    first = request_with_documents.documents.get(number=1)
    with pytest.raises(StateConflict):
        do_decide_document(first, actor=woo_wim, decision=Decision.NOT_PUBLIC)
    do_decide_document(first, actor=woo_wim, decision=Decision.NOT_PUBLIC, grounds=["5.1.2e"])
    package = build_package(request_with_documents)
    assert not any(re.search(r"-\d{3}\.pdf$", name) for name in package.files)


@pytest.mark.parametrize(
    "spans, parts",
    [
        ([], [{"text": "abcdef"}]),
        ([(0, 3, "5.1.2e")], [{"ground": "5.1.2e"}, {"text": "def"}]),
        (
            [(1, 3, "5.1.2e"), (2, 5, "5.1.1e")],
            [{"text": "a"}, {"ground": "5.1.1e, 5.1.2e"}, {"text": "f"}],
        ),  # fmt: skip
        ([(0, 6, "5.1.2e")], [{"ground": "5.1.2e"}]),
    ],
)
def test_redacted_parts(spans, parts):
    assert redacted_parts("abcdef", spans) == parts


def test_documents_are_numbered_from_the_day_collected(request_with_documents):
    assert request_with_documents.received_on == date(2026, 11, 3)


def test_characters_no_embedded_font_has_become_placeholders(utrecht, woo_wim, utrecht_team):
    conversation, _ = actions.do_start_webchat(utrecht)
    send(conversation, "Dank je wel 🙂👍🏽 — 你好, สวัสดี, مرحبا, Привет")
    request = do_register_request(
        utrecht.pk, actor=woo_wim, reference="WOO-2026-020", received_on="2026-11-03",
        subject="Groeten",
    )  # fmt: skip
    (document,) = do_collect(
        request, actor=woo_wim, conversation_ids=[conversation.pk], found_by="groeten"
    )
    do_decide_document(document, actor=woo_wim, decision=Decision.PUBLIC)
    text = _all_text_of_pdf(build_package(request).files["WOO-2026-020-001.pdf"])
    assert "[emoji]" in text and "[tekens in een ander schrift]" in text
    assert "Dank je wel" in text and "Привет" in text


def test_the_same_decisions_give_the_same_bytes(request_with_documents, woo_wim):
    """PDFs carry the request's date, not the clock: a second build (a retried upload, a
    second download) is byte for byte the first."""
    for document in request_with_documents.documents.all():
        do_decide_document(document, actor=woo_wim, decision=Decision.PUBLIC)
    first = build_package(request_with_documents).files
    second = build_package(request_with_documents).files
    pdfs = [name for name in first if name.endswith(".pdf")]
    assert len(pdfs) == 4
    assert all(first[name] == second[name] for name in pdfs)
    assert "2026-11-03" in str(PdfReader(io.BytesIO(first[pdfs[0]])).metadata.creation_date)
