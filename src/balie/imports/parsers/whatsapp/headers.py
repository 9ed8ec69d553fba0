"""The line that starts a message: its patterns per platform, which platform a file is, and
the date order and clock read from every header of the file.

Each platform has three forms of one header pattern. ``detect`` finds a header at any line
start (``^``, for the first lines). ``split`` and ``dates`` start with the line break before
the header: a pattern that starts with a literal character is searched for that character
in C, several times faster than trying ``^`` at every position of a block. The header at a
piece's very start has no line break before it; ``start`` and ``start_dates`` match it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from balie.imports.parsers.base import Limits, ParseError
from balie.imports.parsers.whatsapp.export import Opener, blocks, texts

MARKS = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\ufeff"

_DATE = r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}"
_SPACE = "[ \u202f\u00a0]"
_AMPM = rf"(?:{_SPACE}?(?P<ap>[AaPp]\.?{_SPACE}?[Mm]\.?))?"
# (opening, between date and time, closing) of each platform's header
_FORMS = {
    "android": ("", ",?(?: à| um| a las)? ", " [-–] "),
    "ios": (r"\[", ",? ", r"\] "),
}


@dataclass(frozen=True)
class Layout:
    platform: str
    detect: re.Pattern[str]  # groups: d (date), t (time), ap
    split: re.Pattern[str]  # groups: upto_hour (date to the hour's ":"), ms, ap
    start: re.Pattern[str]  # as split, for a header at position 0 of a block
    dates: re.Pattern[str]  # groups: d, ap
    start_dates: re.Pattern[str]  # as dates, at position 0


def _layout(platform: str) -> Layout:
    opening, between, closing = _FORMS[platform]
    marks = f"[{MARKS}]*{opening}"
    stamp = rf"(?P<upto_hour>{_DATE}{between}\d{{1,2}}[:.])(?P<ms>\d{{2}}(?:[:.]\d{{2}})?)"
    only_date = rf"(?P<d>{_DATE}){between}\d{{1,2}}[:.]\d{{2}}(?:[:.]\d{{2}})?"
    detect = rf"(?P<d>{_DATE}){between}(?P<t>\d{{1,2}}[:.]\d{{2}}(?:[:.]\d{{2}})?)"
    return Layout(
        platform,
        detect=re.compile(f"^{marks}{detect}{_AMPM}{closing}", re.MULTILINE),
        split=re.compile(f"\n{marks}{stamp}{_AMPM}{closing}"),
        start=re.compile(f"{marks}{stamp}{_AMPM}{closing}"),
        dates=re.compile(f"\n{marks}{only_date}{_AMPM}{closing}"),
        start_dates=re.compile(f"{marks}{only_date}{_AMPM}{closing}"),
    )


ANDROID = _layout("android")
IOS = _layout("ios")


def detect(opener: Opener, file_name: str) -> Layout:
    with opener() as stream:
        head = stream.read(256 * 1024)
    text = head.decode("utf-8-sig", errors="replace")
    sample = "\n".join(text.splitlines()[:50])
    for layout in (IOS, ANDROID):
        if layout.detect.search(sample):
            return layout
    raise ParseError(
        file_name, "line 1", "This is not a WhatsApp chat export (no message found).",
        "not_whatsapp",
    )  # fmt: skip


def date_order(opener: Opener, layout: Layout, file_name: str, given: str | None):
    """(the date order, "12h" or "24h"), from every header of the file."""
    seen: set[tuple[str, str]] = set()  # (date, am/pm) of the headers, made in C
    for data, line, first in blocks(opener, file_name, Limits(max_line_chars=10**9)):
        for text in texts(data, line, first, file_name):
            seen.update(layout.dates.findall(text))
            opening = layout.start_dates.match(text)
            if opening:
                seen.add((opening["d"], opening["ap"] or ""))
    clock = "12h" if any(ampm for _day, ampm in seen) else "24h"
    if given:
        return given, clock
    return _order({day for day, _ampm in seen}, file_name), clock


def _order(dates: set[str], file_name: str) -> str:
    first_big = second_big = year_first = False
    for value in dates:
        a, b, _c = re.split(r"[./-]", value)
        if len(a) == 4:
            year_first = True
        elif int(a) > 12:
            first_big = True
        elif int(b) > 12:
            second_big = True
    if year_first:
        return "ymd"
    if first_big and not second_big:
        return "dmy"
    if second_big and not first_big:
        return "mdy"
    raise ParseError(
        file_name,
        "-",
        "The date order cannot be told from the dates (all days are 12 or less): give it "
        "(dmy, mdy or ymd)." if not (first_big and second_big) else
        "The dates contradict each other (both day-month and month-day).",
        "ambiguous_date_order",
    )  # fmt: skip
