"""WhatsApp's own words in each language it ships, one module per language.

Each module holds one plain table, ``TABLE``, written after WhatsApp's wording on Android and
iOS (the corpus in ``tests/imports/fixtures/whatsapp/corpus`` has a line for every entry):

- ``media_android``: the marker for a file left out of the export; Android writes one marker
  for every kind of file ("<Media omitted>").
- ``media_ios``: iOS's marker per kind: image, video, audio, gif, sticker, document, contact
  ("image omitted"); old exports wrap it in angle brackets, which are accepted too. A kind
  holds one marker, or a tuple of them where WhatsApp's versions or countries word it
  differently (Portuguese: Brazil's, then Portugal's).
- ``deleted``: "This message was deleted", "You deleted this message" (with or without a
  final full stop).
- ``file_attached``: Android's "IMG-….jpg (file attached)"; ``attached_ios``: iOS's
  "<attached: 00000012-PHOTO-….jpg>" (French puts spaces inside: "< pièce jointe : … >");
  ``attached_ios_after``, where a language has it: the word after the file's name instead
  (Turkish "<00000012-PHOTO-….jpg eklendi>").
- ``location``: the word before a shared location ("location: https://maps.google.com/…").
- ``edited``: "<This message was edited>" at a message's end.
- ``system``: phrases of WhatsApp's own lines (group created, added, left, …), lower case.
- ``title_prefix``, ``title_suffix``: the words around the chat's name in the name of the
  export's file ("WhatsApp Chat with X", Turkish "X ile WhatsApp Sohbeti").
- ``hints``: words that tell the language, for the format the import records.

This package joins the tables once, at import, into the sets and compiled patterns
:mod:`..kinds` looks up: a lookup costs the same whatever the number of languages.
"""

from __future__ import annotations

import re

from balie.imports.parsers.whatsapp.languages import (
    ar,
    cs,
    de,
    en,
    es,
    fr,
    hi,
    id,
    it,
    ja,
    nl,
    pl,
    pt,
    ru,
    th,
    tr,
    uk,
    vi,
)  # fmt: skip

__all__ = [
    "ATTACHED", "ATTACHED_IOS", "DELETED", "EDITED", "LANGUAGE_OF", "LOCATION", "MEDIA",
    "MEDIA_IOS", "SYSTEM_PHRASES", "TABLES", "TITLE_PREFIXES", "TITLE_SUFFIXES", "ios_markers",
]  # fmt: skip

# English first: a word two languages share is taken as English.
TABLES = {module.TABLE["code"]: module.TABLE for module in (
    en, nl, de, fr, es, it, pt, tr, pl, cs, ru, uk, ar, hi, id, ja, th, vi,
)}  # fmt: skip

MEDIA: dict[str, str] = {"null": "media"}  # lower-cased marker -> the kind of file left out
MEDIA_IOS: dict[str, str] = {}  # iOS's markers alone (they may follow a document's name)
DELETED: set[str] = set()
LANGUAGE_OF: dict[str, str] = {}  # lower-cased marker or word -> language code


def _learn(text: str, code: str) -> str:
    lowered = text.lower()
    LANGUAGE_OF.setdefault(lowered, code)
    return lowered


def ios_markers(table: dict) -> list[tuple[str, str]]:
    """(kind, marker) for each of a table's iOS media markers, a kind's variants in order."""
    return [
        (kind, marker)
        for kind, markers in table["media_ios"].items()
        for marker in ((markers,) if isinstance(markers, str) else markers)
    ]


for _code, _table in TABLES.items():
    for _marker in _table["media_android"]:
        MEDIA.setdefault(_learn(_marker, _code), "media")
    for _kind, _marker in ios_markers(_table):
        MEDIA.setdefault(_learn(_marker, _code), _kind)
        MEDIA.setdefault(_learn(f"<{_marker}>", _code), _kind)
        MEDIA_IOS.setdefault(_marker.lower(), _kind)
    for _marker in _table["deleted"]:
        DELETED.add(_learn(_marker, _code))
        DELETED.add(_learn(f"{_marker}.", _code))
    for _key in ("file_attached", "attached_ios", "attached_ios_after", "edited", "location",
                 "hints"):  # fmt: skip
        for _word in _table.get(_key, ()):
            _learn(_word, _code)


def _words(key: str) -> str:
    words = {word for table in TABLES.values() for word in table.get(key, ())}
    return "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))


# Android: "IMG-20240115-WA0001.jpg (file attached)", a caption may follow on the next line
ATTACHED = re.compile(rf"^(?P<name>\S.*?\.\w{{1,5}}) \((?P<word>{_words('file_attached')})\)")
# iOS: "<attached: 00000012-PHOTO-2024-01-15-13-30-55.jpg>", Turkish "<… eklendi>", in any
# language: the file name WhatsApp gives (number, kind, date) is enough when the word is not
# in a table
ATTACHED_IOS = re.compile(
    rf"< ?(?:(?P<word>{_words('attached_ios')}) ?: ?(?P<name>[^<>\n]+)"
    rf"|(?P<named>[^<>\n]+?) (?P<after>{_words('attached_ios_after')})"
    r"|[^<>:\n]{1,40}: ?(?P<file>\d{8}-[A-Za-z]+-\d{4}(?:-\d{2}){5}\.\w{1,5})) ?>"
)
EDITED = re.compile(rf"[ \n]*<(?P<word>{_words('edited')})\.?>$", re.IGNORECASE)
# "location: https://maps.google.com/?q=52.09,5.12" (French "localisation : ", Japanese a
# full-width colon): kept as the sender's text
LOCATION = re.compile(
    rf"^(?:{_words('location')}|[^:：\n]{{1,40}}) ?[:：] ?https://maps\.google\.com/"
)
SYSTEM_PHRASES = tuple(sorted({p.lower() for t in TABLES.values() for p in t["system"]}))
# the longest first: "Чат WhatsApp с контактом " before "Чат WhatsApp с "
TITLE_PREFIXES = tuple(
    sorted({p for t in TABLES.values() for p in t["title_prefix"]}, key=len, reverse=True)
)
TITLE_SUFFIXES = tuple(
    sorted({s for t in TABLES.values() for s in t["title_suffix"]}, key=len, reverse=True)
)
