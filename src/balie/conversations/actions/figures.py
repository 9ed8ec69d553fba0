"""Keeping the dashboard's daily summary (``models.DayFigures``) up to date.

``do_refresh_day_figures`` rebuilds, for one organisation, the days whose conversations
changed since the last refresh: a conversation started, or got a message, after
``DayFiguresState.refreshed_until`` (every change to its timings comes with a message: an
answer, a resident writing, the status line of resolving or reopening). The first refresh
builds every day. It reads only those days' conversations, once, and replaces their rows in
one transaction; ``refreshed_until`` is the moment taken before reading, so a change made
meanwhile is picked up by the next refresh. A frequent job runs it every few minutes
(``ops.schedule``); the dashboard reads the summary only for long periods and days before
today (``statistics``).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from balie.conversations import figures
from balie.conversations.models import Conversation, ConversationKind, DayFigures, DayFiguresState
from balie.tenants.models import Organisation

__all__ = ["do_refresh_day_figures", "do_refresh_all_day_figures"]

# The longest stretch of days read at once (the first refresh reads a year in 12 reads).
_DAYS_PER_READ = 31


def do_refresh_all_day_figures(*, now: datetime | None = None) -> int:
    """Refresh every organisation's summary; returns how many days were rebuilt."""
    return sum(
        do_refresh_day_figures(pk, now=now)
        for pk in Organisation.objects.order_by("pk").values_list("pk", flat=True)
    )


def do_refresh_day_figures(organisation_id: int, *, now: datetime | None = None) -> int:
    """Rebuild the organisation's days that changed; returns how many days were rebuilt."""
    now = now or timezone.now()
    zone = ZoneInfo(settings.TIME_ZONE)
    with transaction.atomic():
        state = DayFiguresState.objects.filter(organisation_id=organisation_id)
        if connection.features.has_select_for_update:
            state = state.select_for_update()
        current = state.first()
        live = Conversation.objects.filter(
            organisation_id=organisation_id, kind=ConversationKind.LIVE
        ).order_by()
        changed = live
        if current is not None:
            since = current.refreshed_until
            changed = live.filter(Q(created_at__gte=since) | Q(last_message_at__gte=since))
        days = sorted(
            {
                timezone.localtime(started, zone).date()
                for started in changed.values_list("created_at", flat=True).iterator()
            }
        )
        rows: list[DayFigures] = []
        for chunk in _chunks(days, _DAYS_PER_READ):
            rows += _figures(organisation_id, live, chunk, zone)
        DayFigures.objects.filter(organisation_id=organisation_id, day__in=days).delete()
        DayFigures.objects.bulk_create(rows, batch_size=1000)
        DayFiguresState.objects.update_or_create(
            organisation_id=organisation_id, defaults={"refreshed_until": now}
        )
    return len(days)


def _chunks(days: list[date], span: int):
    """The sorted days in runs that each lie within ``span`` days: one read per run, never
    the months between two changed days."""
    run: list[date] = []
    for day in days:
        if run and (day - run[0]).days >= span:
            yield run
            run = []
        run.append(day)
    if run:
        yield run


def _figures(organisation_id: int, live, days: list[date], zone: ZoneInfo) -> list[DayFigures]:
    """The summary rows of ``days`` (sorted), from their conversations, read once."""
    wanted = set(days)
    first = datetime.combine(days[0], time.min, tzinfo=zone)
    last = datetime.combine(days[-1] + timedelta(days=1), time.min, tzinfo=zone)
    found: dict[tuple, DayFigures] = {}
    rows = live.filter(created_at__gte=first, created_at__lt=last).values_list(
        "created_at", "team_id", "channel", "first_response_at", "resolved_at"
    )
    for created, team_id, channel, answered, resolved in rows.iterator(chunk_size=5000):
        local = timezone.localtime(created, zone)
        day = local.date()
        if day not in wanted:
            continue
        to_answer = None if answered is None else figures.seconds_between(created, answered)
        to_resolve = None if resolved is None else figures.seconds_between(created, resolved)
        # The four groupings (see DayFigures): each conversation counts in each once.
        for all_teams, all_channels in ((False, False), (False, True), (True, False), (True, True)):
            key = (day, None if all_teams else team_id, "" if all_channels else channel,
                   all_teams, all_channels)  # fmt: skip
            row = found.get(key)
            if row is None:
                row = found[key] = DayFigures(
                    organisation_id=organisation_id,
                    day=day,
                    team_id=key[1],
                    channel=key[2],
                    all_teams=all_teams,
                    all_channels=all_channels,
                    started=0,
                    hours=[0] * 24,
                    first_response={},
                    resolution={},
                )
            row.started += 1
            row.hours[local.hour] += 1
            if to_answer is not None:
                figures.add(row.first_response, to_answer)
            if to_resolve is not None:
                figures.add(row.resolution, to_resolve)
    return list(found.values())
