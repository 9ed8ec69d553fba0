"""``balie woo list --organisation SLUG``: one request a line, the first due first;
``balie woo package REFERENCE --organisation SLUG --output DIR``: the publication package
(the zip and its parts) for the decisions taken so far;
``balie woo publisher --organisation SLUG [--url URL --token-file FILE --publisher UUID
--category UUID --enable|--disable]``: the organisation's GPP-Woo publicatiebank, shown
(never its token) or set up;
``balie woo publish REFERENCE --organisation SLUG --by USERNAME``: queue a decided request
for publication in the name of a Woo coordinator; ``balie woo publish … --status`` shows
where it stands."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from balie.accounts.models import User
from balie.errors import BalieError
from balie.tenants.models import Organisation
from balie.woo.models import WooRequest
from balie.woo.package import build_package
from balie.woo.publication import do_configure_publisher, do_publish
from balie.woo.publishing import publication_status, publisher_settings
from balie.woo.selectors import list_requests


class Command(BaseCommand):
    help = "Woo requests: list them with their status and due date."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(
            dest="action", required=True, metavar="list|package|publisher|publish"
        )
        listing = sub.add_parser("list", help="One request a line: reference, status, due date.")
        listing.add_argument("--organisation", required=True, help="The organisation's slug.")
        package = sub.add_parser("package", help="Write the publication package of a request.")
        package.add_argument("reference", help="The request's reference, e.g. WOO-2026-014.")
        package.add_argument("--organisation", required=True, help="The organisation's slug.")
        package.add_argument("--output", required=True, help="The directory to write into.")
        publisher = sub.add_parser(
            "publisher", help="Show or set up the organisation's GPP-Woo publicatiebank."
        )
        publisher.add_argument("--organisation", required=True, help="The organisation's slug.")
        publisher.add_argument("--url", help="The publicatiebank's address, before /api/v2.")
        publisher.add_argument(
            "--token-file", help="A file holding the API token (- reads standard input)."
        )
        publisher.add_argument("--publisher", help="The organisation's UUID there.")
        publisher.add_argument("--category", help="The informatiecategorie's UUID there.")
        switch = publisher.add_mutually_exclusive_group()
        switch.add_argument("--enable", dest="enabled", action="store_true", default=None)
        switch.add_argument("--disable", dest="enabled", action="store_false")
        publish = sub.add_parser("publish", help="Queue a decided request for publication.")
        publish.add_argument("reference", help="The request's reference, e.g. WOO-2026-014.")
        publish.add_argument("--organisation", required=True, help="The organisation's slug.")
        publish.add_argument("--by", help="The Woo coordinator in whose name it is published.")
        publish.add_argument(
            "--status", action="store_true", help="Only show where the publication stands."
        )

    def handle(self, *args, action, organisation, **options):
        found = Organisation.objects.filter(slug=organisation).first()
        if found is None:
            raise CommandError(_("No organisation with slug %(slug)s.") % {"slug": organisation})
        if action == "package":
            self._package(found, options["reference"], Path(options["output"]))
            return
        try:
            if action == "publisher":
                self._publisher(found, **options)
                return
            if action == "publish":
                self._publish(found, **options)
                return
        except BalieError as error:  # a refusal: shown as the command's error
            raise CommandError(str(error.message)) from None
        for view in list_requests(None, found.pk):
            due = view.deadline.due.isoformat() if view.deadline.due else _("suspended")
            late = "  " + _("overdue") if view.overdue else ""
            self.stdout.write(f"{view.request.reference}\t{view.request.status}\t{due}{late}")

    def _package(self, organisation, reference, output):
        request = _request(organisation, reference)
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
        if not organisation.tooi_uri:
            self.stderr.write(
                _(
                    "Without a gemeentecode the package has no DiWoo metadata: set it with "
                    "balie organisation identify --slug %(slug)s --gemeentecode NNNN."
                )
                % {"slug": organisation.slug}
            )

    def _publisher(self, organisation, *, url, token_file, publisher, category, enabled, **_o):
        current = publisher_settings(None, organisation.pk) or {}
        if any(v is not None for v in (url, token_file, publisher, category, enabled)):
            do_configure_publisher(
                organisation.pk,
                actor=None,
                url=url if url is not None else current.get("url"),
                publisher=publisher if publisher is not None else current.get("publisher"),
                category=category if category is not None else current.get("category"),
                token=_read_token(token_file) if token_file is not None else None,
                enabled=enabled if enabled is not None else current.get("enabled", True),
            )
            current = publisher_settings(None, organisation.pk) or {}
        if not current:
            self.stdout.write(_("No publicatiebank is set up for this organisation."))
            return
        yes, no = _("yes"), _("no")
        for label, value in (
            (pgettext("publicatiebank settings", "publicatiebank"), current["url"]),
            (pgettext("publicatiebank settings", "publisher"), current["publisher"]),
            (pgettext("publicatiebank settings", "informatiecategorie"), current["category"]),
            (pgettext("publicatiebank settings", "enabled"), yes if current["enabled"] else no),
            (
                pgettext("publicatiebank settings", "token"),
                pgettext("publicatiebank token", "set")
                if current["token_set"]
                else pgettext("publicatiebank token", "not set"),
            ),
        ):
            self.stdout.write(f"{label}: {value}")

    def _publish(self, organisation, *, reference, by, status, **_o):
        request = _request(organisation, reference)
        if not status:
            if not by:
                raise CommandError(_("Name the Woo coordinator with --by USERNAME."))
            person = User.objects.filter(username=by, is_active=True).first()
            if person is None:
                raise CommandError(_("No active user %(username)s.") % {"username": by})
            do_publish(request, actor=person)
            self.stdout.write(
                _("%(reference)s is queued for publication.") % {"reference": reference}
            )
        shown = publication_status(None, request)
        if shown is None:
            self.stdout.write(_("%(reference)s was never published.") % {"reference": reference})
            return
        self.stdout.write(
            _("state: %(state)s, attempts: %(attempts)s, documents sent: %(sent)s of %(total)s")
            % {
                "state": shown["state_label"],
                "attempts": shown["attempts"],
                "sent": shown["documents_sent"],
                "total": shown["documents"],
            }
        )
        for line in (shown["error"], shown["remote_url"]):
            if line:
                self.stdout.write(line)


def _request(organisation, reference) -> WooRequest:
    request = WooRequest.objects.for_organisation(organisation).filter(reference=reference)
    found = request.first()
    if found is None:
        raise CommandError(_("No Woo request %(reference)s.") % {"reference": reference})
    return found


def _read_token(path: str) -> str:
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeError) as error:
        raise CommandError(
            _("Cannot read the token file: %(error)s") % {"error": type(error).__name__}
        ) from None
    return text.strip()
