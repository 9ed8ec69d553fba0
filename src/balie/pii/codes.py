"""Codes and dates that identify a person: postcodes, Dutch licence plates (the 14 side
codes), ID-card, passport, driving-licence and V-numbers, IP addresses, dates of birth after a
cue, and the bare numbers that answer a question in the message before ("Wat is uw
V-nummer?"). Every finder takes the text and the lexicon and returns ``Found`` tuples.
"""

from __future__ import annotations

import datetime
import ipaddress
import re

from .lists import Lexicon
from .numbers import BSN_WORD, find_bsns
from .spans import Found
from .vocabulary import words

__all__ = [
    "DATE",
    "asked_for",
    "find_answers",
    "find_dates_of_birth",
    "find_id_numbers",
    "find_ip_addresses",
    "find_plates",
    "find_postcodes",
]

# -- cues -----------------------------------------------------------------------------------

DOB_CUE = re.compile(
    r"(?i)(?:\bgeboren\b|\bgeb\b\.?|\bgeb\.|\bgeboortedatum\b|\bgeb\.?\s?datum\b|"
    r"\bgeboortedag\b|\bdate of birth\b|\bdob\b|\bborn\b|\bgeboren op\b|"
    r"\b(?:is|ben|zijn|was) van\b|°|\bjarig op\b|\bverjaardag\b)[^.!?\n]{0,30}$"
)
ID_CUE = re.compile(
    r"(?i)\b(?:paspoort|passport|id[- ]?kaart|identiteitskaart|identiteitsbewijs|id|"
    r"documentnummer|document number|rijbewijs|rijbewijsnummer|driving licen[cs]e|"
    r"v-?nummer|v-?number|vreemdelingennummer|verblijfsvergunning|verblijfsdocument)\w*\b[^\n]{0,45}$"
)
PLATE_CUE = re.compile(
    r"(?i)\b(?:kenteken|kentekenplaat|nummerbord|auto|wagen|voertuig|camper|caravan|"
    r"aanhanger|aanhangwagen|bestelbus|vrachtwagen|brommer|bromfiets|"
    r"licen[cs]e plate|plate|parkeer\w*|bus|busje|scooter|motor)\b"
    r"[^\n]{0,30}$"
)

# -- postcodes ------------------------------------------------------------------------------

POSTCODE = re.compile(r"(?<![\w-])([1-9]\d{3})(\s?)([A-Za-z]{2})(?![\w-])")
POSTCODE_WORDS = words("""
en in is op om of te de ik je we ze al zo nu na af uw un ja nee he hé ok km cm mm kg gr pm am
st tm ca ct eu nl be uur jr vd
""")


def find_postcodes(text: str, lex: Lexicon) -> list[Found]:
    found = []
    for m in POSTCODE.finditer(text):
        letters = m.group(3)
        if letters.upper() in {"SA", "SD", "SS"}:
            continue
        if letters.lower() in POSTCODE_WORDS and not letters.isupper():
            continue  # "2024 en", "1500 op"
        found.append((m.start(), m.end(), "postcode", 0.9, "postcode:pattern"))
    return found


# -- licence plates -------------------------------------------------------------------------

# The side codes (sidecodes) of Dutch plates since 1951: L a letter group, D a digit group.
SIDE_CODES = frozenset(
    {
        "LL-DD-DD",
        "DD-DD-LL",
        "DD-LL-DD",
        "LL-DD-LL",
        "LL-LL-DD",
        "DD-LL-LL",
        "DD-LLL-D",
        "D-LLL-DD",
        "LL-DDD-L",
        "L-DDD-LL",
        "LLL-DD-L",
        "L-DD-LLL",
        "D-LL-DDD",
        "DDD-LL-D",
    }
)
PLATE = re.compile(
    r"(?<![\w-])([A-Za-z0-9]{1,3})([- ]?)([A-Za-z0-9]{2,3})(\2)([A-Za-z0-9]{1,3})"
    r"(?![\w-]|\.\d)"
)
RUNS = re.compile(r"[A-Za-z]+|\d+")
TIME_WORDS = frozenset({"uur", "min", "sec", "keer", "dag", "dgn", "mnd", "jaar", "jr", "wk", "km"})


def _shape(groups: list[str]) -> str:
    if any(not (g.isalpha() or g.isdigit()) for g in groups):
        return ""
    return "-".join(("L" if g.isalpha() else "D") * len(g) for g in groups)


def _unseparated(value: str) -> list[str] | None:
    """ "GZ123K" or "GZ4827": the side code whose groups fit the letters and digits."""
    if not RUNS.fullmatch(value) and len(RUNS.findall(value)) < 2:
        return None
    for code in SIDE_CODES:
        lengths = [len(g) for g in code.split("-")]
        groups = [
            value[: lengths[0]],
            value[lengths[0] : lengths[0] + lengths[1]],
            value[lengths[0] + lengths[1] :],
        ]
        if _shape(groups) == code:
            return groups
    return None


def find_plates(text: str, lex: Lexicon) -> list[Found]:
    found = []
    for m in PLATE.finditer(text):
        whole = m.group(0)
        bare = whole.replace("-", "").replace(" ", "")
        if len(bare) != 6 or bare.isalpha() or bare.isdigit():
            continue
        separator = m.group(2)
        if separator:
            groups = [m.group(1), m.group(3), m.group(5)]
            if _shape(groups) not in SIDE_CODES:
                continue
        else:
            groups = _unseparated(whole)
            if (
                groups is None
                or POSTCODE.fullmatch(whole)
                and not PLATE_CUE.search(text, max(0, m.start() - 40), m.start())
            ):
                continue  # "3511AB" is a postcode unless a cue says plate
        letters = "".join(g for g in groups if g.isalpha())
        cue = PLATE_CUE.search(text[max(0, m.start() - 40) : m.start()]) is not None
        if separator != "-" and not letters.isupper() and not cue:
            continue  # "9 uur 15" is a time; "GZ 123 K" and "gz-123-k" are plates
        if not letters.isupper() and letters.lower() in TIME_WORDS:
            continue
        confidence = 0.97 if cue or separator == "-" else 0.85
        found.append((m.start(), m.end(), "licence_plate", confidence, "licence_plate:side-code"))
    return found


# -- dates of birth -------------------------------------------------------------------------

MONTHS = (
    r"(?:januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|"
    r"november|december|jan|feb|febr|mrt|apr|jun|jul|aug|sep|sept|okt|nov|dec|"
    r"january|february|march|may|june|july|october)\.?"
)
DATE = re.compile(
    r"(?i)(?<![\w/.-])(?:\d{1,2}[-/.]\d{1,2}[-/.](?:\d{4}|\d{2})|\d{4}-\d{2}-\d{2}|"
    r"\d{1,2} \d{1,2} \d{4}|"
    r"\d{1,2}(?:e|ste|de)?\s" + MONTHS + r"\s(?:\d{4}|'\d{2}))(?![\w/]|[.-]\d)"
)


YEAR = re.compile(r"(\d{4})\D*$")
SHORT_YEAR = re.compile(r"^\d{1,2}[-/.]\d{1,2}[-/.](\d{2})$")
# a full date this old is, in a chat, a birth date
CUTOFF = datetime.datetime.now(datetime.UTC).year - 12


def find_dates_of_birth(text: str, lex: Lexicon) -> list[Found]:
    found = []
    for m in DATE.finditer(text):
        if DOB_CUE.search(text[max(0, m.start() - 45) : m.start()]):
            found.append((m.start(), m.end(), "date_of_birth", 0.9, "date_of_birth:cue"))
            continue
        year = YEAR.search(m.group(0)) or re.match(r"(\d{4})-", m.group(0))
        short = SHORT_YEAR.search(m.group(0)) if year is None else None
        if short and int(short.group(1)) > CUTOFF % 100 + 12:
            # "13-4-57": a two-digit year past this century's is the last century's
            found.append((m.start(), m.end(), "date_of_birth", 0.7, "date_of_birth:year"))
            continue
        if year and 1900 <= int(year.group(1)) <= CUTOFF:
            found.append((m.start(), m.end(), "date_of_birth", 0.7, "date_of_birth:year"))
    return found


# -- ID-card, passport, driving licence, V-number -------------------------------------------

DOCUMENT = re.compile(r"(?<![\w-])([A-NP-Za-np-z]{2}[A-NP-Za-np-z0-9]{6}\d)(?![\w-])")
TEN_DIGITS = re.compile(r"(?<![\w.,-])(\d(?:[ .]?\d){9})(?![\w]|[.,-]\d)")


def find_id_numbers(text: str, lex: Lexicon) -> list[Found]:
    found = []
    for m in DOCUMENT.finditer(text):
        number = m.group(1)
        cue = ID_CUE.search(text[max(0, m.start() - 60) : m.start()]) is not None
        digits = sum(c.isdigit() for c in number)
        if cue and digits >= 1:
            found.append((m.start(), m.end(), "id_number", 0.95, "id_number:document+cue"))
        elif number.isupper() and 2 <= digits <= 7 and number[:2].isalpha():
            found.append((m.start(), m.end(), "id_number", 0.7, "id_number:document"))
    for m in TEN_DIGITS.finditer(text):
        if ID_CUE.search(text[max(0, m.start() - 60) : m.start()]):
            found.append((m.start(), m.end(), "id_number", 0.9, "id_number:number+cue"))
    return found


# -- IP addresses ---------------------------------------------------------------------------

IPV4 = re.compile(r"(?<![\w.])(\d{1,3}(?:\.\d{1,3}){3})(?![\w]|\.\d)")
IPV6 = re.compile(r"(?i)(?<![\w:])((?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4})(?![\w:])")


def find_ip_addresses(text: str, lex: Lexicon) -> list[Found]:
    found = []
    if "." in text:
        for m in IPV4.finditer(text):
            try:
                address = ipaddress.IPv4Address(m.group(1))
            except ValueError:
                continue
            if text[m.end() : m.end() + 1] == "/" or address.is_unspecified:
                continue  # a range (10.20.0.0/16) is no one's
            # a private address (192.168.1.20) may still be someone's in a log: marked, lower
            confidence = 0.95 if address.is_global else 0.6
            found.append((m.start(), m.end(), "ip_address", confidence, "ip_address:ipv4"))
    if "::" in text or text.count(":") >= 3:
        for m in IPV6.finditer(text):
            value = m.group(1)
            if sum(c.isalnum() for c in value) < 4:
                continue
            try:
                address6 = ipaddress.IPv6Address(value)
            except ValueError:
                continue
            if not address6.is_global or text[m.end() : m.end() + 1] == "/":
                continue
            found.append((m.start(), m.end(), "ip_address", 0.95, "ip_address:ipv6"))
    return found


# -- answers to a question in the message before --------------------------------------------

ASKED = {
    "bsn": BSN_WORD,
    "id_number": re.compile(
        r"(?i)\b(?:v-?nummer|v-?number|vreemdelingennummer|rijbewijsnummer|rijbewijs|"
        r"documentnummer|paspoortnummer|document number|passport number|driving licen[cs]e)\b"
    ),
    "date_of_birth": re.compile(
        r"(?i)\b(?:geboortedatum|geboren|geb\.|date of birth|birth ?date|birthday|born)"
    ),
}
ANSWER_LENGTH = 200  # an answer to "Wat is uw V-nummer?" is short


ANY_ASKED = re.compile("|".join(f"(?P<{kind}>{p.pattern[4:]})" for kind, p in ASKED.items()), re.I)


def asked_for(question: str) -> frozenset[str]:
    """What a message asks for, so that a bare number in the answer after it is read as
    that: "Wat is uw V-nummer?" — "2938475610"."""
    return frozenset(m.lastgroup for m in ANY_ASKED.finditer(question) if m.lastgroup)


def find_answers(text: str, lex: Lexicon, asked: frozenset[str]) -> list[Found]:
    if not asked or len(text) > ANSWER_LENGTH:
        return []
    found: list[Found] = []
    if "bsn" in asked:
        found.extend(find_bsns(text, lex, asked=True))
    if "id_number" in asked:
        found.extend(
            (m.start(1), m.end(1), "id_number", 0.85, "id_number:number+question")
            for m in TEN_DIGITS.finditer(text)
        )
        found.extend(
            (m.start(1), m.end(1), "id_number", 0.85, "id_number:document+question")
            for m in DOCUMENT.finditer(text)
            if any(c.isdigit() for c in m.group(1))
        )
    if "date_of_birth" in asked:
        found.extend(
            (m.start(), m.end(), "date_of_birth", 0.85, "date_of_birth:question")
            for m in DATE.finditer(text)
        )
    return found
