"""Group commit on the event loop: what arrives together is written together.

A :class:`GroupCommit` is an asyncio queue drained in batches: each batch goes to its
``write`` function in one thread hop (one transaction, one commit), each submitter is
answered after that commit, and the events the batch collected are sent from the event
loop afterwards (ARCHITECTURE.md, "The write path", step 5). Should a batch fail as a whole
(input the checks did not foresee), its items are written again one by one, so only the one
that broke it fails. The sockets' sends (:mod:`.writer`) and the channels' webhooks
(``web.hooks``) each have one per event loop.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

from channels.db import database_sync_to_async
from django.db import connections

from balie.conf import metrics
from balie.conversations import events
from balie.realtime import inbox

logger = logging.getLogger(__name__)

MAX_BATCH = 200
# How long a group commit keeps its database connection after its queue ran empty: opening
# one costs milliseconds on PostgreSQL, which under steady load would be paid per batch. The
# test suite sets 0 (its event loops end with each test, and their connections with them).
IDLE_CLOSE_SECONDS = 5.0

Item = TypeVar("Item")
# write(items) -> (one outcome per item: a result or an Exception, events collected)
Write = Callable[[list[Any]], tuple[list[Any], list[Any]]]
Hop = Callable[[Callable[..., Any]], Callable[..., Awaitable[Any]]]


class GroupCommit(Generic[Item]):
    def __init__(
        self,
        write: Write,
        *,
        name: str,
        max_batch: int = MAX_BATCH,
        hop: Hop = database_sync_to_async,
    ) -> None:
        """``hop``: how ``write`` runs in Django's thread. Channels' ``database_sync_to_async``
        (the default) closes stale database connections around it, as sockets need (no
        request signals do it for them); inside an HTTP request, Django's own
        ``sync_to_async`` (its request signals already do)."""
        self._write = write
        self._hop = hop
        self._name = name
        self._max_batch = max_batch
        self._queue: asyncio.Queue = asyncio.Queue()
        self._task: asyncio.Task | None = None
        # The drains run in a context of their own: no request's language or audit context
        # leaks into a batch, and the database connection (Django keeps connections per
        # context) is the group commit's own, kept from batch to batch.
        self._context = contextvars.Context()
        self._idle: asyncio.TimerHandle | None = None

    async def submit(self, item: Item) -> Any:
        """Queue ``item`` for the next batch; its outcome after the commit. An Exception
        outcome is raised."""
        future = asyncio.get_running_loop().create_future()
        self._queue.put_nowait((item, future))
        if self._task is None or self._task.done():
            if self._idle is not None:
                self._idle.cancel()
                self._idle = None
            self._task = asyncio.create_task(self._drain(), context=self._context)
        outcome = await future
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    async def _drain(self) -> None:
        while True:
            while not self._queue.empty():
                size = min(self._max_batch, self._queue.qsize())
                await self._take([self._queue.get_nowait() for _ in range(size)])
            if IDLE_CLOSE_SECONDS > 0:
                # The connection stays for the next batch; closed once none came for a while
                # (a timer, not a waiting task: nothing is left pending when a loop closes).
                loop = asyncio.get_running_loop()
                self._idle = loop.call_later(IDLE_CLOSE_SECONDS, self._close_when_idle)
                return
            await self._hop(_close_connections)()
            # No await between this check and returning, so a submit() that sees this task
            # done always starts a new one: nothing is left in the queue.
            if self._queue.empty():
                return

    def _close_when_idle(self) -> None:
        self._idle = None
        if self._task is None or self._task.done():
            loop = asyncio.get_running_loop()
            self._task = loop.create_task(self._close(), context=self._context)

    async def _close(self) -> None:
        await self._hop(_close_connections)()
        if not self._queue.empty():  # came while closing (submit saw this task running)
            await self._drain()

    async def _take(self, batch: list) -> None:
        items = [item for item, _ in batch]
        started = time.perf_counter()
        try:
            outcomes, collected = await self._hop(self._write)(items)
        except Exception:  # the batch rolled back: each item again, alone
            logger.exception(f"{self._name} batch failed", extra={"size": len(batch)})
            outcomes, collected = await self._hop(self._one_by_one)(items)
        committed = time.perf_counter()
        metrics.observe_batch(self._name, len(batch), committed - started)
        # Fanned out (on several nodes: published) before anyone is answered, so what a
        # sender saw acknowledged has left this node even if it stops right after.
        try:
            await deliver(collected)
            metrics.FANOUT_SECONDS.labels(stage="handoff").observe(time.perf_counter() - committed)
        except Exception:  # best effort after commit; the answers and next batch go on
            logger.exception(f"{self._name} fan-out failed")
        for (_, future), outcome in zip(batch, outcomes, strict=True):
            if not future.done():
                future.set_result(outcome)

    def _one_by_one(self, items: list[Item]) -> tuple[list, list]:
        """After a batch failed as a whole: each item in its own transaction, so the one
        that broke it fails alone (with its exception) and every other gets its answer.

        Cheaper than a savepoint per item in every batch: the happy path pays nothing."""
        outcomes: list = []
        collected: list = []
        for item in items:
            try:
                (outcome,), events_of_one = self._write([item])
            except Exception as error:
                logger.exception(f"{self._name} failed")
                outcome, events_of_one = error, []
            outcomes.append(outcome)
            collected.extend(events_of_one)
        return outcomes, collected


def _close_connections() -> None:
    """The drain's own connections; never one inside a transaction (a caller's, in tests
    that run the drain in their own thread)."""
    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block:
            connection.close()


async def deliver(collected) -> None:
    """Send the events a batch collected (``conversations.events.collect_events``): on
    several nodes, one publish for the whole batch."""
    others = []
    for event, groups in collected:
        if event["type"] == "conversation":  # inbox updates: coalesced, see realtime.inbox
            inbox.batcher().add(event["conversation"])
        else:
            others.append((event, groups))
    await events.asend_events(others)


def per_loop(factory: Callable[[], GroupCommit]) -> Callable[[], GroupCommit]:
    """The group commit of the running event loop (one per loop; closed loops forgotten)."""
    commits: dict[asyncio.AbstractEventLoop, GroupCommit] = {}

    def current() -> GroupCommit:
        loop = asyncio.get_running_loop()
        commit = commits.get(loop)
        if commit is None:
            for stale in [other for other in commits if other.is_closed()]:
                del commits[stale]
            commit = commits[loop] = factory()
        return commit

    return current


__all__ = ["MAX_BATCH", "GroupCommit", "deliver", "per_loop"]
