"""Street addresses: a street name and a house number with its suffix.

The street is one from the published street list (the longest that ends right before the
number: "Lange Nieuwstraat", "Stadsplateau") or a word with a Dutch street ending
("Kerkstraat", "Oudegracht", "Coolsingel") with the capitalised words before it that belong to
it ("Van Asch van Wijckstraat", "Burg. de Withstraat"). The number may carry every Dutch
suffix: "12-3", "12 hs", "14 bis", "45A", "8-II", "3 zw".
"""

from __future__ import annotations

import re

from .lists import Lexicon
from .spans import Found
from .vocabulary import STREET_SUFFIXES, STREET_WORDS, words

__all__ = ["find_addresses"]

NUMBER = re.compile(
    r"(?<![\w/.,:€$-])\d{1,5}"
    r"(?:\s?-\s?\d{1,4}|-?[A-Za-z](?![\w])|/\d{1,4}|\s?-\s?[A-Za-z]{1,3}(?![\w]))?"
    r"(?:\s(?:(?i:hs|h|bis|ter|bg|bv|huis|boven|bov|zwart|zw|rood|rd|[a-z]-bis|\d-hoog)|"
    r"[IV]{1,3}|[A-Za-z](?=[\s,.;:!?)]|$)|\d(?:e|ste)?\s?(?:hoog|hg|"
    r"verd(?:ieping)?|etage)|hg)(?![\w]))?"
    r"(?![\w]|[.,]\d|\s?(?:uur|min|km|m2|m²|euro|cm|kg|jaar|keer)\b|:\d|\s0\d{2,3}\b)"
)
WORD = re.compile(r"[^\W\d_][\w'’.\-]*")
# Words that begin a street's name before its capitalised part: "Burg. de Withstraat",
# "Lange Nieuwstraat", "Achter Sint Pieter".
LEADING = words("""
burg. burgemeester prof. dr. mr. st. sint van prins koning koningin graaf jhr. ds. pr. gen.
generaal admiraal prinses hertog hertogin gravin baron kapitein lange korte oude nieuwe hoge
lage kleine grote eerste tweede derde noord zuid oost west achter boven beneden binnen buiten
over willem jan johan hendrik karel
""")
STOP = frozenset(
    {
        "ik",
        "mijn",
        "wij",
        "we",
        "op",
        "in",
        "aan",
        "naar",
        "woon",
        "adres",
        "de",
        "het",
        "een",
        "bij",
        "nummer",
        "nr",
        "huisnummer",
        "is",
        "en",
        "of",
        "the",
        "at",
        "te",
        "uit",
        "via",
        "tot",
        "van",
    }
)
INSIDE = frozenset({"van", "de", "den", "der", "'t", "ter", "ten", "la", "le"})
SUFFIXES = tuple(sorted(STREET_SUFFIXES, key=len, reverse=True))
CLEAR_SUFFIXES = ("straat", "laan", "plein", "gracht", "kade", "singel", "steeg", "dreef")


def _has_suffix(word: str) -> bool:
    lower = word.lower().rstrip(".,")
    if not lower.endswith(SUFFIXES):
        return False
    return any(lower.endswith(s) and len(lower) > len(s) + 1 for s in SUFFIXES)


def _street_before(text: str, start: int, lex: Lexicon) -> int | None:
    """Where the street before the number at ``start`` begins, or None when there is none."""
    if start < 2 or text[start - 1] != " ":
        return None
    window_start = max(0, start - 80)
    words = [(m.start(), m.group(0)) for m in WORD.finditer(text, window_start, start - 1)]
    # only the words right before the number, in one run on one line
    run: list[tuple[int, str]] = []
    end = start - 1
    for pos, word in reversed(words):
        gap = text[pos + len(word) : end]
        if gap.strip(" ") or len(gap) > 1 and not run:
            break
        run.insert(0, (pos, word))
        end = pos
        if len(run) == 6:
            break
    if not run:
        return None
    # the longest street from the list, else a word with a street ending
    first, listed = None, False
    for k in range(len(run), 0, -1):
        candidate = " ".join(w for _, w in run[-k:]).lower()
        if candidate in lex.streets and (
            k > 1 or not lex.is_word(candidate) or run[-1][1][:1].isupper()
        ):
            if k == 1 and candidate in STREET_WORDS:  # "straat 5" alone is no address
                return None
            first = len(run) - k
            listed = True
            break
    if first is None:
        last = run[-1][1]
        if not _has_suffix(last):
            return None
        if (
            not last[:1].isupper()
            and lex.is_word(last.lower())
            and not last.lower().endswith(CLEAR_SUFFIXES)
        ):
            return None  # "onderweg 5 min", but "kerkstraat 5"
        if last.lower() in lex.places:
            return None  # "Rotterdam 14 010": a place, not a street
        first = len(run) - 1
    return run[_extend_left(run, first, listed, lex)][0]


def _extend_left(run: list[tuple[int, str]], first: int, listed: bool, lex: Lexicon) -> int:
    """Take the capitalised words before the street that belong to its name."""
    k = first - 1
    while k >= 0:
        lower = run[k][1].lower()
        if lower in INSIDE and k > 0:
            # "Burg. de Withstraat", "Van Asch van Wijckstraat": lowercase parts inside a name
            before = run[k - 1][1]
            if (before[:1].isupper() and before.lower() not in STOP) or before.lower() in LEADING:
                k -= 2
                first = k + 1
                continue
        word = run[k][1]
        if lower in STOP and not (lower == "van" and word[:1].isupper()):
            break
        if lower not in LEADING and (not word[:1].isupper() or lex.is_word(lower)):
            break  # "Klopt Steenweg 3": a capitalised word, not part of the street
        first = k
        k -= 1
    while (
        not listed
        and first < len(run) - 1
        and run[first][1].lower() in INSIDE
        and run[first][1].islower()
    ):
        first += 1  # a lowercase "de"/"van" does not start a street
    return first


def find_addresses(text: str, lex: Lexicon) -> list[Found]:
    found = []
    for m in NUMBER.finditer(text):
        begin = _street_before(text, m.start(), lex)
        if begin is not None:
            found.append((begin, m.end(), "address", 0.9, "address:street+number"))
    return found
