"""Archive benchmark: how fast the hash chain is written and verified.

    python bench/archive.py [--events 200000] [--batch 200] [--database-url URL]

Creates a fresh temporary SQLite database (or, with --database-url, writes into that
PostgreSQL database: give it a throwaway one), appends --events archive events of realistic
message size in batches of --batch (as the group-commit writer does), then runs the same
verification as `balie verify`. Prints events/s for both and the peak RSS. Not a test.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

_SENTENCES = (
    "goedemiddag ik heb een vraag over mijn paspoort rijbewijs afspraak parkeervergunning "
    "container grofvuil lantaarnpaal kapot melding gemeente wanneer kan ik langskomen dank u "
    "wel de straat is niet geveegd mijn adres is gewijzigd hoe vraag ik een uittreksel aan"
)
WORDS = _SENTENCES.split()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--database-url", default="", help="e.g. postgres://postgres@127.0.0.1/x")
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="balie-bench-archive-"))
    os.environ.update({"DJANGO_SETTINGS_MODULE": "balie.conf.settings",
                       "BALIE_DATA_DIR": str(data_dir)})  # fmt: skip
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    try:
        run(args)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def run(args) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from balie.archive.actions import record_events
    from balie.archive.verification import verify_organisation
    from balie.tenants.actions import do_create_organisation

    call_command("migrate", verbosity=0)
    slug = f"bench-{int(time.time())}"  # a new chain, also in a database used before
    organisation = do_create_organisation(name="Benchstad", slug=slug)
    rng = random.Random(7)
    print(f"machine: {os.cpu_count()} CPUs; Python {sys.version.split()[0]}; {connection.vendor}")

    started = time.perf_counter()
    written = 1  # organisation.created
    while written < args.events:
        size = min(args.batch, args.events - written)
        rows = [_row(organisation.pk, written + i, rng, timezone.now()) for i in range(size)]
        with transaction.atomic():
            record_events(rows)
        written += size
    write_seconds = time.perf_counter() - started
    print(f"append: {written:,} events in {write_seconds:.1f} s = "
          f"{written / write_seconds:,.0f} events/s (batches of {args.batch})")  # fmt: skip

    started = time.perf_counter()
    checked, found = verify_organisation(organisation.pk)
    verify_seconds = time.perf_counter() - started
    assert found is None, found
    print(f"verify: {checked:,} events in {verify_seconds:.1f} s = "
          f"{checked / verify_seconds:,.0f} events/s")  # fmt: skip
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {peak:.0f} MiB")


def _row(organisation_id: int, n: int, rng: random.Random, now) -> dict:
    body = " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 40)))
    return {
        "organisation_id": organisation_id,
        "conversation_id": 1 + n // 20,
        "event_type": "message.created",
        "payload": {
            "message_id": n,
            "seq": n % 20 + 1,
            "direction": "inbound",
            "body": body,
            "client_id": f"bench-{n}",
            "attachments": [],
        },  # fmt: skip
        "actor_id": None,
        "api_key_id": None,
        "actor_kind": "resident",
        "created_at": now,
    }


if __name__ == "__main__":
    main()
