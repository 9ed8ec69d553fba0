"""Running the integrity check and keeping its result where the records manager sees it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from balie.archive.audit import verify_audit
from balie.archive.chain import Break
from balie.archive.models import VerificationRun
from balie.archive.verification import verify_organisation


@dataclass(frozen=True)
class CheckResult:
    started_at: datetime
    events_checked: int
    event_break: Break | None
    audit_checked: int
    audit_break: Break | None

    @property
    def ok(self) -> bool:
        return self.event_break is None and self.audit_break is None

    @property
    def problems(self) -> list[str]:
        found = [("archive", self.event_break), ("audit log", self.audit_break)]
        return [f"{what}: {brk}" for what, brk in found if brk is not None]


def check_organisation(organisation_id: int) -> CheckResult:
    """Recompute the archive and audit-log chains of one organisation (reads only)."""
    started = timezone.now()
    events_checked, event_break = verify_organisation(organisation_id)
    audit_checked, audit_break = verify_audit(organisation_id)
    return CheckResult(started, events_checked, event_break, audit_checked, audit_break)


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
        )


def latest_runs(organisation_id: int, limit: int = 30) -> list[VerificationRun]:
    return list(VerificationRun.objects.for_organisation(organisation_id)[:limit])
