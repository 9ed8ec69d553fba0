"""Group commit for sends arriving over WebSockets.

Sends that arrive together are written by one writer in one transaction
(:class:`~balie.realtime.batching.GroupCommit`: an asyncio queue drained in batches, one
thread hop and one commit per batch). Each sender is answered only after that commit, and
the batch's events are fanned out from the event loop afterwards (ARCHITECTURE.md, "The
write path", step 5). Should a batch fail as a whole (input the checks did not foresee), its
sends are written again one by one, so only the one that broke it fails.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from balie.conversations import actions, events, selectors
from balie.conversations.models import Conversation
from balie.errors import BalieError
from balie.realtime.batching import GroupCommit, per_loop


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
    # The agent confirmed replying where someone else is assigned (conversations' collision).
    confirmed: bool = False


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
        conversation,
        request.direction,
        body,
        client_id,
        request.actor,
        tuple(attachment_ids),
        confirmed=request.confirmed,
    )


def _payload(result: actions.SendResult, for_resident: bool) -> dict[str, Any]:
    return events.message_payload(
        result.message, for_resident=for_resident, attachments=result.attachments
    )


_group_commit = per_loop(lambda: GroupCommit(write_batch, name="send"))


async def submit(request: SendRequest) -> SendOutcome:
    """Queue one send for the next batch; returns after its transaction committed."""
    return await _group_commit().submit(request)
