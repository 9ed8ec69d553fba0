"""Support for ``bench/messaging.py`` on PostgreSQL + Redis with several nodes (issue 16).

- a throwaway PostgreSQL database per run (``balie_bench_<random>``, dropped at the end);
- Redis: ``INFO commandstats`` deltas and removal of the run's keys (unique prefix);
- CPU seconds of the processes outside the server: ``redis-server`` and the PostgreSQL
  processes (the run database's backends apart from the shared walwriter, checkpointer …);
- where a socket goes (``split`` / ``separate`` placement of residents and agents);
- a small sampling profiler for the servers when py-spy is not installed: a
  ``sitecustomize`` put on the servers' ``PYTHONPATH`` only by the bench, started and stopped
  by signals, writing collapsed stacks like ``py-spy record --format raw``.

Imported by ``bench/messaging.py`` only.
"""

from __future__ import annotations

import contextlib
import secrets
import textwrap
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psutil


# --- PostgreSQL ---------------------------------------------------------------------------
def database_url(server_url: str, name: str) -> str:
    parts = urlsplit(server_url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))


def create_database(server_url: str) -> str:
    """A fresh, uniquely named database on the server; returns its name."""
    import psycopg

    name = f"balie_bench_{secrets.token_hex(4)}"
    with psycopg.connect(database_url(server_url, "postgres"), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return name


def drop_database(server_url: str, name: str) -> None:
    """Drop the run's own database (and only it: the name is checked)."""
    import psycopg

    assert name.startswith("balie_bench_"), name
    with psycopg.connect(database_url(server_url, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def postgres_version(server_url: str) -> str:
    import psycopg

    with psycopg.connect(database_url(server_url, "postgres"), autocommit=True) as conn:
        return str(conn.execute("SHOW server_version").fetchone()[0])


PG_STATS = (
    "SELECT sessions, xact_commit, active_time, session_time FROM pg_stat_database"
    " WHERE datname = %s"
)


class PgStats:
    """``pg_stat_database`` of the run's database: new sessions (connections), commits and
    the time its backends spent executing statements (``active_time``, ms), as deltas."""

    def __init__(self, server_url: str, database: str) -> None:
        import psycopg

        self.database = database
        self.conn = psycopg.connect(database_url(server_url, database), autocommit=True)

    def snapshot(self) -> dict[str, float]:
        self.conn.execute("SELECT pg_stat_clear_snapshot()")
        row = self.conn.execute(PG_STATS, (self.database,)).fetchone()
        names = ("sessions", "commits", "active_ms", "session_ms")
        return dict(zip(names, (float(v or 0) for v in row), strict=True))

    def close(self) -> None:
        self.conn.close()


# --- Redis --------------------------------------------------------------------------------
def redis_client(url: str):
    import redis

    return redis.Redis.from_url(url, socket_timeout=5)


def command_calls(client) -> dict[str, int]:
    """Calls per command since the Redis server started (``INFO commandstats``)."""
    stats = client.info("commandstats")
    return {name.removeprefix("cmdstat_"): int(value["calls"]) for name, value in stats.items()}


def command_delta(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    """Calls between two snapshots, without the bench's own ``INFO``."""
    delta = {name: calls - before.get(name, 0) for name, calls in after.items()}
    return {name: n for name, n in delta.items() if n > 0 and name != "info"}


def redis_version(client) -> str:
    return str(client.info("server").get("redis_version", "unknown"))


def delete_keys(client, prefix: str) -> int:
    """Remove the run's keys (its prefix is unique to the run)."""
    assert prefix.startswith("balie-bench-"), prefix
    names = list(client.scan_iter(match=f"{prefix}*", count=1000))
    for start in range(0, len(names), 500):
        client.delete(*names[start : start + 500])
    return len(names)


# --- CPU outside the servers --------------------------------------------------------------
def redis_server_process(port: int = 6379) -> psutil.Process | None:
    """The redis-server process (by name; the one on ``port`` if there are several)."""
    found = []
    for process in psutil.process_iter(["name", "cmdline"]):
        if process.info["name"] == "redis-server":
            found.append(process)
    for process in found:
        if any(f":{port}" in part for part in process.info["cmdline"] or ()):
            return process
    return found[0] if found else None


def postgres_processes(database: str) -> tuple[list[psutil.Process], list[psutil.Process]]:
    """(backends of ``database``, the postmaster's other children: walwriter, checkpointer,
    autovacuum …). Backends of other databases (other people's) are left out."""
    ours, shared = [], []
    for process in psutil.process_iter(["name", "ppid", "cmdline"]):
        if process.info["name"] != "postgres":
            continue
        try:
            parent = psutil.Process(process.info["ppid"])
            if parent.name() != "postgres":
                continue  # the postmaster itself
        except psutil.Error:
            continue
        title = " ".join(part for part in process.info["cmdline"] or () if part)
        if f" {database} " in f"{title} ":
            ours.append(process)
        elif not any(word in title for word in (" postgres ", " balie")):
            shared.append(process)  # no client backend of another database
    return ours, shared


def postmaster() -> psutil.Process | None:
    for process in psutil.process_iter(["name", "ppid"]):
        if process.info["name"] == "postgres":
            with contextlib.suppress(psutil.Error):
                if psutil.Process(process.info["ppid"]).name() != "postgres":
                    return process
    return None


def exited_children_seconds(process: psutil.Process) -> float:
    """CPU seconds of the process's children that have exited (and been waited for)."""
    try:
        times = process.cpu_times()
        return times.children_user + times.children_system
    except psutil.Error:
        return 0.0


def cpu_seconds(process: psutil.Process) -> float:
    try:
        times = process.cpu_times()
        return times.user + times.system
    except psutil.Error:
        return 0.0


@dataclass
class CpuSnapshot:
    """CPU seconds per process at one moment, grouped by role."""

    by_role: dict[str, dict[int, float]] = field(default_factory=dict)


class CpuMeter:
    """CPU seconds per role between ``start()`` and ``stop()``: the servers (per node), their
    task workers, redis-server, the PostgreSQL backends of the run's database, the shared
    PostgreSQL processes and the bench client."""

    def __init__(self, servers: list[psutil.Process], database: str | None, redis: bool):
        self.servers = servers
        self.database = database
        self.redis = redis_server_process() if redis else None
        self.client = psutil.Process()
        self.postmaster = postmaster() if database else None
        self._before: dict[str, dict[int, float]] = {}
        self.counts: dict[str, int] = {}  # processes per role at the end of the window

    def _processes(self) -> dict[str, list[psutil.Process]]:
        roles: dict[str, list[psutil.Process]] = {}
        for number, server in enumerate(self.servers):
            roles[f"node{number}"] = [server]
        workers = []
        for server in self.servers:
            with contextlib.suppress(psutil.Error):
                workers += server.children(recursive=True)
        roles["workers"] = workers
        if self.redis is not None:
            roles["redis-server"] = [self.redis]
        if self.database:
            ours, shared = postgres_processes(self.database)
            roles["postgres backends"] = ours
            roles["postgres shared"] = shared
        roles["client"] = [self.client]
        return roles

    def snapshot(self) -> dict[str, dict[int, float]]:
        seconds = {
            role: {process.pid: cpu_seconds(process) for process in processes}
            for role, processes in self._processes().items()
        }
        if self.postmaster is not None:
            # Backends that ended in the window (any database: other people's too).
            seconds["postgres exited"] = {0: exited_children_seconds(self.postmaster)}
        return seconds

    def start(self) -> None:
        self._before = self.snapshot()

    def stop(self) -> dict[str, float]:
        after = self.snapshot()
        self.counts = {role: len(pids) for role, pids in after.items()}
        seconds = {}
        for role, now in after.items():
            before = self._before.get(role, {})
            # A process that started inside the window counts from zero.
            seconds[role] = sum(max(0.0, t - before.get(pid, 0.0)) for pid, t in now.items())
        self.counts["postgres exited"] = 0
        return seconds


# --- placement ----------------------------------------------------------------------------
@dataclass
class Placement:
    """Which node each resident (conversation) and each agent socket connects to."""

    resident_nodes: list[int]
    agents: list[tuple[int, list[int]]]  # (node, conversation indices) per agent socket


def plan_placement(conversations: int, per_agent: int, nodes: int, how: str) -> Placement:
    def chunks(indices: list[int]) -> list[list[int]]:
        return [indices[i : i + per_agent] for i in range(0, len(indices), per_agent)]

    if nodes == 1:
        return Placement([0] * conversations, [(0, c) for c in chunks(list(range(conversations)))])
    if how == "separate":  # residents on node 0, agents on node 1
        return Placement([0] * conversations, [(1, c) for c in chunks(list(range(conversations)))])
    # split: resident of conversation i on node i mod N, its agent on the next node
    residents = [index % nodes for index in range(conversations)]
    agents = []
    for node in range(nodes):
        mine = [index for index in range(conversations) if residents[index] == node]
        agents += [((node + 1) % nodes, chunk) for chunk in chunks(mine)]
    return Placement(residents, agents)


# --- sampling profiler ----------------------------------------------------------------------
SAMPLER = """
\"\"\"Written by bench/messaging.py: samples this process's threads while profiling is on
(SIGUSR1 starts, SIGUSR2 stops and writes collapsed stacks to $BALIE_BENCH_SAMPLER.<pid>).
Each sample is weighted by the CPU time the thread used since its previous sample
(/proc/self/task/<tid>/schedstat, nanoseconds), so waits weigh nothing.\"\"\"
import os, signal, sys, threading, time
from collections import Counter

_OUT = os.environ.get("BALIE_BENCH_SAMPLER")
_INTERVAL = 1.0 / float(os.environ.get("BALIE_BENCH_SAMPLER_HZ", "200"))
_on = threading.Event()
_stop = threading.Event()
_counts = Counter()


def _cpu_ns(tid):
    try:
        with open(f"/proc/self/task/{tid}/schedstat") as f:
            return int(f.read().split()[0])
    except OSError:
        return 0


def _name(frame):
    code = frame.f_code
    return f"{code.co_name} ({code.co_filename}:{frame.f_lineno})"


def _run():
    me = threading.get_ident()
    while True:
        _on.wait()
        last = {}
        while not _stop.is_set():
            threads = {t.ident: t for t in threading.enumerate()}
            for ident, frame in sys._current_frames().items():
                thread = threads.get(ident)
                if ident == me or thread is None:
                    continue
                now = _cpu_ns(thread.native_id)
                used = now - last.get(ident, now)
                last[ident] = now
                if used <= 0:
                    continue
                stack = []
                while frame is not None:
                    stack.append(_name(frame))
                    frame = frame.f_back
                stack.append(thread.name)
                _counts[";".join(reversed(stack))] += used // 1000
            time.sleep(_INTERVAL)
        with open(f"{_OUT}.{os.getpid()}", "w") as out:
            for stack, n in _counts.most_common():
                out.write(f"{stack} {n}\\n")
        _counts.clear()
        _on.clear()
        _stop.clear()


if _OUT:
    threading.Thread(target=_run, name="bench-sampler", daemon=True).start()
    signal.signal(signal.SIGUSR1, lambda *_: _on.set())
    signal.signal(signal.SIGUSR2, lambda *_: _stop.set())
"""


def write_sampler(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "sitecustomize.py").write_text(textwrap.dedent(SAMPLER).lstrip())
    return directory


# Leaf frames of a thread that waits (off CPU): the event loop in epoll, an idle executor
# thread, the sampler itself. Waiting for PostgreSQL or Redis is reported apart.
IDLE_LEAVES = (
    ("select", "selectors.py"),
    ("_worker", "concurrent/futures/thread.py"),
    ("wait", "threading.py"),
    ("get", "queue.py"),
    ("_wait_for_tstate_lock", "threading.py"),
)


def _is_idle(leaf: str) -> bool:
    return any(leaf.startswith(f"{fn} (") and f"/{path}:" in leaf for fn, path in IDLE_LEAVES)


def _short(frame: str) -> str:
    """``name (/long/path/to/pkg/mod.py:12)`` -> ``pkg/mod.py:name``."""
    name, _, where = frame.partition(" (")
    path = where.rsplit(":", 1)[0]
    for marker in ("/site-packages/", "/src/", "/lib/python3"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    return f"{path.removeprefix('.11/').removeprefix('.12/')}:{name}"


def summarise_profile(path: Path, top: int = 25) -> list[str]:
    """Busy samples (off-CPU waits left out) with the functions' inclusive and self shares."""
    stacks: Counter[tuple[str, ...]] = Counter()
    for line in path.read_text().splitlines():
        stack, _, n = line.rpartition(" ")
        frames = tuple(stack.split(";"))
        stacks[frames] += int(n)
    total = sum(stacks.values())
    busy = {s: n for s, n in stacks.items() if not _is_idle(s[-1])}
    busy_total = sum(busy.values()) or 1
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    for frames, n in busy.items():
        for name in {_short(f) for f in frames[1:]}:
            inclusive[name] += n
        own[_short(frames[-1])] += n
    lines = [
        f"{path.name}: {total / 1e6:.2f} CPU seconds sampled (weighted by each thread's CPU"
        f" time), {busy_total / 1e6:.2f} s outside epoll/idle waits"
    ]
    threads: Counter[str] = Counter()
    for frames, n in busy.items():
        threads[frames[0]] += n
    lines.append(
        "  per thread: "
        + ", ".join(f"{name} {100 * n / busy_total:.0f} %" for name, n in threads.most_common(6))
    )
    lines.append("  inclusive % of CPU:")
    for name, n in inclusive.most_common(top + 15):
        if name.startswith(("asyncio/", "threading.py", "concurrent/", "runpy.py")):
            continue
        if any(
            name.endswith(x)
            for x in (":run", ":_run", ":main", ":<module>", ":_run_module_as_main")
        ):
            continue
        lines.append(f"    {100 * n / busy_total:5.1f} %  {name}")
    lines.append("  self % of CPU:")
    for name, n in own.most_common(top):
        lines.append(f"    {100 * n / busy_total:5.1f} %  {name}")
    return lines
