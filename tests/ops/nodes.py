"""Several real `balie serve` nodes on one PostgreSQL database and one Redis, for the tests of
running Balie on more than one machine (docs/operations/scale-out.md).

A :class:`Cluster` makes a database of its own on the PostgreSQL server (dropped afterwards),
sets it up with the demo data, and starts nodes and workers as separate processes with the
environment an operator would give them. Redis keys go under a prefix of its own. PostgreSQL
and Redis are mandatory when CI=true; elsewhere the tests that need them are skipped.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest
import redis
import requests
import websockets
from django.db import connection

PG_SERVER = os.environ.get("PG_TEST_SERVER", "postgres://postgres@127.0.0.1:5432")
REDIS_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/0")
SECRET = "nodes-test-" + "k" * 40
DEMO_PASSWORD = "demo-wachtwoord"  # noqa: S105 - the demo data's, printed by `balie demo`
SLUG = "utrecht"


def services_or_skip() -> None:
    """Skip the calling module without PostgreSQL and Redis; fail instead when CI=true."""
    missing = []
    try:
        psycopg.connect(f"{PG_SERVER}/postgres", connect_timeout=3).close()
    except psycopg.Error:
        missing.append(f"PostgreSQL at {PG_SERVER}")
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError:
        missing.append(f"Redis at {REDIS_URL}")
    if missing:
        if os.environ.get("CI") == "true":
            raise RuntimeError(f"{' and '.join(missing)} not reachable and CI=true")
        pytest.skip(f"{' and '.join(missing)} not reachable", allow_module_level=True)


# The nodes use a PostgreSQL database of their own whatever the suite's database is: their
# tests run once, in the PostgreSQL pass of `make test` (the SQLite pass lists them as skipped).
IN_THE_POSTGRESQL_PASS = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="runs in the PostgreSQL pass (make test-postgres)"
)


def cluster_fixture(name: str):
    """A module's cluster: its database made and set up once, everything removed after."""

    @pytest.fixture(scope="module")
    def cluster(tmp_path_factory):
        made = Cluster(tmp_path_factory.mktemp(name))
        made.create()
        yield made
        made.close()

    return cluster


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Node:
    name: str
    port: int
    process: subprocess.Popen
    log: Path

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


@dataclass
class Cluster:
    root: Path
    extra_env: dict[str, str] = field(default_factory=dict)
    database: str = field(default_factory=lambda: f"balie_nodes_{uuid.uuid4().hex[:10]}")
    prefix: str = field(default_factory=lambda: f"balie-nodes-{uuid.uuid4().hex[:8]}")
    nodes: dict[str, Node] = field(default_factory=dict)
    workers: list[subprocess.Popen] = field(default_factory=list)

    @property
    def database_url(self) -> str:
        return f"{PG_SERVER}/{self.database}"

    def env(self, **more: str) -> dict[str, str]:
        env = {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "REDIS_URL": REDIS_URL,
            "BALIE_REDIS_PREFIX": self.prefix,
            "BALIE_DATA_DIR": str(self.root / "data"),
            "BALIE_SECRET_KEY": SECRET,
            "BALIE_LOG_FORMAT": "json",
            "BALIE_SECURE_COOKIES": "false",  # plain http on 127.0.0.1
            # all test traffic comes from 127.0.0.1
            "BALIE_LIMIT_SOCKETS_PER_IP": "2000",
            "BALIE_LIMIT_FRAMES_PER_IP": "100000",
            "BALIE_NEW_CHATS_PER_HOUR": "100000",
            "BALIE_RESIDENT_FRAMES_PER_10S": "100000",
            "BALIE_STAFF_FRAMES_PER_10S": "100000",
            "BALIE_LIMIT_FRAMES_PER_TOKEN": "100000",
            "BALIE_LIMIT_MESSAGES_PER_CONVERSATION": "100000",
            **self.extra_env,
            **more,
        }
        env.pop("PYTEST_CURRENT_TEST", None)
        return env

    def balie(self, *args: str, env: dict[str, str] | None = None, **popen) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-m", "balie.cli", *args],
            env=env or self.env(),
            start_new_session=True,  # killed by process group, never left behind
            **popen,
        )

    def run(self, *args: str, timeout: float = 300, **env: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "balie.cli", *args],
            env=self.env(**env),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if done.returncode != 0:
            raise RuntimeError(f"balie {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    # -- lifecycle -------------------------------------------------------------------------
    def create(self) -> None:
        (self.root / "data").mkdir(parents=True, exist_ok=True)
        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as db:
            db.execute(f'CREATE DATABASE "{self.database}"')
        self.run("demo", "--no-serve", "--data-dir", str(self.root / "data"))

    def start(self, name: str, **env: str) -> Node:
        port = free_port()
        log = self.root / f"{name}.log"
        with log.open("ab") as out:  # the child keeps its own descriptor
            process = self.balie(
                "serve",
                "--no-worker",
                "--port",
                str(port),
                env=self.env(**env),
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        node = self.nodes[name] = Node(name, port, process, log)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:
            try:
                with urllib.request.urlopen(f"{node.http}/healthz", timeout=2):  # noqa: S310
                    return node
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"node {name} did not come up:\n{node.log_text()[-3000:]}")

    def start_worker(self, name: str = "worker") -> subprocess.Popen:
        log = self.root / f"{name}.log"
        with log.open("ab") as out:
            worker = self.balie("worker", "--interval", "0.2", stdout=out, stderr=subprocess.STDOUT)
        self.workers.append(worker)
        return worker

    def stop(self, *names: str) -> None:
        """Kill these nodes and forget them."""
        for name in names:
            self.kill(name)
            self.nodes.pop(name).process.wait(timeout=10)

    def kill_worker(self, worker: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(worker.pid, sig)
        worker.wait(timeout=10)

    def kill(self, name: str, sig: int = signal.SIGKILL) -> Node:
        node = self.nodes[name]
        with contextlib.suppress(ProcessLookupError):
            os.killpg(node.process.pid, sig)
        return node

    def close(self) -> None:
        for process in [n.process for n in self.nodes.values()] + self.workers:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=10)
        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
        client = redis.Redis.from_url(REDIS_URL)
        keys = list(client.scan_iter(f"{self.prefix}:*"))
        if keys:
            client.delete(*keys)

    # -- looking inside ----------------------------------------------------------------------
    def query(self, sql: str, *params) -> list[tuple]:
        with psycopg.connect(self.database_url) as db:
            return db.execute(sql, params).fetchall()

    def redis_keys(self) -> list[str]:
        client = redis.Redis.from_url(REDIS_URL)
        return sorted(k.decode() for k in client.scan_iter(f"{self.prefix}:*"))

    # -- clients ---------------------------------------------------------------------------
    def agent_cookie(self, node: Node, username: str = f"agent_anna_{SLUG}") -> str:
        """Log in through the console's login form; the session works on every node."""
        session = requests.Session()
        page = session.get(f"{node.http}/console/login/", timeout=10)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        answer = session.post(
            f"{node.http}/console/login/",
            data={"username": username, "password": DEMO_PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": f"{node.http}/console/login/"},
            timeout=10,
            allow_redirects=False,
        )
        assert answer.status_code == 302, answer.text[:500]
        return session.cookies["sessionid"]


class Socket:
    """A JSON WebSocket client that keeps every frame it received, by type."""

    opened: list[Socket] = []  # closed by the tests' fixture, whatever happened

    def __init__(self, ws) -> None:
        Socket.opened.append(self)
        self.ws = ws
        self.frames: list[dict] = []
        self._new = asyncio.Event()
        self._reader = asyncio.create_task(self._read())
        self.closed_with: int | None = None

    @classmethod
    async def open(cls, node: Node, path: str, cookie: str | None = None) -> Socket:
        headers = {"Cookie": f"sessionid={cookie}"} if cookie else None
        ws = await websockets.connect(
            f"{node.ws}{path}",
            origin=f"http://127.0.0.1:{node.port}",
            additional_headers=headers,
            max_size=None,
            ping_interval=None,  # idle means idle: no pings from this side
        )
        return cls(ws)

    async def _read(self) -> None:
        try:
            async for raw in self.ws:
                self.frames.append(json.loads(raw))
                self._new.set()
        except websockets.ConnectionClosed:
            pass
        finally:
            self.closed_with = self.ws.close_code
            self._new.set()

    async def send(self, frame: dict) -> None:
        await self.ws.send(json.dumps(frame))

    async def expect(self, kind: str, timeout: float = 10, **match) -> dict:
        """The first frame of ``kind`` (and matching fields) not yet taken by ``expect``."""
        deadline = time.monotonic() + timeout
        while True:
            for frame in self.frames:
                if frame["type"] == kind and not frame.get("_taken") and _matches(frame, match):
                    frame["_taken"] = True
                    return frame
            remaining = deadline - time.monotonic()
            if remaining <= 0 or (self._reader.done() and not self._new.is_set()):
                raise AssertionError(f"no {kind} frame {match or ''}; got {self.frames[-5:]}")
            self._new.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new.wait(), remaining)

    def of(self, kind: str) -> list[dict]:
        return [f for f in self.frames if f["type"] == kind]

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self.ws.close()
        with contextlib.suppress(Exception):
            await self._reader

    @classmethod
    async def close_all(cls) -> None:
        opened, cls.opened = cls.opened, []
        await asyncio.gather(*[socket.close() for socket in opened])


def _matches(frame: dict, match: dict) -> bool:
    for key, value in match.items():
        here = frame
        for part in key.split("__"):
            here = here.get(part) if isinstance(here, dict) else None
        if here != value:
            return False
    return True


async def resident(node: Node, token: str | None = None, last_seq: int = 0) -> tuple[Socket, dict]:
    """A resident's socket that said hello (and started a chat when it had no token)."""
    socket = await Socket.open(node, f"/ws/c/{SLUG}/")
    await socket.send({"type": "hello", "token": token, "last_seq": last_seq})
    ready = await socket.expect("ready")
    if token is None:
        await socket.send({"type": "start"})
        ready = await socket.expect("started")
    return socket, ready


async def agent(node: Node, cookie: str) -> Socket:
    socket = await Socket.open(node, "/ws/agent/", cookie)
    await socket.expect("hello")
    return socket
