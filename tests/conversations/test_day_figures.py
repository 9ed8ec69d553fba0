"""The dashboard's daily summary: histograms read back within 2.5 %, the refresh rebuilds only
the days that changed, and long periods read from it give the exact counts and medians/p90
within 2.5 % of the exact figures, today included, per organisation only."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from balie.conversations import actions, figures, statistics
from balie.conversations.actions.figures import do_refresh_day_figures
from balie.conversations.models import Channel, Conversation, DayFigures, DayFiguresState
from tests.factories import make_timed, send

ZONE = ZoneInfo("Europe/Amsterdam")


def exact_percentile(values: list[int], p: float) -> float:
    values = sorted(values)
    h = p * (len(values) - 1)
    low = int(h)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (h - low)


# --- the histograms -----------------------------------------------------------------------
@pytest.mark.parametrize("seconds", [1, 2, 7, 59, 60, 61, 3599, 3600, 86_399, 1_209_600])
def test_a_bucket_stands_for_its_durations_within_2_5_percent(seconds):
    value = figures.value_of(figures.bucket_of(seconds))
    assert abs(value - seconds) <= 0.025 * seconds


def test_sub_second_and_empty():
    assert figures.bucket_of(0) == 0 and figures.value_of(0) == 0
    assert figures.percentile({}, 0.5) == 0


def test_percentiles_from_a_histogram_follow_the_exact_ones():
    rng = random.Random(17)
    for n in (1, 2, 3, 10, 101, 5000):
        values = [int(rng.lognormvariate(6, 1.5)) + 1 for _ in range(n)]
        histogram: dict[str, int] = {}
        for value in values:
            figures.add(histogram, value)
        merged = figures.merged([histogram])
        for p in (0.5, 0.9):
            exact = exact_percentile(values, p)
            assert abs(figures.percentile(merged, p) - exact) <= 0.025 * exact + 1e-9, (n, p)


# --- the refresh --------------------------------------------------------------------------
def _local(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=ZONE)


@pytest.fixture
def days_ago():
    today = timezone.localdate(timezone=ZONE)
    return lambda n: today - timedelta(days=n)


@pytest.fixture
def history(utrecht, utrecht_team, groningen, groningen_team, days_ago):
    """Three days of Utrecht's chats and one of Groningen's, with known timings."""
    rng = random.Random(3)
    made = []
    for n in (40, 39, 2):
        for index in range(30):
            made.append(
                make_timed(
                    utrecht,
                    created=_local(days_ago(n), 8 + index % 10),
                    first_response=rng.randint(5, 4000),
                    resolved=rng.randint(4000, 200_000) if index % 3 else None,
                    channel=Channel.WHATSAPP if index % 2 else Channel.WEBCHAT,
                    team=utrecht_team,
                )
            )
    make_timed(groningen, created=_local(days_ago(39), 9), first_response=99_999)
    return made


def test_the_first_refresh_builds_every_day(utrecht, history, days_ago):
    assert do_refresh_day_figures(utrecht.pk) == 3
    rows = DayFigures.objects.filter(organisation=utrecht, all_teams=False, all_channels=False)
    assert sum(row.started for row in rows) == 90
    assert {row.day for row in rows} == {days_ago(40), days_ago(39), days_ago(2)}
    assert {row.channel for row in rows} == {"webchat", "whatsapp"}
    day = rows.filter(day=days_ago(2), channel="webchat").get()
    assert day.hours[8] == 3 and sum(day.hours) == 15
    assert sum(day.first_response.values()) == 15
    assert sum(day.resolution.values()) == sum(1 for i in range(0, 30, 2) if i % 3)
    # The same day summed over channels, over teams and over both: each counts every chat.
    for all_teams, all_channels in ((False, True), (True, False), (True, True)):
        level = DayFigures.objects.filter(
            organisation=utrecht, day=days_ago(2), all_teams=all_teams, all_channels=all_channels
        )
        assert sum(row.started for row in level) == 30
    overall = DayFigures.objects.get(
        organisation=utrecht, day=days_ago(2), all_teams=True, all_channels=True
    )
    assert (overall.team_id, overall.channel) == (None, "")


def test_a_refresh_rebuilds_only_the_days_that_changed(
    utrecht, history, agent_anna, lead_lotte, days_ago
):
    do_refresh_day_figures(utrecht.pk)
    assert do_refresh_day_figures(utrecht.pk) == 0  # nothing changed since
    old = history[0]  # started 40 days ago
    actions.do_change_status(old, actor=lead_lotte, status="resolved")  # a status line
    assert do_refresh_day_figures(utrecht.pk) == 1
    rebuilt = DayFigures.objects.filter(
        organisation=utrecht, day=days_ago(40), all_teams=False, all_channels=False
    )
    assert sum(row.started for row in rebuilt) == 30  # replaced, not added to
    new, _ = actions.do_start_webchat(utrecht)
    send(new, "Vandaag een vraag")
    assert do_refresh_day_figures(utrecht.pk) == 1  # today's


# --- long periods through the summary ------------------------------------------------------
def _year(organisation, **filters):
    return statistics.check_filters(
        organisation.pk,
        since=(timezone.localdate(timezone=ZONE) - timedelta(days=90)).isoformat(),
        **filters,
    )


def _exact(organisation, lead, filters, **kwargs):
    state = DayFiguresState.objects.filter(organisation=organisation)
    saved = list(state.values_list("refreshed_until", flat=True))
    state.delete()  # without a summary the long period is computed exactly
    try:
        return statistics.durations(lead, organisation.pk, filters, **kwargs)
    finally:
        if saved:
            DayFiguresState.objects.create(organisation=organisation, refreshed_until=saved[0])


@pytest.mark.parametrize("measure", ["first_response", "resolution"])
@pytest.mark.parametrize("by", ["day", "team", "channel"])
def test_a_long_period_reads_the_summary_within_2_5_percent(
    utrecht, history, lead_lotte, measure, by
):
    new, _ = actions.do_start_webchat(utrecht)  # today's: read from the conversations
    Conversation.objects.filter(pk=new.pk).update(
        first_response_at=new.created_at + timedelta(seconds=30),
        resolved_at=new.created_at + timedelta(seconds=5000),
    )
    do_refresh_day_figures(utrecht.pk)
    filters = _year(utrecht)
    exact = _exact(utrecht, lead_lotte, filters, measure=measure, by=by)
    summarised = statistics.durations(lead_lotte, utrecht.pk, filters, measure=measure, by=by)
    assert all(row.approximate for row in summarised)
    assert not any(row.approximate for row in exact)
    assert sorted((r.key is None, r.key) for r in summarised) == sorted(
        (r.key is None, r.key) for r in exact
    )
    by_key = {row.key: row for row in exact}
    for row in summarised:
        assert row.count == by_key[row.key].count
        for name in ("median", "p90"):
            value = getattr(by_key[row.key], name)
            assert abs(getattr(row, name) - value) <= 0.025 * value + 1e-9, (row.key, name)


def test_per_hour_from_the_summary_is_exact(utrecht, history, lead_lotte):
    do_refresh_day_figures(utrecht.pk)
    filters = _year(utrecht)
    summarised = statistics.per_hour(lead_lotte, utrecht.pk, filters)
    DayFiguresState.objects.filter(organisation=utrecht).delete()
    assert summarised == statistics.per_hour(lead_lotte, utrecht.pk, filters)
    assert sum(summarised) == 90


def test_filters_and_organisations_apply_to_the_summary(
    utrecht, groningen, history, lead_lotte, utrecht_team
):
    do_refresh_day_figures(utrecht.pk)
    do_refresh_day_figures(groningen.pk)
    whatsapp = _year(utrecht, channel="whatsapp", team=str(utrecht_team.pk))
    rows = statistics.durations(
        lead_lotte, utrecht.pk, whatsapp, measure="first_response", by="channel"
    )
    assert [(row.key, row.count) for row in rows] == [("whatsapp", 45)]
    everything = statistics.durations(
        lead_lotte, utrecht.pk, _year(utrecht), measure="first_response", by="day"
    )
    assert sum(row.count for row in everything) == 90  # Groningen's chat is not Utrecht's
    assert not any(abs(row.median - 99_999) < 3000 for row in everything)


def test_a_short_period_stays_exact(utrecht, history, lead_lotte):
    do_refresh_day_figures(utrecht.pk)
    rows = statistics.durations(
        lead_lotte,
        utrecht.pk,
        statistics.check_filters(utrecht.pk),
        measure="first_response",
        by="day",
    )
    assert rows and not any(row.approximate for row in rows)
