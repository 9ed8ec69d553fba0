"""Personal-data detector benchmark: messages per second on one core, start-up, memory.

Measures, pinned to one CPU:

- ``detect()`` over every message of the labelled evaluation set (``corpus/pii``: realistic
  citizen and official chat), repeated until at least ``--messages`` messages, one message per
  call (the way the Woo workbench and ``balie pii detect`` call it), and the same messages as
  requests (``detect_all`` per conversation, with the repeats across messages);
- the start-up of ``balie pii detect``: from starting the command to its answer to one line,
  the median of ``--starts`` fresh processes;
- peak RSS of such a process after answering (VmHWM), and of this measuring process;
- the evaluation's recall and precision (the development set, the first held-out set, and
  the second held-out set that is never tuned on);
- with ``--deduce``: the same for the ``deduce`` package (its ``Deduce()`` start, its
  messages per second and its recall on the same set, scored the same way: every labelled
  span covered by any of its annotations), for comparison.

    python bench/pii.py [--messages 50000] [--starts 5] [--cpu N] [--deduce]

Writes nothing; needs no database.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
CORPUS = ROOT / "corpus" / "pii"


def _peak_mb() -> float:
    status = Path("/proc/self/status")
    return int(status.read_text().split("VmHWM:")[1].split()[0]) / 1024


def _balie() -> str:
    return shutil.which("balie") or str(Path(sys.executable).with_name("balie"))


PROBE = (
    "import sys,time; t=time.perf_counter(); from balie.pii.cli import main; sys.argv=['balie']; "
)


def start_up(starts: int, cpu: int | None) -> tuple[float, float]:
    """Seconds from exec to the answer to one line, and the peak RSS of that process."""
    times, peaks = [], []
    pin = ["taskset", "-c", str(cpu)] if cpu is not None and shutil.which("taskset") else []
    script = (
        "import os, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        f"p = subprocess.Popen({pin + [_balie(), 'pii', 'detect']!r}, stdin=subprocess.PIPE,"
        " stdout=subprocess.PIPE, text=True)\n"
        "p.stdin.write('mevrouw Bakker, BSN 111222333\\n'); p.stdin.flush()\n"
        "line = p.stdout.readline()\n"
        "elapsed = time.perf_counter() - t\n"
        "status = open(f'/proc/{p.pid}/status').read()\n"
        "peak = int(status.split('VmHWM:')[1].split()[0]) / 1024\n"
        "p.stdin.close(); p.wait()\n"
        "assert 'bsn' in line, line\n"
        "print(elapsed, peak)\n"
    )
    for _ in range(starts):
        out = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, check=True
        ).stdout.split()
        times.append(float(out[0]))
        peaks.append(float(out[1]))
    return statistics.median(times), max(peaks)


def throughput(texts: list[str], minimum: int) -> tuple[float, int]:
    from balie.pii import detect

    for text in texts[:50]:
        detect(text)  # lists read, caches warm
    count, started = 0, time.perf_counter()
    while count < minimum:
        for text in texts:
            detect(text)
        count += len(texts)
    return count / (time.perf_counter() - started), count


def request_throughput(conversations, minimum: int) -> float:
    from balie.pii import detect_all

    count, started = 0, time.perf_counter()
    while count < minimum:
        for conversation in conversations:
            detect_all([m.text for m in conversation.messages], conversation.context or None)
            count += len(conversation.messages)
    return count / (time.perf_counter() - started)


def deduce_figures(conversations, minimum: int) -> dict[str, float]:
    started = time.perf_counter()
    from deduce import Deduce  # noqa: PLC0415 - only for the comparison

    model = Deduce()
    load = time.perf_counter() - started
    texts = [m.text for c in conversations for m in c.messages]
    count, started = 0, time.perf_counter()
    while count < minimum:
        for text in texts:
            model.deidentify(text)
        count += len(texts)
    speed = count / (time.perf_counter() - started)
    labelled = found = 0
    for conversation in conversations:
        for message in conversation.messages:
            annotations = model.deidentify(message.text).annotations
            covered = set()
            for a in annotations:
                covered |= set(range(a.start_char, a.end_char))
            for start, end, _category in message.spans:
                labelled += 1
                need = {i for i in range(start, end) if message.text[i].isalnum()}
                found += need <= covered
    return {
        "load_s": load,
        "messages_per_s": speed,
        "recall_any_category": found / labelled,
        "peak_rss_mb": _peak_mb(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=50_000)
    parser.add_argument("--starts", type=int, default=5)
    parser.add_argument("--cpu", type=int, default=None, help="pin to this CPU (default: last)")
    parser.add_argument("--deduce", action="store_true", help="measure deduce for comparison")
    args = parser.parse_args()
    cpu = args.cpu if args.cpu is not None else (os.cpu_count() or 1) - 1
    os.sched_setaffinity(0, {cpu})

    from balie.pii.evaluation import evaluate, read_corpus

    development = read_corpus(CORPUS.glob("*.txt"))
    held_out = read_corpus((CORPUS / "held-out").glob("*.txt"))
    unseen = read_corpus((CORPUS / "held-out-2").glob("*.txt"))
    everything = development + held_out
    texts = [m.text for c in everything for m in c.messages]
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}, pinned to CPU {cpu}"
    )
    print(
        f"messages in the set: {len(texts)}, mean {sum(map(len, texts)) / len(texts):.0f} "
        "characters"
    )

    seconds, child_peak = start_up(args.starts, cpu)
    print(
        f"balie pii detect start-up to first answer: {seconds:.2f} s (median of "
        f"{args.starts}), peak RSS {child_peak:.0f} MB"
    )
    speed, count = throughput(texts, args.messages)
    print(f"detect(), one message per call: {speed:,.0f} messages/s ({count:,} messages)")
    print(
        f"detect_all(), per conversation: {request_throughput(everything, args.messages):,.0f}"
        " messages/s"
    )
    print(f"peak RSS of this process: {_peak_mb():.0f} MB")
    for name, conversations in (
        ("development", development),
        ("held out (tuned on since)", held_out),
        ("held out, never tuned on", unseen),
    ):
        report = evaluate(conversations)
        print(f"\n{name}: {report.messages} messages\n{report.table()}")
    if args.deduce:
        figures = deduce_figures(everything, min(args.messages, 5_000))
        print("\ndeduce " + json.dumps({k: round(v, 3) for k, v in figures.items()}))


if __name__ == "__main__":
    main()
