"""Search benchmark: latency of typical searches over many generated Dutch messages.

Makes a fresh database (SQLite in a temporary data directory, or the PostgreSQL database
``--database-url`` names, dropped and created anew), generates conversations of a
municipality's KCC over three years (paspoort, rijbewijs, parkeervergunning, afvalcontainer,
bijstand, verhuizing, WOZ, …; residents, agents and internal notes; several teams, contacts,
statuses and labels) and writes them with bulk inserts straight into the tables, the search
index included (not through the archive: that would take hours). Then it runs five typical
searches through ``balie.search.selectors.search_messages`` (count, page, snippets and the
audit entry: what a request costs minus HTTP) and prints p50/p95 per search.

    python bench/search.py [--messages 1000000] [--runs 40]
                           [--database-url postgres://postgres@127.0.0.1:5432/balie_bench_search]
                           [--keep DIR [--measure-only]]

Only talks to the local database; removes its temporary data directory at the end.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

SUBJECTS = {
    "paspoort": (
        [
            "Mijn paspoort is verlopen, hoe vraag ik een nieuw paspoort aan?",
            "Ik wil graag een afspraak maken voor een nieuw paspoort.",
            "Kan ik mijn paspoort ook ophalen op zaterdag?",
            "Mijn paspoort is gestolen, wat moet ik doen?",
            "Hoe lang duurt het voordat mijn paspoort klaar is?",
        ],
        [
            "U kunt online een afspraak maken voor uw paspoort.",
            "Neem een pasfoto en uw oude paspoort mee naar de afspraak.",
            "Een paspoort is meestal na vijf werkdagen klaar.",
            "Van diefstal doet u eerst aangifte bij de politie.",
        ],
    ),
    "rijbewijs": (
        [
            "Mijn rijbewijs verloopt volgende maand, kan ik het online verlengen?",
            "Ik ben mijn rijbewijs kwijt, wat kost een nieuw rijbewijs?",
            "Moet ik een gezondheidsverklaring hebben voor mijn rijbewijs?",
        ],
        [
            "U kunt uw rijbewijs verlengen met DigiD.",
            "Een vervangend rijbewijs vraagt u aan bij de balie.",
        ],
    ),
    "parkeervergunning": (
        [
            "Mijn parkeervergunning is verlopen, hoe verleng ik die?",
            "Ik heb een nieuwe auto, moet ik mijn parkeervergunning wijzigen?",
            "Hoe lang is de wachtlijst voor een parkeervergunning in de binnenstad?",
            "Kan ik een bezoekersvergunning krijgen voor mijn moeder?",
        ],
        [
            "Het kenteken op uw parkeervergunning wijzigt u in Mijn Gemeente.",
            "De wachtlijst voor vergunningen in de binnenstad is ongeveer acht maanden.",
            "Een bezoekersvergunning vraagt u online aan.",
        ],
    ),
    "afvalcontainer": (
        [
            "Mijn afvalcontainer is niet geleegd, wanneer komen ze wel?",
            "De container voor plastic is kapot, kan ik een nieuwe krijgen?",
            "Hoe meld ik grofvuil aan?",
            "Er staat al dagen afval naast de ondergrondse container.",
        ],
        [
            "Wij hebben een melding gemaakt, de container wordt deze week geleegd.",
            "Een nieuwe afvalcontainer wordt binnen tien werkdagen bezorgd.",
            "Grofvuil meldt u aan via de afvalkalender.",
        ],
    ),
    "bijstand": (
        [
            "Ik heb mijn baan verloren, kan ik een bijstandsuitkering aanvragen?",
            "Mijn uitkering is deze maand niet betaald.",
            "Moet ik een wijziging in mijn inkomen doorgeven?",
        ],
        [
            "U kunt bijstand aanvragen via het werkplein.",
            "Een wijziging in uw inkomen geeft u binnen een week door.",
            "De betaling van uw uitkering is onderweg.",
        ],
    ),
    "verhuizing": (
        [
            "Ik ga verhuizen, hoe geef ik mijn nieuwe adres door?",
            "Mijn verhuizing is nog niet verwerkt in de basisregistratie.",
            "Kan ik de verhuizing van mijn kinderen ook doorgeven?",
        ],
        [
            "Een verhuizing geeft u door met DigiD, tot vier weken vooraf.",
            "Wij verwerken uw verhuizing binnen vijf werkdagen.",
        ],
    ),
    "woz": (
        [
            "Ik ben het niet eens met de WOZ-waarde van mijn woning.",
            "Hoe maak ik bezwaar tegen de WOZ-beschikking?",
            "Waarom is de WOZ-waarde zo hoog dit jaar?",
        ],
        [
            "Bezwaar tegen de WOZ-waarde maakt u binnen zes weken.",
            "De taxatieverslag van uw woning vindt u in Mijn Gemeente.",
        ],
    ),
    "overlast": (
        [
            "Mijn buren maken elke nacht geluidsoverlast.",
            "Er ligt een kapotte lantaarnpaal in onze straat.",
            "De stoep bij ons is gevaarlijk door losse tegels.",
        ],
        [
            "Wij sturen een medewerker van de buitendienst langs.",
            "Uw melding over de openbare ruimte is doorgezet.",
        ],
    ),
}
OPENERS = ["Goedemorgen,", "Goedemiddag,", "Hallo,", "Beste gemeente,", "Hoi,", ""]
CLOSERS = ["Alvast bedankt.", "Met vriendelijke groet.", "Graag een reactie.", "Dank u wel!", ""]
AGENT_OPENERS = ["Dank voor uw bericht.", "Goedemiddag,", "Bedankt voor uw vraag.", ""]
AGENT_CLOSERS = ["Heeft u nog andere vragen?", "Met vriendelijke groet, team KCC.", ""]
NOTES = [
    "Inwoner eerder gebeld over {s}, doorverwezen naar vakafdeling.",
    "Terugbelverzoek over {s} ingepland voor morgen.",
    "Zaak aangemaakt in het zaaksysteem voor {s}.",
]
STREETS = ["Oudegracht", "Amsterdamsestraatweg", "Biltstraat", "Kanaalstraat", "Vleutenseweg"]
TEAMS = ["Algemeen", "Burgerzaken", "Parkeren", "Afval en buitenruimte", "Werk en inkomen"]
TEAM_OF = {
    "paspoort": 1,
    "rijbewijs": 1,
    "verhuizing": 1,
    "parkeervergunning": 2,
    "afvalcontainer": 3,
    "overlast": 3,
    "bijstand": 4,
    "woz": 0,
}
STATUSES = ["closed"] * 6 + ["resolved"] * 2 + ["open", "pending"]
CHANNELS = ["webchat"] * 6 + ["whatsapp"] * 2 + ["sms", "email"]
START = datetime(2023, 1, 2, tzinfo=UTC)
SPAN = timedelta(days=3 * 365)


def resident_text(rng: random.Random, subject: str) -> str:
    questions, _ = SUBJECTS[subject]
    parts = [rng.choice(OPENERS), rng.choice(questions)]
    if rng.random() < 0.3:
        parts.append(f"Ik woon aan de {rng.choice(STREETS)} {rng.randint(1, 300)}.")
    parts.append(rng.choice(CLOSERS))
    return " ".join(p for p in parts if p)


def agent_text(rng: random.Random, subject: str) -> str:
    _, answers = SUBJECTS[subject]
    parts = [rng.choice(AGENT_OPENERS), rng.choice(answers), rng.choice(AGENT_CLOSERS)]
    return " ".join(p for p in parts if p)


def setup_django(args) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "balie.conf.settings"
    os.environ["BALIE_DATA_DIR"] = args.data_dir
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
        if not args.measure_only:
            _recreate_postgres(args.database_url)
    else:
        os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _recreate_postgres(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def generate(args) -> dict:
    from django.db import connection, transaction

    from balie.accounts.actions import do_create_staff_user, do_set_membership
    from balie.accounts.models import Role
    from balie.conversations.models import Contact, Conversation, Label, Team
    from balie.search.text import folded_words, index_terms
    from balie.tenants.actions import do_create_organisation

    rng = random.Random(42)
    org = do_create_organisation(name="Gemeente Benchstad", slug="benchstad", gemeentecode="0344")
    other = do_create_organisation(name="Gemeente Elders", slug="elders", gemeentecode="0014")
    woo = do_create_staff_user(username="woo", password="x" * 12, first_name="Woo")
    do_set_membership(woo, org, Role.WOO_OFFICER)
    agent = do_create_staff_user(username="agent", password="x" * 12, first_name="Agent")
    do_set_membership(agent, org, Role.AGENT)
    teams = [Team.objects.create(organisation=org, name=name) for name in TEAMS]
    teams[2].members.add(agent)
    Team.objects.create(organisation=other, name="Algemeen")
    labels = [Label.objects.create(organisation=org, name=n) for n in ("spoed", "klacht", "woo")]
    per_conversation = 8
    n_conversations = max(1, args.messages // per_conversation)
    contacts = Contact.objects.bulk_create(
        [Contact(organisation=org, name=f"Inwoner {i}") for i in range(n_conversations // 3 + 1)],
        batch_size=5000,
    )
    postgres = connection.vendor == "postgresql"
    if postgres:
        from balie.search import partitions

        months, month = set(), partitions.month_of(START)
        while month <= partitions.month_of(START + SPAN + timedelta(days=2)):
            months.add(month)
            month = partitions.next_month(month)
        with transaction.atomic(), connection.cursor() as cursor:
            partitions.ensure(cursor, months)  # the monthly partitions, before COPY
        with connection.cursor() as cursor:
            cursor.execute("DROP INDEX search_entry_document")
    started = time.perf_counter()
    subjects = list(SUBJECTS)
    message_id = 0
    done = 0
    batch_conversations = 2000
    for first in range(0, n_conversations, batch_conversations):
        size = min(batch_conversations, n_conversations - first)
        plans = []
        conversations = []
        for i in range(first, first + size):
            subject = rng.choice(subjects)
            at = START + SPAN * (i / n_conversations) + timedelta(minutes=rng.randint(0, 600))
            conversations.append(
                Conversation(
                    organisation=org if i % 50 else other,
                    channel=rng.choice(CHANNELS),
                    status=rng.choice(STATUSES),
                    contact=rng.choice(contacts),
                    team=teams[TEAM_OF[subject]] if i % 50 else None,
                    subject=subject.capitalize(),
                    case_reference=f"Z-{at.year}-{i:06d}" if rng.random() < 0.2 else "",
                    last_seq=per_conversation,
                    language="nl",
                )
            )
            plans.append((subject, at))
        with transaction.atomic():
            created = Conversation.objects.bulk_create(conversations)
            through = Conversation.labels.through
            tagged = [
                through(conversation_id=c.pk, label_id=rng.choice(labels).pk)
                for c in created
                if rng.random() < 0.15
            ]
            through.objects.bulk_create(tagged)
            label_of = {t.conversation_id: t.label_id for t in tagged}
            rows, entries = [], []
            for conversation, (subject, at) in zip(created, plans, strict=True):
                for seq in range(1, per_conversation + 1):
                    roll = rng.random()
                    if roll < 0.08:
                        direction, body = "note", rng.choice(NOTES).format(s=subject)
                    elif seq % 2:
                        direction, body = "inbound", resident_text(rng, subject)
                    else:
                        direction, body = "outbound", agent_text(rng, subject)
                    message_id += 1
                    when = at + timedelta(minutes=3 * seq)
                    rows.append(
                        (
                            message_id,
                            conversation.organisation_id,
                            conversation.pk,
                            seq,
                            direction,
                            None if direction == "inbound" else agent.pk,
                            body,
                            f"b{message_id}",
                            "sent",
                            "",
                            when,
                        )
                    )
                    terms = folded_words(body) if postgres else index_terms(body)
                    entries.append(
                        (
                            message_id,
                            conversation.organisation_id,
                            conversation.pk,
                            when,
                            direction,
                            conversation.status,
                            conversation.channel,
                            conversation.team_id,
                            conversation.record_class_id,
                            [label_of[conversation.pk]] if conversation.pk in label_of else [],
                            terms,
                        )
                    )
            _insert(connection, rows, entries, postgres)
        done += len(rows)
        rate = done / (time.perf_counter() - started)
        print(f"\r  {done:,} messages ({rate:,.0f}/s)", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    if postgres:
        with connection.cursor() as cursor:
            t = time.perf_counter()
            cursor.execute(
                "CREATE INDEX search_entry_document ON search_entry "
                "USING gin (document, status, channel, team_id, record_class_id, labels)"
            )
            print(f"  GIN index built in {time.perf_counter() - t:.0f} s", file=sys.stderr)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if postgres else "ANALYZE")
    return {
        "org": org,
        "woo": woo,
        "agent": agent,
        "teams": teams,
        "generation_s": time.perf_counter() - started,
    }


def _insert(connection, rows, entries, postgres: bool) -> None:
    columns = (
        "id, organisation_id, conversation_id, seq, direction, author_id, body, client_id, "
        "delivery_status, author_name, created_at"
    )
    with connection.cursor() as cursor:
        if postgres:
            raw = cursor.cursor  # psycopg's own cursor: COPY
            with raw.copy(f"COPY conversations_message ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            raw.execute(
                "CREATE TEMP TABLE IF NOT EXISTS staging (id bigint, organisation_id bigint, "
                "conversation_id bigint, created_at timestamptz, direction text, status text, "
                "channel text, team_id bigint, record_class_id bigint, labels bigint[], "
                "words text)"
            )
            raw.execute("TRUNCATE staging")
            staged = (
                "id, organisation_id, conversation_id, created_at, direction, status, channel, "
                "team_id, record_class_id, labels, words"
            )
            with raw.copy(f"COPY staging ({staged}) FROM STDIN") as copy:
                for entry in entries:
                    copy.write_row(entry)
            raw.execute(
                "INSERT INTO search_entry (message_id, organisation_id, conversation_id, "
                "created_at, direction, status, channel, team_id, record_class_id, labels, "
                "terms, document) SELECT id, organisation_id, conversation_id, created_at, "
                "direction, status, channel, team_id, record_class_id, labels, '', "
                "to_tsvector('dutch', words) "
                "FROM staging"
            )
        else:
            marks = ", ".join(["%s"] * 11)
            cursor.executemany(
                f"INSERT INTO conversations_message ({columns}) VALUES ({marks})",  # noqa: S608
                [(*r[:-1], connection.ops.adapt_datetimefield_value(r[-1])) for r in rows],
            )
            cursor.executemany(
                "INSERT INTO search_entry (message_id, organisation_id, conversation_id, "
                "created_at, direction, status, channel, team_id, record_class_id, terms) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                [
                    (*e[:3], connection.ops.adapt_datetimefield_value(e[3]), *e[4:9], e[10])
                    for e in entries
                ],
            )


def existing() -> dict:
    """The people and teams of a database generated before (--measure-only)."""
    from balie.accounts.models import User
    from balie.conversations.models import Team
    from balie.tenants.models import Organisation

    org = Organisation.objects.get(slug="benchstad")
    return {
        "org": org,
        "woo": User.objects.get(username="woo"),
        "agent": User.objects.get(username="agent"),
        "teams": list(Team.objects.filter(organisation=org).order_by("pk")),
    }


def queries(data) -> list[tuple[str, object, dict]]:
    year = {"from": "2025-01-01", "to": "2025-12-31"}
    parking_team = str(data["teams"][2].pk)
    return [
        ("'paspoort verlopen', relevance (woo officer)", data["woo"], {"q": "paspoort verlopen"}),
        (
            "'parkeervergunning' + team + 2025, by date (agent in that team)",
            data["agent"],
            {"q": "parkeervergunning", "team": parking_team, **year, "sort": "date"},
        ),
        ("'afval*' prefix, relevance (woo officer)", data["woo"], {"q": "afval*"}),
        ("'\"nieuw paspoort\"' phrase, relevance", data["woo"], {"q": '"nieuw paspoort"'}),
        (
            "'graag' + status open, by date",
            data["woo"],
            {"q": "graag", "status": "open", "sort": "date"},
        ),
    ]


def narrow_queries(data) -> list[tuple[str, object, dict]]:
    """More of the slowest kind (--narrow): a very common word narrowed by a conversation
    filter to fewer results than the window, so every match of the word is a candidate."""
    from balie.conversations.models import Conversation, Label

    org = data["org"]
    contact = Conversation.objects.filter(organisation=org).order_by("-pk")[500].contact_id
    label = Label.objects.get(organisation=org, name="klacht").name
    return [
        (
            "'graag' + channel sms, by date",
            data["woo"],
            {"q": "graag", "channel": "sms", "sort": "date"},
        ),
        (
            "'graag' + label klacht, by date",
            data["woo"],
            {"q": "graag", "label": label, "sort": "date"},
        ),
        ("'graag' + one contact (agent)", data["agent"], {"q": "graag", "contact": str(contact)}),
    ]


def measure(data, runs: int, narrow: bool = False) -> list[tuple[str, float, float, str]]:
    from balie.search.params import parse_search
    from balie.search.selectors import search_messages

    org = data["org"]
    results = []
    chosen = queries(data) + (narrow_queries(data) if narrow else [])
    for name, actor, params in chosen:
        timings, total = [], ""
        for run in range(runs + 3):
            t = time.perf_counter()
            page = search_messages(actor, org, parse_search(org.pk, params))
            elapsed = (time.perf_counter() - t) * 1000
            total = f"{page.total:,}" + ("" if page.exact else "+")
            if run >= 3:
                timings.append(elapsed)
        timings.sort()
        p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
        results.append((name, statistics.median(timings), p95, total))
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--database-url", default="", help="PostgreSQL; default: SQLite")
    parser.add_argument("--keep", metavar="DIR", help="data directory to use and keep")
    parser.add_argument(
        "--measure-only",
        action="store_true",
        help="search the data generated before with --keep DIR (and --database-url)",
    )
    parser.add_argument(
        "--narrow",
        action="store_true",
        help="also a common word narrowed by channel, label and contact",
    )
    args = parser.parse_args(argv)
    args.data_dir = args.keep or tempfile.mkdtemp(prefix="balie-bench-search-")
    Path(args.data_dir).mkdir(parents=True, exist_ok=True)
    try:
        setup_django(args)
        from django.db import connection

        print(
            f"machine: {os.cpu_count()} CPUs, {platform.processor() or platform.machine()}; "
            f"Python {platform.python_version()}; database: {connection.vendor}"
        )
        if args.measure_only:
            data = existing()
        else:
            print(f"generating {args.messages:,} messages …", file=sys.stderr)
            data = generate(args)
            print(f"generated {args.messages:,} messages in {data['generation_s']:.0f} s")
        print(f"{'search':<66} {'p50 ms':>8} {'p95 ms':>8} {'results':>9}")
        for name, p50, p95, total in measure(data, args.runs, args.narrow):
            print(f"{name:<66} {p50:>8.1f} {p95:>8.1f} {total:>9}")
    finally:
        if not args.keep:
            shutil.rmtree(args.data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
