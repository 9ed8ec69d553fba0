"""The audit log of reads: every time staff or a connected system reads a record.

The selectors call :func:`record_read` — the one place in the code where records are read.
Where the read came from (IP address, channel, stated purpose) is set per request by
``balie.web.middleware.AuditContextMiddleware`` and per socket by the staff consumer, in a
context variable that follows the request into worker threads.
"""

from __future__ import annotations

import contextvars
import hashlib
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from balie.archive import chain
from balie.archive.actors import actor_ref
from balie.archive.heads import lock_heads
from balie.archive.models import AuditEntry, AuditHead


@dataclass(frozen=True)
class AuditContext:
    channel: str = "unknown"
    ip: str | None = None
    purpose: str = ""


_context: contextvars.ContextVar[AuditContext] = contextvars.ContextVar(
    "balie_audit_context",
    default=AuditContext(),  # noqa: B039 - frozen dataclass
)


def set_context(context: AuditContext) -> contextvars.Token:
    return _context.set(context)


def reset_context(token: contextvars.Token) -> None:
    _context.reset(token)


def record_read(
    actor,
    *,
    organisation_id: int,
    action: str,
    object_type: str,
    object_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry to the organisation's audit chain (its own small transaction)."""
    ref = actor_ref(actor)
    where = _context.get()
    with transaction.atomic():
        head = lock_heads(AuditHead, {organisation_id})[organisation_id]
        entry = AuditEntry(
            organisation_id=organisation_id,
            seq=head.last_seq + 1,
            actor_id=ref.user_id,
            api_key_id=ref.api_key_id,
            action=action,
            object_type=object_type,
            object_id=object_id,
            detail=detail or {},
            channel=where.channel,
            ip=where.ip,
            purpose=where.purpose[:200],
            created_at=timezone.now(),
            previous_hash=head.last_hash,
        )
        entry.entry_hash = entry_hash(entry)
        entry.save(force_insert=True)
        AuditHead.objects.filter(pk=organisation_id).update(
            last_seq=entry.seq, last_hash=entry.entry_hash
        )
    return entry


def entry_hash(entry: AuditEntry) -> str:
    record = {
        "organisation": entry.organisation_id,
        "seq": entry.seq,
        "actor": entry.actor_id,
        "api_key": entry.api_key_id,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "detail": entry.detail,
        "channel": entry.channel,
        "ip": entry.ip,
        "purpose": entry.purpose,
        "created_at": entry.created_at.astimezone(chain.UTC).isoformat(),
        "previous_hash": entry.previous_hash,
    }
    return hashlib.sha256(chain.canonical(record)).hexdigest()


def verify_audit(organisation_id: int) -> tuple[int, chain.Break | None]:
    """Recompute the organisation's audit chain: (entries checked, first break or None)."""
    expected_seq, previous, checked = 1, chain.GENESIS, 0
    entries = AuditEntry.objects.filter(organisation_id=organisation_id).order_by("seq")
    for entry in entries.iterator(chunk_size=5000):
        problem = None
        if entry.seq != expected_seq:
            problem = f"expected audit entry {expected_seq}, found {entry.seq}: entries missing"
        elif entry.previous_hash != previous:
            problem = "previous_hash does not match the entry before it"
        elif entry.entry_hash != entry_hash(entry):
            problem = "the audit entry was changed"
        if problem:
            return checked, chain.Break(organisation_id, entry.seq, entry.pk, problem)
        checked += 1
        expected_seq, previous = entry.seq + 1, entry.entry_hash
    head = AuditHead.objects.filter(pk=organisation_id).first()
    if head is not None and (head.last_seq, head.last_hash) != (expected_seq - 1, previous):
        problem = "the audit log ends early: the last entries were removed"
        return checked, chain.Break(organisation_id, expected_seq, None, problem)
    return checked, None


def audit_head(organisation_id: int) -> tuple[int, str]:
    head = AuditHead.objects.filter(pk=organisation_id).first()
    return (head.last_seq, head.last_hash) if head else (0, chain.GENESIS)


def entry_hash_at(organisation_id: int, seq: int) -> str | None:
    return (
        AuditEntry.objects.filter(organisation_id=organisation_id, seq=seq)
        .values_list("entry_hash", flat=True)
        .first()
    )
