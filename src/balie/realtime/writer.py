"""Group commit for sends arriving over WebSockets.

Sends that arrive together are written by one writer in one transaction: an asyncio queue
drained in batches, one thread hop and one commit per batch. Each sender is answered only
after that commit, and the batch's events are fanned out from the event loop afterwards
(ARCHITECTURE.md, "The write path", step 5). Should a batch fail as a whole (input the
checks did not foresee), its sends are written again one by one, so only the one that broke
it fails.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any

from channels.db import database_sync_to_async
from django.db import transaction

from balie.conversations import actions, events, selectors
from balie.conversations.models import Conversation
from balie.errors import BalieError
from balie.realtime import inbox

logger = logging.getLogger(__name__)

MAX_BATCH = 200


@dataclass(frozen=True)
class SendRequest:
    conversation_id: int
    direction: str
    body: object
    client_id: object
    attachment_ids: object = ()
    # Staff user (checked with access_conversation(write=True)); None for the resident,
    # whose socket has already proven the conversation by its token.
    actor: Any = None
    for_resident: bool = False


@dataclass(frozen=True)
class SendOutcome:
    result: actions.SendResult
    payload: dict[str, Any] = field(default_factory=dict)


def write_batch(requests: list[SendRequest]) -> tuple[list, list]:
    """Write all requests in one transaction; each gets a SendOutcome or its own error."""
    with events.collect_events() as collected, transaction.atomic():
        conversations = _conversations(requests)
        outcomes: list = [None] * len(requests)
        items, positions = [], []
        for position, request in enumerate(requests):
            try:
                items.append(_item(request, conversations))
                positions.append(position)
            except BalieError as e:  # this request's own error; the others go on
                outcomes[position] = e
        for position, result in zip(positions, actions.send_messages(items), strict=True):
            outcomes[position] = (
                result
                if isinstance(result, BalieError)
                else SendOutcome(result, _payload(result, requests[position].for_resident))
            )
    return outcomes, list(collected)


def write_one_by_one(requests: list[SendRequest]) -> tuple[list, list]:
    """After a batch failed as a whole: each request in its own transaction, so the one
    that broke it fails alone (with its exception) and every other sender gets its ack.

    Cheaper than a savepoint per item in every batch: the happy path pays nothing."""
    outcomes: list = []
    collected: list = []
    for request in requests:
        try:
            (outcome,), events_of_one = write_batch([request])
        except Exception as error:
            logger.exception("send failed", extra={"conversation": request.conversation_id})
            outcome, events_of_one = error, []
        outcomes.append(outcome)
        collected.extend(events_of_one)
    return outcomes, collected


def _conversations(requests: list[SendRequest]) -> dict[int, Conversation]:
    """The batch's conversations in one query (contact and assignee for the inbox event)."""
    ids = {r.conversation_id for r in requests if isinstance(r.conversation_id, int)}
    return {
        c.pk: c
        for c in Conversation.objects.select_related("contact", "assignee").filter(pk__in=ids)
    }


def _item(request: SendRequest, conversations: dict[int, Conversation]) -> actions.SendItem:
    if request.actor is not None:
        # Staff: the full permission check (role, team, tenant) for every send.
        selectors.access_conversation(request.actor, request.conversation_id, write=True)
    conversation = conversations.get(request.conversation_id)
    if conversation is None:
        raise selectors.ConversationNotFound(request.conversation_id)
    body, client_id, attachment_ids = actions.check_send_message(
        conversation,
        direction=request.direction,
        body=request.body,
        client_id=request.client_id,
        attachment_ids=request.attachment_ids,
    )
    return actions.SendItem(
        conversation, request.direction, body, client_id, request.actor, tuple(attachment_ids)
    )


def _payload(result: actions.SendResult, for_resident: bool) -> dict[str, Any]:
    return events.message_payload(
        result.message, for_resident=for_resident, attachments=result.attachments
    )


class GroupWriter:
    """One per event loop; see :func:`submit`."""

    def __init__(self) -> None:
        self._queue: asyncio.Queue = asyncio.Queue()
        self._task: asyncio.Task | None = None

    async def submit(self, request: SendRequest) -> SendOutcome:
        future = asyncio.get_running_loop().create_future()
        self._queue.put_nowait((request, future))
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._drain())
        outcome = await future
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    async def _drain(self) -> None:
        # No await between the empty check and returning, so a submit() that sees this
        # task done always starts a new one: nothing is left in the queue.
        while not self._queue.empty():
            batch = [self._queue.get_nowait() for _ in range(min(MAX_BATCH, self._queue.qsize()))]
            requests = [request for request, _ in batch]
            try:
                outcomes, collected = await database_sync_to_async(write_batch)(requests)
            except Exception:  # the batch rolled back: each send again, alone
                logger.exception("send batch failed", extra={"size": len(batch)})
                outcomes, collected = await database_sync_to_async(write_one_by_one)(requests)
            for (_, future), outcome in zip(batch, outcomes, strict=True):
                if not future.done():
                    future.set_result(outcome)
            await _deliver(collected)


async def _deliver(collected) -> None:
    for event, groups in collected:
        if event["type"] == "conversation":  # inbox updates: coalesced, see realtime.inbox
            inbox.batcher().add(event["conversation"])
            continue
        await events.asend_event(event, groups)


_writers: dict[asyncio.AbstractEventLoop, GroupWriter] = {}


async def submit(request: SendRequest) -> SendOutcome:
    """Queue one send for the next batch; returns after its transaction committed."""
    loop = asyncio.get_running_loop()
    writer = _writers.get(loop)
    if writer is None:
        for stale in [other for other in _writers if other.is_closed()]:
            del _writers[stale]
        writer = _writers[loop] = GroupWriter()
    return await writer.submit(request)
