"""The one-process channel layer: delivers to every group member, sweeps expired messages
at most once a second, and drops live events for a socket that stopped reading."""

from __future__ import annotations

import asyncio

from channels.layers import InMemoryChannelLayer

from balie.realtime import layers
from balie.realtime.layers import LocalChannelLayer


async def test_group_send_reaches_every_member_once():
    layer = LocalChannelLayer(capacity=10)
    a, b = await layer.new_channel(), await layer.new_channel()
    await layer.group_add("org-1-inbox", a)
    await layer.group_add("org-1-inbox", b)
    await layer.group_send("org-1-inbox", {"type": "balie.event", "event": {"n": 1}})
    assert (await layer.receive(a))["event"] == {"n": 1}
    assert (await layer.receive(b))["event"] == {"n": 1}
    assert layer.channels == {}


async def test_a_full_socket_misses_live_events_but_others_do_not():
    layer = LocalChannelLayer(capacity=2)
    slow, fast = await layer.new_channel(), await layer.new_channel()
    for channel in (slow, fast):
        await layer.group_add("g", channel)
    for n in range(3):
        await layer.group_send("g", {"type": "x", "n": n})
        assert (await layer.receive(fast))["n"] == n
    assert [(await layer.receive(slow))["n"] for _ in range(2)] == [0, 1]


async def test_expired_messages_are_swept_at_most_once_a_second(monkeypatch):
    sweeps = []
    parent_sweep = InMemoryChannelLayer._clean_expired
    monkeypatch.setattr(
        InMemoryChannelLayer, "_clean_expired", lambda self: sweeps.append(1) or parent_sweep(self)
    )
    layer = LocalChannelLayer(expiry=0.01)
    stale = await layer.new_channel()
    await layer.group_add("g", stale)
    await layer.send(stale, {"type": "x"})
    await asyncio.sleep(0.05)  # the message expires unread

    for _ in range(5):
        await layer.group_send("elsewhere", {"type": "x"})

    assert len(sweeps) == 1  # not five
    assert stale not in layer.groups.get("g", {})  # its expired message removed it

    monkeypatch.setattr(layers, "SWEEP_INTERVAL", 0)
    layer._next_sweep = 0
    await layer.group_send("elsewhere", {"type": "x"})
    assert len(sweeps) == 2
