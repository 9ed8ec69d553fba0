"""The supervisor dashboard's figures: the live queue and the timings, for team leads.

Every figure is an aggregate computed by the database, never by loading conversations into
Python. Imported conversations (an official's phone chats) are records, not live contact, and
count nowhere. Days, hours and date ranges are those of ``settings.TIME_ZONE`` (Europe/
Amsterdam): a day runs from local midnight to midnight, across the clock changes.

Durations are whole seconds between the two moments, each truncated to its second. Median and
p90 follow ``percentile_cont``: for the n durations of a group in ascending order, the
percentile p lies at position h = p·(n−1) counted from 0; between the values at ⌊h⌋ and ⌊h⌋+1
it is interpolated linearly. PostgreSQL computes it with ``percentile_cont(…) WITHIN GROUP``;
SQLite, which has no such aggregate, with the same formula over window functions, so both give
the same numbers for the same data.

Periods longer than SUMMARY_AFTER_DAYS read the days before today from the daily summary
(``models.DayFigures``, kept by ``actions.figures`` every few minutes) and only today from the
conversations: counts stay exact, medians and p90 are read from histograms and lie within
±2.5 % of the exact figure (``figures``); such rows say ``approximate``. Without a summary
yet (the first refresh has not run), long periods are computed exactly, only slower.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import Count, F, Func, Min, Q, QuerySet
from django.db.models.functions import ExtractHour, TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from balie import errors
from balie.accounts.actors import Actor
from balie.accounts.models import LEAD_ROLES
from balie.conversations import figures
from balie.conversations.models import (
    Channel,
    Conversation,
    ConversationKind,
    DayFigures,
    DayFiguresState,
    Status,
    Team,
)

__all__ = [
    "DASHBOARD_ROLES",
    "DEFAULT_DAYS",
    "GROUPINGS",
    "MAX_DAYS",
    "MEASURES",
    "DashboardNotAllowed",
    "Durations",
    "Filters",
    "InvalidFilter",
    "QueueRow",
    "check_access",
    "check_filters",
    "durations",
    "live_queue",
    "per_hour",
]

# Team leads and application administrators see the dashboard.
DASHBOARD_ROLES = LEAD_ROLES
DEFAULT_DAYS = 14
MAX_DAYS = 366
# What is measured: from the conversation's start to its first answer, or to its resolution.
MEASURES = {"first_response": "first_response_at", "resolution": "resolved_at"}
GROUPINGS = ("day", "team", "channel")
# Longer periods read the days before today from the daily summary (see the module's text).
SUMMARY_AFTER_DAYS = 31
ACTIVE = (Status.OPEN, Status.PENDING)


class DashboardNotAllowed(errors.NotAllowed):
    default_code = "dashboard_not_allowed"
    default_message = _("Only team leads and administrators see the dashboard.")


class InvalidFilter(errors.Invalid):
    default_code = "invalid_filter"


@dataclass(frozen=True)
class Filters:
    """Checked filters: local dates ``since`` to ``until`` (both included), a team, a channel."""

    since: date
    until: date
    team_id: int | None = None
    channel: str | None = None

    @property
    def start(self) -> datetime:
        return datetime.combine(self.since, time.min, tzinfo=_zone())

    @property
    def end(self) -> datetime:
        """The local midnight after ``until`` (excluded)."""
        return datetime.combine(self.until + timedelta(days=1), time.min, tzinfo=_zone())


@dataclass(frozen=True)
class QueueRow:
    team_id: int | None
    open_unassigned: int
    waiting: int
    oldest_waiting_since: datetime | None


@dataclass(frozen=True)
class Durations:
    """One group's durations in seconds: how many, the median and the 90th percentile."""

    key: object  # a date, a team id (None: no team) or a channel
    count: int
    median: float
    p90: float
    approximate: bool = False  # read from the daily summary's histograms (±2.5 %)


def _zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def check_access(actor, organisation_id: int) -> None:
    """Raise :class:`DashboardNotAllowed` unless the actor leads or administers there."""
    if not Actor.of(actor).has_role(organisation_id, DASHBOARD_ROLES):
        raise DashboardNotAllowed()


def check_filters(
    organisation_id: int,
    *,
    since: str = "",
    until: str = "",
    team: str = "",
    channel: str = "",
    today: date | None = None,
) -> Filters:
    """The filters from outside (query parameters), checked; empty means the default (the
    last 14 days up to today, every team, every channel). Raises :class:`InvalidFilter`."""
    today = today or timezone.localdate(timezone=_zone())
    last = _date(until, "until") if until else today
    first = _date(since, "since") if since else last - timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        raise InvalidFilter(message=_("The start date is after the end date."), field="since")
    if (last - first).days + 1 > MAX_DAYS:
        raise InvalidFilter(
            message=_("Choose at most %(days)s days."), params={"days": MAX_DAYS}, field="since"
        )
    return Filters(first, last, _team(organisation_id, team), _channel(channel))


def _date(value: str, name: str) -> date:
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()  # noqa: DTZ007 - a date
    except ValueError:
        raise InvalidFilter(
            message=_("%(value)s is not a date: write it as YYYY-MM-DD, e.g. 2026-03-31."),
            params={"value": repr(value[:40])},
            field=name,
        ) from None


def _team(organisation_id: int, value: str) -> int | None:
    if not value:
        return None
    pk = int(value) if value.isascii() and value.isdigit() and len(value) < 19 else None
    if pk is None or not Team.objects.for_organisation(organisation_id).filter(pk=pk).exists():
        raise InvalidFilter(message=_("This team does not exist."), field="team")
    return pk


def _channel(value: str) -> str | None:
    if not value:
        return None
    if value not in Channel.values:
        raise InvalidFilter(
            message=_("Unknown channel %(channel)s."),
            params={"channel": repr(value[:40])},
            field="channel",
        )
    return value


def _live(organisation_id: int, filters: Filters) -> QuerySet[Conversation]:
    qs = Conversation.objects.for_organisation(organisation_id).filter(kind=ConversationKind.LIVE)
    if filters.team_id is not None:
        qs = qs.filter(team_id=filters.team_id)
    if filters.channel is not None:
        qs = qs.filter(channel=filters.channel)
    return qs.order_by()


def _started_in(organisation_id: int, filters: Filters) -> QuerySet[Conversation]:
    return _live(organisation_id, filters).filter(
        created_at__gte=filters.start, created_at__lt=filters.end
    )


def live_queue(actor, organisation_id: int, filters: Filters) -> list[QueueRow]:
    """Per team (``None``: no team), open and waiting conversations now: open without an
    assignee, waiting for an answer (a resident's message unanswered), and since when the
    longest waiting one waits. Teams with nothing in the queue are left out."""
    check_access(actor, organisation_id)
    rows = (
        _live(organisation_id, filters)
        .filter(status__in=ACTIVE)
        .values("team_id")
        .annotate(
            open_unassigned=Count("pk", filter=Q(status=Status.OPEN, assignee__isnull=True)),
            waiting=Count("pk", filter=Q(waiting_since__isnull=False)),
            oldest=Min("waiting_since"),
        )
        .order_by("team_id")
    )
    return [
        QueueRow(row["team_id"], row["open_unassigned"], row["waiting"], row["oldest"])
        for row in rows
    ]


def per_hour(actor, organisation_id: int, filters: Filters) -> list[int]:
    """Conversations started in each local hour of the day (0–23) over the period."""
    check_access(actor, organisation_id)
    summary = _summary_part(organisation_id, filters, by="day")
    if summary is None:
        return _per_hour_live(organisation_id, filters)
    counts = [0] * 24
    for hours in summary.values_list("hours", flat=True).iterator():
        for hour, count in enumerate(hours):
            counts[hour] += count
    rest = _rest(filters)
    if rest is not None:
        for hour, count in enumerate(_per_hour_live(organisation_id, rest)):
            counts[hour] += count
    return counts


def _per_hour_live(organisation_id: int, filters: Filters) -> list[int]:
    counts = [0] * 24
    rows = (
        _started_in(organisation_id, filters)
        .annotate(hour=ExtractHour("created_at", tzinfo=_zone()))
        .values("hour")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        counts[row["hour"]] = row["n"]
    return counts


class _Seconds(Func):
    """Whole seconds from ``start`` to ``end``, each truncated to its second (the same on
    both databases: no floating-point day fractions)."""

    arity = 2

    def as_sql(self, compiler, connection, **extra_context):  # type: ignore[override]
        template = "(FLOOR(EXTRACT(EPOCH FROM %(end)s)) - FLOOR(EXTRACT(EPOCH FROM %(start)s)))"
        return self._as(compiler, connection, template + "::bigint")

    def as_sqlite(self, compiler, connection, **extra_context):
        template = "(CAST(strftime('%%%%s', %(end)s) AS INTEGER) - "
        template += "CAST(strftime('%%%%s', %(start)s) AS INTEGER))"
        return self._as(compiler, connection, template)

    def _as(self, compiler, connection, template):
        start_sql, start_params = compiler.compile(self.source_expressions[0])
        end_sql, end_params = compiler.compile(self.source_expressions[1])
        return template % {"start": start_sql, "end": end_sql}, [*end_params, *start_params]


def durations(
    actor, organisation_id: int, filters: Filters, *, measure: str, by: str
) -> list[Durations]:
    """Median and p90 of ``measure`` (``first_response`` or ``resolution``) of the
    conversations started in the period, per ``by`` (``day``, ``team`` or ``channel``).
    Conversations not answered (or not resolved) yet are not counted."""
    check_access(actor, organisation_id)
    summary = _summary_part(organisation_id, filters, by=by)
    if summary is not None:
        return _summarised_durations(organisation_id, filters, summary, measure=measure, by=by)
    column = MEASURES[measure]
    group = {
        "day": TruncDate("created_at", tzinfo=_zone()),
        "team": F("team_id"),
        "channel": F("channel"),
    }[by]
    inner = (
        _started_in(organisation_id, filters)
        .filter(**{f"{column}__isnull": False})
        .annotate(grp=group, seconds=_Seconds("created_at", column))
        .values("grp", "seconds")
    )
    sql, params = inner.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(_percentiles_sql(sql), params)
        rows = cursor.fetchall()
    return [
        Durations(_key(key, by), count, float(median), float(p90))
        for key, count, median, p90 in rows
    ]


def _key(value, by: str):
    if by == "day" and isinstance(value, str):  # SQLite gives the date as text
        return date.fromisoformat(value)
    return value


def _percentiles_sql(inner: str) -> str:
    """Per ``grp`` of ``inner``'s rows (``grp``, ``seconds``): count, median and p90."""
    if connection.vendor == "postgresql":
        return (
            "SELECT grp, COUNT(*), "  # noqa: S608 - the inner query is the ORM's, with params
            "percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds), "
            "percentile_cont(0.9) WITHIN GROUP (ORDER BY seconds) "
            f"FROM ({inner}) AS durations GROUP BY grp ORDER BY grp"
        )
    # percentile_cont by hand: row r (from 1) of n sorted; h = p·(n−1); lower value at
    # r = ⌊h⌋+1, upper at ⌊h⌋+2 (or the lower one when there is none); lower + (upper −
    # lower)·(h − ⌊h⌋), in the same order of operations as PostgreSQL's float8 lerp.
    ranked = (
        "SELECT grp, seconds, ROW_NUMBER() OVER (PARTITION BY grp ORDER BY seconds) AS r, "  # noqa: S608
        f"COUNT(*) OVER (PARTITION BY grp) AS n FROM ({inner}) AS durations"
    )
    bounds = ", ".join(
        f"MAX(CASE WHEN r = CAST({p} * (n - 1) AS INTEGER) + 1 THEN seconds END) AS lo{tag}, "
        f"MAX(CASE WHEN r = CAST({p} * (n - 1) AS INTEGER) + 2 THEN seconds END) AS hi{tag}"
        for p, tag in (("0.5", 50), ("0.9", 90))
    )
    lerp = ", ".join(
        f"lo{tag} + (COALESCE(hi{tag}, lo{tag}) - lo{tag}) * "
        f"({p} * (n - 1) - CAST({p} * (n - 1) AS INTEGER))"
        for p, tag in (("0.5", 50), ("0.9", 90))
    )
    return (
        f"SELECT grp, n, {lerp} FROM (SELECT grp, n, {bounds} FROM ({ranked}) AS ranked "  # noqa: S608
        "GROUP BY grp, n) AS bounds ORDER BY grp"
    )


# --- long periods: the daily summary for the days before today --------------------------
def _today() -> date:
    return timezone.localdate(timezone=_zone())


def _summary_part(
    organisation_id: int, filters: Filters, *, by: str
) -> QuerySet[DayFigures] | None:
    """The summary rows of the period's days before today, of the grouping that ``by`` and
    the filters need, when the period is long and the organisation has a summary; else None
    (everything is computed exactly)."""
    if (filters.until - filters.since).days + 1 <= SUMMARY_AFTER_DAYS:
        return None
    if not DayFiguresState.objects.filter(organisation_id=organisation_id).exists():
        return None
    last = min(filters.until, _today() - timedelta(days=1))
    per_team = filters.team_id is not None or by == "team"
    per_channel = filters.channel is not None or by == "channel"
    qs = DayFigures.objects.for_organisation(organisation_id).filter(
        all_teams=not per_team, all_channels=not per_channel, day__gte=filters.since, day__lte=last
    )
    if filters.team_id is not None:
        qs = qs.filter(team_id=filters.team_id)
    if filters.channel is not None:
        qs = qs.filter(channel=filters.channel)
    return qs.order_by()


def _rest(filters: Filters) -> Filters | None:
    """The part of a long period read from the conversations themselves: today, if in it."""
    today = _today()
    if not filters.since <= today <= filters.until:
        return None
    return Filters(today, today, filters.team_id, filters.channel)


def _summarised_durations(
    organisation_id: int, filters: Filters, summary, *, measure: str, by: str
) -> list[Durations]:
    groups: dict[object, dict[int, int]] = {}
    for key, bucket, count in _summed_buckets(summary, measure=measure, by=by):
        groups.setdefault(_key(key, by), {})[int(bucket)] = int(count)
    rest = _rest(filters)
    if rest is not None:
        column = MEASURES[measure]
        today = _started_in(organisation_id, rest).filter(**{f"{column}__isnull": False})
        for created, end, team_id, channel in today.values_list(
            "created_at", column, "team_id", "channel"
        ):
            key = {"day": rest.since, "team": team_id, "channel": channel}[by]
            bucket = figures.bucket_of(figures.seconds_between(created, end))
            merged = groups.setdefault(key, {})
            merged[bucket] = merged.get(bucket, 0) + 1
    found = [
        Durations(
            key,
            sum(histogram.values()),
            figures.percentile(histogram, 0.5),
            figures.percentile(histogram, 0.9),
            approximate=True,
        )
        for key, histogram in groups.items()
        if histogram
    ]
    return sorted(found, key=lambda row: (row.key is None, row.key))


def _summed_buckets(summary, *, measure: str, by: str):
    """(group, bucket, count) of the summary rows' histograms, summed by the database: each
    row's JSON histogram taken apart (``jsonb_each_text`` / ``json_each``) and added up per
    group and bucket, so only a few thousand sums come back for a year."""
    assert measure in MEASURES and by in GROUPINGS  # column names: never from outside
    group = {"day": "day", "team": "team_id", "channel": "channel"}[by]
    inner, params = summary.values("pk").query.sql_with_params()
    table = connection.ops.quote_name(DayFigures._meta.db_table)
    if connection.vendor == "postgresql":
        each, value = f"jsonb_each_text(d.{measure})", "h.value::bigint"
    else:
        each, value = f"json_each(d.{measure})", "h.value"
    sql = (
        f"SELECT d.{group}, h.key, SUM({value}) FROM {table} AS d, {each} AS h "  # noqa: S608
        f"WHERE d.id IN ({inner}) GROUP BY d.{group}, h.key"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        yield from cursor.fetchall()
