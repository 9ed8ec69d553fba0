"""People's names in chat text: lists, tussenvoegsels, initials, cues and capitals together.

A name is a chunk of adjacent tokens: initials ("J.W."), given names and surnames from the
published lists, tussenvoegsels between them ("van der"), and unknown capitalised words beside
them ("Tesfay Gebremedhin"). Whether a chunk is a name depends on the evidence: a cue before it
("mevrouw", "ik ben", "groet,", "mijn buurman"), two name tokens together, initials, a
tussenvoegsel before a capital ("de Boer"), or a capital inside a sentence. A list word that is
also a common Dutch word ("bakker", "roos", "hoop") needs a cue or a capital inside a sentence:
"de bakker op de hoek" stays, "mevrouw Bakker" is a name.
"""

from __future__ import annotations

import re

from .lists import Lexicon
from .spans import Found
from .tokens import LAST_WORDS, Token, adjacent, interfix_run, tokens
from .vocabulary import (
    CALENDAR,
    CLOSING_CUES,
    INTRO_CUES,
    NON_PERSON_NAMES,
    ORGANISATION_WORDS,
    RELATION_CUES,
    STREET_WORDS,
    TITLE_PHRASES,
    TITLES,
)

__all__ = ["find_names"]

MAX_NAME_TOKENS = 8  # "Jan-Willem Gerard Maria van der Berg-de Vries" fits; a list of names ends
PLACE_WORDS = frozenset({"in", "naar", "uit", "te", "gemeente", "bij", "richting", "via", "rond"})


def _cue_pattern() -> re.Pattern[str]:
    def alternatives(words) -> str:
        return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))

    titles = alternatives((*TITLES, *TITLE_PHRASES))
    relation = (
        r"(?:(?:mijn|m'n|onze|ons|haar|zijn|z'n|uw|je|jouw|de|die|deze|het|een|onze|"
        r"my|our|his|her|your)\s+)"
        rf"(?:{alternatives(RELATION_CUES)})|collega|cliënt|client|wijkagent|"
        r"consulent|casemanager|klantmanager|medewerker|contactpersoon|kinderen|"
        r"children|kids"
    )
    return re.compile(
        rf"(?i)(?:(?P<title>\b(?:{titles})\b\.?)|(?P<intro>\b(?:{alternatives(INTRO_CUES)})(?!\w))"
        rf"|(?P<closing>\b(?:{alternatives(CLOSING_CUES)})(?!\w)\.?)|(?P<relation>\b(?:{relation})\b))"
        r"(?(intro)[\s,:;\-–]*|(?(closing)[\s,:;.\-–]*|[ \t]+))$"
    )


CUE = _cue_pattern()


def _stops(t: Token) -> bool:
    """A street or a company after a name is not part of it: "Koster van de Boerhaavelaan",
    "Kaya van Thuiszorg Zonnehuis"."""
    return (t.cap and t.lower.endswith(STREET_WORDS)) or t.lower.endswith(ORGANISATION_WORDS)


def _organisation(toks: list[Token], i: int, chunk: list[Token]) -> bool:
    """A company or institution named after a person: "Bakkerij Visser", "Zorggroep De Linde"."""
    before = toks[i - 1].lower if i > 0 else ""
    return any(t.lower.endswith(ORGANISATION_WORDS) for t in chunk) or (
        before.endswith(ORGANISATION_WORDS) and toks[i - 1].cap
    )


def _cue_before(text: str, toks: list[Token], i: int) -> str | None:
    """The kind of cue right before token ``i`` ("mevrouw", "ik ben", "groet,"), if any. A
    cheap look at the word before comes first: the cue pattern only runs after a cue word."""
    if i == 0:
        return None
    before = toks[i - 1]
    if before.lower not in LAST_WORDS or any(c.isalnum() for c in text[before.end : toks[i].start]):
        return None
    m = CUE.search(text, max(0, toks[i].start - 40), toks[i].start)
    return m.lastgroup if m is not None else None


def _is_core(t: Token, lex: Lexicon, cue: str | None, inside: bool = False) -> bool:
    """Can this token be part of a name (before weighing the evidence)? ``inside``: it
    would continue a chunk that already has a name in it."""
    if t.initials:
        return True
    if t.lower in CALENDAR:  # "1 jan" is a date; "mvg jan" and "Jan Visser" are Jan
        return t.lower in lex.first_names and (t.cap or cue not in (None, "inside"))
    if t.text.isupper() and len(t.text) > 1 and t.strength == 0:
        return False  # BSN, KCC, WOZ: abbreviations
    if inside and not t.cap:  # "jan bakker" after "ik ben": a cue vouches for a word
        return t.strength == 2 or (t.strength == 1 and (not t.word or cue is not None))
    if t.cap:
        return t.strength > 0 or not t.word or cue is not None
    # lowercase: a name that is not a word, or after a cue any name ("ik ben kees")
    return (
        t.strength == 2
        or (cue is not None and t.strength == 1)
        or (cue is not None and not t.word and len(t.lower) > 1)
    )


def _street_after(text: str, end: int) -> bool:
    m = re.match(r"[\s-]*([^\W\d_]+)", text[end : end + 40])
    return bool(m and m.group(1).lower().endswith(STREET_WORDS))


def find_names(text: str, lex: Lexicon, toks: list[Token] | None = None) -> list[Found]:
    toks = tokens(text, lex) if toks is None else toks
    found: list[Found] = []
    i = 0
    while i < len(toks):
        if not _may_start(toks, i):
            i += 1  # no name and after no cue: most words ("ik", "Dank", "gemeente")
            continue
        cue = _cue_before(text, toks, i)
        chunk, lead, j = _chunk(text, toks, i, cue, lex)
        core = [u for u in chunk[lead:] if not u.interfix]
        if not core:
            i = max(j, i + 1) if lead == 0 else i + 1
            continue
        if lead and (core[0].lower in lex.first_names and core[0].lower not in lex.surnames):
            chunk, lead = chunk[lead:], 0  # "de zoon van Mike Koster": "van" is not his
        span = chunk if lead and core[0].cap else chunk[lead:]
        if _no_person(text, toks, i, chunk, span, core, cue, lex):
            i = j
            continue
        decision = _decide(text, span, core, lead > 0 and core[0].cap, cue, lex)
        if decision is None:
            i += 1
            continue
        found.append((span[0].start, span[-1].end, "name", *decision))
        i = j
    return found + _coordinated(text, toks, found, lex)


def _may_start(toks: list[Token], i: int) -> bool:
    t = toks[i]
    return (
        t.interfix or t.initials or t.strength == 2 or (t.cap and not (t.strength == 0 and t.word))
    ) or (i > 0 and toks[i - 1].lower in LAST_WORDS)


def _chunk(
    text: str, toks: list[Token], i: int, cue: str | None, lex: Lexicon
) -> tuple[list[Token], int, int]:
    """The adjacent tokens from ``i`` that may make one name, how many of them lead as a
    tussenvoegsel ("de Boer", "van der Berg"), and the index after them."""
    lead = interfix_run(text, toks, i, lex) if toks[i].interfix else 0
    chunk = toks[i : i + lead]
    j = i + lead
    while j < len(toks) and j - i < MAX_NAME_TOKENS:
        u = toks[j]
        if chunk and not adjacent(text, chunk[-1], u):
            break
        if u.interfix and not u.initials and len(chunk) > lead:
            after = _name_after_interfix(text, toks, j, chunk, cue, lex)
            if after is None:
                break
            chunk.extend(toks[j : after + 1])  # "van der Berg"; lowercase "jeroen de wit"
            j = after + 1
            continue
        if chunk and len(chunk) > lead and chunk[-1].cap and not u.cap and not u.initials:
            break  # "Bakker kan niet": a lowercase word after a capitalised name
        if (chunk and _stops(u)) or (u.lower in lex.titles and not u.initials):
            break
        if not _is_core(u, lex, cue, inside=len(chunk) > lead):
            break
        chunk.append(u)
        j += 1
    while len(chunk) > lead and chunk[-1].interfix:
        chunk.pop()  # "Mike Koster van de": the tussenvoegsel belonged to what follows
        j -= 1
    return chunk, lead, j


def _name_after_interfix(
    text: str, toks: list[Token], j: int, chunk: list[Token], cue: str | None, lex: Lexicon
) -> int | None:
    """A tussenvoegsel inside a name needs a name after it ("Wil van Rijn"; lowercase only
    after lowercase, "nguyen van thanh"): the index of that name, or None."""
    k = j + interfix_run(text, toks, j, lex)
    if k == j or k >= len(toks):
        return None
    after = toks[k]
    if not adjacent(text, toks[k - 1], after) or _stops(after):
        return None
    if after.cap and _is_core(after, lex, cue):
        return k
    lowercase = not chunk[-1].cap and not after.cap and not after.initials
    return k if lowercase and (after.strength or not after.word) else None


def _no_person(
    text: str,
    toks: list[Token],
    i: int,
    chunk: list[Token],
    span: list[Token],
    core: list[Token],
    cue: str | None,
    lex: Lexicon,
) -> bool:
    """A shop, a brand, a street or a place, not a person."""
    whole = " ".join(t.lower for t in span)
    names = " ".join(t.lower for t in core)
    return (
        _organisation(toks, i, chunk)
        or whole in NON_PERSON_NAMES
        or names in NON_PERSON_NAMES
        or span[-1].lower.endswith(STREET_WORDS)
        or _street_after(text, span[-1].end)
        or (not cue and (whole in lex.places or names in lex.places))  # "van Zeist", "De Bilt"
        or _after_postcode(text, span[0].start)  # "3481 LB Harmelen"
    )


CAPITALISED_WORD_BEFORE = re.compile(r"(?<![.!?]\s)\b[A-Z][a-z]+\s+$")
ARTICLE_USE = re.compile(
    r"(?i)\b(?:in|op|aan|bij|naar|uit|voor|door|over|onder|tegen|langs|rond|via|achter|"
    r"tussen|naast|tot|om|wijk|buurt|dorp|kern)\s+$"
)
OF_SOMETHING = re.compile(r"\s+van\s+[A-Z]")
ARTICLE = re.compile(r"(?i)\b(?:de|het|een|the|a|an)\s+$")
POSTCODE_BEFORE = re.compile(r"[1-9]\d{3}\s?[A-Z]{2}\s+$")


def _after_postcode(text: str, start: int) -> bool:
    return bool(POSTCODE_BEFORE.search(text, max(0, start - 10), start))


def _coordinated(text: str, toks: list[Token], found: list[Found], lex: Lexicon) -> list[Found]:
    """ "Ali en Fatemeh": an unknown capitalised word joined to a name by "en" or a comma."""
    if not found:
        return []
    ends = {f[1] for f in found}
    starts = {f[0] for f in found}
    extra: list[Found] = []
    for a, b in zip(toks, toks[1:], strict=False):
        gap = text[a.end : b.start]
        if gap.strip() not in ("en", ",", "&", "of", "and") or "\n" in gap:
            continue
        for name_end, other in ((a.end, b), (None, a)):
            near_start = b.start if other is a else None
            if (
                (name_end in ends or near_start in starts)
                and other.cap
                and not other.word
                and not other.initials
                and other.strength == 0
                and len(other.text) > 2
                and other.lower not in lex.places
                and not other.text.isupper()
                and other.start not in starts
                and not ARTICLE.search(text, 0, other.start)
            ):
                extra.append((other.start, other.end, "name", 0.6, "name:coordinated"))
    return extra


def _decide(
    text: str,
    span: list[Token],
    core: list[Token],
    after_interfix: bool,
    cue: str | None,
    lex: Lexicon,
) -> tuple[float, str] | None:
    """Is this chunk a name, and by which rule: (confidence, source), or None."""
    first = core[0]
    names = [t for t in core if not t.initials]
    if any(t.initials for t in span) and names and names[-1].cap:
        return 0.95, "name:initials"
    if not names or (len(names) == 1 and not cue and _a_place(text, first, after_interfix, lex)):
        return None
    if cue == "title":
        return 0.95, "name:cue:title"
    if cue in ("intro", "closing"):
        if first.cap and not (first.word and first.strength == 0 and len(names) == 1):
            return 0.9, f"name:cue:{cue}"
        return (0.85, f"name:cue:{cue}") if not first.cap and first.strength == 2 else None
    if cue == "relation" and (
        first.strength == 2 or (first.cap and (first.strength or not first.word))
    ):
        return 0.9, "name:cue:relation"
    if (
        after_interfix
        and not span[0].cap
        and (
            ARTICLE_USE.search(text, max(0, span[0].start - 12), span[0].start)
            or OF_SOMETHING.match(text, span[-1].end)
        )
    ):
        return None  # "in de Wijk", "bij de Neude", "de Kamer van Koophandel"
    if after_interfix and _tussenvoegsel_name(span, names, lex):
        return 0.85, "name:tussenvoegsel"
    if len(names) >= 2:
        return _several(span, names)
    return _single(text, names[0], lex)


def _a_place(text: str, first: Token, after_interfix: bool, lex: Lexicon) -> bool:
    if first.lower in lex.places and not after_interfix:
        return True
    before = text[max(0, first.start - 12) : first.start].lower().split()
    return bool(before) and before[-1] in PLACE_WORDS and first.strength < 2


def _tussenvoegsel_name(span: list[Token], names: list[Token], lex: Lexicon) -> bool:
    return (
        all(t.cap for t in names)
        and bool(names[0].strength)
        and not names[0].text.isupper()
        and " ".join(t.lower for t in span) not in lex.places
        and names[0].lower not in lex.places
    )


def _several(span: list[Token], names: list[Token]) -> tuple[float, str] | None:
    """Two or more name tokens together: "Jan Bakker", "Tesfay Gebremedhin", "jeroen de wit"."""
    if all(t.cap for t in names):
        if any(t.strength == 2 for t in names):
            return 0.9, "name:lists"
        if len(span) > len(names) and all(t.strength for t in names) and not span[0].interfix:
            return 0.8, "name:tussenvoegsel"  # "Wil van Rijn", "Roos de Groot"
        return (0.6, "name:capitals") if not any(t.word for t in names) else None
    if any(t.strength == 2 for t in names) and (
        not any(t.word for t in names) or len(span) > len(names)
    ):
        return 0.75, "name:lists:lowercase"  # "jeroen de wit", "nguyen van thanh"
    return None


def _single(text: str, t: Token, lex: Lexicon) -> tuple[float, str] | None:
    """One name token without a cue: a capital inside a sentence, or a name that is no word."""
    if t.cap and not t.sentence_start:
        if t.strength == 2:
            return 0.8, "name:list"
        if (
            t.strength == 1
            and lex.zipf.get(t.lower, 0.0) < 4.5
            and not CAPITALISED_WORD_BEFORE.search(text, max(0, t.start - 30), t.start)
        ):
            return 0.6, "name:list:capital"  # not in "Nieuwe Vaart", "Rode Kruis"
        return None
    if t.cap and t.sentence_start and t.strength == 2 and not t.word:
        return 0.7, "name:list"
    if t.cap and t.sentence_start and t.strength == 2 and t.lower in lex.first_names:
        return 0.6, "name:list"
    if not t.cap and t.strength == 2 and not t.word and t.lower not in lex.english:
        return 0.6, "name:list:lowercase"
    return None
