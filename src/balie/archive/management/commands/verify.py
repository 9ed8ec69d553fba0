import sys

from django.core.management.base import BaseCommand, CommandError

from balie.archive.checks import check_organisation, do_record_check
from balie.tenants.models import Organisation


class Command(BaseCommand):
    help = (
        "Recompute every organisation's archive and audit-log hash chains; print the first "
        "broken record. Exits with status 1 when any chain is broken."
    )

    def add_arguments(self, parser):
        parser.add_argument("--organisation", metavar="SLUG", help="Only this organisation.")
        parser.add_argument(
            "--record",
            action="store_true",
            help="Also keep the result, shown to records managers in the console.",
        )

    def handle(self, *args, organisation=None, record=False, **options):
        organisations = Organisation.objects.order_by("slug")
        if organisation:
            organisations = organisations.filter(slug=organisation)
            if not organisations.exists():
                raise CommandError(f"No organisation with slug {organisation!r}.")
        broken = 0
        for org in organisations:
            result = check_organisation(org.pk)
            if record:
                do_record_check(org.pk, result, trigger="manual")
            chains = (
                ("events", result.events_checked, result.event_break),
                ("audit entries", result.audit_checked, result.audit_break),
            )
            for what, checked, found in chains:
                if found is None:
                    self.stdout.write(f"{org.slug}: OK, {checked} {what}, chain intact")
                    continue
                broken += 1
                self.stdout.write(f"{org.slug}: BROKEN after {checked} good {what}")
                self.stdout.write(f"  first break: seq {found.seq}, id {found.event_id}")
                self.stdout.write(f"  what is wrong: {found.problem}")
        if broken:
            sys.exit(1)
