"""From text to index terms, the same way on SQLite and PostgreSQL (decision 0012).

1. fold: NFKD, drop combining marks, lowercase ("Café" -> "cafe");
2. tokenise: runs of letters and digits (``[^\\W_]+``); longer than 64 characters is dropped;
3. drop the Snowball Dutch stop words (the list PostgreSQL's ``dutch`` configuration uses);
4. stem with Snowball ``dutch_porter``: the algorithm of PostgreSQL 15's ``dutch_stem``. A token
   with a digit in it is not stemmed (PostgreSQL's parser calls it a ``numword`` and gives it
   to the ``simple`` dictionary).

SQLite indexes the stems (:func:`index_terms`); PostgreSQL gets the folded words without stop
words (:func:`folded_words`) and stems them itself with ``to_tsvector('dutch', …)``. Stop words
are left out before positions are counted on both, so a phrase skips them alike.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

__all__ = [
    "STOP_WORDS",
    "Snippet",
    "fold",
    "folded_words",
    "index_terms",
    "snippet",
    "stem",
    "words",
]

MAX_TOKEN_CHARS = 64
SNIPPET_WORDS = 30
SNIPPET_BEFORE = 8

# The Snowball project's Dutch stop list, as PostgreSQL ships it (tsearch_data/dutch.stop).
_SNOWBALL_DUTCH_STOP = """
    de en van ik te dat die in een hij het niet zijn is was op aan met als voor had er maar
    om hem dan zou of wat mijn men dit zo door over ze zich bij ook tot je mij uit der daar
    haar naar heb hoe heeft hebben deze u want nog zal me zij nu ge geen omdat iets worden
    toch al waren veel meer doen toen moet ben zonder kan hun dus alles onder ja eens hier
    wie werd altijd doch wordt wezen kunnen ons zelf tegen na reeds wil kon niets uw iemand
    geweest andere
"""
STOP_WORDS = frozenset(_SNOWBALL_DUTCH_STOP.split())

_TOKEN = re.compile(r"[^\W_]+")
_stemmer = snowballstemmer.stemmer("dutch_porter")


def fold(text: str) -> str:
    """Without diacritics, lowercase: "Café Één" -> "cafe een"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def words(text: str) -> list[str]:
    """The folded tokens of ``text``, stop words included, in order."""
    return [t for t in _TOKEN.findall(fold(text)) if len(t) <= MAX_TOKEN_CHARS]


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The stem of one folded token (numbers and words with digits stay as they are)."""
    if any(c.isdigit() for c in word):
        return word
    return _stemmer.stemWord(word)


def index_terms(text: str) -> str:
    """What SQLite's FTS5 indexes: the stems without stop words, space-separated."""
    return " ".join(stem(w) for w in words(text) if w not in STOP_WORDS)


def folded_words(text: str) -> str:
    """What PostgreSQL's ``to_tsvector('dutch', …)`` gets: folded words without stop words."""
    return " ".join(w for w in words(text) if w not in STOP_WORDS)


@dataclass(frozen=True)
class Snippet:
    text: str
    highlights: list[tuple[int, int]]  # [start, end) in characters (code points) of text


def snippet(body: str, stems: frozenset[str], prefixes: tuple[str, ...] = ()) -> Snippet:
    """About 30 words of ``body`` around the first word that matches; matches highlighted.

    A word matches when its stem is in ``stems`` or starts with one of ``prefixes`` (stems of
    prefix terms). Without a match the snippet is the start of the message.
    """
    spans = [m.span() for m in _TOKEN.finditer(body)]
    hits = [i for i, (start, end) in enumerate(spans) if _matches(body[start:end], stems, prefixes)]
    first = max(0, hits[0] - SNIPPET_BEFORE) if hits else 0
    last = min(len(spans), first + SNIPPET_WORDS)
    if not spans:
        return Snippet(_squash(body[:300]), [])
    start = 0 if first == 0 else spans[first][0]
    end = len(body) if last == len(spans) else spans[last - 1][1]
    lead = "" if start == 0 else "… "
    text = lead + body[start:end] + ("" if end == len(body) else " …")
    shift = len(lead) - start
    highlights = [(spans[i][0] + shift, spans[i][1] + shift) for i in hits if first <= i < last]
    return Snippet(text, highlights)


def _matches(token: str, stems: frozenset[str], prefixes: tuple[str, ...]) -> bool:
    for word in words(token):
        if word in STOP_WORDS:
            continue
        stemmed = stem(word)
        if stemmed in stems or any(stemmed.startswith(p) for p in prefixes):
            return True
    return False


def _squash(text: str) -> str:
    return " ".join(text.split())
