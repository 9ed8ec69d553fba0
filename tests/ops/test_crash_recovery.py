"""A real `balie serve` killed with SIGKILL after acknowledging: nothing lost, nothing doubled."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid

import pytest
import websockets

SECRET = "crash-test-" + "k" * 40


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _balie(data_dir, *args, **kwargs):
    env = {**os.environ, "BALIE_DATA_DIR": str(data_dir), "BALIE_SECRET_KEY": SECRET}
    env.pop("DATABASE_URL", None)
    return subprocess.Popen([sys.executable, "-m", "balie.cli", *args], env=env, **kwargs)


def _start_server(data_dir, port) -> subprocess.Popen:
    server = _balie(
        data_dir,
        "serve",
        "--port",
        str(port),
        "--no-worker",
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):  # noqa: S310
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("balie serve did not come up")


async def _exchange(port, frames):
    url = f"ws://127.0.0.1:{port}/ws/c/utrecht/"
    async with websockets.connect(url, origin=f"http://127.0.0.1:{port}") as ws:
        replies = []
        for frame in frames:
            await ws.send(json.dumps(frame))
            replies.append(json.loads(await asyncio.wait_for(ws.recv(), 5)))
        return replies


@pytest.fixture
def data_dir(tmp_path):
    setup = _balie(tmp_path, "demo", "--no-serve", stdout=subprocess.DEVNULL)
    assert setup.wait(timeout=120) == 0
    return tmp_path


def test_acknowledged_message_survives_sigkill_and_resend_is_not_doubled(data_dir):
    port = _free_port()
    client_id = uuid.uuid4().hex
    server = _start_server(data_dir, port)
    try:
        ready, started, ack = asyncio.run(
            _exchange(
                port,
                [
                    {"type": "hello", "token": None, "last_seq": 0},
                    {"type": "start"},
                    {"type": "send", "client_id": client_id, "body": "Mijn fiets is gestolen"},
                ],
            )
        )
        assert ack["type"] == "ack"
    finally:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)

    server = _start_server(data_dir, port)
    try:
        token = started["token"]
        ready, resend = asyncio.run(
            _exchange(
                port,
                [
                    {"type": "hello", "token": token, "last_seq": 0},
                    {"type": "send", "client_id": client_id, "body": "Mijn fiets is gestolen"},
                ],
            )
        )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)
    assert [m["body"] for m in ready["messages"]] == ["Mijn fiets is gestolen"]
    assert resend["duplicate"] is True
    assert resend["message"]["id"] == ack["message"]["id"]
