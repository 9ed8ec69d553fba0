"""What a channel brings in: residents' messages, and reports on the ones Balie sent.

:func:`do_receive_many` stores inbound messages through the web chat's one write path
(``conversations.actions.send_messages``: a batch in one transaction and a fixed number of
queries), exactly once per channel message id (a webhook delivered twice, a mailbox read
again), in the conversation of the resident's address on that account: the open one, or a
new one when the last was closed. A message the batch cannot store gets its own error; the
others are stored. :func:`do_receive` is the same for one message.

:func:`do_channel_status` applies a delivery report to the outbound message it is about, in
whatever order reports arrive. A report can overtake the delivery task that stores the
channel's id of what it sent: it is kept (:class:`~.models.EarlyReport`) and applied by
:func:`do_record_sent` when that id is stored. Both lock the account row first, so on
PostgreSQL one of the two always sees the other's row.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from balie.connectors.models import ChannelAccount, ChannelThread, EarlyReport, ExternalMessage
from balie.connectors.registry import connector_for
from balie.conversations import actions
from balie.conversations.actions.attachments import UnsentQuota
from balie.conversations.files import FileRejected
from balie.conversations.models import Direction, Message, Status
from balie.errors import BalieError

__all__ = [
    "EARLY_REPORT_DAYS",
    "Inbound",
    "InboundFile",
    "Received",
    "do_channel_status",
    "do_prune_early_reports",
    "do_receive",
    "do_receive_many",
    "do_record_sent",
]

# A report on an id still unknown after this long is about a message Balie did not send.
EARLY_REPORT_DAYS = 7
SUBJECT_CHARS = 200  # a conversation's subject


@dataclass(frozen=True)
class InboundFile:
    filename: str
    data: bytes


@dataclass(frozen=True)
class Inbound:
    """A resident's message as a connector hands it over. ``external_id``: the channel's id
    for it; ``address``: the resident's id, already normalised by the connector;
    ``thread``: channel ids of earlier messages it answers (e-mail's In-Reply-To and
    References), so it lands in the same conversation; ``sent_at``: when the channel says
    it was sent; ``subject``: becomes the conversation's subject when it has none."""

    external_id: str
    address: str
    body: str
    name: str = ""
    files: tuple[InboundFile, ...] = ()
    thread: tuple[str, ...] = ()
    sent_at: datetime | None = None
    subject: str = ""


@dataclass(frozen=True)
class Received:
    message: Message
    created: bool  # False: the channel delivered it before, and the stored one is returned


def _client_id(account: ChannelAccount, external_id: str) -> str:
    digest = hashlib.sha256(f"{account.pk}:{external_id}".encode()).hexdigest()[:40]
    return f"{account.kind}:{digest}"


def _lock(account: ChannelAccount) -> None:
    """One intake of an account at a time: two first messages of a new resident arriving
    together start one conversation, not two. SQLite's IMMEDIATE transaction already holds
    the one write lock."""
    if connection.features.has_select_for_update:
        list(ChannelAccount.objects.select_for_update().filter(pk=account.pk).values("pk"))


def _known(account: ChannelAccount, external_ids: set[str]) -> dict[str, Message]:
    found = ExternalMessage.objects.filter(
        account=account, external_id__in=external_ids
    ).select_related("message__conversation")
    return {row.external_id: row.message for row in found}


def do_receive(account: ChannelAccount, inbound: Inbound) -> Message:
    """Store ``inbound`` once; the same channel message again returns the stored one.
    Raises the :class:`~balie.errors.BalieError` that refused it."""
    try:
        (outcome,) = do_receive_many(account, [inbound])
    except IntegrityError:  # the same message stored by a concurrent delivery
        known = _known(account, {inbound.external_id}).get(inbound.external_id)
        if known is None:
            raise
        return known
    if isinstance(outcome, BalieError):
        raise outcome
    return outcome.message


def do_receive_many(
    account: ChannelAccount, inbounds: Sequence[Inbound]
) -> list[Received | BalieError]:
    """Store each of ``inbounds`` once, in one transaction; each gets what became of it."""
    if not inbounds:
        return []
    now = timezone.now()
    outcomes: list[Received | BalieError | None] = [None] * len(inbounds)
    with transaction.atomic():
        _lock(account)
        known = _known(account, {inbound.external_id for inbound in inbounds})
        first: dict[str, int] = {}  # external id -> its first position in this batch
        new: list[int] = []
        for position, inbound in enumerate(inbounds):
            if inbound.external_id in known:
                outcomes[position] = Received(known[inbound.external_id], created=False)
            elif inbound.external_id not in first:
                first[inbound.external_id] = position
                new.append(position)
        threads = _threads_for(account, [inbounds[position] for position in new])
        items, positions = [], []
        for position, thread in zip(new, threads, strict=True):
            inbound = inbounds[position]
            body, attachment_ids = _with_files(thread.conversation, inbound)
            items.append(
                actions.SendItem(
                    thread.conversation, Direction.INBOUND, body or "…",
                    _client_id(account, inbound.external_id), None, tuple(attachment_ids),
                )
            )  # fmt: skip
            positions.append(position)
        results = actions.send_messages(items)
        rows: list[ExternalMessage] = []
        touched: dict[int, ChannelThread] = {}
        for position, result, thread in zip(positions, results, threads, strict=True):
            inbound = inbounds[position]
            if isinstance(result, BalieError):
                outcomes[position] = result
                continue
            outcomes[position] = Received(result.message, created=result.created)
            sent_at = min(inbound.sent_at, now) if inbound.sent_at else None
            rows.append(
                ExternalMessage(
                    account=account, external_id=inbound.external_id, message=result.message,
                    inbound=True, sent_at=sent_at,
                )
            )  # fmt: skip
            _touch(touched, thread, sent_at or now)
            subject = " ".join(inbound.subject.split())[:SUBJECT_CHARS]
            if subject and not thread.conversation.subject:
                actions.do_update_details(thread.conversation, actor=None, subject=subject)
        ExternalMessage.objects.bulk_create(rows)
        if touched:
            ChannelThread.objects.bulk_update(touched.values(), ["last_inbound_at"])
    for position, inbound in enumerate(inbounds):  # the same id twice in one batch
        if outcomes[position] is None:
            earlier = outcomes[first[inbound.external_id]]
            outcomes[position] = (
                Received(earlier.message, created=False)
                if isinstance(earlier, Received)
                else earlier
            )
    return outcomes  # type: ignore[return-value]  # every position is filled above


def _touch(touched: dict[int, ChannelThread], thread: ChannelThread, at: datetime) -> None:
    """The resident's last message on the thread (WhatsApp's 24-hour window counts from it)
    only moves forward: a late redelivery of an old message does not reopen a window."""
    if thread.last_inbound_at is None or at > thread.last_inbound_at:
        thread.last_inbound_at = at
        touched[thread.pk] = thread


def _with_files(conversation, inbound: Inbound) -> tuple[str, list[int]]:
    """The files stored as attachments; one Balie does not keep is named in the text."""
    body, attachment_ids = inbound.body, []
    for file in inbound.files:
        try:
            stored = actions.do_store_attachment(
                conversation, data=file.data, filename=file.filename
            )
            attachment_ids.append(stored.pk)
        except (FileRejected, UnsentQuota) as rejected:  # say so, keep the message
            body = f"{body}\n[{file.filename}: {rejected.message}]".strip()
    return body, attachment_ids


def _threads_for(account: ChannelAccount, inbounds: list[Inbound]) -> list[ChannelThread]:
    """Each inbound's thread: the one of an earlier message it answers, else its address's
    open one, else a new conversation (one per address, also within the batch)."""
    if not inbounds:
        return []
    related = ("conversation__contact", "conversation__assignee")
    answered: dict[str, ChannelThread] = {}
    refs = {ref for inbound in inbounds for ref in inbound.thread}
    if refs:
        earlier = (
            ExternalMessage.objects.filter(account=account, external_id__in=refs)
            .exclude(message__conversation__status=Status.CLOSED)
            .select_related(*(f"message__conversation__channel_thread__{r}" for r in related))
            .order_by("created_at")
        )
        answered = {row.external_id: row.message.conversation.channel_thread for row in earlier}
    by_address: dict[str, ChannelThread] = {}
    current = (
        ChannelThread.objects.filter(
            account=account, address__in={inbound.address for inbound in inbounds}
        )
        .exclude(conversation__status=Status.CLOSED)
        .select_related(*related)
        .order_by("created_at")
    )
    for thread in current:
        by_address[thread.address] = thread  # the newest wins
    threads = []
    for inbound in inbounds:
        replied = [answered[ref] for ref in inbound.thread if ref in answered]
        if replied:
            threads.append(max(replied, key=lambda thread: thread.created_at))
            continue
        found = by_address.get(inbound.address)
        if found is None:
            found = by_address[inbound.address] = _start_thread(account, inbound)
        threads.append(found)
    return threads


def _start_thread(account: ChannelAccount, inbound: Inbound) -> ChannelThread:
    connector = connector_for(account.kind)
    contact = connector.contact(inbound.address) if connector is not None else {}
    conversation = actions.do_start_conversation(
        account.organisation, channel=account.kind, name=inbound.name[:200], **contact
    )
    return ChannelThread.objects.create(
        account=account, address=inbound.address, conversation=conversation
    )


def do_channel_status(
    account: ChannelAccount, external_id: str, status: str, *, error: str = ""
) -> bool:
    """A channel's report on a message Balie sent (sent, delivered, read, failed); False
    when it changes nothing (a late or repeated report), or is about an id not stored yet
    (kept for :func:`do_record_sent`)."""
    with transaction.atomic():
        _lock(account)
        found = (
            ExternalMessage.objects.filter(account=account, external_id=external_id, inbound=False)
            .select_related("message")
            .first()
        )
        if found is None:
            if not ExternalMessage.objects.filter(
                account=account, external_id=external_id
            ).exists():
                EarlyReport.objects.create(
                    account=account, external_id=external_id[:255], status=status,
                    error=error[:300],
                )  # fmt: skip
            return False
        return actions.do_record_channel_status(found.message, status, error=error)


def do_record_sent(account: ChannelAccount, message: Message, external_id: str) -> None:
    """The channel's id of a message Balie sent, stored once; reports on it that came
    first are applied now."""
    with transaction.atomic():
        _lock(account)
        ExternalMessage.objects.get_or_create(
            account=account, external_id=external_id,
            defaults={"message": message, "inbound": False},
        )  # fmt: skip
        early = EarlyReport.objects.filter(account=account, external_id=external_id)
        for report in early.order_by("pk"):
            actions.do_record_channel_status(message, report.status, error=report.error)
        early.delete()


def do_prune_early_reports(now: datetime | None = None) -> int:
    """Daily: remove reports on ids that never became known (a message sent from outside
    Balie on the same number, say)."""
    cutoff = (now or timezone.now()) - timedelta(days=EARLY_REPORT_DAYS)
    deleted, _ = EarlyReport.objects.filter(received_at__lt=cutoff).delete()
    return deleted
