"""Woo publication benchmark: a request of 200 conversations and 10,000 messages, from the
detector's proposals to the complete package.

Makes a fresh SQLite database in a temporary data directory (or uses ``--database-url``),
writes the conversations and their messages with bulk inserts (realistic citizen chat from
the PII evaluation set, so the detector has real work), registers a Woo request, collects
every conversation as a document (which places a hold on each), lets ``balie.pii`` propose
over the whole request, accepts every proposal, decides every document *deels openbaar*, and
builds the package (a PDF/A per document, the inventarislijst as CSV and XLSX, the zip).
Prints the seconds of each step and the peak RSS.

    python bench/publication.py [--conversations 200] [--messages 10000]

Goal (issue 14): the complete package in < 60 s and < 500 MB on this machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def _peak_mb() -> float:
    status = Path("/proc/self/status").read_text()
    return int(status.split("VmHWM:")[1].split()[0]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=200)
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="balie-bench-publication-"))
    os.environ.update(
        {"DJANGO_SETTINGS_MODULE": "balie.conf.settings", "BALIE_DATA_DIR": str(data_dir)}
    )
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
    from django.db import connection
    from django.utils import timezone

    from balie.accounts.actions import do_create_staff_user, do_set_membership
    from balie.accounts.models import Role
    from balie.conversations import actions
    from balie.conversations.models import Direction, Message
    from balie.pii.evaluation import read_corpus
    from balie.tenants.actions import do_create_organisation
    from balie.woo.actions import do_register_request
    from balie.woo.models import Decision, Redaction, RedactionState
    from balie.woo.package import build_package
    from balie.woo.review import do_collect, do_decide_document, do_propose_redactions

    call_command("migrate", verbosity=0)
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs; Python "
          f"{platform.python_version()}; {connection.vendor}")  # fmt: skip
    organisation = do_create_organisation(
        name="Gemeente Benchstad", slug=f"b{int(time.time())}", gemeentecode="0344"
    )
    coordinator = do_create_staff_user(username=f"woo{organisation.pk}", password="x" * 20)
    do_set_membership(coordinator, organisation, Role.WOO_OFFICER)
    actions.do_create_team(organisation, name="Algemeen", is_default=True)
    texts = [
        m.text for c in read_corpus((ROOT / "corpus" / "pii").glob("*.txt")) for m in c.messages
    ]
    per_conversation = max(1, args.messages // args.conversations)
    started = time.perf_counter()
    conversation_ids, rows, n = [], [], 0
    now = timezone.now() - timedelta(days=30)
    for c in range(args.conversations):
        conversation, _ = actions.do_start_webchat(organisation)
        conversation_ids.append(conversation.pk)
        for seq in range(1, per_conversation + 1):
            rows.append(Message(
                organisation=organisation, conversation=conversation, seq=seq,
                direction=Direction.INBOUND if seq % 2 else Direction.OUTBOUND,
                body=texts[n % len(texts)], client_id=f"bench-{c}-{seq}",
                created_at=now + timedelta(minutes=n),
            ))  # fmt: skip
            n += 1
    Message.objects.bulk_create(rows, batch_size=2000)
    print(f"setup: {args.conversations} conversations, {len(rows)} messages, "
          f"{time.perf_counter() - started:.1f} s (not counted)")  # fmt: skip

    timings = {}
    started = time.perf_counter()
    request = do_register_request(
        organisation.pk, actor=coordinator, reference="WOO-BENCH-1",
        received_on=timezone.localdate().isoformat(), subject="Alles",
    )  # fmt: skip
    documents = do_collect(
        request, actor=coordinator, conversation_ids=conversation_ids, found_by="alles"
    )
    timings["register + collect (holds)"] = time.perf_counter() - started
    started = time.perf_counter()
    proposals = do_propose_redactions(request, actor=coordinator)
    timings[f"detector proposals ({proposals})"] = time.perf_counter() - started
    started = time.perf_counter()
    Redaction.objects.filter(document__request=request).update(state=RedactionState.ACCEPTED)
    for document in documents:
        do_decide_document(
            document, actor=coordinator, decision=Decision.PARTLY_PUBLIC, grounds=["5.1.2e"]
        )
    timings["accept all, decide every document"] = time.perf_counter() - started
    started = time.perf_counter()
    package = build_package(request)
    archive = package.zip()
    timings[f"package ({len(package.files)} files)"] = time.perf_counter() - started
    total = sum(timings.values())
    for step, seconds in timings.items():
        print(f"{step:40} {seconds:7.2f} s")
    print(f"{'total':40} {total:7.2f} s; zip {len(archive) / 1e6:.1f} MB; "
          f"peak RSS {_peak_mb():.0f} MB")  # fmt: skip


if __name__ == "__main__":
    main()
