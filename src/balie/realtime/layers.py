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
import time

from channels.exceptions import ChannelFull
from channels.layers import InMemoryChannelLayer

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
