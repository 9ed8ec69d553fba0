"""Limits that hold however many sockets a resident opens: per device token, per
conversation and per client address, counted once for the whole installation.

Counters are fixed windows (``<limit>:<scope>:<window number>``, expiring with the window):
one increment per counter and no read before it. Every counter of one check goes in one round
trip: a dict under a lock in this process when Balie runs as one process (no Redis: the same
reach as Django's locmem cache), one Redis pipeline when ``REDIS_URL`` is set (several
processes or nodes share it). A fixed window lets a burst of up to twice the limit through
around a window's edge; for the limits here that is harmless and buys the single increment.

Open sockets per address are a set of live sockets, not a counter that a crashed process
could leave too high: in this process a set per address; in Redis a sorted set per address
whose members (one per socket) carry an expiry that this process pushes forward every
:data:`SOCKET_REFRESH_SECONDS`. A process that dies stops refreshing, and its sockets drop out
of the count within :data:`SOCKET_TTL_SECONDS` (docs/realtime.md, "Limits").

Addresses are normalised: IPv4 as is, IPv6 by its /64 (one household or phone gets a whole
/64, so counting single IPv6 addresses would count nothing).
"""

from __future__ import annotations

import asyncio
import hashlib
import ipaddress
import logging
import math
import threading
import time
from dataclasses import dataclass

import redis
import redis.asyncio
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from balie.conf import redis_clients
from balie.errors import TooMany

__all__ = [
    "FRAMES_PER_IP",
    "FRAMES_PER_TOKEN",
    "MESSAGES_PER_CONVERSATION",
    "UPLOADS_PER_IP",
    "UPLOADS_PER_TOKEN",
    "UPLOAD_BYTES_PER_IP",
    "UPLOAD_BYTES_PER_TOKEN",
    "Limit",
    "RateLimited",
    "acheck",
    "address_scope",
    "check",
    "close_socket",
    "conversation_scope",
    "open_socket",
    "reset",
    "token_scope",
]

log = logging.getLogger(__name__)

SOCKET_REFRESH_SECONDS = 60
FLUSH_SECONDS = 0.1  # how often a process sends its sockets' counts to Redis
SOCKET_TTL_SECONDS = 3 * SOCKET_REFRESH_SECONDS


@dataclass(frozen=True)
class Limit:
    """At most ``settings.<setting>`` per ``window`` seconds (0 or less: no limit)."""

    name: str
    setting: str
    window: int

    def maximum(self) -> int:
        return getattr(settings, self.setting)


FRAMES_PER_TOKEN = Limit("frames-token", "LIMIT_FRAMES_PER_TOKEN", 10)
FRAMES_PER_IP = Limit("frames-ip", "LIMIT_FRAMES_PER_IP", 10)
MESSAGES_PER_CONVERSATION = Limit("messages-conversation", "LIMIT_MESSAGES_PER_CONVERSATION", 10)
UPLOADS_PER_TOKEN = Limit("uploads-token", "LIMIT_UPLOADS_PER_TOKEN", 3600)
UPLOAD_BYTES_PER_TOKEN = Limit("upload-bytes-token", "LIMIT_UPLOAD_BYTES_PER_TOKEN", 3600)
UPLOADS_PER_IP = Limit("uploads-ip", "LIMIT_UPLOADS_PER_IP", 3600)
UPLOAD_BYTES_PER_IP = Limit("upload-bytes-ip", "LIMIT_UPLOAD_BYTES_PER_IP", 3600)

TOO_FAST = _("You are sending too much at once. Wait %(seconds)s seconds.")


class RateLimited(TooMany):
    default_code = "rate_limited"
    default_message = TOO_FAST


# --- scopes: what a counter counts for ---------------------------------------------------
def address_scope(address: str | None) -> str:
    """A client address as counted: IPv4 as is, IPv6 as its /64, anything else 'unknown'."""
    try:
        ip = ipaddress.ip_address((address or "").split("%")[0])
    except ValueError:
        return "unknown"
    if ip.version == 6 and ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def token_scope(organisation_id: int, token_hash: str) -> str:
    """A device token, by its stored hash hashed once more: the counters never hold the value
    the database compares with."""
    digest = hashlib.blake2b(token_hash.encode(), digest_size=12).hexdigest()
    return f"{organisation_id}:{digest}"


def conversation_scope(organisation_id: int, conversation_id: int) -> str:
    return f"{organisation_id}:{conversation_id}"


# --- checks --------------------------------------------------------------------------------
Hit = tuple[Limit, str, int]  # (limit, scope, amount)


def _keys(hits: list[Hit], now: float) -> list[tuple[str, int, int, Hit]]:
    return [
        (f"{_prefix()}:{limit.name}:{scope}:{int(now // limit.window)}", amount, limit.window, hit)
        for hit in hits
        for limit, scope, amount in [hit]
        if limit.maximum() > 0
    ]


def _verdict(keyed, counts: list[int], now: float) -> None:
    waits = [
        math.ceil(window - now % window)
        for (_key, _amount, window, (limit, _scope, _n)), count in zip(keyed, counts, strict=True)
        if count > limit.maximum()
    ]
    if waits:
        wait = max(waits)
        raise RateLimited(params={"seconds": wait}, retry_after=wait)


def check(hits: list[Hit]) -> None:
    """Count ``hits`` (one round trip); raise :class:`RateLimited` when one is over its limit.

    What is refused still counts: a client that keeps trying stays refused until the window
    turns."""
    now = time.time()
    keyed = _keys(hits, now)
    if keyed:
        _verdict(keyed, _backend().incr([(k, a, w) for k, a, w, _ in keyed]), now)


async def acheck(hits: list[Hit]) -> None:
    """:func:`check` for the event loop: without Redis no I/O at all, with Redis an awaited
    pipeline."""
    now = time.time()
    keyed = _keys(hits, now)
    if keyed:
        counts = await _backend().aincr([(k, a, w) for k, a, w, _ in keyed])
        _verdict(keyed, counts, now)


def _prefix() -> str:
    """Keys under the installation's Redis prefix (several installations may share Redis)."""
    return f"{settings.REDIS_PREFIX}:limit"


# --- open sockets per address --------------------------------------------------------------
async def open_socket(address: str, socket_id: str) -> bool:
    """Count a new socket from ``address``; False (and not counted) when it is one too many."""
    maximum = settings.LIMIT_SOCKETS_PER_IP
    return await _backend().open_socket(address, socket_id, maximum if maximum > 0 else None)


async def close_socket(address: str, socket_id: str) -> None:
    await _backend().close_socket(address, socket_id)


def reset() -> None:
    """Forget every count in this process (tests)."""
    global _BACKEND  # noqa: PLW0603 - the one backend of this process
    _BACKEND = None


# --- backends ------------------------------------------------------------------------------
class LocalBackend:
    """One process: counters and sockets in memory, exactly as far as the process reaches."""

    def __init__(self) -> None:
        self._counts: dict[str, list[float]] = {}  # key -> [count, expires at]
        self._sockets: dict[str, set[str]] = {}
        self._lock = threading.Lock()
        self._next_sweep = 0.0

    def incr(self, items: list[tuple[str, int, int]]) -> list[int]:
        now = time.monotonic()
        with self._lock:
            if now >= self._next_sweep:  # drop windows gone by, once a second at most
                self._counts = {k: v for k, v in self._counts.items() if v[1] > now}
                self._next_sweep = now + 1
            counts = []
            for key, amount, window in items:
                entry = self._counts.get(key)
                if entry is None or entry[1] <= now:
                    entry = self._counts[key] = [0, now + window]
                entry[0] += amount
                counts.append(int(entry[0]))
            return counts

    async def aincr(self, items: list[tuple[str, int, int]]) -> list[int]:
        return self.incr(items)

    async def open_socket(self, address: str, socket_id: str, maximum: int | None) -> bool:
        with self._lock:
            live = self._sockets.setdefault(address, set())
            if maximum is not None and len(live) >= maximum:
                return False
            live.add(socket_id)
            return True

    async def close_socket(self, address: str, socket_id: str) -> None:
        with self._lock:
            live = self._sockets.get(address, set())
            live.discard(socket_id)
            if not live:
                self._sockets.pop(address, None)


# Every counter of one check in one command (EVALSHA): one round trip and one command to
# encode per frame, where a pipeline of SET NX + INCRBY per counter took six.
_INCR = """
local counts = {}
for i, key in ipairs(KEYS) do
  local amount = tonumber(ARGV[2 * i - 1])
  local count = redis.call('INCRBY', key, amount)
  if count == amount then redis.call('EXPIRE', key, ARGV[2 * i]) end
  counts[i] = count
end
return counts
"""

_OPEN_SOCKET = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if ARGV[3] ~= '' and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[4])
redis.call('EXPIRE', KEYS[1], ARGV[5])
return 1
"""


class RedisBackend(LocalBackend):
    """Several processes: counters and socket sets in Redis, one round trip per check."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self._url = url
        self._sync = redis_clients.sync_client(url)
        self._sync_incr = self._sync.register_script(_INCR)
        self._async: dict[asyncio.AbstractEventLoop, redis.asyncio.Redis] = {}
        self._refresher: asyncio.Task | None = None
        self._scripts: dict = {}  # async client -> its registered _INCR
        self._pending: dict[str, list[int]] = {}  # key -> [counted here, not yet sent; window]
        self._known: dict[str, tuple[int, float]] = {}  # key -> (Redis's total, until)
        self._flush_timer: asyncio.TimerHandle | None = None
        self._next_forget = 0.0

    def _client(self) -> redis.asyncio.Redis:
        loop = asyncio.get_running_loop()
        if loop not in self._async:
            self._async = {o: c for o, c in self._async.items() if not o.is_closed()}
            self._async[loop] = redis_clients.async_client(self._url)
        return self._async[loop]

    async def aclose(self) -> None:
        """Close this event loop's connections (a loop that ends, as in tests)."""
        if self._refresher is not None:
            self._refresher.cancel()
        client = self._async.pop(asyncio.get_running_loop(), None)
        if client is not None:
            await client.aclose()

    @staticmethod
    def _arguments(items) -> tuple[list[str], list[int]]:
        keys = [key for key, _, _ in items]
        args = [value for _, amount, window in items for value in (amount, window)]
        return keys, args

    def incr(self, items: list[tuple[str, int, int]]) -> list[int]:
        keys, args = self._arguments(items)
        return [int(n) for n in self._sync_incr(keys=keys, args=args)]

    async def aincr(self, items: list[tuple[str, int, int]]) -> list[int]:
        """The sockets' frames: counted here at once and sent to Redis together every
        :data:`FLUSH_SECONDS` (one command for all of this process's frames, not a round trip
        per frame). A count is what Redis last said plus what this process added since; other
        processes' frames show within their next flush, so a burst spread over several
        processes may pass a limit by what they counted in that moment."""
        now = time.monotonic()
        counts = []
        for key, amount, window in items:
            pending = self._pending.setdefault(key, [0, window])
            pending[0] += amount
            known = self._known.get(key)
            base = known[0] if known is not None and known[1] > now else 0
            counts.append(base + pending[0])
        if self._flush_timer is None:
            loop = asyncio.get_running_loop()
            self._flush_timer = loop.call_later(FLUSH_SECONDS, self._start_flush)
        return counts

    def _start_flush(self) -> None:
        self._flush_timer = None
        asyncio.get_running_loop().create_task(self.flush())

    async def flush(self) -> None:
        """Send what this process counted since the last flush; learn the totals."""
        pending, self._pending = self._pending, {}
        if not pending:
            return
        items = [(key, amount, window) for key, (amount, window) in pending.items()]
        keys, args = self._arguments(items)
        client = self._client()
        script = self._scripts.get(client)
        if script is None:
            script = self._scripts[client] = client.register_script(_INCR)
        try:
            totals = await script(keys=keys, args=args)
        except redis.RedisError as error:  # counted again with the next flush
            log.warning("limits not counted in Redis", extra={"error": type(error).__name__})
            for key, (amount, window) in pending.items():
                self._pending.setdefault(key, [0, window])[0] += amount
            return
        now = time.monotonic()
        if now >= self._next_forget:  # windows gone by
            self._known = {k: v for k, v in self._known.items() if v[1] > now}
            self._next_forget = now + 1
        for (key, _amount, window), total in zip(items, totals, strict=True):
            self._known[key] = (int(total), now + window)

    async def open_socket(self, address: str, socket_id: str, maximum: int | None) -> bool:
        now = time.time()
        opened = await self._client().eval(
            _OPEN_SOCKET,
            1,
            f"{_prefix()}:sockets:{address}",
            now,
            now + SOCKET_TTL_SECONDS,
            "" if maximum is None else maximum,
            socket_id,
            SOCKET_TTL_SECONDS,
        )
        if opened:
            with self._lock:
                self._sockets.setdefault(address, set()).add(socket_id)
            if self._refresher is None or self._refresher.done():
                self._refresher = asyncio.create_task(self._refresh())
        return bool(opened)

    async def close_socket(self, address: str, socket_id: str) -> None:
        await super().close_socket(address, socket_id)
        await self._client().zrem(f"{_prefix()}:sockets:{address}", socket_id)
        if not self._sockets and self._refresher is not None:
            self._refresher.cancel()
            self._refresher = None

    async def _refresh(self) -> None:
        """Push this process's sockets' expiry forward while it lives."""
        while True:
            await asyncio.sleep(SOCKET_REFRESH_SECONDS)
            with self._lock:
                live = {address: set(ids) for address, ids in self._sockets.items()}
            pipe = self._client().pipeline(transaction=False)
            expires = time.time() + SOCKET_TTL_SECONDS
            for address, ids in live.items():
                key = f"{_prefix()}:sockets:{address}"
                pipe.zadd(key, dict.fromkeys(ids, expires), xx=True)
                pipe.expire(key, SOCKET_TTL_SECONDS)
            try:
                await pipe.execute()
            except redis.RedisError:  # try again next time; the members live 3 periods
                log.warning("could not refresh the open sockets in Redis", exc_info=True)


_BACKEND: LocalBackend | None = None


def _backend() -> LocalBackend:
    global _BACKEND  # noqa: PLW0603 - created on first use, after settings are read
    if _BACKEND is None:
        url = settings.REDIS_URL
        _BACKEND = RedisBackend(url) if url else LocalBackend()
    return _BACKEND
