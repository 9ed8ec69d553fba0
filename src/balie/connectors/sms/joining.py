"""Long inbound messages: parts of a concatenated SMS joined before they are stored.

A provider that joins parts itself (Twilio) hands over whole texts, which pass straight
through. The generic format may hand over parts, each with the UDH's reference, its place
and the number of parts. :func:`do_receive_sms` stores each part (a part seen again, by its
id or as the same text at the same place, is stored once) and, once every place is filled,
stores the joined text through ``balie.connectors.inbound.do_receive`` and empties the
parts. A message whose parts do not all arrive is not lost: :data:`JOIN_TIMEOUT` after its
first part, the task :func:`balie.connectors.sms.tasks.tidy_sms` stores what came, with
``[…]`` where a part is missing. A part that comes after that starts a new message.

A text longer than one Balie message takes (``BALIE_MAX_MESSAGE_CHARS``) is stored as
several messages, in order.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Min, Q
from django.utils import timezone

from balie.connectors.inbound import Inbound, InboundFile, do_receive
from balie.connectors.models import ChannelAccount
from balie.connectors.sms.models import SmsPart
from balie.connectors.sms.providers.base import InboundSms
from balie.connectors.sms.tasks import tidy_later
from balie.conversations.models import Message

__all__ = [
    "GAP",
    "JOIN_TIMEOUT",
    "KEEP",
    "REPEAT_WINDOW",
    "do_deliver_stale_parts",
    "do_forget_parts",
    "do_receive_sms",
    "split_text",
]

JOIN_TIMEOUT = timedelta(minutes=10)  # after the first part, store what came
REPEAT_WINDOW = timedelta(hours=1)  # the same text at the same place again is a repeat
KEEP = timedelta(days=1)  # how long a stored part's id (not its text) is remembered
GAP = " […] "


def split_text(text: str, limit: int) -> list[str]:
    """``text`` in pieces of at most ``limit`` characters, cut at a space (which is
    dropped) where one is near the end of a piece."""
    pieces = []
    while len(text) > limit:
        space = text.rfind(" ", limit * 4 // 5, limit + 1)
        cut = space if space > 0 else limit
        pieces.append(text[:cut])
        text = text[cut + 1 :] if space > 0 else text[cut:]
    return [*pieces, text]


def _store(account: ChannelAccount, inbound: Inbound) -> Message:
    """``inbound`` through the connectors' one inbound action, in pieces if too long."""
    pieces = split_text(inbound.body, settings.MAX_MESSAGE_CHARS)
    first = do_receive(account, _with(inbound, inbound.external_id, pieces[0], inbound.files))
    for number, piece in enumerate(pieces[1:], start=2):
        do_receive(account, _with(inbound, f"{inbound.external_id}#{number}", piece, ()))
    return first


def _with(inbound: Inbound, external_id: str, body: str, files) -> Inbound:
    return Inbound(external_id, inbound.address, body, files=files, sent_at=inbound.sent_at)


def do_receive_sms(
    account: ChannelAccount, sms: InboundSms, files: tuple[InboundFile, ...] = ()
) -> Message | None:
    """Store ``sms`` (with the MMS ``files`` fetched for it), or keep it as a part; the
    message once stored, None while its parts are incomplete."""
    if sms.part is None or sms.part.total == 1:
        return _store(account, Inbound(sms.external_id, sms.sender, sms.text, files=files,
                                       sent_at=sms.sent_at))  # fmt: skip
    try:
        return _receive_part(account, sms)
    except IntegrityError:  # the same part, stored by a concurrent delivery of it
        if SmsPart.objects.filter(account=account, external_id=sms.external_id).exists():
            return None
        raise


def _receive_part(account: ChannelAccount, sms: InboundSms) -> Message | None:
    assert sms.part is not None
    part, now = sms.part, timezone.now()
    digest = hashlib.sha256(sms.text.encode("utf-8")).hexdigest()
    with transaction.atomic():
        # One part of an account at a time: two last parts arriving together still join.
        ChannelAccount.objects.select_for_update().filter(pk=account.pk).first()
        if SmsPart.objects.filter(account=account, external_id=sms.external_id).exists():
            return None
        group = SmsPart.objects.filter(
            account=account, address=sms.sender, ref=part.ref, total=part.total
        )
        repeat = Q(delivered_at__isnull=True) | Q(
            text_sha256=digest, delivered_at__gte=now - REPEAT_WINDOW
        )
        if group.filter(repeat, index=part.index).exists():
            return None
        pending = group.filter(delivered_at__isnull=True)
        first = not pending.exists()
        SmsPart.objects.create(
            account=account, external_id=sms.external_id, address=sms.sender, ref=part.ref,
            index=part.index, total=part.total, text=sms.text, text_sha256=digest,
            sent_at=sms.sent_at,
        )  # fmt: skip
        if first:
            tidy_later(account, JOIN_TIMEOUT)
        parts = list(pending.order_by("index"))
        if len(parts) == part.total:
            return _deliver(account, parts)
    return None


def _deliver(account: ChannelAccount, parts: list[SmsPart]) -> Message:
    """Join ``parts`` (of one message; places not there become :data:`GAP`) and store."""
    by_index = {p.index: p for p in parts}
    total = parts[0].total
    text = ""
    for index in range(1, total + 1):
        if index not in by_index:
            text = text.rstrip() + GAP
        else:
            piece = by_index[index].text
            text += piece.lstrip() if text.endswith(GAP) else piece
    first = min(parts, key=lambda p: p.index)
    moments = [p.sent_at for p in parts if p.sent_at is not None]
    message = _store(
        account,
        Inbound(f"joined:{first.external_id}", first.address, text.strip(),
                sent_at=min(moments) if moments else None),
    )  # fmt: skip
    SmsPart.objects.filter(pk__in=[p.pk for p in parts]).update(
        delivered_at=timezone.now(), text=""
    )
    tidy_later(account, KEEP)
    return message


def do_deliver_stale_parts(account: ChannelAccount, *, now=None) -> int:
    """Store every message of ``account`` whose first part came :data:`JOIN_TIMEOUT` ago or
    longer, with what came of it; the number stored."""
    cutoff = (now or timezone.now()) - JOIN_TIMEOUT
    stale = (
        SmsPart.objects.filter(account=account, delivered_at__isnull=True)
        .values("address", "ref", "total")
        .annotate(first=Min("created_at"))
        .filter(first__lte=cutoff)
        .order_by("first")
    )
    stored = 0
    for group in stale:
        with transaction.atomic():
            ChannelAccount.objects.select_for_update().filter(pk=account.pk).first()
            parts = list(
                SmsPart.objects.filter(account=account, delivered_at__isnull=True, **{
                    k: group[k] for k in ("address", "ref", "total")
                }).order_by("index")
            )  # fmt: skip
            if parts:
                _deliver(account, parts)
                stored += 1
    return stored


def do_forget_parts(account: ChannelAccount, *, now=None) -> int:
    """Remove the stored parts of ``account`` older than :data:`KEEP` (texts already gone)."""
    cutoff = (now or timezone.now()) - KEEP
    removed, _ = SmsPart.objects.filter(
        account=account, delivered_at__isnull=False, delivered_at__lte=cutoff
    ).delete()
    return removed
