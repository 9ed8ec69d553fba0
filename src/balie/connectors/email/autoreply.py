"""Mail that no person wrote: auto-replies, bounces and read receipts.

Nobody at the municipality should answer these, so they never become a resident's message.

- A delivery report (``multipart/report; report-type=delivery-status``, RFC 3464) about a
  mail Balie sent is a :class:`Report`: "failed" fails that outbound message with the
  report's status code and diagnostic, "delivered" marks it delivered; "delayed" and the
  rest change nothing.
- A read receipt (``report-type=disposition-notification``, RFC 8098) that says the mail was
  displayed marks it read.
- Anything else sent automatically (``Auto-Submitted`` other than "no", RFC 3834;
  ``X-Autoreply``, ``X-Autorespond``; ``Precedence: bulk``, ``junk``, ``list`` or
  ``auto_reply``; a ``List-Id``; an empty ``Return-Path``; a mailer daemon) is left alone,
  with a log line naming the account and the reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import Message
from email.parser import BytesHeaderParser, HeaderParser

from balie.connectors.email.headers import (
    POLICY,
    clean_text,
    header,
    message_ids,
    normalise_message_id,
    present,
)

__all__ = ["Report", "automatic"]

_DAEMONS = re.compile(r"^(?:mailer-daemon|postmaster|mail-daemon|mailerdaemon)@", re.IGNORECASE)
_STATUS = re.compile(r"^[245]\.\d{1,3}\.\d{1,3}$")
MAX_DETAIL = 200


@dataclass(frozen=True)
class Report:
    """What a delivery report or read receipt says of the mail(s) it is about: ``status``
    is "failed", "delivered", "read", or "" when it changes nothing."""

    original_ids: tuple[str, ...]
    status: str
    detail: str = ""


def automatic(message: Message, *, sender: str) -> tuple[str, Report | None]:
    """``(reason, report)``: why ``message`` was sent by a machine ("" when a person wrote
    it), and what it reports on a mail Balie sent, if anything."""
    report_type = _param(message, "report-type").lower()
    if message.get_content_type() == "multipart/report":
        if report_type == "delivery-status":
            return "delivery-report", _delivery_report(message)
        if report_type == "disposition-notification":
            return "read-receipt", _read_receipt(message)
        return "report", None
    auto_submitted = header(message, "auto-submitted").split(";")[0].strip().lower()
    if auto_submitted and auto_submitted != "no":
        return f"auto-submitted:{auto_submitted[:40]}", None
    for name in ("x-autoreply", "x-autorespond", "x-autoresponder"):
        if present(message, name):
            return name, None
    precedence = header(message, "precedence").lower()
    if precedence in ("bulk", "junk", "list", "auto_reply"):
        return f"precedence:{precedence}", None
    if present(message, "list-id"):
        return "list-id", None
    if header(message, "return-path").replace(" ", "") == "<>":
        return "null-return-path", None
    if _DAEMONS.match(sender):
        return "mailer-daemon", None
    return "", None


def _param(message: Message, name: str) -> str:
    try:
        value = message.get_param(name, header="content-type")
    except Exception:  # an unreadable Content-Type: no parameters
        return ""
    return clean_text(value) if isinstance(value, str) else ""


def _parts(message: Message) -> list[Message]:
    payload = message.get_payload()
    return [p for p in payload if isinstance(p, Message)] if isinstance(payload, list) else []


def _blocks(part: Message) -> list[Message]:
    """The field blocks of a ``message/delivery-status`` or disposition-notification part."""
    payload = part.get_payload()
    if isinstance(payload, list):
        return [p for p in payload if isinstance(p, Message)]
    if isinstance(payload, str):
        text = payload.replace("\r\n", "\n")
        return [HeaderParser(policy=POLICY).parsestr(b) for b in text.split("\n\n")]
    return []


def _original_ids(message: Message) -> tuple[str, ...]:
    """The Message-ID of the mail a report is about: from the returned mail or its headers,
    else from the report's own In-Reply-To and References."""
    ids: list[str] = []
    for part in _parts(message):
        kind = part.get_content_type()
        if kind == "message/rfc822" or kind == "message/global":
            ids += [header(inner, "message-id") for inner in _parts(part)]
        elif kind in ("text/rfc822-headers", "message/global-headers"):
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                returned = BytesHeaderParser(policy=POLICY).parsebytes(payload)
                ids.append(header(returned, "message-id"))
    found = [normalise_message_id(i) for i in ids if i]
    found += message_ids(message, "in-reply-to") + message_ids(message, "references")
    return tuple(dict.fromkeys(i for i in found if i))


def _delivery_report(message: Message) -> Report:
    blocks = [
        block
        for part in _parts(message)
        if part.get_content_type() in ("message/delivery-status", "message/global-delivery-status")
        for block in _blocks(part)[1:]  # the first block is about the reporting server
    ]
    actions = [header(block, "action").lower() for block in blocks]
    if "failed" in actions:
        block = blocks[actions.index("failed")]
        code = header(block, "status").split(" ")[0]
        diagnostic = header(block, "diagnostic-code")
        detail = " ".join(
            part for part in (code if _STATUS.match(code) else "", diagnostic) if part
        )[:MAX_DETAIL]
        return Report(_original_ids(message), "failed", detail)
    if actions and all(action in ("delivered", "expanded") for action in actions):
        return Report(_original_ids(message), "delivered")
    return Report(_original_ids(message), "")


def _read_receipt(message: Message) -> Report:
    ids: list[str] = []
    displayed = False
    for part in _parts(message):
        if part.get_content_type() in (
            "message/disposition-notification",
            "message/global-disposition-notification",
        ):
            for block in _blocks(part):
                ids += message_ids(block, "original-message-id")
                displayed = displayed or "displayed" in header(block, "disposition").lower()
    if not displayed:
        return Report((), "")
    return Report(tuple(dict.fromkeys(ids)) or _original_ids(message), "read")
