"""Numbers that identify a person, each with the check that exists for it.

BSN (11-test, ``python-stdnum``), IBAN (mod-97 and the country's format, ``python-stdnum``),
phone numbers (``phonenumbers``: valid in their country's plan, Dutch numbers written from 0,
international ones from + or 00) and e-mail addresses. Every finder takes the text and the
lexicon and returns ``(start, end, category, confidence, source)`` tuples (:data:`Found`).
Codes, dates and the answers to a question are in :mod:`balie.pii.codes`.
"""

from __future__ import annotations

import re

import phonenumbers
from stdnum import iban as stdnum_iban
from stdnum.nl import bsn as stdnum_bsn

from .lists import Lexicon
from .spans import Found
from .vocabulary import GENERIC_MAILBOXES

__all__ = ["BSN_WORD", "find_bsns", "find_emails", "find_ibans", "find_phones"]

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


BSN_WORD = re.compile(r"(?i)\b(?:bsn|burgerservicenummer|burger service nummer|sofinummer)\b")
