"""PDF/A-2b through Typst: a template of ``templates/woo`` filled with JSON data.

PDF/A embeds every glyph it shows, and Typst's embedded fonts (no system fonts are used, so
the output is the same on every machine) lack emoji and some scripts (Chinese, Thai). Such
characters are shown as a placeholder — *[emoji]*, *[tekens in een ander schrift]* — and the
text as written stays in the archive. The data is printed as text, never read as markup.
"""

from __future__ import annotations

import datetime
import json
import re
import unicodedata
from pathlib import Path
from typing import Any

import typst

__all__ = ["compile_pdf"]

TEMPLATES = Path(__file__).parent / "templates" / "woo"
MAX_ATTEMPTS = 50
UNDISPLAYABLE = re.compile(r'the text `"(.+?)"` could not be displayed')
ESCAPED = re.compile(r"\\u\{([0-9a-fA-F]+)\}")
EMOJI_CATEGORIES = {"So", "Sk", "Cs", "Co", "Cn"}
JOINERS = {"\u200d", "\ufe0f", "\ufe0e"}
SCRIPTS_WITHOUT_FONT = ("CJK", "THAI", "HIRAGANA", "KATAKANA", "HANGUL", "ETHIOPIC", "LAO", "KHMER")


def compile_pdf(template: str, data: dict[str, Any], *, dated: datetime.date) -> bytes:
    """``template`` rendered with ``data`` as PDF/A-2b. The file's creation date is ``dated``
    (not the clock), so the same content gives the same bytes: a retried upload or a second
    download is byte for byte the file published before."""
    timestamp = int(datetime.datetime.combine(dated, datetime.time(), datetime.UTC).timestamp())
    unsupported: set[str] = set()
    for _attempt in range(MAX_ATTEMPTS):
        shown = _replace(data, unsupported) if unsupported else data
        try:
            return typst.compile(
                str(TEMPLATES / template),
                root=str(TEMPLATES),
                pdf_standards=["a-2b"],
                sys_inputs={"data": json.dumps(shown, ensure_ascii=False)},
                ignore_system_fonts=True,
                timestamp=timestamp,
            )
        except typst.TypstError as error:
            missing = UNDISPLAYABLE.search(str(error))
            if missing is None:
                raise
            reported = ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), missing.group(1))
            unsupported |= set(reported) | _likely_unsupported(data)
    raise RuntimeError("too many characters that no embedded font can display")


def _strings(value: Any):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _likely_unsupported(data: Any) -> set[str]:
    """Emoji and scripts the embedded fonts lack, found at once rather than one at a time."""
    found = set()
    for text in _strings(data):
        for ch in text:
            if ord(ch) < 0x0370:  # Latin and its diacritics: the fonts have them
                continue
            if (
                unicodedata.category(ch) in EMOJI_CATEGORIES
                or ch in JOINERS
                or unicodedata.name(ch, "").startswith(SCRIPTS_WITHOUT_FONT)
            ):
                found.add(ch)
    return found


def _replace(value: Any, unsupported: set[str]) -> Any:
    if isinstance(value, str):
        return _clean(value, unsupported)
    if isinstance(value, dict):
        return {key: _replace(item, unsupported) for key, item in value.items()}
    if isinstance(value, list):
        return [_replace(item, unsupported) for item in value]
    return value


def _clean(text: str, unsupported: set[str]) -> str:
    out, run = [], []
    for ch in text:
        if ch in unsupported:
            run.append(ch)
            continue
        if run:
            out.append(_placeholder(run))
            run = []
        out.append(ch)
    if run:
        out.append(_placeholder(run))
    return "".join(out)


def _placeholder(run: list[str]) -> str:
    if all(unicodedata.category(ch) in EMOJI_CATEGORIES or ch in JOINERS for ch in run):
        return "[emoji]"
    return "[tekens in een ander schrift]"
