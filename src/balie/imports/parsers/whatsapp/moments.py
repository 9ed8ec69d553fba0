"""A header's date and time -> an aware datetime.

The header pattern cuts the stamp in two: ``upto_hour`` (the date up to the hour and its
separator, "15-01-2024 21:") and ``ms`` (minutes, and on iOS seconds: "05", "05:33"). The
start of each distinct hour is made once and kept in ``hours``; the minutes and seconds are
a ready timedelta from ``OFFSETS``, so a message costs two dictionary look-ups and one
addition. Adding less than an hour to the hour's start gives the same wall time, zone and
fold as ``replace(minute=…, second=…)``.

Other scripts' digits (Arabic-Indic, Persian, …) and the marks between a date's fields are
read as ASCII digits; a Thai Buddhist year (2567) as the Gregorian one (2024). With the time
before the date (``Layout.time_first``), ``upto_hour`` holds the whole stamp and ``ms`` is
empty: each distinct stamp is made once.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from balie.imports.parsers.base import ParseError
from balie.imports.parsers.whatsapp.headers import AMPM_WORDS, ascii_digits

OFFSETS: dict[str, timedelta] = {"": timedelta(0)}
for _m in range(60):
    OFFSETS[f"{_m:02}"] = timedelta(minutes=_m)
    for _s in range(60):
        for _sep in ":.":
            OFFSETS[f"{_m:02}{_sep}{_s:02}"] = timedelta(minutes=_m, seconds=_s)

_DAY = re.compile(r"\d{1,4}[./-] ?\d{1,2}[./-] ?\d{1,4}")
_TIME_FIRST = re.compile(
    rf"(?P<h>\d{{1,2}})[:.](?P<ms>\d{{2}}(?:[:.]\d{{2}})?)[ \u202f\u00a0]?"
    rf"(?P<ap>[AaPp]\.?[ \u202f\u00a0]?[Mm]\.?|{AMPM_WORDS})?[,،]? (?P<d>\S+)$"
)
PM_WORDS = frozenset({"午後", "오후", "下午", "م", "CH"})
MAX_HOURS = 100_000  # hour starts kept; a chat rarely has more


class Moments:
    def __init__(self, order: str, zone: ZoneInfo, file_name: str, time_first: bool = False):
        self.order, self.zone, self.file_name = order, zone, file_name
        self.time_first = time_first
        self.hours: dict[str, datetime] = {}  # by upto_hour, with am/pm after it if any

    def at(self, upto_hour: str, ms: str, ampm: str | None, line: int) -> datetime:
        try:
            key = upto_hour if ampm is None else upto_hour + ampm
            start = self.hours.get(key) or self._start(upto_hour, ampm)
            return start + (OFFSETS[ms] if ms in OFFSETS else OFFSETS[ascii_digits(ms)])
        except (ValueError, KeyError):
            time = upto_hour.rpartition(" ")[2] + ms
            raise ParseError(
                self.file_name, f"line {line}",
                f"Not a valid date and time: {_date(upto_hour)} {time}.", "bad_timestamp",
            ) from None  # fmt: skip

    def _start(self, upto_hour: str, ampm: str | None) -> datetime:
        if self.time_first:
            return self._stamp(upto_hour)
        clean = upto_hour if upto_hour.isascii() else ascii_digits(upto_hour)
        hour = clean.rpartition(" ")[2]
        if not hour[0].isdigit():  # "午後9:": the am/pm word before the hour
            ampm, hour = hour[:2], hour[2:]
        y, m, d = _ymd(_date(clean), self.order)
        start = datetime(y, m, d, _hour(int(hour[:-1]), ampm), tzinfo=self.zone)
        if len(self.hours) >= MAX_HOURS:
            self.hours.clear()
        self.hours[upto_hour if ampm is None else upto_hour + ampm] = start
        return start

    def _stamp(self, stamp: str) -> datetime:
        """A whole stamp with the time first: "2:56:01 PM, 3/18/22"."""
        found = _TIME_FIRST.match(ascii_digits(stamp))
        if not found:
            raise ValueError("stamp")
        y, m, d = _ymd(found["d"], self.order)
        hour = _hour(int(found["h"]), found["ap"])
        moment = datetime(y, m, d, hour, tzinfo=self.zone) + OFFSETS[found["ms"]]
        if len(self.hours) >= MAX_HOURS:
            self.hours.clear()
        self.hours[stamp] = moment
        return moment


def _date(upto_hour: str) -> str:
    found = _DAY.match(upto_hour)
    return found.group() if found else upto_hour


@lru_cache(maxsize=4096)
def _ymd(value: str, order: str) -> tuple[int, int, int]:
    parts = [int(p) for p in re.split(r"[./-]", value)]  # int() takes " 1" too
    if order == "dmy":
        d, m, y = parts
    elif order == "mdy":
        m, d, y = parts
    else:
        y, m, d = parts
    if y < 100:
        y += 2000
    elif y > 2400:  # the Thai Buddhist era
        y -= 543
    return y, m, d


def _hour(hour: int, ampm: str | None) -> int:
    if ampm:
        if not 0 <= hour <= 12:  # "0:24 PM" and "00:04 AM" are written too
            raise ValueError("hour")
        pm = ampm[0] in "Pp" or ampm in PM_WORDS
        return (hour % 12) + (12 if pm else 0)
    return hour
