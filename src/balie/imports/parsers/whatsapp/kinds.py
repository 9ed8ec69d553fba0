"""What a message is: its author (or none: a system line) and its kind, from its body.

These are the rules for one message. :mod:`.messages` applies them to every message whose
body could need them, and builds plain text messages of known authors directly. The words
are WhatsApp's own, per language, in :mod:`.languages`.

A line with a sender header keeps its sender, whatever its body: a marker no table knows
stays the sender's text. System lines are told by structure first, by phrase second:

- a line without "name: " is a system line (Android's "Jan left", old iOS exports);
- iOS writes its own lines as "<chat name>: \\u200e<text>", and the first line of an iOS
  export is the encryption notice in that form, which names the chat. But iOS also puts
  U+200E before every marker of a person's message ("Jan: \\u200eimage omitted", in any
  language), so the mark alone does not make a system line: a known marker keeps its
  sender; otherwise the line is a system line when its sender is the chat's name and not
  a participant seen so far, or when it holds a system phrase. In a chat of two, the chat's
  name is the other person's: their first line without the mark makes them a participant;
- without the mark, a phrase counts only before the first ": " of a sender not seen yet
  ('Jan changed the subject to "Raad: agenda"'); after it, it is a person's words.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from balie.imports.parsers.base import Kind, ParsedAttachment, ParsedChat
from balie.imports.parsers.whatsapp.headers import MARKS
from balie.imports.parsers.whatsapp.languages import (
    ATTACHED,
    ATTACHED_IOS,
    DELETED,
    EDITED,
    LANGUAGE_OF,
    LOCATION,
    MEDIA,
    MEDIA_IOS,
    SYSTEM_PHRASES,
    TABLES,
)

MARK = re.compile(f"[{MARKS}]")
MEDIA_OMITTED = frozenset(MEDIA)
MARKER_TEXTS = frozenset(MEDIA.keys() | DELETED)
# lower() keeps a text's length but for U+0130 (to "i" and U+0307, which no marker holds): a
# text whose stripped length is none of these does not lower-case to a marker
MARKER_LENGTHS = frozenset(len(marker) for marker in MARKER_TEXTS)
_IOS_MEDIA_ENDINGS = tuple(MEDIA_IOS)
_HINTS = tuple((code, table["hints"]) for code, table in TABLES.items())
SYSTEM_MARK = ": \u200e"  # iOS: "<chat name>: \u200e<system text>"


def strip_marks(text: str) -> str:
    return MARK.sub("", text) if MARK.search(text) else text


def chat_name(first_body: str, platform: str) -> str | None:
    """The chat's name, from an iOS export's first line ("Raad: \\u200eMessages and calls
    are end-to-end encrypted."), unless that line is a person's marker."""
    if platform != "ios" or (marked := first_body.find(SYSTEM_MARK, 0, 82)) <= 0:
        return None
    if is_marker(strip_marks(first_body[marked + 2 :])):
        return None
    return strip_marks(first_body[:marked]).strip() or None


def split_author(
    body: str, platform: str, authors: Collection[str], chat_names: Collection[str] = ()
):
    """(author or None, text); ``authors`` are those seen so far (not system lines),
    ``chat_names`` the chat's name as the file name or the first line gives it."""
    marked = body.find(SYSTEM_MARK, 0, 82) if platform == "ios" else -1
    if marked > 0:
        # The mark follows the name's colon: a chat name may hold ": " itself ("Planning:
        # Town Centre: \u200eMessages and calls are end-to-end encrypted").
        head, rest = body[:marked], body[marked + 2 :]
    else:
        head, sep, rest = body.partition(": ")
        if not sep:
            return None, strip_marks(body).strip()
    if len(head) > 80 or "\n" in head:
        return None, strip_marks(body).strip()
    author = strip_marks(head).strip()
    text = strip_marks(rest)
    if author in authors:
        if marked > 0 and _phrase(text.lower()) and not is_marker(text):
            return None, text.strip()  # "Jan: \u200eMissed voice call" in a chat with Jan
        return author, text
    if marked > 0:
        if is_marker(text):
            return author, text
        if author in chat_names or _phrase(text.lower()):
            return None, text.strip()
    elif _phrase(f"{head.lower()}:"):
        # A system line with ": " in it has its phrase before the colon ('Jan changed the
        # subject to "Raad: agenda"'); after it, the phrase is a person's words ("Jan: ik heb
        # het verslag toegevoegd"), which must keep their author.
        return None, strip_marks(body).strip()
    return author, text


_PHRASE = re.compile("|".join(re.escape(phrase) for phrase in SYSTEM_PHRASES))


def _phrase(lowered: str) -> bool:
    """Whether a lower-cased text holds a phrase of WhatsApp's system lines, any language."""
    return _PHRASE.search(lowered) is not None


def is_marker(text: str) -> bool:
    """Whether WhatsApp wrote this body for a person's message (media, deleted, edited,
    attached, a location), in any language it ships."""
    return _kind(text)[0] is not Kind.TEXT or LOCATION.match(text.lstrip()) is not None


def classify(
    author: str | None, text: str, members: frozenset[str], chat: ParsedChat
) -> tuple[Kind, str, tuple[ParsedAttachment, ...]]:
    if author is None:
        _hint_from_words(chat, text)
        return Kind.SYSTEM, text, ()
    kind, text, attachments, marker = _kind(text, members)
    if marker is not None:
        _hint(chat, marker)
    return kind, text, attachments


def _kind(text: str, members: frozenset[str] = frozenset()):
    """(kind, text, attachments, the marker's word or None) of a person's message."""
    first, newline, caption = text.partition("\n")
    if len(first) < 64:
        lowered = first.strip().lower()
        # "<Media omitted>", or "null" as Android writes it, a caption on the next line
        if lowered in MEDIA and (lowered != "null" or first.strip() == "null"):
            omitted = (ParsedAttachment(name="", omitted=MEDIA[lowered]),)
            return Kind.MEDIA, caption.strip(), omitted, lowered
        if not newline and lowered in DELETED:
            return Kind.DELETED, "", (), lowered
    found = None
    if text.startswith("<"):
        found = ATTACHED_IOS.match(text)
    elif " (" in first:
        found = ATTACHED.match(text)
    elif " • " in first:  # iOS: "Report.pdf • 3 pages <attached: 00000005-Report.pdf>"
        return _document(text, first, caption, members)
    if found:
        return _attached(found, text[found.end() :], members)
    if text.endswith(">"):
        edited = EDITED.search(text)
        if edited:
            return Kind.EDITED, text[: edited.start()], (), edited["word"].lower()
    return Kind.TEXT, text, (), None


def _attached(found: re.Match[str], caption: str, members: frozenset[str]):
    groups = found.groupdict()  # Android's pattern has no "named", "after" nor "file"
    name = (groups["name"] or groups.get("named") or groups["file"]).strip()
    member = name if name in members else None
    word = groups["word"] or groups.get("after")
    word = word.lower() if word else None
    return Kind.MEDIA, caption.strip(), (ParsedAttachment(name=name, member=member),), word


def _document(text: str, first: str, caption: str, members: frozenset[str]):
    title, _sep, tail = first.partition(" • ")
    found = ATTACHED_IOS.search(tail)
    if found:
        return _attached(found, caption, members)
    lowered = tail.strip().lower()
    if lowered.endswith(_IOS_MEDIA_ENDINGS):
        ending = next(e for e in _IOS_MEDIA_ENDINGS if lowered.endswith(e))
        omitted = (ParsedAttachment(name=title.strip(), omitted=MEDIA_IOS[ending]),)
        return Kind.MEDIA, caption.strip(), omitted, ending
    return Kind.TEXT, text, (), None


def _hint(chat: ParsedChat, marker: str) -> None:
    """Add the export's language to its format, from the first marker that tells it."""
    if chat.format.count("/") > 3 or marker == "null":
        return
    language = LANGUAGE_OF.get(marker)
    if language:
        chat.format = f"{chat.format}/{language}"


def _hint_from_words(chat: ParsedChat, text: str) -> None:
    if chat.format.count("/") > 3:
        return
    lowered = text.lower()
    for language, words in _HINTS:
        if any(word in lowered for word in words):
            chat.format = f"{chat.format}/{language}"
            return
