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
                              [--profile FILE [--profile-idle]]  # py-spy, closed loop

Only talks to 127.0.0.1, stops by itself, kills the server on exit and removes its data.
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
    """The commit measured (and whether the tree had local changes)."""
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
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        sessions.append(store.session_key)
    do_create_team(organisation, name="KCC", members=users, is_default=True)
    connections.close_all()
    return Fixture(SLUG, sessions)


def start_server(port: int, log_path: Path) -> subprocess.Popen:
    log = log_path.open("wb")
    # Own process group: the embedded task worker is killed with it.
    return subprocess.Popen(
        balie_command("serve", "--host", "127.0.0.1", "--port", str(port)),
        env=os.environ.copy(),
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

    @staticmethod
    def mean(values: list[float]) -> float:
        return sum(values) / len(values) if values else float("nan")


class Monitor:
    """Samples the server's RSS and CPU (and the worker's and this client's CPU)."""

    def __init__(self, server_pid: int, interval: float = 0.5) -> None:
        self.server = psutil.Process(server_pid)
        self.client = psutil.Process()
        self.interval = interval
        self.usage = Usage()
        self._task: asyncio.Task | None = None

    def rss(self) -> int:
        return self.server.memory_info().rss

    def _workers(self) -> list[psutil.Process]:
        try:
            return self.server.children(recursive=True)
        except psutil.Error:
            return []

    async def _run(self) -> None:
        workers = self._workers()
        for process in [self.server, self.client, *workers]:
            process.cpu_percent(None)
        psutil.cpu_percent(None)
        cores = psutil.cpu_count() or 1
        while True:
            await asyncio.sleep(self.interval)
            rss = self.rss()
            self.usage.rss_last = rss
            self.usage.rss_max = max(self.usage.rss_max, rss)
            self.usage.server_cpu.append(self.server.cpu_percent(None))
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
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> Usage:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
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

    def __init__(self, port: int, fixture: Fixture, conversations: int, per_agent: int):
        self.port = port
        self.fixture = fixture
        self.count = conversations
        self.per_agent = per_agent
        self.origin = f"http://127.0.0.1:{port}"
        self.residents: list[ClientConnection] = []
        self.conversation_ids: list[int] = []
        self.agents: list[ClientConnection] = []
        self.tracker = Tracker()
        self._agent_readers: list[asyncio.Task] = []

    async def _connect(self, path: str, **headers: str) -> ClientConnection:
        return await connect(
            f"ws://127.0.0.1:{self.port}{path}",
            origin=self.origin,  # AllowedHostsOriginValidator
            additional_headers=headers or None,
            compression=None,
            open_timeout=CONNECT_TIMEOUT,
            ping_interval=None,
            max_queue=None,
        )

    async def open(self) -> None:
        for _ in range(self.count):
            ws = await self._connect(f"/ws/c/{self.fixture.organisation_slug}/")
            await ws.send(json.dumps({"type": "hello", "token": None, "last_seq": 0}))
            await expect(ws, "ready")
            await ws.send(json.dumps({"type": "start", "language": "nl"}))
            started = await expect(ws, "started")
            self.residents.append(ws)
            self.conversation_ids.append(started["conversation"]["id"])
        for number, session_key in enumerate(self.fixture.agent_sessions):
            ws = await self._connect("/ws/agent/", Cookie=f"sessionid={session_key}")
            await expect(ws, "hello")
            mine = self.conversation_ids[number * self.per_agent : (number + 1) * self.per_agent]
            for conversation_id in mine:
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

    @property
    def kb_per_connection(self) -> float:
        return (self.rss_after - self.rss_before) / max(1, self.connected) / 1024


async def idle_connections(port: int, monitor: Monitor, count: int, hold: float = 3.0):
    url = f"ws://127.0.0.1:{port}/ws/c/{SLUG}/"
    origin = f"http://127.0.0.1:{port}"
    hello = json.dumps({"type": "hello", "token": None, "last_seq": 0})
    gate = asyncio.Semaphore(100)  # connection attempts in flight (the listen backlog)
    sockets: list[ClientConnection] = []
    failures: dict[str, int] = {}

    async def one() -> None:
        async with gate:
            try:
                ws = await connect(
                    url,
                    origin=origin,
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
            except Exception as error:
                name = type(error).__name__
                failures[name] = failures.get(name, 0) + 1

    await asyncio.sleep(1.0)
    rss_before = monitor.rss()
    started = time.perf_counter()
    await asyncio.wait_for(asyncio.gather(*(one() for _ in range(count))), 300)
    seconds = time.perf_counter() - started
    await asyncio.sleep(hold)
    rss_after = monitor.rss()

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
        rss_before=rss_before,
        rss_after=rss_after,
        seconds=seconds,
    )
    return result, sockets


async def close_all(sockets: list[ClientConnection]) -> None:
    closing = asyncio.Semaphore(500)

    async def close(ws: ClientConnection) -> None:
        async with closing:
            await ws.close()

    await asyncio.wait_for(asyncio.gather(*(close(ws) for ws in sockets)), 120)


# --- report -------------------------------------------------------------------------------
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


# --- main ---------------------------------------------------------------------------------
def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--conversations", type=int, default=50)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per load phase")
    parser.add_argument("--rate", type=float, default=200.0, help="open loop, messages/s total")
    parser.add_argument("--idle", type=int, default=5000, help="idle resident connections")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--per-agent", type=int, default=5, help="conversations per agent socket (max 20)"
    )
    parser.add_argument("--warmup", type=float, default=2.0, help="closed loop, not counted")
    parser.add_argument(
        "--profile",
        metavar="FILE",
        help="record the server with py-spy during the closed loop (collapsed stacks)",
    )
    parser.add_argument(
        "--profile-idle",
        action="store_true",
        help="with --profile: also sample waiting threads (wall clock), per thread",
    )
    parser.add_argument(
        "--no-mixed",
        dest="mixed",
        action="store_false",
        help="skip phase 4 (the closed loop again while the idle connections are open)",
    )
    args = parser.parse_args(argv)
    if not 1 <= args.per_agent <= 20:
        parser.error("--per-agent must be 1..20 (the console opens at most 20 conversations)")
    if args.conversations < 1 or args.duration <= 0 or args.rate <= 0 or args.idle < 0:
        parser.error("--conversations, --duration and --rate must be positive")
    return args


async def run(args: argparse.Namespace, fixture: Fixture, server: subprocess.Popen) -> None:
    monitor = Monitor(server.pid)
    print(f"server RSS after start: {mib(monitor.rss())}")
    session = Session(args.port, fixture, args.conversations, args.per_agent)
    await session.open()
    print(
        f"{len(session.residents)} resident sockets, {len(session.agents)} agent sockets "
        f"({args.per_agent} conversations each); server RSS {mib(monitor.rss())}"
    )

    profiler = None
    if args.profile:
        spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
        command = [spy, "record", "--pid", str(server.pid), "--format", "raw", "--rate", "200"]
        command += ["--duration", str(int(args.warmup + args.duration)), "-o", args.profile]
        if args.profile_idle:
            command += ["--idle", "--threads"]
        profiler = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    closed = await closed_loop(session, monitor, args.duration, args.warmup)
    if profiler is not None:
        profiler.wait(timeout=60)
        print(f"py-spy profile written to {args.profile}")
    print_load(
        f"Phase 1: closed loop, {args.conversations} conversations, {args.duration:.0f} s",
        closed,
        closed=True,
    )

    session.reset()
    opened = await open_loop(session, monitor, args.duration, args.rate)
    print_load(f"Phase 2: open loop at {args.rate:.0f} messages/s", opened, closed=False)

    if args.idle:
        idle, sockets = await idle_connections(args.port, monitor, args.idle)
        print_idle(idle)
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
        await close_all(sockets)
    await session.close()


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    fd_limit = raise_fd_limit(2 * args.idle + 2 * args.conversations + 1024)
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
    server = None
    previous = signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        agents = math.ceil(args.conversations / args.per_agent)
        fixture = prepare(data_dir, agents)
        log_path = data_dir / "server.log"
        server = start_server(args.port, log_path)
        wait_healthy(server, args.port, log_path)
        asyncio.run(run(args, fixture, server))
        if server.poll() is not None:
            print(f"server died during the run:\n{log_path.read_text()}")
    finally:
        if server is not None:
            stop_server(server)
        signal.signal(signal.SIGTERM, previous)
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
