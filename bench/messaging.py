"""Messaging benchmark: Balie's real-time write path over real WebSockets.

Starts ``balie serve`` (uvicorn, SQLite WAL in a fresh temporary data directory) on
127.0.0.1 and drives it with resident and agent sockets from this process:

1. closed loop: every resident sends its next message as soon as the previous one is
   acknowledged; messages/s persisted (acked) and delivered to an agent socket, and the
   send -> agent delivery latency;
2. open loop: ``--rate`` messages/s in total, spread evenly over the conversations, whatever
   the server's answers; send -> agent delivery latency measured from the *scheduled* send
   time, so a client or server falling behind shows up in the figures;
3. idle: ``--idle`` resident sockets that say ``hello`` without a token and then wait; the
   server's RSS before and after, and KB per connection;
4. the closed loop of phase 1 again while those idle sockets stay open (``--no-mixed``
   skips it): the cost of many connected residents for the active ones.

Agents are modelled as in a KCC: ``ceil(conversations / per_agent)`` agent users, each with
one console socket subscribed to ``--per-agent`` conversations (default 5; the console allows
20). Every agent socket is also in the organisation's inbox group, so it receives the live
inbox update of *every* conversation, as the console does.

The resident socket's frame limit and the new-chats-per-address limit are raised for the
server under test (all traffic comes from one address and a few sockets stand in for many
residents); everything else runs with its defaults.

    python bench/messaging.py [--conversations 50] [--duration 10] [--rate 200]
                              [--idle 5000] [--port 8765] [--per-agent 5] [--no-mixed]
                              [--profile FILE [--profile-idle]]  # closed loop
                              [--database sqlite|postgres [--pg-url URL]] [--redis]
                              [--nodes N [--placement split|separate]]

Several nodes (issue 16): ``--database postgres`` creates a fresh database
``balie_bench_<random>`` on ``--pg-url`` (a server URL) and drops it at the end; ``--redis``
sets REDIS_URL (the ``RedisFanoutLayer``) with a ``BALIE_REDIS_PREFIX`` unique to the run and
removes the run's keys at the end; ``--nodes N`` (N > 1 implies both) starts N
``balie serve --no-worker`` on consecutive ports from ``--port``, all on the same database and
Redis. ``--placement split``: the resident of conversation i on node i mod N, its agent's
socket on the next node, so every message crosses nodes; ``separate``: residents on node 0,
agents on node 1. Idle sockets are spread over the nodes. With PostgreSQL or Redis the
servers run without the embedded task worker (``--no-worker``), as behind a load balancer.

Per load phase, besides messages/s and latency: Redis commands per message (``INFO
commandstats`` over the measured window, all clients of the Redis server, the bench's own
``INFO`` left out) and CPU seconds per message of the servers, redis-server and the run
database's PostgreSQL backends (plus PostgreSQL's shared processes, shown apart). A summary
table and a JSON line with every figure end the output.

``--profile FILE`` uses py-spy when it is installed (the first node), and otherwise a
sampling profiler the bench puts on the servers' ``PYTHONPATH`` (a ``sitecustomize`` started
and stopped by signals; nothing in src/ changes): ``FILE.node<i>`` per node, with a summary.

Only talks to 127.0.0.1, stops by itself, kills the servers on exit and removes its data.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import platform
import random
import resource
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import nodes_support as nodes
import psutil
from websockets.asyncio.client import ClientConnection, connect

SLUG = "benchstad"
BODY = "Goedemiddag, ik wil graag een afspraak maken voor een nieuw paspoort. Bericht {n}."
DRAIN_SECONDS = 10.0
CONNECT_TIMEOUT = 30.0


# --- small helpers ------------------------------------------------------------------------
def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (values in seconds); NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def ms(seconds: float) -> str:
    return "n/a" if math.isnan(seconds) else f"{seconds * 1000:.1f}"


def mib(nbytes: float) -> str:
    return f"{nbytes / 2**20:.0f} MiB"


def machine() -> dict[str, str]:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "nproc": str(os.cpu_count()),
        "cpu": model,
        "python": platform.python_version(),
        "os": f"{platform.system()} {platform.release()}",
        "memory": mib(psutil.virtual_memory().total),
    }


def revision() -> str:
    """The commit measured (and whether the tree had local changes); BALIE_BENCH_REVISION
    names it instead when the servers run another tree (a ``git archive`` on PYTHONPATH)."""
    if os.environ.get("BALIE_BENCH_REVISION"):
        return os.environ["BALIE_BENCH_REVISION"]
    try:
        here = Path(__file__).resolve().parent
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=here, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no", "--", "../src"],
            cwd=here,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        return "unknown"
    return f"{commit or 'unknown'}{' + local changes in src/' if dirty else ''}"


def raise_fd_limit(wanted: int) -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if target > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


# --- the server under test ----------------------------------------------------------------
@dataclass
class Fixture:
    organisation_slug: str
    agent_sessions: list[str]  # one session key per agent user


def balie_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "balie.cli", *args]


def prepare(data_dir: Path, agents: int) -> Fixture:
    """Migrate a fresh data dir; one organisation, a default team of agents, their sessions."""
    subprocess.run(balie_command("migrate", "-v", "0"), check=True, env=os.environ.copy())
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connections

    from balie.accounts.actions import do_create_staff_user, do_set_membership
    from balie.accounts.models import Role
    from balie.conversations.actions import do_create_team
    from balie.tenants.actions import do_create_organisation

    assert Path(settings.DATA_DIR) == data_dir.resolve(), settings.DATA_DIR
    organisation = do_create_organisation(name="Gemeente Benchstad", slug=SLUG)
    users, sessions = [], []
    for number in range(1, agents + 1):
        user = do_create_staff_user(
            username=f"agent{number}",
            password=secrets.token_urlsafe(24),
            first_name=f"Agent{number}",
        )
        do_set_membership(user, organisation, Role.AGENT)
        users.append(user)
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "balie.accounts.backends.PasswordBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        sessions.append(store.session_key)
    do_create_team(organisation, name="KCC", members=users, is_default=True)
    connections.close_all()
    return Fixture(SLUG, sessions)


def start_server(
    port: int, log_path: Path, worker: bool = True, env: dict[str, str] | None = None
) -> subprocess.Popen:
    log = log_path.open("wb")
    command = balie_command("serve", "--host", "127.0.0.1", "--port", str(port))
    if not worker:
        command.append("--no-worker")
    # Own process group: the embedded task worker is killed with it.
    return subprocess.Popen(
        command,
        env={**os.environ, **(env or {})},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def wait_healthy(server: subprocess.Popen, port: int, log_path: Path, timeout=60.0) -> None:
    deadline = time.monotonic() + timeout
    url = f"http://127.0.0.1:{port}/healthz"
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"balie serve exited ({server.returncode}):\n{log_path.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:  # noqa: S310 - 127.0.0.1
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"balie serve not healthy after {timeout:.0f} s:\n{log_path.read_text()}")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        try:
            os.killpg(server.pid, sig)
        except ProcessLookupError:
            return
        try:
            server.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


# --- resource monitor ---------------------------------------------------------------------
@dataclass
class Usage:
    rss_max: int = 0
    rss_last: int = 0
    server_cpu: list[float] = field(default_factory=list)
    worker_cpu: list[float] = field(default_factory=list)
    client_cpu: list[float] = field(default_factory=list)
    machine_cpu: list[float] = field(default_factory=list)  # all cores, 100 % = one core
    load: tuple[float, float, float] = (0.0, 0.0, 0.0)
    cpu_seconds: dict[str, float] = field(default_factory=dict)  # per role, whole window
    redis_calls: dict[str, int] = field(default_factory=dict)  # per command, whole window
    seconds: float = 0.0  # the window
    processes: dict[str, int] = field(default_factory=dict)  # per role
    pg_stats: dict[str, float] = field(default_factory=dict)  # pg_stat_database deltas

    @staticmethod
    def mean(values: list[float]) -> float:
        return sum(values) / len(values) if values else float("nan")


class Monitor:
    """Samples the servers' RSS and CPU (and the workers' and this client's CPU); over the
    whole window also CPU seconds per role (nodes, redis-server, PostgreSQL) and the Redis
    commands."""

    def __init__(
        self,
        server_pids: list[int],
        interval: float = 0.5,
        database: str | None = None,
        redis_url: str | None = None,
        pg_url: str | None = None,
    ) -> None:
        self.servers = [psutil.Process(pid) for pid in server_pids]
        self.server = self.servers[0]
        self.client = psutil.Process()
        self.interval = interval
        self.usage = Usage()
        self._task: asyncio.Task | None = None
        self.meter = nodes.CpuMeter(self.servers, database, redis=bool(redis_url))
        self.redis = nodes.redis_client(redis_url) if redis_url else None
        self._calls: dict[str, int] = {}
        self._started = 0.0
        self.pg = nodes.PgStats(pg_url, database) if pg_url and database else None
        self._pg_before: dict[str, float] = {}

    def rss(self) -> int:
        return sum(self.rss_each())

    def rss_each(self) -> list[int]:
        return [server.memory_info().rss for server in self.servers]

    def _workers(self) -> list[psutil.Process]:
        workers = []
        for server in self.servers:
            with contextlib.suppress(psutil.Error):
                workers += server.children(recursive=True)
        return workers

    def _server_cpu(self) -> float:
        total = 0.0
        for server in self.servers:
            with contextlib.suppress(psutil.Error):
                total += server.cpu_percent(None)
        return total

    async def _run(self) -> None:
        workers = self._workers()
        for process in [*self.servers, self.client, *workers]:
            process.cpu_percent(None)
        psutil.cpu_percent(None)
        cores = psutil.cpu_count() or 1
        while True:
            await asyncio.sleep(self.interval)
            rss = self.rss()
            self.usage.rss_last = rss
            self.usage.rss_max = max(self.usage.rss_max, rss)
            self.usage.server_cpu.append(self._server_cpu())
            self.usage.client_cpu.append(self.client.cpu_percent(None))
            total = 0.0
            for worker in workers:
                with contextlib.suppress(psutil.Error):
                    total += worker.cpu_percent(None)
            self.usage.worker_cpu.append(total)
            self.usage.machine_cpu.append(psutil.cpu_percent(None) * cores)
            self.usage.load = os.getloadavg()

    def start(self) -> None:
        self.usage = Usage(rss_max=self.rss(), rss_last=self.rss())
        self.meter.start()
        self._calls = nodes.command_calls(self.redis) if self.redis is not None else {}
        self._pg_before = self.pg.snapshot() if self.pg is not None else {}
        self._started = time.perf_counter()
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> Usage:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
            self.usage.seconds = time.perf_counter() - self._started
            self.usage.cpu_seconds = self.meter.stop()
            self.usage.processes = dict(self.meter.counts)
            if self.redis is not None:
                after = nodes.command_calls(self.redis)
                self.usage.redis_calls = nodes.command_delta(self._calls, after)
            if self.pg is not None:
                await asyncio.sleep(0.6)  # backends report their statistics within 0.5 s
                after = self.pg.snapshot()
                self.usage.pg_stats = {k: v - self._pg_before[k] for k, v in after.items()}
        return self.usage


# --- the clients --------------------------------------------------------------------------
@dataclass
class Tracker:
    """Send, ack and agent-delivery times per client id (time.perf_counter seconds)."""

    sent: dict[str, float] = field(default_factory=dict)
    acked: dict[str, float] = field(default_factory=dict)
    delivered: dict[str, float] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    inbox_frames: int = 0

    def settled(self) -> bool:
        return len(self.delivered) >= len(self.sent) and len(self.acked) >= len(self.sent)


class Session:
    """All sockets of one load run."""

    def __init__(self, ports: list[int], fixture: Fixture, placement: nodes.Placement):
        self.ports = ports
        self.fixture = fixture
        self.placement = placement
        self.count = len(placement.resident_nodes)
        self.residents: list[ClientConnection] = []
        self.conversation_ids: list[int] = []
        self.agents: list[ClientConnection] = []
        self.tracker = Tracker()
        self._agent_readers: list[asyncio.Task] = []

    async def _connect(self, node: int, path: str, **headers: str) -> ClientConnection:
        port = self.ports[node]
        return await connect(
            f"ws://127.0.0.1:{port}{path}",
            origin=f"http://127.0.0.1:{port}",  # AllowedHostsOriginValidator
            additional_headers=headers or None,
            compression=None,
            open_timeout=CONNECT_TIMEOUT,
            ping_interval=None,
            max_queue=None,
        )

    async def open(self) -> None:
        for node in self.placement.resident_nodes:
            ws = await self._connect(node, f"/ws/c/{self.fixture.organisation_slug}/")
            await ws.send(json.dumps({"type": "hello", "token": None, "last_seq": 0}))
            await expect(ws, "ready")
            await ws.send(json.dumps({"type": "start", "language": "nl"}))
            started = await expect(ws, "started")
            self.residents.append(ws)
            self.conversation_ids.append(started["conversation"]["id"])
        agents = zip(self.fixture.agent_sessions, self.placement.agents, strict=True)
        for session_key, (node, indices) in agents:
            ws = await self._connect(node, "/ws/agent/", Cookie=f"sessionid={session_key}")
            await expect(ws, "hello")
            for conversation_id in [self.conversation_ids[i] for i in indices]:
                frame = {"type": "subscribe", "conversation": conversation_id, "last_seq": 0}
                await ws.send(json.dumps(frame))
                await expect(ws, "subscribed")
            self.agents.append(ws)
            self._agent_readers.append(asyncio.create_task(self._read_agent(ws)))

    async def _read_agent(self, ws: ClientConnection) -> None:
        try:
            async for raw in ws:
                now = time.perf_counter()
                tracker = self.tracker  # replaced between phases
                # The server writes compact JSON with "type" first: skip the inbox updates
                # (single or coalesced) without parsing them.
                if raw.startswith(('{"type":"conversation"', '{"type":"conversations"')):
                    tracker.inbox_frames += 1
                    continue
                frame = json.loads(raw)
                if frame["type"] == "message":
                    client_id = frame["message"]["client_id"]
                    if client_id in tracker.sent:
                        tracker.delivered.setdefault(client_id, now)
                elif frame["type"] == "error":
                    tracker.errors.append(f"agent: {frame['code']}")
        except Exception as error:  # a closed socket ends the reader
            if not isinstance(error, asyncio.CancelledError):
                self.tracker.errors.append(f"agent socket: {error!r}")

    def reset(self) -> Tracker:
        finished, self.tracker = self.tracker, Tracker()
        return finished

    async def close(self) -> None:
        for task in self._agent_readers:
            task.cancel()
        await asyncio.gather(*(ws.close() for ws in self.residents + self.agents))


async def expect(ws: ClientConnection, kind: str) -> dict:
    while True:
        frame = json.loads(await asyncio.wait_for(ws.recv(), CONNECT_TIMEOUT))
        if frame["type"] == kind:
            return frame
        if frame["type"] == "error":
            raise RuntimeError(f"expected {kind!r}, got error {frame}")


def send_frame(client_id: str, n: int) -> str:
    return json.dumps({"type": "send", "client_id": client_id, "body": BODY.format(n=n)})


async def drain(tracker: Tracker, seconds: float = DRAIN_SECONDS) -> None:
    deadline = time.perf_counter() + seconds
    while not tracker.settled() and time.perf_counter() < deadline:
        await asyncio.sleep(0.05)


# --- phase 1: closed loop -----------------------------------------------------------------
@dataclass
class LoadResult:
    window: float
    sent: int
    acked: int
    delivered: int
    complete: int
    undelivered: int
    delivery: list[float]
    ack: list[float]
    inbox_frames: int
    errors: list[str]
    usage: Usage
    offered_rate: float = float("nan")

    @property
    def throughput(self) -> float:
        return self.complete / self.window


def summarise(tracker: Tracker, window_start: float, window_end: float, usage: Usage):
    in_window = [c for c, t in tracker.sent.items() if window_start <= t < window_end]
    acked = [c for c in in_window if c in tracker.acked]
    delivered = [c for c in in_window if c in tracker.delivered]
    complete = [c for c in in_window if c in tracker.acked and c in tracker.delivered]
    return LoadResult(
        window=window_end - window_start,
        sent=len(in_window),
        acked=len(acked),
        delivered=len(delivered),
        complete=len(complete),
        undelivered=len(in_window) - len(complete),
        delivery=[tracker.delivered[c] - tracker.sent[c] for c in delivered],
        ack=[tracker.acked[c] - tracker.sent[c] for c in acked],
        inbox_frames=tracker.inbox_frames,
        errors=tracker.errors,
        usage=usage,
    )


async def closed_loop(session: Session, monitor: Monitor, duration: float, warmup: float):
    tracker = session.tracker
    stop_at = time.perf_counter() + warmup + duration

    async def resident(index: int, ws: ClientConnection) -> None:
        n = 0
        while time.perf_counter() < stop_at:
            n += 1
            client_id = f"c{index}-{n}-{secrets.token_hex(4)}"
            tracker.sent[client_id] = time.perf_counter()
            await ws.send(send_frame(client_id, n))
            while True:
                raw = await ws.recv()
                if raw.startswith('{"type":"ack"'):
                    tracker.acked[client_id] = time.perf_counter()
                    break
                if raw.startswith('{"type":"error"'):
                    tracker.errors.append(f"resident: {json.loads(raw)['code']}")
                    await asyncio.sleep(0.1)
                    break

    started = time.perf_counter()
    monitor_started = asyncio.get_running_loop().call_later(warmup, monitor.start)
    await asyncio.gather(*(resident(i, ws) for i, ws in enumerate(session.residents)))
    usage = await monitor.stop()
    monitor_started.cancel()
    await drain(tracker)
    return summarise(tracker, started + warmup, stop_at, usage)


# --- phase 2: open loop -------------------------------------------------------------------
async def open_loop(session: Session, monitor: Monitor, duration: float, rate: float):
    tracker = session.tracker
    interval = len(session.residents) / rate  # per resident
    begin = time.perf_counter() + 0.5
    end = begin + duration

    async def reader(ws: ClientConnection) -> None:
        try:
            async for raw in ws:
                if raw.startswith('{"type":"ack"'):
                    now = time.perf_counter()
                    tracker.acked[json.loads(raw)["client_id"]] = now
                elif raw.startswith('{"type":"error"'):
                    tracker.errors.append(f"resident: {json.loads(raw)['code']}")
        except Exception as error:
            if not isinstance(error, asyncio.CancelledError):
                tracker.errors.append(f"resident socket: {error!r}")

    async def resident(index: int, ws: ClientConnection) -> None:
        scheduled = begin + random.uniform(0, interval)  # spread the residents' phases
        n = 0
        while scheduled < end:
            delay = scheduled - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            n += 1
            client_id = f"o{index}-{n}-{secrets.token_hex(4)}"
            tracker.sent[client_id] = scheduled  # latency from the schedule: no omission
            await ws.send(send_frame(client_id, n))
            scheduled += interval

    readers = [asyncio.create_task(reader(ws)) for ws in session.residents]
    await asyncio.sleep(max(0.0, begin - time.perf_counter()))
    monitor.start()
    await asyncio.gather(*(resident(i, ws) for i, ws in enumerate(session.residents)))
    usage = await monitor.stop()
    await drain(tracker)
    for task in readers:
        task.cancel()
    await asyncio.gather(*readers, return_exceptions=True)
    result = summarise(tracker, begin, end, usage)
    result.offered_rate = result.sent / duration
    return result


# --- phase 3: idle connections ------------------------------------------------------------
@dataclass
class IdleResult:
    wanted: int
    connected: int
    alive: int
    failures: dict[str, int]
    rss_before: int
    rss_after: int
    seconds: float
    per_node: list[int] = field(default_factory=list)  # connected per node
    rss_before_each: list[int] = field(default_factory=list)
    rss_after_each: list[int] = field(default_factory=list)

    @property
    def kb_per_connection(self) -> float:
        return (self.rss_after - self.rss_before) / max(1, self.connected) / 1024

    def kb_per_connection_each(self) -> list[float]:
        return [
            (after - before) / max(1, n) / 1024
            for n, before, after in zip(
                self.per_node, self.rss_before_each, self.rss_after_each, strict=True
            )
        ]


async def idle_connections(ports: list[int], monitor: Monitor, count: int, hold: float = 3.0):
    hello = json.dumps({"type": "hello", "token": None, "last_seq": 0})
    gate = asyncio.Semaphore(100)  # connection attempts in flight (the listen backlog)
    sockets: list[ClientConnection] = []
    per_node = [0] * len(ports)
    failures: dict[str, int] = {}

    async def one(number: int) -> None:
        node = number % len(ports)  # spread over the nodes
        port = ports[node]
        async with gate:
            try:
                ws = await connect(
                    f"ws://127.0.0.1:{port}/ws/c/{SLUG}/",
                    origin=f"http://127.0.0.1:{port}",
                    compression=None,
                    open_timeout=CONNECT_TIMEOUT,
                    ping_interval=None,
                    close_timeout=2,
                )
                await ws.send(hello)
                frame = json.loads(await asyncio.wait_for(ws.recv(), CONNECT_TIMEOUT))
                if frame["type"] != "ready":
                    raise RuntimeError(frame["type"])
                sockets.append(ws)
                per_node[node] += 1
            except Exception as error:
                name = type(error).__name__
                failures[name] = failures.get(name, 0) + 1

    await asyncio.sleep(1.0)
    rss_before = monitor.rss_each()
    started = time.perf_counter()
    await asyncio.wait_for(asyncio.gather(*(one(n) for n in range(count))), 300)
    seconds = time.perf_counter() - started
    await asyncio.sleep(hold)
    rss_after = monitor.rss_each()

    async def alive(ws: ClientConnection) -> bool:
        try:
            await asyncio.wait_for(await ws.ping(), 20)
            return True
        except Exception:
            return False

    checks = await asyncio.gather(*(alive(ws) for ws in sockets))
    result = IdleResult(
        wanted=count,
        connected=len(sockets),
        alive=sum(checks),
        failures=failures,
        rss_before=sum(rss_before),
        rss_after=sum(rss_after),
        seconds=seconds,
        per_node=per_node,
        rss_before_each=rss_before,
        rss_after_each=rss_after,
    )
    return result, sockets


async def close_all(sockets: list[ClientConnection]) -> None:
    closing = asyncio.Semaphore(500)

    async def close(ws: ClientConnection) -> None:
        async with closing:
            await ws.close()

    await asyncio.wait_for(asyncio.gather(*(close(ws) for ws in sockets)), 120)


# --- report -------------------------------------------------------------------------------
SERVER_SIDE = ("redis-server", "postgres backends")  # with the nodes and workers: "total"


def messages_in_cpu_window(result: LoadResult) -> float:
    """Messages persisted during the CPU/Redis window (the rate over the load window times
    the monitor's window, which ends when the last send of the phase was answered)."""
    return result.acked / result.window * result.usage.seconds if result.window else 0.0


def cpu_per_message(result: LoadResult) -> dict[str, float]:
    """Milliseconds of CPU per persisted message, per role and in total (server side:
    the nodes, their workers, redis-server and the run database's PostgreSQL backends)."""
    messages = messages_in_cpu_window(result)
    if not messages or not result.usage.cpu_seconds:
        return {}
    parts = {role: 1000 * s / messages for role, s in result.usage.cpu_seconds.items()}
    parts["total"] = sum(
        value
        for role, value in parts.items()
        if role.startswith("node") or role == "workers" or role in SERVER_SIDE
    )
    return parts


def redis_per_message(result: LoadResult) -> tuple[float, list[tuple[str, int]]]:
    messages = messages_in_cpu_window(result)
    calls = result.usage.redis_calls
    if not messages or not calls:
        return float("nan"), []
    top = sorted(calls.items(), key=lambda item: -item[1])[:5]
    return sum(calls.values()) / messages, top


def print_load(title: str, result: LoadResult, closed: bool) -> None:
    usage = result.usage
    print(f"\n== {title} ==")
    if closed:
        print(
            f"  persisted and delivered: {result.throughput:,.0f} messages/s "
            f"({result.complete:,} in {result.window:.1f} s)"
        )
    else:
        print(
            f"  offered: {result.offered_rate:,.0f} messages/s; "
            f"persisted and delivered: {result.throughput:,.0f} messages/s"
        )
    print(
        f"  sent {result.sent:,}, acked {result.acked:,}, delivered to an agent "
        f"{result.delivered:,}, not complete after {DRAIN_SECONDS:.0f} s drain "
        f"{result.undelivered:,}"
    )
    print(
        f"  delivery latency (send -> agent) p50/p95/p99: {ms(percentile(result.delivery, 50))} /"
        f" {ms(percentile(result.delivery, 95))} / {ms(percentile(result.delivery, 99))} ms"
        f" (max {ms(max(result.delivery, default=float('nan')))})"
    )
    print(
        f"  ack latency (send -> ack)        p50/p95/p99: {ms(percentile(result.ack, 50))} /"
        f" {ms(percentile(result.ack, 95))} / {ms(percentile(result.ack, 99))} ms"
    )
    print(f"  inbox updates received by the agent sockets: {result.inbox_frames:,}")
    print(
        f"  server RSS max {mib(usage.rss_max)}; "
        f"CPU mean: server {Usage.mean(usage.server_cpu):.0f} %"
        f", task worker {Usage.mean(usage.worker_cpu):.0f} %"
        f", bench client {Usage.mean(usage.client_cpu):.0f} %"
        f"; whole machine {Usage.mean(usage.machine_cpu):.0f} % of {os.cpu_count()}00 %"
        f" (load average {usage.load[0]:.2f})"
    )
    cpu = cpu_per_message(result)
    if cpu:
        parts = ", ".join(
            f"{role} {value:.2f}"
            for role, value in cpu.items()
            if role not in ("total", "client", "postgres shared", "postgres exited")
            and (value > 0 or role.startswith("node"))
        )
        print(
            f"  CPU per message: {cpu['total']:.2f} ms ({parts}); not in the total: PostgreSQL's"
            f" shared processes {cpu.get('postgres shared', 0.0):.2f}, bench client"
            f" {cpu.get('client', 0.0):.2f} ms"
        )
        if "postgres backends" in usage.processes:
            pg = usage.pg_stats
            messages = messages_in_cpu_window(result) or 1
            print(
                f"  PostgreSQL, the run's database: {usage.processes['postgres backends']}"
                f" backends alive at the end, {pg.get('sessions', 0):.0f} new sessions"
                f" (connections) and {pg.get('commits', 0):,.0f} commits in {usage.seconds:.1f} s;"
                f" statement time {pg.get('active_ms', 0) / messages:.3f} ms per message;"
                f" CPU of backends that exited in the window (any database)"
                f" {cpu.get('postgres exited', 0.0):.2f} ms per message"
            )
    if usage.redis_calls:
        per_message, top = redis_per_message(result)
        listed = ", ".join(f"{name} {calls:,}" for name, calls in top)
        print(
            f"  Redis commands per message: {per_message:.2f}"
            f" ({sum(usage.redis_calls.values()):,} in {usage.seconds:.1f} s; top: {listed})"
        )
    if result.errors:
        counted: dict[str, int] = {}
        for error in result.errors:
            counted[error] = counted.get(error, 0) + 1
        print(f"  errors: {counted}")


def print_idle(result: IdleResult) -> None:
    print("\n== Phase 3: idle resident connections ==")
    print(
        f"  connected {result.connected:,} / {result.wanted:,} in {result.seconds:.1f} s; "
        f"alive after hold (ping/pong) {result.alive:,}"
        + (f"; failures {result.failures}" if result.failures else "")
    )
    print(
        f"  server RSS before {mib(result.rss_before)}, after {mib(result.rss_after)}: "
        f"{result.kb_per_connection:.1f} KB per connection"
    )
    if len(result.per_node) > 1:
        for node, (n, before, after, kb) in enumerate(
            zip(
                result.per_node,
                result.rss_before_each,
                result.rss_after_each,
                result.kb_per_connection_each(),
                strict=True,
            )
        ):
            print(
                f"  node {node}: {n:,} idle sockets, RSS {mib(before)} -> {mib(after)}: "
                f"{kb:.1f} KB per connection"
            )


def load_figures(result: LoadResult) -> dict:
    per_message, top = redis_per_message(result)
    return {
        "messages_per_s": round(result.throughput, 1),
        "acked_per_s": round(result.acked / result.window, 1),
        "offered_per_s": None if math.isnan(result.offered_rate) else round(result.offered_rate),
        "sent": result.sent,
        "acked": result.acked,
        "delivered": result.delivered,
        "undelivered": result.undelivered,
        "delivery_ms": {
            f"p{pct}": round(1000 * percentile(result.delivery, pct), 1)
            if result.delivery
            else None
            for pct in (50, 95, 99)
        },
        "ack_p99_ms": round(1000 * percentile(result.ack, 99), 1) if result.ack else None,
        "cpu_ms_per_message": {k: round(v, 3) for k, v in cpu_per_message(result).items()},
        "redis_commands_per_message": None if math.isnan(per_message) else round(per_message, 2),
        "redis_top": dict(top),
        "pg_stats": {k: round(v, 1) for k, v in result.usage.pg_stats.items()},
        "server_cpu_percent": round(Usage.mean(result.usage.server_cpu)),
        "machine_cpu_percent": round(Usage.mean(result.usage.machine_cpu)),
        "load_average": round(result.usage.load[0], 2),
        "errors": len(result.errors),
    }


def idle_figures(result: IdleResult) -> dict:
    return {
        "wanted": result.wanted,
        "connected": result.connected,
        "alive": result.alive,
        "per_node": result.per_node,
        "kb_per_connection": [round(kb, 1) for kb in result.kb_per_connection_each()],
        "rss_mib_before": [round(b / 2**20) for b in result.rss_before_each],
        "rss_mib_after": [round(a / 2**20) for a in result.rss_after_each],
        "seconds": round(result.seconds, 1),
        "failures": result.failures,
    }


def print_summary(figures: dict) -> None:
    """One table of everything, then the JSON line."""
    print(f"\n== Summary: {figures['config']['label']} ==")
    print(
        "| phase | messages/s | delivery p50 / p95 / p99 ms | ack p99 ms "
        "| CPU ms/message (total: nodes + Redis + PG backends) | Redis commands/message |"
    )
    print("|---|---|---|---|---|---|")
    for phase in ("closed", "open", "mixed"):
        f = figures.get(phase)
        if not f:
            continue
        d = f["delivery_ms"]
        cpu = f["cpu_ms_per_message"]
        parts = " + ".join(
            f"{cpu[k]:.2f}"
            for k in cpu
            if k.startswith("node") or k == "workers" and cpu[k] or k in SERVER_SIDE
        )
        rate = f"{f['messages_per_s']:,.0f}"
        if f["offered_per_s"] is not None:
            rate += f" (offered {f['offered_per_s']:,})"
        redis_cmds = f["redis_commands_per_message"]
        print(
            f"| {phase} | {rate} | {d['p50']} / {d['p95']} / {d['p99']} | {f['ack_p99_ms']} "
            f"| {cpu.get('total', float('nan')):.2f} ({parts}) "
            f"| {'-' if redis_cmds is None else redis_cmds} |"
        )
    idle = figures.get("idle")
    if idle:
        nodes_text = "; ".join(
            f"node {n}: {c:,} sockets, {kb} KB/connection"
            for n, (c, kb) in enumerate(
                zip(idle["per_node"], idle["kb_per_connection"], strict=True)
            )
        )
        print(
            f"| idle | {idle['connected']:,}/{idle['wanted']:,} alive {idle['alive']:,} "
            f"| {nodes_text} | | | |"
        )
    print("JSON " + json.dumps(figures, sort_keys=False))


# --- main ---------------------------------------------------------------------------------
def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--conversations", type=int, default=50)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per load phase")
    parser.add_argument("--rate", type=float, default=200.0, help="open loop, messages/s total")
    parser.add_argument(
        "--idle", type=int, default=5000, help="idle resident connections (over all nodes)"
    )
    parser.add_argument("--port", type=int, default=8765, help="the first node's port")
    parser.add_argument(
        "--per-agent", type=int, default=5, help="conversations per agent socket (max 20)"
    )
    parser.add_argument("--warmup", type=float, default=2.0, help="closed loop, not counted")
    parser.add_argument(
        "--profile",
        metavar="FILE",
        help="profile the servers during the closed loop (collapsed stacks): py-spy when "
        "installed, else a sampling profiler via sitecustomize (FILE.node<i>)",
    )
    parser.add_argument(
        "--profile-idle",
        action="store_true",
        help="with --profile and py-spy: also sample waiting threads (wall clock), per thread",
    )
    parser.add_argument(
        "--no-mixed",
        dest="mixed",
        action="store_false",
        help="skip phase 4 (the closed loop again while the idle connections are open)",
    )
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument(
        "--pg-url",
        default="postgres://postgres@127.0.0.1:5432/",
        help="PostgreSQL server; the bench creates and drops its own database there",
    )
    parser.add_argument(
        "--redis",
        action="store_true",
        help="REDIS_URL (RedisFanoutLayer) with a prefix unique to the run",
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument(
        "--nodes", type=int, default=1, help="balie serve processes (> 1: PostgreSQL + Redis)"
    )
    parser.add_argument(
        "--placement",
        choices=("split", "separate"),
        default="split",
        help="split: every conversation's resident and agent on different nodes, round-robin;"
        " separate: residents on node 0, agents on node 1",
    )
    args = parser.parse_args(argv)
    if not 1 <= args.per_agent <= 20:
        parser.error("--per-agent must be 1..20 (the console opens at most 20 conversations)")
    if args.conversations < 1 or args.duration <= 0 or args.rate <= 0 or args.idle < 0:
        parser.error("--conversations, --duration and --rate must be positive")
    if args.nodes < 1:
        parser.error("--nodes must be at least 1")
    if args.nodes > 1:
        args.database, args.redis = "postgres", True
    return args


def label(args: argparse.Namespace) -> str:
    backend = "PostgreSQL" if args.database == "postgres" else "SQLite"
    if args.redis:
        backend += " + Redis"
    where = f"{args.nodes} nodes {args.placement}" if args.nodes > 1 else "1 node"
    return f"{where}, {backend}, {args.conversations} conversations"


def start_profile(args: argparse.Namespace, servers: list[subprocess.Popen]):
    """py-spy on the first node when installed; else signal the bench's sampler."""
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if Path(spy).exists():
        pid = servers[0].pid
        command = [spy, "record", "--pid", str(pid), "--format", "raw", "--rate", "200"]
        command += ["--duration", str(int(args.warmup + args.duration)), "-o", args.profile]
        if args.profile_idle:
            command += ["--idle", "--threads"]
        return subprocess.Popen(command, stdout=subprocess.DEVNULL)
    for server in servers:
        os.kill(server.pid, signal.SIGUSR1)
    return None


async def stop_profile(args, servers, profiler, sampler_prefix: Path | None) -> None:
    if profiler is not None:
        profiler.wait(timeout=60)
        print(f"py-spy profile written to {args.profile}")
        return
    for server in servers:
        os.kill(server.pid, signal.SIGUSR2)
    for number, server in enumerate(servers):
        written = Path(f"{sampler_prefix}.{server.pid}")
        for _ in range(100):
            if written.exists():
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(0.3)  # let the writer finish
        target = Path(args.profile if len(servers) == 1 else f"{args.profile}.node{number}")
        shutil.move(written, target)
        print(f"\nsampled profile of node {number} (pid {server.pid}) written to {target}")
        for line in nodes.summarise_profile(target):
            print(line)


async def run(args, fixture, servers, figures, placement, sampler_prefix) -> None:
    ports = [args.port + n for n in range(len(servers))]
    monitor = Monitor(
        [server.pid for server in servers],
        database=figures["config"].get("pg_database"),
        redis_url=args.redis_url if args.redis else None,
        pg_url=args.pg_url if args.database == "postgres" else None,
    )
    print(f"server RSS after start: {mib(monitor.rss())}")
    session = Session(ports, fixture, placement)
    await session.open()
    print(
        f"{len(session.residents)} resident sockets, {len(session.agents)} agent sockets "
        f"({args.per_agent} conversations each); server RSS {mib(monitor.rss())}"
    )
    if len(servers) > 1:
        residents = [placement.resident_nodes.count(n) for n in range(len(servers))]
        agents = [sum(1 for node, _ in placement.agents if node == n) for n in range(len(servers))]
        print(f"placement {args.placement}: residents per node {residents}, agents {agents}")

    profiler = start_profile(args, servers) if args.profile else None
    closed = await closed_loop(session, monitor, args.duration, args.warmup)
    if args.profile:
        await stop_profile(args, servers, profiler, sampler_prefix)
    print_load(
        f"Phase 1: closed loop, {args.conversations} conversations, {args.duration:.0f} s",
        closed,
        closed=True,
    )
    figures["closed"] = load_figures(closed)

    session.reset()
    opened = await open_loop(session, monitor, args.duration, args.rate)
    print_load(f"Phase 2: open loop at {args.rate:.0f} messages/s", opened, closed=False)
    figures["open"] = load_figures(opened)

    if args.idle:
        idle, sockets = await idle_connections(ports, monitor, args.idle)
        print_idle(idle)
        figures["idle"] = idle_figures(idle)
        if args.mixed:
            # The same closed loop again while the idle residents stay connected: what
            # a busy afternoon looks like (many open chat widgets, a few active chats).
            session.reset()
            mixed = await closed_loop(session, monitor, args.duration, warmup=1.0)
            print_load(
                f"Phase 4: closed loop again with {idle.connected:,} idle connections open",
                mixed,
                closed=True,
            )
            figures["mixed"] = load_figures(mixed)
        await close_all(sockets)
    await session.close()


def check_fd_limits(args, servers: list[subprocess.Popen], agents: int) -> None:
    """Every node and this client must be able to hold their sockets (psutil)."""
    per_node = math.ceil(args.idle / len(servers)) + args.conversations + agents + 256
    client_needs = args.idle + args.conversations + agents + 256
    soft = psutil.Process().rlimit(psutil.RLIMIT_NOFILE)[0]
    short = [] if soft >= client_needs else [f"bench client {soft} < {client_needs}"]
    for number, server in enumerate(servers):
        limit = psutil.Process(server.pid).rlimit(psutil.RLIMIT_NOFILE)[0]
        if limit < per_node:
            short.append(f"node {number} {limit} < {per_node}")
    if short:
        raise SystemExit("file descriptor limit too low: " + "; ".join(short))
    print(f"RLIMIT_NOFILE checked: client >= {client_needs}, each node >= {per_node}")


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    placement = nodes.plan_placement(args.conversations, args.per_agent, args.nodes, args.placement)
    agents = len(placement.agents)
    fd_limit = raise_fd_limit(2 * args.idle + 2 * args.conversations + 2 * agents + 1024)
    info = machine()
    print(
        f"machine: {info['nproc']} CPUs, {info['cpu']}, {info['memory']} RAM, {info['os']}; "
        f"Python {info['python']}; RLIMIT_NOFILE {fd_limit}"
    )
    load = os.getloadavg()[0]
    print(f"load average before the run: {load:.2f}; balie at {revision()}")
    if load > 0.5:
        print("  warning: the machine is busy; other processes share the CPUs with the server")
    data_dir = Path(tempfile.mkdtemp(prefix="balie-bench-"))
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "balie.conf.settings",
            "BALIE_DATA_DIR": str(data_dir),
            "BALIE_SECRET_KEY": secrets.token_urlsafe(50),
            "BALIE_RESIDENT_FRAMES_PER_10S": "1000000",
            "BALIE_NEW_CHATS_PER_HOUR": "1000000",
            # Every resident drives from 127.0.0.1, far faster than a person: the shared
            # limits stay on (their cost is measured) but out of reach.
            "BALIE_LIMIT_FRAMES_PER_TOKEN": "1000000000",
            "BALIE_LIMIT_MESSAGES_PER_CONVERSATION": "1000000000",
            "BALIE_LIMIT_FRAMES_PER_IP": "1000000000",
            "BALIE_LIMIT_SOCKETS_PER_IP": "1000000000",
            "BALIE_LOG_LEVEL": "WARNING",
        }
    )
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("REDIS_URL", None)
    config = {
        "label": label(args),
        "nodes": args.nodes,
        "database": args.database,
        "redis": args.redis,
        "placement": args.placement if args.nodes > 1 else None,
        "conversations": args.conversations,
        "agents": agents,
        "per_agent": args.per_agent,
        "duration": args.duration,
        "rate": args.rate,
        "idle": args.idle,
        "worker": not (args.database == "postgres" or args.redis),
        "revision": revision(),
        "load_before": round(load, 2),
        "loadavg": Path("/proc/loadavg").read_text().split()[:3],
    }
    figures: dict = {"config": config, "machine": info}
    servers: list[subprocess.Popen] = []
    redis = database = None
    previous = signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        if args.database == "postgres":
            database = nodes.create_database(args.pg_url)
            os.environ["DATABASE_URL"] = nodes.database_url(args.pg_url, database)
            config["pg_database"] = database
            config["pg_version"] = nodes.postgres_version(args.pg_url)
            print(f"PostgreSQL {config['pg_version']}: database {database} (dropped at the end)")
        if args.redis:
            prefix = f"balie-bench-{secrets.token_hex(4)}"
            os.environ.update({"REDIS_URL": args.redis_url, "BALIE_REDIS_PREFIX": prefix})
            redis = nodes.redis_client(args.redis_url)
            config["redis_version"] = nodes.redis_version(redis)
            before = nodes.command_calls(redis)
            time.sleep(2.0)
            background = sum(nodes.command_delta(before, nodes.command_calls(redis)).values())
            config["redis_background_commands_per_s"] = background / 2.0
            print(
                f"Redis {config['redis_version']} at {args.redis_url}, prefix {prefix}; "
                f"other clients' commands before the run: {background / 2.0:.1f}/s"
            )
        fixture = prepare(data_dir, agents)
        sampler_env: dict[str, str] = {}
        sampler_prefix = None
        if args.profile:
            site = nodes.write_sampler(data_dir / "sampler")
            sampler_prefix = data_dir / "profile"
            sampler_env = {
                "PYTHONPATH": os.pathsep.join(
                    p for p in (str(site), os.environ.get("PYTHONPATH", "")) if p
                ),
                "BALIE_BENCH_SAMPLER": str(sampler_prefix),
            }
        for number in range(args.nodes):
            log_path = data_dir / f"server{number}.log"
            servers.append(
                start_server(args.port + number, log_path, worker=config["worker"], env=sampler_env)
            )
        for number, server in enumerate(servers):
            wait_healthy(server, args.port + number, data_dir / f"server{number}.log")
        check_fd_limits(args, servers, agents)
        asyncio.run(run(args, fixture, servers, figures, placement, sampler_prefix))
        for number, server in enumerate(servers):
            if server.poll() is not None:
                log = (data_dir / f"server{number}.log").read_text()
                print(f"server {number} died during the run:\n{log}")
        print_summary(figures)
    finally:
        for server in servers:
            stop_server(server)
        signal.signal(signal.SIGTERM, previous)
        if database is not None:
            with contextlib.suppress(Exception):
                from django.db import connections

                connections.close_all()
            nodes.drop_database(args.pg_url, database)
        if redis is not None:
            nodes.delete_keys(redis, os.environ["BALIE_REDIS_PREFIX"])
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
