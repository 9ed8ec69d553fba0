"""``balie woo list --organisation SLUG``: one request a line, the first due first."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from balie.tenants.models import Organisation
from balie.woo.selectors import list_requests


class Command(BaseCommand):
    help = "Woo requests: list them with their status and due date."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="list")
        listing = sub.add_parser("list", help="One request a line: reference, status, due date.")
        listing.add_argument("--organisation", required=True, help="The organisation's slug.")

    def handle(self, *args, action, organisation, **options):
        found = Organisation.objects.filter(slug=organisation).first()
        if found is None:
            raise CommandError(_("No organisation with slug %(slug)s.") % {"slug": organisation})
        for view in list_requests(None, found.pk):
            due = view.deadline.due.isoformat() if view.deadline.due else _("suspended")
            late = "  " + _("overdue") if view.overdue else ""
            self.stdout.write(f"{view.request.reference}\t{view.request.status}\t{due}{late}")
