"""Chat text as tokens for the name finder: words, initials and "'t", with what the lists
know of each word (a name? also a common word? a tussenvoegsel? a cue?).

A lowercase common word that can matter for nothing ("het", "wil graag") is not made into a
token: the name rules look at the text between tokens, so it still separates them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .lists import Lexicon
from .special import cue_kind
from .vocabulary import CLOSING_CUES, FIRST_NAME_WORDS, INTRO_CUES, RELATION_CUES, TITLES

__all__ = ["LAST_WORDS", "Token", "adjacent", "interfix_run", "tokens"]

INITIAL = r"(?:Chr|Th|Ph|Ch|Joh|Wm|[A-ZÀ-ÖØ-Þ])\."
TOKEN = re.compile(
    rf"(?P<initials>{INITIAL}(?:\s?{INITIAL}){{0,3}})(?![^\W\d_])"
    r"|(?P<word>[^\W\d_]+(?:['’\-][^\W\d_]+)*)"
    r"|(?P<article>(?<![\w'’])['’]t)(?![\w'’])"
)
SENTENCE_END = frozenset('.!?:;\n"“(>*•-')
URL_HINTS = ("://", "www.", ".nl", ".com", ".org", ".eu", ".be", ".de", ".net", "WWW.", ".NL")
URL = re.compile(r"(?i)\b(?:https?://|www\.)\S+|\b[\w-]+\.(?:nl|com|org|eu|be|de|net)\b\S*")


@dataclass(slots=True)
class Token:
    start: int
    end: int
    text: str
    lower: str
    initials: bool
    cap: bool
    sentence_start: bool
    interfix: bool
    strength: int  # 2 a name, 1 a name that is also a word, 0 not in the lists
    word: bool  # a common word


def _strength(lex: Lexicon, lower: str) -> int:
    if "-" in lower:  # "Jan-Willem" is as strong as its weakest part; "WOZ-waarde" is none
        parts = [p for p in lower.split("-") if p not in lex.interfix_words or len(p) == 1]
        return min((_strength(lex, p) for p in parts), default=0)
    best = 0
    for part in (lower,):
        if part in lex.not_names:
            continue
        zipf = lex.zipf.get(part, 0.0)
        if (part in lex.first_names and part not in FIRST_NAME_WORDS and zipf < 5.5) or (
            part in lex.surnames and zipf < 3.0
        ):
            best = max(best, 2)
        elif part in lex.first_names or part in lex.surnames:
            best = max(best, 1)
    return best


def tokens(
    text: str, lex: Lexicon, cues: list[tuple[int, int, str, str]] | None = None
) -> list[Token]:
    """The tokens that can matter for a name, in order. A lowercase common word that is no
    name, no tussenvoegsel and no cue ("het", "wil graag") is left out: the rules look at the
    text between tokens, so it still separates them. ``cues`` collects the words that are
    cues of special personal data, for :func:`balie.pii.special.find_special`."""
    out: list[Token] = []
    masked = (
        [(m.start(), m.end()) for m in URL.finditer(text)]
        if "." in text and any(hint in text for hint in URL_HINTS)
        else []
    )
    features = _FEATURES
    for m in TOKEN.finditer(text):
        kind = m.lastgroup
        raw = m.group()
        start = m.start()
        if masked and any(s <= start < e for s, e in masked):
            continue
        if kind == "word":
            if raw[-1] in "'’s" and len(raw) > 3:
                if raw[-1] != "s":
                    raw = raw[:-1]  # "Kees' fiets"
                elif raw[-2] in "'’":
                    raw = raw[:-2]  # "Anna's fiets"
        elif kind == "article":  # "van 't Hof", "in 't Veld"
            raw = "'t"
        else:
            raw = raw.rstrip()
        end = start + len(raw)
        lower = raw.lower()
        if kind == "initials":
            out.append(
                Token(start, end, raw, lower, True, True, _starts(text, start), False, 0, False)
            )
            continue
        interfix, strength, word, droppable, cue = features.get(lower) or _features(lex, lower)
        if cue and cues is not None:
            cues.append((start, end, raw, lower))
        cap = raw[0].isupper()
        if droppable and not cap:
            continue
        out.append(
            Token(
                start, end, raw, lower, False, cap, _starts(text, start), interfix, strength, word
            )
        )
    return out


def _starts(text: str, start: int) -> bool:
    """Does a sentence start at ``start`` (the start of the text, or after . ! ? : and such)?"""
    i = start - 1
    while i >= 0 and text[i] in " \t":
        i -= 1
    return i < 0 or text[i] in SENTENCE_END


_FEATURES: dict[str, tuple[bool, int, bool, bool, int]] = {}


def _features(lex: Lexicon, lower: str) -> tuple[bool, int, bool, bool, int]:
    """(tussenvoegsel, strength, common word, droppable, special cue) of a lowercase word,
    remembered per process (the lexicon is one per process); the memory is bounded.
    Droppable: written in lowercase, the word cannot matter for a name (no name, no
    tussenvoegsel, no cue)."""
    features = _FEATURES.get(lower)
    if features is None:
        interfix = lower in lex.interfix_words or lower in ("'t", "’t")
        strength = _strength(lex, lower)
        word = lex.is_word(lower)
        droppable = word and not interfix and not strength and lower not in LAST_WORDS
        features = (interfix, strength, word, droppable, cue_kind(lower))
        if len(_FEATURES) > 200_000:
            _FEATURES.clear()
        _FEATURES[lower] = features
    return features


def interfix_run(text: str, toks: list[Token], i: int, lex: Lexicon) -> int:
    """How many tokens from ``i`` make one tussenvoegsel ("van der", "de", "el"), or 0."""
    best = 0
    for n in (1, 2, 3):
        run = toks[i : i + n]
        if len(run) < n or any(t.initials for t in run):
            break
        if n > 1 and not adjacent(text, run[-2], run[-1]):
            break
        if tuple(t.lower.replace("’", "'") for t in run) in lex.interfixes:
            best = n
    return best


def _last_words() -> frozenset[str]:
    words = (
        set(TITLES)
        | set(RELATION_CUES)
        | {
            "collega",
            "cliënt",
            "client",
            "wijkagent",
            "consulent",
            "casemanager",
            "klantmanager",
            "medewerker",
            "contactpersoon",
            "kinderen",
            "children",
            "kids",
        }
    )
    for cue in (*INTRO_CUES, *CLOSING_CUES):
        words.add(cue.split()[-1].rstrip(".:=").split(".")[-1] or cue.split()[-1])
    return frozenset(w.lower() for w in words) | {"g", "v", "t"}  # m.v.g., t.a.v.


LAST_WORDS = _last_words()


def adjacent(text: str, a: Token, b: Token) -> bool:
    gap = text[a.end : b.start]
    return len(gap) <= 2 and gap.strip(" ") in ("", "-") and "\n" not in gap
