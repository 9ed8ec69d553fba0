"""Signed checkpoints: the heads of both chains, kept outside the database.

``balie verify --export-checkpoint FILE`` writes one line per organisation whose chains are
intact: the heads (seq and hash) of its archive and audit-log chains, signed with
HMAC-SHA256 under ``BALIE_CHECKPOINT_KEY`` — a key that is not in the database. Kept on
another system, such a line lets ``balie verify --checkpoint FILE`` show that the chains
still hold the checkpointed records at those seqs, with those hashes, and have not shrunk:
whoever cuts a chain back or rewrites it and recomputes the hashes after the checkpoint left
the machine is caught, unless they also hold the key.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from balie.archive import chain
from balie.archive.audit import entry_hash_at
from balie.archive.checks import CheckResult, held
from balie.archive.verification import event_hash_at
from balie.errors import BalieError

VERSION = 1


class NoKey(BalieError):
    """No BALIE_CHECKPOINT_KEY: a checkpoint signed with nothing proves nothing."""

    default_code = "no_checkpoint_key"


def _key() -> bytes:
    key = settings.CHECKPOINT_KEY
    if not key:
        raise NoKey()
    return key.encode()


def _signature(record: dict, key: bytes) -> str:
    return hmac.new(key, chain.canonical(record), hashlib.sha256).hexdigest()


def checkpoint_line(slug: str, organisation_id: int, result: CheckResult) -> str:
    """One signed line for an organisation whose check ``result`` is intact."""
    record = {
        "checkpoint": VERSION,
        "organisation": slug,
        "organisation_id": organisation_id,
        "at": timezone.now().isoformat(),
        "events": {"seq": result.events_head[0], "hash": result.events_head[1]},
        "audit": {"seq": result.audit_head[0], "hash": result.audit_head[1]},
    }
    return json.dumps({**record, "hmac": _signature(record, _key())}, sort_keys=True)


@dataclass(frozen=True)
class Finding:
    line: int
    organisation: str
    problem: str


def check_lines(
    lines: Iterable[str], heads: dict[int, tuple], *, every_organisation: bool
) -> tuple[int, list[Finding]]:
    """(checkpoints that hold, what does not). ``heads``: {organisation id: (slug, events
    head, audit head)} of the organisations checked; a line for another is skipped, or with
    ``every_organisation`` reported (its organisation is gone)."""
    key = _key()
    good, findings = 0, []
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        try:
            record = json.loads(text)
            signature = record.pop("hmac")
            org_id = record["organisation_id"]
            seen = {
                what: (record[what]["seq"], record[what]["hash"]) for what in ("events", "audit")
            }
        except (ValueError, KeyError, TypeError, AttributeError):
            findings.append(Finding(number, "?", "not a checkpoint line"))
            continue
        slug = str(record.get("organisation", org_id))
        if not hmac.compare_digest(str(signature), _signature(record, key)):
            findings.append(
                Finding(number, slug, "the signature does not match: edited, or another key")
            )
            continue
        if org_id not in heads:
            if every_organisation:
                findings.append(Finding(number, slug, "the organisation is gone"))
            continue
        _, events_now, audit_now = heads[org_id]
        since = f"checkpoint of {record.get('at', '?')}"
        for what, now, hash_at, name in (
            ("events", events_now, event_hash_at, "archive"),
            ("audit", audit_now, entry_hash_at, "audit log"),
        ):
            found = held(org_id, now, seen[what], hash_at, what=name, since=since)
            if found is not None:
                findings.append(Finding(number, slug, f"{name}: {found.problem}"))
                break
        else:
            good += 1
    return good, findings
