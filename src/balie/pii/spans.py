"""What the detector finds: a :class:`Span` of personal data, its category and its Woo ground."""

from __future__ import annotations

from typing import Any, NamedTuple

__all__ = ["CATEGORIES", "DEFAULT_GROUNDS", "SPECIAL", "Found", "Span"]

# The categories, in the order the guide and the evaluation print them.
CATEGORIES: tuple[str, ...] = (
    "name",
    "bsn",
    "phone",
    "email",
    "iban",
    "postcode",
    "address",
    "licence_plate",
    "date_of_birth",
    "id_number",
    "ip_address",
    "special",
)

# What a finder proposes: (start, end, category, confidence, source); the detector settles
# overlaps and the allow-list and makes the Span with its ground.
Found = tuple[int, int, str, float, str]

SPECIAL = "special"  # bijzondere persoonsgegevens and criminal data: art. 9 and 10 GDPR

# Woo grounds (Wet open overheid, art. 5.1): the BSN is an absolute ground (5.1.1e), special
# personal data too (5.1.1d); all other personal data is weighed under privacy (5.1.2e). An
# organisation may set its own per category (context ``grounds``).
DEFAULT_GROUNDS: dict[str, str] = {category: "5.1.2e" for category in CATEGORIES}
DEFAULT_GROUNDS["bsn"] = "5.1.1e"
DEFAULT_GROUNDS[SPECIAL] = "5.1.1d"


class Span(NamedTuple):
    """Personal data at ``text[start:end]``.

    ``source`` names the rule or list that found it, for the reviewer's "why is this marked"
    (``bsn:elfproef``, ``name:first-names+surnames``, ``name:cue:mevrouw``, ``repeat:name`` …;
    the guide lists them all). ``confidence`` is the rule's own estimate, 0–1. Immutable (a
    named tuple: cheap to make for every span of a large request).
    """

    start: int
    end: int
    category: str
    confidence: float
    source: str
    ground: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "category": self.category,
            "confidence": self.confidence,
            "ground": self.ground,
            "source": self.source,
        }
