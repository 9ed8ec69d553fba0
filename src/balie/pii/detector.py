"""``detect``: every finder over a text, overlaps settled, the allow-list applied, repeats found.

Finders propose ``(start, end, category, confidence, source)``; where two overlap, the more
specific category wins (an e-mail address over the name inside it, an address over the
surname in its street name). Then the organisation's allow-list keeps its own data readable,
and every string found once is found wherever else it occurs in the same request
(:func:`detect_all` over all its texts).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any, NamedTuple

from .addresses import find_addresses
from .allow import Allowed, allowed_for
from .codes import (
    DATE,
    asked_for,
    find_answers,
    find_dates_of_birth,
    find_id_numbers,
    find_ip_addresses,
    find_plates,
    find_postcodes,
)
from .context import EMPTY, Context
from .lists import Lexicon, lexicon
from .names import find_names
from .numbers import find_bsns, find_emails, find_ibans, find_phones
from .spans import Found, Span
from .special import find_special
from .tokens import tokens
from .vocabulary import ORGANISATION_WORDS

__all__ = ["detect", "detect_all"]

PRIORITY = {
    category: i
    for i, category in enumerate(
        (
            "email",
            "iban",
            "ip_address",
            "phone",
            "id_number",
            "bsn",
            "date_of_birth",
            "licence_plate",
            "postcode",
            "address",
            "name",
            "special",
        )
    )
}
# Each finder with the fewest digits a text must hold for it to find anything: most chat
# messages hold a time or an amount, not a phone number, and are passed by at once.
FINDERS = (
    (find_emails, 0),
    (find_ibans, 8),
    (find_phones, 8),
    (find_bsns, 8),
    (find_postcodes, 4),
    (find_plates, 1),
    (find_dates_of_birth, 3),
    (find_id_numbers, 1),
    (find_ip_addresses, 3),
)
DIGIT = re.compile(r"\d")
NOTHING: frozenset[str] = frozenset()
NOT_REPEATED = frozenset({"date_of_birth"})  # a date recurs innocently (an appointment)


def _context(context: Context | Mapping[str, Any] | None) -> Context:
    if context is None:
        return EMPTY
    if isinstance(context, Context):
        return context
    return Context.from_dict(context)


def detect(text: str, context: Context | Mapping[str, Any] | None = None) -> list[Span]:
    """The personal data in ``text``, as spans sorted by position (offsets in code points)."""
    return detect_all([text], context)[0]


def detect_all(
    texts: Sequence[str], context: Context | Mapping[str, Any] | None = None
) -> list[list[Span]]:
    """``detect`` over the texts of one request: a string found in one is found in all."""
    ctx = _context(context)
    lex = lexicon()
    allowed, known = _prepared(ctx, lex)
    found = [
        _settle(text, _find(text, lex, known, asked_for(texts[n - 1]) if n else NOTHING), allowed)
        for n, text in enumerate(texts)
    ]
    strings = _strings(texts, found, lex) if any(found) else {}
    repeats = _repeats(tuple(strings.items())) if strings else None
    if repeats is not None:
        for n, (text, spans) in enumerate(zip(texts, found, strict=True)):
            more = _repeated(text, repeats)
            have = {(s, e) for s, e, *_ in spans}
            if any((s, e) not in have for s, e, *_ in more):
                found[n] = _settle(text, spans + more, allowed)
    return [
        [Span(s, e, c, conf, src, ctx.grounds[c]) for s, e, c, conf, src in spans]
        for spans in found
    ]


_PREPARED: dict[int, tuple[Context, Allowed, Repeats | None]] = {}


def _prepared(ctx: Context, lex: Lexicon) -> tuple[Allowed, Repeats | None]:
    """The allow-list and the participants' strings of a context, made once per context
    object (the CLI and the workbench pass the same one for many texts)."""
    entry = _PREPARED.get(id(ctx))
    if entry is None or entry[0] is not ctx:
        if len(_PREPARED) > 256:
            _PREPARED.clear()
        entry = (ctx, allowed_for(ctx), _participants(ctx, lex))
        _PREPARED[id(ctx)] = entry
    return entry[1], entry[2]


def _find(text: str, lex: Lexicon, known: Repeats | None, asked: frozenset[str]) -> list[Found]:
    """Every finder's proposals; ``asked``: what the message before asked for (its answer's
    bare numbers are read as that)."""
    if not text:
        return []
    found: list[Found] = []
    digits = len(DIGIT.findall(text)) if DIGIT.search(text) else 0
    if digits or "@" in text or "(at)" in text:
        for finder, fewest in FINDERS:
            if digits >= fewest:
                found.extend(finder(text, lex))
        if digits:
            found.extend(find_addresses(text, lex))
            found.extend(find_answers(text, lex, asked))
    cues: list[tuple[int, int, str, str]] = []
    names = find_names(text, lex, tokens(text, lex, cues))
    found.extend(names)
    found.extend(_dates_after_names(text, names))
    found.extend(find_special(text, cues, about_someone=bool(names)))
    if known is not None:
        found.extend((s, e, c, 0.95, f"{c}:participant") for s, e, c, *_ in _repeated(text, known))
    return found


def _dates_after_names(text: str, names: list[Found]) -> list[Found]:
    """ "Ali 03-02-2015, Fatemeh 21-09-2018": a date right after a name is that person's."""
    if not names:
        return []
    ends = {end for _, end, *_ in names}
    return [
        (m.start(), m.end(), "date_of_birth", 0.8, "date_of_birth:after-name")
        for m in DATE.finditer(text)
        if any(m.start() - e in (1, 2) and text[e : m.start()].strip(" ,:") == "" for e in ends)
    ]


def _settle(text: str, found: list[Found], allowed: Allowed) -> list[Found]:
    """One span per stretch of text, the most specific first; the allow-list applied."""
    if not found:
        return []
    regions = allowed.regions(text)
    kept: list[Found] = []
    order = sorted(
        set(found),
        key=lambda f: (PRIORITY[f[2]], f[0] - f[1], f[4].startswith("repeat"), -f[3], f[0]),
    )
    taken = bytearray(len(text))  # 1 where a kept span lies: linear however many spans
    for span in order:
        start, end, category = span[0], span[1], span[2]
        if taken.find(1, start, end) != -1:
            continue
        if any(
            s < end and start < e and 2 * (min(end, e) - max(start, s)) >= end - start
            for s, e in regions
        ):
            continue  # (mostly) inside an allowed text: "de Markt 1" when "Markt 1" is
        if allowed.keeps(category, text[start:end]):
            regions.append((start, end))  # nothing else may mark the organisation's number
            continue
        kept.append(span)
        taken[start:end] = b"\x01" * (end - start)
    kept.sort()
    return kept


def _participants(ctx: Context, lex: Lexicon) -> Repeats | None:
    strings = {}
    for person in ctx.participants:
        if person.email:
            strings[person.email] = "email"
        if not person.name:
            continue
        strings[person.name] = "name"
        for part in re.split(r"[\s,]+", person.name):
            if (
                len(part) > 2
                and part.lower() not in lex.interfix_words
                and not lex.is_word(part.lower())
            ):
                strings[part] = "name"
    return _repeats(tuple(sorted(strings.items()))) if strings else None


def _strings(texts: Sequence[str], found: Sequence[list[Found]], lex: Lexicon) -> dict[str, str]:
    """The strings to find again, each with its category; "=" before a name that is also a
    word: it is found again only as written ("Bakker", not "bakker")."""
    strings: dict[str, str] = {}
    for text, spans in zip(texts, found, strict=True):
        for start, end, category, *_ in spans:
            if category in NOT_REPEATED:
                continue
            value = text[start:end]
            if len(value) < 2:
                continue
            if category != "name":
                strings.setdefault(value, category)
                continue
            parts = [p.strip(".,") for p in value.split()] if " " in value else []
            for part in (value, *parts):
                if part is not value and (len(part) < 3 or "." in part):
                    continue
                if part.lower() in lex.interfix_words:
                    continue
                if " " in part or not lex.is_word(part.lower()):
                    strings.setdefault(part, "name")
                elif part is value and part[:1].isupper() and not part.isupper():
                    strings.setdefault(f"={part}", "name")  # "Bakker" again, not "de bakker"
    return strings


FEW = 40  # below this many strings, str.find beats compiling a pattern


def _repeats(strings: tuple[tuple[str, str], ...]) -> Repeats:
    return Repeats(strings, {s.lstrip("=").lower(): c for s, c in strings})


@lru_cache(maxsize=64)
def _compiled(strings: tuple[tuple[str, str], ...]) -> re.Pattern[str]:
    exact = [re.escape(s[1:]) for s, _ in strings if s.startswith("=")]
    loose = [re.escape(s) for s, _ in strings if not s.startswith("=")]
    parts = []
    if loose:
        parts.append("(?i:" + "|".join(sorted(loose, key=len, reverse=True)) + ")")
    if exact:
        parts.append("(?:" + "|".join(sorted(exact, key=len, reverse=True)) + ")")
    return re.compile(r"(?<![\w@.+-])(?:" + "|".join(parts) + r")(?![\w@-])")


class Repeats(NamedTuple):
    strings: tuple[tuple[str, str], ...]  # ("=Bakker", "name"): "=" finds it as written only
    categories: dict[str, str]  # lowercase string -> category it was found as

    def finditer(self, text: str) -> list[tuple[int, int]]:
        lower = text.lower()
        if len(self.strings) >= FEW or len(lower) != len(text):
            # many strings, or a text whose lowercase is longer ("İ"): one pattern
            return [m.span() for m in _compiled(self.strings).finditer(text)]
        out = []
        for key, _category in self.strings:
            string, exact = key.lstrip("="), key.startswith("=")
            haystack, needle = (text, string) if exact else (lower, string.lower())
            start = haystack.find(needle)
            while start != -1:
                end = start + len(needle)
                if (start == 0 or not BOUNDARY_BEFORE(text[start - 1])) and (
                    end == len(text) or not BOUNDARY_AFTER(text[end])
                ):
                    out.append((start, end))
                start = haystack.find(needle, start + 1)
        return out


def BOUNDARY_BEFORE(c: str) -> bool:  # noqa: N802 - the pattern's (?<![\w@.+-])
    return c.isalnum() or c in "_@.+-"


def BOUNDARY_AFTER(c: str) -> bool:  # noqa: N802 - the pattern's (?![\w@-])
    return c.isalnum() or c in "_@-"


def _after_organisation_word(text: str, start: int) -> bool:
    """ "Klusbedrijf Smit", "Zorggroep De Linde": the word before (past a tussenvoegsel)."""
    words = text[max(0, start - 40) : start].split()
    while words and words[-1].lower() in ("de", "van", "den", "der"):
        words.pop()
    return bool(words) and words[-1].lower().endswith(ORGANISATION_WORDS)


def _repeated(text: str, repeats: Repeats) -> list[Found]:
    out = []
    for start, end in repeats.finditer(text):
        if _after_organisation_word(text, start):
            continue  # "Klusbedrijf Smit", "Zorggroep De Linde": a company, not Rob Smit
        category = repeats.categories.get(text[start:end].lower(), "name")
        out.append((start, end, category, 0.8, f"repeat:{category}"))
    return out
