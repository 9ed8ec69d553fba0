"""What a message is: its author (or none: a system line) and its kind, from its body.

These are the rules for one message. :mod:`.messages` applies them to every message whose
body could need them, and builds plain text messages of known authors directly.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from balie.imports.parsers.base import Kind, ParsedAttachment, ParsedChat
from balie.imports.parsers.whatsapp.headers import MARKS

MARK = re.compile(f"[{MARKS}]")

MEDIA_OMITTED = {
    "<media omitted>", "<media weggelaten>", "<medien ausgeschlossen>", "<médias omis>",
    "<multimedia omitido>", "image omitted", "video omitted", "audio omitted",
    "afbeelding weggelaten", "video weggelaten", "audio weggelaten", "sticker omitted",
    "sticker weggelaten", "document omitted", "gif omitted",
}  # fmt: skip
ATTACHED = re.compile(
    r"^(?P<name>\S.*?\.\w{1,5}) \((?:file attached|bestand bijgevoegd|Datei angehängt|"
    r"fichier joint|archivo adjunto)\)",
)
ATTACHED_IOS = re.compile(
    r"^<(?:attached|bijgevoegd|Anhang|pièce jointe|adjunto) ?: (?P<name>[^>]+)>"
)
DELETED = {
    "this message was deleted", "you deleted this message", "dit bericht is verwijderd",
    "je hebt dit bericht verwijderd", "u heeft dit bericht verwijderd",
    "diese nachricht wurde gelöscht", "du hast diese nachricht gelöscht",
    "ce message a été supprimé", "vous avez supprimé ce message", "se eliminó este mensaje",
    "eliminaste este mensaje",
}  # fmt: skip
MARKER_TEXTS = frozenset(MEDIA_OMITTED | DELETED)
# lower() keeps a text's length but for U+0130 (to "i" and U+0307, which no marker holds): a
# text whose stripped length is none of these does not lower-case to a marker
MARKER_LENGTHS = frozenset(len(marker) for marker in MARKER_TEXTS)
EDITED = re.compile(
    r"[ \n]*<(?:This message was edited|Dit bericht is bewerkt|Diese Nachricht wurde "
    r"bearbeitet|Ce message a été modifié|Se editó este mensaje\.?)>$"
)
SYSTEM_PHRASES = (
    "end-to-end", "versleuteld", "verschlüsselt", "chiffrés", "cifrados", "created group",
    "heeft de groep", "hat die gruppe", "a créé le groupe", "creó el grupo", " added ",
    " toegevoegd", "hinzugefügt", " a ajouté", " añadió", " left", " is vertrokken",
    " hat die gruppe verlassen", " est parti", " salió", " removed ", " verwijderd",
    "changed the subject", "wijzigde het onderwerp", "security code", "beveiligingscode",
    "changed this group", "heeft de groepsafbeelding", "joined using", "is lid geworden",
    "disappearing messages", "verdwijnende berichten", "missed voice call", "gemiste",
)  # fmt: skip
LANGUAGE_HINTS = (
    ("nl", ("weggelaten", "bijgevoegd", "verwijderd", "versleuteld", "bewerkt")),
    ("de", ("ausgeschlossen", "angehängt", "gelöscht", "verschlüsselt")),
    ("fr", ("omis", "fichier joint", "supprimé", "chiffrés")),
    ("es", ("omitido", "adjunto", "eliminó", "cifrados")),
    ("en", ("omitted", "attached", "deleted", "encrypted")),
)


def strip_marks(text: str) -> str:
    return MARK.sub("", text) if MARK.search(text) else text


def split_author(body: str, platform: str, authors: Collection[str]):
    """(author or None, text); ``authors`` are those seen so far (not system lines)."""
    if platform == "ios" and (marked := body.find(": \u200e", 0, 82)) > 0:
        # The mark follows the name's colon: a chat name may hold ": " itself ("Planning:
        # Town Centre: \u200eMessages and calls are end-to-end encrypted").
        head, sep, rest = body[:marked], ": ", body[marked + 2 :]
    else:
        head, sep, rest = body.partition(": ")
    if not sep or len(head) > 80 or "\n" in head:
        return None, strip_marks(body).strip()
    author = strip_marks(head).strip()
    if platform == "ios":
        # iOS writes system lines as "<chat name>: \u200e<text>"; attachments also start
        # with the mark, so those are told apart by their marker.
        text = strip_marks(rest)
        if rest.startswith("\u200e") and not ATTACHED_IOS.match(text) and not _is_marker(text):
            return None, text.strip()
        return author, text
    if author not in authors:
        # A system line with ": " in it has its phrase before the colon ('Jan changed the
        # subject to "Raad: agenda"'); after it, the phrase is a person's words ("Jan: ik heb
        # het verslag toegevoegd"), which must keep their author.
        lowered = f"{head.lower()}:"
        if any(p in lowered for p in SYSTEM_PHRASES):
            return None, strip_marks(body).strip()
    return author, strip_marks(rest)


def _is_marker(text: str) -> bool:
    lowered = text.strip().lower()
    return lowered in MEDIA_OMITTED or lowered in DELETED


def classify(
    author: str | None, text: str, members: frozenset[str], chat: ParsedChat
) -> tuple[Kind, str, tuple[ParsedAttachment, ...]]:
    if author is None:
        return Kind.SYSTEM, text, ()
    if len(text) < 64:
        lowered = text.strip().lower()
        if lowered in MEDIA_OMITTED:
            _hint(chat, lowered)
            return Kind.MEDIA, "", (ParsedAttachment(name=""),)
        if lowered in DELETED:
            _hint(chat, lowered)
            return Kind.DELETED, "", ()
    found = None
    if text.startswith("<"):
        found = ATTACHED_IOS.match(text)
    elif " (" in text:
        found = ATTACHED.match(text)
    if found:
        _hint(chat, text[: found.end()].lower())
        name = found.group("name").strip()
        caption = text[found.end() :].strip()
        member = name if name in members else None
        return Kind.MEDIA, caption, (ParsedAttachment(name=name, member=member),)
    if text.endswith(">"):
        edited = EDITED.search(text)
        if edited:
            _hint(chat, edited.group(0).lower())
            return Kind.EDITED, text[: edited.start()], ()
    return Kind.TEXT, text, ()


def _hint(chat: ParsedChat, marker: str) -> None:
    """Add the export's language to its format, from the first marker that tells it."""
    if chat.format.count("/") > 3:
        return
    for language, words in LANGUAGE_HINTS:
        if any(word in marker for word in words):
            chat.format = f"{chat.format}/{language}"
            return
