"""The console's texts: every one in Dutch and English, and no key defined twice."""

from __future__ import annotations

from balie.web.console.records_strings import RECORDS_STRINGS
from balie.web.console.strings import GENERAL_STRINGS, LANGUAGES, STRINGS


def test_no_key_is_defined_in_two_modules():
    assert not GENERAL_STRINGS.keys() & RECORDS_STRINGS.keys()
    assert len(STRINGS) == len(GENERAL_STRINGS) + len(RECORDS_STRINGS)


def test_every_text_in_every_language():
    missing = [key for key, texts in STRINGS.items() if set(texts) != set(LANGUAGES)]
    assert missing == []
