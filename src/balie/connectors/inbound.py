"""What a channel brings in: a resident's message, or a report on one Balie sent.

:func:`do_receive` stores an inbound message through the same actions as the web chat,
exactly once per channel message id (a webhook delivered twice, a mailbox read again), in
the conversation of the resident's address on that account: the open one, or a new one when
the last was closed. :func:`do_channel_status` applies a delivery report to the outbound
message it is about, in whatever order reports arrive.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from balie.connectors.models import ChannelAccount, ChannelThread, ExternalMessage
from balie.conversations import actions
from balie.conversations.files import FileRejected
from balie.conversations.models import Channel, Direction, Message, Status

__all__ = ["Inbound", "InboundFile", "do_channel_status", "do_receive"]


@dataclass(frozen=True)
class InboundFile:
    filename: str
    data: bytes


@dataclass(frozen=True)
class Inbound:
    """A resident's message as a connector hands it over. ``external_id``: the channel's id
    for it; ``address``: the resident's id, already normalised by the connector;
    ``thread``: channel ids of earlier messages it answers (e-mail's In-Reply-To and
    References), so it lands in the same conversation."""

    external_id: str
    address: str
    body: str
    name: str = ""
    files: tuple[InboundFile, ...] = ()
    thread: tuple[str, ...] = ()
    sent_at: datetime | None = None


def _client_id(account: ChannelAccount, external_id: str) -> str:
    digest = hashlib.sha256(f"{account.pk}:{external_id}".encode()).hexdigest()[:40]
    return f"{account.kind}:{digest}"


def _known(account: ChannelAccount, external_id: str) -> Message | None:
    found = (
        ExternalMessage.objects.filter(account=account, external_id=external_id)
        .select_related("message")
        .first()
    )
    return found.message if found else None


def do_receive(account: ChannelAccount, inbound: Inbound) -> Message:
    """Store ``inbound`` once; the same channel message again returns the stored one."""
    known = _known(account, inbound.external_id)
    if known is not None:
        return known
    try:
        with transaction.atomic():
            # One inbound of an account at a time: two first messages of a new resident
            # arriving together start one conversation, not two.
            ChannelAccount.objects.select_for_update().filter(pk=account.pk).first()
            known = _known(account, inbound.external_id)
            if known is not None:
                return known
            thread = _thread_for(account, inbound)
            conversation = thread.conversation
            body, attachment_ids = inbound.body, []
            for file in inbound.files:
                try:
                    stored = actions.do_store_attachment(
                        conversation, data=file.data, filename=file.filename
                    )
                    attachment_ids.append(stored.pk)
                except FileRejected as rejected:  # a type Balie does not keep: say so
                    body = f"{body}\n[{file.filename}: {rejected.message}]".strip()
            result = actions.do_send_message(
                conversation, direction=Direction.INBOUND, body=body or "…",
                client_id=_client_id(account, inbound.external_id),
                attachment_ids=attachment_ids,
            )  # fmt: skip
            ExternalMessage.objects.create(
                account=account, external_id=inbound.external_id, message=result.message,
                inbound=True,
            )  # fmt: skip
            ChannelThread.objects.filter(pk=thread.pk).update(last_inbound_at=timezone.now())
            return result.message
    except IntegrityError:  # the same message stored by a concurrent delivery
        known = _known(account, inbound.external_id)
        if known is None:
            raise
        return known


def _thread_for(account: ChannelAccount, inbound: Inbound) -> ChannelThread:
    if inbound.thread:
        earlier = (
            ExternalMessage.objects.filter(account=account, external_id__in=inbound.thread)
            .exclude(message__conversation__status=Status.CLOSED)
            .select_related("message__conversation__channel_thread")
            .order_by("-created_at")
            .first()
        )
        if earlier is not None:
            return earlier.message.conversation.channel_thread
    current = (
        ChannelThread.objects.filter(account=account, address=inbound.address)
        .exclude(conversation__status=Status.CLOSED)
        .select_related("conversation")
        .order_by("-created_at")
        .first()
    )
    if current is not None:
        return current
    contact = {"name": inbound.name[:200]}
    if account.kind == Channel.EMAIL:
        contact["email"] = inbound.address
    elif account.kind in (Channel.SMS, Channel.WHATSAPP):
        contact["phone"] = inbound.address if inbound.address.startswith("+") else ""
    conversation = actions.do_start_conversation(
        account.organisation, channel=account.kind, **contact
    )
    return ChannelThread.objects.create(
        account=account, address=inbound.address, conversation=conversation
    )


def do_channel_status(
    account: ChannelAccount, external_id: str, status: str, *, error: str = ""
) -> bool:
    """A channel's report on a message Balie sent (sent, delivered, read, failed); False
    when it is unknown here or changes nothing (a late or repeated report)."""
    found = (
        ExternalMessage.objects.filter(account=account, external_id=external_id, inbound=False)
        .select_related("message")
        .first()
    )
    if found is None:
        return False
    return actions.do_record_channel_status(found.message, status, error=error)
