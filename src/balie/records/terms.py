"""Retention terms: ISO 8601 durations (years, months, weeks, days), added by the calendar."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils.translation import gettext_lazy as _

from balie.conversations.actions.errors import ActionError

_DURATION = re.compile(
    r"^P(?:(?P<years>\d{1,3})Y)?(?:(?P<months>\d{1,4})M)?(?:(?P<weeks>\d{1,4})W)?(?:(?P<days>\d{1,5})D)?$"
)
MAX_YEARS = 200


@dataclass(frozen=True)
class Retention:
    """A retention term: an ISO 8601 duration of years, months, weeks and days."""

    years: int = 0
    months: int = 0
    days: int = 0

    @classmethod
    def parse(cls, text: object) -> Retention:
        if not isinstance(text, str) or not (match := _DURATION.match(text.strip().upper())):
            raise ActionError(
                "invalid_retention",
                _(
                    "Retention period %(text)s is not an ISO 8601 duration such as P1Y, P6M, "
                    "P10Y or P1Y6M (years, months, weeks, days; no hours)."
                ),
                params={"text": repr(text)},
            )
        parts = {k: int(v) for k, v in match.groupdict().items() if v}
        retention = cls(
            years=parts.get("years", 0),
            months=parts.get("months", 0),
            days=parts.get("days", 0) + 7 * parts.get("weeks", 0),
        )
        if retention == cls():
            raise ActionError("invalid_retention", _("A retention period of zero does not exist."))
        if retention.years + retention.months / 12 + retention.days / 365 > MAX_YEARS:
            raise ActionError(
                "invalid_retention",
                _("Longer than %(years)s years: choose the appraisal 'keep permanently'."),
                params={"years": MAX_YEARS},
            )
        return retention

    def after(self, moment: datetime) -> datetime:
        """``moment`` plus this term, by the calendar (31 January + P1M = 28/29 February)."""
        return _shift(moment, self.years * 12 + self.months, self.days)

    def before(self, moment: datetime) -> datetime:
        return _shift(moment, -(self.years * 12 + self.months), -self.days)


def _shift(moment: datetime, months: int, days: int) -> datetime:
    total = moment.year * 12 + moment.month - 1 + months
    year, month = divmod(total, 12)
    month += 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day) + timedelta(days=days)
