"""SIGTERM to `balie serve` or `balie demo` stops the embedded worker too, and exits with 0."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import psutil
import pytest

SECRET = "stopping-test-" + "k" * 40


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_health(process: subprocess.Popen, port: int) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):  # noqa: S310
                return
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise RuntimeError("balie did not come up")


def _gone(process: psutil.Process) -> bool:
    try:
        return not process.is_running() or process.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def _wait_until_gone(processes: list[psutil.Process], timeout: float) -> list[psutil.Process]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        alive = [p for p in processes if not _gone(p)]
        if not alive:
            return []
        time.sleep(0.2)
    return [p for p in processes if not _gone(p)]


def _start(tmp_path, *args: str) -> subprocess.Popen:
    env = {**os.environ, "BALIE_DATA_DIR": str(tmp_path), "BALIE_SECRET_KEY": SECRET}
    env.pop("DATABASE_URL", None)
    return subprocess.Popen(
        [sys.executable, "-m", "balie.cli", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # a leftover is ours to clean up by process group
    )


@pytest.fixture
def migrated(tmp_path):
    env = {**os.environ, "BALIE_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    subprocess.run(
        [sys.executable, "-m", "balie.cli", "migrate", "-v", "0"], env=env, check=True, timeout=120
    )
    return tmp_path


def _sigterm_stops_everything(process: subprocess.Popen, port: int) -> None:
    children: list[psutil.Process] = []
    try:
        _wait_for_health(process, port)
        children = psutil.Process(process.pid).children(recursive=True)
        assert children, "the embedded worker runs beside the server"
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0
        assert _wait_until_gone(children, timeout=60) == []
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        for child in children:  # an orphaned worker is no longer our child: kill it by handle
            if not _gone(child):
                child.kill()


def test_sigterm_to_serve_stops_the_worker_and_exits_0(migrated):
    port = _free_port()
    server = _start(migrated, "serve", "--port", str(port))
    _sigterm_stops_everything(server, port)


def test_sigterm_to_demo_stops_the_worker_and_exits_0(tmp_path):
    port = _free_port()
    demo = _start(tmp_path, "demo", "--data-dir", str(tmp_path / "demo"), "--port", str(port))
    _sigterm_stops_everything(demo, port)
