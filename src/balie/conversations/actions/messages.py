"""Sending messages (idempotent, sequenced, archived, fanned out on commit) and read markers."""

from __future__ import annotations

from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils.translation import gettext_lazy as _

from balie.conversations import event_types, events
from balie.conversations.actions.checks import check_ids, check_text
from balie.conversations.actions.errors import ActionError, ClientIdConflict
from balie.conversations.actions.sending import SendItem, SendResult, same_sender, send_messages
from balie.conversations.models import Conversation, Direction, Message
from balie.errors import BalieError


def clean_body(body: object) -> str:
    """A message text from outside: a string, trimmed, not longer than allowed."""
    if not isinstance(body, str):
        raise ActionError("invalid_body", _("body must be a text."))
    body = check_text(body, "body").strip()
    if len(body) > settings.MAX_MESSAGE_CHARS:
        raise ActionError(
            "body_too_long",
            _("The message is too long (at most %(limit)s characters)."),
            params={"limit": settings.MAX_MESSAGE_CHARS},
        )
    return body


def check_client_id(client_id: object) -> str:
    if not isinstance(client_id, str) or not 8 <= len(client_id) <= 64:
        raise ActionError("invalid_client_id", _("client_id must be a text of 8 to 64 characters."))
    return check_text(client_id, "client_id")


MAX_ATTACHMENTS = 10


def check_attachment_ids(attachment_ids: object) -> list[int]:
    if not isinstance(attachment_ids, list | tuple) or not all(
        isinstance(i, int) and not isinstance(i, bool) for i in attachment_ids
    ):
        raise ActionError("invalid_attachments", _("attachments must be a list of numbers."))
    if len(attachment_ids) > MAX_ATTACHMENTS:
        raise ActionError("too_many_attachments", _("You can send at most 10 files at once."))
    return check_ids(attachment_ids, "attachments")


def check_send_message(
    conversation: Conversation,
    *,
    direction: str,
    body: object,
    client_id: object,
    attachment_ids: object = (),
) -> tuple[str, str, list[int]]:
    """Validate what a client sent; return clean ``(body, client_id, attachment_ids)``.

    Whether the conversation still takes messages is decided in the write path, after a
    resend of a stored client id has been recognised (a retry after closing is answered
    with the stored message, not an error).
    """
    client_id = check_client_id(client_id)
    body = clean_body(body)
    attachment_ids = check_attachment_ids(attachment_ids)
    if not body and not attachment_ids:
        raise ActionError("empty_message", _("The message is empty."))
    if direction not in Direction.values:
        raise ActionError("invalid_direction", _("Unknown kind of message."))
    return body, client_id, attachment_ids


def do_send_message(
    conversation: Conversation,
    *,
    direction: str,
    body: str,
    client_id: str,
    author=None,
    attachment_ids: list[int] | tuple[int, ...] = (),
    confirmed: bool = False,
) -> SendResult:
    """Store one message idempotently and fan it out after commit.

    Raises ActionError when it cannot be sent (closed conversation, foreign attachment), and
    ``collision.AssignedToOther`` for a reply where someone else is assigned, unless the
    team's rule lets ``confirmed`` send it anyway.
    """
    item = SendItem(
        conversation,
        direction,
        body,
        client_id,
        author,
        tuple(attachment_ids),
        confirmed=confirmed,
    )
    try:
        (outcome,) = send_messages([item])
    except IntegrityError:
        # A concurrent send with the same client id committed first: return that one.
        existing = Message.objects.filter(conversation=conversation, client_id=client_id).first()
        if existing is None:
            raise
        if not same_sender(existing, item):
            raise ClientIdConflict(field="client_id") from None
        return SendResult(existing, created=False, attachments=list(existing.attachments.all()))
    if isinstance(outcome, BalieError):
        raise outcome
    return outcome


def do_mark_read(conversation: Conversation, *, side: str, seq: int) -> None:
    """Move the read marker of ``side`` ("agent" or "resident") forward to ``seq``."""
    field = {"agent": "agent_read_seq", "resident": "resident_read_seq"}[side]
    seq = max(0, min(int(seq), conversation.last_seq or seq))
    with transaction.atomic():
        Conversation.objects.filter(pk=conversation.pk).update(**{field: Greatest(F(field), seq)})
        conversation.refresh_from_db(fields=[field, "last_seq"])
        value = getattr(conversation, field)
        event = event_types.read_event(conversation.pk, side=side, seq=value)
        groups = [events.staff_group(conversation.pk), events.resident_group(conversation.pk)]
        transaction.on_commit(partial(events.send_event, event, groups))
        if side == "agent":
            transaction.on_commit(partial(events.publish_conversation, conversation))
