"""Dashboard benchmark: the supervisor dashboard's queries over a million conversations.

Drops and creates the PostgreSQL database ``balie_bench_dashboard`` (only that one), migrates
it, makes 2 organisations with 4 teams each and a team lead, and inserts the conversations
(and a contact each) with set-based SQL (``generate_series``), in the order they start, as a
live database stores them: 366 days, 4 channels, busy
office hours, first answers mostly within minutes and sometimes hours, resolutions within
days, 1% imported chats, an open queue in the last two days. Then ANALYZE, and each query of
``balie.conversations.statistics`` runs ``--runs`` times (after 3 warm-up runs) for one
organisation: p50 and p95 in milliseconds, for the default period (14 days) and a full year.

    python bench/dashboard.py [--conversations 1000000] [--runs 30]
                              [--database-url postgres://postgres@127.0.0.1:5432/balie_bench_dashboard]
                              [--measure-only]

Target: p95 < 200 ms per query for the default period.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/balie_bench_dashboard"
TEAMS = ("Burgerzaken", "Afval", "Parkeren", "Belastingen")


def setup_django(url: str, data_dir: str, fresh: bool) -> None:
    base, name = url.rsplit("/", 1)
    if name != "balie_bench_dashboard":
        sys.exit("refusing: this benchmark only drops and creates balie_bench_dashboard")
    os.environ["DJANGO_SETTINGS_MODULE"] = "balie.conf.settings"
    os.environ["BALIE_DATA_DIR"] = data_dir
    os.environ["DATABASE_URL"] = url
    if fresh:
        import psycopg

        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def people():
    """The organisations and their team leads (made through the real actions)."""
    from balie.accounts.actions import do_create_staff_user, do_set_membership
    from balie.accounts.models import Role, User
    from balie.conversations.actions import do_create_team
    from balie.tenants.actions import do_create_organisation
    from balie.tenants.models import Organisation

    found = []
    for slug, code in (("utrecht", "0344"), ("groningen", "0014")):
        organisation = Organisation.objects.filter(slug=slug).first()
        if organisation is None:
            organisation = do_create_organisation(
                name=f"Gemeente {slug.title()}", slug=slug, gemeentecode=code
            )
            for team in TEAMS:
                do_create_team(organisation, name=team)
            lead = do_create_staff_user(username=f"lead-{slug}", password="bench-" * 4)
            do_set_membership(lead, organisation, Role.SUPERVISOR)
        found.append((organisation, User.objects.get(username=f"lead-{slug}")))
    return found


GENERATE = """
WITH raw AS (
    SELECT i, random() AS r_day, random() AS r_hour, random() AS r_channel, random() AS r_team,
           random() AS r_first, random() AS r_resolve, random() AS r_kind, random() AS r_open
    FROM generate_series(1, %(n)s) AS i
), shaped AS (
    SELECT i,
        CASE WHEN i %% 2 = 0 THEN %(org_a)s ELSE %(org_b)s END AS organisation_id,
        CASE WHEN r_channel < 0.5 THEN 'webchat' WHEN r_channel < 0.75 THEN 'whatsapp'
             WHEN r_channel < 0.9 THEN 'email' ELSE 'sms' END AS channel,
        CASE WHEN r_kind < 0.01 THEN 'imported' ELSE 'live' END AS kind,
        floor(r_team * 4)::int AS team_index,
        date_trunc('day', now() - r_day * interval '366 days')
          + (7 + (r_hour + random() + random()) / 3 * 12) * interval '1 hour' AS planned,
        r_first, r_resolve, r_open
    FROM raw
), dated AS (
    SELECT *, CASE WHEN planned < now() THEN planned ELSE planned - interval '1 day' END
      AS created_at
    FROM shaped
), timed AS (
    SELECT *,
        (created_at > now() - interval '2 days' AND r_open < 0.3) AS still_open,
        CASE WHEN r_first < 0.02 THEN NULL
             ELSE created_at + (20 + power(r_first, 3) * 7200) * interval '1 second' END
          AS first_response_at
    FROM dated
)
INSERT INTO conversations_conversation (
    organisation_id, channel, kind, status, contact_id, team_id, subject, case_reference,
    last_seq, agent_read_seq, resident_read_seq, resident_token_hash, language, created_at,
    last_message_at, closed_at, first_response_at, resolved_at, waiting_since,
    record_class_chosen
)
SELECT t.organisation_id, t.channel, t.kind,
    CASE WHEN t.still_open THEN 'open' ELSE 'closed' END,
    c.id,
    (%(teams)s::bigint[])[t.team_index + 1 + CASE WHEN t.i %% 2 = 0 THEN 0 ELSE 4 END],
    '', '',
    4, 4, 4, '', 'nl', t.created_at,
    coalesce(t.first_response_at, t.created_at),
    CASE WHEN t.still_open THEN NULL
         ELSE coalesce(t.first_response_at, t.created_at)
              + power(t.r_resolve, 2) * interval '2 days'
    END,
    CASE WHEN t.still_open AND t.r_open < 0.15 THEN NULL ELSE t.first_response_at END,
    CASE WHEN t.still_open THEN NULL
         ELSE coalesce(t.first_response_at, t.created_at)
              + power(t.r_resolve, 2) * interval '2 days'
    END,
    CASE WHEN t.still_open AND t.r_open < 0.15 THEN t.created_at END,
    false
FROM timed AS t JOIN conversations_contact AS c ON c.id = t.i + %(contact_offset)s
ORDER BY t.created_at
"""


def generate(n: int) -> float:
    from django.db import connection

    from balie.conversations.models import Team

    started = time.perf_counter()
    (org_a, _), (org_b, _) = people()
    teams = [
        team.pk
        for org in (org_a, org_b)
        for team in Team.objects.for_organisation(org).order_by("name")
    ]
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM conversations_contact")
        (offset,) = cursor.fetchone()
        cursor.execute(
            "INSERT INTO conversations_contact (organisation_id, name, email, phone, bsn_sealed, "
            "bsn_digest, created_at) SELECT CASE WHEN i %% 2 = 0 THEN %s ELSE %s END, '', '', "
            "'', '', '', now() FROM generate_series(1, %s) AS i ORDER BY i",
            [org_a.pk, org_b.pk, n],
        )
        cursor.execute(
            GENERATE,
            {
                "n": n,
                "org_a": org_a.pk,
                "org_b": org_b.pk,
                "teams": teams,
                "contact_offset": offset,
            },
        )
        # What autovacuum does soon after on a live database: statistics and the visibility
        # map (index-only scans).
        cursor.execute("VACUUM ANALYZE conversations_conversation")
        cursor.execute("VACUUM ANALYZE conversations_contact")
    return time.perf_counter() - started


def queries(actor, organisation, filters):
    from balie.conversations import statistics as figures

    found = [
        ("live queue", lambda: figures.live_queue(actor, organisation.pk, filters)),
        ("conversations per hour", lambda: figures.per_hour(actor, organisation.pk, filters)),
    ]
    for measure in figures.MEASURES:
        for by in figures.GROUPINGS:
            found.append(
                (
                    f"{measure.replace('_', ' ')} per {by}",
                    lambda m=measure, b=by: figures.durations(
                        actor, organisation.pk, filters, measure=m, by=b
                    ),
                )
            )
    return found


def measure(runs: int) -> Iterator[tuple[str, str, float, float]]:
    from balie.accounts.actors import Actor
    from balie.conversations import statistics as figures

    (organisation, lead), _ = people()
    actor = Actor.of(lead)
    default = figures.check_filters(organisation.pk)
    periods = {
        "14 days": default,
        # The longest period computed exactly from the conversations.
        "31 days": figures.check_filters(organisation.pk, since=_days_ago(default.until, 30)),
        # Longer: the days before today from the daily summary (statistics).
        "366 days": figures.check_filters(organisation.pk, since=_year_ago(default.until)),
    }
    for period, filters in periods.items():
        for name, run in queries(actor, organisation, filters):
            timings = []
            for attempt in range(runs + 3):
                started = time.perf_counter()
                run()
                if attempt >= 3:
                    timings.append((time.perf_counter() - started) * 1000)
            timings.sort()
            p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
            yield period, name, statistics.median(timings), p95


def _year_ago(until) -> str:
    return _days_ago(until, 365)


def _days_ago(until, days: int) -> str:
    from datetime import timedelta

    return (until - timedelta(days=days)).isoformat()


def refresh_summary() -> tuple[int, float]:
    """The daily summary's refresh, as the frequent job runs it: days rebuilt, seconds."""
    from balie.conversations.actions.figures import do_refresh_all_day_figures

    started = time.perf_counter()
    days = do_refresh_all_day_figures()
    return days, time.perf_counter() - started


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--conversations", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--measure-only", action="store_true", help="use the data made before")
    args = parser.parse_args(argv)
    data_dir = tempfile.mkdtemp(prefix="balie-bench-dashboard-")
    Path(data_dir).mkdir(parents=True, exist_ok=True)
    try:
        setup_django(args.database_url, data_dir, fresh=not args.measure_only)
        from django.db import connection

        print(
            f"machine: {os.cpu_count()} CPUs, {platform.processor() or platform.machine()}; "
            f"Python {platform.python_version()}; database: {connection.vendor}"
        )
        if not args.measure_only:
            print(f"generating {args.conversations:,} conversations …", file=sys.stderr)
            seconds = generate(args.conversations)
            print(f"generated {args.conversations:,} conversations in {seconds:.0f} s")
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM conversations_conversation")
            print(f"conversations in the database: {cursor.fetchone()[0]:,}")
        days, seconds = refresh_summary()
        print(f"daily summary: {days} days rebuilt in {seconds:.1f} s")
        days, seconds = refresh_summary()
        print(f"daily summary again (nothing changed): {days} days in {seconds * 1000:.0f} ms")
        print(f"{'period':<9} {'query':<32} {'p50 ms':>8} {'p95 ms':>8}")
        for period, name, p50, p95 in measure(args.runs):
            print(f"{period:<9} {name:<32} {p50:>8.1f} {p95:>8.1f}", flush=True)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
