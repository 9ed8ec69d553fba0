"""Numbers and codes that identify a person, each with the check that exists for it.

BSN (11-test, ``python-stdnum``), IBAN (mod-97, ``python-stdnum``), phone numbers
(``phonenumbers``: valid in their country's plan, Dutch numbers written from 0, international
ones from + or 00), postcodes, Dutch licence plates (the 14 side codes), ID-card, passport and
driving-licence numbers, IP addresses, dates of birth after a cue, e-mail addresses. Every
finder takes the text and returns ``(start, end, category, confidence, source)`` tuples.
"""

from __future__ import annotations

import datetime
import ipaddress
import re

import phonenumbers
from stdnum import iban as stdnum_iban
from stdnum.nl import bsn as stdnum_bsn

from .lists import Lexicon
from .vocabulary import GENERIC_MAILBOXES, words

__all__ = ["FINDERS", "Found"]

Found = tuple[int, int, str, float, str]

# -- cues -----------------------------------------------------------------------------------

BSN_CUE = re.compile(
    r"(?i)\b(?:bsn|burger\s?service\s?nummer|sofi(?:nummer)?|sofinr|"
    r"persoonsnummer|citizen service number)\b[^0-9\n]{0,25}$"
)
NOT_BSN_CUE = re.compile(
    r"(?i)\b(?:kvk|kamer van koophandel|zaak|zaaknummer|zaaknr|kenmerk|order|ordernummer|"
    r"factuur|factuurnummer|factuurnr|klant|klantnummer|klantnr|dossier|dossiernummer|ref|"
    r"referentie|btw|polis|polisnummer|relatienummer|aanslag|aanslagnummer|objectnummer|"
    r"woz|vergunning|registratienummer|ticket|melding|meldingsnummer|pakket|track|"
    r"verzekering|contract|contractnummer|abonnement|pas|pasnummer|rekening|lidnummer|"
    r"aanvraag|aanvraagnummer|bestelling|bestelnummer|nummer van de zaak|vin|serienummer|"
    r"transactie|betalingskenmerk|ean|zending|rijbewijs|paspoort|document|v-nummer|"
    r"vreemdelingennummer|kaartnummer|kaart)\w*\b[^0-9\n]{0,20}$"
)
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

# -- e-mail ---------------------------------------------------------------------------------

EMAIL = re.compile(
    r"(?<![\w.+-])([\w.+-]{1,64})\s?(?:@|\(at\)|\[at\]|\{at\})\s?"
    r"((?:[\w-]{1,63}\.)+[a-zA-Z]{2,24})(?![\w-])"
)


def find_emails(text: str, lex: Lexicon) -> list[Found]:
    if "@" not in text and "at)" not in text and "at]" not in text and "at}" not in text:
        return []
    found = []
    for m in EMAIL.finditer(text):
        local = m.group(1).strip(".").lower()
        if (
            not local
            or local in GENERIC_MAILBOXES
            or (lex.is_word(local) and not lex.is_name(local))
        ):
            continue  # info@, handhaving@: an organisation's mailbox
        found.append((m.start(), m.end(), "email", 0.99, "email:pattern"))
    return found


# -- IBAN -----------------------------------------------------------------------------------

IBAN = re.compile(r"(?i)(?<![\w-])([a-z]{2}[ -]?\d{2}(?:[ -]?[a-z0-9]){11,30})(?![\w])")
SEPARATORS = re.compile(r"[ -]")


def _mod97(compact: str) -> bool:
    """The IBAN check alone, cheap, before stdnum's full check of the country's format."""
    moved = (compact[4:] + compact[:4]).upper()
    if not moved.isalnum() or not moved.isascii():
        return False
    return int("".join(str(int(c, 36)) for c in moved)) % 97 == 1


def find_ibans(text: str, lex: Lexicon) -> list[Found]:
    found = []
    for m in IBAN.finditer(text):
        candidate = m.group(1)
        # The pattern may take a following short word ("... 00 op"): shorten until valid.
        while len(SEPARATORS.sub("", candidate)) >= 15:
            compact = SEPARATORS.sub("", candidate)
            # mod-97 and the country's length and format; not its own national check digits
            if _mod97(compact) and stdnum_iban.is_valid(compact.upper(), check_country=False):
                start = m.start(1)
                found.append((start, start + len(candidate), "iban", 0.99, "iban:mod97"))
                break
            candidate = candidate[:-1].rstrip(" -")
    return found


# -- phone numbers --------------------------------------------------------------------------

PHONE = re.compile(r"(?<![\w+/.,])((?:\+|00)?\(?\d[\d \t().\-–/]{5,24}\d)(?![\w]|[.,]\d)")
NOT_PERSONAL_TYPES = {
    phonenumbers.PhoneNumberType.TOLL_FREE,
    phonenumbers.PhoneNumberType.PREMIUM_RATE,
    phonenumbers.PhoneNumberType.SHARED_COST,
}


def _valid_phone(candidate: str) -> bool:
    digits = re.sub(r"\D", "", candidate)
    international = candidate.startswith(("+", "00"))
    if not international and not (digits.startswith("0") and len(digits) == 10):
        return False
    if international:
        candidate = re.sub(r"\(\s*0\s*\)", "", candidate)
        if candidate.startswith("00"):
            candidate = "+" + candidate[2:]
    try:
        number = phonenumbers.parse(candidate, "NL")
    except phonenumbers.NumberParseException:
        return False
    # An international number needs only to be possible in its country's plan (a plan may
    # be newer than the library's data); a Dutch one must be valid.
    if international and number.country_code != 31:
        return (
            phonenumbers.is_possible_number(number)
            and phonenumbers.region_code_for_number(number) is not None
        )
    return (
        phonenumbers.is_valid_number(number)
        and phonenumbers.number_type(number) not in NOT_PERSONAL_TYPES
    )


GROUP = re.compile(r"[^\s]+")


def find_phones(text: str, lex: Lexicon) -> list[Found]:
    found = []
    for m in PHONE.finditer(text):
        chunk = m.group(1)
        base = m.start(1)
        # Several numbers (or a number and a date) may run together: take the longest valid
        # run of whitespace-separated groups from each starting group.
        groups = [(g.start(), g.end()) for g in GROUP.finditer(chunk)]
        i = 0
        while i < len(groups):
            for j in range(len(groups), i, -1):
                piece = chunk[groups[i][0] : groups[j - 1][1]].strip("-–/.)( ")
                if piece.startswith("(") or chunk[groups[i][0]] == "(":
                    piece = chunk[groups[i][0] : groups[j - 1][1]].rstrip("-–/. ")
                if _valid_phone(piece):
                    start = base + groups[i][0] + chunk[groups[i][0] :].index(piece)
                    found.append((start, start + len(piece), "phone", 0.97, "phone:numbering-plan"))
                    i = j - 1
                    break
            i += 1
    return found


# -- BSN ------------------------------------------------------------------------------------

BSN = re.compile(r"(?<![\w.,/-])(\d(?:[ .\-]?\d){7,8})(?![\w]|[.,/-]\d)")
DATE_LIKE = re.compile(r"^\d{1,2}[-./]\d{1,2}[-./]\d{2,4}$")


def find_bsns(text: str, lex: Lexicon, asked: bool = False) -> list[Found]:
    """``asked``: the message before asked for a BSN ("Wat is uw BSN?")."""
    found = []
    about_bsn = asked or BSN_WORD.search(text) is not None
    for m in BSN.finditer(text):
        candidate = m.group(1)
        if DATE_LIKE.match(candidate):
            continue
        digits = re.sub(r"\D", "", candidate)
        before = text[max(0, m.start() - 40) : m.start()]
        cue = BSN_CUE.search(before) is not None
        if len(digits) == 8:
            # eight digits are a KvK, order or date number unless the message is about BSNs
            if not (cue or about_bsn) or NOT_BSN_CUE.search(before):
                continue
            digits = "0" + digits
        if not stdnum_bsn.is_valid(digits):
            continue
        if cue:
            found.append((m.start(1), m.end(1), "bsn", 0.99, "bsn:elfproef+cue"))
        elif asked and NOT_BSN_CUE.search(before) is None:
            found.append((m.start(1), m.end(1), "bsn", 0.95, "bsn:elfproef+question"))
        elif NOT_BSN_CUE.search(before) is None:
            found.append((m.start(1), m.end(1), "bsn", 0.8, "bsn:elfproef"))
    return found


# -- answers to a question in the message before --------------------------------------------

BSN_WORD = re.compile(r"(?i)\b(?:bsn|burgerservicenummer|burger service nummer|sofinummer)\b")
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
