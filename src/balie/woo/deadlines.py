"""The legal deadlines of a Woo request, counted as the Awb and the Algemene termijnenwet do.

The decision is due four weeks after the day of receipt (Woo 4.4 lid 1; the day of receipt is
not counted), plus the days the term was suspended (opschorting, Awb 4:15), plus an extension
(verdaging) of at most two weeks (Woo 4.4 lid 2). A term that ends on a Saturday, a Sunday or
an algemeen erkende feestdag runs on to the next day that is none of these (Algemene
termijnenwet art. 1): New Year's Day, Good Friday, Easter Monday, King's Day, 5 May, Ascension
Day, Whit Monday and both Christmas days (art. 3), and the days the three-yearly decrees
equate to them — the Friday after Ascension Day, the Monday before New Year's Day, King's Day,
5 May and Christmas Day when these fall on a Tuesday, the Friday after New Year's Day, King's
Day, 5 May and Boxing Day when these fall on a Thursday.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

import holidays

__all__ = ["DECISION_TERM", "MAX_EXTENSION", "Deadline", "decision_deadline", "is_day_off"]

DECISION_TERM = datetime.timedelta(weeks=4)
MAX_EXTENSION = 14  # days: "ten hoogste twee weken"
ONE_DAY = datetime.timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Deadline:
    due: datetime.date | None  # None while a suspension is open
    term_end: datetime.date  # four weeks after receipt, before anything else
    suspended_days: int
    extension_days: int
    moved_from: datetime.date | None  # the day it fell on when the Atw moved it

    def days_left(self, today: datetime.date) -> int | None:
        return None if self.due is None else (self.due - today).days


@cache
def _days_off(year: int) -> frozenset[datetime.date]:
    official = holidays.country_holidays("NL", years=year)
    days = {
        day
        for day, name in official.items()
        if name not in ("Easter Sunday", "Pentecost")  # Sundays anyway
    }
    liberation = datetime.date(year, 5, 5)  # every year under the Atw, not only each lustrum
    days.add(liberation)
    new_year = datetime.date(year, 1, 1)
    christmas, boxing_day = datetime.date(year, 12, 25), datetime.date(year, 12, 26)
    kings_day = next(d for d, n in official.items() if n == "King's Day")
    ascension = next(d for d, n in official.items() if n == "Ascension Day")
    days.add(ascension + ONE_DAY)
    for day in (new_year, kings_day, liberation, christmas):
        if day.weekday() == 1:  # Tuesday: the Monday before
            days.add(day - ONE_DAY)
    for day in (new_year, kings_day, liberation, boxing_day):
        if day.weekday() == 3:  # Thursday: the Friday after
            days.add(day + ONE_DAY)
    return frozenset(days)


def is_day_off(day: datetime.date) -> bool:
    """A Saturday, a Sunday or a day the Algemene termijnenwet counts as a holiday."""
    return day.weekday() >= 5 or day in _days_off(day.year)


def decision_deadline(
    received_on: datetime.date,
    *,
    extension_days: int = 0,
    suspensions: Iterable[tuple[datetime.date, datetime.date | None]] = (),
) -> Deadline:
    """The day the decision is due (the last day on which it is in time)."""
    term_end = received_on + DECISION_TERM
    suspended = 0
    for started_on, ended_on in suspensions:
        if ended_on is None:
            return Deadline(None, term_end, suspended, extension_days, None)
        suspended += max(0, (ended_on - started_on).days)
    due = term_end + datetime.timedelta(days=suspended + extension_days)
    moved_from = None
    if is_day_off(due):
        moved_from = due
        while is_day_off(due):
            due += ONE_DAY
    return Deadline(due, term_end, suspended, extension_days, moved_from)
