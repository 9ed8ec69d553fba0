"""Reading a mail's headers safely: whatever a sender wrote, these return clean text.

The standard library's parser (``policy=email.policy.default``) decodes RFC 2047 encoded
words and reads 8-bit headers as UTF-8 where it can; bytes it cannot read come back as lone
surrogates, which no database stores. :func:`clean_text` repairs those (UTF-8, else
windows-1252) and drops control characters. A header the parser chokes on reads as empty
rather than failing the whole mail.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta
from email.headerregistry import HeaderRegistry
from email.message import Message
from email.policy import default as default_policy
from email.utils import getaddresses, parsedate_to_datetime

from django.utils import timezone

from balie.connectors.email.errors import MailTooComplex

__all__ = [
    "POLICY",
    "addresses",
    "base_subject",
    "clean_text",
    "header",
    "message_ids",
    "normalise_address",
    "normalise_message_id",
    "present",
    "sent_at",
]

MAX_ID = 255  # ExternalMessage.external_id
MAX_ADDRESS = 254  # RFC 5321's longest path, less the angle brackets
MAX_HEADER_CHARS = 2048  # parsed of one header at most
MAX_HEADER_WORK = 200_000  # header characters parsed for one mail at most (a second or so)
MAX_ID_CHARS = 16_384  # searched for Message-IDs in References (its end: the latest)
_FOLD = re.compile(r"[\r\n]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SURROGATES = re.compile(r"[\ud800-\udfff]")
_ESCAPED = re.compile(r"[\udc80-\udcff]")
_ID = re.compile(r"<([^<>\s]{1,998})>")
_ADDRESS = re.compile(r"^[^@\s<>()\[\],;:\"\\]{1,64}@[^@\s<>()\[\],;:\"\\]{1,253}$")
# "Re:", "RE :", "Antw:", "AW:", "Fwd:", "Doorst:", "[list] " … repeated, at the start.
_PREFIX = re.compile(
    r"^\s*(?:(?:re|aw|antw|antwoord|sv|vs|fw|fwd|wg|tr|doorst|ynt|rif|odp|回复|答复|رد)"
    r"\s*(?:\[\d+\])?\s*[:：]\s*|\[[^\]]{0,40}\]\s*)+",
    re.IGNORECASE,
)


def clean_text(value: str, *, keep_newlines: bool = False) -> str:
    """``value`` as a database stores it: bytes the parser left undecoded (lone surrogates)
    read as UTF-8 or windows-1252, other lone surrogates and control characters dropped."""
    if _ESCAPED.search(value):
        raw = value.encode("utf-8", "surrogateescape")
        try:
            value = raw.decode("utf-8")
        except UnicodeDecodeError:
            value = raw.decode("cp1252", "replace")
    value = _SURROGATES.sub("\ufffd", value)
    value = _CONTROL.sub("", value)
    if not keep_newlines:
        value = " ".join(value.split())
    return value


class _CappedHeaders(HeaderRegistry):
    """The standard headers, each read from at most ``MAX_HEADER_CHARS`` characters and
    once: the standard library parses a structured header again on every access, at some
    microseconds a character (a mail with a few hundred parts whose Content-Type carries
    thousands of parameters took minutes)."""

    def __init__(self) -> None:
        super().__init__()
        self._seen: dict[tuple[str, str], object] = {}

    def __call__(self, name: str, value: str):
        key = (name.lower(), value[:MAX_HEADER_CHARS])
        found = self._seen.get(key)
        if found is None:
            budget = _budget.get()
            if budget is not None:
                budget[0] -= len(key[1])
                if budget[0] < 0:
                    raise MailTooComplex()
            if len(self._seen) > 4096:
                self._seen.clear()
            found = self._seen[key] = super().__call__(name, key[1])
        return found


_budget: ContextVar[list[int] | None] = ContextVar("header_budget", default=None)


@contextmanager
def header_budget(chars: int = MAX_HEADER_WORK) -> Iterator[None]:
    """Parse at most ``chars`` characters of headers inside (one mail): past that every
    header read raises :class:`MailTooComplex`, and so does the end of the block."""
    budget = [chars]
    token = _budget.set(budget)
    try:
        yield
    finally:
        _budget.reset(token)
    if budget[0] < 0:
        raise MailTooComplex()


# What the connector reads mail with: email.policy.default, headers capped.
POLICY = default_policy.clone(header_factory=_CappedHeaders())


def _raw_values(message: Message, name: str) -> list[str]:
    """The header's values as they came, unfolded (the parser's own reading of a huge
    header takes seconds, and replaces raw 8-bit bytes)."""
    try:
        items = message.raw_items()
        return [_FOLD.sub("", str(v)) for k, v in items if k.lower() == name.lower()]
    except Exception:  # a header block the parser could not split: none
        return []


def _parsed(name: str, raw: str):
    value = raw
    if _ESCAPED.search(value):  # raw 8-bit bytes: UTF-8, else windows-1252
        value = clean_text(value)
    return POLICY.header_factory(name, value)


def present(message: Message, name: str) -> bool:
    return bool(_raw_values(message, name))


def header(message: Message, name: str) -> str:
    """One header as text ("" when absent or unreadable), encoded words decoded; at most
    its first ``MAX_HEADER_CHARS`` characters are read."""
    values = _raw_values(message, name)
    if not values:
        return ""
    try:
        return clean_text(str(_parsed(name, values[0])))
    except Exception:  # a header the parser cannot read is as good as absent
        return ""


def addresses(message: Message, name: str) -> list[tuple[str, str]]:
    """(display name, normalised address) of each valid address in the header."""
    found: list[tuple[str, str]] = []
    for raw in _raw_values(message, name):
        try:
            parsed = [(a.display_name, a.addr_spec) for a in _parsed(name, raw).addresses]
        except Exception:  # unparseable: read it the way older mail clients do
            parsed = getaddresses([clean_text(raw[:MAX_HEADER_CHARS])])
        for display_name, address in parsed:
            try:
                found.append((clean_text(display_name)[:200], normalise_address(address)))
            except ValueError:
                continue
    return found


def normalise_address(raw: str) -> str:
    """An address's one stored form: the addr-spec, lower-cased; ValueError if none."""
    value = clean_text(raw).strip().strip("<>").lower()
    if len(value) > MAX_ADDRESS or not _ADDRESS.match(value):
        raise ValueError("not an e-mail address")
    local, domain = value.rsplit("@", 1)
    if "." not in domain or domain.startswith(".") or domain.endswith(".") or ".." in domain:
        raise ValueError("not an e-mail address")
    return value


def normalise_message_id(raw: str) -> str:
    """A Message-ID as Balie keys it: ``<left@right>``, hashed when it is too long to store.
    "" for a value without anything in it."""
    value = clean_text(raw).strip()
    match = _ID.search(value)
    value = match.group(1) if match else value.strip("<>").replace(" ", "")
    if not value:
        return ""
    if len(value) + 2 > MAX_ID:
        return "<sha256." + hashlib.sha256(value.encode()).hexdigest() + ">"
    return f"<{value}>"


def message_ids(message: Message, name: str, *, most: int = 50) -> list[str]:
    """The Message-IDs listed in a header such as References (the last ``most``: the
    most recent are at the end)."""
    raw = " ".join(_raw_values(message, name))[-MAX_ID_CHARS:]
    ids = [normalise_message_id(m.group(0)) for m in _ID.finditer(clean_text(raw))]
    return [i for i in ids if i][-most:]


def base_subject(subject: str) -> str:
    """The subject without reply and forward prefixes, for comparing two subjects."""
    return " ".join(_PREFIX.sub("", subject).split()).casefold()


def sent_at(message: Message) -> datetime | None:
    """The Date header as an aware datetime, or None when absent, unreadable or absurd."""
    value = header(message, "date")
    if not value:
        return None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    now = timezone.now()
    if not now - timedelta(days=365 * 30) < when < now + timedelta(days=2):
        return None
    return when
