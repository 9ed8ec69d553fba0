"""The cross-node channel layer on a real Redis: two layer instances stand for two nodes.

Runs against the Redis at REDIS_TEST_URL (default 127.0.0.1:6379); mandatory when CI=true.
"""

from __future__ import annotations

import asyncio
import os
import threading
import uuid

import pytest
import redis

from balie.realtime import layers
from balie.realtime.layers import RedisFanoutLayer

REDIS_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/0")

try:
    redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
except redis.RedisError:
    if os.environ.get("CI") == "true":
        raise RuntimeError(f"Redis at {REDIS_URL} is not reachable and CI=true") from None
    pytest.skip(f"Redis at {REDIS_URL} not reachable", allow_module_level=True)


@pytest.fixture
async def nodes():
    prefix = f"balie-test-{uuid.uuid4().hex[:8]}"
    made = [RedisFanoutLayer(url=REDIS_URL, prefix=prefix, expiry=30) for _ in range(2)]
    yield made
    for layer in made:
        await layer.close()


async def _joined(layer: RedisFanoutLayer, group: str) -> str:
    channel = await layer.new_channel()
    await layer.group_add(group, channel)
    return channel


async def test_a_batch_crosses_to_the_other_node_in_one_publish(nodes, monkeypatch):
    a, b = nodes
    here, there = await _joined(a, "conv-1-staff"), await _joined(b, "conv-1-staff")
    await _joined(b, "conv-2-staff")
    published = []
    original = layers._Link.publish

    async def counting(self, origin, items):
        published.append(len(items))
        await original(self, origin, items)

    monkeypatch.setattr(layers._Link, "publish", counting)
    batch = [(f"conv-{n % 2 + 1}-staff", {"type": "balie.event", "n": n}) for n in range(10)]
    await a.group_send_many(batch)

    assert published == [10]
    mine = [await asyncio.wait_for(a.receive(here), 2) for _ in range(5)]
    assert [m["n"] for m in mine] == [0, 2, 4, 6, 8]  # conv-1: even n, in order
    theirs = [await asyncio.wait_for(b.receive(there), 2) for _ in range(5)]
    assert [m["n"] for m in theirs] == [0, 2, 4, 6, 8]
    # the sending node does not hear its own publication a second time
    await asyncio.sleep(0.2)
    assert a.channels.get(here) is None or a.channels[here].empty()


async def test_synchronous_code_reaches_every_node_with_one_publish(nodes):
    """Actions' on_commit and the task workers run without an event loop."""
    a, b = nodes
    here, there = await _joined(a, "staff-7"), await _joined(b, "staff-7")
    thread = threading.Thread(target=a.send_now, args=([("staff-7", {"type": "balie.x"})],))
    thread.start()
    thread.join()
    assert (await asyncio.wait_for(a.receive(here), 2))["type"] == "balie.x"
    assert (await asyncio.wait_for(b.receive(there), 2))["type"] == "balie.x"


async def test_joining_and_leaving_cost_no_redis_state(nodes):
    a, _ = nodes
    client = redis.Redis.from_url(REDIS_URL)
    before = {k for k in client.scan_iter("balie-test-*")}
    channels = [await _joined(a, f"conv-{n}-resident") for n in range(200)]
    for n, channel in enumerate(channels):
        await a.group_discard(f"conv-{n}-resident", channel)
    assert {k for k in client.scan_iter("balie-test-*")} == before
    assert a.groups == {}


async def test_a_channel_on_another_node_is_reached(nodes):
    a, b = nodes
    there = await b.new_channel()
    await _joined(b, "anything")  # b subscribed
    await a.send(there, {"type": "balie.direct"})
    assert (await asyncio.wait_for(b.receive(there), 2))["type"] == "balie.direct"


async def test_a_lost_subscription_comes_back_and_tells_the_sockets_to_resume(nodes):
    a, b = nodes
    here = await _joined(a, "conv-3-staff")
    await _joined(b, "conv-3-staff")
    client = redis.Redis.from_url(REDIS_URL)
    name = f"balie-fanout-{a.node}"
    ids = [c["id"] for c in client.client_list() if c.get("name") == name]
    assert ids, "the subscription names itself"
    client.client_kill_filter(_id=ids[0])

    resync = await asyncio.wait_for(a.receive(here), 5)
    assert resync == {"type": "balie.resync"}  # the consumer closes with 1012 on it
    await b.group_send_many([("conv-3-staff", {"type": "balie.event", "after": True})])
    assert (await asyncio.wait_for(a.receive(here), 5))["after"] is True


async def test_redis_down_loses_events_but_never_raises(nodes, monkeypatch):
    a, _ = nodes
    await _joined(a, "conv-4-staff")
    link = a._link()

    async def broken(*args, **kwargs):
        raise redis.ConnectionError("down")

    monkeypatch.setattr(link.publisher, "publish", broken)
    await a.group_send_many([("conv-4-staff", {"type": "balie.event"})])  # logged, not raised


async def test_a_forged_publication_is_dropped(nodes):
    """Whoever can reach Redis cannot put words in a chat without BALIE_SECRET_KEY."""
    a, _ = nodes
    here = await _joined(a, "conv-5-resident")
    forged = layers._pack([(layers.KIND_GROUP, "conv-5-resident", {"type": "balie.event"})])
    client = redis.Redis.from_url(REDIS_URL)
    client.publish(a.topic, b"\0" * layers.TAG_BYTES + b"|" + forged)
    client.publish(a.topic, b"|" + forged)
    sealed = a.seal(b"|" + layers._pack([(layers.KIND_GROUP, "conv-5-resident", {"n": 1})]))
    client.publish(a.topic, sealed)
    assert await asyncio.wait_for(a.receive(here), 2) == {"n": 1}  # only the sealed one
    await asyncio.sleep(0.2)
    assert a.channels.get(here) is None or a.channels[here].empty()
