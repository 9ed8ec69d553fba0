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

# digits in other scripts as ASCII ones, the marks left out
_ASCII = {mark: None for mark in map(ord, MARKS)} | {
    zero + n: ord("0") + n
    for zero in (0x0660, 0x06F0, 0x0966, 0x09E6, 0x0E50, 0xFF10)  # Arabic-Indic, Persian,
    for n in range(10)  # Devanagari, Bengali, Thai, full width
}


def ascii_digits(text: str) -> str:
    return text.translate(_ASCII)


# \d is any decimal digit: Arabic-Indic (٠-٩) and Persian (۰-۹) too. The "wide" layouts
# also take U+200F after a date's fields ("١٥‏/١‏/٢٠٢٤"), a space (Czech "15. 1. 2024") and
# the Arabic comma; they are chosen only when the file needs them, as each optional
# character costs the split pattern time at every line.
_DATE = r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}"
_SEP_WIDE = "[\u200e\u200f]?[./-][ \u200e\u200f]?"
_DATE_WIDE = rf"\d{{1,4}}{_SEP_WIDE}\d{{1,2}}{_SEP_WIDE}\d{{1,4}}"
_SPACE = "[ \u202f\u00a0]"
# a. m. / p. m. / AM / pm, and the words WhatsApp writes after the time in other languages
AMPM_WORDS = "午前|午後|오전|오후|上午|下午|ص|م|SA|CH"
# (the look-ahead fails at once on the " - " after a 24-hour time)
_AP = rf"(?=[AaPp午오上下صمSC])(?:[AaPp]\.?{_SPACE}?[Mm]\.?|{AMPM_WORDS})"
_AMPM = rf"(?:{_SPACE}?(?P<ap>{_AP}))?"
_TIME = r"\d{1,2}[:.]\d{2}(?:[:.]\d{2})?"
# (opening, between date and time, closing) of each layout's header
_FORMS = {
    "android": ("", ",?(?: à| um| a las| klo)? ", " [-–] "),
    "ios": (r"\[", ",? ", r"\] "),
    "ios-old": ("", ",? ", ": "),  # iOS before 2017: "7/1/16, 4:56:55 PM: Jan: …"
}
# Japanese and Chinese write the am/pm word before the hour: "[2024/01/15 午後9:05:33]"
_BETWEEN_WIDE = "[,،]?[\u200f]?(?: à| um| a las| klo)? (?:午前|午後|上午|下午|오전|오후)?"


@dataclass(frozen=True)
class Layout:
    name: str
    platform: str
    detect: re.Pattern[str]  # groups: d (date), t (time), ap
    split: re.Pattern[str]  # groups: upto_hour (date to the hour's ":"), ms, ap
    start: re.Pattern[str]  # as split, for a header at position 0 of a block
    dates: re.Pattern[str]  # groups: d, ap (time first: ap, d)
    start_dates: re.Pattern[str]  # as dates, at position 0
    time_first: bool = False  # "[14:56:01, 3/18/22]": upto_hour holds the whole stamp


def _layout(name: str, wide: bool = False) -> Layout:
    opening, between, closing = _FORMS[name]
    _date = _DATE_WIDE if wide else _DATE
    between = _BETWEEN_WIDE if wide else between
    marks = f"[{MARKS}]*{opening}"
    minutes = r"\d{2}[:.]\d{2}" if name == "ios-old" else r"\d{2}(?:[:.]\d{2})?"
    stamp = rf"(?P<upto_hour>{_date}{between}\d{{1,2}}[:.])(?P<ms>{minutes})"
    only_date = rf"(?P<d>{_date}){between}\d{{1,2}}[:.]{minutes}"
    detect = rf"(?P<d>{_date}){between}(?P<t>\d{{1,2}}[:.]{minutes})"
    return Layout(
        f"{name}-wide" if wide else name,
        "android" if name == "android" else "ios",
        detect=re.compile(f"^{marks}{detect}{_AMPM}{closing}", re.MULTILINE),
        split=re.compile(f"\n{marks}{stamp}{_AMPM}{closing}"),
        start=re.compile(f"{marks}{stamp}{_AMPM}{closing}"),
        dates=re.compile(f"\n{marks}{only_date}{_AMPM}{closing}"),
        start_dates=re.compile(f"{marks}{only_date}{_AMPM}{closing}"),
    )


def _time_first() -> Layout:
    """iOS with the time before the date: "[14:56:01, 3/18/22] Jan: …"."""
    marks = f"[{MARKS}]*\\["
    ap = rf"(?:{_SPACE}?(?:{_AP}))?"
    stamp = rf"(?P<upto_hour>{_TIME}{ap}[,،]? {_DATE_WIDE})(?P<ms>)(?P<ap>)"
    dates = rf"{_TIME}{_AMPM}[,،]? (?P<d>{_DATE_WIDE})"
    detect = rf"(?P<t>{_TIME}){_AMPM}[,،]? (?P<d>{_DATE_WIDE})"
    return Layout(
        "ios-time-first",
        "ios",
        detect=re.compile(f"^{marks}{detect}\\] ", re.MULTILINE),
        split=re.compile(f"\n{marks}{stamp}\\] "),
        start=re.compile(f"{marks}{stamp}\\] "),
        dates=re.compile(f"\n{marks}{dates}\\] "),
        start_dates=re.compile(f"{marks}{dates}\\] "),
        time_first=True,
    )


ANDROID = _layout("android")
IOS = _layout("ios")
IOS_OLD = _layout("ios-old")
IOS_TIME_FIRST = _time_first()
# in the order a tie is decided in: the plain forms before the wide ones
LAYOUTS = (IOS, ANDROID, IOS_TIME_FIRST, IOS_OLD, _layout("ios", wide=True),
           _layout("android", wide=True), _layout("ios-old", wide=True))  # fmt: skip
# a line that starts like a date and a time, in a layout none of the above reads
_STAMP_LIKE = re.compile(
    rf"^[{MARKS}\[(]*\d{{1,4}}\D{{1,3}}\d{{1,2}}\D.{{0,40}}?\d{{1,2}}[:.]\d{{2}}"
)


def detect(opener: Opener, file_name: str) -> Layout:
    """The layout most of the first 50 lines are in, or a ParseError that says why none."""
    with opener() as stream:
        head = stream.read(256 * 1024)
    text = head.decode("utf-8-sig", errors="replace")
    lines = text.splitlines()[:50]
    sample = "\n".join(lines)
    counts = [(len(layout.detect.findall(sample)), layout) for layout in LAYOUTS]
    best = max(counts, key=lambda count: count[0])
    if best[0]:
        return best[1]
    for number, line in enumerate(lines, start=1):
        if stamp := _STAMP_LIKE.match(line):  # its date and time only: no name, no words
            raise ParseError(
                file_name, f"line {number}",
                f"This date and time layout is not supported: {stamp.group().strip(MARKS)!r}.",
                "unsupported_layout",
            )  # fmt: skip
    raise ParseError(file_name, "line 1", "This is not a WhatsApp export.", "not_whatsapp")


def date_order(opener: Opener, layout: Layout, file_name: str, given: str | None):
    """(the date order, "12h" or "24h"), from every header of the file."""
    seen: set[tuple[str, str]] = set()  # (date, am/pm) of the headers, made in C
    for data, line, first in blocks(opener, file_name, Limits(max_line_chars=10**9)):
        for text in texts(data, line, first, file_name):
            found = layout.dates.findall(text)
            if layout.time_first:
                found = [(d, ap) for ap, d in found]
            seen.update(found)
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
        a, b, _c = re.split(r"[./-]", ascii_digits(value))
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
