"""Signed checkpoints: the heads of both chains, kept outside the database.

``balie verify --export-checkpoint FILE`` writes one line per organisation whose chains are
intact: the heads (seq and hash) of its archive and audit-log chains, signed with
HMAC-SHA256 under ``BALIE_CHECKPOINT_KEY`` — a key that is not in the database. Kept on
another system, such a line lets ``balie verify --checkpoint FILE`` show that the chains
still hold the checkpointed records at those seqs, with those hashes, and have not shrunk:
whoever cuts a chain back or rewrites it and recomputes the hashes after the checkpoint left
the machine is caught, unless they also hold the key.

Where a time-stamping authority is configured (``BALIE_TSA_URL``), each line also carries an
RFC 3161 time-stamp over the signed line (:mod:`balie.archive.timestamps`): even the key's
holder cannot then write a line later and date it back.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from balie.archive import chain, timestamps
from balie.archive.audit import entry_hash_at
from balie.archive.checks import CheckResult, held
from balie.archive.verification import event_hash_at
from balie.errors import BalieError

VERSION = 1
# how far the TSA's time may lie from the checkpoint's own: the line is stamped the moment it
# is signed, so more than this means a line dated other than when it was made (or a clock off)
STAMP_SKEW = timedelta(minutes=15)


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


def checkpoint_line(slug: str, organisation_id: int, result: CheckResult, *, stamp: bool) -> str:
    """One signed line for an organisation whose check ``result`` is intact; with ``stamp``,
    time-stamped by the configured TSA (a TimestampFailed when it cannot be)."""
    record = {
        "checkpoint": VERSION,
        "organisation": slug,
        "organisation_id": organisation_id,
        "at": timezone.now().isoformat(),
        "events": {"seq": result.events_head[0], "hash": result.events_head[1]},
        "audit": {"seq": result.audit_head[0], "hash": result.audit_head[1]},
    }
    signed = {**record, "hmac": _signature(record, _key())}
    if stamp:
        token, reading = timestamps.stamp(chain.canonical(signed))
        signed["timestamp"] = {
            "token": token,
            "time": reading.time.isoformat(),
            "tsa": reading.signer,
        }
    return json.dumps(signed, sort_keys=True)


@dataclass(frozen=True)
class Finding:
    line: int
    organisation: str
    problem: str


@dataclass
class Outcome:
    good: int = 0  # lines that hold
    stamped: int = 0  # of those, with a time-stamp that holds
    trusted: int = 0  # of those, signed by BALIE_TSA_CERTIFICATE (or a certificate it issued)
    findings: list[Finding] = field(default_factory=list)


def check_lines(
    lines: Iterable[str], heads: dict[int, tuple], *, every_organisation: bool
) -> Outcome:
    """What holds and what does not. ``heads``: {organisation id: (slug, events head, audit
    head)} of the organisations checked; a line for another is skipped, or with
    ``every_organisation`` reported (its organisation is gone)."""
    key = _key()
    outcome = Outcome()
    findings = outcome.findings
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        try:
            record = json.loads(text)
            stamp = record.pop("timestamp", None)
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
        reading = None
        if stamp is not None:
            problem, reading = _read_stamp(stamp, {**record, "hmac": signature})
            if problem:
                findings.append(Finding(number, slug, problem))
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
            outcome.good += 1
            if reading is not None:
                outcome.stamped += 1
                outcome.trusted += reading.trusted
    return outcome


def _read_stamp(stamp, signed: dict) -> tuple[str | None, timestamps.Stamp | None]:
    """(what is wrong with a line's time-stamp or None, its reading)."""
    try:
        reading = timestamps.check(stamp["token"], chain.canonical(signed))
    except (TypeError, KeyError):
        return "the time-stamp is not readable", None
    except timestamps.TimestampInvalid as error:
        return f"the time-stamp does not hold: {error.message}", None
    try:
        claimed = datetime.fromisoformat(signed["at"])
    except (TypeError, ValueError):
        return "the checkpoint's own time is not readable", None
    if abs(reading.time - claimed) > STAMP_SKEW:
        return (
            f"the time-stamp is from {reading.time.isoformat()}, not from the checkpoint's own "
            f"time {signed['at']}: the line was dated other than when it was made"
        ), None
    return None, reading
