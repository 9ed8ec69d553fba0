"""``balie createsuperuser`` runs this (balie.cli), which refuses: Balie has no superusers.

Django's command would create a user without memberships, and without running the password
validators when it runs non-interactively. Staff are created with ``do_create_staff_user``
(docs/operations.md), which runs them; ``balie changepassword`` runs them too.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Refused: Balie has no superusers (see docs/operations.md, 'First organisation')."

    def add_arguments(self, parser):
        parser.add_argument("args", nargs="*")
        parser.add_argument("--noinput", "--no-input", action="store_true")
        parser.add_argument("--username")
        parser.add_argument("--email")

    def handle(self, *args, **options):
        raise CommandError(
            "Balie has no superusers. Create staff with `balie staff create USER "
            "--organisation SLUG --role admin` (docs/operations.md, 'First organisation and "
            "staff')."
        )
