"""``balie apikey create|list|revoke``: API keys for an organisation's systems."""

from __future__ import annotations

import io

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from rich.console import Console
from rich.table import Table

from balie.accounts.actions import do_create_api_key, do_revoke_api_key
from balie.accounts.models import ApiKey, ApiScope
from balie.tenants.models import Organisation


class Command(BaseCommand):
    help = "Create, list and revoke API keys (see docs/api.md)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="create|list|revoke")
        create = sub.add_parser("create", help="Create a key; its secret is shown once.")
        create.add_argument("--organisation", required=True, help="Organisation slug.")
        create.add_argument("--name", required=True, help="What the key is for.")
        create.add_argument(
            "--scope",
            action="append",
            required=True,
            choices=ApiScope.values,
            help="Repeat for several scopes.",
        )
        listing = sub.add_parser("list", help="The organisation's keys (never their secrets).")
        listing.add_argument("--organisation", required=True, help="Organisation slug.")
        revoke = sub.add_parser("revoke", help="Revoke a key by its prefix.")
        revoke.add_argument("prefix", help="The part of the key before the dot.")

    def handle(self, *args, action, **options):
        getattr(self, f"_{action}")(**options)

    def _create(self, *, organisation, name, scope, **options):
        key, secret = do_create_api_key(_organisation(organisation), name=name, scopes=scope)
        self.stdout.write(
            _("API key %(prefix)s created for %(organisation)s: %(name)s")
            % {"prefix": key.prefix, "organisation": organisation, "name": name}
        )
        self.stdout.write(f"Scopes: {', '.join(key.scopes)}")
        self.stdout.write(_("Keep this key now; it is not shown again:"))
        self.stdout.write(secret)

    def _list(self, *, organisation, **options):
        keys = ApiKey.objects.for_organisation(_organisation(organisation)).order_by("created_at")
        table = Table(
            pgettext("api key list", "prefix"),
            pgettext("api key list", "name"),
            pgettext("api key list", "scopes"),
            pgettext("api key list", "created"),
            pgettext("api key list", "last used"),
            pgettext("api key list", "revoked"),
        )
        for key in keys:
            table.add_row(
                key.prefix,
                key.name,
                ", ".join(key.scopes),
                _when(key.created_at),
                _when(key.last_used_at),
                _when(key.revoked_at),
            )
        buffer = io.StringIO()
        Console(file=buffer, width=140).print(table)
        self.stdout.write(buffer.getvalue(), ending="")

    def _revoke(self, *, prefix, **options):
        key = ApiKey.objects.filter(prefix=prefix).first()
        if key is None:
            raise CommandError(_("No API key with prefix %(prefix)s.") % {"prefix": repr(prefix)})
        if key.revoked_at is not None:
            raise CommandError(_("API key %(prefix)s was already revoked.") % {"prefix": prefix})
        do_revoke_api_key(key)
        self.stdout.write(
            _("API key %(prefix)s (%(name)s) has been revoked.")
            % {"prefix": prefix, "name": key.name}
        )


def _organisation(slug: str) -> Organisation:
    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is None:
        raise CommandError(_("No organisation with slug %(slug)s.") % {"slug": repr(slug)})
    return organisation


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "-"
