"""The word lists the detector reads: Dutch names, streets and places, and word frequencies.

Names, streets and places come from the lists that ship inside the ``deduce`` package
(published Dutch name, street and place lists, LGPL), read as data from the installed package
without importing it; word frequencies come from ``wordfreq`` (decision 0026). Everything is
read once per process (:func:`lexicon`) into frozen sets; a list can be extended without code
through ``BALIE_PII_LISTS`` (a directory with ``first_names.txt``, ``surnames.txt``,
``streets.txt``, ``not_names.txt``: one entry per line), described in the guide.
"""

from __future__ import annotations

import importlib.util
import math
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .vocabulary import EXTRA_FIRST_NAMES, TITLES

__all__ = ["Lexicon", "lexicon"]

WORD_ZIPF = 3.0  # a lowercase word this frequent in Dutch is a word first ("bakker", "hoop")
KEEP_ZIPF = 1.5  # rarer words are not kept: unknown is as good as rare for the name rules
ENGLISH_ZIPF = 4.0  # common English words, for the English messages of expats

PREPOSITIONS = frozenset({"aan", "bij", "in", "op", "uit", "onder", "over", "voor", "achter"})


@dataclass(frozen=True, slots=True)
class Lexicon:
    first_names: frozenset[str]
    surnames: frozenset[str]
    interfixes: frozenset[tuple[str, ...]]  # "van der" as ("van", "der")
    interfix_words: frozenset[str]
    titles: frozenset[str]
    streets: frozenset[str]
    places: frozenset[str]
    not_names: frozenset[str]  # words in the name lists that are never names alone
    zipf: dict[str, float]  # Dutch word frequency (Zipf scale), lowercase, >= KEEP_ZIPF
    english: frozenset[str]

    def is_word(self, lower: str) -> bool:
        """A common Dutch (or English) word, whatever else it may be."""
        return self.zipf.get(lower, 0.0) >= WORD_ZIPF or lower in self.english

    def is_name(self, lower: str) -> bool:
        return (lower in self.first_names or lower in self.surnames) and lower not in self.not_names


def _deduce_lists() -> Path:
    spec = importlib.util.find_spec("deduce")  # found, not imported: only its data is read
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("balie.pii needs the 'deduce' package for its name lists")
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "lookup" / "src"


def _read(path: Path) -> list[str]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as f:
        return [line.strip() for line in f if line.strip()]


def _entries(folder: Path) -> set[str]:
    """A deduce list: its items less its exceptions, lowercase."""
    items = {e.lower() for e in _read(folder / "items.txt")}
    return items - {e.lower() for e in _read(folder / "exceptions.txt")}


def _extra(name: str) -> set[str]:
    folder = os.environ.get("BALIE_PII_LISTS")
    return {e.lower() for e in _read(Path(folder) / name)} if folder else set()


def _frequencies() -> tuple[dict[str, float], frozenset[str]]:
    import wordfreq  # noqa: PLC0415 - read once, inside the cached loader

    dutch = {
        w: z
        for w, f in wordfreq.get_frequency_dict("nl", wordlist="best").items()
        if (z := math.log10(f * 1e9)) >= KEEP_ZIPF
    }
    english = frozenset(
        w
        for w, f in wordfreq.get_frequency_dict("en", wordlist="best").items()
        if math.log10(f * 1e9) >= ENGLISH_ZIPF
    )
    return dutch, english


@cache
def lexicon() -> Lexicon:
    src = _deduce_lists()
    names = src / "names"
    interfixes = {tuple(e.split()) for e in _entries(names / "lst_interfix")}
    interfixes |= {
        ("van", "de"),
        ("van", "den"),
        ("van", "der"),
        ("de",),
        ("den",),
        ("der",),
        ("van",),
        ("ter",),
        ("ten",),
        ("te",),
        ("el",),
        ("al",),
        ("bin",),
        ("abu",),
        ("op", "de"),
        ("in", "'t"),
        ("van", "'t"),
    }
    # prepositions that deduce lists as tussenvoegsels ("bij de", "uit de") are, in chat,
    # far more often prepositions: "bij de Neude", "uit de BRP"
    interfixes = {
        i for i in interfixes if all(w[-1:] != "." for w in i) and i[0] not in PREPOSITIONS
    } | {("in", "'t"), ("van", "'t"), ("op", "'t")}
    # municipalities, provinces and regions: the thousands of hamlets in the residence list
    # share their names with surnames too often ("Boer", "Dijk")
    places = {"den bosch", "den haag"}
    for kind in ("lst_municipality", "lst_province", "lst_region"):
        places |= _entries(src / "locations" / "lst_placename" / kind)
    zipf, english = _frequencies()
    prefixes = {e.rstrip(".").lower() for e in _read(names / "lst_prefix" / "items.txt")}
    return Lexicon(
        first_names=frozenset(
            _entries(names / "lst_first_name") | EXTRA_FIRST_NAMES | _extra("first_names.txt")
        ),
        surnames=frozenset(
            _entries(names / "lst_surname")
            | _entries(names / "lst_interfix_surname")
            | _extra("surnames.txt")
        ),
        interfixes=frozenset(interfixes),
        interfix_words=frozenset(i[0] for i in interfixes if len(i) == 1),
        titles=frozenset(TITLES | {p for p in prefixes if " " not in p}),
        streets=frozenset(_entries(src / "locations" / "lst_street") | _extra("streets.txt")),
        places=frozenset(places),
        not_names=frozenset(_extra("not_names.txt")),
        zipf=zipf,
        english=english,
    )
