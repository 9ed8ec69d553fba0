import sys

from django.core.management.base import BaseCommand, CommandError

from balie.archive.audit import verify_audit
from balie.archive.verification import verify_organisation
from balie.tenants.models import Organisation


class Command(BaseCommand):
    help = (
        "Recompute every organisation's archive and audit-log hash chains; print the first "
        "broken event. "
        "Exits with status 1 when any chain is broken."
    )

    def add_arguments(self, parser):
        parser.add_argument("--organisation", metavar="SLUG", help="Only this organisation.")

    def handle(self, *args, organisation=None, **options):
        organisations = Organisation.objects.order_by("slug")
        if organisation:
            organisations = organisations.filter(slug=organisation)
            if not organisations.exists():
                raise CommandError(f"No organisation with slug {organisation!r}.")
        broken = 0
        for org in organisations:
            for what, check in (("events", verify_organisation), ("audit entries", verify_audit)):
                checked, found = check(org.pk)
                if found is None:
                    self.stdout.write(f"{org.slug}: OK, {checked} {what}, chain intact")
                    continue
                broken += 1
                self.stdout.write(f"{org.slug}: BROKEN after {checked} good {what}")
                self.stdout.write(f"  first break: seq {found.seq}, id {found.event_id}")
                self.stdout.write(f"  what is wrong: {found.problem}")
        if broken:
            sys.exit(1)
