"""``balie organisation create|list|identify|privacy|theme``: the first step of a real installation.

It lives with the conversations because a new organisation also gets its default team, where
new web chats arrive (docs/operations.md, "First organisation and staff")."""

from __future__ import annotations

import io
import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from rich.console import Console
from rich.table import Table

from balie.conversations.actions import do_create_team
from balie.errors import BalieError
from balie.tenants.actions import do_create_organisation, do_set_identifiers
from balie.tenants.models import Organisation
from balie.tenants.privacy import do_set_privacy
from balie.tenants.theme import FONTS, SETTABLE, do_set_theme, tokens


class Command(BaseCommand):
    help = "Create and list organisations (municipalities)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(
            dest="action", required=True, metavar="create|list|identify|privacy|theme"
        )
        create = sub.add_parser(
            "create", help="Create an organisation with its default team for new chats."
        )
        create.add_argument("--name", required=True, help='Display name, e.g. "Gemeente Ede".')
        create.add_argument(
            "--slug", required=True, help="Short name in addresses: the chat is at /c/<slug>/."
        )
        create.add_argument("--gemeentecode", default="", help="CBS municipality code (4 digits).")
        create.add_argument("--oin", default="", help="OIN, 20 digits (optional).")
        create.add_argument(
            "--team",
            default=_("General"),
            help="Name of the default team that receives new web chats.",
        )
        sub.add_parser("list", help="Every organisation of this installation.")
        identify = sub.add_parser(
            "identify",
            help="Set the gemeentecode (the TOOI identifier in DiWoo and MDTO) or the OIN.",
        )
        identify.add_argument("--slug", required=True, help="The organisation.")
        identify.add_argument("--gemeentecode", help="CBS municipality code (4 digits).")
        identify.add_argument("--oin", help="OIN, 20 digits.")
        privacy = sub.add_parser(
            "privacy",
            help="Show or set the personal-data detector's allow-list and Woo grounds.",
        )
        privacy.add_argument("--slug", required=True, help="The organisation.")
        privacy.add_argument(
            "--file",
            help='A JSON file {"allow": {...}, "grounds": {...}} '
            "(docs/guides/privacy-detection.md); without it the current settings are shown.",
        )

        theme = sub.add_parser(
            "theme",
            help="Show or set the colours, font and logo of the chat page, widget, app and "
            "console header (docs/guides/theming.md).",
        )
        theme.add_argument("slug", help="The organisation.")
        for name in SETTABLE:
            option = "--" + name.replace("_", "-")
            if name == "font_family":
                theme.add_argument(
                    "--font", dest=name, help=f"One of: {', '.join(FONTS)}; '' for the default."
                )
            else:
                theme.add_argument(option, dest=name, help="#rrggbb; '' for the default.")
        theme.add_argument("--logo", help="A PNG, JPEG or WebP file of at most 200 KB.")
        theme.add_argument("--remove-logo", action="store_true", help="Remove the logo.")

    def handle(self, *args, action, **options):
        getattr(self, f"_{action}")(**options)

    def _create(self, *, name, slug, gemeentecode, oin, team, **options):
        try:
            with transaction.atomic():
                organisation = do_create_organisation(
                    name=name, slug=slug, gemeentecode=gemeentecode, oin=oin
                )
                do_create_team(organisation, name=team, is_default=True)
        except ValidationError as error:
            raise CommandError(_describe(error)) from None
        self.stdout.write(
            _("Organisation %(name)s created: the resident chat is at /c/%(slug)s/.")
            % {"name": organisation.name, "slug": organisation.slug}
        )
        self.stdout.write(
            _("New web chats go to the team %(team)s. Next: balie staff create.") % {"team": team}
        )

    def _identify(self, *, slug, gemeentecode, oin, **options):
        organisation = Organisation.objects.filter(slug=slug).first()
        if organisation is None:
            raise CommandError(_("No organisation with slug %(slug)s.") % {"slug": slug})
        try:
            do_set_identifiers(organisation, gemeentecode=gemeentecode, oin=oin)
        except ValidationError as error:
            raise CommandError(_describe(error)) from None
        self.stdout.write(
            _("%(name)s: gemeentecode %(code)s, OIN %(oin)s, TOOI %(tooi)s")
            % {
                "name": organisation.name,
                "code": organisation.gemeentecode or "-",
                "oin": organisation.oin or "-",
                "tooi": organisation.tooi_uri or "-",
            }
        )

    def _privacy(self, *, slug, file, **options):
        organisation = Organisation.objects.filter(slug=slug).first()
        if organisation is None:
            raise CommandError(_("No organisation with slug %(slug)s.") % {"slug": slug})
        if file:
            try:
                with open(file, encoding="utf-8") as f:
                    data = json.load(f)
            except (OSError, ValueError) as error:
                raise CommandError(
                    _("Cannot read %(file)s: %(error)s") % {"file": file, "error": error}
                ) from None
            try:
                do_set_privacy(organisation, data)
            except BalieError as error:
                raise CommandError(str(error.message)) from None
        self.stdout.write(json.dumps(organisation.privacy, indent=2, ensure_ascii=False))

    def _theme(self, *, slug, logo, remove_logo, **options):
        organisation = Organisation.objects.filter(slug=slug).first()
        if organisation is None:
            raise CommandError(_("No organisation with slug %(slug)s.") % {"slug": slug})
        changes = {name: options[name] for name in SETTABLE if options.get(name) is not None}
        data = None
        if logo:
            try:
                with open(logo, "rb") as f:
                    data = f.read(10 * 1024 * 1024)
            except OSError as error:
                raise CommandError(
                    _("Cannot read %(file)s: %(error)s") % {"file": logo, "error": error}
                ) from None
        if changes or data is not None or remove_logo:
            try:
                do_set_theme(
                    organisation, actor=None, logo=data, remove_logo=remove_logo, **changes
                )
            except BalieError as error:
                raise CommandError(str(error.message)) from None
        self.stdout.write(json.dumps(tokens(organisation), indent=2))

    def _list(self, **options):
        table = Table(
            pgettext("organisation list", "slug"),
            pgettext("organisation list", "name"),
            pgettext("organisation list", "gemeentecode"),
            pgettext("organisation list", "staff"),
        )
        for organisation in Organisation.objects.order_by("slug"):
            table.add_row(
                organisation.slug,
                organisation.name,
                organisation.gemeentecode or "-",
                str(organisation.memberships.count()),
            )
        buffer = io.StringIO()
        Console(file=buffer, width=120).print(table)
        self.stdout.write(buffer.getvalue(), ending="")


def _describe(error: ValidationError) -> str:
    """A model's validation errors as one line: ``slug: …; gemeentecode: …``."""
    if hasattr(error, "message_dict"):
        return "; ".join(
            f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items()
        )
    return " ".join(error.messages)
