"""The supervisor dashboard's figures, on a history whose answers are worked out by hand.

The expected medians and p90s are written as percentile_cont's formula with the numbers
filled in (lower + (upper − lower) · (p·(n−1) − ⌊p·(n−1)⌋)), so the comparison is exact: the
same test passes on SQLite and on PostgreSQL only when both give these very numbers.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from balie.accounts.actions import do_create_staff_user, do_set_membership
from balie.accounts.models import Role
from balie.conversations import actions, statistics
from balie.conversations.statistics import DashboardNotAllowed, Durations, InvalidFilter
from tests.factories import make_timed

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
DAY_1, DAY_2 = date(2026, 3, 2), date(2026, 3, 3)


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=AMSTERDAM)


@pytest.fixture
def afval(utrecht, agent_anna):
    return actions.do_create_team(utrecht, name="Afval", members=[agent_anna])


@pytest.fixture
def history(utrecht, utrecht_team, afval, agent_anna, groningen, groningen_team):
    """Six live conversations of Utrecht over two days, one imported one, one of Groningen.

    ==  =============  =========  ========  ==============  ==========  ========================
        started (NL)   team       channel   first answer    resolved    now
    ==  =============  =========  ========  ==============  ==========  ========================
    A   2 Mar 09:15    Algemeen   webchat   +10 s           +600 s      closed
    B   2 Mar 09:40    Algemeen   webchat   +20 s           +1200 s     resolved
    C   2 Mar 14:05    Algemeen   whatsapp  +30 s           —           open, Anna's
    D   2 Mar 23:30    Algemeen   webchat   +40 s           +3000 s     pending
    E   3 Mar 00:30    Afval      whatsapp  +60 s           +1800 s     open, waiting (reopened)
    F   3 Mar 10:00    Afval      webchat   —               —           open, waiting
    I   2 Mar 10:00    Algemeen   whatsapp  +5 s            +7 s        imported: never counted
    G   2 Mar 09:00    Groningen  webchat   +1 s            +1 s        another municipality
    ==  =============  =========  ========  ==============  ==========  ========================

    E starts at 23:30 UTC on 2 March, which is 3 March in the Netherlands.
    """
    team, chat, app = utrecht_team, "webchat", "whatsapp"
    make_timed(utrecht, created=local(DAY_1, 9, 15), first_response=10, resolved=600,
               team=team, status="closed")  # fmt: skip
    make_timed(utrecht, created=local(DAY_1, 9, 40), first_response=20, resolved=1200,
               team=team, status="resolved")  # fmt: skip
    make_timed(utrecht, created=local(DAY_1, 14, 5), first_response=30, team=team,
               channel=app, assignee=agent_anna)  # fmt: skip
    make_timed(utrecht, created=local(DAY_1, 23, 30), first_response=40, resolved=3000,
               team=team, status="pending")  # fmt: skip
    make_timed(utrecht, created=local(DAY_2, 0, 30), first_response=60, resolved=1800,
               team=afval, channel=app, waiting_since=local(DAY_2, 8, 0))  # fmt: skip
    make_timed(utrecht, created=local(DAY_2, 10, 0), team=afval, channel=chat,
               waiting_since=local(DAY_2, 10, 0))  # fmt: skip
    make_timed(utrecht, created=local(DAY_1, 10, 0), first_response=5, resolved=7, team=team,
               channel=app, kind="imported", status="closed",
               waiting_since=local(DAY_1, 1, 0))  # fmt: skip
    make_timed(groningen, created=local(DAY_1, 9, 0), first_response=1, resolved=1,
               waiting_since=local(DAY_1, 1, 0))  # fmt: skip
    return statistics.check_filters(utrecht.pk, since="2026-03-02", until="2026-03-03")


def test_first_response_per_day_team_and_channel(history, utrecht, utrecht_team, afval, lead_lotte):
    def figures(by):
        return statistics.durations(
            lead_lotte, utrecht.pk, history, measure="first_response", by=by
        )

    # 2 March: 10, 20, 30, 40 (n=4): median at 1.5, p90 at 2.7. 3 March: 60 alone (F waits).
    assert figures("day") == [
        Durations(DAY_1, 4, 20 + (30 - 20) * (0.5 * 3 - 1), 30 + (40 - 30) * (0.9 * 3 - 2)),
        Durations(DAY_2, 1, 60.0, 60.0),
    ]
    assert figures("team") == [
        Durations(utrecht_team.pk, 4, 25.0, 30 + (40 - 30) * (0.9 * 3 - 2)),
        Durations(afval.pk, 1, 60.0, 60.0),
    ]
    # Web chat 10, 20, 40 (median at 1, p90 at 1.8); WhatsApp 30, 60 (at 0.5 and 0.9).
    assert figures("channel") == [
        Durations("webchat", 3, 20.0, 20 + (40 - 20) * (0.9 * 2 - 1)),
        Durations("whatsapp", 2, 30 + (60 - 30) * (0.5 * 1 - 0), 30 + (60 - 30) * (0.9 * 1 - 0)),
    ]


def test_resolution_per_day(history, utrecht, lead_lotte):
    figures = statistics.durations(lead_lotte, utrecht.pk, history, measure="resolution", by="day")
    # 2 March: 600, 1200, 3000 (C unresolved): median at 1, p90 at 1.8. 3 March: 1800.
    assert figures == [
        Durations(DAY_1, 3, 1200.0, 1200 + (3000 - 1200) * (0.9 * 2 - 1)),
        Durations(DAY_2, 1, 1800.0, 1800.0),
    ]


def test_conversations_per_local_hour(history, utrecht, lead_lotte):
    hours = statistics.per_hour(lead_lotte, utrecht.pk, history)
    assert {hour: n for hour, n in enumerate(hours) if n} == {0: 1, 9: 2, 10: 1, 14: 1, 23: 1}


def test_live_queue_per_team(history, utrecht, utrecht_team, afval, lead_lotte):
    queue = statistics.live_queue(lead_lotte, utrecht.pk, history)
    # Algemeen: C (assigned, answered) and D (pending) are active; nobody waits.
    # Afval: E and F open without an assignee, both waiting; E the longest, since 08:00.
    assert queue == [
        statistics.QueueRow(utrecht_team.pk, 0, 0, None),
        statistics.QueueRow(afval.pk, 2, 2, local(DAY_2, 8, 0)),
    ]


def test_filters_narrow_team_channel_and_days(history, utrecht, afval, lead_lotte):
    only = statistics.check_filters(
        utrecht.pk, since="2026-03-03", until="2026-03-03", team=str(afval.pk), channel="webchat"
    )
    assert statistics.per_hour(lead_lotte, utrecht.pk, only)[10] == 1
    assert sum(statistics.per_hour(lead_lotte, utrecht.pk, only)) == 1
    assert (
        statistics.durations(lead_lotte, utrecht.pk, only, measure="first_response", by="day") == []
    )


def test_default_period_is_the_last_14_days(utrecht):
    filters = statistics.check_filters(utrecht.pk, today=date(2026, 3, 31))
    assert (filters.since, filters.until) == (date(2026, 3, 18), date(2026, 3, 31))
    # Local midnight to local midnight, across the change to summer time on 29 March.
    assert filters.start == datetime(2026, 3, 17, 23, 0, tzinfo=ZoneInfo("UTC"))
    assert filters.end == datetime(2026, 3, 31, 22, 0, tzinfo=ZoneInfo("UTC"))


@pytest.mark.parametrize(
    ("given", "field", "message"),
    [
        ({"since": "2026-02-30"}, "since", "'2026-02-30' is not a date"),
        ({"until": "31-03-2026"}, "until", "'31-03-2026' is not a date"),
        ({"since": "2026-03-05", "until": "2026-03-01"}, "since", "start date is after the end"),
        ({"since": "2025-01-01", "until": "2026-03-01"}, "since", "at most 366 days"),
        ({"channel": "fax"}, "channel", "Unknown channel 'fax'"),
        ({"team": "abc"}, "team", "This team does not exist"),
    ],
)
def test_bad_filters_are_refused_precisely(utrecht, given, field, message):
    with pytest.raises(InvalidFilter) as refused:
        statistics.check_filters(utrecht.pk, **given)
    assert refused.value.field == field
    with translation.override("en"):
        assert message in refused.value.message
    assert refused.value.status == 400


def test_a_full_year_is_allowed(utrecht):
    filters = statistics.check_filters(utrecht.pk, since="2025-03-01", until="2026-03-01")
    assert (filters.until - filters.since).days + 1 == 366


def test_another_municipalitys_team_is_refused(utrecht, groningen_team):
    with pytest.raises(InvalidFilter):
        statistics.check_filters(utrecht.pk, team=str(groningen_team.pk))


def test_agents_and_other_municipalities_may_not_see_the_figures(
    history, utrecht, groningen, agent_anna, lead_lotte, admin_ada, utrecht_api_key
):
    for outsider in (agent_anna, utrecht_api_key[0]):
        with pytest.raises(DashboardNotAllowed):
            statistics.live_queue(outsider, utrecht.pk, history)
    with pytest.raises(DashboardNotAllowed):  # Lotte leads in Utrecht, not in Groningen
        statistics.per_hour(lead_lotte, groningen.pk, history)
    assert sum(statistics.per_hour(admin_ada, utrecht.pk, history)) == 6


def test_other_municipalities_conversations_never_count(history, groningen, utrecht):
    lead = do_create_staff_user(username="lead_gijs", password="x" * 16, first_name="Gijs")
    do_set_membership(lead, groningen, Role.SUPERVISOR)
    filters = statistics.check_filters(groningen.pk, since="2026-03-02", until="2026-03-03")
    assert sum(statistics.per_hour(lead, groningen.pk, filters)) == 1
    assert statistics.durations(lead, groningen.pk, filters, measure="resolution", by="team") == [
        Durations(groningen.teams.get().pk, 1, 1.0, 1.0)
    ]


def test_figures_are_aggregates_in_the_database(
    history, utrecht, lead_lotte, django_assert_num_queries
):
    with django_assert_num_queries(2):  # the role, then one aggregate query
        statistics.durations(lead_lotte, utrecht.pk, history, measure="first_response", by="day")
