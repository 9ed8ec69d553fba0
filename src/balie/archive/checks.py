"""Running the integrity check and keeping its result where the records manager sees it.

A check walks both chains, compares them with the heads the last good run saw (a chain that
is now shorter, or holds a different event at that run's head, was cut back or rewritten
since), cross-checks the live rows through the registered checks and reports any destruction
permit that outlived its transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from balie.archive.audit import audit_head, entry_hash_at, verify_audit
from balie.archive.chain import Break
from balie.archive.models import VerificationRun
from balie.archive.verification import (
    chain_head,
    check_live_rows,
    event_hash_at,
    stray_permits,
    verify_organisation,
)


@dataclass(frozen=True)
class CheckResult:
    started_at: datetime
    events_checked: int
    event_break: Break | None
    audit_checked: int
    audit_break: Break | None
    events_head: tuple[int, str] = (0, "")
    audit_head: tuple[int, str] = (0, "")
    live_problem: str | None = None
    permit_problem: str | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def problems(self) -> list[str]:
        found = [("archive", self.event_break), ("audit log", self.audit_break)]
        problems = [f"{what}: {brk}" for what, brk in found if brk is not None]
        if self.live_problem:
            problems.append(f"live rows: {self.live_problem}")
        if self.permit_problem:
            problems.append(f"permits: {self.permit_problem}")
        return problems


def held(
    organisation_id: int,
    head: tuple[int, str],
    seen: tuple[int, str],
    hash_at: Callable[[int, int], str | None],
    *,
    what: str,
    since: str,
) -> Break | None:
    """Whether a chain whose head is ``head`` still holds ``seen`` (seq, hash), an earlier
    head recorded ``since`` (a run, a checkpoint)."""
    seq, expected = seen
    if head[0] < seq:
        problem = (
            f"the {what} is shorter than at the {since}: it ended at seq {seq}, now at "
            f"{head[0]}; the last record(s) were removed and the head moved back"
        )
        return Break(organisation_id, seq, None, problem)
    if seq and hash_at(organisation_id, seq) != expected:
        problem = (
            f"the record at seq {seq} does not match the {since}: history was rewritten "
            "and the later hashes recomputed"
        )
        return Break(organisation_id, seq, None, problem)
    return None


def check_organisation(organisation_id: int) -> CheckResult:
    """Recompute the archive and audit-log chains of one organisation (reads only)."""
    started = timezone.now()
    events_checked, event_break = verify_organisation(organisation_id)
    audit_checked, audit_break = verify_audit(organisation_id)
    events_now, audit_now = chain_head(organisation_id), audit_head(organisation_id)
    last_good = (
        VerificationRun.objects.for_organisation(organisation_id)
        .filter(ok=True, events_seq__isnull=False)
        .order_by("-started_at", "-pk")
        .first()
    )
    if last_good is not None:
        since = f"previous verification ({last_good.started_at:%Y-%m-%d %H:%M})"
        event_break = event_break or held(
            organisation_id, events_now, (last_good.events_seq, last_good.events_hash),
            event_hash_at, what="archive", since=since,
        )  # fmt: skip
        audit_break = audit_break or held(
            organisation_id, audit_now, (last_good.audit_seq or 0, last_good.audit_hash),
            entry_hash_at, what="audit log", since=since,
        )  # fmt: skip
    return CheckResult(
        started,
        events_checked,
        event_break,
        audit_checked,
        audit_break,
        events_head=events_now,
        audit_head=audit_now,
        live_problem=check_live_rows(organisation_id),
        permit_problem=stray_permits(),
    )


def do_record_check(organisation_id: int, result: CheckResult, *, trigger: str) -> VerificationRun:
    with transaction.atomic():
        return VerificationRun.objects.create(
            organisation_id=organisation_id,
            started_at=result.started_at,
            finished_at=timezone.now(),
            events_checked=result.events_checked,
            audit_checked=result.audit_checked,
            ok=result.ok,
            problem="\n".join(result.problems),
            trigger=trigger,
            events_seq=result.events_head[0],
            events_hash=result.events_head[1],
            audit_seq=result.audit_head[0],
            audit_hash=result.audit_head[1],
        )


def latest_runs(organisation_id: int, limit: int = 30) -> list[VerificationRun]:
    return list(VerificationRun.objects.for_organisation(organisation_id)[:limit])
