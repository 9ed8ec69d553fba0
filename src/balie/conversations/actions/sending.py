"""The write path for messages: one function for one message or a batch (group commit).

For a batch of already validated sends, in one transaction and a fixed number of queries:
lock the conversations (PostgreSQL; SQLite's IMMEDIATE transaction already holds the write
lock), find client ids seen before, hand out sequence numbers, update the conversations, store
the messages with their archive events and search entries through the one writer
(:func:`~balie.conversations.actions.storing.store_messages`: one INSERT each), link
attachments, enqueue external deliveries, and schedule the fan-out for after commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from balie.archive.actors import api_key_of, user_of
from balie.conf import metrics
from balie.conversations import events, followers
from balie.conversations.actions import collision, timings
from balie.conversations.actions.errors import (
    ClientIdConflict,
    StateConflict,
    UnknownReference,
)
from balie.conversations.actions.storing import store_messages
from balie.conversations.models import (
    Attachment,
    Channel,
    Conversation,
    ConversationKind,
    DeliveryStatus,
    Direction,
    Message,
    Routing,
    Status,
)
from balie.conversations.tasks import deliver_outbound, route_reopened
from balie.errors import BalieError

__all__ = ["SendItem", "SendResult", "send_messages"]


@dataclass(frozen=True)
class SendItem:
    """One validated send (see ``check_send_message``)."""

    conversation: Conversation
    direction: str
    body: str
    client_id: str
    author: object = None  # staff user or API key; None for the resident (or the system)
    attachment_ids: tuple[int, ...] = ()
    # The agent confirmed replying in a conversation assigned to someone else (``collision``).
    confirmed: bool = False


@dataclass(frozen=True)
class SendResult:
    message: Message
    created: bool  # False when the client id was seen before: the stored message is returned
    attachments: list = field(default_factory=list)


def send_messages(items: list[SendItem]) -> list[SendResult | BalieError]:
    """Store each item idempotently; an item that cannot be sent gets its error.

    Idempotent per sender: a resend of a client id by the sender who used it (the same side,
    person or API key, and kind of message) returns the stored message; the same client id
    from anyone else is a :class:`ClientIdConflict`."""
    if not items:
        return []
    now = timezone.now()
    with transaction.atomic():
        state = _lock_conversations({item.conversation.pk for item in items})
        seen = _existing_messages(items)
        claimed = _available_attachments(items)
        outcomes: list = []
        new: list[tuple[SendItem, Message]] = []
        for item in items:
            outcome = _plan(item, state, seen, claimed, now)
            outcomes.append(outcome)
            if isinstance(outcome, Message):
                new.append((item, outcome))
        _update_conversations(new, state, now)
        reopened = [pk for pk, current in state.items() if current.get("reopened")]
        followers.index().follow_conversations(reopened)  # before the new entries: not them
        copied = {
            pk: tuple(current[name] for name in followers.index().COPIED)
            for pk, current in state.items()
        }
        attachments = store_messages(
            [message for _, message in new],
            event_type="message.created",
            attach=lambda _: _link_attachments(new),
            copied=copied,
        )
        _enqueue_external(new)
        _enqueue_routing(state)
        results = [_result(outcome, attachments) for outcome in outcomes]
        resent = _resent(results, new)
        transaction.on_commit(partial(_publish, new, attachments, resent))
    return results


def _resent(results, new) -> list[SendResult]:
    """Messages stored before this batch and sent again: announced again after commit.

    A client resends what was not acknowledged, and the node that stored it may have stopped
    between its commit and its fan-out (docs/operations/scale-out.md): the announcement
    reaches the sockets that missed it, and every socket drops what it has by sequence."""
    fresh = {message.pk for _, message in new}
    again: dict[int, SendResult] = {}
    for result in results:
        resend = isinstance(result, SendResult) and not result.created
        if resend and result.message.pk not in fresh:
            again.setdefault(result.message.pk, result)
    return list(again.values())


def _lock_conversations(ids: set[int]) -> dict[int, dict]:
    qs = Conversation.objects.filter(pk__in=ids).order_by("pk")
    if connection.features.has_select_for_update:
        # Only the conversations' rows: the team (for its collision rule) is joined, not locked.
        qs = qs.select_for_update(of=("self",))
    # Also what the search index copies of each conversation, read here under the lock.
    return {
        row["pk"]: {**row, "touched": False}
        for row in qs.values(
            "pk",
            "last_seq",
            *followers.index().COPIED,
            *collision.LOCKED_FIELDS,
            *timings.LOCKED_FIELDS,
            "team__routing",  # a resolved conversation reopened in a routed team is routed
        )
    }


def _existing_messages(items: list[SendItem]) -> dict[tuple[int, str], Message]:
    """Messages already stored under one of the batch's (conversation, client id) pairs."""
    found = Message.objects.filter(
        conversation_id__in={item.conversation.pk for item in items},
        client_id__in={item.client_id for item in items},
    ).select_related("author")
    return {(m.conversation_id, m.client_id): m for m in found}


def _available_attachments(items: list[SendItem]) -> dict[int, Attachment | None]:
    """Unsent attachments the batch refers to, by id; each can be claimed by one message."""
    ids = {pk for item in items for pk in item.attachment_ids}
    if not ids:
        return {}
    return {a.pk: a for a in Attachment.objects.filter(pk__in=ids, message__isnull=True)}


def same_sender(message: Message, item: SendItem) -> bool:
    """Whether ``item`` is a resend of ``message``: the same side, kind, person and key."""
    author: Any = item.author  # staff user, API key or None (see SendItem)
    user, api_key = user_of(author), api_key_of(author)
    return (
        message.direction == item.direction
        and message.author_id == (user.pk if user is not None else None)
        and message.sent_by_api_key_id == (api_key.pk if api_key is not None else None)
    )


def _plan(item, state, seen, claimed, now) -> Message | BalieError | SendResult:
    conversation = item.conversation
    key = (conversation.pk, item.client_id)
    if key in seen:  # stored before, or earlier in this batch (its pk is set on insert)
        if not same_sender(seen[key], item):  # never another sender's message, nor a note
            return ClientIdConflict(field="client_id")
        return SendResult(seen[key], created=False)
    current = state[conversation.pk]
    if conversation.kind == ConversationKind.IMPORTED:
        # A phone's chat in the archive: nothing is sent from Balie to its participants.
        return StateConflict(
            "imported_conversation", _("You cannot send anything in an imported conversation.")
        )
    if current["status"] == Status.CLOSED and item.direction != Direction.SYSTEM:
        return StateConflict("conversation_closed", _("This conversation is closed."))
    refused = collision.check_reply(current, item.direction, user_of(item.author), item.confirmed)
    if refused is not None:
        return refused
    wanted = [claimed.get(pk) for pk in item.attachment_ids]
    if not all(
        a is not None
        and a.conversation_id == conversation.pk
        # Resident messages carry resident uploads; staff-side messages staff-side uploads.
        and a.uploaded_by_resident == (item.direction == Direction.INBOUND)
        for a in wanted
    ) or len(set(item.attachment_ids)) != len(item.attachment_ids):
        return UnknownReference(
            "unknown_attachment",
            _("An attachment does not belong to this conversation or has already been sent."),
            field="attachments",
        )
    for pk in item.attachment_ids:
        claimed[pk] = None  # one message per attachment, also within a batch
    current["last_seq"] += 1
    current["touched"] = True
    if item.direction == Direction.INBOUND and current["status"] in (
        Status.PENDING,
        Status.RESOLVED,
    ):
        if current["status"] == Status.RESOLVED and current["team__routing"] not in (
            None,
            Routing.MANUAL,
        ):
            current["route"] = True  # it takes room again: routing looks at it (route_reopened)
        current["status"] = Status.OPEN  # a resident writing again reopens the conversation
        current["reopened"] = True
    timings.note(current, item.direction, now)  # first answer, waiting since, reopened
    external = item.direction == Direction.OUTBOUND and conversation.channel != Channel.WEBCHAT
    message = Message(
        organisation_id=conversation.organisation_id,
        conversation=conversation,
        seq=current["last_seq"],
        direction=item.direction,
        author=user_of(item.author),
        sent_by_api_key=api_key_of(item.author),
        body=item.body,
        client_id=item.client_id,
        delivery_status=DeliveryStatus.PENDING if external else DeliveryStatus.SENT,
        created_at=now,
    )
    seen[key] = message  # a resend inside the same batch gets this one
    return message


def _link_attachments(new) -> dict[int, list[Attachment]]:
    linked: dict[int, list[Attachment]] = {}
    for item, message in new:
        if item.attachment_ids:
            Attachment.objects.filter(pk__in=item.attachment_ids).update(message=message)
            linked[message.pk] = list(
                Attachment.objects.filter(pk__in=item.attachment_ids).order_by("pk")
            )
    return linked


def _update_conversations(new, state, now) -> None:
    """One UPDATE for every conversation the batch touched.

    Written as SQL: Django's Case/When for a batch of 50 conversations cost more to compile
    than the rest of the batch together. The SQL is the same on SQLite and PostgreSQL.
    """
    touched = [(pk, current) for pk, current in state.items() if current["touched"]]
    if touched:
        table = connection.ops.quote_name(Conversation._meta.db_table)
        whens = " ".join(["WHEN %s THEN CAST(%s AS {})"] * len(touched))
        now_param = connection.ops.adapt_datetimefield_value(now)
        timed, timed_params = timings.assignments(touched, now_param)
        sql = (
            f"UPDATE {table} SET "  # noqa: S608 - only placeholders are interpolated
            f"last_seq = CASE id {whens.format(*['BIGINT'] * len(touched))} END, "
            f"status = CASE id {whens.format(*['VARCHAR(16)'] * len(touched))} END, "
            f"last_message_at = %s{timed} WHERE id IN ({', '.join(['%s'] * len(touched))})"
        )
        params: list = []
        for pk, current in touched:
            params += [pk, current["last_seq"]]
        for pk, current in touched:
            params += [pk, current["status"]]
        params.append(now_param)
        params += timed_params
        params += [pk for pk, _ in touched]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
    for _item, message in new:
        current = state[message.conversation_id]
        conversation = message.conversation
        conversation.last_seq = current["last_seq"]
        conversation.status = current["status"]
        conversation.last_message_at = now
        for name in timings.LOCKED_FIELDS:
            setattr(conversation, name, current[name])


def _enqueue_external(new) -> None:
    pending = [m for _, m in new if m.delivery_status == DeliveryStatus.PENDING]
    if pending:
        for message in pending:
            deliver_outbound.enqueue(message.pk)


def _enqueue_routing(state) -> None:
    """Reopened conversations of routed teams go to routing, in the same transaction: a task
    and not a call, so the batch takes no routing lock (routing locks the chain head first,
    this path its conversations first) and a reopen never slows the other senders down."""
    for pk, current in state.items():
        if current.get("route"):
            route_reopened.enqueue(pk)


def _result(outcome, attachments) -> SendResult | BalieError:
    if isinstance(outcome, Message):
        return SendResult(outcome, created=True, attachments=attachments.get(outcome.pk, []))
    if isinstance(outcome, SendResult):
        message = outcome.message
        linked = attachments.get(message.pk)
        if linked is None:
            linked = list(message.attachments.all())
        return SendResult(message, created=False, attachments=linked)
    return outcome


def _publish(new, attachments, resent=()) -> None:
    """After commit: each message to its audiences, each conversation once to the inbox;
    a message sent again to its audiences once more (``_resent``)."""
    for result in resent:
        events.publish_message(result.message, result.attachments, inbox=False)
    metrics.MESSAGES_PERSISTED.inc(len(new))  # only what was created, never a resend
    by_conversation: dict[int, Conversation] = {}
    for _item, message in new:
        events.publish_message(message, attachments.get(message.pk, []), inbox=False)
        by_conversation[message.conversation_id] = message.conversation
    for conversation in by_conversation.values():
        events.publish_conversation(conversation)
