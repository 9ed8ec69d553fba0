"""Business-or-private benchmark: what a proposal costs on this machine, on one core.

Measures, pinned to one CPU:

- the model's load time, cold: ``load()`` in fresh processes (the import of
  :mod:`balie.business.proposal` apart), the median of ``--loads`` runs;
- ``propose()`` over the whole labelled corpus, repeated until at least ``--messages``
  messages (the stemmer's cache starts empty; the first pass is also shown on its own);
- a synthetic chat of ``--long`` messages read the way a large export is, through the
  streaming :class:`balie.business.proposal.Chat` (``add`` every message, then ``propose``
  each; the messages are made twice from the same seed rather than kept);
- peak RSS of the measuring process (VmHWM), the model file's size, and the held-out figures
  (business recall, private stored, doubt share) the tests hold against the issue's bars.

    python bench/proposal.py [--messages 100000] [--long 50000] [--loads 5] [--cpu N]

Writes nothing; needs no database.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

AUTHORS = ["Sanne de Vries", "Lisa Mulder", "Rob van Leeuwen", "Mam"]


def _peak_mb() -> float:
    """This process's peak resident memory (VmHWM on Linux, else ru_maxrss)."""
    status = Path("/proc/self/status")
    if status.exists():
        return int(status.read_text().split("VmHWM:")[1].split()[0]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _rss_mb() -> float:
    import psutil

    return psutil.Process().memory_info().rss / 2**20


def measure_load() -> None:
    """Runs in a fresh process: the import, then the model's first load."""
    started = time.perf_counter()
    from balie.business import model, proposal  # noqa: F401 - the import is what is timed

    imported = time.perf_counter()
    model.load()
    loaded = time.perf_counter()
    print(json.dumps({"import": imported - started, "load": loaded - imported}))


def _long_chat(count: int, texts: list[str], seed: int = 5):
    """``count`` messages of four people, texts drawn from the corpus, minutes to hours apart;
    the same messages for the same seed."""
    from balie.business.signals import Line, Participant

    roles = [Participant.OFFICIAL, Participant.COLLEAGUE, Participant.OTHER, Participant.FAMILY]
    rng = random.Random(seed)
    at = datetime(2025, 1, 6, 8, 0)  # noqa: DTZ001 - a chat has local times
    for _ in range(count):
        at += timedelta(minutes=rng.choice([0, 1, 2, 5, 30, 240, 900]))
        who = rng.randrange(len(AUTHORS))
        media = rng.random() < 0.05
        text = "" if media else rng.choice(texts)
        yield Line(text, AUTHORS[who], at, roles[who], media=media)


def measure(args) -> None:
    """Runs in a fresh process: throughput, the long chat, memory, the held-out figures."""
    from balie.business import corpus, text
    from balie.business.evaluation import evaluate
    from balie.business.model import MODEL_FILE, load
    from balie.business.proposal import Chat, Participant, propose

    model = load()
    after_load = _rss_mb()
    chats = corpus.chats()
    per_pass = sum(len(c.lines) for c in chats)
    text.stem.cache_clear()
    done = passes = 0
    first_pass = 0.0
    started = time.perf_counter()
    while done < args.messages:
        for c in chats:
            propose(c.lines, group=c.group)
        done += per_pass
        passes += 1
        if passes == 1:
            first_pass = time.perf_counter() - started
    corpus_seconds = time.perf_counter() - started

    texts = [line.text for c in chats for line in c.lines if line.text]
    text.stem.cache_clear()
    started = time.perf_counter()
    stream = Chat(group=True)
    for line in _long_chat(args.long, texts):
        stream.add(line.text, line.author, line.at)
    added = time.perf_counter() - started
    roles = {Participant.OFFICIAL, Participant.COLLEAGUE, Participant.OTHER, Participant.FAMILY}
    verdicts: dict[str, int] = {}
    for i, line in enumerate(_long_chat(args.long, texts)):
        verdict = stream.propose(i, line, roles).verdict
        verdicts[verdict] = verdicts.get(verdict, 0) + 1
    long_seconds = time.perf_counter() - started

    _, held_out = corpus.split(chats)
    figures = evaluate(model, held_out).total
    with gzip.open(MODEL_FILE, "rb") as file:
        raw = len(file.read())
    print(json.dumps({
        "version": model.version,
        "weights": len(model.text_weights),
        "file_bytes": MODEL_FILE.stat().st_size,
        "raw_bytes": raw,
        "rss_after_load": after_load,
        "corpus_messages": per_pass,
        "corpus_chats": len(chats),
        "passes": passes,
        "done": done,
        "corpus_seconds": corpus_seconds,
        "first_pass": first_pass,
        "long": args.long,
        "long_add": added,
        "long_seconds": long_seconds,
        "long_verdicts": verdicts,
        "peak": _peak_mb(),
        "held_out_chats": len(held_out),
        "held_out_messages": figures.business + figures.private,
        "recall": figures.recall,
        "stored": figures.stored,
        "doubt": figures.doubt_share,
    }))  # fmt: skip


def _child(*flags: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, *flags], check=True, capture_output=True, text=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=100_000, help="at least this many")
    parser.add_argument("--long", type=int, default=50_000, help="messages in the long chat")
    parser.add_argument("--loads", type=int, default=5, help="fresh processes to load in")
    parser.add_argument("--cpu", type=int, help="the CPU to pin to (default: the last allowed)")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--measure-load", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure_load:
        measure_load()
        return
    if args.measure:
        measure(args)
        return
    pinned = "not pinned"
    if hasattr(os, "sched_setaffinity"):
        cpu = args.cpu if args.cpu is not None else max(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})  # the children inherit it
        pinned = f"pinned to CPU {cpu}"
    print(f"machine: {os.cpu_count()} CPUs, {platform.machine()}, {pinned}; "
          f"Python {platform.python_version()}")  # fmt: skip
    loads = [_child("--measure-load") for _ in range(args.loads)]
    r = _child("--measure", "--messages", str(args.messages), "--long", str(args.long))
    load_ms = statistics.median(x["load"] for x in loads) * 1000
    import_ms = statistics.median(x["import"] for x in loads) * 1000
    rate = r["done"] / r["corpus_seconds"]
    first = r["corpus_messages"] / r["first_pass"]
    long_rate = r["long"] / r["long_seconds"]
    verdicts = ", ".join(f"{k} {v:,}" for k, v in sorted(r["long_verdicts"].items()))
    rows = [
        ("model", f"{r['version']}, {r['weights']:,} text weights"),
        ("model file", f"{r['file_bytes'] / 1e3:,.0f} kB gzip ({r['raw_bytes'] / 1e6:.1f} MB "
                       "JSON)"),
        ("model load, cold", f"{load_ms:.0f} ms (import of balie.business.proposal "
                             f"{import_ms:.0f} ms; median of {args.loads} fresh processes)"),
        ("propose(), corpus", f"{rate:,.0f} messages/s ({r['done']:,} messages: "
                              f"{r['corpus_chats']} chats x {r['passes']}; first pass "
                              f"{first:,.0f}/s)"),
        ("streaming Chat", f"{long_rate:,.0f} messages/s (one chat of {r['long']:,}: add "
                           f"{r['long_add']:.1f} s, all {r['long_seconds']:.1f} s; {verdicts})"),
        ("RSS", f"{r['rss_after_load']:.0f} MB after load, peak {r['peak']:.0f} MB"),
        ("held out", f"recall {r['recall']:.3f}, private stored {r['stored']:.3f}, doubt "
                     f"{r['doubt']:.3f} ({r['held_out_messages']} messages, "
                     f"{r['held_out_chats']} chats)"),
    ]  # fmt: skip
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    main()
