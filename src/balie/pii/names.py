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
from dataclasses import dataclass

from .lists import Lexicon
from .numbers import Found
from .special import cue_kind
from .vocabulary import (
    CALENDAR,
    CLOSING_CUES,
    FIRST_NAME_WORDS,
    INTRO_CUES,
    NON_PERSON_NAMES,
    ORGANISATION_WORDS,
    RELATION_CUES,
    STREET_WORDS,
    TITLE_PHRASES,
    TITLES,
)

__all__ = ["find_names"]

INITIAL = r"(?:Chr|Th|Ph|Ch|Joh|Wm|[A-ZÀ-ÖØ-Þ])\."
TOKEN = re.compile(
    rf"(?P<initials>{INITIAL}(?:\s?{INITIAL}){{0,3}})(?![^\W\d_])"
    r"|(?P<word>[^\W\d_]+(?:['’\-][^\W\d_]+)*)"
    r"|(?P<article>(?<![\w'’])['’]t)(?![\w'’])"
)
MAX_NAME_TOKENS = 8  # "Jan-Willem Gerard Maria van der Berg-de Vries" fits; a list of names ends
SENTENCE_END = frozenset('.!?:;\n"“(>*•-')
PLACE_WORDS = frozenset({"in", "naar", "uit", "te", "gemeente", "bij", "richting", "via", "rond"})
URL_HINTS = ("://", "www.", ".nl", ".com", ".org", ".eu", ".be", ".de", ".net", "WWW.", ".NL")
URL = re.compile(r"(?i)\b(?:https?://|www\.)\S+|\b[\w-]+\.(?:nl|com|org|eu|be|de|net)\b\S*")


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


def _interfix_run(text: str, toks: list[Token], i: int, lex: Lexicon) -> int:
    """How many tokens from ``i`` make one tussenvoegsel ("van der", "de", "el"), or 0."""
    best = 0
    for n in (1, 2, 3):
        run = toks[i : i + n]
        if len(run) < n or any(t.initials for t in run):
            break
        if n > 1 and not _adjacent(text, run[-2], run[-1]):
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


def _adjacent(text: str, a: Token, b: Token) -> bool:
    gap = text[a.end : b.start]
    return len(gap) <= 2 and gap.strip(" ") in ("", "-") and "\n" not in gap


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
        t = toks[i]
        if not (
            t.interfix
            or t.initials
            or t.strength == 2
            or (t.cap and not (t.strength == 0 and t.word))
        ) and (i == 0 or toks[i - 1].lower not in LAST_WORDS):
            i += 1  # no name and after no cue: most words ("ik", "Dank", "gemeente")
            continue
        cue = _cue_before(text, toks, i)
        chunk: list[Token] = []
        j = i
        # Leading tussenvoegsel: "de Boer", "van der Berg", "el Amrani".
        lead = _interfix_run(text, toks, i, lex) if t.interfix else 0
        chunk.extend(toks[i : i + lead])
        j = i + lead
        while j < len(toks) and j - i < MAX_NAME_TOKENS:
            u = toks[j]
            if chunk and not _adjacent(text, chunk[-1], u):
                break
            if u.interfix and not u.initials and chunk and len(chunk) > lead:
                # a tussenvoegsel inside a name needs a capitalised name after it
                k = j + _interfix_run(text, toks, j, lex)  # u is a tussenvoegsel
                after = toks[k] if k > j and k < len(toks) else None
                if (
                    after is not None
                    and _adjacent(text, toks[k - 1], after)
                    and not _stops(after)
                    and (
                        (after.cap and _is_core(after, lex, cue))
                        or (
                            not chunk[-1].cap
                            and not after.cap
                            and not after.initials
                            and (after.strength or not after.word)
                        )
                    )
                ):
                    # "van der Berg"; lowercase "jeroen de wit", "nguyen van thanh"
                    chunk.extend(toks[j : k + 1])
                    j = k + 1
                    continue
                break
            if chunk and len(chunk) > lead and chunk[-1].cap and not u.cap and not u.initials:
                break  # "Bakker kan niet": a lowercase word after a capitalised name
            if chunk and _stops(u):
                break
            if u.lower in lex.titles and not u.initials:
                break
            if not _is_core(u, lex, cue, inside=len(chunk) > lead):
                break
            chunk.append(u)
            j += 1
        while len(chunk) > lead and chunk[-1].interfix:
            chunk.pop()  # "Mike Koster van de": the tussenvoegsel belonged to what follows
            j -= 1
        core = [u for u in chunk[lead:] if not u.interfix]
        if not core:
            i = max(j, i + 1) if lead == 0 else i + 1
            continue
        if lead and (core[0].lower in lex.first_names and core[0].lower not in lex.surnames):
            chunk, lead = chunk[lead:], 0  # "de zoon van Mike Koster": "van" is not his
        span = chunk if lead and core[0].cap else chunk[lead:]
        whole = " ".join(t.lower for t in span)
        if (
            _organisation(toks, i, chunk)
            or whole in NON_PERSON_NAMES
            or " ".join(t.lower for t in core) in NON_PERSON_NAMES
            or span[-1].lower.endswith(STREET_WORDS)
            or _street_after(text, span[-1].end)
        ):
            i = j  # a shop, a brand or a street, not a person
            continue
        if not cue and (whole in lex.places or " ".join(t.lower for t in core) in lex.places):
            i = j  # "van Zeist", "De Bilt", "Den Haag": a place
            continue
        if _after_postcode(text, span[0].start):
            i = j  # "3481 LB Harmelen": the place of an address
            continue
        decision = _decide(text, span, core, lead > 0 and core[0].cap, cue, lex)
        if decision is not None:
            confidence, source = decision
            found.append((span[0].start, span[-1].end, "name", confidence, source))
            i = j
        else:
            i += 1
    return found + _coordinated(text, toks, found, lex)


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
    whole = " ".join(t.lower for t in span)
    first = core[0]
    initials = any(t.initials for t in span)
    names = [t for t in core if not t.initials]
    if initials and names and names[-1].cap:
        return 0.95, "name:initials"
    if not names:
        return None
    if len(names) == 1 and not cue:
        if first.lower in lex.places and not after_interfix:
            return None
        before = text[max(0, first.start - 12) : first.start].lower().split()
        if before and before[-1] in PLACE_WORDS and first.strength < 2:
            return None
    if cue == "title":
        return 0.95, "name:cue:title"
    if cue == "relation" and (
        first.strength == 2 or (first.cap and (first.strength or not first.word))
    ):
        return 0.9, "name:cue:relation"
    if cue in ("intro", "closing"):
        if first.cap and not (first.word and first.strength == 0 and len(names) == 1):
            return 0.9, f"name:cue:{cue}"
        if not first.cap and first.strength == 2:
            return 0.85, f"name:cue:{cue}"
        return None
    if (
        after_interfix
        and not span[0].cap
        and (
            ARTICLE_USE.search(text, max(0, span[0].start - 12), span[0].start)
            or OF_SOMETHING.match(text, span[-1].end)
        )
    ):
        return None  # "in de Wijk", "bij de Neude", "de Kamer van Koophandel"
    if (
        after_interfix
        and all(t.cap for t in names)
        and names[0].strength
        and not names[0].text.isupper()
        and whole not in lex.places
        and names[0].lower not in lex.places
    ):
        return 0.85, "name:tussenvoegsel"
    if len(names) >= 2 and all(t.cap for t in names):
        if any(t.strength == 2 for t in names):
            return 0.9, "name:lists"
        if len(span) > len(names) and all(t.strength for t in names) and not span[0].interfix:
            return 0.8, "name:tussenvoegsel"  # "Wil van Rijn", "Roos de Groot"
        if not any(t.word for t in names):
            return 0.6, "name:capitals"
        return None
    if (
        len(names) >= 2
        and any(t.strength == 2 for t in names)
        and (not any(t.word for t in names) or len(span) > len(names))
    ):
        return 0.75, "name:lists:lowercase"  # "jeroen de wit", "nguyen van thanh"
    t = names[0]
    if len(names) > 1:
        return None
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
