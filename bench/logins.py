"""Login benchmark: memory and time of concurrent password checks, Django's Argon2 vs Balie's.

    python bench/logins.py [--logins 8] [--concurrency 2]

For each hasher, a fresh process hashes one password, then checks it from --logins threads
at once (what that many simultaneous console logins cost; the database lookup around it is
negligible). Prints the process's RSS before, its peak RSS, and the time per login (the
longest is the last one let through the semaphore). ``django``: Django's Argon2PasswordHasher
(m=100 MiB, t=2, p=8, no bound), as before; ``balie``: accounts.passwords (m=19 MiB, t=2,
p=1, at most --concurrency at once). Not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time

HASHERS = {
    "django": "django.contrib.auth.hashers.Argon2PasswordHasher",
    "balie": "balie.accounts.passwords.BalieArgon2PasswordHasher",
}
PASSWORD = "correct-horse-battery"  # noqa: S105 - a benchmark's


def _rss_mib() -> float:
    import psutil

    return psutil.Process().memory_info().rss / 2**20


def child(hasher: str, logins: int, concurrency: int) -> dict:
    os.environ.update({"DJANGO_SETTINGS_MODULE": "balie.conf.settings",
                       "BALIE_DATA_DIR": tempfile.mkdtemp(prefix="balie-bench-logins-"),
                       "BALIE_PASSWORD_HASH_CONCURRENCY": str(concurrency)})  # fmt: skip
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.hashers import check_password, make_password

    settings.PASSWORD_HASHERS = [HASHERS[hasher]]
    encoded = make_password(PASSWORD)
    before = _rss_mib()
    start = threading.Barrier(logins)
    durations: list[float] = []

    def login() -> None:
        start.wait()
        began = time.perf_counter()
        assert check_password(PASSWORD, encoded)
        durations.append(time.perf_counter() - began)

    threads = [threading.Thread(target=login) for _ in range(logins)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    return {
        "hasher": hasher,
        "parameters": encoded.split("$")[3],
        "rss_before_mib": round(before),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "mean_login_s": round(sum(durations) / len(durations), 3),
        "slowest_login_s": round(max(durations), 3),
        "all_logins_s": round(wall, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--logins", type=int, default=8)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--child", choices=sorted(HASHERS), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.logins, args.concurrency)))
        return
    print(f"{args.logins} concurrent logins, BALIE_PASSWORD_HASH_CONCURRENCY={args.concurrency}")
    for hasher in ("django", "balie"):
        command = [sys.executable, __file__, "--child", hasher]
        command += ["--logins", str(args.logins), "--concurrency", str(args.concurrency)]
        result = json.loads(subprocess.run(command, check=True, capture_output=True).stdout)
        print(
            f"{hasher:7} {result['parameters']:22} RSS {result['rss_before_mib']:4} MiB -> peak "
            f"{result['peak_rss_mib']:4} MiB; per login mean {result['mean_login_s']} s, "
            f"slowest {result['slowest_login_s']} s; all {result['all_logins_s']} s"
        )


if __name__ == "__main__":
    main()
