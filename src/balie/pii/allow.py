"""The organisation's allow-list: its own contact data and public office holders stay readable.

A span is kept readable when it lies inside an allowed text or URL, when it is one of the
organisation's phone numbers (compared as numbers, whatever the notation), e-mail addresses or
street addresses (compared without case and spacing), or when it names a public office holder
on the list ("burgemeester Dijksma", "S. Dijksma", "Sharon Dijksma").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers

from .context import Context

__all__ = ["Allowed", "allowed_for"]

MUNICIPAL = re.compile(r"^\s*14\s?0?\d{2,3}\s*$")  # "14 030": a municipality's own number


def phone_key(text: str) -> str:
    """A phone number as digits in international form, for comparing notations."""
    cleaned = re.sub(r"\(\s*0\s*\)", "", text).strip()
    if cleaned.startswith("00"):
        cleaned = "+" + cleaned[2:]
    try:
        number = phonenumbers.parse(cleaned, "NL")
    except phonenumbers.NumberParseException:
        return re.sub(r"\D", "", text)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _squash(text: str) -> str:
    return re.sub(r"[\s.,]+", " ", text.lower()).strip()


@dataclass(frozen=True, slots=True)
class Allowed:
    phones: frozenset[str]
    emails: frozenset[str]
    addresses: frozenset[str]
    names: tuple[tuple[str, str], ...]  # (first name or "", surname), lowercase
    texts: tuple[str, ...]  # exact texts and URLs, lowercase

    def regions(self, text: str) -> list[tuple[int, int]]:
        if not self.texts:
            return []
        lower = text.lower()
        out = []
        for item in self.texts:
            start = lower.find(item)
            while start != -1:
                out.append((start, start + len(item)))
                start = lower.find(item, start + 1)
        return out

    def keeps(self, category: str, value: str) -> bool:
        if category == "phone":
            return bool(self.phones) and phone_key(value) in self.phones
        if category == "email":
            address = value.lower().replace("(at)", "@").replace(" ", "")
            return bool(self.emails) and address in self.emails
        if category == "address":
            return bool(self.addresses) and _squash(value) in self.addresses
        if category == "name":
            return bool(self.names) and self._is_office_holder(value)
        return False

    def _is_office_holder(self, value: str) -> bool:
        words = [w for w in re.split(r"[\s.]+", value.lower()) if w]
        if not words:
            return False
        for first, surname in self.names:
            if value.lower().endswith(surname):
                rest = value.lower()[: -len(surname)].strip(" .")
                if (
                    not rest
                    or not first
                    or first.startswith(rest[:1])
                    and (len(rest) <= 2 or first.startswith(rest))
                ):
                    return True
            elif first and value.lower() == first:
                continue
        return False


@lru_cache(maxsize=64)
def _build(
    phones: tuple[str, ...],
    emails: tuple[str, ...],
    addresses: tuple[str, ...],
    names: tuple[str, ...],
    texts: tuple[str, ...],
) -> Allowed:
    people = []
    for name in names:
        parts = name.split()
        # "Sharon Dijksma" -> ("sharon", "dijksma"); "Femke Halsema-de Vries" keeps the rest
        first = parts[0].lower() if len(parts) > 1 else ""
        surname = " ".join(parts[1:]).lower() if len(parts) > 1 else name.lower()
        people.append((first, surname))
        # the surname alone without its tussenvoegsel ("Van der Berg" -> "berg") too
        bare = surname.split()[-1]
        if bare != surname:
            people.append((first, bare))
    return Allowed(
        phones=frozenset(phone_key(p) for p in phones),
        emails=frozenset(e.lower() for e in emails),
        addresses=frozenset(_squash(a) for a in addresses),
        names=tuple(people),
        texts=tuple(t.lower() for t in (*texts, *addresses, *emails) if len(t) >= 3),
    )


def allowed_for(context: Context) -> Allowed:
    allow = context.allow
    return _build(
        tuple(allow.get("phones", ())),
        tuple(allow.get("emails", ())),
        tuple(allow.get("addresses", ())),
        tuple(allow.get("names", ())),
        tuple((*allow.get("texts", ()), *allow.get("urls", ()))),
    )


def is_municipal_number(value: str) -> bool:
    return bool(MUNICIPAL.match(value))
