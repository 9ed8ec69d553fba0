"""Reading mails as residents' programs write them: languages and encodings, the resident's
address, the new text of a reply, files, and mail that no person wrote."""

from __future__ import annotations

import pytest

from balie.connectors.email import quoting
from balie.connectors.email.errors import MailRejected
from balie.connectors.email.headers import base_subject, normalise_message_id
from balie.connectors.email.parsing import MAX_BODY_CHARS, parse_mail
from tests.connectors.email import mails


def test_outlook_windows_1252_with_its_history_left_out():
    mail = parse_mail(mails.OUTLOOK_NL)
    assert mail.address == "renee.boker@example.nl"
    assert mail.name == "Renée Böker"
    assert mail.subject == "RE: Parkeervergunning “bewoners”"
    assert mail.message_id == "<AM0PR01MB1234@outlook.example>"
    assert mail.thread == ("<earlier.balie@utrecht.example.nl>",)
    assert "“bewoners” aangevraagd maar nog geen reactie gehad € 50 is al betaald" in mail.body
    assert "Renée" in mail.body
    assert "Oude tekst" not in mail.body and "Verzonden" not in mail.body
    assert "[" in mail.body.splitlines()[-1]  # a note says the history was left out
    assert mail.sent_at is not None and mail.sent_at.isoformat() == "2024-05-07T09:12:00+00:00"


def test_gmail_turkish_plain_version_chosen_and_quote_trimmed():
    mail = parse_mail(mails.GMAIL_TR)
    assert mail.name == "Ayşe Yılmaz" and mail.subject == "Re: Çöp konteyneri"
    assert mail.body.startswith("Merhaba, çöp konteyneri hâlâ boşaltılmadı. Ağır kokuyor!")
    assert "wrote:" not in mail.body and "kijken" not in mail.body
    assert set(mail.thread) == {"<first.balie@utrecht.example.nl>", "<zero@example.nl>"}


def test_apple_mail_polish_text_around_an_inline_image():
    mail = parse_mail(mails.APPLE_PL)
    assert mail.subject == "Dziura w jezdni na ulicy Łódzkiej"
    assert mail.name == "Paweł Szymański"
    assert "Dzień dobry, w jezdni jest duża dziura:" in mail.body
    assert "Proszę o naprawę." in mail.body
    assert [f.filename for f in mail.files] == ["dziura.png"]
    assert mail.files[0].data.startswith(b"\x89PNG")


def test_thunderbird_arabic_html_rfc2231_filename_and_related_image():
    mail = parse_mail(mails.THUNDERBIRD_AR)
    assert mail.subject == "طلب تصريح إقامة"
    assert mail.name == "محمد العلوي"
    assert mail.body.splitlines()[0] == "السلام عليكم،"
    assert "أرفقت طلب تصريح الإقامة." in mail.body and "color" not in mail.body
    names = [f.filename for f in mail.files]
    assert "طلب إقامة.pdf" in names and len(names) == 2  # the PDF and the related image


def test_chinese_gb2312_and_an_rfc2047_file_name():
    mail = parse_mail(mails.CHINESE)
    assert mail.subject == "关于垃圾收集" and mail.name == "李明"
    assert mail.body == "你好，请问垃圾什么时候收集？"
    assert [f.filename for f in mail.files] == ["申请.doc"]


@pytest.mark.parametrize(
    ("charset", "text"),
    [
        ("iso-8859-9", "Güzel şehir, ılık İstanbul"),
        ("iso-8859-2", "Zażółć gęślą jaźń"),
        ("windows-1256", "مرحبا بالعالم"),
        ("big5", "你好嗎"),
        ("utf-8", "Één ziekenhuis, drie ‘aanhalingstekens’"),
        ("windows-1252", "Café “Het Hoekje” – € 3"),
    ],
)
def test_charsets_in_quoted_printable_and_base64(charset, text):
    import base64
    import quopri

    data = text.encode(charset)
    for encoding, payload in (
        ("quoted-printable", quopri.encodestring(data).decode("ascii")),
        ("base64", base64.b64encode(data).decode("ascii")),
    ):
        raw = mails.crlf(
            f"From: a@example.nl\nSubject: x\nContent-Type: text/plain; charset={charset}\n"
            f"Content-Transfer-Encoding: {encoding}\n\n{payload}\n"
        )
        assert parse_mail(raw).body == text


def test_mislabelled_and_unknown_charsets_still_read():
    utf8_as_ascii = b"From: a@example.nl\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
    assert parse_mail(utf8_as_ascii + "Groeten, Zoë".encode()).body == "Groeten, Zoë"
    unknown = b"From: a@example.nl\r\nContent-Type: text/plain; charset=x-klingon\r\n\r\n"
    assert parse_mail(unknown + "caf\xe9".encode("latin-1")).body == "café"
    not_text = b"From: a@example.nl\r\nContent-Type: text/plain; charset=rot13\r\n\r\nuryyb"
    assert parse_mail(not_text).body == "uryyb"  # a codec that is no charset: read as is


def test_raw_8bit_headers_and_nul_characters():
    raw = (
        b"From: J\xc3\xb6rg M\xc3\xbcller <Joerg@Example.DE>\r\n"
        b"Subject: Gr\xfc\xdfe\x00 aus K\xf6ln\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\nHallo\x00 Welt\x07"
    )
    mail = parse_mail(raw)
    assert mail.name == "Jörg Müller" and mail.address == "joerg@example.de"
    assert mail.subject == "Grüße aus Köln"
    assert mail.body == "Hallo Welt"


def test_reply_to_is_the_resident_and_from_names_them_only_when_the_same():
    form = mails.simple(sender="Website <noreply@utrecht.example.nl>",
                        headers="Reply-To: Fatma Demir <Fatma@Example.NL>\n")  # fmt: skip
    mail = parse_mail(form)
    assert (mail.address, mail.name, mail.from_address) == (
        "fatma@example.nl",
        "Fatma Demir",
        "noreply@utrecht.example.nl",
    )
    broken = mails.simple(sender="Jan <jan@example.nl>", headers="Reply-To: nonsense <<<\n")
    assert parse_mail(broken).address == "jan@example.nl"


def test_a_mail_without_sender_is_rejected_clearly():
    for raw in (b"", b"\x00\xff garbage", mails.simple(sender="undisclosed-recipients:;")):
        with pytest.raises(MailRejected) as refused:
            parse_mail(raw)
        assert refused.value.code == "no_sender" and refused.value.message


def test_too_large_and_oversized_headers_only():
    from balie.connectors.email import parsing

    with pytest.raises(MailRejected) as refused:
        parse_mail(b"x" * (parsing.MAX_MAIL_BYTES + 1))
    assert refused.value.status == 413
    headers = mails.simple().split(b"\r\n\r\n")[0] + b"\r\n\r\n"
    mail = parse_mail(headers, oversized=30 * 1024 * 1024)
    assert "30 MB" in mail.body and "25 MB" in mail.body and not mail.files


def test_long_text_cut_off_with_a_note():
    mail = parse_mail(mails.simple("woord " * 20_000))
    assert len(mail.body) < MAX_BODY_CHARS + 200 and "50000" in mail.body


def test_more_files_than_a_message_holds_are_named_in_a_note():
    parts = "".join(
        f"--M\nContent-Type: image/png\nContent-Disposition: attachment; filename=f{i}.png\n"
        f"Content-Transfer-Encoding: base64\n\n{mails.b64(mails.png((i, i, i)))}\n"
        for i in range(12)
    )
    raw = mails.crlf(
        "From: a@example.nl\nContent-Type: multipart/mixed; boundary=M\n\n"
        f"--M\nContent-Type: text/plain\n\nTwaalf foto's\n{parts}--M--\n"
    )
    mail = parse_mail(raw)
    assert len(mail.files) == 10
    assert "f10.png, f11.png" in mail.body


def test_the_same_image_in_both_versions_is_taken_once_and_signatures_skipped():
    image = mails.b64(mails.png())
    raw = mails.crlf(
        "From: a@example.nl\nContent-Type: multipart/signed; boundary=S; "
        'protocol="application/pgp-signature"\n\n--S\n'
        "Content-Type: multipart/alternative; boundary=A\n\n"
        f"--A\nContent-Type: multipart/related; boundary=R1\n\n--R1\nContent-Type: text/plain\n\n"
        f"Zie foto\n--R1\nContent-Type: image/png\n\n{image}\n--R1--\n"
        f"--A\nContent-Type: multipart/related; boundary=R2\n\n--R2\nContent-Type: text/html\n\n"
        f"<p>Zie <b>foto</b></p>\n--R2\nContent-Type: image/png\n\n{image}\n--R2--\n--A--\n"
        "--S\nContent-Type: application/pgp-signature\n\n-----BEGIN PGP SIGNATURE-----\n--S--\n"
    )
    mail = parse_mail(raw)
    assert mail.body == "Zie foto"
    assert len(mail.files) == 1 and mail.files[0].filename.endswith(".png")


def test_empty_plain_version_gives_way_to_html_and_encrypted_mail_is_named():
    raw = mails.crlf(
        "From: a@example.nl\nContent-Type: multipart/alternative; boundary=A\n\n"
        "--A\nContent-Type: text/plain\n\n \n--A\nContent-Type: text/html\n\n<p>Hallo</p>\n--A--\n"
    )
    assert parse_mail(raw).body == "Hallo"
    encrypted = mails.crlf(
        "From: a@example.nl\nContent-Type: multipart/encrypted; boundary=E\n\n"
        "--E\nContent-Type: application/pgp-encrypted\n\nVersion: 1\n--E--\n"
    )
    assert (
        "encrypt" in parse_mail(encrypted).body.lower()
        or "versleuteld" in parse_mail(encrypted).body
    )


def test_a_forwarded_mail_keeps_its_text_and_headers():
    inner = mails.simple("Originele klacht", sender="Buurman <buur@example.nl>",
                         subject="Overlast").decode()  # fmt: skip
    raw = mails.crlf(
        "From: a@example.nl\nSubject: Fwd: Overlast\nContent-Type: multipart/mixed; boundary=F\n\n"
        "--F\nContent-Type: text/plain\n\nZie hieronder.\n"
        f"--F\nContent-Type: message/rfc822\n\n{inner}\n--F--\n"
    )
    body = parse_mail(raw).body
    assert body.index("Zie hieronder.") < body.index("Buur") < body.index("Originele klacht")
    assert "Overlast" in body


def test_format_flowed_lines_are_joined():
    raw = mails.crlf(
        "From: a@example.nl\nContent-Type: text/plain; charset=utf-8; format=flowed\n\n"
        "Dit is een lange regel die \ndoorloopt.\nNieuwe regel.\n-- \nJan\n"
    )
    assert parse_mail(raw).body == "Dit is een lange regel die doorloopt.\nNieuwe regel.\n-- \nJan"


def test_missing_message_id_gets_one_from_the_bytes():
    raw = b"From: a@example.nl\r\n\r\nHallo"
    assert parse_mail(raw).message_id == parse_mail(raw).message_id != parse_mail(raw + b"!")
    assert parse_mail(raw).message_id.startswith("<sha256.")


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (mails.OUT_OF_OFFICE, "auto-submitted:auto-replied"),
        (mails.simple(headers="X-Autoreply: yes\n"), "x-autoreply"),
        (mails.simple(headers="X-Autorespond: Afwezig\n"), "x-autorespond"),
        (mails.simple(headers="Precedence: bulk\n"), "precedence:bulk"),
        (mails.simple(headers="Precedence: junk\n"), "precedence:junk"),
        (mails.simple(headers="List-Id: <nieuws.example.nl>\n"), "list-id"),
        (mails.simple(headers="Return-Path: <>\n"), "null-return-path"),
        (mails.simple(sender="MAILER-DAEMON@mx.example.nl"), "mailer-daemon"),
    ],
)
def test_automatic_mail_is_recognised(raw, reason):
    assert parse_mail(raw).automatic == reason


def test_a_person_is_not_automatic():
    assert (
        parse_mail(mails.simple(headers="Auto-Submitted: no\nPrecedence: normal\n")).automatic == ""
    )


def test_bounce_and_read_receipt_name_the_mail_they_are_about():
    bounce = parse_mail(mails.bounce("<abc.balie@utrecht.example.nl>"))
    assert bounce.automatic == "delivery-report"
    assert bounce.report.status == "failed"
    assert bounce.report.original_ids == ("<abc.balie@utrecht.example.nl>",)
    assert bounce.report.detail.startswith("5.1.1 smtp; 550 5.1.1")
    delayed = parse_mail(mails.bounce("<abc.balie@utrecht.example.nl>", action="delayed"))
    assert delayed.report.status == ""
    delivered = parse_mail(mails.bounce("<a@b>", action="delivered", status="2.0.0"))
    assert delivered.report.status == "delivered"
    receipt = parse_mail(mails.read_receipt("<abc.balie@utrecht.example.nl>"))
    assert receipt.report.status == "read"
    assert receipt.report.original_ids == ("<abc.balie@utrecht.example.nl>",)


def test_message_ids_and_subjects():
    assert normalise_message_id("  <a@b>  trailing") == "<a@b>"
    assert normalise_message_id("no-brackets@x") == "<no-brackets@x>"
    assert normalise_message_id("") == ""
    long_id = normalise_message_id("<" + "x" * 300 + "@y>")
    assert len(long_id) < 100 and long_id.startswith("<sha256.")
    assert base_subject("RE: Antw: [Ticket] Fwd:  Container") == "container"
    assert base_subject("AW: WG: Anfrage") == base_subject("Anfrage")


@pytest.mark.parametrize(
    "text",
    [
        "Dank!\n\nOp ma 6 mei 2024 om 10:00 schreef Gemeente Utrecht <balie@u.nl>:\n> oud",
        "Dank!\n\nOn Mon, May 6, 2024 at 10:00 AM Gemeente <balie@u.nl> wrote:\n> oud",
        "Dank!\n\nAm 06.05.2024 um 10:00 schrieb Gemeente:\n> oud",
        "Dank!\n\n6 May 2024 Pzt, 10:00 tarihinde Gemeente <b@u.nl> şunu yazdı:\n> oud",
        "Dank!\n\nW dniu 6.05.2024 o 10:00, Gemeente pisze:\n> oud",
        "Dank!\n\n-----Oorspronkelijk bericht-----\nVan: Gemeente\nVerzonden: maandag\noud",
        "Dank!\n\nFrom: Gemeente <b@u.nl>\nSent: Monday\nTo: Jan\nSubject: x\n\noud",
        "Dank!\n\n> oud\n> ouder",
    ],
)
def test_quoted_history_is_trimmed(text):
    assert quoting.trim_quoted(text) == ("Dank!", True)


def test_inline_answers_and_forwards_are_kept():
    inline = "> Wat is uw adres?\nStraat 1\n> En uw postcode?\n1234 AB"
    assert quoting.trim_quoted(inline) == (inline, False)
    only_quote = "On Mon, Jan wrote:\n> alles"
    assert quoting.trim_quoted(only_quote) == (only_quote, False)
    forward = "Zie hieronder\n\n---------- Forwarded message ---------\nFrom: x\nDate: y\n\ntekst"
    assert quoting.trim_quoted(forward) == (forward, False)


def test_mail_built_to_keep_the_parser_busy_is_refused_quickly():
    import time

    params = b"a=b; " * 500
    heavy = b"From: a@example.nl\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n" + b"".join(
        b"--B\r\nContent-Type: text/plain; x%d=%s\r\n\r\nxx\r\n" % (i, params) for i in range(400)
    )
    many = b"From: a@example.nl\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n" + (
        b"--B\r\n\r\nx\r\n" * 3000
    )
    for raw in (heavy, many):
        start = time.monotonic()
        with pytest.raises(MailRejected) as refused:
            parse_mail(raw)
        assert refused.value.code == "too_complex" and time.monotonic() - start < 10
    start = time.monotonic()
    huge_header = b"From: a@example.nl\r\nContent-Type: text/plain; " + b"a=b; " * 200_000
    assert parse_mail(huge_header + b"\r\n\r\nHallo").body == "Hallo"
    references = b"From: a@example.nl\r\nReferences: " + b"<x@y> " * 200_000
    assert parse_mail(references + b"\r\n\r\nHallo").thread == ("<x@y>",)
    assert time.monotonic() - start < 5
