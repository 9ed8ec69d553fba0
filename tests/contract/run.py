"""The contract run: schemathesis against ``openapi.yaml`` on a real Balie server.

Starts ``balie serve`` on a free port with a fresh SQLite data dir (seeded by ``seed.py``),
runs every schemathesis phase (examples, coverage, fuzzing, stateful through the schema's
links) with all checks and the API key of the first demo municipality, and exits with
schemathesis's status. The server is stopped afterwards, also when the run fails.

    .venv/bin/python tests/contract/run.py [--max-examples N] [extra schemathesis options]

Decision 0022 says why and what it checks; ``make test-contract`` runs it.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SCHEMA = ROOT / "src/balie/api/openapi.yaml"
MAX_EXAMPLES = 200


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, server: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"balie serve stopped with status {server.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - our URL
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"balie serve did not answer {url} within {seconds} s")


def stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=40)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, default=MAX_EXAMPLES)
    parser.add_argument("--data-dir", default=str(ROOT / "var/contract"))
    options, extra = parser.parse_known_args()

    data_dir = Path(options.data_dir)
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    env = {
        **os.environ,
        "BALIE_DATA_DIR": str(data_dir),
        "BALIE_SECRET_KEY": secrets.token_urlsafe(50),
        "BALIE_LOG_LEVEL": "WARNING",
        # The run checks the contract, not the quotas (tests/api/test_unsent_quota.py and
        # tests/web/test_upload_limits.py do):
        # without this, every upload after the tenth unsent one answers 429 and the fuzzer
        # never reaches the upload's own checks again.
        "BALIE_LIMIT_UNSENT_UPLOADS": "0",
        "BALIE_LIMIT_UNSENT_UPLOAD_BYTES": "0",
    }
    env.pop("DATABASE_URL", None)  # always the fresh SQLite database
    seeded = subprocess.run(
        [sys.executable, str(ROOT / "tests/contract/seed.py")],
        env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    api_key = seeded.stdout.strip().splitlines()[-1]

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = (data_dir / "server.log").open("w")
    server = subprocess.Popen(
        [str(BIN / "balie"), "serve", "--port", str(port)],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    started = time.monotonic()
    try:
        wait_until_up(f"{base}/healthz", server)
        command = [
            str(BIN / "st"), "--config-file", str(ROOT / "tests/contract/schemathesis.toml"),
            "run", str(SCHEMA),
            "--url", base,
            "--checks", "all",
            "--max-examples", str(options.max_examples),
            "--phases", "examples,coverage,fuzzing,stateful",
            "--header", f"Authorization: Bearer {api_key}",
            "--seed", os.environ.get("CONTRACT_SEED", "1"),
            "--generation-database", "none",
            "--workers", "1",  # two workers trip CPython 3.11's ast.parse in threads
            "--no-color",
            "--report", "junit",
            "--report-dir", str(data_dir / "report"),
            *extra,
        ]  # fmt: skip
        status = subprocess.call(command, env=env, cwd=data_dir)  # its .schemathesis/ there
    finally:
        stop(server)
        log.close()
    print(f"contract run: {time.monotonic() - started:.0f} s, exit {status}; "
          f"server log in {data_dir / 'server.log'}")  # fmt: skip
    return status


if __name__ == "__main__":
    sys.exit(main())
