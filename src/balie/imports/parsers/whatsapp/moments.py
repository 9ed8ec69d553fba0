"""A header's date and time -> an aware datetime.

The header pattern cuts the stamp in two: ``upto_hour`` (the date up to the hour and its
separator, "15-01-2024 21:") and ``ms`` (minutes, and on iOS seconds: "05", "05:33"). The
start of each distinct hour is made once and kept in ``hours``; the minutes and seconds are
a ready timedelta from ``OFFSETS``, so a message costs two dictionary look-ups and one
addition. Adding less than an hour to the hour's start gives the same wall time, zone and
fold as ``replace(minute=…, second=…)``.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from balie.imports.parsers.base import ParseError

OFFSETS: dict[str, timedelta] = {}
for _m in range(60):
    OFFSETS[f"{_m:02}"] = timedelta(minutes=_m)
    for _s in range(60):
        for _sep in ":.":
            OFFSETS[f"{_m:02}{_sep}{_s:02}"] = timedelta(minutes=_m, seconds=_s)

_DAY = re.compile(r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}")
MAX_HOURS = 100_000  # hour starts kept; a chat rarely has more


class Moments:
    def __init__(self, order: str, zone: ZoneInfo, file_name: str):
        self.order, self.zone, self.file_name = order, zone, file_name
        self.hours: dict[str, datetime] = {}  # by upto_hour, with am/pm after it if any

    def at(self, upto_hour: str, ms: str, ampm: str | None, line: int) -> datetime:
        try:
            key = upto_hour if ampm is None else upto_hour + ampm
            start = self.hours.get(key) or self._start(upto_hour, ampm)
            return start + OFFSETS[ms]
        except (ValueError, KeyError):
            time = upto_hour.rpartition(" ")[2] + ms
            raise ParseError(
                self.file_name, f"line {line}",
                f"Not a valid date and time: {_date(upto_hour)} {time}.", "bad_timestamp",
            ) from None  # fmt: skip

    def _start(self, upto_hour: str, ampm: str | None) -> datetime:
        hour = upto_hour.rpartition(" ")[2]
        y, m, d = _ymd(_date(upto_hour), self.order)
        start = datetime(y, m, d, _hour(int(hour[:-1]), ampm), tzinfo=self.zone)
        if len(self.hours) >= MAX_HOURS:
            self.hours.clear()
        self.hours[upto_hour if ampm is None else upto_hour + ampm] = start
        return start


def _date(upto_hour: str) -> str:
    found = _DAY.match(upto_hour)
    return found.group() if found else upto_hour


@lru_cache(maxsize=4096)
def _ymd(value: str, order: str) -> tuple[int, int, int]:
    parts = [int(p) for p in re.split(r"[./-]", value)]
    if order == "dmy":
        d, m, y = parts
    elif order == "mdy":
        m, d, y = parts
    else:
        y, m, d = parts
    if y < 100:
        y += 2000
    return y, m, d


def _hour(hour: int, ampm: str | None) -> int:
    if ampm:
        if not 1 <= hour <= 12:
            raise ValueError("hour")
        return (hour % 12) + (12 if ampm.lower().startswith("p") else 0)
    return hour
