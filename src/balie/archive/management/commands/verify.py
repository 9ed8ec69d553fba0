import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from balie.archive import checkpoints, timestamps
from balie.archive.checks import check_organisation, do_record_check
from balie.tenants.models import Organisation


class Command(BaseCommand):
    help = (
        "Recompute every organisation's archive and audit-log hash chains, compare them with "
        "the previous good run (and a signed checkpoint), cross-check the live rows and report "
        "stray destruction permits; print the first problem. Exits with status 1 on any."
    )

    def add_arguments(self, parser):
        parser.add_argument("--organisation", metavar="SLUG", help="Only this organisation.")
        parser.add_argument(
            "--record",
            action="store_true",
            help="Also keep the result, shown to records managers in the console.",
        )
        parser.add_argument(
            "--checkpoint",
            metavar="FILE",
            help="Check the chains against the signed checkpoint lines in FILE.",
        )
        parser.add_argument(
            "--export-checkpoint",
            metavar="FILE",
            help="Write a signed checkpoint line per intact organisation to FILE (- for "
            "stdout); needs BALIE_CHECKPOINT_KEY; time-stamped where BALIE_TSA_URL is set. "
            "Keep it outside this machine.",
        )

    def handle(self, *args, organisation=None, record=False, **options):
        checkpoint, export = options.get("checkpoint"), options.get("export_checkpoint")
        try:
            if checkpoint or export:
                checkpoints._key()
        except checkpoints.NoKey:
            raise CommandError(
                "BALIE_CHECKPOINT_KEY is not set: no checkpoint is written or checked without it."
            ) from None
        organisations = Organisation.objects.order_by("slug")
        if organisation:
            organisations = organisations.filter(slug=organisation)
            if not organisations.exists():
                raise CommandError(f"No organisation with slug {organisation!r}.")
        broken, heads, lines = 0, {}, []
        stamp, unstamped = timestamps.configured(), []
        for org in organisations:
            result = check_organisation(org.pk)
            if record:
                do_record_check(org.pk, result, trigger="manual")
            heads[org.pk] = (org.slug, result.events_head, result.audit_head)
            broken += self._report(org.slug, result)
            if export and result.ok:
                try:
                    line = checkpoints.checkpoint_line(org.slug, org.pk, result, stamp=stamp)
                except timestamps.TimestampFailed as error:
                    # the signed line is still worth keeping; the run fails below
                    unstamped.append(f"{org.slug}: {error.message}")
                    line = checkpoints.checkpoint_line(org.slug, org.pk, result, stamp=False)
                lines.append(line)
        if checkpoint:
            broken += self._check(checkpoint, heads, every_organisation=not organisation)
        if export:
            text = "".join(f"{line}\n" for line in lines)
            if export == "-":
                self.stdout.write(text, ending="")
            else:
                Path(export).write_text(text)
                self.stderr.write(f"checkpoint: {len(lines)} organisation(s) written to {export}")
        if unstamped:
            raise CommandError(
                "Time-stamping failed; these checkpoint lines were written without a "
                f"time-stamp: {'; '.join(unstamped)}"
            )
        if broken:
            sys.exit(1)

    def _report(self, slug, result) -> int:
        broken = 0
        chains = (
            ("events", result.events_checked, result.event_break),
            ("audit entries", result.audit_checked, result.audit_break),
        )
        for what, checked, found in chains:
            if found is None:
                self.stdout.write(f"{slug}: OK, {checked} {what}, chain intact")
                continue
            broken += 1
            self.stdout.write(f"{slug}: BROKEN after {checked} good {what}")
            self.stdout.write(f"  first break: seq {found.seq}, id {found.event_id}")
            self.stdout.write(f"  what is wrong: {found.problem}")
        if result.live_problem:
            broken += 1
            self.stdout.write(f"{slug}: BROKEN live rows differ from the archive")
            self.stdout.write(f"  what is wrong: {result.live_problem}")
        if result.permit_problem:
            broken += 1
            self.stdout.write(f"{slug}: BROKEN {result.permit_problem}")
        return broken

    def _check(self, path, heads, *, every_organisation) -> int:
        try:
            text = Path(path).read_text()
        except OSError as error:
            raise CommandError(f"Cannot read checkpoint {path}: {error}") from None
        outcome = checkpoints.check_lines(
            text.splitlines(), heads, every_organisation=every_organisation
        )
        for finding in outcome.findings:
            self.stdout.write(
                f"{finding.organisation}: BROKEN checkpoint line {finding.line}: {finding.problem}"
            )
        stamped = ""
        if outcome.stamped:
            stamped = f" ({outcome.stamped} time-stamped, {outcome.trusted} by a trusted TSA)"
        self.stdout.write(
            f"checkpoint: {outcome.good} line(s) hold{stamped}, {len(outcome.findings)} do not"
        )
        return len(outcome.findings)
