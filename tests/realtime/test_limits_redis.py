"""The limits over Redis, as several processes share them: counters in one pipeline, open
sockets as expiring members that a dead process stops refreshing.

Runs against the Redis at REDIS_TEST_URL (default 127.0.0.1:6379); mandatory when CI=true.
"""

from __future__ import annotations

import asyncio
import os
import time
import types
import uuid

import pytest
import redis
from django.test import override_settings

from balie.conf.routing import websocket_application
from balie.conversations import limits
from balie.conversations.limits import RateLimited, RedisBackend
from balie.realtime.resident import TOO_MANY_SOCKETS
from tests.realtime.communicator import WebsocketCommunicator
from tests.realtime.helpers import ORIGIN, resident_socket

REDIS_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/0")


def _redis_up() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


if not _redis_up():
    if os.environ.get("CI") == "true":
        raise RuntimeError(f"Redis at {REDIS_URL} is not reachable and CI=true")
    pytest.skip(f"Redis at {REDIS_URL} not reachable", allow_module_level=True)


PROCESSES: list[RedisBackend] = []


@pytest.fixture(autouse=True)
async def own_keys(monkeypatch, settings):
    """Keys of this test only (others may share the Redis); this process's backend is the
    first 'process', ``other_process()`` makes more."""
    prefix = f"balie-test-{uuid.uuid4().hex[:8]}"
    settings.REDIS_PREFIX = prefix
    monkeypatch.setattr(limits, "_BACKEND", other_process())
    yield
    for backend in PROCESSES:
        await backend.aclose()
    PROCESSES.clear()
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(f"{prefix}:*"))
    if keys:
        client.delete(*keys)


def other_process() -> RedisBackend:
    PROCESSES.append(RedisBackend(REDIS_URL))
    return PROCESSES[-1]


@override_settings(LIMIT_FRAMES_PER_TOKEN=3, LIMIT_FRAMES_PER_IP=5)
async def test_counters_are_shared_by_processes_and_counted_in_one_pipeline(monkeypatch):
    # the windows' clock stands still (a test across a window's edge would count afresh)
    monkeypatch.setattr(
        limits, "time", types.SimpleNamespace(time=lambda: 1_000_003.0, monotonic=time.monotonic)
    )
    hits = [(limits.FRAMES_PER_TOKEN, "1:abc", 1), (limits.FRAMES_PER_IP, "192.0.2.1", 1)]
    for _ in range(3):
        await limits.acheck(hits)
    limits.check([(limits.FRAMES_PER_IP, "192.0.2.1", 1)])  # the sync path, same counter

    with pytest.raises(RateLimited) as refused:
        await limits.acheck(hits)
    assert 1 <= refused.value.retry_after <= 10
    # the sockets' counts reach Redis within FLUSH_SECONDS, all in one command
    await asyncio.sleep(limits.FLUSH_SECONDS * 3)
    assert other_process().incr([(_key("frames-ip", "192.0.2.1", 10), 1, 10)]) == [6]
    # and another process's sockets then count them too
    other = other_process()
    await other.flush()
    assert await other.aincr([(_key("frames-ip", "192.0.2.1", 10), 1, 10)]) == [1]
    await other.aincr([])  # nothing sent yet: the total is learnt on the next flush
    await other.flush()
    assert await other.aincr([(_key("frames-ip", "192.0.2.1", 10), 1, 10)]) == [8]


def _key(name: str, scope: str, window: int) -> str:
    return f"{limits._prefix()}:{name}:{scope}:{int(limits.time.time() // window)}"


@override_settings(LIMIT_SOCKETS_PER_IP=2)
async def test_sockets_of_another_process_count_and_free_their_place_on_close():
    first, second = limits._BACKEND, other_process()
    assert await first.open_socket("192.0.2.1", "a", 2)
    assert await first.open_socket("192.0.2.1", "b", 2)

    assert not await second.open_socket("192.0.2.1", "c", 2)
    assert await second.open_socket("192.0.2.2", "c", 2)  # another address
    await first.close_socket("192.0.2.1", "a")
    assert await second.open_socket("192.0.2.1", "d", 2)
    for backend, address, name in [(first, "1", "b"), (second, "2", "c"), (second, "1", "d")]:
        await backend.close_socket(f"192.0.2.{address}", name)


async def test_a_dead_processs_sockets_drop_out_and_a_live_ones_stay(monkeypatch):
    monkeypatch.setattr(limits, "SOCKET_REFRESH_SECONDS", 0.2)
    monkeypatch.setattr(limits, "SOCKET_TTL_SECONDS", 1)
    live, dead, newcomer = other_process(), other_process(), other_process()
    assert await live.open_socket("192.0.2.1", "live", 2)
    assert await dead.open_socket("192.0.2.1", "dead", 2)
    dead._refresher.cancel()  # the process died: nobody closes or refreshes its socket

    await asyncio.sleep(1.5)  # longer than the sockets' time to live

    assert await newcomer.open_socket("192.0.2.1", "new", 2)  # the dead one's place
    assert not await newcomer.open_socket("192.0.2.1", "one-too-many", 2)  # the live one stays
    await live.close_socket("192.0.2.1", "live")
    await newcomer.close_socket("192.0.2.1", "new")


@override_settings(LIMIT_SOCKETS_PER_IP=1)
async def test_the_resident_socket_counts_its_place_in_redis(db):
    first = await resident_socket("utrecht", client="192.0.2.5")
    assert redis.Redis.from_url(REDIS_URL).zcard(f"{limits._prefix()}:sockets:192.0.2.5") == 1
    refused = WebsocketCommunicator(
        websocket_application, "/ws/c/utrecht/", headers=[ORIGIN], client="192.0.2.5"
    )
    assert await refused.connect() == (True, None)
    assert (await refused.receive_output(3))["code"] == TOO_MANY_SOCKETS

    await first.disconnect()
    second = await resident_socket("utrecht", client="192.0.2.5")
    await second.disconnect()
