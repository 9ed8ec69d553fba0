"""Transfer (overbrenging): conversations written for an e-Depot as files with MDTO metadata.

**What is due.** Balie's record classes say *bewaren* (keep permanently) or *vernietigen*; they
hold no transfer term. A conversation is due for transfer when its class says *bewaren*, it is
closed and not destroyed, and its closing date lies at least ``after_years`` years (20 by
default: the transfer term of the Archiefwet 1995, art. 12; the new Archiefwet shortens it to
10) before the reference moment (now, or the start of the day given). Instead, a records
manager may name conversations: any closed, not destroyed conversation of the organisation.
A hold does not stop a transfer: transfer is not destruction, and the hold stays in Balie.

**What is written** (``sip.py``), following the MDTO SIP specification's sidecar layout, every
name made from ids only (never from a subject, file name or message)::

    gesprek-<id>/gesprek-<id>.MDTO.xml                      the informatieobject
    gesprek-<id>/gesprek-<id>-transcript.json               every message (transcripts.py)
    gesprek-<id>/gesprek-<id>-transcript.json.bestand.MDTO.xml
    gesprek-<id>/bijlage-<id>.<ext>                         each sent attachment, as uploaded
    gesprek-<id>/bijlage-<id>.<ext>.bestand.MDTO.xml
    checksums.sha256                                        every other file, for sha256sum -c

The transcript holds the archive's originals, unredacted: it goes to the e-Depot, not to the
public. The export is built in a hidden directory beside the target and renamed into place
when complete, so a crash leaves no half export; the read is written to the audit log first.
"""

from __future__ import annotations

import getpass
import os
import re
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from balie.accounts.models import RECORDS_ROLES
from balie.archive.audit import record_read
from balie.archive.models import Waardering
from balie.conversations.actions.checks import id_from_outside
from balie.conversations.models import Conversation, Status
from balie.records import mdto, sip
from balie.records.permissions import require_role
from balie.records.sip import TransferRefused
from balie.records.terms import MAX_YEARS, Retention
from balie.tenants.models import Organisation

__all__ = [
    "DEFAULT_AFTER_YEARS",
    "Export",
    "TransferRefused",
    "check_output",
    "chosen_for_transfer",
    "do_export_mdto",
    "due_for_transfer",
    "parse_day",
    "start_of",
]

DEFAULT_AFTER_YEARS = 20  # Archiefwet 1995, art. 12
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class Export:
    directory: Path
    conversations: list[int]
    files: int  # transcripts and attachments, without the sidecars and the manifest
    size: int  # their bytes


def parse_day(text: object) -> date:
    """A date as YYYY-MM-DD."""
    try:
        if isinstance(text, str) and _DAY.fullmatch(text.strip()):
            return date.fromisoformat(text.strip())
    except ValueError:
        pass
    raise TransferRefused(
        "invalid_date",
        _("%(text)s is not a date: give it as YYYY-MM-DD."),
        params={"text": repr(text)},
    )


def check_output(output: Path) -> Path:
    """The export's directory: it must not exist yet, or be empty."""
    output = Path(output).absolute()
    if output.exists() and (not output.is_dir() or any(output.iterdir())):
        raise TransferRefused(
            "output_not_empty",
            _("%(dir)s exists and is not an empty directory: choose a new one."),
            params={"dir": str(output)},
        )
    return output


def due_for_transfer(
    organisation_id: int, *, before: datetime | None = None, after_years: int = DEFAULT_AFTER_YEARS
) -> list[Conversation]:
    """Closed, not destroyed conversations of *bewaren* classes whose closing date plus
    ``after_years`` years lies before ``before`` (now), oldest first."""
    if isinstance(after_years, bool) or not 0 <= after_years <= MAX_YEARS:
        raise TransferRefused(
            "invalid_years",
            _("The number of years is a whole number from 0 to %(most)s."),
            params={"most": MAX_YEARS},
        )
    moment = before or timezone.now()
    cutoff = Retention(years=after_years).before(moment) if after_years else moment
    return list(
        _transferable(organisation_id)
        .filter(record_class__waardering=Waardering.KEEP, closed_at__lt=cutoff)
        .order_by("closed_at", "pk")
    )


def start_of(day: date) -> datetime:
    """Midnight at the start of ``day`` in Balie's time zone."""
    return timezone.make_aware(datetime.combine(day, time.min))


def chosen_for_transfer(organisation_id: int, ids: Iterable[object]) -> list[Conversation]:
    """The named conversations, each closed and not destroyed, in the order given."""
    chosen: list[Conversation] = []
    for raw in dict.fromkeys(ids):
        pk = id_from_outside(raw)
        found = _transferable(organisation_id, closed=False).filter(pk=pk).first() if pk else None
        if found is None:
            raise TransferRefused(
                "unknown_conversation",
                _("There is no conversation %(id)s in this organisation."),
                params={"id": raw},
            )
        if found.destroyed_at is not None:
            raise TransferRefused(
                "destroyed",
                _("Conversation %(id)s has been destroyed: nothing is left to transfer."),
                params={"id": pk},
            )
        if found.status != Status.CLOSED or found.closed_at is None:
            raise TransferRefused(
                "not_closed",
                _("Conversation %(id)s is not closed: only closed conversations are transferred."),
                params={"id": pk},
            )
        chosen.append(found)
    return chosen


def _transferable(organisation_id: int, *, closed: bool = True) -> QuerySet[Conversation]:
    qs = Conversation.objects.filter(organisation_id=organisation_id).select_related(
        "record_class", "organisation"
    )
    if closed:
        qs = qs.filter(status=Status.CLOSED, closed_at__isnull=False, destroyed_at__isnull=True)
    return qs


def do_export_mdto(
    organisation: Organisation,
    conversations: list[Conversation],
    output: Path,
    *,
    actor=None,
    now: datetime | None = None,
) -> Export:
    """Write ``conversations`` with their MDTO sidecars and manifest to ``output``, all or
    nothing. ``actor``: the records manager doing it (checked), or None for the server's
    operator; the audit log records which, with the operating-system user."""
    if actor is not None:
        require_role(
            actor, organisation.pk, RECORDS_ROLES,
            _("Only a records manager or administrator transfers records."),
        )  # fmt: skip
    if any(c.organisation_id != organisation.pk for c in conversations):
        raise TransferRefused("other_organisation", _("A conversation of another organisation."))
    output = check_output(output)
    now = timezone.localtime(now or timezone.now())
    ids = [conversation.pk for conversation in conversations]
    record_read(
        actor,
        organisation_id=organisation.pk,
        action="conversation.transfer",
        object_type="conversation",
        detail={"ids": ids[:500], "count": len(ids), "standard": f"MDTO {mdto.VERSION}",
                "output": str(output), "os_user": _os_user()},
    )  # fmt: skip
    output.parent.mkdir(parents=True, exist_ok=True)
    building = Path(
        tempfile.mkdtemp(prefix=f".{output.name}-", suffix=".partial", dir=output.parent)
    )
    try:
        written = sip.write_package(building, organisation, conversations, now=now,
                                    exporter=_exporter(actor))  # fmt: skip
        _move_into_place(building, output)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    return Export(output, ids, written.files, written.size)


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return ""


def _exporter(actor) -> mdto.Reference:
    """Who is responsible for the export, as the MDTO event names them."""
    if actor is None:
        return mdto.Reference("Beheerder van Balie")
    return mdto.Reference(actor.get_full_name() or actor.get_username())


def _move_into_place(building: Path, output: Path) -> None:
    try:
        os.replace(building, output)  # POSIX: an empty directory is replaced atomically
    except OSError:
        raise TransferRefused(
            "output_not_empty",
            _("%(dir)s was filled during the export: nothing was written there."),
            params={"dir": str(output)},
        ) from None
