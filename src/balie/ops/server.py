"""Run the ASGI server with the embedded task worker beside it; stop both together.

Stopping drains the node (docs/operations/scale-out.md, "Stopping a node"): on SIGTERM the
node reports itself not ready (``/readyz`` 503) and keeps serving for
``BALIE_DRAIN_DELAY_SECONDS`` so a load balancer can take it out; then it stops accepting,
closes every socket with 1012 ("service restart": the pages reconnect, to another node, and
resume from their last sequence), lets requests and sends in flight finish for at most
``BALIE_DRAIN_SECONDS``, and exits.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from types import FrameType

import uvicorn
from django.conf import settings

from balie.conf import lifecycle

# How long a stopping worker may take to finish its current task before it is killed.
WORKER_STOP_SECONDS = 30
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def _raise_stop(signum: int, frame: FrameType | None) -> None:
    """SIGTERM as SIGINT already is: leave the server, then stop the worker."""
    raise KeyboardInterrupt


def start_worker() -> subprocess.Popen:
    """The task worker as a child process with the same environment and settings.

    In its own session, so a terminal's Ctrl+C reaches only the server, which then sends the
    worker one SIGTERM: a second signal would make the worker abandon its current task.
    """
    return subprocess.Popen(
        [sys.executable, "-m", "balie.cli", "worker"],
        env=os.environ.copy(),
        start_new_session=True,
    )


def stop_worker(worker: subprocess.Popen) -> None:
    """SIGTERM lets the worker finish its current task (bounded), then it exits."""
    worker.terminate()
    try:
        worker.wait(timeout=WORKER_STOP_SECONDS)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


class DrainingServer(uvicorn.Server):
    """uvicorn, reporting itself draining at the first stop signal and stopping after the
    drain delay; a second SIGINT still stops at once (uvicorn's forced exit)."""

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        lifecycle.start_draining()
        delay = settings.DRAIN_DELAY_SECONDS
        if self.should_exit or delay <= 0 or self._stop_pending:
            super().handle_exit(sig, frame)
            return
        self._stop_pending = True
        timer = threading.Timer(delay, super().handle_exit, (sig, frame))
        timer.daemon = True
        timer.start()

    _stop_pending = False


def run_server(*, host: str, port: int, with_worker: bool = True) -> None:
    """Serve until SIGTERM or SIGINT, then stop the worker and return (exit status 0).

    uvicorn shuts down gracefully on these signals and then raises the signal again under the
    handler that was there before it; that handler is ``_raise_stop`` here, so the worker is
    stopped in ``finally`` instead of the process dying with the worker orphaned.
    """
    previous = {signum: signal.signal(signum, _raise_stop) for signum in STOP_SIGNALS}
    worker = None
    try:
        worker = start_worker() if with_worker else None
        # websockets-sansio without permessage-deflate measured fastest here (ARCHITECTURE.md).
        config = uvicorn.Config(
            "balie.conf.asgi:application",
            host=host,
            port=port,
            ws="websockets-sansio",
            ws_per_message_deflate=False,
            lifespan="off",
            log_level="warning",
            log_config=None,  # uvicorn's records go through Balie's private formatter
            access_log=False,  # it would print every path with its query string
            # In-flight requests and sends finish within this; then they are cancelled.
            timeout_graceful_shutdown=settings.DRAIN_SECONDS,
        )
        DrainingServer(config).run()
    except KeyboardInterrupt:
        pass
    finally:
        for signum in STOP_SIGNALS:  # a second signal must not cut the bounded stop short
            signal.signal(signum, signal.SIG_IGN)
        if worker is not None:
            stop_worker(worker)
        for signum, handler in previous.items():
            signal.signal(signum, handler)
