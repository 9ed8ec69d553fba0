"""``balie woo list --organisation SLUG``: one request a line, the first due first;
``balie woo package REFERENCE --organisation SLUG --output DIR``: the publication package
(the zip and its parts) for the decisions taken so far."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from balie.tenants.models import Organisation
from balie.woo.models import WooRequest
from balie.woo.package import build_package
from balie.woo.selectors import list_requests


class Command(BaseCommand):
    help = "Woo requests: list them with their status and due date."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="list|package")
        listing = sub.add_parser("list", help="One request a line: reference, status, due date.")
        listing.add_argument("--organisation", required=True, help="The organisation's slug.")
        package = sub.add_parser("package", help="Write the publication package of a request.")
        package.add_argument("reference", help="The request's reference, e.g. WOO-2026-014.")
        package.add_argument("--organisation", required=True, help="The organisation's slug.")
        package.add_argument("--output", required=True, help="The directory to write into.")

    def handle(self, *args, action, organisation, **options):
        found = Organisation.objects.filter(slug=organisation).first()
        if found is None:
            raise CommandError(_("No organisation with slug %(slug)s.") % {"slug": organisation})
        if action == "package":
            self._package(found, options["reference"], Path(options["output"]))
            return
        for view in list_requests(None, found.pk):
            due = view.deadline.due.isoformat() if view.deadline.due else _("suspended")
            late = "  " + _("overdue") if view.overdue else ""
            self.stdout.write(f"{view.request.reference}\t{view.request.status}\t{due}{late}")

    def _package(self, organisation, reference, output):
        request = WooRequest.objects.for_organisation(organisation).filter(reference=reference)
        request = request.first()
        if request is None:
            raise CommandError(_("No Woo request %(reference)s.") % {"reference": reference})
        package = build_package(request)
        output.mkdir(parents=True, exist_ok=True)
        for name, content in package.files.items():
            (output / name).write_bytes(content)
        zip_name = f"{package.stem}.zip"
        (output / zip_name).write_bytes(package.zip())
        self.stdout.write(
            _("%(count)s files and %(zip)s written to %(dir)s.")
            % {"count": len(package.files), "zip": zip_name, "dir": output}
        )
