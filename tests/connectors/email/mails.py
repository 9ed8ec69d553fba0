"""Mails as residents' programs and mail servers write them, byte for byte.

``simple`` builds a plain mail; the constants are written out by hand the way Outlook,
Gmail, Apple Mail, Thunderbird and mail servers encode them: quoted-printable and base64,
RFC 2047 subjects and names, RFC 2231 file names, windows-1252, ISO-8859-x, GB2312, UTF-8.
"""

from __future__ import annotations

import base64
import io
import uuid

from PIL import Image

from tests.factories import pdf_document


def png(colour=(20, 120, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (12, 8), colour).save(out, "PNG")
    return out.getvalue()


def b64(data: bytes) -> str:
    encoded = base64.b64encode(data).decode()
    return "\r\n".join(encoded[i : i + 76] for i in range(0, len(encoded), 76))


def crlf(text: str) -> bytes:
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8")


def simple(
    body: str = "Mijn container is niet geleegd.",
    *,
    sender: str = "Jan de Vries <jan@example.nl>",
    to: str = "balie@utrecht.example.nl",
    subject: str = "Container",
    message_id: str | None = None,
    headers: str = "",
) -> bytes:
    message_id = message_id or f"<{uuid.uuid4().hex}@example.nl>"
    return crlf(
        f"From: {sender}\nTo: {to}\nSubject: {subject}\nMessage-ID: {message_id}\n"
        f"Date: Mon, 6 May 2024 10:00:00 +0200\nMIME-Version: 1.0\n{headers}"
        f"Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n{body}\n"
    )


def reply(to_id: str, body: str, *, references: str = "", **options) -> bytes:
    headers = f"In-Reply-To: {to_id}\nReferences: {references or to_id}\n"
    return simple(body, headers=headers + options.pop("headers", ""), **options)


# Outlook, Dutch, windows-1252 quoted-printable, its "Van: … Verzonden:" history.
OUTLOOK_NL = crlf("""\
From: =?Windows-1252?Q?Ren=E9e_B=F6ker?= <Renee.Boker@Example.NL>
To: "Gemeente Utrecht" <balie@utrecht.example.nl>
Subject: =?Windows-1252?Q?RE:_Parkeervergunning_=93bewoners=94?=
Message-ID: <AM0PR01MB1234@outlook.example>
In-Reply-To: <earlier.balie@utrecht.example.nl>
Date: Tue, 7 May 2024 09:12:00 +0000
MIME-Version: 1.0
Content-Type: text/plain; charset="Windows-1252"
Content-Transfer-Encoding: quoted-printable

Goedemorgen,

Ik heb de vergunning =93bewoners=94 aangevraagd maar nog geen reactie gehad =
=80 50 is al betaald.

Met vriendelijke groet,
Ren=E9e

Van: Gemeente Utrecht <balie@utrecht.example.nl>
Verzonden: maandag 6 mei 2024 10:00
Aan: Ren=E9e B=F6ker <Renee.Boker@Example.NL>
Onderwerp: Parkeervergunning

Oude tekst van de gemeente.
""")

_GMAIL_TEXT = b64(
    "Merhaba, çöp konteyneri hâlâ boşaltılmadı. Ağır kokuyor!\n\n"
    "On Mon, 6 May 2024 at 10:00, Gemeente Utrecht <balie@utrecht.example.nl>\nwrote:\n\n"
    "> Wij gaan ernaar kijken.\n".encode()
)
_ARABIC_HTML = b64(
    '<html><head><style>p {color: red}</style></head><body dir="rtl">'
    "<p>السلام عليكم،</p><p>أرفقت طلب تصريح الإقامة.<br>شكراً</p>"
    '<img src="cid:logo@x"></body></html>'.encode()
)
_CHINESE_TEXT = b64("你好，请问垃圾什么时候收集？".encode("gb2312"))
_WORD = b64(b"\xd0\xcf\x11\xe0 not really a word document")

# Gmail, Turkish, multipart/alternative, base64 text and quoted-printable HTML, a reply.
GMAIL_TR = crlf(f"""\
From: =?UTF-8?B?QXnFn2UgWcSxbG1heg==?= <ayse.yilmaz@gmail.example>
To: balie@utrecht.example.nl
Subject: =?UTF-8?Q?Re=3A_=C3=87=C3=B6p_konteyneri?=
Message-ID: <CAF=gmail-tr@mail.gmail.example>
In-Reply-To: <first.balie@utrecht.example.nl>
References: <zero@example.nl> <first.balie@utrecht.example.nl>
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="000000000000gmail"

--000000000000gmail
Content-Type: text/plain; charset="UTF-8"
Content-Transfer-Encoding: base64

{_GMAIL_TEXT}
--000000000000gmail
Content-Type: text/html; charset="UTF-8"
Content-Transfer-Encoding: quoted-printable

<div dir=3D"ltr">Merhaba, =C3=A7=C3=B6p konteyneri h=C3=A2l=C3=A2 bo=C5=9Falt=
=C4=B1lmad=C4=B1.</div>

--000000000000gmail--
""")

# Apple Mail, Polish, ISO-8859-2, an inline image between two text parts.
APPLE_PL = crlf(f"""\
From: =?iso-8859-2?Q?Pawe=B3_Szyma=F1ski?= <pawel@example.pl>
To: balie@utrecht.example.nl
Subject: =?iso-8859-2?Q?Dziura_w_jezdni_na_ulicy_=A3=F3dzkiej?=
Message-ID: <apple-pl-1@example.pl>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="Apple-Mail=_B1"

--Apple-Mail=_B1
Content-Type: text/plain; charset=iso-8859-2
Content-Transfer-Encoding: quoted-printable

Dzie=F1 dobry, w jezdni jest du=BFa dziura:

--Apple-Mail=_B1
Content-Type: image/png; name="dziura.png"
Content-Disposition: inline; filename="dziura.png"
Content-Transfer-Encoding: base64

{b64(png((90, 90, 90)))}
--Apple-Mail=_B1
Content-Type: text/plain; charset=iso-8859-2
Content-Transfer-Encoding: quoted-printable

Prosz=EA o napraw=EA.
--Apple-Mail=_B1--
""")

# Thunderbird, Arabic HTML only, an RFC 2231 file name (a PDF), nested multipart/related.
THUNDERBIRD_AR = crlf(f"""\
From: =?UTF-8?B?2YXYrdmF2K8g2KfZhNi52YTZiNmK?= <m.alalawi@example.org>
To: balie@utrecht.example.nl
Subject: =?UTF-8?B?2LfZhNioINiq2LXYsdmK2K0g2KXZgtin2YXYqQ==?=
Message-ID: <tb-ar-1@example.org>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="------------mixed"

--------------mixed
Content-Type: multipart/related; boundary="------------related"

--------------related
Content-Type: text/html; charset=UTF-8
Content-Transfer-Encoding: base64

{_ARABIC_HTML}
--------------related
Content-Type: image/png
Content-ID: <logo@x>
Content-Disposition: inline

{b64(png((200, 30, 30)))}
--------------related--

--------------mixed
Content-Type: application/pdf
Content-Disposition: attachment;
 filename*0*=UTF-8''%D8%B7%D9%84%D8%A8%20;
 filename*1*=%D8%A5%D9%82%D8%A7%D9%85%D8%A9.pdf
Content-Transfer-Encoding: base64

{b64(pdf_document())}
--------------mixed--
""")

# Chinese, GB2312 subject and body, base64; a Word document Balie does not keep.
CHINESE = crlf(f"""\
From: =?GB2312?B?wO7D9w==?= <li.ming@example.cn>
To: balie@utrecht.example.nl
Subject: =?GB2312?B?udjT2sCsu/jK1byv?=
Message-ID: <cn-1@example.cn>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="cn"

--cn
Content-Type: text/plain; charset="GB2312"
Content-Transfer-Encoding: base64

{_CHINESE_TEXT}
--cn
Content-Type: application/msword; name="=?GB2312?B?yerH6y5kb2M=?="
Content-Disposition: attachment; filename="=?GB2312?B?yerH6y5kb2M=?="
Content-Transfer-Encoding: base64

{_WORD}
--cn--
""")

# An Exchange out-of-office reply.
OUT_OF_OFFICE = crlf("""\
From: Jan de Vries <jan@example.nl>
To: balie@utrecht.example.nl
Subject: Automatisch antwoord: Container
Message-ID: <ooo-1@example.nl>
In-Reply-To: <first.balie@utrecht.example.nl>
Auto-Submitted: auto-replied
X-Auto-Response-Suppress: All
Content-Type: text/plain; charset=utf-8

Ik ben tot 20 mei afwezig.
""")


def bounce(original_id: str, *, action: str = "failed", status: str = "5.1.1") -> bytes:
    """A Postfix delivery report (RFC 3464) on the mail ``original_id``."""
    return crlf(f"""\
From: MAILER-DAEMON@mx.utrecht.example.nl (Mail Delivery System)
To: balie@utrecht.example.nl
Subject: Undelivered Mail Returned to Sender
Message-ID: <bounce-{uuid.uuid4().hex}@mx.utrecht.example.nl>
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B1"

--B1
Content-Type: text/plain; charset=us-ascii

I'm sorry to have to inform you that your message could not be delivered.

--B1
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.utrecht.example.nl

Final-Recipient: rfc822; jan@example.nl
Action: {action}
Status: {status}
Diagnostic-Code: smtp; 550 {status} <jan@example.nl>: Recipient address
    rejected: User unknown

--B1
Content-Type: text/rfc822-headers

From: Gemeente Utrecht <balie@utrecht.example.nl>
To: jan@example.nl
Subject: Re: Container
Message-ID: {original_id}

--B1--
""")


def read_receipt(original_id: str) -> bytes:
    return crlf(f"""\
From: Jan de Vries <jan@example.nl>
To: balie@utrecht.example.nl
Subject: Gelezen: Re: Container
Message-ID: <mdn-{uuid.uuid4().hex}@example.nl>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=disposition-notification; boundary="R"

--R
Content-Type: text/plain; charset=utf-8

Uw bericht is gelezen.
--R
Content-Type: message/disposition-notification

Final-Recipient: rfc822;jan@example.nl
Original-Message-ID: {original_id}
Disposition: manual-action/MDN-sent-manually; displayed

--R--
""")


ALL_REAL = {
    "outlook_nl": OUTLOOK_NL,
    "gmail_tr": GMAIL_TR,
    "apple_pl": APPLE_PL,
    "thunderbird_ar": THUNDERBIRD_AR,
    "chinese": CHINESE,
    "out_of_office": OUT_OF_OFFICE,
    "bounce": bounce("<x.balie@utrecht.example.nl>"),
    "read_receipt": read_receipt("<x.balie@utrecht.example.nl>"),
}
