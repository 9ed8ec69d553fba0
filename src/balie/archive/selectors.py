"""Reading the audit log: for auditors (and administrators) of an organisation, and for
API keys with the scope audit:read — never across organisations."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from balie.accounts.actors import Actor
from balie.accounts.models import AUDIT_ROLES, INTEGRITY_ROLES, ApiScope
from balie.archive.models import AuditEntry, VerificationRun
from balie.errors import NotAllowed, Text

CSV_COLUMNS = [
    "seq", "created_at", "actor", "api_key", "action", "object_type", "object_id",
    "channel", "ip", "purpose", "detail", "entry_hash",
]  # fmt: skip


class AuditNotAllowed(NotAllowed):
    """Only information management, audit or administrators read the audit log."""

    def __init__(self, message: Text) -> None:
        super().__init__(message=message)


def _readable(actor, roles, refusal: Text) -> list[int]:
    """The organisations whose audit data the actor reads: a person's with one of ``roles``,
    a key's own with audit:read. AuditNotAllowed (``refusal`` for a person) when none."""
    who = Actor.of(actor)
    organisations = who.organisations(roles, scope=ApiScope.AUDIT_READ)
    if not organisations:
        raise AuditNotAllowed(
            _("This API key lacks the scope audit:read.") if who.is_key else refusal
        )
    return organisations


def audit_entries_for(actor, organisation_id: int | None = None) -> QuerySet[AuditEntry]:
    """The audit entries the actor may read; AuditNotAllowed when none at all."""
    organisations = _readable(
        actor, AUDIT_ROLES, _("Only an auditor or administrator can see the audit log.")
    )
    if organisation_id is not None:
        organisations = [o for o in organisations if o == organisation_id]
    return (
        AuditEntry.objects.filter(organisation_id__in=organisations)
        .select_related("actor", "api_key", "organisation")
        .order_by("-created_at", "-seq")
    )


def verification_runs_for(actor) -> QuerySet[VerificationRun]:
    """Integrity check results: records managers, auditors, administrators; keys with
    audit:read. AuditNotAllowed when the actor may see none."""
    organisations = _readable(
        actor,
        INTEGRITY_ROLES,
        _("Only records management, audit or administration sees these checks."),
    )
    return VerificationRun.objects.filter(organisation_id__in=organisations).select_related(
        "organisation"
    )


def filter_entries(
    qs: QuerySet[AuditEntry],
    *,
    actor_id: int | None = None,
    action: str | None = None,
    object_type: str | None = None,
    object_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[AuditEntry]:
    if actor_id is not None:
        qs = qs.filter(actor_id=actor_id)
    if action:
        qs = qs.filter(action=action)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id is not None:
        qs = qs.filter(object_id=object_id)
    if since is not None:
        qs = qs.filter(created_at__gte=since)
    if until is not None:
        qs = qs.filter(created_at__lt=until)
    return qs


def csv_rows(qs: QuerySet[AuditEntry]) -> Iterator[str]:
    """The entries as CSV text, header first, streamed in chunks."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(CSV_COLUMNS)
    yield flush()
    for entry in qs.iterator(chunk_size=2000):
        writer.writerow(
            [
                entry.seq,
                entry.created_at.isoformat(),
                entry.actor.username if entry.actor else "",
                entry.api_key.prefix if entry.api_key else "",
                entry.action,
                entry.object_type,
                "" if entry.object_id is None else entry.object_id,
                entry.channel,
                entry.ip or "",
                _no_formula(entry.purpose),
                _no_formula(str(entry.detail)),
                entry.entry_hash,
            ]
        )
        yield flush()


def _no_formula(text: str) -> str:
    """Spreadsheets run cells starting with = + - @ as formulas: defuse user text."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
