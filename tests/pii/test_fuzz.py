"""Whatever the text, the detector answers: spans inside it, sorted, never overlapping."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from balie.pii import CATEGORIES, detect, detect_all

PIECES = [
    "mevrouw",
    "Bakker",
    "de",
    "van der",
    "J.",
    "ik ben",
    "groet,",
    "06-12345678",
    "+31 6",
    "111222333",
    "NL91 ABNA 0417 1643 00",
    "3511 AB",
    "Kerkstraat 12-3",
    "GZ-123-K",
    "geb.",
    "12-03-1985",
    "84.241.12.7",
    "::1",
    "@",
    "(at)",
    "kanker",
    "\n",
    " ",
    ",",
    ".",
    "-",
    "'s",
    "Ö",
    "ß",
    "ﬁ",
    "İ",
    "\u200e",
    "🙂",
    "0",
    "9",
    "jan",
    "14 030",
    "https://www.",
    ".nl",
]


def check(text, spans):
    last_end = 0
    for span in spans:
        assert 0 <= span.start < span.end <= len(text)
        assert span.start >= last_end  # sorted and not overlapping
        assert span.category in CATEGORIES
        assert 0 < span.confidence <= 1
        assert span.ground and span.source
        last_end = span.end


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_any_text(text):
    check(text, detect(text))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40))
def test_any_mix_of_personal_data_pieces(pieces):
    text = "".join(pieces)
    check(text, detect(text))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.sampled_from(PIECES), max_size=15).map(" ".join), max_size=6))
def test_any_request(texts):
    for text, spans in zip(texts, detect_all(texts), strict=True):
        check(text, spans)


@pytest.mark.parametrize(
    "text",
    [
        "J. " * 5000,  # initials without end: once quadratic
        "Jan " * 5000,
        "van de " * 3000,
        "1 " * 10000,
        "12-" * 5000,
        "NL91 " * 4000,
        "a." * 10000 + "@",
        "mevrouw " * 2000,
        "ik ben Jan de Vries, 06-12345678, NL91ABNA0417164300, 3511 AB " * 300,
    ],
    ids=lambda t: repr(t[:12]),
)
def test_long_hostile_texts_are_answered(text):
    check(text, detect(text))
