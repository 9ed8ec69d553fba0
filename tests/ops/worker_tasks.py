"""A task for the worker tests, imported by `balie worker` processes started from the
repository root: it notes each start in a file and, on its first run only, takes long enough
to be killed in the middle."""

from __future__ import annotations

import time
from pathlib import Path

from django_tasks import task


@task()
def note_and_wait(path: str, seconds: float) -> int:
    log = Path(path)
    runs = len(log.read_text().splitlines()) if log.exists() else 0
    with log.open("a") as out:
        out.write("started\n")
    if runs == 0:
        time.sleep(seconds)
    with log.open("a") as out:
        out.write("finished\n")
    return runs + 1
