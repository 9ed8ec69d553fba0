"""The supervisor dashboard (team leads, administrators): the live queue per team, first
response and resolution times (median, p90) per day, team and channel, conversations per hour
of the day, as inline SVG charts with their tables; the figures as CSV.

Every figure comes from ``conversations.statistics`` (aggregates in the database); this module
only checks the request and lays the figures out. The queue keeps itself fresh through
``dashboard/queue/``: ``dashboard.js`` asks again as soon as the staff socket reports a
conversation of the organisation changing (a resident starts, an agent takes or answers one),
and every 30 seconds besides, for the longest wait that grows without any event.
"""

from __future__ import annotations

import csv
import io

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext, pgettext
from django.views.decorators.http import require_GET

from balie.accounts.actors import Actor
from balie.conversations import selectors, statistics
from balie.conversations.models import Channel
from balie.realtime import agent as staff_socket
from balie.web.console import charts
from balie.web.console.inbox import organisation_or_404
from balie.web.console.jsonviews import json_endpoint
from balie.web.console.pages import render_page

FILTER_NAMES = ("since", "until", "team", "channel")
REFRESH_SECONDS = 30
CSV_SEPARATOR = ";"  # what Dutch Excel expects (docs/guides/supervisor-dashboard.md)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _organisation(request, slug: str):
    """The organisation, and the user as an Actor that reads their roles once."""
    organisation, _role = organisation_or_404(request.user, slug)
    who = Actor.of(request.user)
    statistics.check_access(who, organisation.pk)
    return organisation, who


def _form(request) -> dict[str, str]:
    return {name: request.GET.get(name, "")[:100] for name in FILTER_NAMES}


@login_required
@require_GET
def dashboard(request, slug: str):
    organisation, who = _organisation(request, slug)
    form = _form(request)
    problem = None
    try:
        filters = statistics.check_filters(organisation.pk, **form)
    except statistics.InvalidFilter as refused:  # shown beside the form, the defaults below
        problem = refused
        filters = statistics.check_filters(organisation.pk)
    teams = selectors.teams_of(organisation.pk)
    figures = _figures(who, organisation, filters, teams)
    if problem is None:  # the period shown, in the date fields
        form |= {"since": filters.since.isoformat(), "until": filters.until.isoformat()}
    context = {
        "organisation": organisation,
        "form": form,
        "filters": filters,
        "problem": problem,
        "teams": teams,
        "channels": Channel.choices,
        "query": "" if problem else request.GET.urlencode(),  # the queue and export follow
        "queue_url": reverse("console:dashboard_queue", args=[organisation.slug]),
        "refresh_seconds": REFRESH_SECONDS,
        "socket_url": f"/{staff_socket.PATH}",  # a change in the queue refreshes it at once
        **figures,
    }
    return render_page(request, "console/dashboard.html", context, status=400 if problem else 200)


def _figures(user, organisation, filters, team_list) -> dict:
    teams = {team.pk: team.name for team in team_list}
    hours = statistics.per_hour(user, organisation.pk, filters)
    tables: dict = {}
    approximate = False
    for measure in statistics.MEASURES:
        for by in statistics.GROUPINGS:
            rows = statistics.durations(user, organisation.pk, filters, measure=measure, by=by)
            approximate = approximate or any(row.approximate for row in rows)
            tables[f"{measure}_{by}"] = [_duration_row(row, by, teams) for row in rows]
    series = [gettext("Median"), gettext("90th percentile")]
    return {
        "queue": _queue(user, organisation, filters, teams),
        # A long period: medians and p90 from the daily summary (statistics, within 2.5 %).
        "approximate": approximate,
        "hours": [(f"{hour:02d}:00", n) for hour, n in enumerate(hours)],
        "started": sum(hours),
        "hours_chart": charts.bar_chart(
            [(f"{hour:02d}", [n]) for hour, n in enumerate(hours)],
            series_names=[gettext("Conversations")],
            show=lambda n: number_format(round(n, 1)),
            label_every=2,
        ),
        "first_response_chart": _day_chart(tables["first_response_day"], series),
        "resolution_chart": _day_chart(tables["resolution_day"], series),
        **tables,
    }


def _day_chart(rows: list[dict], series: list[str]) -> charts.Chart:
    return charts.bar_chart(
        [(row["label"], [row["median"] / 60, row["p90"] / 60]) for row in rows],
        series_names=series,
        show=lambda minutes: duration_text(minutes * 60),
        label_every=max(len(rows) // 14, 1),
    )


def _duration_row(row: statistics.Durations, by: str, teams: dict[int, str]) -> dict:
    if by == "day":
        label = row.key.strftime("%d-%m")  # type: ignore[attr-defined]
    elif by == "team":
        label = teams.get(row.key, gettext("No team"))  # type: ignore[call-overload]
    else:
        label = Channel(row.key).label
    return {
        "key": row.key,
        "label": str(label),
        "count": row.count,
        "median": row.median,
        "p90": row.p90,
        "median_text": duration_text(row.median),
        "p90_text": duration_text(row.p90),
    }


def _queue(user, organisation, filters, teams: dict[int, str]) -> list[dict]:
    now = timezone.now()
    rows = []
    for row in statistics.live_queue(user, organisation.pk, filters):
        waited = (
            (now - row.oldest_waiting_since).total_seconds() if row.oldest_waiting_since else None
        )
        rows.append(
            {
                "team": teams.get(row.team_id, gettext("No team")),  # type: ignore[arg-type]
                "team_id": row.team_id or "none",
                "open_unassigned": row.open_unassigned,
                "waiting": row.waiting,
                "longest_wait": duration_text(waited) if waited is not None else "–",
            }
        )
    return rows


def duration_text(seconds: float) -> str:
    """A duration for people: "45 s", "3 min 20 s", "2 h 05 min", "3 d 4 h"."""
    whole = max(int(round(seconds)), 0)
    minutes, secs = divmod(whole, 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    if days:
        return pgettext("duration", "%(d)s d %(h)s h") % {"d": days, "h": hours}
    if hours:
        return pgettext("duration", "%(h)s h %(m)02d min") % {"h": hours, "m": minutes}
    if minutes:
        return pgettext("duration", "%(m)s min %(s)02d s") % {"m": minutes, "s": secs}
    return pgettext("duration", "%(s)s s") % {"s": secs}


@require_GET
@json_endpoint
def queue(request, slug: str):
    """The live queue as JSON, for the page's periodic refresh."""
    organisation, who = _organisation(request, slug)
    filters = statistics.check_filters(organisation.pk, **_form(request))
    teams = {team.pk: team.name for team in selectors.teams_of(organisation.pk)}
    return JsonResponse({"rows": _queue(who, organisation, filters, teams)})


@login_required
@require_GET
def export(request, slug: str):
    """The period's figures as CSV (UTF-8 with a BOM, ``;`` between cells, decimal comma)."""
    organisation, who = _organisation(request, slug)
    filters = statistics.check_filters(organisation.pk, **_form(request))
    figures = _figures(who, organisation, filters, selectors.teams_of(organisation.pk))
    buffer = io.StringIO()
    buffer.write("\ufeff")  # the BOM: Excel then reads UTF-8
    writer = csv.writer(buffer, delimiter=CSV_SEPARATOR, lineterminator="\r\n")
    writer.writerow(
        [
            gettext("Grouping"),
            gettext("Group"),
            gettext("Measure"),
            gettext("Conversations"),
            gettext("Median (seconds)"),
            gettext("90th percentile (seconds)"),
        ]
    )
    groupings = {"day": gettext("Day"), "team": gettext("Team"), "channel": gettext("Channel")}
    measures = {
        "first_response": gettext("First response"),
        "resolution": gettext("Resolution"),
    }
    for measure, measure_name in measures.items():
        for by, grouping in groupings.items():
            for row in figures[f"{measure}_{by}"]:
                group = row["key"].isoformat() if by == "day" else row["label"]
                writer.writerow(
                    [
                        grouping,
                        safe_cell(group),
                        measure_name,
                        row["count"],
                        _number(row["median"]),
                        _number(row["p90"]),
                    ]  # fmt: skip
                )
    for hour, count in figures["hours"]:
        writer.writerow([gettext("Hour of the day"), hour, gettext("Started"), count, "", ""])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    name = f"dashboard-{organisation.slug}-{filters.since.isoformat()}-{filters.until.isoformat()}"
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


def safe_cell(text: str) -> str:
    """A cell a spreadsheet will not run: one starting with = + - @, a tab or a carriage
    return gets a leading apostrophe."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _number(value: float) -> str:
    return f"{value:.1f}".replace(".", ",")
