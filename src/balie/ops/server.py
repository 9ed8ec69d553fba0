"""Run the ASGI server with the embedded task worker beside it."""

from __future__ import annotations

import os
import subprocess
import sys

import uvicorn


def start_worker() -> subprocess.Popen:
    """The task worker as a child process with the same environment and settings."""
    return subprocess.Popen([sys.executable, "-m", "balie.cli", "worker"], env=os.environ.copy())


def run_server(*, host: str, port: int, with_worker: bool = True) -> None:
    worker = start_worker() if with_worker else None
    try:
        # websockets-sansio without permessage-deflate measured fastest here (ARCHITECTURE.md).
        uvicorn.run(
            "balie.conf.asgi:application",
            host=host,
            port=port,
            ws="websockets-sansio",
            ws_per_message_deflate=False,
            lifespan="off",
            log_level="warning",
            access_log=False,
        )
    finally:
        if worker is not None:
            worker.terminate()
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.kill()
