"""Small helpers for building test data through the real actions."""

from __future__ import annotations

import uuid

from balie.conversations import actions
from balie.conversations.models import Direction

# What writing one audit entry costs (savepoint, head lock, the head's creation the first
# time, insert, head update, release): list reads add this once per organisation shown.
AUDIT_WRITE_QUERIES = 7


def send(conversation, body, *, direction=Direction.INBOUND, author=None, client_id=None):
    """Helper for tests: one message through the real action."""
    return actions.do_send_message(
        conversation,
        direction=direction,
        body=body,
        client_id=client_id or uuid.uuid4().hex,
        author=author,
    ).message


def make_due(conversation, *, actor, years_ago: int = 3):
    """Close the conversation through the real action, then move its closing date back so
    that its record class's term (P1Y for the default class) has passed."""
    from datetime import timedelta

    from django.utils import timezone

    from balie.conversations.models import Conversation

    actions.do_change_status(conversation, actor=actor, status="closed")
    closed = timezone.now() - timedelta(days=366 * years_ago)
    Conversation.objects.filter(pk=conversation.pk).update(closed_at=closed)
    conversation.refresh_from_db()
    return conversation


def raw_pdf(objects: list[bytes]) -> bytes:
    """A PDF written byte by byte (object 1 is the catalogue), with a correct xref table."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def pdf_document(text: bytes = b"Brief") -> bytes:
    """A small clean one-page PDF, the same bytes for the same text."""
    content = b"BT /F1 24 Tf 72 720 Td (%s) Tj ET" % text
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
            b" /Resources << /Font << /F1 5 0 R >> >> >>",
            b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ]
    )


def make_timed(organisation, *, created, first_response=None, resolved=None, **fields):
    """A web chat started through the real action, then moved to ``created`` with its
    dashboard timings set by hand: ``first_response`` and ``resolved`` in seconds after the
    start (None: not yet); ``fields`` sets more (team, channel, status, assignee,
    waiting_since, kind) — a finished history the statistics read, as ``make_due`` does."""
    from datetime import timedelta

    from balie.conversations.models import Conversation

    def after(seconds):
        return None if seconds is None else created + timedelta(seconds=seconds)

    conversation, _token = actions.do_start_webchat(organisation)
    Conversation.objects.filter(pk=conversation.pk).update(
        created_at=created,
        first_response_at=after(first_response),
        resolved_at=after(resolved),
        **fields,
    )
    conversation.refresh_from_db()
    return conversation
