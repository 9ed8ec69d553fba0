"""What a person types in the search box, parsed into terms.

- words are ANDed: ``paspoort verlopen``
- ``"een zin"`` matches the words in this order, next to each other (stop words skipped)
- ``-woord`` (or ``-"een zin"``) leaves out messages that contain it
- ``woord*`` matches every word that starts with it (``parkeer*``): compared with the stems
  in the index, as typed and stemmed (see :attr:`Term.prefixes`)

Every term is folded and stemmed as the index is (:mod:`balie.search.text`), so "Café"
finds "cafe" and "vergunning" finds "vergunningen".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from balie.search.errors import SearchError
from balie.search.text import STOP_WORDS, stem, words

__all__ = ["MAX_QUERY_CHARS", "MAX_TERMS", "ParsedQuery", "Term", "parse_query"]

MAX_QUERY_CHARS = 500
MAX_TERMS = 20
MIN_PREFIX_CHARS = 2

_PART = re.compile(r'(-?)(?:"([^"]*)"?|(\S+))')


@dataclass(frozen=True)
class Term:
    """One word, prefix or phrase: ``folded`` words (for PostgreSQL) and their ``stems``."""

    folded: tuple[str, ...]
    stems: tuple[str, ...]
    exclude: bool = False
    prefix: bool = False

    @property
    def prefixes(self) -> tuple[str, ...]:
        """A prefix term matches stems that start with the word as typed or with its stem
        ("parkeer*": "parkeer", "parker"), as stems are not always prefixes of their word."""
        return tuple(dict.fromkeys((self.folded[0], self.stems[0])))


@dataclass(frozen=True)
class ParsedQuery:
    text: str
    terms: tuple[Term, ...]

    @property
    def positive(self) -> tuple[Term, ...]:
        return tuple(t for t in self.terms if not t.exclude)

    @property
    def excluded(self) -> tuple[Term, ...]:
        return tuple(t for t in self.terms if t.exclude)

    def highlight_stems(self) -> frozenset[str]:
        return frozenset(s for t in self.positive if not t.prefix for s in t.stems)

    def highlight_prefixes(self) -> tuple[str, ...]:
        return tuple(p for t in self.positive if t.prefix for p in t.prefixes)

    def __bool__(self) -> bool:
        return bool(self.terms)


def parse_query(text: str) -> ParsedQuery:
    """The terms of ``text``; an empty query has none. Raises SearchError on bad input."""
    if len(text) > MAX_QUERY_CHARS:
        raise SearchError(
            "query_too_long",
            _("The search query is too long: at most %(limit)s characters."),
            field="q",
            params={"limit": MAX_QUERY_CHARS},
        )
    terms: list[Term] = []
    count = 0
    only_stop_words = False
    for match in _PART.finditer(text):
        exclude = match.group(1) == "-"
        phrase = match.group(2)
        raw = phrase if phrase is not None else match.group(3)
        prefix = phrase is None and raw.endswith("*")
        found = [w for w in words(raw) if w not in STOP_WORDS]
        if not found:
            only_stop_words = only_stop_words or bool(words(raw))
            continue
        if prefix and len(found) > 1:
            prefix = False  # "e-mail*" is the phrase "e mail"
        count += len(found)
        if count > MAX_TERMS:
            raise SearchError(
                "too_many_terms",
                _("The search query has too many words: at most %(limit)s."),
                field="q",
                params={"limit": MAX_TERMS},
            )
        stems = tuple(stem(w) for w in found)
        if prefix and len(found[0]) < MIN_PREFIX_CHARS:
            raise SearchError(
                "prefix_too_short",
                _("Searching for the start of a word (with *) needs %(limit)s letters or more."),
                field="q",
                params={"limit": MIN_PREFIX_CHARS},
            )
        terms.append(Term(tuple(found), stems, exclude=exclude, prefix=prefix))
    parsed = ParsedQuery(text, tuple(terms))
    if terms and not parsed.positive:
        raise SearchError(
            "only_excluded",
            _("Give at least one search word without a minus sign before it."),
            field="q",
        )
    if not terms and only_stop_words:
        raise SearchError(
            "only_stop_words",
            _(
                "The search query only has very common words (such as 'de' or 'het'), which "
                "cannot be searched for."
            ),
            field="q",
        )
    return parsed
