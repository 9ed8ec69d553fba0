"""PDF uploads are parsed, not grepped: every object walked, active content refused.

Each hostile PDF is built here with pikepdf (one builder per construct) and saved with object
streams, so the names sit compressed where a search through the raw bytes cannot see them.
"""

from __future__ import annotations

import io
import logging

import pikepdf
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pikepdf import Array, Dictionary, Name, String

from balie.conversations import files
from balie.conversations.files import FileRejected, check_upload
from tests.factories import pdf_document, raw_pdf


def save(pdf: pikepdf.Pdf, **options) -> bytes:
    out = io.BytesIO()
    options.setdefault("object_stream_mode", pikepdf.ObjectStreamMode.generate)
    pdf.save(out, **options)
    return out.getvalue()


def document(pages: int = 1) -> pikepdf.Pdf:
    pdf = pikepdf.new()
    font = pdf.make_indirect(
        Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica)
    )
    for number in range(1, pages + 1):
        pdf.add_blank_page(page_size=(595, 842))
        page = pdf.pages[-1]
        page.Resources = Dictionary(Font=Dictionary(F1=font))
        text = f"BT /F1 24 Tf 72 720 Td (Melding pagina {number}) Tj ET".encode()
        page.Contents = pdf.make_stream(text)
    return pdf


def annotate(pdf: pikepdf.Pdf, annotation: Dictionary) -> pikepdf.Pdf:
    annotation.Type = Name.Annot
    annotation.Rect = Array([72, 72, 200, 100])
    pdf.pages[0].Annots = Array([pdf.make_indirect(annotation)])
    return pdf


def javascript_in_open_action() -> bytes:
    pdf = document()
    pdf.Root.OpenAction = pdf.make_indirect(
        Dictionary(S=Name.JavaScript, JS=String("app.alert(1)"))
    )
    return save(pdf)


def escaped_javascript_name() -> bytes:
    """Document-level JavaScript with every name spelled in ``#xx`` escapes, written raw."""
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R /Names << /J#61vaScript 4 0 R >> >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << >> >>",
            b"<< /Names [(a) << /S /J#61vaScript /J#53 (app.alert(1)) >>] >>",
        ]
    )


def uri_in_additional_actions_of_an_annotation() -> bytes:
    action = Dictionary(S=Name.URI, URI=String("https://evil.example/"))
    pdf = annotate(document(), Dictionary(Subtype=Name.Link, AA=Dictionary(E=action)))
    return save(pdf)


def embedded_file() -> bytes:
    pdf = document()
    pdf.attachments["factuur.exe"] = pikepdf.AttachedFileSpec(pdf, b"MZ payload")
    return save(pdf)


def javascript_hidden_in_an_object_stream() -> bytes:
    action = Dictionary(S=Name.JavaScript, JS=String("this.submitForm('x')"))
    pdf = annotate(document(), Dictionary(Subtype=Name.Link, A=action))
    data = save(pdf)
    assert b"/JS" not in data and b"JavaScript" not in data  # compressed out of sight
    return data


def xfa_form() -> bytes:
    pdf = document()
    xfa = pdf.make_stream(b"<xdp:xdp xmlns:xdp='http://ns.adobe.com/xdp/'/>")
    pdf.Root.AcroForm = Dictionary(Fields=Array([]), XFA=xfa)
    return save(pdf)


def rich_media() -> bytes:
    return save(annotate(document(), Dictionary(Subtype=Name.RichMedia)))


def launch_action() -> bytes:
    action = Dictionary(S=Name.Launch, F=String("cmd.exe"))
    return save(annotate(document(), Dictionary(Subtype=Name.Link, A=action)))


def submit_form() -> bytes:
    action = Dictionary(S=Name.SubmitForm, F=String("https://evil.example/"))
    return save(annotate(document(), Dictionary(Subtype=Name.Link, A=action)))


@pytest.mark.parametrize(
    "build",
    [
        javascript_in_open_action,
        escaped_javascript_name,
        uri_in_additional_actions_of_an_annotation,
        embedded_file,
        javascript_hidden_in_an_object_stream,
        xfa_form,
        rich_media,
        launch_action,
        submit_form,
    ],
)
def test_pdf_with_active_content_is_refused(build):
    with pytest.raises(FileRejected) as error:
        check_upload(build(), "brief.pdf")
    assert error.value.code == "active_content"
    assert "scripts" in str(error.value.message)


def test_clean_multi_page_pdf_is_accepted():
    data = save(document(pages=3))
    checked = check_upload(data, "melding.pdf")
    assert (checked.content_type, checked.data, checked.filename) == (
        "application/pdf",
        data,
        "melding.pdf",
    )


def test_raw_written_clean_pdf_is_accepted():
    clean = raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R /Names << /D#65sts 4 0 R >> >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << >> >>",
            b"<< /Names [(a) [3 0 R /Fit]] >>",
        ]
    )
    assert check_upload(clean, "x.pdf").content_type == "application/pdf"
    assert check_upload(pdf_document(), "brief.pdf").content_type == "application/pdf"


@pytest.mark.parametrize("user_password", ["geheim", ""])
def test_encrypted_pdf_is_refused(user_password):
    encryption = pikepdf.Encryption(owner="eigenaar", user=user_password)
    with pytest.raises(FileRejected) as error:
        check_upload(save(document(), encryption=encryption), "beveiligd.pdf")
    assert error.value.code == "encrypted"


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n" + b"\x00\xff garbage \x13" * 40 + b"\n%%EOF\n",
        b"%PDF-1.7\n<< /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>\n%%EOF",
    ],
    ids=["garbage", "no-objects"],
)
def test_unparsable_pdf_is_refused(data):
    with pytest.raises(FileRejected) as error:
        check_upload(data, "kapot.pdf")
    assert error.value.code == "corrupt"


def test_truncated_pdf_is_refused_even_with_an_end_marker():
    data = save(document(pages=3), object_stream_mode=pikepdf.ObjectStreamMode.disable)
    truncated = data[: len(data) * 2 // 3] + b"\n%%EOF\n"
    with pytest.raises(FileRejected) as error:
        check_upload(truncated, "afgebroken.pdf")
    assert error.value.code == "corrupt"


def test_qpdf_repair_messages_stay_out_of_the_logs():
    """qpdf logs what it repairs in a hostile file (quoting its bytes at times) through
    pikepdf's logger: only our refusal's code is logged."""
    assert logging.getLogger("pikepdf._core").getEffectiveLevel() > logging.ERROR


def test_pdf_too_large_to_walk_is_refused(monkeypatch):
    monkeypatch.setattr(files, "PDF_MAX_NODES", 500)
    pdf = document()
    pdf.Root.Padding = Array(list(range(1000)))
    with pytest.raises(FileRejected) as error:
        check_upload(save(pdf), "groot.pdf")
    assert error.value.code == "too_complex"


def test_walk_stops_at_the_object_limit_in_time():
    pdf = document()
    pdf.Root.Padding = Array([Array([n]) for n in range(files.PDF_MAX_NODES // 2 + 10)])
    with pytest.raises(FileRejected) as error:
        check_upload(save(pdf), "groot.pdf")
    assert error.value.code == "too_complex"


def _mutated(data: bytes):
    return st.lists(
        st.tuples(st.integers(9, len(data) - 1), st.binary(min_size=1, max_size=8)), max_size=6
    ).map(lambda edits: _apply(data, edits))


def _apply(data: bytes, edits) -> bytes:
    out = bytearray(data)
    for at, replacement in edits:
        out[at : at + len(replacement)] = replacement
    return bytes(out)


_CLEAN = save(document(pages=2), object_stream_mode=pikepdf.ObjectStreamMode.disable)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.binary(max_size=2000).map(lambda body: b"%PDF-1.7\n" + body + b"\n%%EOF\n"),
        st.binary(max_size=2000).map(lambda body: b"%PDF-" + body),
        _mutated(_CLEAN),
    )
)
def test_random_bytes_with_a_pdf_header_never_crash_the_check(data):
    try:
        checked = check_upload(data, "willekeurig.pdf")
    except FileRejected as error:
        assert error.code in {"corrupt", "encrypted", "active_content", "too_complex"}
    else:
        assert checked.content_type == "application/pdf"
