"""The live inbox, coalesced: at most one frame per organisation every FLUSH_INTERVAL.

Every agent socket is in its organisation's inbox group, so a ``conversation`` event per
message costs one frame per agent per message: with dozens of agents logged in, the inbox,
not the message, was most of the server's work (docs/performance.md). The inbox only needs
each conversation's latest state, so the group-commit writer hands the batch's conversation
updates to this batcher, which keeps the newest per conversation and sends them together as
one ``conversations`` frame. Changes made outside the WebSocket path (API, console actions)
still send a single ``conversation`` event at once.
"""

from __future__ import annotations

import asyncio
from typing import Any

from balie.conversations import event_types, events

FLUSH_INTERVAL = 0.25  # seconds


class InboxBatcher:
    def __init__(self) -> None:
        self._pending: dict[int, dict[int, dict[str, Any]]] = {}  # org -> conversation -> state
        self._task: asyncio.Task | None = None

    def add(self, conversation: dict[str, Any]) -> None:
        self._pending.setdefault(conversation["organisation"], {})[conversation["id"]] = (
            conversation
        )
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._flush_soon())

    async def _flush_soon(self) -> None:
        await asyncio.sleep(FLUSH_INTERVAL)
        pending, self._pending = self._pending, {}
        await events.asend_events(
            [
                (
                    event_types.conversations_event(list(conversations.values())),
                    [events.inbox_group(organisation_id)],
                )
                for organisation_id, conversations in pending.items()
            ]
        )


_batchers: dict[asyncio.AbstractEventLoop, InboxBatcher] = {}


def batcher() -> InboxBatcher:
    """The batcher of the running event loop."""
    loop = asyncio.get_running_loop()
    found = _batchers.get(loop)
    if found is None:
        for stale in [other for other in _batchers if other.is_closed()]:
            del _batchers[stale]
        found = _batchers[loop] = InboxBatcher()
    return found
