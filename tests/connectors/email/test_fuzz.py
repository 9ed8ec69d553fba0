"""Whatever arrives, the parsers answer with a mail or a clear refusal — never another
exception, never text a database cannot store — and a bad mail in a batch costs no good
one."""

from __future__ import annotations

import contextlib
import random
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from balie.connectors.email.errors import MailRejected
from balie.connectors.email.html_text import html_to_text
from balie.connectors.email.parsing import MAX_BODY_CHARS, parse_mail
from balie.connectors.email.receiving import take
from balie.conversations.actions.checks import check_text
from balie.conversations.models import Message
from tests.connectors.email import mails
from tests.connectors.email.conftest import add_mail_account

REAL = list(mails.ALL_REAL.values())
MIME_BITS = [
    b"\r\n", b"\r\n\r\n", b"--", b"boundary=", b"Content-Type: multipart/mixed; boundary=X\r\n",
    b"--X\r\n", b"--X--", b"=?utf-8?b?", b"=?iso-8859-1?q?=FF", b"?=", b"charset=", b"=\r\n",
    b"=FF", b"filename*0*=utf-8''%FF", b"Content-Transfer-Encoding: base64\r\n", b"\x00",
    b"\xff\xfe", b"\xed\xa0\x80", b"<", b">", b"@", b":", b";", b"\"", b"message/rfc822",
    b"Content-Type: text/html\r\n\r\n<script>", b"From: ", b"Reply-To: ", b"Message-ID: <",
    b"In-Reply-To: <", b"References: <", b"Date: ", b"report-type=delivery-status",
]  # fmt: skip


def mutate(raw: bytes, rng: random.Random, times: int) -> bytes:
    data = bytearray(raw)
    for _ in range(times):
        where = rng.randrange(len(data) + 1)
        choice = rng.random()
        if choice < 0.3 and data:
            data[min(where, len(data) - 1)] = rng.randrange(256)
        elif choice < 0.6:
            data[where:where] = rng.choice(MIME_BITS)
        elif choice < 0.8:
            del data[where : where + rng.randrange(1, 40)]
        else:
            start = rng.randrange(len(data) + 1)
            data[where:where] = data[start : start + rng.randrange(1, 200)]
    return bytes(data)


def assert_storable(mail) -> None:
    for text in (mail.body, mail.subject, mail.name, mail.address, mail.message_id, *mail.thread,
                 *(f.filename for f in mail.files)):  # fmt: skip
        check_text(text, "fuzz")  # no NUL, no lone surrogate
    assert len(mail.body) < MAX_BODY_CHARS + 2000
    assert 0 < len(mail.message_id) <= 255 and all(len(i) <= 255 for i in mail.thread)
    assert len(mail.subject) <= 200 and len(mail.name) <= 200


def parse_or_refuse(raw: bytes):
    try:
        mail = parse_mail(raw)
    except MailRejected as refused:
        assert refused.code and refused.message
        return None
    assert_storable(mail)
    return mail


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=4000))
def test_random_bytes(raw):
    parse_or_refuse(raw)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(REAL), st.integers(0, 2**32), st.integers(1, 12))
def test_mutated_real_mails(raw, seed, times):
    parse_or_refuse(mutate(raw, random.Random(seed), times))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from([b.decode("latin-1") for b in MIME_BITS]),
            st.text(max_size=30),
            st.sampled_from(
                [
                    "<p>",
                    "</p>",
                    "<br>",
                    "<div style='display:none'>",
                    "</div>",
                    "<script>",
                    "</script>",
                    "<li>",
                    "<blockquote>",
                    "<pre>",
                    "&amp;",
                    "&#0;",
                    "&#xD800;",
                    "<a href='javascript:x'>",
                    "</a>",
                    "<!--",
                ]
            ),
        ),  # fmt: skip
        max_size=60,
    )
)
def test_random_html(pieces):
    text = html_to_text("".join(pieces))
    assert isinstance(text, str)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300), st.text(max_size=100), st.text(max_size=100))
def test_random_headers(subject, name, body):
    from email.message import EmailMessage

    message = EmailMessage()
    try:
        message["Subject"] = " ".join(subject.splitlines())
        message["From"] = " ".join(f'"{name}" <a@example.nl>'.splitlines())
        message.set_content(body)
        raw = message.as_bytes()
    except (ValueError, TypeError, UnicodeError):  # the generator refuses what it cannot write
        return
    parse_or_refuse(raw)


@pytest.mark.django_db
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.tuples(st.booleans(), st.integers(0, 2**32)), min_size=1, max_size=6))
def test_a_batch_loses_no_good_mail(utrecht, utrecht_team, batch):
    account = add_mail_account(utrecht, name=f"Fuzz {uuid.uuid4().hex[:8]}", user="utrecht")
    good: list[str] = []
    for is_good, seed in batch:
        rng = random.Random(seed)
        if is_good:
            message_id = f"<{uuid.uuid4().hex}@example.nl>"
            good.append(message_id)
            raw = mails.simple(f"Goede mail {seed}", message_id=message_id,
                               sender=f"inwoner{rng.randrange(3)}@example.nl")  # fmt: skip
        else:
            raw = mutate(rng.choice(REAL), rng, rng.randrange(1, 30))
        with contextlib.suppress(MailRejected):  # a clear refusal is fine here
            take(account, raw)
    from balie.connectors.models import ExternalMessage

    stored = set(
        ExternalMessage.objects.filter(account=account, external_id__in=good).values_list(
            "external_id", flat=True
        )
    )
    assert stored == set(good)
    assert Message.objects.filter(organisation=utrecht, body__startswith="Goede mail").count() >= (
        len(set(good))
    )
