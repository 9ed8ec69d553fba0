"""The archive's models, one module per concern.

- events.py: ArchiveEvent (append-only, hash-chained per organisation), ChainHead,
  DestructionPermit
- audit.py: AuditEntry (the audit log of reads, chained) and AuditHead
- checks.py: VerificationRun (results of `balie verify --record` and the daily check)
- retention.py: RecordClass (retention terms and waardering) and RetentionReview
- holds.py: Hold (legal holds and open Woo requests that block destruction)
- destruction.py: DestructionList and its items (four-eyes destruction)
"""

from balie.archive.models.audit import AuditEntry, AuditHead
from balie.archive.models.checks import VerificationRun
from balie.archive.models.destruction import (
    DestructionItem,
    DestructionList,
    ItemStatus,
    ListStatus,
)
from balie.archive.models.events import ArchiveEvent, ChainHead, DestructionPermit
from balie.archive.models.holds import Hold, HoldKind, HoldScope
from balie.archive.models.retention import RecordClass, RetentionReview, Trigger, Waardering

__all__ = [
    "ArchiveEvent",
    "AuditEntry",
    "AuditHead",
    "ChainHead",
    "DestructionItem",
    "DestructionList",
    "DestructionPermit",
    "Hold",
    "HoldKind",
    "HoldScope",
    "ItemStatus",
    "ListStatus",
    "RecordClass",
    "RetentionReview",
    "Trigger",
    "Waardering",
    "VerificationRun",
]
