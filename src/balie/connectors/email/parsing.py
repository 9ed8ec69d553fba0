"""A mail's bytes as Balie takes them: who wrote, what, with which files, in reply to what.

:func:`parse_mail` reads the bytes with the standard library (``email.policy.default``) and
never fails on what a sender wrote except with :class:`MailRejected` (too large, no sender
to answer): a header it cannot read counts as absent, a charset it does not know reads as
UTF-8 or windows-1252, a part it cannot decode is left out with a note in the text.

- The resident is the first valid address of Reply-To, else of From (lower-cased): where an
  answer must go. A contact form that sends ``From: noreply@…`` with ``Reply-To:`` the
  resident gives the resident, not the form.
- The text is the plain-text part, else the HTML part reduced to text
  (:mod:`~balie.connectors.email.html_text`); a reply's quoted history is left out
  (:mod:`~balie.connectors.email.quoting`). A forwarded mail's text follows, under its
  headers. The text is cut off at :data:`MAX_BODY_CHARS`.
- Every other part is a file for the upload checks (which keep photos and PDFs, and leave a
  note for the rest); an identical file is taken once, at most :func:`max_files` per mail.
"""

from __future__ import annotations

import hashlib
import logging
import mimetypes
from dataclasses import dataclass, field
from datetime import datetime
from email.message import Message
from email.parser import BytesParser

from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from balie.connectors.email import quoting
from balie.connectors.email.autoreply import Report, automatic
from balie.connectors.email.errors import MailRejected, MailTooComplex, MailTooLarge
from balie.connectors.email.headers import (
    POLICY,
    addresses,
    clean_text,
    header,
    header_budget,
    message_ids,
    normalise_message_id,
    sent_at,
)
from balie.connectors.email.html_text import html_to_text
from balie.connectors.inbound import InboundFile
from balie.conversations.actions import MAX_ATTACHMENTS

__all__ = ["MAX_MAIL_BYTES", "MailRejected", "MailTooLarge", "ParsedMail", "parse_mail"]

log = logging.getLogger(__name__)

MAX_MAIL_BYTES = 25 * 1024 * 1024  # a whole mail, as most mail servers accept
MAX_BODY_CHARS = 50_000
MAX_PARTS = 500
MAX_BOUNDARIES = 2000  # lines starting with "--" (part boundaries), for the parser
MAX_DEPTH = 20
MAX_HTML_CHARS = 2_000_000  # HTML read per mail, over all its parts
_SIGNATURES = frozenset(
    {"application/pgp-signature", "application/pkcs7-signature",
     "application/x-pkcs7-signature"}
)  # fmt: skip
_ENCRYPTED = frozenset(
    {"multipart/encrypted", "application/pkcs7-mime", "application/x-pkcs7-mime",
     "application/pgp-encrypted"}
)  # fmt: skip
# Labels that mail programs put on windows-1252 text (as browsers read them too).
_LATIN = frozenset({"", "us-ascii", "ascii", "iso-8859-1", "iso8859-1", "latin1", "latin-1",
                    "l1", "cp819", "iso_8859-1", "ansi_x3.4-1968", "us"})  # fmt: skip


def max_files() -> int:
    """Files taken from one mail: a message's most, within the unsent-uploads quota."""
    quota = settings.LIMIT_UNSENT_UPLOADS
    return min(MAX_ATTACHMENTS, quota) if quota > 0 else MAX_ATTACHMENTS


@dataclass(frozen=True)
class ParsedMail:
    message_id: str
    address: str  # the resident: Reply-To, else From; "" for a report without one
    from_address: str
    name: str
    subject: str
    body: str
    files: tuple[InboundFile, ...] = ()
    thread: tuple[str, ...] = ()  # In-Reply-To, then References
    sent_at: datetime | None = None
    automatic: str = ""  # why no person wrote it; "" when one did
    report: Report | None = None


@dataclass
class _Found:
    texts: list[tuple[str, str]] = field(default_factory=list)  # (plain|html, text)
    files: list[InboundFile] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def parse_mail(raw: bytes, *, oversized: int | None = None) -> ParsedMail:
    """Read ``raw``; with ``oversized`` (the real size) ``raw`` holds only the headers of a
    mail too large to take, and the text says so."""
    if len(raw) > MAX_MAIL_BYTES:
        raise MailTooLarge(params={"limit": MAX_MAIL_BYTES // (1024 * 1024)})
    if raw.count(b"\n--") > MAX_BOUNDARIES:  # the parser would take minutes over it
        raise MailTooComplex()
    with header_budget():
        return _parse(raw, oversized)


def _parse(raw: bytes, oversized: int | None) -> ParsedMail:
    message = BytesParser(policy=POLICY).parsebytes(raw)
    senders = addresses(message, "from")
    replying = addresses(message, "reply-to")
    name, address = (replying or senders or [("", "")])[0]
    if not name and senders and senders[0][1] == address:
        name = senders[0][0]
    reason, report = automatic(message, sender=senders[0][1] if senders else "")
    if not address and report is None:
        raise MailRejected("no_sender", _("The e-mail has no sender address to answer."))
    thread = tuple(dict.fromkeys(message_ids(message, "in-reply-to")
                                 + message_ids(message, "references")[::-1]))  # fmt: skip
    if oversized is None and report is None:
        body, files = _content(message, replying=bool(thread))
    else:
        body, files = (_oversized_note(oversized) if oversized else ""), ()
    message_id = normalise_message_id(header(message, "message-id"))
    return ParsedMail(
        message_id=message_id or f"<sha256.{hashlib.sha256(raw).hexdigest()}>",
        address=address,
        from_address=senders[0][1] if senders else "",
        name=name,
        subject=header(message, "subject")[:200],
        body=body,
        files=files,
        thread=thread,
        sent_at=sent_at(message),
        automatic=reason,
        report=report,
    )


def _oversized_note(size: int) -> str:
    return gettext(
        "[This e-mail (%(size)s MB) is larger than Balie takes (%(limit)s MB); "
        "read it in the mailbox.]"
    ) % {"size": -(-size // (1024 * 1024)), "limit": MAX_MAIL_BYTES // (1024 * 1024)}


def _content(message: Message, *, replying: bool) -> tuple[str, tuple[InboundFile, ...]]:
    walk = _Walk()
    found = walk.visit(message, 0)
    text = "\n\n".join(t.strip() for _, t in found.texts if t.strip())
    cut = len(text) > MAX_BODY_CHARS * 4
    text = text[: MAX_BODY_CHARS * 4]  # the new text is at the top; read no further
    if replying:
        text, trimmed = quoting.trim_quoted(text)
        if trimmed:
            found.notes.insert(0, gettext("[Earlier messages quoted in this e-mail left out.]"))
    if cut or len(text) > MAX_BODY_CHARS:
        text = text[:MAX_BODY_CHARS].rstrip()
        found.notes.insert(
            0, gettext("[Text cut off after %(limit)s characters.]") % {"limit": MAX_BODY_CHARS}
        )
    if walk.overflow:
        found.notes.append(gettext("[This e-mail has more parts than Balie reads.]"))
    files, most = found.files, max_files()
    if len(files) > most:
        names = ", ".join(f.filename for f in files[most:])
        found.notes.append(
            gettext("[Not taken over, at most %(limit)s files per message: %(names)s]")
            % {"limit": most, "names": names}
        )
    body = "\n\n".join(part for part in (text, *found.notes) if part)
    return body, tuple(files[:most])


class _Walk:
    """One pass over a mail's parts, within :data:`MAX_PARTS` and :data:`MAX_DEPTH`."""

    def __init__(self) -> None:
        self.parts = 0
        self.overflow = False
        self.seen: set[str] = set()
        self.html_left = MAX_HTML_CHARS

    def visit(self, part: Message, depth: int) -> _Found:
        found = _Found()
        self.parts += 1
        if self.parts > MAX_PARTS or depth > MAX_DEPTH:
            self.overflow = True
            return found
        kind = _content_type(part)
        if kind in _ENCRYPTED:
            found.notes.append(gettext("[This e-mail is encrypted; Balie cannot read it.]"))
        elif kind == "multipart/alternative":
            self._alternatives(part, depth, found)
        elif kind in ("message/rfc822", "message/global"):
            self._forwarded(part, depth, found)
        elif kind.startswith("multipart/") or kind.startswith("message/"):
            for child in _children(part):
                _merge(found, self.visit(child, depth + 1))
        elif kind in _SIGNATURES:
            pass
        elif kind in ("text/plain", "text/html") and not _is_attachment(part):
            text = _text_of(part)
            if kind == "text/html":
                text, self.html_left = text[: self.html_left], max(0, self.html_left - len(text))
                found.texts.append(("html", html_to_text(text)))
            else:
                found.texts.append(("plain", _unflow(part, text)))
        else:
            self._file(part, kind, found)
        return found

    def _alternatives(self, part: Message, depth: int, found: _Found) -> None:
        """The plain-text version if it says anything, else the HTML one, else the last;
        the files of every version (an image pasted into the HTML one is the resident's)."""
        versions = [self.visit(child, depth + 1) for child in _children(part)]
        chosen = next(
            (v for v in versions if any(k == "plain" and t.strip() for k, t in v.texts)),
            next((v for v in versions if any(k == "html" for k, _ in v.texts)), None),
        ) or (versions[-1] if versions else None)
        for version in versions:
            found.files += version.files
            if version is chosen:
                found.texts += version.texts
                found.notes += version.notes

    def _forwarded(self, part: Message, depth: int, found: _Found) -> None:
        for inner in _children(part):
            lines = [gettext("---------- Forwarded message ----------")]
            for name, label in (("from", _("From")), ("date", _("Date")),
                                ("subject", _("Subject")), ("to", _("To"))):  # fmt: skip
                if value := header(inner, name):
                    lines.append(f"{label}: {value}")
            found.texts.append(("plain", "\n".join(lines)))
            _merge(found, self.visit(inner, depth + 1))

    def _file(self, part: Message, kind: str, found: _Found) -> None:
        try:
            data = part.get_payload(decode=True)
        except Exception:  # an undecodable part: leave it out, say so
            data = None
        if not isinstance(data, bytes) or not data:
            return
        digest = hashlib.sha256(data).hexdigest()
        if digest in self.seen:
            return
        self.seen.add(digest)
        found.files.append(InboundFile(_filename(part, kind, len(self.seen)), data))


def _merge(into: _Found, found: _Found) -> None:
    into.texts += found.texts
    into.files += found.files
    into.notes += found.notes


def _children(part: Message) -> list[Message]:
    try:
        payload = part.get_payload()
    except Exception:
        return []
    return [p for p in payload if isinstance(p, Message)] if isinstance(payload, list) else []


def _content_type(part: Message) -> str:
    try:
        return clean_text(part.get_content_type()).lower()
    except Exception:  # the RFC's default for what cannot be read
        return "text/plain"


def _is_attachment(part: Message) -> bool:
    try:
        return part.get_content_disposition() == "attachment" or bool(part.get_filename())
    except Exception:
        return False


def _filename(part: Message, kind: str, number: int) -> str:
    try:
        name = clean_text(part.get_filename() or "")
    except Exception:
        name = ""
    name = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    if not name:
        extension = mimetypes.guess_extension(kind) or ".bin"
        name = gettext("attachment-%(number)s") % {"number": number} + extension
    return name[:200]


def _text_of(part: Message) -> str:
    try:
        data = part.get_payload(decode=True)
    except Exception:
        data = None
    if not isinstance(data, bytes):
        return ""
    try:
        charset = clean_text(part.get_content_charset() or "").lower()
    except Exception:
        charset = ""
    return clean_text(decode(data, charset), keep_newlines=True).replace("\r\n", "\n")


def decode(data: bytes, charset: str) -> str:
    """``data`` as text: in ``charset`` when Python knows it as a text encoding; UTF-8
    that is labelled ASCII or Latin-1 as UTF-8; else windows-1252."""
    if charset not in _LATIN:
        try:  # LookupError also for codecs that are no text encoding (rot13, zlib, base64)
            return data.decode(charset, "replace")
        except (LookupError, ValueError, TypeError):
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", "replace")


def _unflow(part: Message, text: str) -> str:
    """RFC 3676's format=flowed: a line ending in a space goes on on the next line."""
    try:
        flowed = str(part.get_param("format", "")).lower() == "flowed"
        delsp = str(part.get_param("delsp", "")).lower() == "yes"
    except Exception:
        return text
    if not flowed:
        return text
    out: list[str] = []
    joining = False
    for line in text.split("\n"):
        if line.startswith(" "):  # space-stuffed
            line = line[1:]
        if joining and out:
            out[-1] += line
        else:
            out.append(line)
        joining = line.endswith(" ") and line != "-- "
        if joining and delsp:
            out[-1] = out[-1][:-1]
    return "\n".join(out)
