"""The channel layer for one process (no REDIS_URL): Channels' in-memory layer, made cheap
per event so that thousands of open sockets do not slow every message down.

Channels' ``InMemoryChannelLayer`` sweeps *every* channel and group for expired messages at
the start of every ``receive()`` and ``group_send()``, deep-copies each message per receiver
and starts a task per receiver. With 5,000 idle resident sockets the sweep alone took the
server down to 15 messages/s (docs/performance.md). Here the sweep runs at most once a
second, receivers share the event (our consumers only read it), and a group send puts the
message straight on each queue.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
import time
import uuid

import msgpack
import redis
import redis.asyncio
from channels.exceptions import ChannelFull
from channels.layers import InMemoryChannelLayer
from django.conf import settings

from balie.conf import redis_clients

log = logging.getLogger(__name__)

SWEEP_INTERVAL = 1.0  # seconds between expiry sweeps


class LocalChannelLayer(InMemoryChannelLayer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._next_sweep = 0.0

    def _clean_expired(self):
        now = time.monotonic()
        if now < self._next_sweep:
            return
        self._next_sweep = now + SWEEP_INTERVAL
        super()._clean_expired()

    def _queue(self, channel: str) -> asyncio.Queue:
        return self.channels.setdefault(channel, asyncio.Queue(maxsize=self.get_capacity(channel)))

    async def send(self, channel, message):
        assert isinstance(message, dict), "message is not a dict"
        self.require_valid_channel_name(channel)
        try:
            self._queue(channel).put_nowait((time.time() + self.expiry, dict(message)))
        except asyncio.QueueFull:
            raise ChannelFull(channel) from None

    async def group_send(self, group, message):
        assert isinstance(message, dict), "message is not a dict"
        self.require_valid_group_name(group)
        self._clean_expired()
        expires = time.time() + self.expiry
        shared = dict(message)  # one copy for all receivers: consumers only read events
        for channel in list(self.groups.get(group, ())):
            # A socket this far behind misses live events; it resumes from its last seq.
            with contextlib.suppress(asyncio.QueueFull):
                self._queue(channel).put_nowait((expires, shared))


# --- several nodes --------------------------------------------------------------------------
# One Redis pub/sub channel carries every event between nodes: a batch of (group, message)
# pairs per PUBLISH, each node delivering to the sockets it holds (decision 0031).
KIND_GROUP, KIND_CHANNEL = 0, 1
TAG_BYTES = 16  # HMAC-SHA256, truncated: forging one is 2**128 work
IDLE_PING_SECONDS = 30.0  # a silent subscription is pinged this often …
DEAD_AFTER_SECONDS = 75.0  # … and taken for dead when nothing, not even a pong, came back
RECONNECT_DELAYS = (0.1, 0.5, 1.0, 2.0, 5.0)


class RedisFanoutLayer(LocalChannelLayer):
    """Sockets and groups stay in this process; events cross to other nodes over Redis.

    Channels' own ``RedisChannelLayer`` keeps every group in Redis and every message in a
    list per receiving process: about 30 Redis commands per message and a connection per
    concurrent ``group_discard`` (issue 16). Here group membership never leaves the process,
    so joining and leaving cost no Redis command and a node that dies leaves nothing behind;
    a batch of events is one ``PUBLISH`` on ``<prefix>:fanout``, and every node (one
    subscription each) hands the events to its own members. Events for groups without a
    member here cost a dictionary lookup.

    Three ways in:

    - ``group_send_many(items)`` from the event loop: delivered here at once, then published
      once for the other nodes (which skip nothing; this node skips its own);
    - ``group_send(group, message)``: the same for one pair;
    - ``send_now(items)`` from synchronous code in any thread (actions' ``on_commit``, the
      task workers, which run no event loop): one synchronous ``PUBLISH`` that every node,
      this one included, delivers from its subscription.

    Best effort, like every channel layer: an event lost while Redis is unreachable is
    recovered by the client, which resumes from its last sequence when it reconnects; after
    the subscription was lost and restored, every socket here is told to do so
    (``balie.resync``).
    """

    def __init__(self, url: str = "", prefix: str = "balie", **kwargs):
        super().__init__(**kwargs)
        self.url = url
        self.node = uuid.uuid4().hex[:16]
        self.topic = f"{prefix}:fanout"
        self._own = self.node.encode() + b"|"
        # Whoever can publish on Redis could otherwise put words in a resident's chat: each
        # publication carries an HMAC under a key derived from BALIE_SECRET_KEY.
        self._key = hashlib.sha256(b"balie.fanout\0" + settings.SECRET_KEY.encode()).digest()
        self._links: dict[asyncio.AbstractEventLoop, _Link] = {}
        self._sync_client: redis.Redis | None = None

    async def new_channel(self, prefix="specific."):
        return f"{prefix}{self.node}!{uuid.uuid4().hex[:12]}"

    # -- sending -------------------------------------------------------------------------
    async def group_send(self, group, message):
        await self.group_send_many([(group, message)])

    async def group_send_many(self, items: list[tuple[str, dict]]) -> None:
        for group, message in items:
            assert isinstance(message, dict), "message is not a dict"
            self.require_valid_group_name(group)
        self._clean_expired()
        self._deliver([(KIND_GROUP, group, message) for group, message in items])
        await self._link().publish(self._own, items_of(items, KIND_GROUP))

    async def send(self, channel, message):
        if self._is_here(channel):
            await super().send(channel, message)
        else:
            await self._link().publish(self._own, [(KIND_CHANNEL, channel, message)])

    def send_now(self, items: list[tuple[str, dict]]) -> None:
        """Publish from synchronous code (any thread, no event loop needed)."""
        if self._sync_client is None:
            self._sync_client = redis_clients.sync_client(self.url)
        try:
            data = self.seal(b"|" + _pack(items_of(items, KIND_GROUP)))
            self._sync_client.publish(self.topic, data)
        except redis.RedisError as error:
            log.warning("fan-out publish failed", extra={"error": type(error).__name__})

    # -- groups --------------------------------------------------------------------------
    async def group_add(self, group, channel):
        await super().group_add(group, channel)
        await self._link().subscribed()  # nothing published after this is missed here

    # -- receiving -----------------------------------------------------------------------
    def _is_here(self, channel: str) -> bool:
        return "!" not in channel or channel.split("!", 1)[0].endswith(self.node)

    def _deliver(self, items) -> None:
        expires = time.time() + self.expiry
        for kind, name, message in items:
            if kind == KIND_CHANNEL:
                if self._is_here(name):
                    with contextlib.suppress(asyncio.QueueFull):
                        self._queue(name).put_nowait((expires, message))
                continue
            members = self.groups.get(name)
            if not members:
                continue
            for channel in list(members):
                with contextlib.suppress(asyncio.QueueFull):
                    self._queue(channel).put_nowait((expires, message))

    def seal(self, data: bytes) -> bytes:
        """``data`` behind its tag: nodes take only what a node of this installation sent."""
        return hmac.new(self._key, data, hashlib.sha256).digest()[:TAG_BYTES] + data

    def _received(self, sealed: bytes) -> None:
        tag, data = sealed[:TAG_BYTES], sealed[TAG_BYTES:]
        if not hmac.compare_digest(
            tag, hmac.new(self._key, data, hashlib.sha256).digest()[:TAG_BYTES]
        ):
            log.warning("fan-out message with a wrong tag dropped")
            return
        origin, _, body = data.partition(b"|")
        if origin == self.node.encode():
            return  # delivered here when it was sent
        self._clean_expired()
        self._deliver(_unpack(body))

    def _resync(self) -> None:
        """Every socket here may have missed events: tell each to resume."""
        message = {"type": "balie.resync"}
        self._deliver([(KIND_CHANNEL, channel, message) for channel in self._members()])

    def _members(self) -> set[str]:
        return {channel for members in self.groups.values() for channel in members}

    def _link(self) -> _Link:
        loop = asyncio.get_running_loop()
        link = self._links.get(loop)
        if link is None:
            for stale in [other for other in self._links if other.is_closed()]:
                del self._links[stale]
            link = self._links[loop] = _Link(self)
        return link

    async def close(self):
        """Close this event loop's Redis connections (a loop that ends, as in tests)."""
        link = self._links.pop(asyncio.get_running_loop(), None)
        if link is not None:
            await link.close()


# The subscription waits for messages without a timeout (it is pinged instead when silent):
# redis-py's default socket timeout closed idle subscriptions every 5 s (issue 16, defect a).
SUBSCRIBE_OPTIONS = {
    **redis_clients.OPTIONS,
    "socket_timeout": None,
    "health_check_interval": 0,  # the listener pings by itself when silent
}


class _Link:
    """One event loop's connections to Redis: a client to publish on, one subscription."""

    def __init__(self, layer: RedisFanoutLayer) -> None:
        self.layer = layer
        self.publisher = redis_clients.async_client(layer.url)
        self._ready = asyncio.Event()
        self._task = asyncio.get_running_loop().create_task(self._subscribe())

    async def publish(self, origin: bytes, items) -> None:
        if not items:
            return
        try:
            await self.publisher.publish(self.layer.topic, self.layer.seal(origin + _pack(items)))
        except redis.RedisError as error:
            log.warning("fan-out publish failed", extra={"error": type(error).__name__})

    async def subscribed(self) -> None:
        if not self._ready.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._ready.wait(), SUBSCRIBE_WAIT_SECONDS)

    async def close(self) -> None:
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        await self.publisher.aclose()

    async def _subscribe(self) -> None:
        """Stay subscribed: reconnect with backoff; ping when silent, so a dead connection
        (a Redis restarted, a cut the kernel has not noticed) is found within a minute."""
        failures = 0
        try:
            while True:
                client = redis.asyncio.Redis.from_url(
                    self.layer.url,
                    client_name=f"balie-fanout-{self.layer.node}",  # seen in CLIENT LIST
                    **SUBSCRIBE_OPTIONS,
                )
                pubsub = client.pubsub()
                try:
                    await pubsub.subscribe(self.layer.topic)
                    if failures:
                        self.layer._resync()
                        log.info("fan-out subscription restored", extra={"failures": failures})
                    failures = 0
                    self._ready.set()
                    await self._listen(pubsub)
                except (redis.RedisError, OSError) as error:
                    self._ready.clear()
                    delay = RECONNECT_DELAYS[min(failures, len(RECONNECT_DELAYS) - 1)]
                    failures += 1
                    log.warning(
                        "fan-out subscription lost",
                        extra={"error": type(error).__name__, "retry_in": delay},
                    )
                    await asyncio.sleep(delay)
                finally:
                    await _quietly_close(pubsub, client)
        finally:
            await _quietly_close(None, self.publisher)

    async def _listen(self, pubsub) -> None:
        heard = time.monotonic()
        while True:
            message = await pubsub.get_message(timeout=IDLE_PING_SECONDS)
            now = time.monotonic()
            if message is None:
                if now - heard > DEAD_AFTER_SECONDS:
                    raise redis.ConnectionError("no answer to ping")
                await pubsub.ping()
                continue
            heard = now
            if message["type"] == "message":
                try:
                    self.layer._received(message["data"])
                except Exception:  # one bad publication must not end the subscription
                    log.exception("fan-out message not delivered")


SUBSCRIBE_WAIT_SECONDS = 5.0


async def _quietly_close(pubsub, client) -> None:
    with contextlib.suppress(Exception):
        if pubsub is not None:
            await pubsub.aclose()
        await client.aclose()


def items_of(items: list[tuple[str, dict]], kind: int) -> list[tuple[int, str, dict]]:
    return [(kind, name, message) for name, message in items]


def _pack(items) -> bytes:
    return msgpack.packb(items, default=str, use_bin_type=True)


def _unpack(body: bytes):
    return msgpack.unpackb(body, raw=False)
