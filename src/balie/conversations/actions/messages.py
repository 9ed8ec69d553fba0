"""Sending messages (idempotent, sequenced, archived, fanned out on commit) and read markers."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, F, Value, When
from django.db.models.functions import Greatest
from django.utils import timezone

from balie.archive.actions import record_event
from balie.conversations import events
from balie.conversations.actions.errors import ActionError
from balie.conversations.models import (
    Attachment,
    Channel,
    Conversation,
    DeliveryStatus,
    Direction,
    Message,
    Status,
)


@dataclass(frozen=True)
class SendResult:
    message: Message
    created: bool  # False when the client id was seen before: the stored message is returned


def _actor_kind(direction: str, author_id: int | None) -> str:
    if direction == Direction.INBOUND:
        return "resident"
    return "staff" if author_id else "system"


def check_send_message(
    conversation: Conversation,
    *,
    direction: str,
    body: object,
    client_id: object,
    attachment_ids: object = (),
) -> tuple[str, str, list[int]]:
    """Validate what a client sent; return clean ``(body, client_id, attachment_ids)``."""
    if not isinstance(client_id, str) or not 8 <= len(client_id) <= 64:
        raise ActionError("invalid_client_id", "client_id moet een tekst van 8 tot 64 tekens zijn.")
    if not isinstance(body, str):
        raise ActionError("invalid_body", "body moet een tekst zijn.")
    body = body.strip()
    if len(body) > settings.MAX_MESSAGE_CHARS:
        raise ActionError(
            "body_too_long",
            f"Het bericht is te lang (maximaal {settings.MAX_MESSAGE_CHARS} tekens).",
        )
    if not isinstance(attachment_ids, list | tuple) or not all(
        isinstance(i, int) and not isinstance(i, bool) for i in attachment_ids
    ):
        raise ActionError("invalid_attachments", "attachments moet een lijst met nummers zijn.")
    if len(attachment_ids) > 10:
        raise ActionError("too_many_attachments", "U kunt maximaal 10 bestanden tegelijk sturen.")
    if not body and not attachment_ids:
        raise ActionError("empty_message", "Het bericht is leeg.")
    if conversation.status == Status.CLOSED:
        raise ActionError("conversation_closed", "Dit gesprek is gesloten.")
    if direction not in Direction.values:
        raise ActionError("invalid_direction", "Onbekend soort bericht.")
    return body, client_id, list(attachment_ids)


def do_send_message(
    conversation: Conversation,
    *,
    direction: str,
    body: str,
    client_id: str,
    author=None,
    attachment_ids: list[int] | tuple[int, ...] = (),
) -> SendResult:
    """Store one message idempotently and fan it out after commit."""
    try:
        return _send_once(conversation, direction, body, client_id, author, attachment_ids)
    except IntegrityError:
        # A concurrent send with the same client id committed first: return that one.
        existing = Message.objects.filter(conversation=conversation, client_id=client_id).first()
        if existing is None:
            raise
        return SendResult(existing, created=False)


def _send_once(conversation, direction, body, client_id, author, attachment_ids) -> SendResult:
    now = timezone.now()
    with transaction.atomic():
        # Lock the conversation row first so a concurrent resend with the same client id
        # waits and then sees our row. (SQLite: the IMMEDIATE transaction holds the lock.)
        if connection.features.has_select_for_update:
            Conversation.objects.select_for_update().filter(pk=conversation.pk).exists()
        existing = Message.objects.filter(conversation=conversation, client_id=client_id).first()
        if existing is not None:
            return SendResult(existing, created=False)
        updates = {"last_seq": F("last_seq") + 1, "last_message_at": now}
        if direction == Direction.INBOUND:
            # A resident writing again reopens a conversation waiting on them or resolved.
            updates["status"] = Case(
                When(status__in=(Status.PENDING, Status.RESOLVED), then=Value(Status.OPEN)),
                default=F("status"),
            )
        Conversation.objects.filter(pk=conversation.pk).update(**updates)
        conversation.refresh_from_db(fields=["last_seq", "status", "last_message_at"])
        external = direction == Direction.OUTBOUND and conversation.channel != Channel.WEBCHAT
        message = Message.objects.create(
            organisation_id=conversation.organisation_id,
            conversation=conversation,
            seq=conversation.last_seq,
            direction=direction,
            author=author,
            body=body,
            client_id=client_id,
            delivery_status=DeliveryStatus.PENDING if external else DeliveryStatus.SENT,
            created_at=now,
        )
        attachments = _attach(conversation, message, attachment_ids, author)
        record_event(
            organisation_id=conversation.organisation_id,
            conversation_id=conversation.pk,
            event_type="message.created",
            payload={
                "message_id": message.pk,
                "seq": message.seq,
                "direction": direction,
                "body": body,
                "client_id": client_id,
                "attachments": [
                    {"id": a.pk, "sha256": a.sha256, "filename": a.filename} for a in attachments
                ],
            },
            actor_id=getattr(author, "pk", None),
            actor_kind=_actor_kind(direction, getattr(author, "pk", None)),
        )
        if external:
            from balie.conversations.tasks import deliver_outbound

            deliver_outbound.enqueue(message.pk)
        transaction.on_commit(partial(events.publish_message, message, attachments))
    return SendResult(message, created=True)


def _attach(conversation, message, attachment_ids, author) -> list[Attachment]:
    """Link uploaded, not yet sent attachments of this conversation to ``message``.

    A resident may only send what a resident uploaded; staff only what staff uploaded.
    """
    if not attachment_ids:
        return []
    updated = Attachment.objects.filter(
        pk__in=attachment_ids,
        conversation=conversation,
        message__isnull=True,
        uploaded_by_resident=author is None,
    ).update(message=message)
    if updated != len(set(attachment_ids)):
        raise ActionError(
            "unknown_attachment", "Een bijlage hoort niet bij dit gesprek of is al verstuurd."
        )
    return list(Attachment.objects.filter(message=message).order_by("pk"))


def do_mark_read(conversation: Conversation, *, side: str, seq: int) -> None:
    """Move the read marker of ``side`` ("agent" or "resident") forward to ``seq``."""
    field = {"agent": "agent_read_seq", "resident": "resident_read_seq"}[side]
    seq = max(0, min(int(seq), conversation.last_seq or seq))
    with transaction.atomic():
        Conversation.objects.filter(pk=conversation.pk).update(**{field: Greatest(F(field), seq)})
        conversation.refresh_from_db(fields=[field, "last_seq"])
        value = getattr(conversation, field)
        event = {"type": "read", "side": side, "conversation": conversation.pk, "seq": value}
        groups = [events.staff_group(conversation.pk), events.resident_group(conversation.pk)]
        transaction.on_commit(partial(events.send_event, event, groups))
        if side == "agent":
            transaction.on_commit(partial(events.publish_conversation, conversation))
