"""``/healthz`` (liveness), ``/readyz`` (readiness) and ``/metrics`` (Prometheus), for the
load balancer, the orchestrator and monitoring (docs/operations.md, decision 0033).

None of them needs a session, a CSRF token or an organisation; none is rate-limited, and
none is logged per request (Django would log every 401, 404 and 503 it answers: a probe
every few seconds would fill the log). The host name must still be one of
``BALIE_ALLOWED_HOSTS``, as for every request. They say nothing of the internals beyond a
check's status and, for a failed one, its error's type name.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import hashlib
import hmac
import logging
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.core.files.storage import default_storage
from django.db import connection
from django.db.models import Count
from django.http import HttpResponse, JsonResponse
from django.views.decorators.http import require_GET, require_safe
from django_tasks_db.models import DBTaskResult
from prometheus_client import REGISTRY
from prometheus_client.exposition import choose_encoder

from balie.conf import lifecycle, metrics
from balie.conversations.models import DeliveryStatus, Direction, Message

logger = logging.getLogger(__name__)

CHECK_TIMEOUT = 1.5  # seconds per check; they run at once, so /readyz answers within ~2 s
# A check's answer is used again for this long: a flood of /readyz requests (it needs no
# credentials) costs the database at most one new connection a second per process.
REUSE_SECONDS = 1.0
STORAGE_PROBE = "balie-readyz-probe"  # never written: asking whether it exists is the check
NOT_USED = "not used"
# Counting failed messages reads the message table (no index on the delivery status): once a
# minute per process at most, whatever the scrape interval.
FAILED_DELIVERIES_MAX_AGE = 60.0


def _unlogged(response: HttpResponse) -> HttpResponse:
    """Keep Django from logging this answer (``django.request``'s 4xx and 5xx lines)."""
    response._has_been_logged = True  # type: ignore[attr-defined]  # Django's own flag
    response["Cache-Control"] = "no-store"
    return response


# --- liveness -------------------------------------------------------------------------------
@require_safe
async def healthz(request):
    """The process answers: no database, nothing else (the orchestrator restarts a process
    that does not). Answered on the event loop, so a busy sync thread does not fail it."""
    return _unlogged(JsonResponse({"status": "ok"}))


# --- readiness ------------------------------------------------------------------------------
class Probe:
    """One dependency's check in a daemon thread of its own, with a deadline.

    A dependency that stops answering without closing the connection (a database or Redis
    behind a dead network path) must give a quick 503, not a probe that hangs. The thread
    it hangs in is a daemon, so it never holds up the process's exit, and until it returns
    the next probes wait for that same attempt instead of starting more threads. An
    attempt started less than ``REUSE_SECONDS`` ago answers for the next probes too."""

    def __init__(self, name: str, check: Callable[[], str]) -> None:
        self.name = name
        self._check = check
        self._lock = threading.Lock()
        self._running: concurrent.futures.Future | None = None
        self._started = 0.0

    def forget(self) -> None:
        """The next probe checks again (tests that break a dependency)."""
        with self._lock:
            self._running = None

    async def run(self, timeout: float = CHECK_TIMEOUT) -> dict:
        started = time.perf_counter()
        result: dict
        try:
            status = await asyncio.wait_for(asyncio.wrap_future(self._attempt()), timeout)
            result = {"status": status}
        except TimeoutError:
            result = {"status": "timeout"}
        except Exception as error:  # any driver's error means "not ready"
            result = {"status": "error", "error": type(error).__name__}
        result["ms"] = round((time.perf_counter() - started) * 1000, 2)
        return result

    def _attempt(self) -> concurrent.futures.Future:
        with self._lock:
            now = time.monotonic()
            last = self._running
            if last is None or (last.done() and now - self._started >= REUSE_SECONDS):
                future: concurrent.futures.Future = concurrent.futures.Future()
                future.set_running_or_notify_cancel()  # a timed-out wait cannot cancel it
                thread = threading.Thread(
                    target=self._work, args=(future,), name=f"readyz-{self.name}", daemon=True
                )
                thread.start()
                self._running, self._started = future, now
            return self._running

    def _work(self, future: concurrent.futures.Future) -> None:
        try:
            future.set_result(self._check())
        except BaseException as error:
            future.set_exception(error)


def check_database() -> str:
    """``SELECT 1`` on a connection of its own, closed after: also proves a new
    connection can be made."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    finally:
        connection.close()
    return "ok"


def check_redis() -> str:
    """PING through the cache's Redis client (the channel layer and the shared limits use
    the same ``REDIS_URL``); without Redis, "not used"."""
    cache = caches["default"]  # this thread's own instance, with its own connection
    if not isinstance(cache, RedisCache):
        return NOT_USED
    client = cache._cache.get_client(write=True)  # type: ignore[attr-defined]  # its client
    try:
        client.ping()
    finally:
        client.connection_pool.disconnect()
    return "ok"


def check_storage() -> str:
    """Files (local or S3-compatible): a question the storage must answer."""
    default_storage.exists(STORAGE_PROBE)
    return "ok"


PROBES = [
    Probe("database", check_database),
    Probe("redis", check_redis),
    Probe("storage", check_storage),
]
_was_ready: bool | None = None


def forget() -> None:
    """Every check runs again at the next probe (tests)."""
    for probe in PROBES:
        probe.forget()


@require_safe
async def readyz(request):
    """200 when this process should get traffic: the database, Redis (if used) and the
    file storage answer, and it is not draining; else 503. Each check with its time."""
    results = await asyncio.gather(*(probe.run() for probe in PROBES))
    checks = {probe.name: result for probe, result in zip(PROBES, results, strict=True)}
    draining = lifecycle.is_draining()
    checks["process"] = {"status": "draining" if draining else "ok", "ms": 0.0}
    failed = sorted(name for name, r in checks.items() if r["status"] not in ("ok", NOT_USED))
    status = "draining" if draining else ("error" if failed else "ok")
    _note_change(failed)
    answer = JsonResponse({"status": status, "checks": checks}, status=503 if failed else 200)
    return _unlogged(answer)


def _note_change(failed: list[str]) -> None:
    """Log when readiness changes, not at every probe."""
    global _was_ready
    ready = not failed
    if ready != _was_ready:
        if ready:
            logger.info("ready")
        else:
            logger.warning("not ready", extra={"checks": failed})
        _was_ready = ready


# --- metrics --------------------------------------------------------------------------------
@require_GET
def prometheus_metrics(request):
    """Prometheus' text format, only with ``Authorization: Bearer <BALIE_METRICS_TOKEN>``;
    off (404) while no token is set. Cheap enough for Django's sync thread: counters in
    memory plus the scrape-time gauges' two aggregate queries."""
    token = settings.METRICS_TOKEN
    if not token:
        return _unlogged(HttpResponse(status=404))
    if not _bearer_matches(request.headers.get("Authorization", ""), token):
        response = _unlogged(HttpResponse(status=401))
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    # Prometheus' text format, or OpenMetrics when the scraper asks for it (Accept).
    encode, content_type = choose_encoder(request.headers.get("Accept", ""))
    return _unlogged(HttpResponse(encode(REGISTRY), content_type=content_type))


def _bearer_matches(header: str, token: str) -> bool:
    scheme, _, presented = header.partition(" ")
    if scheme.lower() != "bearer":
        return False
    # Digests of both: equal length, so the comparison does not even reveal the length.
    return hmac.compare_digest(
        hashlib.sha256(presented.strip().encode()).digest(),
        hashlib.sha256(token.encode()).digest(),
    )


def _task_queue_depth():
    """Tasks due and waiting for a worker, per queue (one GROUP BY; the backend's partial
    index on READY keeps it small)."""
    depth = {"default": 0}
    rows = DBTaskResult.objects.ready().order_by().values("queue_name").annotate(n=Count("pk"))
    depth.update({row["queue_name"]: row["n"] for row in rows})
    return [((queue,), n) for queue, n in sorted(depth.items())]


def _failed_deliveries():
    """Outbound messages in the failed state, per channel kind; never per organisation."""
    rows = (
        Message.objects.filter(direction=Direction.OUTBOUND, delivery_status=DeliveryStatus.FAILED)
        .order_by()
        .values("conversation__channel")
        .annotate(n=Count("pk"))
    )
    return [((row["conversation__channel"],), row["n"]) for row in rows]


metrics.AT_SCRAPE.gauge(
    "balie_task_queue_depth",
    "Background tasks due and waiting for a worker, per queue (from the database: the same "
    "on every node).",
    ("queue",),
    _task_queue_depth,
)
metrics.AT_SCRAPE.gauge(
    "balie_failed_deliveries",
    "Outbound messages whose delivery to an external channel failed and that were not sent "
    "again, per channel kind (from the database: the same on every node; read at most "
    "once a minute).",
    ("channel",),
    _failed_deliveries,
    max_age=FAILED_DELIVERIES_MAX_AGE,
)
